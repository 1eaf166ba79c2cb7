"""McCulloch-Pitts gates and Rosenblatt's perceptron: truth tables, the XOR certificate,
Novikoff's bound, cycling on XOR, Cover's capacity; determinism; bad input."""

from __future__ import annotations

import numpy as np
import pytest

import neurotwin
from neurotwin import InputError, ParamError
from neurotwin.rate_models.perceptron import mcculloch_pitts as mp
from neurotwin.rate_models.perceptron import perceptron as pc

# -- McCulloch-Pitts -------------------------------------------------------------------


@pytest.mark.parametrize("gate", ["AND", "OR", "NOT", "NAND", "XOR"])
def test_gate_truth_tables(gate):
    """McCulloch & Pitts (1943): every row of the truth table, against Python's Boolean
    operators; XOR through the two-layer OR/NAND -> AND network."""
    r = neurotwin.run("mcculloch-pitts", gate=gate)
    x = mp.truth_table_inputs(1 if gate == "NOT" else 2)
    np.testing.assert_array_equal(r.traces["output"], mp.BOOLEAN[gate](x))
    assert r.observables["truth_table_accuracy"] == 1.0
    assert r.observables["single_unit_representable"] is (gate != "XOR")


def test_xor_has_an_lp_infeasibility_certificate():
    """Minsky & Papert (1969): no single threshold unit computes XOR. The LP certificate
    y >= 0, sum y = 1, sum_mu y_mu s_mu (x_mu, -1) = 0 turns the margin-1 constraints
    into 0 >= 1; checked here in exact arithmetic, independent of the solver."""
    x = mp.truth_table_inputs(2)
    out = mp.threshold_certificate(x, mp.BOOLEAN["XOR"](x))
    assert out["representable"] is False
    y = out["certificate"]
    assert np.all(y >= -1e-12) and y.sum() == pytest.approx(1.0)
    s = 2.0 * mp.BOOLEAN["XOR"](x) - 1.0
    rows = s[:, None] * np.hstack([x, -np.ones((4, 1))])
    np.testing.assert_allclose(y @ rows, 0.0, atol=1e-12)
    # and an exhaustive check over a grid of integer weights and half-integer thresholds
    grid = np.arange(-3, 4)
    for w1 in grid:
        for w2 in grid:
            for theta in np.arange(-3.5, 4.0, 1.0):
                assert not np.array_equal(mp.mp_unit(x, [w1, w2], theta), mp.BOOLEAN["XOR"](x))


def test_and_or_certificate_finds_weights():
    x = mp.truth_table_inputs(2)
    for gate in ("AND", "OR", "NAND"):
        out = mp.threshold_certificate(x, mp.BOOLEAN[gate](x))
        assert out["representable"] is True
        np.testing.assert_array_equal(
            mp.mp_unit(x, out["weights"], out["threshold"]), mp.BOOLEAN[gate](x)
        )


# -- perceptron ------------------------------------------------------------------------


@pytest.mark.parametrize("offset", range(5))
def test_mistakes_within_novikoff_bound(offset, seed_base):
    """Novikoff (1962): at most (R / gamma)^2 mistakes on data separated with margin
    gamma by a unit vector, R = max |x|. N = 20, P = 200, teacher margin >= 0.3.
    Measured (seeds 0-4): 38, 31, 43, 35, 34 mistakes against bounds 525.5, 632.7,
    423.1, 481.0, 478.7."""
    obs = neurotwin.run("perceptron", seed=seed_base + offset).observables
    assert obs["converged"] and obs["training_accuracy"] == 1.0
    assert 0 < obs["mistakes"] <= obs["novikoff_bound"]


def test_mistakes_do_not_depend_on_learning_rate():
    """From w = 0 the rule is scale-free: eta rescales w and leaves every sign alone."""
    a = neurotwin.run("perceptron", seed=3, learning_rate=1.0).observables["mistakes"]
    b = neurotwin.run("perceptron", seed=3, learning_rate=0.01).observables["mistakes"]
    assert a == b


def test_xor_detected_as_non_convergent():
    """On XOR (with a bias input) the weights cycle (Block & Levin 1970): the run
    reports a repeated epoch-start weight vector, and the LP finds no separator."""
    obs = neurotwin.run("perceptron", task="xor").observables
    assert obs["converged"] is False
    assert obs["cycle_detected"] is True
    assert obs["separable"] is False
    assert obs["training_accuracy"] < 1.0


def test_non_separable_random_data_never_converges():
    """P = 4N random dichotomy: separable with probability C(40, 10) / 2^40 ~ 1e-4;
    the LP says not separable and 300 epochs never end without a mistake."""
    obs = neurotwin.run(
        "perceptron", task="dichotomy", n_features=10, n_samples=40, max_epochs=300, seed=2
    ).observables
    assert obs["separable"] is False
    assert obs["converged"] is False


def test_cover_counting_function():
    """Cover (1965): C(P, N) = 2 sum_{k<N} binom(P - 1, k); every dichotomy is separable
    for P <= N, exactly half at P = 2N."""
    assert pc.cover_count(3, 3) == 8
    assert pc.cover_count(4, 2) == 8  # 4 points in the plane: 8 of 16 through the origin
    for n in (1, 5, 20):
        assert pc.cover_probability(2 * n, n) == 0.5
        assert pc.cover_probability(n, n) == 1.0


def test_cover_capacity_of_random_dichotomies():
    """Fraction of LP-separable random dichotomies of Gaussian points against Cover's
    C(P, N) / 2^P, N = 10, 200 dichotomies per P/N in {1.5, 2, 2.5}: within 4 binomial
    standard errors. Measured: 0.960 / 0.485 / 0.155 vs 0.910 / 0.5 / 0.154."""
    rng = np.random.default_rng(11)
    n, trials = 10, 200
    for ratio in (1.5, 2.0, 2.5):
        p = int(ratio * n)
        hits = sum(
            pc.separable(rng.standard_normal((p, n)), rng.choice([-1.0, 1.0], p))
            for _ in range(trials)
        )
        theory = pc.cover_probability(p, n)
        se = np.sqrt(theory * (1 - theory) / trials)
        assert abs(hits / trials - theory) <= 4 * se, (ratio, hits / trials, theory)


def test_dichotomy_model_reports_cover_probability():
    obs = neurotwin.run("perceptron", task="dichotomy", n_features=5, n_samples=10).observables
    assert obs["cover_probability"] == 0.5


def test_determinism():
    a = neurotwin.run("perceptron", seed=7)
    b = neurotwin.run("perceptron", seed=7)
    np.testing.assert_array_equal(a.traces["mistakes"], b.traces["mistakes"])
    np.testing.assert_array_equal(a.observables["w"], b.observables["w"])


# -- bad input -------------------------------------------------------------------------


def test_learning_rate_must_be_positive():
    with pytest.raises(ParamError) as info:
        neurotwin.run("perceptron", learning_rate=0.0)
    assert (
        str(info.value) == "PerceptronParams.learning_rate: must be a finite number > 0 (got 0.0)"
    )


def _data(seed=0, **kw):
    from neurotwin.harness import draw
    from neurotwin.registry import get_model

    spec = get_model("perceptron")
    params = spec.params.create(**kw)
    return draw(spec, params, seed)[:2]


def test_nan_data_rejected():
    weights, inputs = _data(n_features=3, n_samples=5)
    inputs["x"][2, 1] = np.nan
    with pytest.raises(InputError) as info:
        neurotwin.run("perceptron", n_features=3, n_samples=5, weights=weights, inputs=inputs)
    assert str(info.value) == "perceptron inputs['x']: must be finite (got nan at index (2, 1))"


def test_wrong_shape_rejected():
    weights, inputs = _data(n_features=3, n_samples=5)
    inputs["x"] = inputs["x"][:4]
    with pytest.raises(InputError) as info:
        neurotwin.run("perceptron", n_features=3, n_samples=5, weights=weights, inputs=inputs)
    assert str(info.value) == (
        "perceptron inputs['x']: must have shape (n_samples, n_features) = (5, 3) (got (4, 3))"
    )


def test_labels_out_of_range_rejected():
    weights, inputs = _data(n_features=3, n_samples=5)
    inputs["y"][3] = 2.0
    with pytest.raises(InputError) as info:
        neurotwin.run("perceptron", n_features=3, n_samples=5, weights=weights, inputs=inputs)
    assert str(info.value) == (
        "perceptron inputs['y']: must contain only -1 and +1 (got 2 at index (3,))"
    )


def test_gate_inputs_must_be_binary():
    with pytest.raises(InputError) as info:
        neurotwin.run("mcculloch-pitts", gate="AND", inputs={"x": np.array([[0.0, 0.5]])})
    assert str(info.value) == (
        "mcculloch-pitts inputs['x']: must contain only 0 and 1 (got 0.5 at index (0, 1))"
    )


@pytest.mark.parametrize(
    "values",
    [[0, 1, 2], [0.0, 2.0], [0, 1.5], [0, np.nan], [0, 5], [-1, 0], [np.inf], [True, False]],
)
def test_index_check_fast_path_refuses_what_isin_refuses(values):
    """``check_values`` with a ``range`` compares instead of sorting (np.isin): the same
    entries are refused, with the same message."""
    from neurotwin.rate_models.perceptron.checks import check_values

    arr = np.asarray(values)

    def outcome(allowed):
        try:
            check_values("m", "inputs", "order", arr, allowed, "must be indices in 0..2")
        except InputError as exc:
            return str(exc)
        return None

    assert outcome(range(3)) == outcome([0, 1, 2])
