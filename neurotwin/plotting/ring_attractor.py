"""Figures of the ring-attractor experiments (``experiments/ring_attractor.py``)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from .base import (
    LINESTYLES,
    _by_realization,
    _failed_note,
    _realizations,
    finish,
    mean_sem,
    new_axes,
    plt,
)

MARKERS = "os^v"


def speed_vs_gamma(
    ds: xr.Dataset, path: str | os.PathLike | None, tau_s: float, ax: Any = None
) -> Figure | Path:
    """Bump speed vs gamma per realization, with the theory line gamma / tau.

    ``ds`` has dims ``(realization, gamma, seed)`` with ``bump_speed``.
    """
    fig, ax = new_axes(ax, figsize=(6.5, 4.5))
    g = np.asarray(ds["gamma"].values, dtype=float)
    for i, real in enumerate(_realizations(ds)):
        mean, sem = mean_sem(_by_realization(ds, real)["bump_speed"])
        ax.errorbar(
            g,
            mean,
            yerr=sem,
            ls=LINESTYLES[i % 4],
            marker=MARKERS[i % 4],
            ms=5,
            capsize=3,
            label=str(real),
        )
    gg = np.linspace(g.min(), g.max(), 50)
    ax.plot(gg, gg / tau_s, color="k", lw=1, label=f"theory γ/τ (τ = {tau_s * 1e3:g} ms)")
    ax.set_xlabel("asymmetric gain γ (rad)")
    ax.set_ylabel("bump speed (rad/s)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    _failed_note(ax, ds)
    ax.set_title(f"Ring attractor: speed vs γ ({ds.sizes['seed']} seed(s) per point)")
    fig.tight_layout()
    return finish(fig, path)


def path_integration(
    ds: xr.Dataset,
    path: str | os.PathLike | None,
    times: Sequence[float],
    keys: Sequence[str],
    examples: Mapping[str, object],
) -> Figure | Path:
    """Left: an example trajectory (integrated velocity vs decoded bump positions);
    right: mean |error| vs time per realization and velocity s.d.

    ``examples`` maps realization -> Result of one run with a velocity trace.
    """
    fig, (ax_t, ax_e) = plt.subplots(1, 2, figsize=(12, 4.5))
    for i, (real, res) in enumerate(examples.items()):
        p = res.params
        t0 = p["cue_duration_s"] + p["settle_s"]
        keep = res.t >= t0 - 1e-9
        pos = np.unwrap(res.observables["bump_position"][keep])
        pos = pos - pos[0]
        err = res.observables["integration_error"][keep]
        if i == 0:
            ax_t.plot(res.t[keep], pos - err, color="k", lw=2, label="integrated velocity")
        ax_t.plot(res.t[keep], pos, ls=LINESTYLES[(i + 1) % 4], label=f"bump, {real}")
    ax_t.set_xlabel("time (s)")
    ax_t.set_ylabel("turn since t0 (rad)")
    ax_t.set_title("Example trajectory (seed 0)")
    ax_t.legend(fontsize=8)
    ax_t.grid(alpha=0.3)
    t = np.asarray(times, dtype=float)
    for i, real in enumerate(_realizations(ds)):
        for j, sd in enumerate(ds["velocity_sd_rad_s"].values):
            sub = _by_realization(ds, real).sel(velocity_sd_rad_s=sd)
            stats = [mean_sem(sub[k]) for k in keys]
            ax_e.errorbar(
                t,
                [m for m, _ in stats],
                yerr=[s for _, s in stats],
                ls=LINESTYLES[i % 4],
                marker=MARKERS[j % 4],
                capsize=3,
                label=f"{real}, ω s.d. {sd:g} rad/s",
            )
    ax_e.set_xlabel("time since the start of the trajectory (s)")
    ax_e.set_ylabel("|integration error| (rad)")
    ax_e.set_title(f"Path-integration error ({ds.sizes['seed']} seeds)")
    ax_e.legend(fontsize=8)
    ax_e.grid(alpha=0.3)
    _failed_note(ax_e, ds)
    fig.tight_layout()
    return finish(fig, path)


def drift_vs_n(
    ds: xr.Dataset, path: str | os.PathLike | None, duration_s: float, ax: Any = None
) -> Figure | Path:
    """RMS drift of the bump (no velocity input) vs N per realization and weight jitter.

    ``ds`` has dims ``(realization, n_units, weight_jitter, seed)`` with ``drift_rad``.
    """
    fig, ax = new_axes(ax, figsize=(6.5, 4.5))
    n = np.asarray(ds["n_units"].values, dtype=float)
    for i, real in enumerate(_realizations(ds)):
        for j, jit in enumerate(ds["weight_jitter"].values):
            d = _by_realization(ds, real)["drift_rad"].sel(weight_jitter=jit)
            rms = np.sqrt((d**2).mean("seed").values)
            ax.plot(
                n,
                rms,
                ls=LINESTYLES[i % 4],
                marker=MARKERS[j % 4],
                label=f"{real}, weight jitter {jit:g}",
            )
    ax.set_xscale("log", base=2)
    ax.set_xlabel("units N")
    ax.set_ylabel(f"RMS drift over {duration_s:g} s (rad)")
    ax.set_title(f"Bump drift under noise ({ds.sizes['seed']} seeds per point)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    _failed_note(ax, ds)
    fig.tight_layout()
    return finish(fig, path)
