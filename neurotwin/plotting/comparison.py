"""One Result's dynamics, and a comparison of realizations with its verdicts and cost."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

if TYPE_CHECKING:  # pragma: no cover
    from ..compare import Comparison
    from ..results import Result


from .base import (
    _UNIT_LABEL,
    LINESTYLES,
    finish,
    new_axes,
)

# -- one result, and the comparison ----------------------------------------------------


def _labelled(name: str, model: str = "") -> str:
    from ..results import unit_of

    unit = unit_of(name, model)
    text = name.replace("_", " ")
    return f"{text} ({'dimensionless' if unit == '1' else unit})" if unit else text


def _cued_overlap(result: Result) -> np.ndarray | None:
    """Overlap with each cue's target over time, shape (T, cues), or None."""
    m = result.observables.get("overlap")
    if m is None:
        return None
    m = np.asarray(m, dtype=float)
    if m.ndim != 3 or len(m) != len(result.t):
        return None
    n_patterns = m.shape[2]
    targets = np.arange(m.shape[1]) % n_patterns
    return m[:, np.arange(m.shape[1]), targets]


def dynamics_series(result: Result) -> tuple[np.ndarray, str, np.ndarray | None] | None:
    """The model's key quantity over time: ``(y (T,) or (T, k), y label with unit,
    theory (T,) or None)``, or None if the result has no such series.

    Memories: overlap with the cued pattern; ring attractor: bump position (unwrapped)
    and the theory line ``gamma / tau`` from its start; oscillators: the order parameter
    r and its N -> infinity value; otherwise the first one-dimensional trace.
    """
    t = np.asarray(result.t, dtype=float)
    obs = result.observables
    m = _cued_overlap(result)
    if m is not None:
        return m, "overlap m with the cued pattern (dimensionless)", None
    pos = obs.get("bump_position")
    if pos is not None and np.shape(pos) == t.shape:
        y = np.unwrap(np.asarray(pos, dtype=float))
        speed = obs.get("bump_speed_theory")
        theory = None
        if speed is not None and np.isfinite(float(speed)) and result.t_unit == "s":
            theory = y[0] + float(speed) * (t - t[0])
        return y, "bump position, unwrapped (rad)", theory
    for source in (obs, result.traces):
        r = source.get("r")
        if r is not None and np.shape(r) == t.shape:
            rt = obs.get("r_theory")
            theory = None
            if rt is not None and np.isfinite(float(rt)):
                theory = np.full(t.shape, float(rt))
            return np.asarray(r, dtype=float), "order parameter r (dimensionless)", theory
    for name, arr in result.traces.items():
        arr = np.asarray(arr)
        if arr.ndim == 1 and arr.dtype != bool:
            return arr.astype(float), _labelled(name, result.model), None
    return None


def _raster(ax, times: np.ndarray, idx: np.ndarray, name: str) -> None:
    ax.plot(np.asarray(times) * 1000.0, idx, "|", ms=2, color="k")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"neuron of {name} (index)")


def result(res: Result, ax: Any = None, path: str | os.PathLike | None = None) -> Figure | Path:
    """One result's dynamics (:func:`dynamics_series`, with its theory line), else a spike
    raster, else the first trace as an image; units on both axes."""
    fig, ax = new_axes(ax, figsize=(6.5, 4.2))
    t = np.asarray(res.t, dtype=float)
    series = dynamics_series(res)
    if series is not None:
        y, ylabel, theory = series
        y2 = y.reshape(len(t), -1)
        for c in range(y2.shape[1]):
            ax.plot(
                t, y2[:, c], lw=0.6 if y2.shape[1] > 1 else 1.5, alpha=0.5 if y2.shape[1] > 1 else 1
            )
        if y2.shape[1] > 1:
            ax.plot(t, y2.mean(axis=1), color="k", lw=2, label=f"mean of {y2.shape[1]}")
        if theory is not None:
            ax.plot(t, theory, color="k", ls="--", lw=1, label="theory")
        if y2.shape[1] > 1 or theory is not None:
            ax.legend(fontsize=8)
        ax.set_xlabel(_UNIT_LABEL.get(res.t_unit, f"time ({res.t_unit})"))
        ax.set_ylabel(ylabel)
    elif res.spikes:
        name, (times, idx) = next(iter(res.spikes.items()))
        _raster(ax, times, idx, name)
    elif res.traces:
        name, arr = next(iter(res.traces.items()))
        arr = np.asarray(arr, dtype=float).reshape(len(t), -1)
        span = (t[0], t[-1]) if len(t) > 1 else (0, 1)
        im = ax.imshow(arr.T, aspect="auto", origin="lower", extent=(*span, 0, arr.shape[1]))
        fig.colorbar(im, ax=ax, label=_labelled(name, res.model))
        ax.set_xlabel(_UNIT_LABEL.get(res.t_unit, f"time ({res.t_unit})"))
        ax.set_ylabel(f"{name} element (index)")
    else:
        ax.text(0.5, 0.5, "no trace or spikes to draw", ha="center", transform=ax.transAxes)
    ax.grid(alpha=0.3)
    ax.set_title(f"{res.model} / {res.realization}, seed {res.seed}", fontsize=10)
    return finish(fig, path)


def comparison(
    comp: Comparison, path: str | os.PathLike | None = None, observable: str | None = None
) -> Figure | Path:
    """Realizations side by side: the model's dynamics, the agreement and the cost.

    * one panel per time unit (the reference counts sweeps, the spiking ones seconds)
      with every row's :func:`dynamics_series` and the theory line; a spiking row without
      such a series gets a raster panel of its own;
    * the key observable (``observable``, default: the model's) per row, the baseline's
      tolerance band and each row's pass/fail verdict;
    * the cost: wall time per row (build time hatched), spikes and synaptic events.
    """
    from ..compare import tolerances
    from ..registry import get_model

    key = observable or get_model(comp.model).key_observable
    labels = list(comp.results)
    colors = {label: plt.get_cmap("tab10")(i) for i, label in enumerate(labels)}
    by_unit: dict[str, list[str]] = {}
    rasters = []
    for label, res in comp.results.items():
        if dynamics_series(res) is not None:
            by_unit.setdefault(res.t_unit, []).append(label)
        elif res.spikes:
            rasters.append(label)
    n_panels = len(by_unit) + len(rasters) + 2
    fig, axes = plt.subplots(1, n_panels, figsize=(4.6 * n_panels, 4.4), squeeze=False)
    axes = list(axes[0])
    for unit, rows in by_unit.items():
        ax = axes.pop(0)
        for i, label in enumerate(rows):
            res = comp.results[label]
            t = np.asarray(res.t, dtype=float)
            y, ylabel, theory = dynamics_series(res)
            y2 = y.reshape(len(t), -1)
            for c in range(y2.shape[1] if y2.shape[1] > 1 else 0):
                ax.plot(t, y2[:, c], color=colors[label], lw=0.5, alpha=0.3)
            more = f" (mean of {y2.shape[1]})" if y2.shape[1] > 1 else ""
            ax.plot(
                t,
                y2.mean(axis=1),
                color=colors[label],
                lw=2,
                ls=LINESTYLES[i % 4],
                marker="o" if len(t) <= 30 else None,
                ms=4,
                label=f"{label}{more}",
            )
            if theory is not None:
                ax.plot(t, theory, color="k", ls="--", lw=1, label=None if i else "theory")
        ax.set_xlabel(_UNIT_LABEL.get(unit, f"time ({unit})"))
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        ax.set_title(f"dynamics, realizations timed in {unit}", fontsize=10)
    for label in rasters:
        ax = axes.pop(0)
        name, (times, idx) = next(iter(comp.results[label].spikes.items()))
        _raster(ax, times, idx, name)
        ax.set_title(f"{label}: spikes", fontsize=10)
    # agreement: the key observable per row, the tolerance band, the verdict
    ax = axes.pop(0)
    values = [float(np.asarray(comp.results[lb].observables.get(key, np.nan))) for lb in labels]
    bars = ax.bar(range(len(labels)), values, color=[colors[lb] for lb in labels])
    verdicts = comp.verdicts()
    tol = next((t for t in tolerances(comp.model) if t.observable == key), None)
    if tol is not None and np.isfinite(values[0]) and len(labels) > 1:
        bound = tol.bound(values[0])
        ax.axhspan(values[0] - bound, values[0] + bound, color="0.85", zorder=0,
                   label=f"tolerance ±{bound:.3g} around {labels[0]}")  # fmt: skip
        ax.legend(fontsize=8)
    for bar, label, v in zip(bars, labels, values, strict=True):
        verdict = verdicts.get(label, {}).get("verdict", "baseline")
        ax.annotate(f"{v:.3g}\n{verdict}", (bar.get_x() + bar.get_width() / 2, v),
                    ha="center", va="bottom", fontsize=8,
                    color="crimson" if verdict == "fail" else "k")  # fmt: skip
    ax.set_xticks(range(len(labels)), labels, rotation=20)
    ax.set_ylabel(_labelled(key, comp.model))
    ax.set_title(comp.note or f"{key}: agreement with {labels[0]}", fontsize=10)
    ax.grid(alpha=0.3, axis="y")
    # cost
    ax = axes.pop(0)
    cost = comp.cost()
    wall = [cost[lb]["wall_time_s"] or np.nan for lb in labels]
    build = [cost[lb]["build_time_s"] or 0.0 for lb in labels]
    ax.bar(range(len(labels)), wall, color=[colors[lb] for lb in labels])
    ax.bar(range(len(labels)), build, fill=False, hatch="//", label="of which build/compile")
    for i, lb in enumerate(labels):
        c = cost[lb]
        bits = [f"{c['spikes']} spikes" if c["spikes"] is not None else ""]
        if c["synaptic_events"] is not None:
            bits.append(f"{c['synaptic_events']:.3g} syn. events")
        if c["peak_memory_mib"] is not None:
            bits.append(f"{c['peak_memory_mib']:.3g} MiB")
        ax.annotate("\n".join(b for b in bits if b), (i, wall[i]), ha="center", va="bottom",
                    fontsize=7)  # fmt: skip
    ax.set_xticks(range(len(labels)), labels, rotation=20)
    ax.set_ylabel("wall time, build and run (s)")
    ax.set_yscale("log")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("cost per realization (peak memory: tracemalloc)", fontsize=10)
    ax.grid(alpha=0.3, axis="y")
    params = ", ".join(f"{k}={v}" for k, v in list(comp.params.items())[:4])
    skipped = f"; skipped: {', '.join(comp.skipped)}" if comp.skipped else ""
    fig.suptitle(f"{comp.model}: same params, inputs and seed {comp.seed} ({params}){skipped}")
    fig.tight_layout()
    return finish(fig, path)


# =====================================================================================
# synchronization figures (experiments/synchronization.py)
# =====================================================================================
