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


def damage_realizations(ds: xr.Dataset):
    """Final overlap vs dilution (left) and vs bits per weight (right), one line per
    realization on each: reference, Brian2, Nengo, the Loihi emulator where installed."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, kind, xlabel in (
        (axes[0], "dilute", "fraction of synapses deleted"),
        (axes[1], "quantize", "bits per weight (sign included)"),
    ):
        x = ds[f"{kind}_level"].values
        for real in ds["realization"].values:
            m, e = mean_sem(ds[kind].sel(realization=real))
            ax.errorbar(x, m, yerr=e, marker="o", capsize=3, label=str(real))
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[1].set_xscale("log", base=2)
    axes[0].set_ylabel("final overlap")
    axes[0].legend(fontsize=8)
    fig.suptitle(
        f"Damaged Hopfield memory on every realization (N = {ds.attrs['n_units']}, "
        f"P = {ds.attrs['n_patterns']}, cue noise {ds.attrs['cue_noise']})"
    )
    return fig
