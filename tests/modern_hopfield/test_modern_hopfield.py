"""The dense associative memory and modern Hopfield reference: theory, attention, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import neurotwin
from neurotwin import InputError, ParamError
from neurotwin.rate_models.hopfield import hopfield as hf
from neurotwin.rate_models.modern_hopfield import modern_hopfield as mh

MODEL = "modern-hopfield"


# -- dense associative memory ------------------------------------------------------------


def test_degree_two_is_the_classical_network(rng):
    """Krotov & Hopfield (2016): F(x) = x^2 gives the classical Hebbian network. The
    bracket F(r + xi_i) - F(r - xi_i) = 4 xi_i r, so with the same sweep orders (same
    generator state) the DAM and ``hopfield.async_recall`` visit identical states."""
    patterns = hf.random_patterns(12, 60, rng)
    cues = hf.make_cues(patterns, np.arange(12), 0.25, rng)
    seed = int(rng.integers(2**31))
    dense, steps = mh.dam_recall(patterns, cues, np.random.default_rng(seed), degree=2)
    w = hf.hebbian(patterns)
    classic, sweeps = hf.async_recall(w, np.zeros(60), cues, np.random.default_rng(seed))
    np.testing.assert_array_equal(dense, classic)
    np.testing.assert_array_equal(steps, sweeps)


def test_degree_two_through_the_harness_matches_hopfield():
    """The same seed draws the same patterns and cues for both models (shared helpers)."""
    kw = dict(n_units=50, n_patterns=10, n_cues=10, cue_noise=0.2)
    a = neurotwin.run(MODEL, seed=3, interaction="polynomial", degree=2, max_steps=100, **kw)
    b = neurotwin.run("hopfield", seed=3, storage="hebbian", max_sweeps=100, **kw)
    np.testing.assert_array_equal(a.traces["state"], b.traces["state"])
    assert a.observables["final_overlap"] == b.observables["final_overlap"]


def test_cubic_dam_stores_as_many_patterns_as_units():
    """Capacity (Krotov & Hopfield 2016: ~N^(n-1) patterns for F = x^n). At N = 100,
    P = 100 random patterns, each cued with 10% of its bits flipped (100 cues), the
    n = 3 DAM ends on its pattern (final overlap >= 0.95) for >= 90% of the cues while
    the classical network (P/N = 1, seven times its capacity 0.138 N) fails.
    Measured (seed 0): n = 3 recalls 100/100 cues, mean final overlap 1.0, converged
    after 1 sweep (99 cues) or 2 (1 cue); classical: mean final overlap 0.301, 0/100
    cues recalled."""
    kw = dict(n_units=100, n_patterns=100, n_cues=100, cue_noise=0.1)
    dense = neurotwin.run(MODEL, seed=0, interaction="polynomial", degree=3, **kw)
    classic = neurotwin.run("hopfield", seed=0, **kw)
    assert (dense.observables["final_overlaps"] >= 0.95).mean() >= 0.9
    assert dense.observables["retrieval_error"] < 0.01
    assert classic.observables["recall_fraction"] < 0.1
    assert classic.observables["final_overlap"] < 0.5


@pytest.mark.parametrize(
    ("interaction", "degree"), [("polynomial", 3), ("polynomial", 4), ("exponential", 2)]
)
def test_energy_never_increases(interaction, degree, rng):
    """Each asynchronous flip takes the sign of lower energy, so E(t) never increases."""
    patterns = hf.random_patterns(40, 30, rng)
    s0 = np.where(rng.random((5, 30)) < 0.5, -1, 1)
    states, steps = mh.dam_recall(patterns, s0, rng, interaction, degree, beta=0.3)
    e = mh.dam_energy(states, patterns, interaction, degree, 0.3)
    assert np.all(np.diff(e, axis=0) <= 1e-9 * np.abs(e).max())
    assert (steps >= 0).all()


def test_exponential_does_not_overflow():
    """Demircigil et al. (2017): F(x) = exp(x). At N = 2000, exp(xi . s) = exp(2000)
    overflows float64; the log-sum-exp comparison does not, and recall is exact."""
    r = neurotwin.run(
        MODEL,
        seed=1,
        n_units=2000,
        n_patterns=20,
        n_cues=2,
        interaction="exponential",
        cue_noise=0.3,
    )
    assert r.observables["final_overlap"] == 1.0
    assert np.isfinite(r.observables["energy"]).all()


# -- the continuous (softmax) network --------------------------------------------------


def test_large_beta_retrieves_in_one_step():
    """Ramsauer et al. (2020), Theorem 4: with well separated patterns one update
    retrieves a pattern up to an exponentially small error. N = 100, P = 100 random
    patterns, 10% cue noise, beta = 1 (on raw dot products: the target's is 80, the
    others' are about +-10 +- 30): after ONE update every cue's overlap is 1 - O(e^-40).
    Measured (seed 2): every one of the 100 cues at overlap 1.0 to float precision."""
    r = neurotwin.run(
        MODEL,
        seed=2,
        n_units=100,
        n_patterns=100,
        n_cues=100,
        cue_noise=0.1,
        interaction="softmax",
        beta=1.0,
        max_steps=1,
    )
    assert len(r.t) == 2  # the cue and one update
    assert r.observables["final_overlaps"].min() > 1 - 1e-9
    assert r.observables["retrieval_error"] == 0.0


def test_softmax_energy_never_increases(rng):
    """The update is a CCCP step on Ramsauer et al.'s energy (their Theorem 1)."""
    patterns = rng.standard_normal((20, 16))
    s0 = rng.standard_normal((6, 16))
    states, _ = mh.softmax_retrieve(patterns, s0, beta=0.4, max_steps=30)
    e = mh.softmax_energy(states, patterns, 0.4)
    assert np.all(np.diff(e, axis=0) <= 1e-10 * np.abs(e).max())
    assert (e >= -1e-9).all()  # the constants make E >= 0


def test_low_beta_ends_in_metastable_averages():
    """At low beta the fixed point is an average of patterns (Ramsauer et al. 2020, sec.
    on metastable states): for beta -> 0 the global mean. N = 64, P = 16: at beta = 1e-3
    the state is the patterns' mean to within 0.03 (measured with seed 0: 0.0015) and
    mixes all 16 (participation ratio 15.99995); at beta = 1 it is one pattern (ratio 1)."""
    rng = np.random.default_rng(0)
    patterns = hf.random_patterns(16, 64, rng)
    cues = hf.make_cues(patterns, np.arange(16), 0.1, rng)
    low, _ = mh.softmax_retrieve(patterns, cues, beta=1e-3)
    assert np.abs(low[-1] - patterns.mean(axis=0)).max() < 0.03
    assert mh.mixture_size(low[-1], patterns, 1e-3).min() > 15
    high, _ = mh.softmax_retrieve(patterns, cues, beta=1.0)
    np.testing.assert_allclose(mh.mixture_size(high[-1], patterns, 1.0), 1.0, atol=1e-9)


def test_correlated_patterns_merge_into_their_mean():
    """Similar patterns (correlation c = 0.6: pairwise overlap ~0.36) at a low beta
    give a metastable state near their average; the final overlap with the cued
    pattern falls below 1 while the mixture grows. Measured (seed 4): beta = 0.02 gives
    final overlap 0.483 and participation ratio 7.95 (of 8); beta = 1 recalls 8/8."""
    kw = dict(
        n_units=64,
        n_patterns=8,
        n_cues=8,
        interaction="softmax",
        cue_noise=0.1,
        pattern_correlation=0.6,
    )
    low = neurotwin.run(MODEL, seed=4, beta=0.02, **kw)
    high = neurotwin.run(MODEL, seed=4, beta=1.0, **kw)
    assert high.observables["recall_fraction"] == 1.0
    assert low.observables["mixture_size"] > 4
    assert low.observables["final_overlap"] < 0.8


def test_attention_equivalence(rng):
    """One update == one attention head softmax(Q K^T / sqrt(d_k)) V with Q = beta
    sqrt(N) state, K = V = the patterns (d_k = N), to float precision; at beta =
    1/sqrt(N) the query is the raw state (Ramsauer et al. 2020, eq. 10)."""
    patterns = rng.standard_normal((7, 16))
    state = rng.standard_normal((5, 16))
    for beta in (0.05, 0.7, 3.0, 1 / np.sqrt(16)):
        head = mh.attention(**mh.as_attention(patterns, state, beta))
        np.testing.assert_allclose(
            head, mh.softmax_update(patterns, state, beta), rtol=1e-13, atol=1e-15
        )
    np.testing.assert_allclose(
        mh.attention(state, patterns, patterns),
        mh.softmax_update(patterns, state, 1 / np.sqrt(16)),
        rtol=1e-13,
        atol=1e-15,
    )


# -- determinism and bad input ----------------------------------------------------------


@pytest.mark.parametrize("interaction", mh.INTERACTIONS)
def test_determinism(interaction):
    kw = dict(n_units=40, n_patterns=30, n_cues=4, cue_noise=0.3, interaction=interaction)
    a, b = (neurotwin.run(MODEL, seed=5, **kw) for _ in range(2))
    np.testing.assert_array_equal(a.traces["state"], b.traces["state"])
    c = neurotwin.run(MODEL, seed=6, **kw)
    assert not np.array_equal(a.traces["state"][0], c.traces["state"][0])


@pytest.mark.parametrize(
    ("override", "text"),
    [
        ({"beta": 0.0}, "ModernHopfieldParams.beta: must be a finite number > 0 (got 0.0)"),
        ({"beta": -1.0}, "ModernHopfieldParams.beta: must be a finite number > 0 (got -1.0)"),
        ({"degree": 1}, "ModernHopfieldParams.degree: must be an integer >= 2 and <= 12 (got 1)"),
        (
            {"interaction": "cubic"},
            "ModernHopfieldParams.interaction: must be one of 'polynomial', 'exponential', "
            "'softmax' (got 'cubic')",
        ),
    ],
)
def test_bad_params(override, text):
    with pytest.raises(ParamError) as exc:
        neurotwin.run(MODEL, **override)
    assert str(exc.value) == text


def test_patterns_of_inconsistent_length():
    good = hf.random_patterns(3, 8, np.random.default_rng(0))
    ragged = [good[0], good[1], good[2][:7]]
    with pytest.raises(InputError) as exc:
        neurotwin.run(MODEL, n_units=8, n_patterns=3, weights={"patterns": ragged})
    assert str(exc.value) == (
        "modern-hopfield weights['patterns']: rows must all have length n_units = 8 "
        "(got lengths [7, 8])"
    )
    with pytest.raises(InputError) as exc:
        mh.softmax_update(ragged, good[0], 1.0)
    assert str(exc.value) == (
        "patterns: must all have the same length (got 8 for pattern 0 and 7 for pattern 2)"
    )
    with pytest.raises(InputError) as exc:
        mh.softmax_update(good, good[0][:7], 1.0)
    assert str(exc.value) == (
        "state: must have length N = 8 along its last axis, the patterns' length (got shape (7,))"
    )
    # the patterns imply n_units = 7: a contradicting value set is refused (router)
    with pytest.raises(ParamError) as exc:
        neurotwin.run(MODEL, n_units=8, n_patterns=3, weights={"patterns": good[:, :7]})
    assert str(exc.value) == (
        "ModernHopfieldParams.n_units: the given arrays imply 7, which contradicts the value "
        "set (got 8)"
    )
    # an array of another dimension implies nothing: validate names its shape
    with pytest.raises(InputError) as exc:
        neurotwin.run(MODEL, n_units=8, n_patterns=3, weights={"patterns": good[0]})
    assert str(exc.value) == (
        "modern-hopfield weights['patterns']: must have shape (n_patterns, n_units) = (3, 8) "
        "(got (8,))"
    )


# -- your own arrays ------------------------------------------------------------------------


@pytest.mark.parametrize("interaction", ["polynomial", "softmax"])
def test_own_patterns_without_cues_recall_themselves(interaction):
    """Patterns (P, N) given without cues: they set n_units and n_patterns (none set by
    the user), the cues are drawn from them, and every cue recalls its own pattern."""
    patterns = hf.random_patterns(5, 48, np.random.default_rng(11))
    r = neurotwin.run(MODEL, seed=2, weights={"patterns": patterns}, interaction=interaction)
    assert (r.params["n_units"], r.params["n_patterns"], r.params["n_cues"]) == (48, 5, 10)
    assert r.provenance["given_arrays"] == ["patterns"]
    assert r.observables["recall_fraction"] == 1.0
    final = np.sign(np.asarray(r.traces["state"], dtype=float)[-1])
    np.testing.assert_array_equal(final, patterns[np.arange(10) % 5])


def test_given_cues_set_n_cues():
    rng = np.random.default_rng(4)
    patterns = hf.random_patterns(3, 20, rng)
    targets = np.array([2, 0, 1, 2])
    cues = hf.make_cues(patterns, targets, 0.1, rng)
    r = neurotwin.run(
        MODEL, weights={"patterns": patterns}, inputs={"cues": cues, "targets": targets}
    )
    assert (r.params["n_units"], r.params["n_patterns"], r.params["n_cues"]) == (20, 3, 4)
    assert r.observables["recall_fraction"] == 1.0


def test_pattern_correlation_with_given_patterns_is_refused():
    patterns = hf.random_patterns(3, 20, np.random.default_rng(0))
    with pytest.raises(ParamError) as exc:
        neurotwin.run(MODEL, weights={"patterns": patterns}, pattern_correlation=0.5)
    assert str(exc.value) == (
        "ModernHopfieldParams.pattern_correlation: must be 0 with given patterns (it shapes "
        "drawn patterns only) (got 0.5)"
    )


def test_nan_input():
    rng = np.random.default_rng(0)
    patterns = hf.random_patterns(3, 8, rng).astype(float)
    cues = patterns[:2].copy()
    cues[1, 4] = np.nan
    with pytest.raises(InputError) as exc:
        neurotwin.run(
            MODEL,
            n_units=8,
            n_patterns=3,
            n_cues=2,
            weights={"patterns": patterns},
            inputs={"cues": cues, "targets": np.array([0, 1])},
        )
    assert (
        str(exc.value) == "modern-hopfield inputs['cues']: must be finite (got nan at index (1, 4))"
    )
    with pytest.raises(InputError) as exc:
        mh.softmax_update(patterns, cues, 1.0)
    assert str(exc.value) == "state: must be finite (got nan at index (1, 4))"
    with pytest.raises(InputError) as exc:
        mh.softmax_update(patterns, cues[0], 0.0)
    assert str(exc.value) == "beta: must be a finite number > 0 (got 0.0)"
    with pytest.raises(InputError) as exc:
        mh.dam_recall(patterns, cues[:1], rng, degree=1)
    assert str(exc.value) == "degree: must be an integer >= 2 (got 1)"


SPIKING = [("brian2", "brian2"), ("nengo", "nengo"), ("loihi-emulator", "nengo_loihi")]


@pytest.mark.parametrize(("realization", "package"), SPIKING)
def test_spiking_circuit_refuses_polynomial(realization, package):
    """An interaction set explicitly to one the circuit does not realize is refused, even
    though the model's default is polynomial and the realization's own is softmax."""
    pytest.importorskip(package)
    with pytest.raises(ParamError) as exc:
        neurotwin.run(MODEL, realization, interaction="polynomial")
    assert str(exc.value) == (
        "ModernHopfieldParams.interaction: must be one of 'softmax', 'exponential' for the "
        "spiking circuit (a soft winner-take-all) (got 'polynomial')"
    )


@pytest.mark.parametrize(("realization", "package"), SPIKING)
def test_spiking_circuit_runs_softmax_where_no_interaction_is_set(realization, package):
    """The model's default interaction (polynomial) has no circuit: a spiking realization
    uses its own default, softmax, where the user set none, and records it."""
    pytest.importorskip(package)
    r = neurotwin.run(MODEL, realization, seed=1, n_units=16, n_patterns=4, n_cues=2)
    assert r.params["interaction"] == "softmax"
    assert r.provenance["realization_defaults"] == {"interaction": "softmax"}
    # set explicitly: honoured, and no realization default recorded
    e = neurotwin.run(
        MODEL, realization, seed=1, n_units=16, n_patterns=4, n_cues=2, interaction="exponential"
    )
    assert e.params["interaction"] == "exponential"
    assert "realization_defaults" not in e.provenance
