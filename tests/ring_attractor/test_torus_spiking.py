"""The grid-cell torus as a Brian2 spiking network (``spiking/ring_attractor/torus_brian2.py``)
against the rate reference (Burak & Fiete 2009) on the same weights, inputs and seed."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from conftest import declared_tolerance

import neurotwin
from neurotwin import ParamError
from neurotwin.rate_models.ring_attractor.torus_attractor import (
    TorusParams,
    _shifted_kernels,
    torus_weights,
)
from neurotwin.spiking.ring_attractor.torus_brian2 import torus_matrix


def test_same_connectivity_as_the_reference():
    """W s (the spiking network's all-to-all synapses) equals the reference's four FFT
    convolutions of the direction-masked sheet, to rounding."""
    params = TorusParams.create(n_side=16)
    w = torus_weights(params, np.random.default_rng(0))
    s = np.random.default_rng(1).random((16, 16))
    masks = [w["direction"] == k for k in range(4)]
    kernels = _shifted_kernels(params, w["W0"])
    conv = np.fft.irfft2(sum(kernels[k] * np.fft.rfft2(s * masks[k]) for k in range(4)), s=(16, 16))
    dense = torus_matrix(params, w["W0"], w["direction"]) @ s.ravel()
    np.testing.assert_allclose(dense.reshape(16, 16), conv, atol=1e-12)


needs_brian2 = pytest.mark.skipif(
    importlib.util.find_spec("brian2") is None, reason="brian2 not installed"
)


def _two_strongest_modes(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """The strongest wave vector of ``frame`` (integer, signed), the strongest one not
    parallel to it, and the second's power over the first's."""
    n = frame.shape[0]
    power = np.abs(np.fft.fft2(frame - frame.mean())) ** 2
    power[0, 0] = 0.0
    order = np.argsort(power.ravel())[::-1]
    k1 = (np.array(np.unravel_index(order[0], power.shape)) + n // 2) % n - n // 2
    for o in order[1:]:
        k2 = (np.array(np.unravel_index(o, power.shape)) + n // 2) % n - n // 2
        if k1[0] * k2[1] - k1[1] * k2[0] != 0:
            return k1, k2, float(power.ravel()[o] / power.ravel()[order[0]])
    raise AssertionError("no second, non-parallel mode")


def _line_angle_deg(k1: np.ndarray, k2: np.ndarray) -> float:
    """Angle (0-90 deg) between the lines of two wave vectors (k and -k are one mode)."""
    a = abs(np.degrees(np.arctan2(k1[1], k1[0]) - np.arctan2(k2[1], k2[0]))) % 180.0
    return float(min(a, 180.0 - a))


@needs_brian2
@pytest.mark.parametrize("offset", [0, 1])
def test_both_realizations_form_the_predicted_hexagonal_lattice(offset, seed_base):
    """Defaults (32 x 32, r0 = 1000 Hz, 0.8 s), each realization on its own: what the
    model predicts, not that the two pick the same lattice mode.

    The 32-neuron torus allows periods 32/|k| for integer wave vectors k: 10.12
    (|k| = sqrt 10), 10.67 (3), 11.31 (sqrt 8), the neighbours of the linear-stability
    prediction 10.67. Asserted for the reference and for Brian2: the strongest mode's
    period within 10 % of the prediction (the band holds exactly those three modes),
    contrast > 3, and a hexagonal lattice: the strongest mode not parallel to the first
    has at least 0.3 of its power (a stripe pattern has none) and lies 50-75 deg from it
    (60 deg on the integer lattice: 53.1, 63.4 or 71.6; a square lattice gives 90).

    Measured over 24 seeds (0-7, 1000-1003, 7777-7780, 4242-4245, 2000-2003): every run
    of both has period 10.12, 10.67 or 11.31 (reference 8 / 1 / 15 runs, Brian2
    14 / 2 / 8), contrast 7.4-7.9 (reference) and 9.7-14.6 (Brian2), angle 63.4 or 71.6
    (reference) and 53.1-71.6 (Brian2), power ratio >= 0.60 (reference) and >= 0.49
    (Brian2). Not asserted, because it is not seed-robust: the two realizations settle
    into the same mode. They did in 13 of the 24 seeds by period, 6 of 24 by the
    orientation observable (the strongest of the three equal modes of one lattice is a
    toss-up; e.g. seed 1000: reference 11.31 at 15 deg, Brian2 10.12 at 48.4 deg)."""
    seed = seed_base + offset
    for realization in ("reference", "brian2"):
        run = neurotwin.run("torus-attractor", realization, seed=seed)
        obs = run.observables
        theory = obs["pattern_period_theory"]
        assert abs(obs["pattern_period"] - theory) <= 0.1 * theory, (realization, obs)
        assert obs["pattern_contrast"] > 3, realization
        k1, k2, ratio = _two_strongest_modes(np.asarray(run.traces["activity"])[-1])
        angle = _line_angle_deg(k1, k2)
        assert ratio >= 0.3, (realization, k1, k2, ratio)
        assert 50.0 <= angle <= 75.0, (realization, k1, k2, angle)


@needs_brian2
def test_pattern_flows_with_the_velocity_like_the_reference(seed_base):
    """v_x = 0.4 m/s, seed 1: the spiking pattern flows at 27.52 neurons/s along axis 0
    against the reference's 27.71 (-0.7 %); bound 15 %, cross-component below 15 % of it.
    Measured also at 0.2 / 0.8 m/s: 13.65 / 51.80 vs 13.93 / 53.53 (seed 1)."""
    kw = {"seed": seed_base + 1, "velocity_x": 0.4}
    spk = neurotwin.run("torus-attractor", "brian2", **kw).observables
    ref = neurotwin.run("torus-attractor", "reference", **kw).observables
    v_x = ref["pattern_velocity_x"]
    tol = declared_tolerance("torus-attractor", "pattern_velocity_x")
    assert abs(spk["pattern_velocity_x"] - v_x) <= tol.bound(v_x)
    assert abs(spk["pattern_velocity_y"]) < 0.15 * spk["pattern_velocity_x"]


@needs_brian2
def test_drift_at_zero_velocity_falls_with_less_spiking_noise(seed_base):
    """No velocity input: the spiking pattern diffuses (the reference does not: 0.1-0.2
    neurons). The noise variance of s is ~ 1/r0, so the drift falls with r0 (Burak & Fiete
    2009: D ~ CV^2 / N). Mean squared drift over seeds 0, 1 (0.45 s measured): larger at
    r0 = 250 Hz than at 1000 Hz by more than 2x. Measured at the defaults' 0.45 s (seeds
    1, 2): drift 8.3 / 1.8 neurons at r0 = 200 Hz, 2.6 / 1.0 at 1000 Hz, 1.0 / 0.2 at 3000
    Hz."""

    def msd(r0):
        return np.mean(
            [
                neurotwin.run("torus-attractor", "brian2", seed=s, rate_scale_hz=r0).observables[
                    "pattern_drift"
                ]
                ** 2
                for s in (seed_base, seed_base + 1)
            ]
        )

    assert msd(250.0) > 2 * msd(1000.0)


@needs_brian2
def test_path_integration_along_the_same_trajectory(seed_base):
    """A random trajectory (OU velocity, s.d. 0.3 m/s per axis, 1.2 s after settling),
    seeds 0 and 1: both networks integrate it with a gain (neurons per m) within 25 % of
    each other and a mean error below 1.5 neurons. Measured: gain 74.7 / 66.0 (reference)
    and 58.2 / 58.6 (Brian2); mean error 0.25 / 0.45 and 0.36 / 0.74 neurons."""
    gains, errs = {"reference": [], "brian2": []}, {"reference": [], "brian2": []}
    for seed in (seed_base, seed_base + 1):
        for real in gains:
            obs = neurotwin.run(
                "torus-attractor", real, seed=seed, velocity="random", duration_s=1.5
            ).observables
            gains[real].append(obs["integration_gain"])
            errs[real].append(float(np.mean(obs["integration_error"])))
    assert np.mean(gains["brian2"]) == pytest.approx(np.mean(gains["reference"]), rel=0.25)
    for real in errs:
        assert np.mean(errs[real]) < 1.5, real


def test_window_rule_refuses_with_its_text():
    with pytest.raises(ParamError) as info:
        neurotwin.run("torus-attractor", "brian2", rate_scale_hz=10.0, window_s=0.05)
    assert str(info.value) == (
        "TorusSpikingOptions.window_s: must hold at least one spike at rate_scale_hz = 10.0 "
        "(window_s * rate_scale_hz >= 1; got 0.05)"
    )
