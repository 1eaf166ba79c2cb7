"""McCulloch-Pitts gates as LIF neurons in Brian2 (``spiking/perceptron/mcculloch_pitts_brian2.py``)
against the reference's truth tables: Poisson bursts in, the output read by the same rate rule."""

from __future__ import annotations

import numpy as np
import pytest

import neurotwin
from neurotwin import ParamError
from neurotwin.rate_models.perceptron.mcculloch_pitts import BOOLEAN, truth_table_inputs

pytest.importorskip("brian2")

GATES = ["AND", "OR", "NOT", "NAND", "XOR"]


@pytest.mark.parametrize("gate", GATES)
def test_every_truth_table_over_seeds(gate, seed_base):
    """Each row presented 10 times (random order) in each of 3 seeds, inputs at 100 Hz on
    20 fibres per line, read out over [10, 50) ms of each 50 ms window at >= 50 Hz. Bound:
    at most 1 wrong presentation in 10 for any row and seed (error rate <= 0.1), the
    majority truth table equal to the reference's in every seed, the input lines read back
    without error. Measured (seeds 0-2, 20 presentations per row): no wrong presentation
    for any gate; median latency 6-10 ms for one layer, 17 ms for XOR's two."""
    n_in = 1 if gate == "NOT" else 2
    target = BOOLEAN[gate](truth_table_inputs(n_in))
    for seed in range(seed_base, seed_base + 3):
        spk = neurotwin.run("mcculloch-pitts", "brian2", seed=seed, gate=gate)
        ref = neurotwin.run("mcculloch-pitts", "reference", seed=seed, gate=gate)
        np.testing.assert_array_equal(spk.traces["output"], ref.traces["output"])
        np.testing.assert_array_equal(spk.traces["output"], target)
        assert spk.observables["truth_table_accuracy"] == 1.0
        assert np.max(spk.observables["error_rate_per_row"]) <= 0.1, (seed, gate)
        assert spk.observables["input_error_rate"] == 0.0
        assert 0 < spk.observables["latency_s"] < 0.04
        if gate == "XOR":
            np.testing.assert_array_equal(spk.traces["hidden"], ref.traces["hidden"])


def test_xor_needs_the_hidden_layer():
    """The spiking XOR is the reference's two layers (OR, NAND -> AND), which the LP shows
    one unit cannot replace; its raster has the hidden units' spikes."""
    spk = neurotwin.run("mcculloch-pitts", "brian2", seed=4, gate="XOR")
    assert spk.observables["single_unit_representable"] is False
    assert set(spk.spikes) == {"inputs", "hidden", "out"}
    assert set(np.unique(spk.spikes["hidden"][1])) == {0, 1}


def test_rate_range_follows_the_mean_drive():
    """A gate built for r0 = 100 Hz driven at r: AND reads both-on inputs as 0 below
    r = 0.75 r0 (here 50 Hz) and one-on inputs as 1 above 1.5 r0 (here 200 Hz); OR stays
    correct at 200 Hz (its range is r > 0.5 r0). Measured, seed 0: AND error rate on
    (1, 1) 1.0 at 50 Hz, on (0, 1) and (1, 0) 1.0 at 200 Hz; OR 0 at 200 Hz."""
    low = neurotwin.run("mcculloch-pitts", "brian2", seed=0, gate="AND", rate_hz=50.0)
    assert low.observables["error_rate_per_row"][3] >= 0.9
    high = neurotwin.run("mcculloch-pitts", "brian2", seed=0, gate="AND", rate_hz=200.0)
    assert min(high.observables["error_rate_per_row"][1:3]) >= 0.9
    ok = neurotwin.run("mcculloch-pitts", "brian2", seed=0, gate="OR", rate_hz=200.0)
    assert ok.observables["error_rate"] == 0.0


def test_compare_runs_the_spiking_row():
    comp = neurotwin.compare("mcculloch-pitts", seed=0, gate="NAND")
    assert set(comp.results) == {"reference", "brian2"}
    assert comp.results["brian2"].observables["truth_table_accuracy"] == 1.0


@pytest.mark.parametrize(
    ("kw", "text"),
    [
        (
            {"present_s": 0.05, "skip_s": 0.05},
            "McCullochPittsSpikingOptions.skip_s: must be < present_s = 0.05 (got 0.05)",
        ),
        (
            {"present_s": 0.05, "jitter_s": 0.06},
            "McCullochPittsSpikingOptions.jitter_s: must be < present_s = 0.05 (got 0.06)",
        ),
        (
            {"present_s": 0.05005},
            "McCullochPittsSpikingOptions.present_s: must be a whole number of dt_s = 0.0001 "
            "(got 0.05005)",
        ),
    ],
)
def test_option_rules_refuse_with_their_text(kw, text):
    with pytest.raises(ParamError) as info:
        neurotwin.run("mcculloch-pitts", "brian2", **kw)
    assert str(info.value) == text
