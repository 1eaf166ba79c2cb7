"""Hopfield experiments: capacity, basins, dynamics, rate vs spiking.

Each is a :class:`~neurotwin.sweep.Experiment`; ``neurotwin sweep NAME`` runs it
on Dask and writes ``NAME.nc``, ``NAME.png`` and ``NAME.summary.json``. Every
experiment has a reduced variant, ``NAME-quick`` (``neurotwin sweep NAME --quick``),
small enough for tests.

* ``hopfield-capacity``: final overlap vs load alpha = P/N for N = 500, 1000, 2000,
  cueing each stored pattern itself. The Hebbian network's retrieval states
  vanish at alpha_c ~ 0.138 for N -> infinity (Amit, Gutfreund & Sompolinsky 1985,
  Phys. Rev. Lett. 55, 1530); at finite N the drop is smoother and sharpens with N.
* ``hopfield-basins``: recall vs cue noise at a low (0.05) and a high (0.12) load,
  reference vs Brian2.
* ``hopfield-dynamics``: (a) energy never increases under asynchronous updates
  with symmetric weights (Hopfield 1982); (b) synchronous updates end in
  2-cycles; (c) asymmetric weights stop convergence; (d) temperature degrades recall.
* ``hopfield-chip``: final overlap vs load for reference, Brian2, Nengo and the Loihi
  emulator (the measured cost of the chip's constraints).
* ``hopfield-rate-vs-spiking``: final overlap vs load, reference vs Brian2, the
  same patterns and cues per seed.
* ``hopfield-capacity-large``: final overlap vs load for N up to 100,000 (the
  reference's factored form, no W), against the Amit-Gutfreund-Sompolinsky
  zero-temperature retrieval overlap, and a finite-size-scaling estimate of alpha_c.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import xarray as xr

from neurotwin.results import Result
from neurotwin.sweep import Experiment, register_experiment, sweep_param

#: Amit, Gutfreund & Sompolinsky (1985): storage capacity of the Hebbian network, N -> inf
ALPHA_C = 0.138


# -- shared helpers -----------------------------------------------------------------


def _n_patterns(alpha: float, n_units: int) -> int:
    return max(1, int(round(alpha * n_units)))


def _load_params(point: dict, n_units: int | None = None) -> dict:
    """Grid point with ``alpha`` (and ``n_units``) -> model params with ``n_patterns``."""
    out = {k: v for k, v in point.items() if k != "alpha"}
    n = out.get("n_units", n_units)
    out["n_units"] = n
    out["n_patterns"] = _n_patterns(point["alpha"], n)
    return out


def _stats(da: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    n = da.count("seed")
    mean = da.mean("seed", skipna=True)
    sem = da.std("seed", skipna=True, ddof=1) / np.sqrt(n.where(n > 0))
    return mean, sem


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def _table(da: xr.DataArray, fmt=_fmt) -> dict:
    """A 1-D or 2-D DataArray -> nested {"dim=value": ...} dict of floats."""
    if da.ndim == 0:
        v = float(da)
        return None if not np.isfinite(v) else round(v, 6)  # type: ignore[return-value]
    dim = da.dims[0]
    return {
        f"{dim}={fmt(_py(v))}": _table(da.isel({dim: i}), fmt) for i, v in enumerate(da[dim].values)
    }


def _py(v):
    return v.item() if isinstance(v, np.generic) else v


# -- hopfield-capacity ----------------------------------------------------------------


def capacity_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin import plotting

    return plotting.capacity_curve(ds, path, alpha_c=ALPHA_C)


def capacity_summary(ds: xr.Dataset) -> dict:
    """Mean final overlap per N and alpha, the drop across alpha_c, and the acceptance."""
    mean, sem = _stats(ds["final_overlap"])
    out: dict = {
        "source": "Amit, Gutfreund & Sompolinsky (1985), Phys. Rev. Lett. 55, 1530: "
        "alpha_c ~ 0.138 for the Hebbian Hopfield network, N -> infinity",
        "alpha_c_theory": ALPHA_C,
        "n_seeds": int(ds.sizes["seed"]),
        "cues_per_seed": int(sweep_param(ds, "n_cues")),
        "mean_final_overlap": _table(mean),
        "sem_final_overlap": _table(sem),
    }
    if "recall_fraction" in ds:
        out["mean_recall_fraction"] = _table(_stats(ds["recall_fraction"])[0])
    alphas = [float(a) for a in ds["alpha"].values]
    # the sharpening with N: the overlap lost between the two loads bracketing alpha_c
    lo = max([a for a in alphas if a <= 0.12] or [min(alphas)])
    hi = min([a for a in alphas if a >= 0.18] or [max(alphas)])
    out["drop_between_alphas"] = [lo, hi]
    out["overlap_drop"] = {
        f"n_units={int(n)}": round(
            float(mean.sel(n_units=n, alpha=lo) - mean.sel(n_units=n, alpha=hi)), 6
        )
        for n in ds["n_units"].values
    }
    out["alpha_at_half_overlap"] = {
        f"n_units={int(n)}": _crossing(alphas, mean.sel(n_units=n).values, 0.5)
        for n in ds["n_units"].values
    }
    if 2000 in ds["n_units"].values and {0.10, 0.18} <= set(alphas):
        at10 = float(mean.sel(n_units=2000, alpha=0.10))
        at18 = float(mean.sel(n_units=2000, alpha=0.18))
        out["acceptance"] = {
            "N": 2000,
            "mean_final_overlap_at_alpha_0.10": round(at10, 6),
            "required_at_0.10": ">= 0.97",
            "mean_final_overlap_at_alpha_0.18": round(at18, 6),
            "required_at_0.18": "< 0.6",
            "passed": bool(at10 >= 0.97 and at18 < 0.6),
        }
    return out


def _crossing(x, y, level) -> float | None:
    """First x where y falls through ``level`` (linear interpolation), or None."""
    y = np.asarray(y, dtype=float)
    for i in range(len(x) - 1):
        if y[i] >= level > y[i + 1]:
            return round(float(x[i] + (y[i] - level) / (y[i] - y[i + 1]) * (x[i + 1] - x[i])), 6)
    return None


def _capacity(quick: bool = False) -> Experiment:
    if quick:
        sizes, alphas, seeds, n_cues = [100, 200], [0.05, 0.14, 0.25], range(3), 5
    else:
        sizes = [500, 1000, 2000]
        alphas = [0.05, 0.08, 0.10, 0.12, 0.14, 0.16, 0.18, 0.20, 0.25]
        seeds, n_cues = range(10), 10
    return Experiment(
        name="hopfield-capacity" + ("-quick" if quick else ""),
        model="hopfield",
        realizations=("reference",),
        grid={"n_units": sizes, "alpha": alphas},
        seeds=tuple(seeds),
        fixed={"update": "async", "cue_noise": 0.0, "n_cues": n_cues, "max_sweeps": 100},
        observables=("final_overlap", "recall_fraction", "converged"),
        point_params=_load_params,
        figure=capacity_figure,
        summary=capacity_summary,
        description="Final overlap vs load alpha = P/N when cueing each stored pattern "
        "itself (cue_noise = 0), asynchronous updates, Hebbian weights; the transition "
        "near alpha_c ~ 0.138 (Amit, Gutfreund & Sompolinsky 1985) sharpens with N.",
        quick=None if quick else partial(_capacity, quick=True),
    )


# -- hopfield-basins --------------------------------------------------------------------


def basins_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin import plotting

    return plotting.basins(ds, path)


def basins_summary(ds: xr.Dataset) -> dict:
    out: dict = {}
    for var in ("final_overlap", "recall_fraction"):
        out[f"mean_{var}"] = _table(_stats(ds[var])[0])
    # the basin radius: the cue noise where the recall fraction falls through 1/2
    radius = {}
    reals = list(ds["realization"].values) if "realization" in ds.dims else [None]
    for real in reals:
        sub = ds if real is None else ds.sel(realization=real)
        rf = _stats(sub["recall_fraction"])[0]
        radius[str(real or ds.coords["realization"].item())] = {
            f"alpha={float(a):g}": _crossing(
                [float(v) for v in ds["cue_noise"].values], rf.sel(alpha=a).values, 0.5
            )
            for a in ds["alpha"].values
        }
    out["cue_noise_at_half_recall"] = radius
    return out


def _basins(quick: bool = False) -> Experiment:
    if quick:
        n, noise, seeds, n_cues = 60, [0.0, 0.3], (0, 1), 3
    else:
        n, noise, seeds, n_cues = 200, [0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5], range(5), 10
    return Experiment(
        name="hopfield-basins" + ("-quick" if quick else ""),
        model="hopfield",
        realizations=("reference", "brian2"),
        grid={"alpha": [0.05, 0.12], "cue_noise": noise},
        seeds=tuple(seeds),
        fixed={"n_units": n, "n_cues": n_cues},
        observables=("final_overlap", "recall_fraction"),
        point_params=partial(_load_params, n_units=n),
        figure=basins_figure,
        summary=basins_summary,
        description=f"Recall vs cue noise at loads P/N = 0.05 and 0.12 (N = {n}), the binary "
        "reference vs the Brian2 realization on the same patterns and cues.",
        quick=None if quick else partial(_basins, quick=True),
    )


# -- hopfield-dynamics -------------------------------------------------------------------

#: x values of the three swept panels of the dynamics figure
DYNAMICS_LEVELS = {
    "sync_load": [0.02, 0.05, 0.08, 0.11, 0.14, 0.17, 0.20, 0.25],  # alpha, sync updates
    "asymmetry": [0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0],  # a, async, alpha 0.05
    "temperature": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8],  # T, async, alpha 0.05
}
DYNAMICS_QUICK_LEVELS = {
    "sync_load": [0.05, 0.25],
    "asymmetry": [0.0, 1.0],
    "temperature": [0.0, 0.8],
}
#: load of the asymmetry and temperature panels
DYNAMICS_ALPHA = 0.05


def two_cycle_fraction(result: Result) -> float:
    """Fraction of the cues that ended in a 2-cycle (synchronous updates)."""
    return float(np.mean(np.asarray(result.observables["two_cycle"], dtype=float)))


def converged_fraction(result: Result) -> float:
    """Fraction of the cues that reached a fixed point within ``max_sweeps``."""
    return float(np.mean(np.asarray(result.observables["sweeps_to_converge"]) >= 0))


def _dynamics_params(point: dict, n_units: int, levels: dict) -> dict:
    panel, level = point["panel"], point["level"]
    x = levels[panel][level]
    base = {"n_units": n_units, "n_patterns": _n_patterns(DYNAMICS_ALPHA, n_units)}
    if panel == "sync_load":
        return {**base, "update": "sync", "n_patterns": _n_patterns(x, n_units)}
    if panel == "asymmetry":
        return {**base, "update": "async", "asymmetry": float(x)}
    return {**base, "update": "async", "temperature": float(x)}


def _energy_run(n_units: int):
    import neurotwin

    return neurotwin.run(
        "hopfield",
        "reference",
        n_units=n_units,
        n_patterns=_n_patterns(0.1, n_units),
        cue_noise=0.3,
        n_cues=5,
        seed=0,
    )


def _panel_x(ds: xr.Dataset, panel: str) -> np.ndarray:
    sub = ds.sel(panel=panel)
    if panel == "sync_load":
        n = sweep_param(ds, "n_units")
        return np.asarray(sub["n_patterns"].values, dtype=float) / float(n)
    return np.asarray(sub[panel].values, dtype=float)


def dynamics_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin import plotting

    n = int(sweep_param(ds, "n_units"))
    res = _energy_run(n)

    def panel(name, var, transform=lambda v: v):
        mean, sem = _stats(transform(ds[var].sel(panel=name)))
        return _panel_x(ds, name), mean.values, np.nan_to_num(sem.values)

    return plotting.dynamics(
        path,
        energy=(res.t, res.observables["energy"], res.t_unit),
        two_cycle=panel("sync_load", "two_cycle_fraction"),
        convergence=panel("asymmetry", "converged", lambda v: 1.0 - v),
        temperature=panel("temperature", "final_overlap"),
        title=f"Hopfield dynamics (N = {n}, {ds.sizes['seed']} seeds per point; "
        f"(a): one run, P = {res.params['n_patterns']}, cue noise 0.3)",
    )


def dynamics_summary(ds: xr.Dataset) -> dict:
    n = int(sweep_param(ds, "n_units"))
    res = _energy_run(n)
    e = np.asarray(res.observables["energy"], dtype=float)
    out: dict = {
        "energy_run": {"n_units": n, "n_patterns": res.params["n_patterns"], "cue_noise": 0.3},
        "energy_max_increase_per_sweep": float(np.diff(e, axis=0).max()) if len(e) > 1 else 0.0,
        "energy_never_increases": bool(len(e) < 2 or np.diff(e, axis=0).max() <= 1e-9),
    }

    def curve(name, var, transform=lambda v: v):
        mean = _stats(transform(ds[var].sel(panel=name)))[0].values
        return {f"{x:g}": round(float(m), 6) for x, m in zip(_panel_x(ds, name), mean, strict=True)}

    out["two_cycle_fraction_vs_alpha_sync"] = curve("sync_load", "two_cycle_fraction")
    out["fraction_not_converged_vs_asymmetry"] = curve("asymmetry", "converged", lambda v: 1.0 - v)
    out["final_overlap_vs_temperature"] = curve("temperature", "final_overlap")
    return out


def _dynamics(quick: bool = False) -> Experiment:
    levels = DYNAMICS_QUICK_LEVELS if quick else DYNAMICS_LEVELS
    n, seeds, n_cues = (60, (0, 1), 4) if quick else (200, range(10), 10)
    n_levels = len(next(iter(levels.values())))
    assert all(len(v) == n_levels for v in levels.values())
    return Experiment(
        name="hopfield-dynamics" + ("-quick" if quick else ""),
        model="hopfield",
        realizations=("reference",),
        grid={"panel": list(levels), "level": list(range(n_levels))},
        seeds=tuple(seeds),
        fixed={"n_units": n, "n_cues": n_cues, "cue_noise": 0.2, "max_sweeps": 100},
        observables=("final_overlap", "converged", "limit_cycle"),
        derived={
            "two_cycle_fraction": two_cycle_fraction,
            "converged_fraction": converged_fraction,
        },
        point_params=partial(_dynamics_params, n_units=n, levels=levels),
        figure=dynamics_figure,
        summary=dynamics_summary,
        description="Three one-dimensional sweeps, one per panel (the level's x value is "
        "the panel's coordinate: n_patterns for sync_load, asymmetry, temperature): "
        "2-cycles of synchronous updates vs load, convergence vs weight asymmetry, "
        "recall vs Glauber temperature; plus the energy of one asynchronous run.",
        quick=None if quick else partial(_dynamics, quick=True),
    )


# -- hopfield-rate-vs-spiking -------------------------------------------------------------


def rate_vs_spiking_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin import plotting

    return plotting.rate_vs_spiking(ds, path)


def rate_vs_spiking_summary(ds: xr.Dataset) -> dict:
    mean, sem = _stats(ds["final_overlap"])
    out: dict = {"mean_final_overlap": _table(mean), "sem_final_overlap": _table(sem)}
    if "realization" in ds.dims and ds.sizes["realization"] > 1:
        reals = [str(r) for r in ds["realization"].values]
        base = ds["final_overlap"].sel(realization=reals[0])
        for real in reals[1:]:
            diff = ds["final_overlap"].sel(realization=real) - base
            out[f"mean_abs_diff_{real}_vs_{reals[0]}"] = round(
                float(np.abs(diff).mean(skipna=True)), 6
            )
            out[f"max_abs_diff_of_means_{real}_vs_{reals[0]}"] = round(
                float(np.abs(diff.mean("seed", skipna=True)).max()), 6
            )
    return out


def _rate_vs_spiking(quick: bool = False) -> Experiment:
    if quick:
        n, patterns, seeds, n_cues = 60, [2, 8], (0,), 3
    else:
        n, patterns, seeds, n_cues = 200, [2, 4, 6, 8, 10, 12, 15, 20, 25, 30], range(5), 10
    return Experiment(
        name="hopfield-rate-vs-spiking" + ("-quick" if quick else ""),
        model="hopfield",
        realizations=("reference", "brian2"),
        grid={"n_patterns": patterns},
        seeds=tuple(seeds),
        fixed={"n_units": n, "cue_noise": 0.1, "n_cues": n_cues},
        observables=("final_overlap", "recall_fraction"),
        figure=rate_vs_spiking_figure,
        summary=rate_vs_spiking_summary,
        description=f"Final overlap vs load (N = {n}, cue noise 0.1), binary reference vs "
        "Brian2 on the same patterns and cues for each seed.",
        quick=None if quick else partial(_rate_vs_spiking, quick=True),
    )


# -- hopfield-chip -------------------------------------------------------------------------


def _chip(quick: bool = False) -> Experiment:
    if quick:
        n, patterns, seeds, n_cues = 40, [2, 4], (0,), 2
    else:
        n, patterns, seeds, n_cues = 100, [2, 3, 4, 6, 8, 10, 12, 15, 20], range(3), 10
    return Experiment(
        name="hopfield-chip" + ("-quick" if quick else ""),
        model="hopfield",
        realizations=("reference", "brian2", "nengo", "loihi-emulator"),
        grid={"n_patterns": patterns},
        seeds=tuple(seeds),
        fixed={"n_units": n, "cue_noise": 0.2, "n_cues": n_cues},
        observables=("final_overlap", "recall_fraction"),
        figure=rate_vs_spiking_figure,
        summary=rate_vs_spiking_summary,
        description=f"Final overlap vs load (N = {n}, cue noise 0.2) for the binary "
        "reference, Brian2, float Nengo and the Loihi emulator (8-bit weights, integer "
        "state) on the same patterns and cues for each seed. Needs the [loihi] extra for "
        "the emulator row.",
        quick=None if quick else partial(_chip, quick=True),
    )


def chip_precision_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin import plotting

    storage = sweep_param(ds, "storage")
    return plotting.rate_vs_spiking(
        ds, path, alpha_c=None, title=f"Float Nengo vs the Loihi emulator ({storage} weights)"
    )


def _chip_precision(quick: bool = False) -> Experiment:
    if quick:
        n, patterns, seeds, n_cues = 40, [8, 16], (0,), 2
    else:
        n, patterns, seeds, n_cues = 100, [10, 20, 30, 40, 45], range(3), 10
    return Experiment(
        name="hopfield-chip-precision" + ("-quick" if quick else ""),
        model="hopfield",
        realizations=("nengo", "loihi-emulator", "loihi-residual"),
        variants={"loihi-residual": "loihi-emulator"},
        per_realization={"loihi-residual": {"residual_weights": True}},
        grid={"n_patterns": patterns},
        seeds=tuple(seeds),
        fixed={"n_units": n, "cue_noise": 0.2, "n_cues": n_cues, "storage": "pseudoinverse"},
        observables=("final_overlap", "recall_fraction"),
        figure=chip_precision_figure,
        summary=rate_vs_spiking_summary,
        description=f"Where weight rounding costs recall: pseudo-inverse weights (continuous "
        f"values, many small) at N = {n}, cue noise 0.2, for float Nengo, the Loihi emulator "
        "and the emulator with the rounding residual stored in a second connection (the "
        "mitigation), on the same patterns and cues. Needs the [loihi] extra.",
        quick=None if quick else partial(_chip_precision, quick=True),
    )


# -- hopfield-capacity-large ----------------------------------------------------------------


def ags_overlap(alpha: float) -> float:
    r"""Retrieval overlap of the Hebbian network at T = 0, replica-symmetric theory
    (Amit, Gutfreund & Sompolinsky 1985, Phys. Rev. Lett. 55, 1530; 1987, Ann. Phys. 173,
    30; Amit 1989, ch. 6): :math:`m = \operatorname{erf}(y)` with :math:`y` the largest
    root of :math:`\operatorname{erf}(y) = y (\sqrt{2\alpha} + \tfrac{2}{\sqrt\pi}
    e^{-y^2})`; NaN above alpha_c (no retrieval root). At alpha_c = 0.1379 the overlap is
    0.967 (the same alpha_c as Stojnic 2024, arXiv:2403.01907: 0.137906 in closed form).
    """
    from scipy.optimize import brentq
    from scipy.special import erf

    def g(y):
        return erf(y) - y * (np.sqrt(2 * alpha) + 2 / np.sqrt(np.pi) * np.exp(-(y**2)))

    ys = np.linspace(0.05, 6.0, 1200)
    gs = g(ys)
    roots = [brentq(g, ys[i], ys[i + 1]) for i in range(len(ys) - 1) if gs[i] * gs[i + 1] < 0]
    return float(erf(max(roots))) if roots else float("nan")


def ags_alpha_c() -> float:
    """The largest alpha with a retrieval root of :func:`ags_overlap` (bisection)."""
    lo, hi = 0.10, 0.16
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.isfinite(ags_overlap(mid)) else (lo, mid)
    return lo


def _half_crossings(ds: xr.Dataset, rf: xr.DataArray) -> dict[int, float | None]:
    alphas = [float(a) for a in ds["alpha"].values]
    return {int(n): _crossing(alphas, rf.sel(n_units=n).values, 0.5) for n in ds["n_units"].values}


def _fss_fit(crossings: dict[int, float | None]) -> tuple[float, float] | None:
    """alpha_half(N) = alpha_inf + a N^{-1/2}, least squares: (alpha_inf, a)."""
    pts = [(n, a) for n, a in crossings.items() if a is not None]
    if len(pts) < 2:
        return None
    x = np.array([n**-0.5 for n, _ in pts])
    y = np.array([a for _, a in pts])
    a, b = np.polyfit(x, y, 1)
    return float(b), float(a)


def capacity_large_summary(ds: xr.Dataset, n_boot: int = 200) -> dict:
    """AGS overlap next to the measured one, the alpha where half the cues are recalled
    at each N, and its extrapolation to N -> infinity with a bootstrap over seeds."""
    mean, sem = _stats(ds["final_overlap"])
    rf_all = ds["recall_fraction"]
    crossings = _half_crossings(ds, rf_all.mean("seed", skipna=True))
    fit = _fss_fit(crossings)
    rng = np.random.default_rng(0)
    boots = []
    n_seeds = ds.sizes["seed"]
    for _ in range(n_boot if fit is not None else 0):
        pick = rng.integers(0, n_seeds, n_seeds)
        bf = _fss_fit(_half_crossings(ds, rf_all.isel(seed=pick).mean("seed", skipna=True)))
        if bf is not None:
            boots.append(bf[0])
    alphas = [float(a) for a in ds["alpha"].values]
    out: dict = {
        "source": "Amit, Gutfreund & Sompolinsky (1985) PRL 55, 1530 and (1987) Ann. Phys. "
        "173, 30: T = 0 replica-symmetric retrieval overlap m(alpha), m(alpha_c) = 0.967 at "
        "alpha_c = 0.138 (closed form 0.137906: Stojnic 2024, arXiv:2403.01907)",
        "alpha_c_theory": round(ags_alpha_c(), 6),
        "ags_overlap": {f"alpha={a:g}": _round(ags_overlap(a)) for a in alphas},
        "n_seeds": int(n_seeds),
        "cues_per_seed": int(sweep_param(ds, "n_cues")),
        "update": str(sweep_param(ds, "update")),
        "mean_final_overlap": _table(mean),
        "sem_final_overlap": _table(sem),
        "mean_recall_fraction": _table(rf_all.mean("seed", skipna=True)),
        "alpha_at_half_recall": {f"n_units={n}": a for n, a in crossings.items()},
        "finite_size_scaling": "alpha_half(N) = alpha_inf + a N^(-1/2), least squares over "
        "N; uncertainty: standard deviation over a bootstrap of the seeds",
    }
    if fit is not None:
        out["alpha_c_extrapolated"] = round(fit[0], 6)
        out["finite_size_slope"] = round(fit[1], 6)
        out["alpha_c_extrapolated_std"] = round(float(np.std(boots)), 6) if boots else None
    return out


def _round(v: float) -> float | None:
    return None if not np.isfinite(v) else round(v, 6)


def capacity_large_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin import plotting

    fig = plotting.capacity_curve(ds, None, alpha_c=ALPHA_C)
    grid = np.linspace(float(ds["alpha"].min()), ags_alpha_c(), 60)
    ax = fig.axes[0]
    ax.plot(grid, [ags_overlap(a) for a in grid], "k-", lw=1.5,
            label="AGS theory, T = 0 (replica symmetric)")  # fmt: skip
    ax.legend(fontsize=8, loc="lower left")
    fig.suptitle(f"Hopfield capacity up to N = {int(ds['n_units'].max())} "
                 f"({sweep_param(ds, 'update')} updates, factored fields)")  # fmt: skip
    return plotting.finish(fig, path)


def _capacity_large(quick: bool = False) -> Experiment:
    if quick:
        sizes, alphas, seeds, n_cues = [500, 1000, 2000], [0.10, 0.13, 0.16, 0.19], (0, 1), 10
    else:
        sizes = [1000, 3000, 10000, 30000, 100000]
        alphas = [0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18]
        seeds, n_cues = range(4), 10
    return Experiment(
        name="hopfield-capacity-large" + ("-quick" if quick else ""),
        model="hopfield",
        realizations=("reference",),
        grid={"n_units": sizes, "alpha": alphas},
        seeds=tuple(seeds),
        fixed={
            "update": "sync",
            "cue_noise": 0.0,
            "n_cues": n_cues,
            "max_sweeps": 100,
            "weights_form": "factored",
        },
        observables=("final_overlap", "recall_fraction", "converged"),
        point_params=_load_params,
        figure=capacity_large_figure,
        summary=capacity_large_summary,
        description="Final overlap vs load alpha = P/N up to N = 100,000, cueing each stored "
        "pattern itself, synchronous updates from the factored fields (W never formed: "
        "memory 5 N P bytes), against the zero-temperature AGS retrieval overlap; the "
        "alpha where half the cues are recalled, extrapolated in N^-1/2 to N -> infinity.",
        quick=None if quick else partial(_capacity_large, quick=True),
    )


for _factory in (
    _capacity,
    _basins,
    _dynamics,
    _rate_vs_spiking,
    _chip,
    _chip_precision,
    _capacity_large,
):
    register_experiment(_factory())
