"""Figures of the memory family: span vs stream length per rule, recall vs damage."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .base import mean_sem, new_axes


def curves(
    ds: xr.Dataset, x: str, line: str, y: str, xlabel: str, ylabel: str, ax: Any = None,
    refs: dict[str, float] | None = None,
):  # fmt: skip
    """``y`` (mean and SEM over seeds) against ``x``, one line per value of ``line``;
    ``refs``: vertical lines (label -> x) at published values."""
    fig, ax = new_axes(ax)
    for value in ds[line].values:
        sub = ds[y].sel({line: value})
        m, e = mean_sem(sub)
        ax.errorbar(ds[x].values, m, yerr=e, marker="o", capsize=3, label=f"{line}={value}")
    for label, xv in (refs or {}).items():
        ax.axvline(xv, color="grey", linestyle="--", linewidth=1)
        ax.annotate(label, (xv, ax.get_ylim()[1]), rotation=90, va="top", ha="right", fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def overlap_vs_age(ages: np.ndarray, overlaps: dict[str, np.ndarray], ax: Any = None):
    """Recall overlap of the k-th most recent pattern, one line per label (mean over seeds)."""
    fig, ax = new_axes(ax)
    for label, m in overlaps.items():
        ax.plot(ages, np.mean(m, axis=0), marker=".", label=label)
    ax.set_xlabel("age k of the probed pattern (0 = most recent)")
    ax.set_ylabel("final overlap with the pattern")
    ax.axhline(0.95, color="grey", linestyle=":", linewidth=1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def damage_realizations(
    ds: xr.Dataset, observable: str, scale: dict[str, list], units: dict[str, str], ylabel: str
):
    """``observable`` (mean and SEM over seeds) against the damage, one panel per kind of
    damage (x: its own ``scale``), one line per realization on each: reference, Brian2,
    Nengo, the Loihi emulator where installed. The bits axis runs from many to few bits,
    so every panel reads left to right from undamaged to most damaged."""
    import matplotlib.pyplot as plt

    kinds = [str(k) for k in ds["damage"].values]
    fig, axes = plt.subplots(1, len(kinds), figsize=(4 * len(kinds), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    steps = [int(s) for s in ds["step"].values]
    reals = ds["realization"].values if "realization" in ds.dims else [None]
    for ax, kind in zip(axes, kinds, strict=True):
        x = np.array([scale[kind][s] for s in steps], dtype=float)
        for real in reals:
            da = ds[observable].sel(damage=kind)
            if real is not None:
                da = da.sel(realization=real)
            m, e = mean_sem(da)
            ax.errorbar(x, m, yerr=e, marker="o", capsize=3, label=str(real or "reference"))
        if kind == "quantize":
            ax.set_xscale("log", base=2)
            ax.invert_xaxis()
        ax.set_xlabel(units[kind])
        ax.set_title(kind, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(ylabel)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig
