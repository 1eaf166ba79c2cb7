"""Figures of the spiking McCulloch-Pitts gates (``experiments/perceptron.py``).

Each function draws into ``ax`` (a new figure when ``None``) and returns the Figure;
the experiments save it with :func:`neurotwin.plotting.save`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from .base import mean_sem, plt

#: mean-drive ranges of r / r0 over which each gate is correct (module docstring of
#: spiking/perceptron/mcculloch_pitts_brian2.py)
RATE_RANGE = {
    "AND": (0.75, 1.5),
    "OR": (0.5, np.inf),
    "NOT": (0.5, np.inf),
    "NAND": (0.5, 1.5),
    "XOR": (0.5, 1.5),
}


def _axes(ax, figsize=(6.5, 4.2)):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def error_vs(ds: xr.Dataset, axis: str, xlabel: str, ax=None, design_rate_hz: float | None = None):
    """Error rate (over presentations; mean +/- s.e.m. over seeds) vs the grid axis
    ``axis``, one line per gate; with ``design_rate_hz``, each gate's predicted range."""
    fig, ax = _axes(ax)
    x = np.asarray(ds[axis].values, dtype=float)
    scale = 1000.0 if axis.endswith("_s") else 1.0
    cmap = plt.get_cmap("tab10")
    for g_i, gate in enumerate(ds["gate"].values):
        mean, sem = mean_sem(ds["error_rate"].sel(gate=gate))
        ax.errorbar(
            x * scale,
            mean,
            yerr=sem,
            marker="os^vD"[g_i % 5],
            ms=4,
            capsize=3,
            color=cmap(g_i),
            label=str(gate),
        )
        if design_rate_hz is not None:
            lo, hi = RATE_RANGE[str(gate)]
            y = -0.03 - 0.02 * g_i
            ax.plot(
                [lo * design_rate_hz, min(hi * design_rate_hz, x.max())],
                [y, y],
                color=cmap(g_i),
                lw=3,
                alpha=0.6,
            )
    if design_rate_hz is not None:
        ax.axvline(
            design_rate_hz, color="k", ls=":", lw=1, label=f"design rate {design_rate_hz:g} Hz"
        )
        ax.text(0.01, 0.02, "bars: predicted correct range", transform=ax.transAxes, fontsize=7)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("error rate (fraction of presentations)")
    ax.set_ylim(-0.14, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def raster(
    spikes: Mapping[str, tuple[np.ndarray, np.ndarray]],
    present_s: float,
    rows: np.ndarray,
    labels: Mapping[int, str],
    n_windows: int = 12,
    ax=None,
):
    """Raster of a gate network (input fibres, hidden units, output) over the first
    ``n_windows`` presentation windows, each labelled with its input row."""
    fig, ax = _axes(ax, figsize=(10, 4.5))
    t_end = n_windows * present_s
    offset = 0
    ticks, names = [], []
    colors = {"inputs": "0.4", "hidden": "tab:blue", "out": "tab:red"}
    for name in ("inputs", "hidden", "out"):
        if name not in spikes:
            continue
        t, i = (np.asarray(a) for a in spikes[name])
        keep = t < t_end
        size = int(i.max()) + 1 if len(i) else 1
        ms = 2 if name == "inputs" else 6
        ax.plot(t[keep] * 1000.0, i[keep] + offset, "|", ms=ms, color=colors[name])
        ticks.append(offset + size / 2)
        names.append(
            {"inputs": "input fibres", "hidden": "hidden (OR, NAND)", "out": "output"}[name]
        )
        offset += size + 2
    for k in range(n_windows + 1):
        ax.axvline(k * present_s * 1000.0, color="k", lw=0.5, alpha=0.4)
    for k in range(min(n_windows, len(rows))):
        ax.text(
            (k + 0.5) * present_s * 1000.0,
            offset + 0.5,
            labels[int(rows[k])],
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_yticks(ticks, names)
    ax.set_xlabel("time (ms)")
    ax.set_xlim(0, t_end * 1000.0)
    ax.set_ylim(-1, offset + 3)
    return fig


__all__ = ["RATE_RANGE", "error_vs", "raster"]
