"""The Brian2 palimpsest (online learning, no phase switch) against the reference.

Tolerance: the spiking network learns with the binarized traces of its own spikes, so each
switch of pattern also writes a little of a mixture, and every probe writes its own cue into
the couplings during the cue and the recall (learning stays on); its decoded recall often
keeps 1-3 wrong bits of 64 (overlap 0.91-0.97), where the model's "recalled" is overlap >=
0.95 (``RECALL_THRESHOLD``: at N = 64 at most 1 wrong bit). The cue (cue noise 0.1) has
round(6.4) = 6 of 64 bits flipped, overlap 0.8125. Measured (N = 64, stream 96, 24 probed
ages) over seeds 0-19 (the earlier measurement) and 55 more (100-139, 1000-1004, 4242-4246,
7777-7781); the 5-seed means below are over every run of 5 consecutive seeds of the 55:

* age 0 (the most recent pattern): the reference recalls it at overlap 1.0 on every seed
  (asserted per seed). Brian2: 0.969-1.0 on seeds 0-19; on the 55, 1.0 on 46, 0.969 (1
  wrong bit) on 7 and 0.9375 (2 wrong bits) on 2 (1002, 122), so "Brian2 recalls age 0 at
  the model's 0.95" is not a per-seed property. Asserted per seed: overlap >= 0.9 (at most
  3 wrong bits, the realization's known residual: at least half of the cue's 6 wrong bits
  corrected); asserted on the mean of the run's 5 seeds: >= 0.95, the model's threshold
  (per seed mean 0.994, sd 0.015, so sd 0.007 for a 5-seed mean; 5-seed means 0.975-1.0);
* age 1: Brian2 0.875-1.0 per seed (mean 0.964 on 0-19, 0.978 on the 55, sd 0.028-0.041;
  seed 18 had 4 wrong bits). The reference misses it too on some seeds (0.719 at seed 105,
  0.9375 at 107; recalled on 53 of the 55, mean 0.993, sd 0.039), so the earlier per-seed
  assert on the reference's age 1 was false: both asserted on the mean of the run's 5
  seeds, >= 0.9 (5-seed means: Brian2 0.956-1.0, 0.944 the lowest on 0-19; reference
  0.931-1.0);
* retrieved count, Brian2 minus reference: -4..+1 per seed (mean -1.45, sd 1.05-1.24;
  Brian2 retrieves fewer because of the wrong bits above): asserted on the 5-seed mean,
  within [-3, 1] (5-seed means -2.6..+0.2);
* the 4 oldest probed ages recalled by neither, and the clamp holding every presented
  pattern (stream fidelity 1.0), on all 75 seeds: asserted on every seed.
"""

from __future__ import annotations

import numpy as np
import pytest

import neurotwin
from neurotwin import ParamError
from neurotwin.rate_models.memory.palimpsest_hopfield import RECALL_THRESHOLD

pytest.importorskip("brian2")

KW = dict(n_units=64, n_stream=96, n_probes=24, cue_noise=0.1)


N_SEEDS = 5


@pytest.mark.slow
def test_forgetting_curve_matches_reference(seed_base):
    b2s, refs = [], []
    for seed in range(seed_base, seed_base + N_SEEDS):
        b2 = neurotwin.run("palimpsest-hopfield", "brian2", seed=seed, **KW).observables
        ref = neurotwin.run("palimpsest-hopfield", "reference", seed=seed, **KW).observables
        assert ref["recalled"][0], (seed, ref["overlap_vs_age"][:2])
        assert b2["overlap_vs_age"][0] >= 0.9, (seed, b2["overlap_vs_age"][:2])
        assert not b2["recalled"][-4:].any() and not ref["recalled"][-4:].any(), seed
        assert b2["stream_fidelity"] > 0.95, seed  # the clamp holds every presented pattern
        b2s.append(b2)
        refs.append(ref)
    first = [b["overlap_vs_age"][:2] for b in b2s]
    assert np.mean([b["overlap_vs_age"][0] for b in b2s]) >= RECALL_THRESHOLD, first
    assert np.mean([b["overlap_vs_age"][1] for b in b2s]) >= 0.9, first
    assert np.mean([r["overlap_vs_age"][1] for r in refs]) >= 0.9, [
        r["overlap_vs_age"][:2] for r in refs
    ]
    diff = [b["n_retrieved"] - r["n_retrieved"] for b, r in zip(b2s, refs, strict=True)]
    assert -3 <= np.mean(diff) <= 1, diff


def test_present_rule_error_text():
    with pytest.raises(ParamError) as exc:
        neurotwin.run("palimpsest-hopfield", "brian2", present_s=0.03)
    assert (
        "Brian2PalimpsestOptions.present_s: must be an integer multiple of window_s = 0.02 "
        "(got 0.03)" in str(exc.value)
    )


def test_learned_overlap_decays_with_age():
    r = neurotwin.run("palimpsest-hopfield", "brian2", seed=0, n_units=32, n_stream=24)
    lo = r.observables["learned_overlap"]
    assert np.mean(lo[:4]) > np.mean(lo[-4:])


@pytest.mark.slow
def test_mid_stream_cue_is_completed_while_learning(seed_base):
    """Recall while learning in spikes: the pattern just presented, cued with 20% of its bits
    flipped after 36 of 40 stream patterns, is completed by the learning network (measured
    overlap 1.0 at seeds 0, 1; see docs/models/memory_learning.rst for the age sweep), and
    the stream's presentations still hold around the inserted cue (fidelity > 0.95)."""
    kw = dict(n_units=64, n_stream=40, n_probes=12, cue_noise=0.1, mid_cue_noise=0.2)
    for seed in range(seed_base, seed_base + 3):
        obs = neurotwin.run(
            "palimpsest-hopfield", "brian2", seed=seed, mid_cue_at=36, mid_cue_age=0, **kw
        ).observables
        assert obs["mid_cue_overlap"] >= 0.9, (seed, obs["mid_cue_overlap"])
        assert obs["stream_fidelity"] > 0.95, seed
