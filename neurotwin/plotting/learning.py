"""Figures of the learning experiments (``experiments/learning.py``).

Each function takes the combined sweep dataset and the x values of the curve that the
experiment kept as ``<prefix><k>`` variables (one scalar per checkpoint), and writes
one PNG.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from .base import LINESTYLES, finish, mean_sem, new_axes, plt


def _curve(ds: xr.Dataset, prefix: str, n: int) -> xr.DataArray:
    """Stack ``prefix0 .. prefix{n-1}`` along a new last dim ``step``."""
    return xr.concat([ds[f"{prefix}{k}"] for k in range(n)], dim="step")


def _band(ax, x, da: xr.DataArray, label: str, **kw) -> None:
    mean, sem = mean_sem(da)
    (line,) = ax.plot(x, mean, label=label, **kw)
    ax.fill_between(x, mean - sem, mean + sem, color=line.get_color(), alpha=0.2, lw=0)


def curves_by(
    ds: xr.Dataset,
    path: str | os.PathLike | None,
    prefix: str,
    x: np.ndarray,
    by: str,
    *,
    xlabel: str,
    ylabel: str,
    title: str,
    hlines: dict[str, xr.DataArray] | None = None,
    logy: bool = False,
    markers: bool = False,
    ax: Any = None,
) -> Figure | Path:
    """One curve (mean +- s.e.m. over seeds) per value of the axis ``by`` (NaN past the
    end of a shorter curve); ``hlines``: label -> per-seed scalar drawn as a dashed level
    per value of ``by``; ``markers``: mark every point (curves of a few points)."""
    fig, ax = new_axes(ax, figsize=(6, 4))
    style = {"marker": "o", "ms": 3} if markers else {}
    for i, value in enumerate(ds[by].values):
        sub = ds.sel({by: value})
        _band(ax, x, _curve(sub, prefix, len(x)), f"{by} = {value}", **style)
        for label, da in (hlines or {}).items():
            level = float(da.sel({by: value}).mean())
            ax.axhline(level, ls="--", lw=1, color=f"C{i}", label=f"{label} ({by} = {value})")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return finish(fig, path)


def stdp_groups(
    ds: xr.Dataset, path: str | os.PathLike | None, t: np.ndarray, by: str
) -> Figure | Path:
    """Group-mean weights over time, correlated (solid markers) and uncorrelated, per
    realization (line style) and value of ``by`` (colour); right: final percentiles."""
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [2, 1]})
    reals = [str(r) for r in ds["realization"].values] if "realization" in ds.dims else [""]
    for i, value in enumerate(ds[by].values):
        for real in reals:
            sub = ds.sel({by: value, "realization": real}) if real else ds.sel({by: value})
            for group, marker in (("corr", "o"), ("unc", "s")):
                _band(
                    ax,
                    t,
                    _curve(sub, f"w_{group}_", len(t)),
                    f"{group}, {real}, {by} = {value}",
                    color=f"C{i}",
                    ls="--" if real == "reference" else LINESTYLES[0],
                    marker=marker,
                    ms=3,
                )
            if real == "brian2" or not real:
                for k, group in enumerate(("corr", "unc")):
                    q = [float(sub[f"{group}_q{p}"].mean()) for p in (10, 50, 90)]
                    pos = i * 3 + k
                    ax2.errorbar(
                        pos,
                        q[1],
                        yerr=[[q[1] - q[0]], [q[2] - q[1]]],
                        fmt="o" if group == "corr" else "s",
                        color=f"C{i}",
                        capsize=4,
                    )
    ax.set(xlabel="time (s)", ylabel="mean weight (units of w_max)", ylim=(0, 1.02))
    ax.set_title("STDP: group-mean weights (solid: brian2, dashed: rate reduction)", fontsize=9)
    ax.legend(fontsize=6, ncol=2)
    ax.grid(alpha=0.3)
    ax2.set(ylabel="final weight: 10 / 50 / 90 %", ylim=(-0.02, 1.02), xticks=[])
    ax2.set_title("brian2, final weights (o: corr., s: uncorr.)", fontsize=9)
    return finish(fig, path)
