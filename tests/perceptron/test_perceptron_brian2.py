"""The spiking perceptron in Brian2 (``spiking/perceptron/brian2.py``): an LIF neuron learning
with Rosenblatt's rule from its own spike/no-spike decisions, against the reference on
the same separable data (task ``margin``, defaults: N = 20, P = 200, margin 0.3)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import declared_tolerance

import neurotwin
from neurotwin import ParamError

pytest.importorskip("brian2")


def _pair(seed: int, **kw):
    ref = neurotwin.run("perceptron", "reference", seed=seed, **kw)
    spk = neurotwin.run("perceptron", "brian2", seed=seed, **kw)
    return ref, spk


def test_same_path_as_reference_when_first_label_is_positive():
    """Seed 1 starts with a +1 pattern: the first update is then the same in both, and
    from there the LIF's spike decision (fires iff w.x > 1e-9 b) equals the reference's
    sign on every pattern, so the per-epoch mistakes and the final weights are identical.
    Measured: mistakes per epoch [27, 1, 2, 1, 0] in both, max |w difference| 0.0."""
    ref, spk = _pair(1)
    np.testing.assert_array_equal(spk.traces["mistakes"], ref.traces["mistakes"])
    np.testing.assert_allclose(spk.observables["w"], ref.observables["w"], atol=1e-12)


@pytest.mark.parametrize("offset", [0, 2])
def test_mistakes_and_accuracy_agree_with_reference(offset, seed_base):
    """Seeds 0 and 2 start with -1 patterns, on which the silent neuron at w = 0 is right
    while the reference (y w.x <= 0) counts a mistake; the paths then differ. Both reach
    training accuracy 1 (an epoch without mistakes), both stay below Novikoff's (1962)
    bound (R/gamma)^2, and the spiking mistakes are within 30% of the reference's.
    Measured (defaults): seed 0: 38 (reference) vs 29 (Brian2), 4 vs 3 epochs; seed 2:
    43 vs 33, 7 vs 3 epochs (-24%, -23%); bounds 525.5 and 423.1. With margin 0.1 and
    P = 100 (seeds 0, 1, 2): 97/89, 39/39, 57/56."""
    ref, spk = _pair(seed_base + offset)
    a, b = ref.observables, spk.observables
    assert a["training_accuracy"] == 1.0 and b["training_accuracy"] == 1.0
    assert b["converged"] and spk.traces["mistakes"][-1] == 0
    assert b["mistakes"] <= b["novikoff_bound"]
    tol = declared_tolerance("perceptron", "mistakes")
    assert abs(b["mistakes"] - a["mistakes"]) <= tol.bound(a["mistakes"])


def test_bad_option_exact_text():
    with pytest.raises(ParamError) as info:
        neurotwin.run("perceptron", "brian2", n_samples=10, present_s=0.0015)
    assert str(info.value) == (
        "SpikingPerceptronOptions.present_s: must be an integer multiple of dt_s = 0.001 "
        "(got 0.0015)"
    )
