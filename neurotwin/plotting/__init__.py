"""Figures. The only package of neurotwin that imports matplotlib.

Shared helpers, the Hopfield and synchronization figures and the comparison figure live
here; each later model family has a module of its own in this package (``plotting.<topic>``).

Every function takes data (an :class:`xarray.Dataset` from a sweep, arrays, a
:class:`~neurotwin.results.Result` or a :class:`~neurotwin.compare.Comparison`) and a
``path``, draws one labelled figure and returns it as a matplotlib ``Figure``; with a
``path`` it saves it as PNG (atomically: temp file, then rename), closes it and returns
the path instead. One-panel figures also take ``ax=`` to draw into an existing axes (a
notebook's subplot). Error bars are the standard error of the mean over seeds (failed
points, NaN, left out).

Importing this package does not choose matplotlib's backend: the command line picks a
non-interactive one (Agg) itself; a notebook keeps its own.
"""

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
    from ..compare import Comparison
    from ..results import Result

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


# -- sweep figures -------------------------------------------------------------------


def capacity_curve(
    ds: xr.Dataset, path: str | os.PathLike | None, alpha_c: float = ALPHA_C
) -> Figure | Path:
    """Final overlap (and recall fraction) vs load alpha = P/N, one curve per N.

    ``ds`` has dims ``(n_units, alpha, seed)`` and ``final_overlap`` (optionally
    ``recall_fraction``). A vertical line marks alpha_c ~ 0.138 (Amit, Gutfreund
    & Sompolinsky 1985).
    """
    has_recall = "recall_fraction" in ds
    fig, axes = plt.subplots(
        1, 2 if has_recall else 1, figsize=(11 if has_recall else 6, 4.2), squeeze=False
    )
    axes = axes[0]
    alpha = np.asarray(ds["alpha"].values, dtype=float)
    cmap = plt.get_cmap("tab10")
    sizes = list(ds["n_units"].values)
    panels = [("final_overlap", "final overlap m with the cued pattern")]
    if has_recall:
        panels.append(("recall_fraction", "fraction of cues recalled (m ≥ 0.95)"))
    for ax, (var, ylabel) in zip(axes, panels, strict=True):
        for k, n in enumerate(sizes):
            color = cmap(k)
            n_seeds = int(ds.sizes["seed"])
            _errorbar(
                ax,
                alpha,
                ds[var].sel(n_units=n),
                color=color,
                label=f"N = {int(n)} ({n_seeds} seeds)",
            )
        ax.axvline(
            alpha_c,
            color="k",
            ls="--",
            lw=1,
            label=f"α_c ≈ {alpha_c} (Amit, Gutfreund & Sompolinsky 1985)",
        )
        ax.set_xlabel("load α = P / N (patterns per unit)")
        ax.set_ylabel(ylabel)
        ax.set_ylim(min(-0.05, float(ds[var].min(skipna=True)) - 0.05), 1.05)
        ax.grid(alpha=0.3)
        _failed_note(ax, ds)
    axes[0].legend(fontsize=8, loc="lower left")
    fig.suptitle("Hopfield capacity: recall from the stored pattern itself (asynchronous updates)")
    return finish(fig, path)


def basins(ds: xr.Dataset, path: str | os.PathLike | None) -> Figure | Path:
    """Recall vs cue noise: final overlap and recall fraction, per load and realization.

    ``ds`` has dims ``([realization,] alpha, cue_noise, seed)``.
    """
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    noise = np.asarray(ds["cue_noise"].values, dtype=float)
    colors = plt.get_cmap("tab10")
    for r_i, real in enumerate(_realizations(ds)):
        sub = _by_realization(ds, real)
        for a_i, alpha in enumerate(ds["alpha"].values):
            for ax, var in zip(axes, ("final_overlap", "recall_fraction"), strict=True):
                if var not in sub:
                    continue
                _errorbar(
                    ax,
                    noise,
                    sub[var].sel(alpha=alpha),
                    color=colors(a_i),
                    ls=LINESTYLES[r_i % 4],
                    marker="os^v"[r_i % 4],
                    label=f"{real}, α = P/N = {float(alpha):g}",
                )
    axes[0].set_ylabel("final overlap m with the cued pattern")
    axes[1].set_ylabel("fraction of cues recalled (m ≥ 0.95)")
    for ax in axes:
        ax.set_xlabel("cue noise (fraction of flipped bits)")
        ax.grid(alpha=0.3)
        ax.set_ylim(-0.05, 1.05)
        _failed_note(ax, ds)
    axes[0].legend(fontsize=8, loc="lower left")
    n = param(ds, "n_units")
    fig.suptitle(f"Basins of attraction (N = {n}, {ds.sizes['seed']} seeds)")
    return finish(fig, path)


def rate_vs_spiking(
    ds: xr.Dataset,
    path: str | os.PathLike | None,
    alpha_c: float | None = ALPHA_C,
    title: str = "Rate (binary reference) vs spiking",
) -> Figure | Path:
    """Final overlap vs load per realization, and each realization's difference from the first.

    ``ds`` has dims ``([realization,] n_patterns, seed)``; the seed gives the same
    patterns and cues to every realization. ``alpha_c``: the capacity line (None: none).
    """
    reals = _realizations(ds)
    two = len(reals) > 1
    fig, axes = plt.subplots(1, 2 if two else 1, figsize=(11 if two else 6, 4.2), squeeze=False)
    axes = axes[0]
    n_units = param(ds, "n_units")
    alpha = np.asarray(ds["n_patterns"].values, dtype=float) / float(n_units)
    for r_i, real in enumerate(reals):
        _errorbar(
            axes[0],
            alpha,
            _by_realization(ds, real)["final_overlap"],
            ls=LINESTYLES[r_i % 4],
            marker="os^v"[r_i % 4],
            label=real,
        )
    if alpha_c is not None:
        axes[0].axvline(alpha_c, color="k", ls="--", lw=1, label=f"α_c ≈ {alpha_c}")
    axes[0].set_ylabel("final overlap m with the cued pattern")
    axes[0].set_ylim(-0.05, 1.05)
    if two:
        base = ds["final_overlap"].sel(realization=reals[0])
        for r_i, real in enumerate(reals[1:], start=1):
            diff = ds["final_overlap"].sel(realization=real) - base  # paired by seed
            _errorbar(
                axes[1],
                alpha,
                diff,
                ls=LINESTYLES[r_i % 4],
                marker="os^v"[r_i % 4],
                label=f"{real} − {reals[0]}",
            )
        axes[1].axhline(0, color="k", lw=0.8)
        axes[1].set_ylabel(f"difference in final overlap (vs {reals[0]}, same seed)")
        axes[1].legend(fontsize=8)
    for ax in axes:
        ax.set_xlabel("load α = P / N (patterns per unit)")
        ax.grid(alpha=0.3)
        _failed_note(ax, ds)
    axes[0].legend(fontsize=8, loc="lower left")
    noise = param(ds, "cue_noise")
    fig.suptitle(f"{title}: N = {n_units}, cue noise {noise}, {ds.sizes['seed']} seeds")
    return finish(fig, path)


def dynamics(
    path: str | os.PathLike | None,
    *,
    energy: tuple[np.ndarray, np.ndarray, str] | None = None,
    two_cycle: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    convergence: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    temperature: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    title: str = "Hopfield dynamics",
) -> Figure | Path:
    """Four panels; each argument is one panel's data, ``None`` leaves it empty.

    energy : (t, E, t_unit)
        Energy E(t) of each cue (E has shape (T, cues)) under asynchronous updates.
    two_cycle : (alpha, mean, sem)
        Fraction of cues ending in a 2-cycle under synchronous updates vs load.
    convergence : (asymmetry, mean, sem)
        Fraction of runs that did not converge within ``max_sweeps`` vs asymmetry.
    temperature : (T, mean, sem)
        Final overlap vs Glauber temperature.
    """
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    ax = axes[0, 0]
    if energy is not None:
        t, e, unit = energy
        e = np.asarray(e, dtype=float).reshape(len(t), -1)
        for c in range(e.shape[1]):
            ax.plot(t, e[:, c], marker=".", lw=1, label=f"cue {c}" if c < 6 else None)
        ax.set_xlabel(_UNIT_LABEL.get(unit, f"time ({unit})"))
        ax.set_ylabel("energy E = −½ sᵀWs + Uᵀs (dimensionless)")
        ax.legend(fontsize=8, ncol=2)
    ax.set_title("(a) energy never increases (async, symmetric W)")
    panels = [
        (
            axes[0, 1],
            two_cycle,
            "load α = P / N (patterns per unit)",
            "fraction of cues in a 2-cycle",
            "(b) synchronous updates: 2-cycles",
        ),
        (
            axes[1, 0],
            convergence,
            "asymmetry a of W (0 symmetric, 1 antisymmetric)",
            "fraction of runs not converged",
            "(c) asymmetric weights: no convergence",
        ),
        (
            axes[1, 1],
            temperature,
            "temperature T (field units)",
            "final overlap m with the cued pattern",
            "(d) Glauber noise degrades recall",
        ),
    ]
    for ax, data, xlabel, ylabel, label in panels:
        if data is not None:
            x, mean, sem = (np.asarray(v, dtype=float) for v in data)
            ax.errorbar(x, mean, yerr=sem, marker="o", ms=4, capsize=3, label="mean ± s.e.m.")
            ax.set_ylim(-0.05, 1.05)
            ax.legend(fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(label)
    for ax in axes.flat:
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return finish(fig, path)


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


__all__ = [
    "ALPHA_C",
    "DPI",
    "basins",
    "capacity_curve",
    "comparison",
    "dynamics",
    "dynamics_series",
    "finish",
    "mean_sem",
    "new_axes",
    "param",
    "rate_vs_spiking",
    "result",
    "save",
    "sweep_lines",
]


# =====================================================================================
# synchronization figures (experiments/synchronization.py)
# =====================================================================================


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


__all__ += ["bridge_onset", "kuramoto_transition", "spiking_sync", "sync_memory"]
