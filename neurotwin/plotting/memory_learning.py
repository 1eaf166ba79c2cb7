"""Figures of learning memories: completion vs cue fraction, recall while learning."""

from __future__ import annotations

from typing import Any

import xarray as xr

from .base import mean_sem, new_axes

_STYLE = {"reference": "-", "brian2": "--"}


def completion_curves(ds: xr.Dataset, theory_f95: float | None = None, ax: Any = None):
    """Final overlap (mean and SEM over seeds) against the cue fraction, one line per mode
    (and per realization where the sweep has several: solid reference, dashed Brian2);
    ``theory_f95``: a vertical line where one feed-forward pass reaches 0.95 in theory."""
    fig, ax = new_axes(ax)
    reals = list(ds["realization"].values) if "realization" in ds.dims else [None]
    x = ds["cue_fraction"].values
    for k, mode in enumerate(ds["mode"].values):
        for real in reals:
            da = ds["final_overlap"].sel(mode=mode)
            if real is not None:
                da = da.sel(realization=real)
            m, e = mean_sem(da)
            label = str(mode) if real is None else f"{mode} ({real})"
            ax.errorbar(x, m, yerr=e, marker="o", capsize=3, color=f"C{k}",
                        linestyle=_STYLE.get(str(real), "-"), label=label)  # fmt: skip
    ax.axhline(0.95, color="grey", linestyle=":", linewidth=1)
    if theory_f95 is not None:
        ax.axvline(theory_f95, color="grey", linestyle="--", linewidth=1)
        ax.annotate("one pass: 0.95 (theory)", (theory_f95, ax.get_ylim()[0]), rotation=90,
                    va="bottom",
                    ha="right", fontsize=8)  # fmt: skip
    ax.set_xlabel("fraction f of the pattern given in the cue (the rest 0)")
    ax.set_ylabel("final overlap with the pattern")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def recall_while_learning(ds: xr.Dataset):
    """Left: mean overlap against the cued pattern's age at the mid-stream cue (the
    completed state, the final recall with the cue, the final recall without it); right:
    patterns retrieved at the end, with against without the cue. Solid reference, dashed
    Brian2 where the sweep has both."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    reals = list(ds["realization"].values) if "realization" in ds.dims else [None]
    x = ds["mid_cue_age"].values
    for real in reals:
        sub = ds if real is None else ds.sel(realization=real)
        ls = _STYLE.get(str(real), "-")
        tag = "" if real is None else f" ({real})"
        on, off = sub.sel(mid_cue="on"), sub.sel(mid_cue="off")
        for k, (da, label) in enumerate((
            (on["mid_overlap"], "completed mid-stream"),
            (on["cued_final"], "final recall, with the cue"),
            (off["cued_final"], "final recall, without the cue"),
        )):  # fmt: skip
            m, e = mean_sem(da)
            # the completed state hollow and larger: the final recall with the cue often
            # lies exactly on it
            axes[0].errorbar(x, m, yerr=e, marker="o", capsize=3, color=f"C{k}", linestyle=ls,
                             label=label + tag, ms=9 if k == 0 else 5,
                             mfc="none" if k == 0 else None)  # fmt: skip
        for k, (da, label) in enumerate(((on, "with the cue"), (off, "without"))):
            m, e = mean_sem(da["n_retrieved"])
            axes[1].errorbar(x, m, yerr=e, marker="o", capsize=3, color=f"C{k + 3}",
                             linestyle=ls, label=label + tag)  # fmt: skip
    axes[0].axhline(0.95, color="grey", linestyle=":", linewidth=1)
    axes[0].set_xlabel("age of the cued pattern at the mid-stream cue")
    axes[0].set_ylabel("overlap with the cued pattern")
    axes[1].set_xlabel("age of the cued pattern at the mid-stream cue")
    axes[1].set_ylabel("patterns retrieved at the end")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return fig
