"""Oja and BCM in Nengo (``spiking/learning_nengo.py``) against the reference rules on the
same samples, order, initial weights and seed.

The Nengo realization applies the reference's own update once per presentation to the
spike-count decoded sample (pre, LIF EnsembleArray) and the spike-count decoded response
of a LIF post ensemble driven by ``u(t) = w . x_hat(t)``; its only differences from the
reference are the pre encoding's error and the post's error (rms ``post_decode_rmse`` and
slope ``post_gain`` of y_hat against w . x_hat). Both rules are stochastic in the samples
and the spikes, so each test states what holds on every seed and what holds on the mean
of the run's seeds (``seed_base`` ... ``seed_base + N_SEEDS - 1``), with the numbers
measured over seeds 0-30 (Oja; 0-40 BCM), 1000-1004, 4242-4246 and 7777-7781.
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
#: state; the reference's selectivity there is 0.736 +- 0.069 (56 seeds), 1 - 1/K = 0.75 ideal
BCM = {"n_steps": 4000, "learning_rate": 0.05, "tau_theta": 10.0}
#: seeds per mean claim (the slow test)
N_SEEDS = 5


def _pair(model: str, seed: int, kw: dict):
    ref = neurotwin.run(model, "reference", seed=seed, **kw)
    nen = neurotwin.run(model, "nengo", seed=seed, **kw)
    return ref, nen


def _check_post(prov: dict) -> None:
    """The errors the differences come from, on every seed (101 runs: 45 Oja, 56 BCM): pre
    decode rmse at most 3.5 % of its radius (5 % asserted); post decode rmse at most 1.65 %
    of its radius (3 % asserted), slope 0.989-1.011 (within 2 % of 1 asserted). The post
    stays within its radius except for transients of BCM's overshoot: 3 of 4000
    presentations beyond it at seed 4244 (0.075 %), none on the 100 other runs (so "never",
    the earlier per-seed claim, does not hold); asserted below 0.5 %."""
    assert prov["decode_rmse"] < 0.05 * prov["radius"]
    assert prov["post_decode_rmse"] < 0.03 * prov["post_radius"]
    assert abs(prov["post_gain"] - 1.0) < 0.02
    assert prov["post_saturated_fraction"] < 0.005


def _check_oja(seed: int) -> tuple[dict, dict]:
    """Per seed: both realizations find the first PC (|cos| > 0.95; a vector off it by the
    second PC's direction would give ~0, a random 10-d one ~0.25) and Nengo's |w| is at
    Oja's fixed point 1 within 0.015."""
    ref, nen = _pair("oja", seed, OJA)
    a, b = ref.observables, nen.observables
    assert a["pc_cosine"] > 0.95 and b["pc_cosine"] > 0.95, (seed, a, b)
    assert abs(b["weight_norm"] - 1.0) < 0.015, (seed, b)
    _check_post(nen.provenance)
    return a, b


def _check_bcm(seed: int) -> tuple[dict, dict]:
    """Per seed: Nengo is selective (the winner's response at least 2.5 times every other
    |response|) with its peak within K/2..3K/2 of the fixed point 1/p = K; where the same
    pattern wins in both, the selectivity is within the declared tolerance. Which pattern
    wins is a symmetry breaking by the noise, not a claim of the model. The peak's
    agreement is a claim on the mean (the slow test)."""
    ref, nen = _pair("bcm", seed, BCM)
    a, b = ref.observables, nen.observables
    k = b["selective_fixed_point"]
    assert b["max_response"] >= 2.5 * b["other_responses_max"], (seed, b)
    assert 0.5 * k <= b["max_response"] <= 1.5 * k, (seed, b)
    if b["preferred_pattern"] == a["preferred_pattern"]:
        tol = declared_tolerance("bcm", "selectivity")
        assert abs(a["selectivity"] - b["selectivity"]) <= tol.bound(a["selectivity"]), (a, b)
    _check_post(nen.provenance)
    return a, b


def test_oja_nengo_finds_the_first_pc(seed_base):
    """Oja (1982) on the 10-d Gaussian (eigenvalues 0.6^k), 1000 samples x 2 epochs,
    eta = 0.01, 50 LIF neurons per dimension, 200 post LIF neurons, 10 ms per sample; the
    per-seed checks of ``_check_oja`` on the run's base seed.

    Measured, 45 seeds (0-30, 1000-1004, 4242-4246, 7777-7781): |cos| to the first PC,
    Nengo 0.9718-0.9992 (mean 0.9928, sd 0.0064; 0.9718 at 7779, 0.9767 at 7781, 0.9785 at
    4243, 0.9798 at 1001), reference 0.9643-0.9994 (0.9643 at 1003). With eta = 0.01 the
    weight vector fluctuates about the PC in both, so a per-seed |cos| > 0.98 (the earlier
    claim) does not hold for Nengo (4 of 45 seeds) nor for the reference (seed 1003); it is
    a claim about the mean (the slow test). Nengo |w| within 0.0102 of 1 on every seed (the
    post's noise makes |w| wander by about +-0.0025, and a post gain g moves Oja's fixed
    point to g^-1/2, g = 0.989-1.007)."""
    _check_oja(seed_base)


def test_bcm_nengo_is_selective(seed_base):
    """BCM (Bienenstock, Cooper & Munro 1982; Intrator & Cooper 1992 threshold), K = 4
    patterns in 20-d, the sped-up settings ``BCM``; the per-seed checks of ``_check_bcm`` on
    the run's base seed.

    Measured, 56 seeds (0-40, 1000-1004, 4242-4246, 7777-7781): the same pattern wins in
    both on 42; a different one on 14 (7, 9, 17, 19, 23, 25, 29, 32, 34-36, 1000, 4242,
    7780), where the earlier "same preferred pattern" assert failed. Winner / largest other
    |response|: Nengo 3.8-138, reference 3.7-57. Peak: Nengo 2.28-5.46 (mean 3.70, sd 0.71,
    95 % interval of the mean [3.51, 3.89]), reference 2.35-5.47 (3.79, sd 0.64, [3.62,
    3.96]): after 4000 steps at eta = 0.05 the reference itself has not settled at K = 4,
    so "near K" is a loose per-seed band here. With the same winner the selectivity differs
    by at most 0.032 (declared 0.05); with a different winner the two compare different
    patterns (selectivity up to 0.169 apart, peak up to 72 %) and no agreement is claimed.
    The earlier "other responses < 0.1 peak + 0.2" fails for the reference itself (seed 3:
    0.988 at peak 4.65; Nengo 0.615 at 1002) and was replaced by the ratio."""
    _check_bcm(seed_base)


@pytest.mark.slow
def test_nengo_agrees_with_reference_on_the_mean(seed_base):
    """The per-seed checks on the run's ``N_SEEDS`` seeds, and Oja's claims on the mean.

    Oja: mean Nengo |cos| > 0.98 (45 seeds: mean 0.9928, sd 0.0064, so sd 0.0029 for a
    5-seed mean; 5-seed means of consecutive seeds measured 0.9865-0.9956), and the mean
    |cos| within the declared tolerance (0.01) of the reference's mean (reference minus
    Nengo per seed 0.0019 +- 0.0052, 95 % interval of the mean [0.0003, 0.0034]; per seed
    beyond 0.01 at 1001, 1003, 4243, 7779; 5-seed means measured -0.0010..0.0046).
    BCM: over the seeds where the same pattern wins, the mean relative peak difference
    within the declared 10 % (42 seeds: Nengo -2.9 % +- 2.5 %, 95 % interval of the mean
    [-3.7, -2.1] %; a per-seed 10 % fails at seed 28, -11.4 %, post gain 1.011). Over all
    seeds the paired peak difference is heavy-tailed (sd 0.15 with the different winners),
    so it is not asserted there; 5-seed mean peaks measured Nengo 3.33-3.94, reference
    3.48-4.08."""
    seeds = range(seed_base, seed_base + N_SEEDS)
    oja = [_check_oja(s) for s in seeds]
    bcm = [_check_bcm(s) for s in seeds]
    ref = np.mean([a["pc_cosine"] for a, _ in oja])
    nen = np.mean([b["pc_cosine"] for _, b in oja])
    assert nen > 0.98, oja
    assert abs(ref - nen) <= declared_tolerance("oja", "pc_cosine").bound(ref), (ref, nen)
    same = [(a, b) for a, b in bcm if a["preferred_pattern"] == b["preferred_pattern"]]
    if same:  # all 5 winners differ with probability about 0.25^5 = 0.001
        rel = np.mean([b["max_response"] / a["max_response"] - 1 for a, b in same])
        assert abs(rel) <= declared_tolerance("bcm", "max_response").rtol, (rel, same)


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
