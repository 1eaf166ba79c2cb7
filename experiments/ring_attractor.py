"""Ring-attractor experiments: bump speed vs gamma, path integration, drift vs N.

Each is registered with a reduced ``-quick`` variant (small grid, short runs).
Source: Zhang (1996) J. Neurosci. 16, 2112 (speed theory v = gamma / tau, see
``rate_models/ring_attractor/ring_attractor.py``).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import xarray as xr

from neurotwin.results import Result
from neurotwin.sweep import Experiment, register_experiment, summary_value, sweep_param

#: the reference's default time constant (the theory line is gamma / tau)
TAU_S = 0.02


def _r(v) -> float | None:
    return summary_value(v, 6)


def _reals(ds: xr.Dataset) -> list[str]:
    if "realization" in ds.dims:
        return [str(r) for r in ds["realization"].values]
    return [str(ds.coords["realization"].values)] if "realization" in ds.coords else ["reference"]


def _sel(ds: xr.Dataset, real: str):
    """The part of ``ds`` for one realization (``ds`` itself when there is only one)."""
    return ds.sel(realization=real) if "realization" in ds.dims else ds


def linear_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(slope, intercept, R^2) of a least-squares line, NaN points left out."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        return float("nan"), float("nan"), float("nan")
    slope, icpt = np.polyfit(x[ok], y[ok], 1)
    resid = y[ok] - (slope * x[ok] + icpt)
    var = y[ok].var()
    return float(slope), float(icpt), float(1 - resid.var() / var) if var > 0 else float("nan")


# -- ring-speed -------------------------------------------------------------------------


def speed_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import ring_attractor as plot

    return plot.speed_vs_gamma(ds, path, tau_s=float(sweep_param(ds, "tau_s")))


def speed_summary(ds: xr.Dataset) -> dict:
    tau = float(sweep_param(ds, "tau_s"))
    g = np.asarray(ds["gamma"].values, dtype=float)
    out: dict = {
        "source": "Zhang (1996): bump speed = gamma / tau; slope theory 1/tau",
        "slope_theory_rad_s_per_rad": _r(1 / tau),
        "n_seeds": int(ds.sizes["seed"]),
        "slope": {},
        "r_squared": {},
        "slope_ratio_vs_reference": {},
    }
    slopes = {}
    for real in _reals(ds):
        speed = _sel(ds, real)["bump_speed"]
        x = np.broadcast_to(g[:, None], speed.shape)
        slope, _, r2 = linear_fit(x.ravel(), speed.values.ravel())
        slopes[real] = slope
        out["slope"][real] = _r(slope)
        out["r_squared"][real] = _r(r2)
        out["mean_speed_" + real] = {
            f"gamma={gg:g}": _r(v) for gg, v in zip(g, speed.mean("seed").values, strict=True)
        }
    for real, s in slopes.items():
        out["slope_ratio_vs_reference"][real] = _r(s / slopes["reference"])
    return out


def _ring_speed(quick: bool = False) -> Experiment:
    if quick:
        gammas, seeds, fixed = [-0.1, 0.0, 0.1], (0,), {"duration_s": 0.5}
    else:
        gammas = [-0.15, -0.1, -0.05, -0.02, 0.0, 0.02, 0.05, 0.1, 0.15]
        seeds, fixed = (0, 1), {"duration_s": 1.0}
    return Experiment(
        name="ring-speed" + ("-quick" if quick else ""),
        model="ring-attractor",
        realizations=("reference", "brian2", "nengo"),
        grid={"gamma": gammas},
        seeds=seeds,
        fixed={"n_units": 64, **fixed},
        observables=("bump_speed", "bump_width", "bump_amplitude"),
        figure=speed_figure,
        summary=speed_summary,
        description="Bump speed vs the asymmetric gain gamma for the rate reference, the "
        "Brian2 LIF ring and the Nengo LIF ring (same weights W - gamma W', N = 64, "
        "tau = 20 ms), against Zhang's (1996) theory v = gamma / tau.",
        quick=None if quick else partial(_ring_speed, quick=True),
    )


# -- ring-path-integration ------------------------------------------------------------------

#: times after the start of the trajectory at which the error is kept (s)
PI_TIMES = (0.25, 0.5, 1.0, 1.5, 2.0)


def error_at(result: Result, after_s: float) -> float:
    """|integration error| at ``after_s`` seconds after the measurement start t0."""
    p = result.params
    t0 = p["cue_duration_s"] + p["settle_s"]
    err = np.asarray(result.observables["integration_error"], dtype=float)
    k = int(np.argmin(np.abs(result.t - (t0 + after_s))))
    return float(abs(err[k]))


def _pi_key(t: float) -> str:
    return f"abs_error_at_{t:g}s"


def path_figure(ds: xr.Dataset, path: Path) -> Path:
    import neurotwin
    from neurotwin.plotting import ring_attractor as plot

    times = [t for t in PI_TIMES if _pi_key(t) in ds]
    dur = float(sweep_param(ds, "duration_s"))
    examples = {
        real: neurotwin.run(
            "ring-attractor", real, seed=0, velocity="ou", duration_s=dur, n_units=64
        )
        for real in _reals(ds)
    }
    return plot.path_integration(ds, path, times, [_pi_key(t) for t in times], examples)


def path_summary(ds: xr.Dataset) -> dict:
    out: dict = {
        "trajectory": "Ornstein-Uhlenbeck angular velocity (s.d. velocity_sd_rad_s, "
        "correlation 0.2 s), gamma(t) = tau * omega(t) after the cue",
        "n_seeds": int(ds.sizes["seed"]),
        "mean_abs_error_rad": {},
    }
    for real in _reals(ds):
        sub = _sel(ds, real)
        out["mean_abs_error_rad"][real] = {
            f"sd={sd:g}": {
                _pi_key(t): _r(sub[_pi_key(t)].sel(velocity_sd_rad_s=sd).mean("seed"))
                for t in PI_TIMES
                if _pi_key(t) in sub
            }
            for sd in ds["velocity_sd_rad_s"].values
        }
    return out


def _ring_path(quick: bool = False) -> Experiment:
    if quick:
        sds, seeds, dur, times = [2.0], (0, 1), 0.7, PI_TIMES[:2]
    else:
        sds, seeds, dur, times = [1.0, 2.0, 4.0], (0, 1, 2, 3, 4), 2.2, PI_TIMES
    return Experiment(
        name="ring-path-integration" + ("-quick" if quick else ""),
        model="ring-attractor",
        realizations=("reference", "brian2"),
        grid={"velocity_sd_rad_s": sds},
        seeds=seeds,
        fixed={"n_units": 64, "velocity": "ou", "duration_s": dur},
        observables=("final_integration_error_rad", "bump_strength"),
        derived={_pi_key(t): partial(error_at, after_s=t) for t in times},
        figure=path_figure,
        summary=path_summary,
        description="Path integration of a head-turning trajectory (OU angular velocity, "
        "seeded) by the rate reference and the Brian2 LIF ring, both with the asymmetric "
        "weights gain-modulated by gamma(t) = tau omega(t): |error| vs time.",
        quick=None if quick else partial(_ring_path, quick=True),
    )


# -- ring-drift -------------------------------------------------------------------------


def drift_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import ring_attractor as plot

    return plot.drift_vs_n(ds, path, duration_s=_measured_time(ds))


def _measured_time(ds: xr.Dataset) -> float:
    c = {k: float(sweep_param(ds, k)) for k in ("duration_s", "cue_duration_s", "settle_s")}
    return c["duration_s"] - c["cue_duration_s"] - c["settle_s"]


def drift_summary(ds: xr.Dataset) -> dict:
    t = _measured_time(ds)
    out: dict = {
        "measure": "diffusion D = <drift^2> / (2 T) over seeds, T the measured time",
        "measured_time_s": _r(t),
        "n_seeds": int(ds.sizes["seed"]),
        "diffusion_rad2_per_s": {},
        "rms_drift_rad": {},
    }
    for real in _reals(ds):
        sub = _sel(ds, real)["drift_rad"]
        for jit in ds["weight_jitter"].values:
            d = sub.sel(weight_jitter=jit)
            key = f"{real}, jitter={jit:g}"
            msd = (d**2).mean("seed")
            out["diffusion_rad2_per_s"][key] = {
                f"N={int(n)}": _r(v / (2 * t))
                for n, v in zip(ds["n_units"].values, msd.values, strict=True)
            }
            out["rms_drift_rad"][key] = {
                f"N={int(n)}": _r(np.sqrt(v))
                for n, v in zip(ds["n_units"].values, msd.values, strict=True)
            }
    return out


def _ring_drift(quick: bool = False) -> Experiment:
    if quick:
        ns, jit, seeds, dur = [32, 64], [0.0], (0, 1), 0.6
    else:
        ns, jit, seeds, dur = [32, 64, 128], [0.0, 0.1], tuple(range(6)), 1.7
    return Experiment(
        name="ring-drift" + ("-quick" if quick else ""),
        model="ring-attractor",
        realizations=("reference", "brian2"),
        grid={"n_units": ns, "weight_jitter": jit},
        seeds=seeds,
        fixed={"noise_sd": 0.3, "gamma": 0.0, "duration_s": dur},
        observables=("drift_rad", "bump_strength", "bump_width"),
        figure=drift_figure,
        summary=drift_summary,
        description="Drift of a bump with no velocity input under white-noise drive "
        "(sigma = 0.3) and optional weight heterogeneity, vs the ring size N: the rate "
        "reference against the Brian2 LIF ring (which adds its own spiking noise).",
        quick=None if quick else partial(_ring_drift, quick=True),
    )


for _factory in (_ring_speed, _ring_path, _ring_drift):
    register_experiment(_factory())


# -- torus (grid cells, Burak & Fiete 2009): path integration and drift -------------------

#: times after settle_s at which the torus path-integration error is kept (s)
TORUS_TIMES = (0.25, 0.5, 1.0)


def torus_error_at(result: Result, after_s: float) -> float:
    """|position - gain path| (neurons) at ``after_s`` seconds after ``settle_s``; NaN
    past the end of the run."""
    t0 = result.params["settle_s"]
    if t0 + after_s > result.t[-1] + 1e-9:
        return float("nan")
    k = int(np.argmin(np.abs(result.t - (t0 + after_s))))
    return float(result.observables["integration_error"][k])


def _torus_key(t: float) -> str:
    return f"error_at_{t:g}s"


def _cell_field(res: Result) -> tuple[tuple[int, int], np.ndarray]:
    """The most active neuron of the last frame (a cell inside a bump), and its activity."""
    act = np.asarray(res.traces["activity"], dtype=float)
    a, b = np.unravel_index(int(np.argmax(act[-1])), act.shape[1:])
    return (int(a), int(b)), act[:, a, b]


def torus_path_figure(ds: xr.Dataset, path: Path) -> Path:
    import neurotwin
    from neurotwin.plotting import plt, save
    from neurotwin.plotting import torus as plot

    dur = max(float(sweep_param(ds, "duration_s")), 3.0)
    kw = {"velocity": "random", "velocity_sd": 0.5, "duration_s": dur}
    ref = neurotwin.run("torus-attractor", "reference", seed=0, **kw)
    spk = neurotwin.run("torus-attractor", "brian2", seed=0, **kw)
    fig, axes = plt.subplots(2, 3, figsize=(16, 9.5))
    cell, _ = _cell_field(spk)
    plot.grid_pattern(
        ref.traces["activity"][-1], ax=axes[0, 0], title="(a) rate reference: sheet at the end"
    )
    plot.grid_pattern(
        spk.traces["activity"][-1],
        ax=axes[0, 1],
        cell=cell,
        title="(b) Brian2 spiking: sheet at the end (decoded from spikes)",
    )
    on = ref.t >= ref.params["settle_s"] - 1e-9
    n = spk.params["n_side"]
    times, idx = spk.spikes["grid"]
    cell_t = times[(idx == cell[0] * n + cell[1]) & (times >= ref.params["settle_s"])]
    plot.firing_field(
        spk.observables["path_m"][on],
        spk.t[on],
        spike_times=cell_t,
        ax=axes[0, 2],
        title=f"(c) Brian2: spikes of cell {cell} over the trajectory ({dur:g} s)",
    )
    plot.firing_field(
        ref.observables["path_m"][on],
        ref.t[on],
        rate=np.asarray(ref.traces["activity"])[on, cell[0], cell[1]],
        ax=axes[1, 0],
        title=f"(d) reference: activity of cell {cell} along the trajectory",
    )
    t_rel = ref.t[on] - ref.params["settle_s"]
    plot.error_vs_time(
        t_rel,
        {
            "reference": ref.observables["integration_error"][on],
            "brian2": spk.observables["integration_error"][on],
        },
        ax=axes[1, 1],
        title=f"(e) error along this trajectory (seed 0, {dur:g} s)",
    )
    ax = axes[1, 2]
    times_kept = [t for t in TORUS_TIMES if _torus_key(t) in ds]
    for i, real in enumerate(_reals(ds)):
        sub = _sel(ds, real)
        vals = [sub[_torus_key(t)] for t in times_kept]  # all seeds and trajectories
        means = [float(v.mean()) for v in vals]
        sems = [float(v.std() / np.sqrt(max(int(v.count()), 1))) for v in vals]
        ax.errorbar(times_kept, means, yerr=sems, marker="os"[i % 2], capsize=3, label=real)
    ax.set_xlabel("time since the velocity input started (s)")
    ax.set_ylabel("mean |error| (neurons)")
    ax.set_title(f"(f) mean error over {ds.sizes['seed']} seeds and trajectories")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.suptitle(
        "Grid cells on a torus (Burak & Fiete 2009): rate reference vs Brian2 spiking network"
    )
    fig.tight_layout()
    return save(fig, path)


def torus_path_summary(ds: xr.Dataset) -> dict:
    out: dict = {
        "source": "Burak & Fiete (2009) PLoS Comput. Biol. 5, e1000291: periodic network, "
        "velocity integrated by the pattern's flow; error = |position - gain * path|",
        "n_seeds": int(ds.sizes["seed"]),
        "mean_error_neurons": {},
        "integration_gain_neurons_per_m": {},
        "pattern_period_neurons": {},
    }
    for real in _reals(ds):
        sub = _sel(ds, real)
        out["mean_error_neurons"][real] = {
            _torus_key(t): _r(sub[_torus_key(t)].mean())
            for t in TORUS_TIMES
            if _torus_key(t) in sub
        }
        out["integration_gain_neurons_per_m"][real] = _r(sub["integration_gain"].mean())
        out["pattern_period_neurons"][real] = _r(sub["pattern_period"].mean())
    return out


def _torus_path(quick: bool = False) -> Experiment:
    if quick:
        sds, seeds, dur, times = [0.3], (0, 1), 0.9, TORUS_TIMES[:2]
    else:
        sds, seeds, dur, times = [0.15, 0.3], (0, 1, 2, 3, 4), 1.8, TORUS_TIMES
    return Experiment(
        name="torus-path-integration" + ("-quick" if quick else ""),
        model="torus-attractor",
        realizations=("reference", "brian2"),
        grid={"velocity_sd": sds},
        seeds=seeds,
        fixed={"velocity": "random", "duration_s": dur},
        observables=(
            "final_integration_error",
            "integration_gain",
            "pattern_period",
            "pattern_orientation_deg",
        ),
        derived={_torus_key(t): partial(torus_error_at, after_s=t) for t in times},
        figure=torus_path_figure,
        summary=torus_path_summary,
        description="Grid cells on a 32 x 32 torus (Burak & Fiete 2009): the rate reference "
        "and the Brian2 spiking network integrate the same random trajectory (OU velocity) "
        "from the same start; path-integration error vs time, grid pattern, one cell's "
        "firing field.",
        quick=None if quick else partial(_torus_path, quick=True),
    )


def _torus_measured_s(ds: xr.Dataset) -> float:
    return float(sweep_param(ds, "duration_s")) - float(sweep_param(ds, "settle_s")) - 0.05


def torus_drift_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import save
    from neurotwin.plotting import torus as plot

    fig = plot.diffusion_vs_size(ds, _torus_measured_s(ds))
    fig.axes[0].set_title(f"Pattern diffusion at zero velocity, Brian2 ({ds.sizes['seed']} seeds)")
    return save(fig, path)


def torus_drift_summary(ds: xr.Dataset) -> dict:
    t = _torus_measured_s(ds)
    out: dict = {
        "source": "Burak & Fiete (2009), drift figure (zero velocity): D approximately linear "
        "in CV^2 and in 1/N (D N collapses); here the noise variance is set by 1/r0",
        "measured_time_s": _r(t),
        "n_seeds": int(ds.sizes["seed"]),
        "diffusion_neurons2_per_s": {},
        "D_times_N_times_r0": {},
    }
    for r0 in ds["rate_scale_hz"].values:
        for n in ds["n_side"].values:
            d = float((ds["pattern_drift"].sel(rate_scale_hz=r0, n_side=n) ** 2).mean() / (4 * t))
            key = f"r0={r0:g}, N={int(n) ** 2}"
            out["diffusion_neurons2_per_s"][key] = _r(d)
            out["D_times_N_times_r0"][key] = _r(d * int(n) ** 2 * float(r0))
    return out


def _torus_drift(quick: bool = False) -> Experiment:
    if quick:
        sides, r0s, seeds, dur = [16, 32], [1000.0], (0, 1), 0.8
    else:
        sides, r0s, seeds, dur = [16, 24, 32], [300.0, 1000.0], tuple(range(6)), 1.3
    return Experiment(
        name="torus-drift" + ("-quick" if quick else ""),
        model="torus-attractor",
        realizations=("brian2",),
        grid={"n_side": sides, "rate_scale_hz": r0s},
        seeds=seeds,
        fixed={"duration_s": dur},
        observables=("pattern_drift", "pattern_period", "mean_rate_hz"),
        figure=torus_drift_figure,
        summary=torus_drift_summary,
        description="Diffusion of the grid pattern of the Brian2 spiking torus at zero "
        "velocity vs the number of neurons N and the rate scale r0 (spiking noise variance "
        "~ 1/r0): Burak & Fiete's (2009) D ~ CV^2 / N trend at small sizes.",
        quick=None if quick else partial(_torus_drift, quick=True),
    )


for _factory in (_torus_path, _torus_drift):
    register_experiment(_factory())
