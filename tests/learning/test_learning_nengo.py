"""Oja and BCM in Nengo (``spiking/learning_nengo.py``) against the reference rules on the
same samples, order, initial weights and seed.

The Nengo realization applies the reference's own update once per presentation to the
spike-count decoded sample (pre, LIF EnsembleArray) and the spike-count decoded response
of a LIF post ensemble driven by ``u(t) = w . x_hat(t)``; its only differences from the
reference are the pre encoding's error and the post's error (rms ``post_decode_rmse`` and
slope ``post_gain`` of y_hat against w . x_hat), so the reference's observables must agree
within the tolerances below.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import declared_tolerance

import neurotwin
from neurotwin import ParamError

pytest.importorskip("nengo")

OJA = {"n_samples": 1000, "n_epochs": 2, "learning_rate": 0.01}
#: BCM sped up (eta 0.05, tau_theta 10 steps) so that 4000 steps reach the selective
#: state; the reference's selectivity there is 0.74-0.77 (seeds 0-2), 1 - 1/K = 0.75 ideal
BCM = {"n_steps": 4000, "learning_rate": 0.05, "tau_theta": 10.0}


def _pair(model: str, seed: int, kw: dict):
    ref = neurotwin.run(model, "reference", seed=seed, **kw)
    nen = neurotwin.run(model, "nengo", seed=seed, **kw)
    return ref, nen


def _check_post(prov: dict) -> None:
    """The errors the differences come from: pre decode rmse a few % of its radius; post
    decode rmse 1.4-1.6 % of its radius (seeds 0-2; 3 % asserted), slope within 1 % of 1
    (measured 0.990-1.009, seeds 0-5; 2 % asserted), never beyond the radius."""
    assert prov["decode_rmse"] < 0.05 * prov["radius"]
    assert prov["post_decode_rmse"] < 0.03 * prov["post_radius"]
    assert abs(prov["post_gain"] - 1.0) < 0.02
    assert prov["post_saturated_fraction"] == 0.0


def _check_oja(seed: int) -> None:
    ref, nen = _pair("oja", seed, OJA)
    a, b = ref.observables, nen.observables
    assert b["pc_cosine"] > 0.98
    assert abs(a["pc_cosine"] - b["pc_cosine"]) <= declared_tolerance("oja", "pc_cosine").bound(
        a["pc_cosine"]
    )
    assert abs(b["weight_norm"] - 1.0) < 0.015
    _check_post(nen.provenance)


def _check_bcm(seed: int) -> None:
    ref, nen = _pair("bcm", seed, BCM)
    a, b = ref.observables, nen.observables
    assert b["preferred_pattern"] == a["preferred_pattern"]
    for name in ("selectivity", "max_response"):
        assert abs(a[name] - b[name]) <= declared_tolerance("bcm", name).bound(a[name]), name
    assert b["other_responses_max"] < 0.1 * b["max_response"] + 0.2
    _check_post(nen.provenance)


def test_oja_nengo_matches_reference(seed_base):
    """Oja (1982) on the 10-d Gaussian (eigenvalues 0.6^k), 1000 samples x 2 epochs,
    eta = 0.01, 50 LIF neurons per dimension, 200 post LIF neurons, 10 ms per sample:
    |cos| to the first PC within 0.01 of the reference and > 0.98, |w| within 0.015 of 1
    (Oja's fixed point).
    Measured (seeds 0, 1, 2): reference 0.9982, 0.9953, 0.9976; Nengo 0.9960, 0.9889,
    0.9963 (differences 0.0022, 0.0064, 0.0014; 0.0008, 0.0034, 0.0004 with the earlier
    linear, non-spiking post unit). Final |w| 1.0034, 1.0092, 1.0010 (reference 1.0033,
    1.0031, 1.0038). The post's noise makes |w| wander: over the second epoch's checkpoints
    1.0069 +- 0.0027, 1.0050 +- 0.0024, 1.0024 +- 0.0027 (reference +- 0.0003-0.0004),
    and a post gain g shifts Oja's fixed point to g^-1/2 (g = 0.990, 0.994, 1.001); the
    tolerance 0.015 is the largest mean offset (0.007) plus 3 std (0.008). Post decode
    rmse 0.060, 0.059, 0.059 (1.5-1.6 % of the post radius 3.8-4.0); pre decode rmse
    0.081, 0.106, 0.079."""
    _check_oja(seed_base)


def test_bcm_nengo_matches_reference(seed_base):
    """BCM (Bienenstock, Cooper & Munro 1982; Intrator & Cooper 1992 threshold), K = 4
    patterns in 20-d: the same preferred pattern, selectivity within 0.05, the peak
    response within 10% of the reference's (fixed point 1/p = 4), the other responses
    small. Measured (seeds 0, 1, 2): selectivity reference 0.766, 0.742, 0.741 / Nengo
    0.754, 0.734, 0.742; peak 3.154, 4.052, 4.318 / 3.122, 3.920, 4.215 (1.0, 3.2, 2.4 %;
    0.3, 0.7, 2.8 % with the earlier linear post unit); other responses max 0.076,
    0.103, 0.182 (Nengo). Post decode rmse 0.118, 0.114, 0.116 (1.4-1.5 % of the post
    radius 2 K = 8), post gain 1.009, 0.997, 1.002, largest response 0.91, 0.85, 0.75 of
    the radius; pre decode rmse 0.013-0.015 (radius 0.41-0.44)."""
    _check_bcm(seed_base)


@pytest.mark.slow
@pytest.mark.parametrize("offset", [1, 2])
def test_more_seeds_agree(offset, seed_base):
    """The same two checks on seeds 1 and 2 (numbers in the docstrings above)."""
    _check_oja(seed_base + offset)
    _check_bcm(seed_base + offset)


def test_post_latency_lead_and_lag():
    """The timing of post within a window (module docstring, Latency): with no filter on
    u -> post, post leads (it overshoots in the first steps after each switch), gain 1.053;
    a 1 ms lowpass lags (part of each sample's input moves into the next window), gain
    0.973 (normalised Hebb, |w| = 1 from the first sample, 200 samples, seed 0). The
    default 0.75 ms between them gives 0.995 here and 0.990-1.009 in the agreement runs
    (asserted there). Asserted: lead > 1.02, lag < 0.99."""
    kw = {"n_samples": 200, "n_epochs": 1, "rule": "hebb-normalized"}

    def gain(post_synapse_s: float) -> float:
        res = neurotwin.run("oja", "nengo", seed=0, post_synapse_s=post_synapse_s, **kw)
        return res.provenance["post_gain"]

    assert gain(0.0) > 1.02
    assert gain(0.001) < 0.99


def test_same_samples_and_checkpoints_as_reference():
    """Both realizations record w at the same checkpoints from the same start."""
    ref, nen = _pair("oja", 0, {"n_samples": 50, "n_epochs": 1, "n_checkpoints": 5})
    np.testing.assert_array_equal(ref.t, nen.t)
    np.testing.assert_array_equal(ref.traces["w"][0], nen.traces["w"][0])
    assert nen.traces["w"].shape == ref.traces["w"].shape


def test_bad_options_exact_text():
    with pytest.raises(ParamError) as info:
        neurotwin.run("oja", "nengo", n_samples=10, n_epochs=1, present_s=0.0015)
    assert str(info.value) == (
        "NengoLearningOptions.present_s: must be an integer multiple of dt_s = 0.001 (got 0.0015)"
    )
    # a rule of the options, so creating them alone (as a sweep does up front) refuses it
    from neurotwin.spiking.learning.nengo import NengoLearningOptions

    with pytest.raises(ParamError) as info:
        NengoLearningOptions.create(None, present_s=0.0015)
    assert str(info.value) == (
        "NengoLearningOptions.present_s: must be an integer multiple of dt_s = 0.001 (got 0.0015)"
    )
    with pytest.raises(ParamError) as info:
        neurotwin.run("bcm", "nengo", n_steps=10, neurons_per_dim=0)
    assert (
        str(info.value) == "NengoLearningOptions.neurons_per_dim: must be an integer >= 1 (got 0)"
    )
    with pytest.raises(ParamError) as info:
        neurotwin.run("bcm", "nengo", n_steps=10, post_average_from=1.0)
    assert str(info.value) == (
        "NengoLearningOptions.post_average_from: must be a finite number >= 0 and < 1 (got 1.0)"
    )


# -- PES readout: the I/O-latency control -----------------------------------------------


def test_pes_delay_options_validated():
    """The controls' shifts are options of both PES realizations, each shorter than one
    presentation (a whole one would pair every image with another image's label)."""
    from neurotwin.spiking.learning.loihi import LoihiPesOptions
    from neurotwin.spiking.learning.nengo import NengoPesOptions

    for cls in (NengoPesOptions, LoihiPesOptions):
        assert cls().image_delay_steps == 0 and cls().label_delay_steps == 0
    with pytest.raises(ParamError) as info:
        NengoPesOptions.create(None, label_delay_steps=-1)
    assert str(info.value).startswith("NengoPesOptions.label_delay_steps: ")
    kw = {"n_neurons": 10, "subsample": 0.05, "present_s": 0.01}
    with pytest.raises(ParamError) as info:
        neurotwin.run("pes-readout", "nengo", label_delay_steps=10, **kw)
    assert str(info.value) == (
        "NengoPesOptions.label_delay_steps: must be less than the 10 steps of one "
        "presentation (present_s / dt_s; got 10)"
    )


def test_pes_label_shift_below_the_learn_epoch_is_invisible_on_the_emulator():
    """The control on the emulator (nengo-loihi; skipped without it, run it in the
    [loihi] environment): nengo-loihi applies PES only every ``learn_epoch`` = 4 steps,
    with the error of that step (``nengo_loihi/emulator/interface.py``,
    ``if t % synapse.learn_epoch == 0``). With 20-step presentations (a multiple of 4) a
    label shifted by 1-3 steps changes no sampled error, so the chip learns exactly the
    same weights; a shift of 4 moves the first sample of each image to the previous
    label and changes them. So the 2-step I/O latency cannot be compensated by shifting
    the label on the chip (the gap measured in docs/models/learning.rst)."""
    from neurotwin.registry import get_realization

    real = get_realization("pes-readout", "loihi-emulator")
    if not real.available():
        pytest.skip(real.why_unavailable())
    kw = {"n_neurons": 50, "subsample": 0.1, "present_s": 0.02, "seed": 3}
    runs = {
        d: neurotwin.run("pes-readout", "loihi-emulator", label_delay_steps=d, **kw)
        for d in (0, 2, 4)
    }
    weights = {d: r.provenance["chip"]["weights"] for d, r in runs.items()}
    assert weights[0]["learning"]["learn_epoch_steps"] == 4
    assert weights[2]["range"] == weights[0]["range"]
    assert weights[2]["levels"] == weights[0]["levels"]
    assert weights[4]["range"] != weights[0]["range"]


@pytest.mark.slow
def test_pes_label_shift_by_one_learn_epoch_closes_most_of_the_emulator_gap(seed_base):
    """The control in the other direction (nengo-loihi; skipped without it). Measured,
    100 neurons, 30 % of the digits, one epoch, seeds 0-3 (mean, 95 % t-interval):
    float Nengo 0.789 [0.748, 0.830], emulator 0.711 [0.612, 0.810] (gap 0.078
    [0.020, 0.136]); float Nengo with the images 2 steps late 0.715 (the first
    direction: the loss reproduced), and with the labels also 2 steps late 0.774 (loss
    0.015 [-0.009, 0.038]). On the emulator a label shift of 1-3 steps is a no-op (the
    fast test above); shifted by one learn epoch (4 steps) it scores 0.796
    [0.768, 0.824], +0.085 [0.002, 0.168] over no shift (+0.141, +0.044, +0.037,
    +0.119), and the gap to float Nengo with the same shift is 0.028 [-0.015, 0.070].
    Seeds 100-101: +0.037, +0.044 (emulator 0.770, 0.822; shifted 0.807, 0.867; float
    Nengo shifted 0.815, 0.859). Asserted on two seeds of the run's base: the shifted
    emulator scores higher on average."""
    from neurotwin.registry import get_realization

    real = get_realization("pes-readout", "loihi-emulator")
    if not real.available():
        pytest.skip(real.why_unavailable())
    kw = {"n_neurons": 100, "subsample": 0.3}
    gain = [
        neurotwin.run(
            "pes-readout", "loihi-emulator", seed=s, label_delay_steps=4, **kw
        ).observables["test_accuracy"]
        - neurotwin.run("pes-readout", "loihi-emulator", seed=s, **kw).observables["test_accuracy"]
        for s in (seed_base, seed_base + 1)
    ]
    assert np.mean(gain) > 0, gain
