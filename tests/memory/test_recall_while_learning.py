"""Recall while learning: a cue completed in the middle of the palimpsest's stream, while
the couplings keep learning (``palimpsest-hopfield`` with ``mid_cue_at``).

No published value was found for this protocol (the palimpsest papers measure the span of
a stream without mid-stream recall), so the tests assert relations measured over seeds.

Measured (reference, marginalist, N = 200, epsilon = 4, cue after 150 patterns, 5 more
after it, mid-cue noise 0.2; ages 6, 9, 12, 15 at the cue, 35 seeds each: 0-14, 100-109,
1000-1009): in all 72 runs whose mid-stream completion succeeded (overlap >= 0.95) the
pattern was recalled at the end (the final overlap equal to the completed one), and in all
60 runs whose completion failed (< 0.5) it was not (final overlap at most 0.48): the memory
keeps what it completed, right or wrong (max |final - completed| 0.08 over the 140 runs).
Recalled at the end with against without the mid-stream cue: age 6: 0.94 vs 0.89; age 9:
0.74 vs 0.54; age 12: 0.37 vs 0.11; age 15: 0.0 vs 0.03 (rehearsal helps while completion
works, and harms once it fails). The learned completed state costs the other memories: the
number retrieved falls by 1.5-3.0 on the mean (per seed -9..+2).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import current_seed_base

import neurotwin
from neurotwin import InputError, ParamError
from neurotwin.rate_models.memory.palimpsest_hopfield import PalimpsestParams, make_inputs

KW = dict(n_units=200, n_stream=155, n_probes=40, mid_cue_noise=0.2)
N_SEEDS = 8


def _pair(seed: int, age: int):
    on = neurotwin.run("palimpsest-hopfield", "reference", seed=seed, mid_cue_at=150,
                       mid_cue_age=age, **KW).observables  # fmt: skip
    off = neurotwin.run("palimpsest-hopfield", "reference", seed=seed, **KW).observables
    return on, off


@pytest.mark.parametrize("age", [6, 9, 12, 15])
def test_the_memory_keeps_what_it_completed(age):
    """Learning never stops, so the completed state is written like a stream pattern: a cue
    completed mid-stream (overlap >= 0.95) is recalled at the end (measured 72 of 72 runs),
    a failed completion (overlap < 0.5) is not (60 of 60, final overlap at most 0.48)."""
    base = current_seed_base()
    for seed in range(base, base + N_SEEDS):
        on, _ = _pair(seed, age)
        if on["mid_cue_overlap"] >= 0.95:
            assert on["mid_cued_final_overlap"] >= 0.95, (seed, on)
        elif on["mid_cue_overlap"] < 0.5:
            assert on["mid_cued_final_overlap"] < 0.95, (seed, on)


def test_recent_cue_is_completed_and_learning_it_costs_the_others():
    """Age 0 (the pattern just presented, 20% of its bits flipped): completed on every seed
    (measured 12/12 at overlap 1.0); the extra learned state pushes older patterns out of
    the span: fewer retrieved on the mean (measured -1.9, per seed -4..-1)."""
    base = current_seed_base()
    pairs = [_pair(s, 0) for s in range(base, base + N_SEEDS)]
    assert all(on["mid_cue_overlap"] >= 0.95 for on, _ in pairs)
    loss = [on["n_retrieved"] - off["n_retrieved"] for on, off in pairs]
    assert np.mean(loss) < 0, loss


def test_mid_cue_leaves_the_probes_alone():
    """The mid-stream cue is drawn after the probes' cues: the same probes with and without."""
    base = PalimpsestParams.create(n_units=50, n_stream=30)
    with_cue = PalimpsestParams.create(base, mid_cue_at=20, mid_cue_age=3)
    w = {"patterns": np.random.default_rng(0).choice([-1, 1], (30, 50)).astype(np.int8)}
    a = make_inputs(base, w, np.random.default_rng(1))
    b = make_inputs(with_cue, w, np.random.default_rng(1))
    np.testing.assert_array_equal(a["cues"], b["cues"])
    assert "mid_cue" not in a and b["mid_cue"].shape == (50,)


def test_mid_cue_rules_error_texts():
    cases = [
        (dict(n_stream=10, mid_cue_at=11), "PalimpsestParams.mid_cue_at: must be at most "
         "n_stream = 10 (got 11)"),
        (dict(n_stream=10, mid_cue_at=5, mid_cue_age=5), "PalimpsestParams.mid_cue_age: "
         "must be below mid_cue_at = 5, the patterns presented before the cue (got 5)"),
        (dict(n_stream=20, n_probes=5, mid_cue_at=10), "PalimpsestParams.mid_cue_at: the "
         "cued pattern's final age n_stream - mid_cue_at + mid_cue_age = 10 must be probed, "
         "below n_probes = 5 (got 10)"),
    ]  # fmt: skip
    for kw, text in cases:
        with pytest.raises(ParamError) as exc:
            neurotwin.run("palimpsest-hopfield", "reference", **kw)
        assert text in str(exc.value)


def test_given_w_is_refused_with_a_mid_cue():
    pats = np.random.default_rng(0).choice([-1, 1], (20, 40)).astype(np.int8)
    with pytest.raises(InputError) as exc:
        neurotwin.run("palimpsest-hopfield", "reference", mid_cue_at=10,
                      weights={"patterns": pats, "W": np.zeros((40, 40))})  # fmt: skip
    assert "a given W cannot be used with mid_cue_at" in str(exc.value)
