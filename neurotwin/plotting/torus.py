"""Figures of the grid-cell torus (``torus-attractor``; ``experiments/ring_attractor.py``).

Each function draws into ``ax`` (a new figure when ``None``) and returns the Figure;
the experiments save it with :func:`neurotwin.plotting.save`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from .base import mean_sem, plt


def _axes(ax, figsize=(5, 4.5)):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def grid_pattern(frame: np.ndarray, ax=None, title: str = "", cell: tuple[int, int] | None = None):
    """The population activity on the sheet (n_side x n_side), one frame; ``cell`` marks
    the neuron whose firing field is drawn elsewhere."""
    fig, ax = _axes(ax)
    im = ax.imshow(np.asarray(frame).T, origin="lower", cmap="viridis")
    fig.colorbar(im, ax=ax, fraction=0.046, label="activity s")
    if cell is not None:
        ax.plot(*cell, "r+", ms=12, mew=2)
    ax.set_xlabel("neuron, axis 0")
    ax.set_ylabel("neuron, axis 1")
    ax.set_title(title)
    return fig


def firing_field(
    path_m: np.ndarray,
    t: np.ndarray,
    spike_times: np.ndarray | None = None,
    rate: np.ndarray | None = None,
    ax=None,
    title: str = "",
):
    """One cell's firing field over the animal's trajectory: the path (grey) and the
    positions of its spikes (red dots), or, for the rate model, the path coloured by the
    cell's activity ``rate`` (sampled at ``t``)."""
    fig, ax = _axes(ax)
    path = np.asarray(path_m, dtype=float)
    t = np.asarray(t, dtype=float)
    ax.plot(path[:, 0], path[:, 1], color="0.75", lw=0.6, zorder=1)
    if spike_times is not None:
        xs = np.interp(spike_times, t, path[:, 0])
        ys = np.interp(spike_times, t, path[:, 1])
        ax.plot(xs, ys, ".", color="tab:red", ms=3, zorder=2, label=f"{len(xs)} spikes")
        ax.legend(fontsize=8, loc="upper right")
    if rate is not None:
        sc = ax.scatter(path[:, 0], path[:, 1], c=rate, s=4, cmap="magma", zorder=2)
        fig.colorbar(sc, ax=ax, fraction=0.046, label="activity s")
    ax.set_aspect("equal")
    ax.set_xlabel("position x (m)")
    ax.set_ylabel("position y (m)")
    ax.set_title(title)
    return fig


def error_vs_time(t: np.ndarray, errors: Mapping[str, np.ndarray], ax=None, title: str = ""):
    """Path-integration error (neurons) vs time since the velocity input started, one
    line per realization; ``errors[label]`` is (T,) or (seeds, T) (mean +/- s.e.m.)."""
    fig, ax = _axes(ax, figsize=(6, 4.2))
    for i, (label, err) in enumerate(errors.items()):
        e = np.atleast_2d(np.asarray(err, dtype=float))
        mean = np.nanmean(e, axis=0)
        ax.plot(t, mean, ls="-" if i == 0 else "--", lw=2, label=f"{label} ({len(e)} run(s))")
        if len(e) > 1:
            sem = np.nanstd(e, axis=0, ddof=1) / np.sqrt(len(e))
            ax.fill_between(t, mean - sem, mean + sem, alpha=0.2)
    ax.set_xlabel("time since the velocity input started (s)")
    ax.set_ylabel("|decoded position − gain × path| (neurons)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def diffusion_vs_size(ds: xr.Dataset, measured_s: float, ax=None):
    """Diffusion constant D = <|drift|^2> / (4 T) of the pattern at zero velocity vs the
    number of neurons N = n_side^2, one line per rate scale r0 (log-log), with the
    slope -1 that Burak & Fiete (2009) report (D ∝ 1/N)."""
    fig, ax = _axes(ax, figsize=(6, 4.2))
    n = np.asarray(ds["n_side"].values, dtype=float) ** 2
    for i, r0 in enumerate(ds["rate_scale_hz"].values):
        d2 = ds["pattern_drift"].sel(rate_scale_hz=r0) ** 2 / (4 * measured_s)
        mean, sem = mean_sem(d2)
        ax.errorbar(n, mean, yerr=sem, marker="os^v"[i % 4], capsize=3, label=f"r0 = {r0:g} Hz")
        if np.isfinite(mean[0]) and mean[0] > 0:
            ax.plot(
                n, mean[0] * n[0] / n, color="k", lw=0.8, ls=":", label="∝ 1/N" if i == 0 else None
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("neurons N = n_side²")
    ax.set_ylabel("pattern diffusion D (neurons²/s)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return fig


__all__ = ["diffusion_vs_size", "error_vs_time", "firing_field", "grid_pattern"]
