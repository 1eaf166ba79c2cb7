"""Spiking ring attractors (Brian2, Nengo) against the rate reference.

Speed vs gamma (N = 64, tau = 20 ms, tau_m = 10 ms, gamma in {-0.1, -0.05, 0, 0.05,
0.1}, 1 s runs, seed 11), measured: reference slope 49.70 rad/s per rad (theory
1/tau = 50, R^2 = 0.99998); Brian2 slope 60.67, ratio 1.221 (R^2 = 0.99992); Nengo
slope 62.25, ratio 1.253 (R^2 = 0.99990). The spiking bumps turn 22-25 % faster than
the rate model. The rate reduction (``tau ds/dt = -s + f(W s + b)``, whose speed is
gamma / tau: measured 4.98 rad/s at gamma = 0.1) assumes the membrane follows its
input instantly (tau_m << tau); the excess shrinks with tau_m / tau (measured Brian2 /
reference at gamma = 0.1, tau = 50 ms: 1.122 at tau_m / tau = 0.2, 1.092 at 0.15).
Tolerance: slope ratio within [0.9, 1.35] at tau_m / tau = 0.5, and within 0.15 of 1 at
tau_m / tau = 0.15.

Path integration (2 s OU trajectory, s.d. 2 rad/s): Brian2 final error 0.34 rad
(seed 1) and 0.55 rad (seed 2), against 0.09 / 0.12 rad for the reference; the
spiking error is mostly the 20 % speed excess times the net turn.
"""

from __future__ import annotations

import numpy as np
import pytest
from claims import t_interval
from conftest import current_seed_base, declared_tolerance

import neurotwin
from neurotwin import ParamError

MODEL = "ring-attractor"
GAMMAS = (-0.1, -0.05, 0.0, 0.05, 0.1)


def run(real: str, seed: int = 0, **kw) -> neurotwin.Result:
    return neurotwin.run(MODEL, real, seed=seed, **kw)


def speed_fit(real: str, seed: int = 11, **kw) -> tuple[float, float]:
    """(slope, R^2) of bump speed against gamma."""
    speeds = np.array([run(real, seed, gamma=g, **kw).observables["bump_speed"] for g in GAMMAS])
    slope, icpt = np.polyfit(GAMMAS, speeds, 1)
    resid = speeds - (slope * np.asarray(GAMMAS) + icpt)
    r2 = 1 - resid.var() / speeds.var()
    return float(slope), float(r2)


@pytest.fixture(scope="module")
def reference_slope() -> float:
    slope, r2 = speed_fit("reference", current_seed_base() + 11)
    assert r2 > 0.999
    return slope


@pytest.mark.parametrize("real", ["brian2", "nengo"])
def test_bump_forms_from_a_cue_and_persists(real, seed_base):
    pytest.importorskip(real)
    ref = run("reference", seed=seed_base + 12, duration_s=0.6).observables
    obs = run(real, seed=seed_base + 12, duration_s=0.6).observables
    assert obs["bump_persists"]
    assert abs(obs["cue_error_rad"]) < 0.15
    assert abs(obs["drift_rad"]) < 0.15
    # the same bump as the rate model (same fixed points): amplitude and width, within
    # the model's declared tolerances
    for name in ("bump_amplitude", "bump_width"):
        tol = declared_tolerance(MODEL, name)
        assert abs(obs[name] - ref[name]) <= tol.bound(ref[name]), name


@pytest.mark.parametrize("real", ["brian2", "nengo"])
def test_bump_forms_from_noise(real, seed_base):
    pytest.importorskip(real)
    obs = run(real, seed=seed_base + 13, cue_strength=0.0, duration_s=0.6).observables
    assert obs["bump_persists"]


@pytest.mark.slow
@pytest.mark.parametrize("real", ["brian2", "nengo"])
def test_speed_is_linear_in_gamma_and_close_to_the_reference(real, reference_slope, seed_base):
    pytest.importorskip(real)
    slope, r2 = speed_fit(real, seed_base + 11)
    assert r2 >= 0.95
    ratio = slope / reference_slope
    # the declared tolerance bounds the excess; the LIF lag makes the ring faster, never
    # 10 % slower
    assert 0.9 <= ratio and abs(ratio - 1) <= declared_tolerance(MODEL, "bump_speed").rtol, ratio


@pytest.mark.slow
def test_speed_excess_shrinks_with_a_faster_membrane(seed_base):
    pytest.importorskip("brian2")
    kw = dict(gamma=0.1, tau_s=0.05, tau_m_s=0.0075, seed=seed_base + 14)
    ref = run("reference", **kw).observables["bump_speed"]
    spk = run("brian2", **kw).observables["bump_speed"]
    assert abs(spk / ref - 1) <= 0.15, spk / ref


@pytest.mark.slow
def test_speed_ratio_tends_to_one_as_the_membrane_gets_faster(seed_base, claim):
    """Zhang (1996): the bump turns at v = gamma / tau when the units follow their input
    instantly; the LIF membrane lags by tau_m. Brian2 / reference speed at gamma = 0.1,
    tau = 50 ms, 4 seeds per point, falls with tau_m / tau and tends to 1 (asserted:
    the mean ratio falls from 0.2 to 0.1 to 0.025 and lies in [1.0, 1.04] at 0.025).
    Measured (seeds 0-3, mean +- s.d.): 1.466 +- 0.065 at tau_m / tau = 0.5, 1.112 +-
    0.018 at 0.2, 1.055 +- 0.003 at 0.1, 1.033 +- 0.001 at 0.05, 1.027 +- 0.002 at
    0.025 (the residual 2-3 % does not change with dt: 1.027, 1.027, 1.028 at dt = 200,
    100, 50 us; at tau = 100 ms: 1.108 at 0.1, 1.023 at 0.025). At the default tau = 20
    ms: 1.218 +- 0.047 at 0.5 (the default), 1.100 at 0.25, 1.060 at 0.1, 1.050 at 0.05:
    the default's 22 % excess is this curve's value at tau_m / tau = 0.5."""
    pytest.importorskip("brian2")
    means = []
    for x in (0.2, 0.1, 0.025):
        ratios = []
        for seed in range(seed_base, seed_base + 4):
            kw = dict(gamma=0.1, tau_s=0.05, tau_m_s=0.05 * x, seed=seed)
            ref = run("reference", **kw).observables["bump_speed"]
            ratios.append(run("brian2", **kw).observables["bump_speed"] / ref)
        means.append(float(np.mean(ratios)))
        claim(model=MODEL, claim=f"Brian2 / reference bump speed at tau_m / tau = {x}",
              source="Zhang 1996 (v = gamma / tau as tau_m / tau -> 0)",
              source_value="1 in the limit", measured=means[-1], interval=t_interval(ratios),
              seeds=len(ratios))  # fmt: skip
    assert means[0] > means[1] > means[2], means
    assert 1.0 <= means[2] <= 1.04, means


@pytest.mark.slow
def test_brian2_path_integration(seed_base):
    pytest.importorskip("brian2")
    obs = run("brian2", seed=seed_base + 1, velocity="ou", duration_s=2.2).observables
    assert obs["bump_persists"]
    # reported, not a theory bound: measured 0.34 rad (reference 0.09 rad)
    assert obs["final_integration_error_rad"] < 0.6


@pytest.mark.parametrize(
    "backend, package", [("nengo", "nengo"), ("loihi-emulator", "nengo_loihi")]
)
def test_nengo_backends_refuse_a_velocity_trace(backend, package):
    pytest.importorskip(package)
    with pytest.raises(ParamError) as info:
        run(backend, velocity="ou", duration_s=0.3, n_units=32)
    assert str(info.value) == (
        f"RingAttractorParams.velocity: must be 'none' for realization {backend!r} (a "
        "neuron-to-neuron transform is fixed: constant gamma only) (got 'ou')"
    )


def test_brian2_is_deterministic_with_noise():
    pytest.importorskip("brian2")
    kw = dict(noise_sd=0.3, duration_s=0.3, n_units=32)
    a, b = run("brian2", seed=15, **kw), run("brian2", seed=15, **kw)
    np.testing.assert_array_equal(a.spikes["ring"][0], b.spikes["ring"][0])
    np.testing.assert_array_equal(a.traces["activity"], b.traces["activity"])


@pytest.mark.slow
def test_loihi_emulator_holds_and_moves_the_bump():
    """On the chip's fixed point (8-bit weights, voltages start at zero), N = 32: the
    bump forms at the cue and turns in the direction of gamma; measured speed at
    gamma = +-0.1 (0.6 s runs, seed 16) against the float Nengo run (reference at the
    same settings: +-4.83 rad/s; the rate theory 5 rad/s is slowed by lattice pinning
    at N = 32)."""
    pytest.importorskip("nengo_loihi")
    kw = dict(n_units=32, duration_s=0.6, seed=16)
    still = run("loihi-emulator", gamma=0.0, **kw).observables
    assert still["bump_persists"]
    assert abs(still["cue_error_rad"]) < 0.2
    up = run("loihi-emulator", gamma=0.1, **kw).observables["bump_speed"]
    down = run("loihi-emulator", gamma=-0.1, **kw).observables["bump_speed"]
    assert up > 3 and down < -3
    f_up = run("nengo", gamma=0.1, **kw).observables["bump_speed"]
    f_down = run("nengo", gamma=-0.1, **kw).observables["bump_speed"]
    # the chip's fixed point changes the mean turning speed (v(+g) - v(-g)) / 2 by less
    # than 10 % against float Nengo (measured: 5.82 vs 5.66 rad/s, ratio 1.028; single
    # runs at N = 32 scatter by ~5 %: +0.1 -> 6.10 vs 5.53, -0.1 -> -5.54 vs -5.80)
    ratio = (up - down) / (f_up - f_down)
    assert abs(ratio - 1) < 0.1, ratio


def test_nengo_refuses_a_user_velocity_trace():
    pytest.importorskip("nengo")
    plan = neurotwin.harness.prepare(
        MODEL, "reference", seed=0, velocity="ou", duration_s=0.3, n_units=32
    )
    with pytest.raises(neurotwin.InputError) as info:
        neurotwin.run(
            MODEL, "nengo", duration_s=0.3, n_units=32, weights=plan.weights, inputs=plan.inputs
        )
    assert str(info.value) == (
        "ring-attractor inputs['velocity']: not supported by realization 'nengo' "
        "(constant gamma only) (got shape (1500,))"
    )
