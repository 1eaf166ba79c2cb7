"""Hopfield sweep figures: capacity, basins of attraction, rate vs spiking, dynamics."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from .base import (
    _UNIT_LABEL,
    ALPHA_C,
    LINESTYLES,
    _by_realization,
    _errorbar,
    _failed_note,
    _realizations,
    finish,
    param,
)

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
