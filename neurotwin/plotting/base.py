"""Shared pieces of every figure: saving (atomic), axes, error bars over seeds, sweep
parameters, the line styles; and the generic sweep figure (one line per series)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from ..results import atomic_write
from ..sweep import sweep_param

if TYPE_CHECKING:  # pragma: no cover
    pass

DPI = 120
#: storage capacity of the Hebbian Hopfield network for N -> infinity
#: (Amit, Gutfreund & Sompolinsky 1985)
ALPHA_C = 0.138
_UNIT_LABEL = {"sweep": "time (sweeps)", "s": "time (s)", "ms": "time (ms)"}


# -- helpers ------------------------------------------------------------------------


def save(fig: Any, path: str | os.PathLike) -> Path:
    """Save ``fig`` as PNG at :data:`DPI` atomically and close it."""
    try:
        return atomic_write(
            path, lambda tmp: fig.savefig(tmp, dpi=DPI, format="png", bbox_inches="tight")
        )
    finally:
        plt.close(fig)


def finish(fig: Figure, path: str | os.PathLike | None) -> Figure | Path:
    """``fig`` itself (``path`` None), else saved at ``path`` (:func:`save`): the path."""
    return fig if path is None else save(fig, path)


def new_axes(ax: Any = None, **subplots: Any) -> tuple[Figure, Any]:
    """``(figure, ax)``: the given axes and its figure, else a new one-panel figure."""
    if ax is not None:
        return ax.figure, ax
    return plt.subplots(**subplots)


def mean_sem(da: xr.DataArray, dim: str = "seed") -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error over ``dim``, ignoring NaN (failed points)."""
    n = da.count(dim)
    mean = da.mean(dim, skipna=True)
    std = da.std(dim, skipna=True, ddof=1) if da.sizes[dim] > 1 else xr.zeros_like(mean)
    sem = (std / np.sqrt(n.where(n > 0))).fillna(0.0)
    return np.asarray(mean.values, dtype=float), np.asarray(sem.values, dtype=float)


def param(ds: xr.Dataset, name: str) -> Any:
    """A model parameter of a sweep: its coordinate (a DataArray, for arithmetic aligned
    with the data) if it varies, else the constant value (:func:`~neurotwin.sweep.sweep_param`)."""
    return ds.coords[name] if name in ds.coords else sweep_param(ds, name)


def _realizations(ds: xr.Dataset) -> list[str]:
    if "realization" in ds.dims:
        return [str(r) for r in ds["realization"].values]
    return [str(ds.coords["realization"].values)] if "realization" in ds.coords else [""]


def _by_realization(ds: xr.Dataset, real: str) -> xr.Dataset:
    return ds.sel(realization=real) if "realization" in ds.dims else ds


def _errorbar(ax, x, da: xr.DataArray, **kw) -> None:
    mean, sem = mean_sem(da)
    ax.errorbar(x, mean, yerr=sem, capsize=3, marker=kw.pop("marker", "o"), ms=4, **kw)


def _failed_note(ax, ds: xr.Dataset) -> None:
    n_failed = int(ds.attrs.get("n_failed", 0))
    if n_failed:
        ax.text(
            0.01,
            0.01,
            f"{n_failed} failed point(s) left out",
            transform=ax.transAxes,
            fontsize=8,
            color="crimson",
            va="bottom",
        )


LINESTYLES = ["-", "--", ":", "-."]


def sweep_lines(
    ds: xr.Dataset,
    var: str,
    x: str,
    path: str | os.PathLike | None,
    hue: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str = "",
    ax: Any = None,
) -> Figure | Path:
    """Generic: ``var`` (mean ± s.e.m. over seeds) vs grid axis ``x``, one line per ``hue``."""
    fig, ax = new_axes(ax, figsize=(6, 4.2))
    xs = ds[x].values
    groups: Sequence[Any] = ds[hue].values if hue else [None]
    for g in groups:
        da = ds[var].sel({hue: g}) if hue else ds[var]
        _errorbar(ax, xs, da, label=f"{hue} = {g}" if hue else var)
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or var)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title)
    _failed_note(ax, ds)
    return finish(fig, path)
