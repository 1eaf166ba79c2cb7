"""Reference ring attractor (Zhang 1996): bump formation and persistence, the speed
theory v = gamma / tau (derived in ``rate_models/ring_attractor/ring_attractor.py``),
path integration, determinism and bad input.

Measured with the defaults (N = 64, tau = 20 ms, dt = 0.2 ms, RK4): gamma = 0.1 ->
4.979 rad/s (theory 5.0, -0.4 %); gamma = -0.1 -> -4.979 rad/s; at N = 128,
speed / theory = 1.0006 (gamma = 0.02), 0.9997 (0.04) (lattice pinning slows slow
bumps on coarser rings: 0.890 at N = 64, gamma = 0.02); path integration of a
2 s OU trajectory (s.d. 2 rad/s, 0.2 s correlation): final error 0.090 rad (seed 1),
0.121 rad (seed 2).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import neurotwin
from neurotwin import InputError, ParamError
from neurotwin.rate_models.ring_attractor import ring_attractor as ra

MODEL = "ring-attractor"


def run(seed: int = 0, **kw) -> neurotwin.Result:
    return neurotwin.run(MODEL, "reference", seed=seed, **kw)


def test_lif_rate_is_the_lif_f_i_curve():
    u = np.array([0.5, 1.0, 2.0, 1.5])
    expected = [0.0, 0.0, 1 / (0.002 + 0.01 * math.log(2.0)), 1 / (0.002 + 0.01 * math.log(3.0))]
    np.testing.assert_allclose(ra.lif_rate(u, 0.01, 0.002), expected, rtol=1e-12)


def test_weights_are_a_symmetric_profile_and_its_derivative():
    p = ra.RingAttractorParams.create(n_units=32)
    w = ra.ring_weights(p, np.random.default_rng(0))
    np.testing.assert_allclose(w["W"], w["W"].T, atol=1e-15)
    np.testing.assert_allclose(w["dW"], -w["dW"].T, atol=1e-15)
    # dW is the derivative of the profile: compare with a centred difference
    th = ra.angles(32)
    d = th[:, None] - th[None, :]
    h = 1e-6
    num = (ra.profile(p, d + h)[0] - ra.profile(p, d - h)[0]) / (2 * h)
    np.testing.assert_allclose(w["dW"], num, atol=1e-8)


def test_bump_forms_from_a_localized_cue_and_persists():
    r = run(seed=3, gamma=0.0, duration_s=0.6)
    obs = r.observables
    assert obs["bump_persists"]
    # the bump sits where the cue was, and stays there after the cue is gone
    assert abs(obs["cue_error_rad"]) < 0.05
    assert abs(obs["drift_rad"]) < 0.05
    assert 0.5 < obs["bump_width"] < 2.5
    assert obs["bump_amplitude"] > 50


def test_bump_forms_from_noise():
    obs = run(seed=4, cue_strength=0.0, duration_s=0.6).observables
    assert obs["bump_persists"]
    assert obs["bump_strength"] > 0.8


@pytest.mark.parametrize("gamma", [0.1, -0.1, 0.02])
def test_speed_is_gamma_over_tau(gamma):
    """Zhang (1996): v = gamma / tau; gamma > 0 moves the bump to increasing angle.

    N = 128: on a coarser lattice slow bumps are pinned (measured at N = 64:
    speed / theory = 0.978 at gamma = 0.04, 0.890 at gamma = 0.02; at N = 128:
    0.9997 and 1.0006)."""
    obs = run(seed=5, gamma=gamma, n_units=128).observables
    theory = gamma / 0.02
    assert np.sign(obs["bump_speed"]) == np.sign(gamma)
    assert abs(obs["bump_speed"] - theory) <= 0.02 * abs(theory)
    assert obs["bump_speed_theory"] == pytest.approx(theory)


def test_speed_theory_holds_for_the_von_mises_profile():
    obs = run(seed=6, gamma=0.05, profile="von-mises", j1=0.3, kappa=2.0).observables
    assert obs["bump_persists"]
    assert abs(obs["bump_speed"] - 2.5) <= 0.02 * 2.5


def test_path_integration_error_after_2_s_is_small():
    """A 2 s OU head-turning trajectory: the bump tracks the integrated velocity to
    within 0.2 rad (measured 0.090 rad, seed 1)."""
    r = run(seed=1, velocity="ou", duration_s=2.2)
    err = r.observables["integration_error"]
    assert err.shape == r.t.shape
    assert r.observables["final_integration_error_rad"] < 0.2
    assert np.abs(err).max() < 0.25
    # the trajectory really turned: the head moved by more than a radian overall
    turn = ra.expected_turn(
        ra.RingAttractorParams.create(velocity="ou", duration_s=2.2),
        r.t[r.t >= 0.2 - 1e-9],
        neurotwin.harness.prepare(MODEL, "reference", seed=1, velocity="ou", duration_s=2.2).inputs[
            "velocity"
        ],
    )
    assert np.ptp(turn) > 1.0


def test_noise_makes_the_bump_diffuse():
    a = run(seed=7, noise_sd=0.3, duration_s=0.6).observables
    b = run(seed=8, noise_sd=0.3, duration_s=0.6).observables
    assert a["bump_persists"] and b["bump_persists"]
    assert a["drift_rad"] != b["drift_rad"]


def test_determinism_with_noise_and_velocity():
    kw = dict(noise_sd=0.2, velocity="ou", duration_s=0.4, n_units=32)
    a, b = run(seed=9, **kw), run(seed=9, **kw)
    np.testing.assert_array_equal(a.traces["activity"], b.traces["activity"])
    np.testing.assert_array_equal(
        a.observables["integration_error"], b.observables["integration_error"]
    )
    c = run(seed=10, **kw)
    assert not np.array_equal(a.traces["activity"], c.traces["activity"])


# -- bad input ------------------------------------------------------------------------------


def test_too_few_units_for_a_bump():
    with pytest.raises(ParamError) as info:
        run(n_units=8)
    assert str(info.value) == "RingAttractorParams.n_units: must be an integer >= 16 (got 8)"


def test_negative_tau():
    with pytest.raises(ParamError) as info:
        run(tau_s=-0.02)
    assert str(info.value) == "RingAttractorParams.tau_s: must be a finite number > 0 (got -0.02)"


def test_duration_must_cover_cue_and_settling():
    with pytest.raises(ParamError) as info:
        run(duration_s=0.2)
    assert str(info.value) == (
        "RingAttractorParams.duration_s: must be >= cue_duration_s + settle_s + 2 record_dt_s"
        " = 0.202 (got 0.2)"
    )


def _inputs(**kw):
    plan = neurotwin.harness.prepare(MODEL, "reference", seed=0, **kw)
    return plan.weights, dict(plan.inputs)


def test_velocity_trace_of_the_wrong_length():
    weights, inputs = _inputs(velocity="ou", duration_s=0.3, n_units=32)
    inputs["velocity"] = inputs["velocity"][:-1]
    with pytest.raises(InputError) as info:
        run(velocity="ou", duration_s=0.3, n_units=32, weights=weights, inputs=inputs)
    assert str(info.value) == (
        "ring-attractor inputs['velocity']: must have shape (n_steps,) = (1500,) (got (1499,))"
    )


def test_velocity_trace_with_nan():
    weights, inputs = _inputs(velocity="ou", duration_s=0.3, n_units=32)
    inputs["velocity"] = inputs["velocity"].copy()
    inputs["velocity"][5] = np.nan
    with pytest.raises(InputError) as info:
        run(velocity="ou", duration_s=0.3, n_units=32, weights=weights, inputs=inputs)
    assert str(info.value) == (
        "ring-attractor inputs['velocity']: must be finite (got nan at index (5,))"
    )


def test_missing_velocity_trace():
    weights, inputs = _inputs(duration_s=0.3, n_units=32)
    with pytest.raises(InputError) as info:
        run(velocity="ou", duration_s=0.3, n_units=32, weights=weights, inputs=inputs)
    assert str(info.value) == (
        "ring-attractor inputs['velocity']: is missing (got ['cue', 'cue_angle', 'u0', 'v0'])"
    )


def test_weights_of_the_wrong_shape():
    weights, inputs = _inputs(duration_s=0.3, n_units=32)
    weights = {**weights, "W": weights["W"][:, :-1]}
    with pytest.raises(InputError) as info:
        run(duration_s=0.3, n_units=32, weights=weights, inputs=inputs)
    assert str(info.value) == (
        "ring-attractor weights['W']: must have shape (n_units, n_units) = (32, 32) (got (32, 31))"
    )


@pytest.mark.parametrize("name", ["ring-speed", "ring-path-integration", "ring-drift"])
def test_quick_experiment_writes_data_figure_and_summary(name, tmp_path):
    """The quick variants' figure and summary code on the reference alone (the spiking
    realizations run in ``neurotwin sweep <name> --quick``)."""
    import dataclasses
    import json

    from neurotwin.sweep import get_experiment, run_sweep

    exp = dataclasses.replace(get_experiment(name, quick=True), realizations=("reference",))
    ds = run_sweep(exp, tmp_path, scheduler="synchronous", progress=False)
    assert (ds["error"] == "").all(), ds["error"].values
    for suffix in (".nc", ".png", ".summary.json"):
        assert (tmp_path / f"{exp.name}{suffix}").stat().st_size > 0
    summary = json.loads((tmp_path / f"{exp.name}.summary.json").read_text())
    assert summary["sweep"]["failed"] == 0
    if name == "ring-speed":
        assert summary["slope"]["reference"] == pytest.approx(50.0, rel=0.02)


# -- torus-attractor (Burak & Fiete 2009), the stretch model ----------------------------------


def test_torus_pattern_forms_at_the_linear_stability_scale():
    """From random activity a periodic pattern forms whose period is that of the
    fastest-growing mode of the uniform state (measured: 11.31 vs 10.67 neurons, seed 1)."""
    obs = neurotwin.run("torus-attractor", seed=1).observables
    assert obs["pattern_contrast"] > 1.0
    assert obs["pattern_period"] == pytest.approx(obs["pattern_period_theory"], rel=0.1)


@pytest.mark.slow
def test_torus_pattern_moves_linearly_with_velocity():
    """Burak & Fiete (2009): the pattern flows at a velocity proportional to the input
    velocity, in its direction. Measured (seed 1): v_x = 0.2 / 0.4 / -0.4 / 0.8 m/s ->
    13.9 / 27.7 / -28.4 / 53.5 neurons/s; v_y = 0.4 -> 26.5 neurons/s along axis 1."""
    vs = np.array([0.2, 0.4, -0.4, 0.8])
    out = [neurotwin.run("torus-attractor", seed=1, velocity_x=v).observables for v in vs]
    vx = np.array([o["pattern_velocity_x"] for o in out])
    vy = np.array([o["pattern_velocity_y"] for o in out])
    slope, icpt = np.polyfit(vs, vx, 1)
    r2 = 1 - np.var(vx - slope * vs - icpt) / np.var(vx)
    assert slope > 0 and r2 >= 0.99
    assert np.all(np.abs(vy) < 0.1 * np.abs(vx))
    along_y = neurotwin.run("torus-attractor", seed=1, velocity_y=0.4).observables
    assert along_y["pattern_velocity_y"] == pytest.approx(vx[1], rel=0.1)


def test_torus_needs_an_even_side():
    with pytest.raises(ParamError) as info:
        neurotwin.run("torus-attractor", n_side=33)
    assert str(info.value) == "TorusParams.n_side: must be even (got 33)"
