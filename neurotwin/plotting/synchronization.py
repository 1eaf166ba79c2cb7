"""Synchronization figures: the Kuramoto transition, the Millennium Bridge onset,
spiking synchrony, synchrony and memory."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from .base import (
    ALPHA_C,
    LINESTYLES,
    _by_realization,
    _errorbar,
    _failed_note,
    _realizations,
    finish,
    new_axes,
    param,
)


def kuramoto_transition(
    ds: xr.Dataset,
    path: str | os.PathLike | None,
    theory: tuple[np.ndarray, np.ndarray],
    kc: float,
    ax: Any = None,
) -> Figure | Path:
    """Time-averaged order parameter vs coupling K, one curve per N, and the theory.

    ``ds`` has dims ``(n_oscillators, coupling, seed)`` and ``order_parameter``;
    ``theory`` is ``(K, r)`` for N -> infinity, ``kc`` the critical coupling.
    """
    fig, ax = new_axes(ax, figsize=(6.5, 4.5))
    k = np.asarray(ds["coupling"].values, dtype=float)
    for i, n in enumerate(ds["n_oscillators"].values):
        _errorbar(
            ax,
            k,
            ds["order_parameter"].sel(n_oscillators=n),
            color=plt.get_cmap("tab10")(i),
            label=f"N = {int(n)} ({ds.sizes['seed']} seeds)",
        )
    ax.plot(*theory, color="k", lw=1.5, label="r = √(1 − K_c/K), N → ∞")
    ax.axvline(kc, color="k", ls="--", lw=0.8, label=f"K_c = {kc:g}")
    ax.set_xlabel("coupling K (rad/s)")
    ax.set_ylabel("time-averaged order parameter r")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    _failed_note(ax, ds)
    ax.set_title("Kuramoto transition: Lorentzian frequencies (half-width 0.5)")
    return finish(fig, path)


def bridge_onset(
    ds: xr.Dataset, path: str | os.PathLike | None, thresholds: dict[str, float]
) -> Figure | Path:
    """Wobble amplitude and crowd order parameter vs crowd size.

    ``ds`` has dims ``(crowd_model, start, n_pedestrians, seed)``; one line per crowd
    model (colour) and starting state (solid: quiet deck, dashed: swaying deck, so a
    hysteresis loop shows as two branches). ``thresholds`` maps each crowd model to its
    predicted critical crowd size, drawn as a vertical line in its colour.
    """
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    n = np.asarray(ds["n_pedestrians"].values, dtype=float)
    for c_i, model in enumerate(ds["crowd_model"].values):
        for s_i, start in enumerate(ds["start"].values):
            sub = ds.sel(crowd_model=model, start=start)
            kw = dict(
                color=plt.get_cmap("tab10")(c_i),
                ls=LINESTYLES[s_i % 4],
                marker="os"[s_i % 2],
                label=f"{model} walkers, {start} start",
            )
            _errorbar(axes[0], n, sub["wobble_amplitude"] * 1000.0, **kw)
            _errorbar(axes[1], n, sub["order_parameter"], **kw)
    axes[0].set_ylabel("wobble amplitude (mm, time average)")
    axes[0].set_yscale("log")
    axes[1].set_ylabel("crowd order parameter r (time average)")
    axes[1].set_ylim(-0.02, 1.02)
    models = [str(m) for m in ds["crowd_model"].values]
    for ax in axes:
        for model, nc in thresholds.items():
            color = plt.get_cmap("tab10")(models.index(model)) if model in models else "k"
            ax.axvline(nc, color=color, ls=":", lw=1.2, label=f"{model}: predicted N_c = {nc:.0f}")
        ax.set_xlabel("number of pedestrians N")
        ax.grid(alpha=0.3)
        _failed_note(ax, ds)
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(
        "Millennium Bridge: sudden onset of lateral wobble with crowd size "
        "(runaway runs stop at the amplitude cap)"
    )
    fig.tight_layout()
    return finish(fig, path)


def spiking_sync(
    ds: xr.Dataset,
    path: str | os.PathLike | None,
    theory: tuple[np.ndarray, np.ndarray],
    kc: float,
    rasters: Sequence[tuple[str, np.ndarray, np.ndarray]] = (),
) -> Figure | Path:
    """Order parameter and chi vs coupling per realization, the theory, and rasters.

    ``ds`` has dims ``(realization, coupling, seed)`` with ``order_parameter`` and
    ``chi``; ``rasters`` is a list of ``(label, spike_times_s, neuron_indices)``.
    """
    n_r = len(rasters)
    fig = plt.figure(figsize=(12, 4.2 + (2.6 if n_r else 0)))
    grid = fig.add_gridspec(2 if n_r else 1, max(n_r, 2), height_ratios=[1.5, 1] if n_r else None)
    ax_r = fig.add_subplot(grid[0, : max(n_r, 2) // 2])
    ax_c = fig.add_subplot(grid[0, max(n_r, 2) // 2 :])
    k = np.asarray(ds["coupling"].values, dtype=float)
    for r_i, real in enumerate(_realizations(ds)):
        sub = _by_realization(ds, real)
        kw = dict(ls=LINESTYLES[r_i % 4], marker="os^v"[r_i % 4], label=real)
        _errorbar(ax_r, k, sub["order_parameter"], **kw)
        _errorbar(ax_c, k, sub["chi"], **kw)
    ax_r.plot(*theory, color="k", lw=1, label="Kuramoto-Sakaguchi, N → ∞")
    for ax, label in ((ax_r, "order parameter r (spike phases)"), (ax_c, "Golomb's χ (cos θ)")):
        ax.axvline(kc, color="k", ls="--", lw=0.8, label=f"K_c = {kc:.3f}")
        ax.set_xlabel("coupling K (charge of a full volley, threshold units)")
        ax.set_ylabel(label)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        _failed_note(ax, ds)
    for i, (label, times, idx) in enumerate(rasters):
        ax = fig.add_subplot(grid[1, i])
        ax.plot(np.asarray(times) * 1000.0, idx, "|", ms=2, color="k")
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("neuron")
        ax.set_title(f"Brian2 raster, {label}", fontsize=9)
    fig.suptitle(f"LIF network vs its phase reduction ({ds.sizes['seed']} seeds per point)")
    fig.tight_layout()
    return finish(fig, path)


def sync_memory(ds: xr.Dataset, path: str | os.PathLike | None) -> Figure | Path:
    """Hopfield recall under synchronous vs asynchronous updates vs load.

    ``ds`` has dims ``(update, alpha, seed)`` with ``final_overlap``,
    ``two_cycle_fraction`` and ``converged_fraction``.
    """
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    alpha = np.asarray(ds["alpha"].values, dtype=float)
    panels = [
        ("final_overlap", "final overlap with the cued pattern"),
        ("two_cycle_fraction", "fraction of cues in a 2-cycle"),
        ("converged_fraction", "fraction of cues at a fixed point"),
    ]
    for u_i, update in enumerate(ds["update"].values):
        for ax, (var, _) in zip(axes, panels, strict=True):
            _errorbar(
                ax,
                alpha,
                ds[var].sel(update=update),
                ls=LINESTYLES[u_i % 4],
                marker="os"[u_i % 2],
                label=f"{update} updates",
            )
    for ax, (_, label) in zip(axes, panels, strict=True):
        ax.axvline(ALPHA_C, color="k", ls="--", lw=1, label=f"α_c ≈ {ALPHA_C}")
        ax.set_xlabel("load α = P / N")
        ax.set_ylabel(label)
        ax.set_ylim(-0.05, 1.05)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        _failed_note(ax, ds)
    n = param(ds, "n_units")
    fig.suptitle(
        f"Synchrony and memory: Hopfield (N = {n}) with all units updated at once vs one at a time"
    )
    fig.tight_layout()
    return finish(fig, path)
