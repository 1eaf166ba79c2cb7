"""Figures of the dense associative memory / modern Hopfield experiments."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from .base import finish, mean_sem, param, plt


def dense_capacity(ds: xr.Dataset, path: str | os.PathLike | None) -> Figure | Path:
    """Final overlap and recall fraction vs P, one curve per interaction (and the circuit).

    ``ds`` has dims ``(realization, n_patterns, seed)``.
    """
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ps = np.asarray(ds["n_patterns"].values, dtype=float)
    n = int(np.asarray(param(ds, "n_units")))
    cmap = plt.get_cmap("tab10")
    panels = [
        ("final_overlap", "final overlap m with the cued pattern"),
        ("recall_fraction", "fraction of cues recalled (m ≥ 0.95)"),
    ]
    for ax, (var, ylabel) in zip(axes, panels, strict=True):
        for k, real in enumerate(ds["realization"].values):
            mean, sem = mean_sem(ds[var].sel(realization=real))
            spiking = "spiking" in str(real)
            ax.errorbar(
                ps,
                mean,
                yerr=sem,
                capsize=3,
                # distinct markers and sizes: several curves lie on top of each other at 1
                marker="s" if spiking else "ov^D<>"[k % 6],
                ms=4 if spiking else 9 - k,
                mfc="none" if not spiking else None,
                ls="--" if spiking else "-",
                color="k" if spiking else cmap(k),
                label=str(real),
            )
        ax.axvline(0.138 * n, color="grey", ls=":", lw=1, label="0.138 N (classical)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("stored patterns P")
        ax.set_ylabel(ylabel)
        ax.set_ylim(-0.05, 1.05)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="lower left")
    fig.suptitle(f"Dense associative memory: capacity at N = {n}, 10% cue noise")
    return finish(fig, path)


def _plain_log(ax, axis: str = "x") -> None:
    """Log scale with plain tick labels (no crowded minor labels on narrow ranges)."""
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    getattr(ax, f"set_{axis}scale")("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    target.set_major_formatter(ScalarFormatter())
    target.set_minor_formatter(NullFormatter())


def _wta_axes(ds: xr.Dataset):
    js = np.asarray(ds["inhibition"].values, dtype=float)
    beta, beta_sem = mean_sem(ds["effective_beta"])
    return js, beta, beta_sem


def softmax_vs_wta(ds: xr.Dataset, path: str | os.PathLike | None) -> Figure | Path:
    """(a) effective beta vs inhibition J; (b) final overlap vs beta, circuit and reference."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    js, beta, beta_sem = _wta_axes(ds)
    bound = np.asarray(ds["beta_is_lower_bound"].max("seed").values, dtype=bool)
    ax = axes[0]
    ax.errorbar(js, beta, yerr=beta_sem, marker="o", capsize=3, color="C0")
    if bound.any():
        ax.plot(js[bound], beta[bound], "^", color="C3", ms=9, label="lower bound (hard WTA)")
        ax.legend(fontsize=8)
    n = int(np.asarray(param(ds, "n_units")))
    ax.axhline(1 / np.sqrt(n), color="grey", ls=":", lw=1)
    ax.text(js.max(), 1 / np.sqrt(n), " 1/√N", va="bottom", ha="right", fontsize=8)
    _plain_log(ax, "y")
    ax.set_xlabel("lateral inhibition J (per ν_ref of the other memories' rates)")
    ax.set_ylabel("effective β (softmax fit to memory spikes)")
    ax.grid(alpha=0.3)
    ax = axes[1]
    order = np.argsort(beta)
    for var, label, style in (
        ("final_overlap", "spiking circuit (±1 readout)", "o-"),
        ("reference_final_overlap", "reference softmax at the same β", "s--"),
    ):
        mean, sem = mean_sem(ds[var])
        ax.errorbar(beta[order], mean[order], yerr=sem[order], fmt=style, capsize=3, label=label)
    _plain_log(ax)
    ax.set_xlabel("effective β")
    ax.set_ylabel("final overlap with the cued pattern")
    ax.set_ylim(-0.05, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    p = int(np.asarray(param(ds, "n_patterns")))
    fig.suptitle(f"Soft winner-take-all as softmax: N = {n}, P = {p}")
    return finish(fig, path)


def metastable_states(ds: xr.Dataset, path: str | os.PathLike | None) -> Figure | Path:
    """(a) mixture size vs beta (circuit memory layer vs reference softmax); (b) overlap."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    _, beta, _ = _wta_axes(ds)
    order = np.argsort(beta)
    p = int(np.asarray(param(ds, "n_patterns")))
    c = float(np.asarray(param(ds, "pattern_correlation")))
    for ax, rows, ylabel in (
        (
            axes[0],
            (
                ("memory_participation", "spiking: memory-rate participation ratio", "o-"),
                ("reference_mixture_size", "reference: softmax participation ratio", "s--"),
            ),
            "patterns in the final mixture (participation ratio)",
        ),
        (
            axes[1],
            (
                ("final_overlap", "spiking circuit (±1 readout)", "o-"),
                ("reference_final_overlap", "reference softmax at the same β", "s--"),
            ),
            "final overlap with the cued pattern",
        ),
    ):
        for var, label, style in rows:
            mean, sem = mean_sem(ds[var])
            ax.errorbar(
                beta[order], mean[order], yerr=sem[order], fmt=style, capsize=3, label=label
            )
        _plain_log(ax)
        ax.set_xlabel("effective β of the circuit (set by its inhibition)")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].axhline(p, color="grey", ls=":", lw=1)
    axes[0].axhline(1, color="grey", ls=":", lw=1)
    fig.suptitle(f"Metastable states: P = {p} patterns with correlation c = {c:g}")
    return finish(fig, path)
