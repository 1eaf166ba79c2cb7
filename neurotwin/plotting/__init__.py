"""Figures. The only package of neurotwin that imports matplotlib (Agg backend).

Shared helpers, the Hopfield and synchronization figures and the comparison figure live
here; each later model family has a module of its own in this package (``plotting.<topic>``).

Every function takes data (an :class:`xarray.Dataset` from a sweep, arrays, or a
:class:`~neurotwin.compare.Comparison`) and a path, draws one labelled figure,
saves it as PNG (atomically: temp file, then rename), closes it and returns the
path. Error bars are the standard error of the mean over seeds (failed points,
NaN, left out).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from ..results import atomic_write  # noqa: E402
from ..sweep import sweep_param  # noqa: E402

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


def capacity_curve(ds: xr.Dataset, path: str | os.PathLike, alpha_c: float = ALPHA_C) -> Path:
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
    return save(fig, path)


def basins(ds: xr.Dataset, path: str | os.PathLike) -> Path:
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
    return save(fig, path)


def rate_vs_spiking(
    ds: xr.Dataset,
    path: str | os.PathLike,
    alpha_c: float | None = ALPHA_C,
    title: str = "Rate (binary reference) vs spiking",
) -> Path:
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
    return save(fig, path)


def dynamics(
    path: str | os.PathLike,
    *,
    energy: tuple[np.ndarray, np.ndarray, str] | None = None,
    two_cycle: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    convergence: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    temperature: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    title: str = "Hopfield dynamics",
) -> Path:
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
    return save(fig, path)


def sweep_lines(
    ds: xr.Dataset,
    var: str,
    x: str,
    path: str | os.PathLike,
    hue: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str = "",
) -> Path:
    """Generic: ``var`` (mean ± s.e.m. over seeds) vs grid axis ``x``, one line per ``hue``."""
    fig, ax = plt.subplots(figsize=(6, 4.2))
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
    return save(fig, path)


# -- comparison -----------------------------------------------------------------------


def _cued_overlap(result: Result) -> np.ndarray | None:
    """Overlap with each cue's target over time, shape (T, cues), or None."""
    m = result.observables.get("overlap")
    if m is None:
        return None
    m = np.asarray(m, dtype=float)
    if m.ndim != 3:
        return None
    n_patterns = m.shape[2]
    targets = np.arange(m.shape[1]) % n_patterns
    return m[:, np.arange(m.shape[1]), targets]


def comparison(comp: Comparison, path: str | os.PathLike, observable: str | None = None) -> Path:
    """Realizations side by side: the key observable over time and its final value.

    For memories with an ``overlap`` trace, one panel per time unit (the reference
    counts sweeps, Brian2 seconds), each with every realization's overlap with the
    cued pattern (mean over cues, thin lines per cue); then, for every model, a bar
    chart of ``observable`` (default: the model's key observable) per realization.
    """
    from ..registry import get_model

    key = observable or get_model(comp.model).key_observable
    by_unit: dict[str, list[tuple[str, Any]]] = {}
    for label, res in comp.results.items():
        if _cued_overlap(res) is not None:
            by_unit.setdefault(res.t_unit, []).append((label, res))
    n_panels = len(by_unit) + 1
    fig, axes = plt.subplots(1, n_panels, figsize=(4.8 * n_panels, 4.2), squeeze=False)
    axes = axes[0]
    colors = {label: plt.get_cmap("tab10")(i) for i, label in enumerate(comp.results)}
    for ax, (unit, rows) in zip(axes, by_unit.items(), strict=False):
        for label, res in rows:
            m = _cued_overlap(res)
            t = np.asarray(res.t, dtype=float)
            for c in range(m.shape[1]):
                ax.plot(t, m[:, c], color=colors[label], lw=0.5, alpha=0.3)
            ax.plot(
                t,
                m.mean(axis=1),
                color=colors[label],
                lw=2,
                ls=LINESTYLES[list(comp.results).index(label) % 4],
                marker="o" if len(t) <= 30 else None,
                ms=4,
                label=f"{label} (mean of {m.shape[1]} cues)",
            )
        ax.set_xlabel(_UNIT_LABEL.get(unit, f"time ({unit})"))
        ax.set_ylabel("overlap m with the cued pattern")
        ax.set_ylim(-1.05, 1.05)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        ax.set_title(f"realizations timed in {unit}")
    ax = axes[-1]
    labels = list(comp.results)
    values = [float(np.asarray(comp.results[lb].observables.get(key, np.nan))) for lb in labels]
    bars = ax.bar(range(len(labels)), values, color=[colors[lb] for lb in labels])
    for bar, v in zip(bars, values, strict=True):
        ax.annotate(
            f"{v:.3f}", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=8
        )
    ax.set_xticks(range(len(labels)), labels, rotation=20)
    ax.set_ylabel(key.replace("_", " "))
    ax.set_title(f"{key} per realization")
    ax.grid(alpha=0.3, axis="y")
    params = ", ".join(f"{k}={v}" for k, v in list(comp.params.items())[:4])
    skipped = f"; skipped: {', '.join(comp.skipped)}" if comp.skipped else ""
    fig.suptitle(f"{comp.model}: same params, inputs and seed {comp.seed} ({params}){skipped}")
    fig.tight_layout()
    return save(fig, path)


__all__ = [
    "ALPHA_C",
    "DPI",
    "basins",
    "capacity_curve",
    "comparison",
    "dynamics",
    "mean_sem",
    "param",
    "rate_vs_spiking",
    "save",
    "sweep_lines",
]


# =====================================================================================
# synchronization figures (experiments/synchronization.py)
# =====================================================================================


def kuramoto_transition(
    ds: xr.Dataset,
    path: str | os.PathLike,
    theory: tuple[np.ndarray, np.ndarray],
    kc: float,
) -> Path:
    """Time-averaged order parameter vs coupling K, one curve per N, and the theory.

    ``ds`` has dims ``(n_oscillators, coupling, seed)`` and ``order_parameter``;
    ``theory`` is ``(K, r)`` for N -> infinity, ``kc`` the critical coupling.
    """
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
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
    return save(fig, path)


def bridge_onset(ds: xr.Dataset, path: str | os.PathLike, thresholds: dict[str, float]) -> Path:
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
    return save(fig, path)


def spiking_sync(
    ds: xr.Dataset,
    path: str | os.PathLike,
    theory: tuple[np.ndarray, np.ndarray],
    kc: float,
    rasters: Sequence[tuple[str, np.ndarray, np.ndarray]] = (),
) -> Path:
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
    return save(fig, path)


def sync_memory(ds: xr.Dataset, path: str | os.PathLike) -> Path:
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
    return save(fig, path)


__all__ += ["bridge_onset", "kuramoto_transition", "spiking_sync", "sync_memory"]
