"""Brian2 pattern completion (input layer -> LIF layer, with or without recurrent synapses)
against the reference.

Measured at N = 64, P = 3, 6 cues, zero fill (mean final overlap, Brian2 vs reference):
f = 0.2, recurrent, 24 seeds (0-11, 50-61): 0.984 vs 0.985, means of 4 seeds differing by
-0.025..+0.031; f = 0.3, both modes, seeds 0-7: 1.0 or 0.995 in both. The declared
tolerance (ModelSpec.agreement, 0.1 on final_overlap) is checked there, on the mean over 4
seeds. At the edge of the basin, f = 0.1, the spiking network completes less often and
the declared tolerance does not hold: recurrent, 24 seeds: 0.892 vs 0.948, means of 4
seeds differing by -0.126..+0.016; feed-forward, 24 seeds: 0.868 vs 0.916 (means of 4
seeds -0.073..-0.023: the half-rate input trains of the unknown units add spike noise to a field
of only f = 0.1). This is stated in docs/models/memory_learning.rst, not tested as
agreement.

What recurrence buys is tested on the reference at N = 200 (test_pattern_completion.py).
At N = 64, P = 3 the gap is small and noisy in spikes: Brian2 recurrent minus feed-forward
at f = 0.1 was +0.12 on the mean of seeds 0-4 (0.939 vs 0.816) but +0.024 over seeds 0-11
and 50-61 (0.892 vs 0.868), so no spiking relation is asserted.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import current_seed_base, declared_tolerance

import neurotwin
from neurotwin import ParamError

pytest.importorskip("brian2")

KW = dict(n_units=64, n_patterns=3, n_cues=6, fill="zero")
N_SEEDS = 4


def _overlaps(realization: str, mode: str, f: float) -> np.ndarray:
    base = current_seed_base()
    return np.array([
        neurotwin.run("pattern-completion", realization, seed=s, mode=mode, cue_fraction=f,
                      **KW).observables["final_overlap"]
        for s in range(base, base + N_SEEDS)
    ])  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["recurrent", "feedforward"])
@pytest.mark.parametrize("f", [0.2, 0.3])
def test_completion_agrees_with_reference(mode, f):
    tol = declared_tolerance("pattern-completion", "final_overlap")
    ref = _overlaps("reference", mode, f).mean()
    b2 = _overlaps("brian2", mode, f).mean()
    assert abs(b2 - ref) <= tol.bound(ref), (mode, f, b2, ref)


def test_feedforward_fires_iff_the_pass_is_positive():
    """A strong cue (f = 1): the output layer is the one pass exactly."""
    kw = dict(seed=0, mode="feedforward", cue_fraction=1.0, n_units=32, n_patterns=2, n_cues=2)
    b2 = neurotwin.run("pattern-completion", "brian2", **kw)
    ref = neurotwin.run("pattern-completion", "reference", **kw)
    np.testing.assert_array_equal(b2.traces["state"][-1], ref.traces["state"][-1])


def test_window_rule_error_text():
    with pytest.raises(ParamError) as exc:
        neurotwin.run("pattern-completion", "brian2", cue_duration_s=0.03)
    assert (
        "Brian2CompletionOptions.cue_duration_s: must be an integer multiple of window_s = "
        "0.02 (got 0.03)" in str(exc.value)
    )
