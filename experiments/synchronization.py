"""Synchronization experiments: the Kuramoto transition, the Millennium Bridge onset,
the spiking network's transition against its phase reference, and sync vs async
updates in a Hopfield memory.

Each is registered with a reduced ``-quick`` variant (small grid, short runs).
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np
import xarray as xr

from neurotwin.sweep import Experiment, register_experiment, summary_value, sweep_param

# -- shared helpers -----------------------------------------------------------------


def _mean_sem(da: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    n = da.count("seed")
    mean = da.mean("seed", skipna=True)
    sem = da.std("seed", skipna=True, ddof=1) / np.sqrt(n.where(n > 0))
    return mean, sem.fillna(0.0)


def _r(v) -> float | None:
    return summary_value(v, 6)


# -- kuramoto-transition ------------------------------------------------------------

#: Lorentzian half-width of the transition experiment (K_c = 2 gamma = 1)
GAMMA = 0.5


def kuramoto_theory_curve(k: np.ndarray, gamma: float = GAMMA) -> np.ndarray:
    """r = sqrt(1 - 2 gamma / K) above K_c = 2 gamma, 0 below (Lorentzian, N -> inf)."""
    k = np.asarray(k, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(k > 2 * gamma, np.sqrt(np.clip(1 - 2 * gamma / k, 0, None)), 0.0)


def kuramoto_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin import plotting

    k = np.linspace(0.0, float(ds["coupling"].max()), 300)
    return plotting.kuramoto_transition(
        ds, path, theory=(k, kuramoto_theory_curve(k)), kc=2 * GAMMA
    )


def kuramoto_summary(ds: xr.Dataset) -> dict:
    mean, _ = _mean_sem(ds["order_parameter"])
    k = np.asarray(ds["coupling"].values, dtype=float)
    theory = kuramoto_theory_curve(k)
    out: dict = {
        "source": "Kuramoto (1975, 1984); Strogatz (2000) Physica D 143, 1: Lorentzian "
        "half-width gamma, K_c = 2 gamma, r = sqrt(1 - K_c/K); here gamma = 0.5",
        "kc_theory": 2 * GAMMA,
        "n_seeds": int(ds.sizes["seed"]),
        "mean_order_parameter": {},
        "max_abs_diff_from_theory_for_K_ge_1.5": {},
        "r_sqrt_n_below_kc": {},
    }
    for n in ds["n_oscillators"].values:
        m = mean.sel(n_oscillators=n).values
        out["mean_order_parameter"][f"N={int(n)}"] = {
            f"K={kk:g}": _r(v) for kk, v in zip(k, m, strict=True)
        }
        above = k >= 1.5
        if above.any():
            out["max_abs_diff_from_theory_for_K_ge_1.5"][f"N={int(n)}"] = _r(
                np.abs(m[above] - theory[above]).max()
            )
        below = k <= 0.6
        if below.any():
            out["r_sqrt_n_below_kc"][f"N={int(n)}"] = _r(m[below].mean() * math.sqrt(n))
    return out


def _kuramoto_transition(quick: bool = False) -> Experiment:
    if quick:
        sizes, ks, seeds, dur = [100, 1000], [0.5, 1.5, 3.0], (0,), 40.0
    else:
        sizes = [100, 1000, 10000]
        ks = [0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0]
        seeds, dur = (0, 1, 2), 100.0
    return Experiment(
        name="kuramoto-transition" + ("-quick" if quick else ""),
        model="kuramoto",
        grid={"n_oscillators": sizes, "coupling": ks},
        seeds=seeds,
        fixed={
            "freq_dist": "lorentzian",
            "freq_width": GAMMA,
            "freq_sampling": "random",
            "duration_s": dur,
            "transient_s": dur / 2,
            "dt_s": 0.05,
        },
        observables=("order_parameter",),
        figure=kuramoto_figure,
        summary=kuramoto_summary,
        description="Time-averaged Kuramoto order parameter vs coupling K for N = 100, 1000, "
        "10000 oscillators with random Lorentzian frequencies (half-width 0.5, K_c = 1), "
        "against r = sqrt(1 - K_c/K) (Kuramoto 1975; Strogatz 2000). Random draws, not "
        "quantiles, so the finite-N scatter is visible.",
        quick=None if quick else partial(_kuramoto_transition, quick=True),
    )


# -- millennium-bridge -----------------------------------------------------------------

#: initial bridge amplitude (m) per branch: from rest, and from an already swaying deck
START_AMPLITUDE = {"quiet": 1e-3, "swaying": 0.1}


#: foot-force walkers: Belykh et al. (2021)'s lateral gait frequency 5.655 rad/s (0.9 Hz),
#: i.e. bridge / gait frequency ratio 1.144, and a spread of 0.3 rad/s
FOOT_FORCE_GAIT_RAD_S = 5.655
FOOT_FORCE_SD_RAD_S = 0.3


def _bridge_params(point: dict) -> dict:
    from neurotwin.rate_models.synchronization.millennium_bridge import BridgeParams

    out = {k: v for k, v in point.items() if k != "start"}
    out["initial_amplitude_m"] = START_AMPLITUDE[point["start"]]
    if point.get("crowd_model") == "foot_force":
        out["freq_offset_rad_s"] = FOOT_FORCE_GAIT_RAD_S - BridgeParams.create().omega0
        out["freq_sd_rad_s"] = FOOT_FORCE_SD_RAD_S
    return out


def _thresholds(ds: xr.Dataset) -> dict:
    """Per crowd model: the predicted critical crowd size (median over the grid)."""
    return {
        str(m): float(ds["critical_crowd_size"].sel(crowd_model=m).median())
        for m in ds["crowd_model"].values
    }


def bridge_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin import plotting

    return plotting.bridge_onset(ds, path, thresholds=_thresholds(ds))


def bridge_summary(ds: xr.Dataset) -> dict:
    wob, _ = _mean_sem(ds["wobble_amplitude"])
    order, _ = _mean_sem(ds["order_parameter"])
    ns = [int(n) for n in ds["n_pedestrians"].values]
    out: dict = {
        "source": "phase walkers: Strogatz, Abrams, McRobie, Eckhardt & Ott (2005), Nature "
        "438, 43, N_c = 2 B Omega_0 / (pi G C P(Omega_0)) (averaging, see "
        "critical_crowd_size); foot-force walkers: Belykh et al. (2021), Nat. Commun. 12, "
        "7223, N_crit = B / (-sigma) with the measured average walker damping sigma",
        "predicted_critical_crowd_size": {k: round(v, 3) for k, v in _thresholds(ds).items()},
        "wobble_amplitude_m": {},
        "order_parameter": {},
        "onset_crowd_size_(first N with wobble > 1 cm)": {},
    }
    for model in ds["crowd_model"].values:
        for start in ds["start"].values:
            key = f"{model}/{start}"
            w = wob.sel(crowd_model=model, start=start).values
            o = order.sel(crowd_model=model, start=start).values
            out["wobble_amplitude_m"][key] = {f"N={n}": _r(v) for n, v in zip(ns, w, strict=True)}
            out["order_parameter"][key] = {f"N={n}": _r(v) for n, v in zip(ns, o, strict=True)}
            onset = next((n for n, v in zip(ns, w, strict=True) if v > 0.01), None)
            out["onset_crowd_size_(first N with wobble > 1 cm)"][key] = onset
    return out


def _millennium_bridge(quick: bool = False) -> Experiment:
    if quick:
        ns, dur = [40, 80, 165], 800.0
    else:
        ns, dur = [20, 40, 50, 60, 80, 100, 125, 140, 150, 160, 175, 200, 250], 1500.0
    return Experiment(
        name="millennium-bridge" + ("-quick" if quick else ""),
        model="millennium-bridge",
        grid={
            "crowd_model": ["phase", "foot_force"],
            "start": ["quiet", "swaying"],
            "n_pedestrians": ns,
        },
        seeds=(0,),
        fixed={"duration_s": dur, "transient_s": dur * 2 / 3},
        observables=("wobble_amplitude", "order_parameter", "critical_crowd_size"),
        point_params=_bridge_params,
        figure=bridge_figure,
        summary=bridge_summary,
        description="Wobble amplitude and crowd order parameter vs crowd size on the "
        "Millennium Bridge model (Strogatz et al. 2005): phase walkers, and foot-force "
        "walkers (inverted pendulums with foot placement, gait 0.9 Hz; Belykh et al. 2021), "
        "each started from a quiet deck (1 mm) and from a swaying one (10 cm) to look for "
        "hysteresis; the predicted critical crowd sizes marked.",
        quick=None if quick else partial(_millennium_bridge, quick=True),
    )


# -- spiking-sync ---------------------------------------------------------------------

#: couplings of the raster panels: below and above the transition
RASTER_COUPLINGS = (0.05, 0.3)


def _lif_theory(ds: xr.Dataset, k: np.ndarray) -> tuple[np.ndarray, float]:
    from neurotwin.rate_models.synchronization.lif_sync import LifSyncParams, lif_sync_theory
    from neurotwin.rate_models.synchronization.phases import kuramoto_r_theory

    base = {
        name: _py(sweep_param(ds, name))
        for name in (
            "n_neurons",
            "mean_rate_hz",
            "rate_width_hz",
            "tau_m_s",
            "tau_syn_s",
            "delay_s",
            "freq_dist",
        )
    }
    p = LifSyncParams.create(**base)
    th = lif_sync_theory(p)
    r = np.array(
        [
            kuramoto_r_theory(
                p.freq_dist,
                2 * np.pi * p.rate_width_hz,
                kk * th["kappa_rad_s"],
                th["phase_lag_rad"],
            )
            for kk in k
        ]
    )
    return r, th["kc_theory"]


def _py(v):
    v = np.asarray(v)
    return v.item() if v.ndim == 0 else v


def _rasters(ds: xr.Dataset) -> list:
    import neurotwin

    out = []
    for k in RASTER_COUPLINGS:
        res = neurotwin.run(
            "lif-sync",
            "brian2",
            n_neurons=int(sweep_param(ds, "n_neurons")),
            coupling=k,
            duration_s=1.0,
            transient_s=0.5,
            seed=0,
        )
        times, idx = res.spikes["neurons"]
        out.append((f"K = {k:g}: r = {res.observables['order_parameter']:.2f}", times, idx))
    return out


def spiking_sync_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin import plotting

    k = np.linspace(0.0, float(ds["coupling"].max()), 200)
    r, kc = _lif_theory(ds, k)
    return plotting.spiking_sync(ds, path, theory=(k, r), kc=kc, rasters=_rasters(ds))


def spiking_sync_summary(ds: xr.Dataset) -> dict:
    k = np.asarray(ds["coupling"].values, dtype=float)
    theory, kc = _lif_theory(ds, k)
    out: dict = {
        "reference": "Kuramoto-Sakaguchi on the LIF natural frequencies, K_eff = kappa K, "
        "lag alpha from the LIF phase reduction (lif_phase_coupling)",
        "kc_theory": round(kc, 6),
        "n_seeds": int(ds.sizes["seed"]),
    }
    for var in ("order_parameter", "chi"):
        mean, _ = _mean_sem(ds[var])
        out[f"mean_{var}"] = {
            str(real): {
                f"K={kk:g}": _r(v)
                for kk, v in zip(k, mean.sel(realization=real).values, strict=True)
            }
            for real in ds["realization"].values
        }
    mean, _ = _mean_sem(ds["order_parameter"])
    diff = mean.sel(realization="brian2") - mean.sel(realization="reference")
    out["max_abs_diff_brian2_vs_reference"] = _r(np.abs(diff).max())
    out["mean_abs_diff_brian2_vs_reference"] = _r(np.abs(diff).mean())
    out["r_theory_infinite_n"] = {f"K={kk:g}": _r(v) for kk, v in zip(k, theory, strict=True)}
    lif = mean.sel(realization="brian2").values
    out["lif_monotone_within_0.03"] = bool(np.all(np.diff(lif) >= -0.03))
    return out


def _spiking_sync(quick: bool = False) -> Experiment:
    if quick:
        ks, seeds, dur = [0.0, 0.15, 0.3], (0,), 1.5
    else:
        ks = [0.0, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3, 0.5]
        seeds, dur = (0, 1, 2), 3.0
    return Experiment(
        name="spiking-sync" + ("-quick" if quick else ""),
        model="lif-sync",
        realizations=("reference", "brian2"),
        grid={"coupling": ks},
        seeds=seeds,
        fixed={"n_neurons": 100, "duration_s": dur, "transient_s": dur / 2},
        observables=("order_parameter", "chi"),
        figure=spiking_sync_figure,
        summary=spiking_sync_summary,
        description="Order parameter (from spike phases) and Golomb's chi vs coupling K for "
        "100 LIF neurons with Lorentzian natural rates (25 Hz, half-width 1 Hz) in Brian2, "
        "against the phase-reduced Kuramoto-Sakaguchi reference on the same frequencies "
        "and initial phases; rasters below and above the transition.",
        quick=None if quick else partial(_spiking_sync, quick=True),
    )


# -- sync-and-memory ---------------------------------------------------------------------


def _memory_params(point: dict, n_units: int) -> dict:
    out = {k: v for k, v in point.items() if k != "alpha"}
    out["n_units"] = n_units
    out["n_patterns"] = max(1, int(round(point["alpha"] * n_units)))
    return out


def sync_memory_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin import plotting

    return plotting.sync_memory(ds, path)


def sync_memory_summary(ds: xr.Dataset) -> dict:
    out: dict = {
        "question": "Does updating every unit at once (synchronous, the fully synchronized "
        "schedule) instead of one at a time (asynchronous) change what a Hebbian "
        "Hopfield memory recalls, and at which load?",
        "n_units": int(sweep_param(ds, "n_units")),
        "n_seeds": int(ds.sizes["seed"]),
    }
    alphas = [float(a) for a in ds["alpha"].values]
    for var in ("final_overlap", "two_cycle_fraction", "converged_fraction"):
        mean, _ = _mean_sem(ds[var])
        out[var] = {
            str(u): {
                f"alpha={a:g}": _r(v)
                for a, v in zip(alphas, mean.sel(update=u).values, strict=True)
            }
            for u in ds["update"].values
        }
    mean, _ = _mean_sem(ds["final_overlap"])
    gap = (mean.sel(update="async") - mean.sel(update="sync")).values
    out["overlap_gap_async_minus_sync"] = {
        f"alpha={a:g}": _r(v) for a, v in zip(alphas, gap, strict=True)
    }
    return out


def _sync_and_memory(quick: bool = False) -> Experiment:
    from neurotwin.experiments.hopfield import converged_fraction, two_cycle_fraction

    if quick:
        n, alphas, seeds, n_cues = 100, [0.05, 0.2], (0, 1), 5
    else:
        n, alphas, seeds, n_cues = (
            400,
            [0.02, 0.05, 0.08, 0.11, 0.14, 0.17, 0.2, 0.25],
            range(5),
            10,
        )
    return Experiment(
        name="sync-and-memory" + ("-quick" if quick else ""),
        model="hopfield",
        grid={"update": ["async", "sync"], "alpha": alphas},
        seeds=tuple(seeds),
        fixed={"n_units": n, "n_cues": n_cues, "cue_noise": 0.2, "max_sweeps": 100},
        observables=("final_overlap",),
        derived={
            "two_cycle_fraction": two_cycle_fraction,
            "converged_fraction": converged_fraction,
        },
        point_params=partial(_memory_params, n_units=n),
        figure=sync_memory_figure,
        summary=sync_memory_summary,
        description="Hebbian Hopfield recall (20% cue noise) vs load alpha = P/N under "
        "synchronous and asynchronous updates: final overlap, fraction of cues trapped in "
        "2-cycles, fraction converged to a fixed point.",
        quick=None if quick else partial(_sync_and_memory, quick=True),
    )


for _factory in (_kuramoto_transition, _millennium_bridge, _spiking_sync, _sync_and_memory):
    register_experiment(_factory())
