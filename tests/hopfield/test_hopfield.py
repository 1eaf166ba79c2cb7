"""The Hopfield reference model: theory, dynamics, determinism and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neurotwin
from neurotwin import InputError, ParamError
from neurotwin.budget import usable_cores
from neurotwin.rate_models.hopfield import hopfield as hf

# -- theory -----------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(3, 40),
    w_seed=st.integers(0, 2**32 - 1),
    threshold=st.floats(-0.5, 0.5),
)
def test_energy_never_increases_under_async_updates(n, w_seed, threshold):
    """Hopfield (1982): with symmetric W, zero diagonal and asynchronous updates,
    every flip lowers E = -1/2 s^T W s + U.s, so E(t) is non-increasing and the
    run ends in a fixed point."""
    rng = np.random.default_rng(w_seed)
    a = rng.standard_normal((n, n))
    w = (a + a.T) / 2
    np.fill_diagonal(w, 0.0)
    u = np.full(n, threshold)
    s0 = np.where(rng.random((4, n)) < 0.5, -1, 1)
    states, conv = hf.async_recall(w, u, s0, rng, max_sweeps=10 * n)
    e = hf.energy(states, w, u)
    assert np.all(np.diff(e, axis=0) <= 1e-9 * np.abs(w).sum())
    assert (conv >= 0).all()
    final = states[-1].astype(float)
    field = final @ w.T - u
    # fixed point: every unit agrees with its field (ties keep their state)
    assert np.all((final * field >= -1e-9) | (np.abs(field) < 1e-9))


def test_sync_updates_find_the_two_cycle():
    """Two mutually excitatory units started anti-aligned: synchronous updates swap
    them forever (a 2-cycle; Peretto 1984, Goles 1985), asynchronous updates settle."""
    w = np.array([[0.0, 1.0], [1.0, 0.0]])
    u = np.zeros(2)
    s0 = np.array([[1, -1]])
    rng = np.random.default_rng(0)
    states, conv, cycle = hf.sync_recall(w, u, s0, rng, max_sweeps=10)
    assert cycle.tolist() == [True] and conv.tolist() == [-1]
    assert states[:3, 0].tolist() == [[1, -1], [-1, 1], [1, -1]]
    states, conv = hf.async_recall(w, u, s0, rng, max_sweeps=10)
    assert conv[0] >= 0 and abs(states[-1, 0].sum()) == 2


def test_pseudoinverse_stores_half_n_correlated_patterns(rng):
    """The projection rule (Personnaz, Guyon & Dreyfus 1985) makes every pattern of a
    linearly independent set a fixed point: W xi = xi, and zeroing the diagonal
    keeps the sign since W_ii < 1. Here P = N/2 = 50 patterns correlated through a
    common parent (pairwise overlap ~0.36); the Hebbian rule fails on the same set."""
    n, p = 100, 50
    parent = np.where(rng.random(n) < 0.5, -1, 1)
    patterns = np.where(rng.random((p, n)) < 0.2, -parent, parent).astype(np.int8)
    u = np.zeros(n)
    for rule, expect_all in [("pseudoinverse", True), ("hebbian", False)]:
        w = hf.STORAGE[rule](patterns)
        states, conv = hf.async_recall(w, u, patterns, rng, max_sweeps=50)
        stored = (states[-1] == patterns).all(axis=1)
        assert stored.all() == expect_all, (rule, stored.mean())


def test_single_pattern_is_recalled_in_one_sync_step(rng):
    """Exact solution: with one Hebbian pattern, h_i = xi_i (xi . s - xi_i s_i)/N, so any
    cue with fewer than N/2 - 1 flipped bits is mapped onto the pattern in one step."""
    n = 101
    xi = hf.random_patterns(1, n, rng)
    w = hf.hebbian(xi)
    cue = hf.make_cues(xi, np.zeros(3, dtype=int), 0.45, rng)
    states, conv, cycle = hf.sync_recall(w, np.zeros(n), cue, rng)
    assert (states[1] == xi).all() and (conv == 1).all() and not cycle.any()


def test_glauber_dynamics_matches_mean_field(rng):
    """Curie-Weiss limit of one stored pattern (Amit, Gutfreund & Sompolinsky 1985;
    Amit 1989, ch. 4): under Glauber dynamics at temperature T the overlap settles at
    the solution of m = tanh(m / T). For T = 0.5, m* = 0.9575 (solved here with
    brentq); the time average over 100 sweeps at N = 2000 must be within 0.01."""
    from scipy.optimize import brentq

    temp = 0.5
    m_star = brentq(lambda m: m - np.tanh(m / temp), 0.1, 1.0)
    assert m_star == pytest.approx(0.9575, abs=1e-4)
    r = neurotwin.run(
        "hopfield",
        n_units=2000,
        n_patterns=1,
        n_cues=1,
        cue_noise=0.0,
        temperature=temp,
        max_sweeps=150,
        seed=3,
    )
    m = r.observables["overlap"][50:, 0, 0]
    assert abs(m.mean() - m_star) < 0.01, m.mean()


def test_capacity_point_low_load_recalls(seed):
    """Well below alpha_c = 0.138 (Amit et al. 1985) a 20%-noisy cue is recalled."""
    r = neurotwin.run("hopfield", n_units=500, n_patterns=25, cue_noise=0.2, seed=seed)
    assert r.observables["final_overlap"] >= 0.97
    assert r.observables["converged"]


def test_sync_and_async_agree_on_symmetric_low_load(seed):
    a = neurotwin.run("hopfield", update="async", seed=seed)
    s = neurotwin.run("hopfield", update="sync", seed=seed)
    assert a.observables["final_overlap"] == s.observables["final_overlap"] == 1.0
    assert not s.observables["limit_cycle"]


def test_asymmetric_weights_may_not_converge():
    """Symmetry is what guarantees convergence: fully antisymmetric weights leave most
    runs wandering at max_sweeps. Measured (N = 100, 20 cues, seed 0): 0/20
    converged at asymmetry 1 vs 20/20 at asymmetry 0."""
    kw = dict(n_units=100, n_patterns=5, n_cues=20, max_sweeps=50, seed=0)
    sym = neurotwin.run("hopfield", asymmetry=0.0, **kw)
    anti = neurotwin.run("hopfield", asymmetry=1.0, **kw)
    assert (sym.observables["sweeps_to_converge"] >= 0).all()
    assert (anti.observables["sweeps_to_converge"] < 0).mean() >= 0.5


def test_storkey_rule_stores_patterns(rng):
    """Storkey (1997): the rule's capacity exceeds Hebbian's; at P/N = 0.15 (above
    Hebbian's 0.138) the patterns stay fixed points far more often."""
    n, p = 200, 30
    patterns = hf.random_patterns(p, n, rng)
    frac = {}
    for rule in ("storkey", "hebbian"):
        w = hf.STORAGE[rule](patterns)
        field = patterns @ w.T
        frac[rule] = float((np.sign(field) == patterns).all(axis=1).mean())
    assert frac["storkey"] >= 0.9 and frac["storkey"] > frac["hebbian"] + 0.3, frac


# -- determinism ------------------------------------------------------------------


@pytest.mark.parametrize("update", ["async", "sync"])
def test_same_seed_same_result(update):
    a = neurotwin.run("hopfield", update=update, temperature=0.2, max_sweeps=5, seed=7)
    b = neurotwin.run("hopfield", update=update, temperature=0.2, max_sweeps=5, seed=7)
    c = neurotwin.run("hopfield", update=update, temperature=0.2, max_sweeps=5, seed=8)
    assert np.array_equal(a.traces["state"], b.traces["state"])
    assert not np.array_equal(a.traces["state"], c.traces["state"])


def test_patterns_and_cues_do_not_depend_on_update_or_temperature():
    """The harness draws weights, cues and simulator noise from separate seed streams."""
    from neurotwin.harness import draw
    from neurotwin.registry import get_model

    spec = get_model("hopfield")
    w1, in1, _ = draw(spec, hf.HopfieldParams.create(update="sync"), 5)
    w2, in2, _ = draw(spec, hf.HopfieldParams.create(temperature=0.3), 5)
    assert np.array_equal(w1["patterns"], w2["patterns"])
    assert np.array_equal(in1["cues"], in2["cues"])


# -- bad input: exact error text ----------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"n_units": 1}, "HopfieldParams.n_units: must be an integer >= 2 (got 1)"),
        ({"n_units": 20.5}, "HopfieldParams.n_units: must be an integer >= 2 (got 20.5)"),
        ({"n_units": "200"}, "HopfieldParams.n_units: must be an integer >= 2 (got '200')"),
        ({"n_patterns": 0}, "HopfieldParams.n_patterns: must be an integer >= 1 (got 0)"),
        (
            {"cue_noise": 1.5},
            "HopfieldParams.cue_noise: must be a finite number >= 0 and <= 1 (got 1.5)",
        ),
        (
            {"cue_noise": float("nan")},
            "HopfieldParams.cue_noise: must be a finite number >= 0 and <= 1 (got nan)",
        ),
        (
            {"update": "parallel"},
            "HopfieldParams.update: must be one of 'async', 'sync' (got 'parallel')",
        ),
        (
            {"temperature": -0.1},
            "HopfieldParams.temperature: must be a finite number >= 0 (got -0.1)",
        ),
        (
            {"storage": "oja"},
            "HopfieldParams.storage: must be one of 'hebbian', 'pseudoinverse', 'storkey', "
            "'given' (got 'oja')",
        ),
        (
            {"threshold": float("inf")},
            "HopfieldParams.threshold: must be a finite number (got inf)",
        ),
        ({"max_sweeps": True}, "HopfieldParams.max_sweeps: must be an integer >= 1 (got True)"),
        (
            {"n_neurons": 5},
            "HopfieldParams.n_neurons: unknown parameter for realization 'reference' (allowed: "
            "n_units, n_patterns, cue_noise, n_cues, update, temperature, storage, asymmetry, "
            "threshold, max_sweeps, weights_form) (got 5)",
        ),
    ],
)
def test_bad_params_exact_text(overrides, message):
    with pytest.raises(ParamError) as info:
        neurotwin.run("hopfield", "reference", **overrides)
    assert str(info.value) == message


def test_unknown_model_and_realization_and_seed():
    with pytest.raises(ParamError) as info:
        neurotwin.run("hopfield", "spinnaker")
    assert str(info.value) == (
        "realization: must be one of reference, brian2, nengo, loihi-emulator "
        "for model 'hopfield' (got 'spinnaker')"
    )
    with pytest.raises(ParamError) as info:
        neurotwin.run("hopfeld")
    assert (
        str(info.value) == f"model: must be one of {', '.join(neurotwin.models())} (got 'hopfeld')"
    )
    with pytest.raises(ParamError, match=r"^seed: must be an integer >= 0 \(got -1\)$"):
        neurotwin.run("hopfield", seed=-1)


def test_cue_of_wrong_length():
    inputs = {"cues": np.ones((10, 199), dtype=np.int8), "targets": np.arange(10)}
    with pytest.raises(InputError) as info:
        neurotwin.run("hopfield", inputs=inputs)
    assert str(info.value) == (
        "hopfield inputs['cues']: must have shape (n_cues, n_units) = (10, 200) (got (10, 199))"
    )


def test_nan_in_weight_matrix():
    spec_w = hf.weights(hf.HopfieldParams.create(), np.random.default_rng(0))
    spec_w["W"][3, 5] = np.nan
    with pytest.raises(InputError) as info:
        neurotwin.run("hopfield", weights=spec_w)
    assert str(info.value) == "hopfield weights['W']: must be finite (got nan at index (3, 5))"


def test_cue_values_must_be_pm1():
    inputs = {"cues": np.zeros((10, 200), dtype=np.int8), "targets": np.arange(10)}
    with pytest.raises(InputError) as info:
        neurotwin.run("hopfield", inputs=inputs)
    assert str(info.value) == (
        "hopfield inputs['cues']: must contain only -1 and +1 (got 0 at index (0, 0))"
    )


def test_supplied_weights_and_inputs_are_used_without_drawing(monkeypatch):
    """Given both arrays, the harness draws nothing, yet the simulator seed still comes
    from the same stream: the run equals the one that drew the same arrays."""
    from neurotwin.harness import draw
    from neurotwin.registry import get_model

    spec = get_model("hopfield")
    params = hf.HopfieldParams.create(temperature=0.2, max_sweeps=5)
    weights, inputs, _ = draw(spec, params, 4)
    drawn = neurotwin.run("hopfield", params=params, seed=4)

    def no_draw(*args, **kwargs):
        raise AssertionError("drew arrays the caller supplied")

    monkeypatch.setattr(spec, "weights", no_draw)
    monkeypatch.setattr(spec, "make_inputs", no_draw)
    # the values set, not the whole Params object: its storage='hebbian' would contradict
    # the given W (storage 'given'), and the router counts every field of an object as set
    given = neurotwin.run(
        "hopfield", params={"temperature": 0.2, "max_sweeps": 5}, seed=4, weights=weights,
        inputs=inputs,
    )  # fmt: skip
    np.testing.assert_array_equal(given.traces["state"], drawn.traces["state"])
    assert given.params["storage"] == "given"


# -- arrays handed in by the user: adopt and complete ----------------------------------


def _patterns(p: int = 3, n: int = 100, seed: int = 11) -> np.ndarray:
    return hf.random_patterns(p, n, np.random.default_rng(seed))


def test_given_patterns_without_cues_recall_those_patterns():
    """Cues are drawn from the user's patterns (W by the storage rule), and the sizes
    come from their shape: at P/N = 0.03 every cue is recalled. (The bug: cues drawn
    from unrelated random patterns gave a final overlap of 0.158.)"""
    patterns = _patterns()
    r = neurotwin.run("hopfield", weights={"patterns": patterns}, seed=0)
    assert (r.params["n_units"], r.params["n_patterns"]) == (100, 3)
    assert r.params["storage"] == "hebbian"
    assert r.observables["final_overlap"] > 0.99
    assert r.provenance["given_arrays"] == ["patterns"]
    from neurotwin.harness import prepare

    plan = prepare("hopfield", "reference", None, 0, weights={"patterns": patterns})
    np.testing.assert_array_equal(plan.weights["W"], hf.hebbian(patterns))
    np.testing.assert_array_equal(plan.weights["U"], np.zeros(100))
    targets = plan.inputs["targets"]
    agree = (plan.inputs["cues"] == patterns[targets]).mean(axis=1)
    np.testing.assert_allclose(agree, 1 - 0.2)  # each cue: its pattern, 20% flipped


def test_given_patterns_use_the_storage_rule_set():
    patterns = _patterns(p=5, n=60)
    from neurotwin.harness import prepare

    plan = prepare("hopfield", "reference", {"storage": "pseudoinverse"}, 0,
                   weights={"patterns": patterns}, n_cues=4)  # fmt: skip
    np.testing.assert_array_equal(plan.weights["W"], hf.pseudoinverse(patterns))
    assert plan.params.n_cues == 4 and plan.inputs["cues"].shape == (4, 60)


def test_given_w_records_storage_given():
    patterns = _patterns()
    w = hf.storkey(patterns)
    r = neurotwin.run("hopfield", weights={"patterns": patterns, "W": w}, seed=1)
    assert r.params["storage"] == "given"
    assert r.observables["final_overlap"] > 0.99
    assert sorted(r.provenance["given_arrays"]) == ["W", "patterns"]


def test_given_cues_imply_n_cues():
    patterns = _patterns()
    cues = patterns[[0, 1]].copy()
    inputs = {"cues": cues, "targets": np.array([0, 1])}
    r = neurotwin.run("hopfield", weights={"patterns": patterns}, inputs=inputs, seed=0)
    assert r.params["n_cues"] == 2
    np.testing.assert_array_equal(r.observables["final_overlaps"], [1.0, 1.0])


@pytest.mark.parametrize(
    ("weights", "values", "error", "message"),
    [
        (
            {"W": None, "patterns": None},
            {"storage": "storkey"},
            ParamError,
            "HopfieldParams.storage: the given arrays imply 'given', which contradicts the "
            "value set (got 'storkey')",
        ),
        (
            {"patterns": None},
            {"n_units": 50},
            ParamError,
            "HopfieldParams.n_units: the given arrays imply 100, which contradicts the value "
            "set (got 50)",
        ),
        (
            {"patterns": None},
            {"n_patterns": 4},
            ParamError,
            "HopfieldParams.n_patterns: the given arrays imply 3, which contradicts the value "
            "set (got 4)",
        ),
        (
            {"W": None},
            {},
            InputError,
            "hopfield weights['patterns']: is missing, the observables (overlaps with the "
            "stored patterns) need them; pass the patterns with W (got ['W'])",
        ),
        (
            {"U": None},
            {},
            InputError,
            "hopfield weights['patterns']: is missing, the observables (overlaps with the "
            "stored patterns) need them; pass the patterns with W (got ['U'])",
        ),
        (
            {"patterns": None},
            {"storage": "given"},
            ParamError,
            "HopfieldParams.storage: 'given' means W supplied by the caller, so W must be "
            "passed (weights={'W': ..., 'patterns': ...}) (got 'given')",
        ),
        (
            {"patterns": None},
            {"asymmetry": 0.2},
            ParamError,
            "HopfieldParams.asymmetry: must be 0 with given arrays (W is used as given, or "
            "built from the given patterns without a random antisymmetric part); mix it into "
            "W yourself (got 0.2)",
        ),
    ],
)
def test_given_arrays_refused_exact_text(weights, values, error, message):
    patterns = _patterns()
    full = {"W": hf.hebbian(patterns), "patterns": patterns, "U": np.zeros(100)}
    weights = {k: full[k] for k in weights}
    with pytest.raises(error) as info:
        neurotwin.run("hopfield", weights=weights, **values)
    assert str(info.value) == message


def test_storage_given_without_w_is_refused():
    with pytest.raises(ParamError) as info:
        neurotwin.run("hopfield", storage="given")
    assert str(info.value) == (
        "HopfieldParams.storage: 'given' means W supplied by the caller, so W must be "
        "passed (weights={'W': ..., 'patterns': ...}) (got 'given')"
    )


def test_small_products_run_on_the_idle_cores_large_ones_on_the_default(monkeypatch):
    """The recall decides the BLAS threads of the products it starts by their size and by
    the cores no other process is running on (``recall.blas_threads``): below
    SMALL_PRODUCT_FLOPS as many threads as idle cores (one where that cannot be read, one
    for tiny products), the default from SMALL_PRODUCT_FLOPS up."""
    from threadpoolctl import threadpool_info

    from neurotwin.rate_models.hopfield import recall

    def blas_threads():
        # numpy's own BLAS (the wheel's, in numpy.libs): the one its matmul calls; a BLAS
        # that another package loads later (scipy's) is not limited and not used
        return [
            i["num_threads"]
            for i in threadpool_info()
            if i["user_api"] == "blas" and "numpy" in i["filepath"]
        ]

    default = blas_threads()
    if not default:
        pytest.skip("numpy's BLAS is not numpy's bundled OpenBLAS here")
    if max(default) < 2:
        pytest.skip("numpy's BLAS runs one thread here: nothing to choose")
    small = recall.SMALL_PRODUCT_FLOPS / 2
    for idle, expected in ((None, [1] * len(default)), (1, [1] * len(default)),
                           (64, default)):  # fmt: skip
        monkeypatch.setattr(recall, "idle_cores", lambda idle=idle: idle)
        with recall.blas_threads(small):
            assert blas_threads() == expected, idle
        assert blas_threads() == default
        with recall.blas_threads(recall.SMALL_PRODUCT_FLOPS):
            assert blas_threads() == default
    with recall.blas_threads(recall.TINY_PRODUCT_FLOPS / 2):
        assert blas_threads() == [1] * len(default)


def test_idle_cores_counts_a_busy_neighbour():
    """``idle_cores`` sees another process's busy thread at once (the load average would
    lag it by tens of seconds): one core fewer while a child spins (Linux only)."""
    import subprocess
    import sys
    import time

    from neurotwin.rate_models.hopfield import recall

    if recall.idle_cores() is None:
        pytest.skip("no /proc here")
    cores = usable_cores()
    if cores < 2:
        pytest.skip("one core: nothing to leave idle")
    child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        busy = []
        for _ in range(10):  # apart by more than the reuse time of a count
            time.sleep(recall.IDLE_SAMPLE_S * 1.2)
            busy.append(recall.idle_cores())
    finally:
        child.kill()
        child.wait()
    # the spinning child is runnable at every sample (state R even when descheduled),
    # whatever else comes and goes: never all cores idle
    assert max(busy) <= cores - 1, (cores, busy)


def test_async_energy_matches_the_energy_from_w():
    """The energies' matrix-vector products run under blas_threads; the energies equal
    E = -1/2 s W s + U s computed from W directly (a Hebbian run, T = 0)."""
    r = neurotwin.run(
        "hopfield", "reference", seed=2, update="async", n_units=120, n_patterns=6, n_cues=5,
        threshold=0.05,
    )  # fmt: skip
    from neurotwin.harness import prepare

    plan = prepare("hopfield", "reference", None, 2, update="async", n_units=120,
                   n_patterns=6, n_cues=5, threshold=0.05)  # fmt: skip
    s = r.traces["state"].astype(np.float64)
    w, u = np.asarray(plan.weights["W"]), np.asarray(plan.weights["U"])
    direct = -0.5 * np.einsum("tci,ij,tcj->tc", s, w, s) + s @ u
    np.testing.assert_allclose(r.observables["energy"], direct, rtol=1e-12, atol=1e-9)
