"""Boltzmann machine and RBM references (``rate_models/boltzmann/``).

Exact enumeration against the brute-force definition, Gibbs sampling against the exact
distribution, the T -> 0 limit against the asynchronous Hopfield network, Boltzmann
learning on the 4-2-4 encoder (Ackley, Hinton & Sejnowski 1985), RBM training (CD-k,
PCD) against the exact log-likelihood, scikit-learn's BernoulliRBM as a peer, and bad
input with its exact error text.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.special import logsumexp

import neurotwin
from neurotwin import InputError, ParamError
from neurotwin.rate_models.boltzmann import boltzmann as bm
from neurotwin.rate_models.boltzmann import datasets, encoder, exact, rbm, sampling
from neurotwin.rate_models.hopfield import hopfield


def _random_bm(n: int, seed: int):
    return bm.random_bm(n, 1.0, 0.5, np.random.default_rng(seed))


# -- exact enumeration ------------------------------------------------------------------


def test_exact_enumeration_matches_brute_force():
    """log Z and log p(z) from the vectorised enumeration equal a plain loop over every
    state of the definition p(z) = exp(-E(z)/T) / Z, E = -1/2 z.W.z - b.z (5 units)."""
    w, b = _random_bm(5, 3)
    temp = 0.7
    terms = {}
    for bits in itertools.product((0, 1), repeat=5):
        z = np.array(bits, dtype=float)
        e = -0.5 * sum(w[i, j] * z[i] * z[j] for i in range(5) for j in range(5)) - b @ z
        terms[bits] = math.exp(-e / temp)
    z_sum = sum(terms.values())
    assert exact.log_partition(w, b, temp) == pytest.approx(math.log(z_sum), rel=1e-12)
    log_p = exact.exact_log_probs(w, b, temp)
    for k, row in enumerate(exact.all_states(5)):
        assert log_p[k] == pytest.approx(math.log(terms[tuple(int(x) for x in row)] / z_sum))
    assert exact.state_index(exact.all_states(5)).tolist() == list(range(32))


def test_rbm_partition_and_pseudo_likelihood_brute_force():
    """The RBM's log Z (summing out either layer) and pseudo-likelihood against sums over
    every (v, h) of exp(v.W.h + b.v + c.h)."""
    rng = np.random.default_rng(1)
    for nv, nh in ((4, 3), (3, 5)):
        w, b, c = rng.normal(0, 1, (nv, nh)), rng.normal(0, 1, nv), rng.normal(0, 1, nh)
        vs, hs = exact.all_states(nv).astype(float), exact.all_states(nh).astype(float)
        joint = np.exp(vs @ w @ hs.T + (vs @ b)[:, None] + (hs @ c)[None, :])
        assert rbm.rbm_log_z(w, b, c) == pytest.approx(math.log(joint.sum()), rel=1e-12)
        p_v = joint.sum(axis=1) / joint.sum()
        data = vs[[1, 2, -1]]
        idx = exact.state_index(data.astype(int))
        assert rbm.rbm_log_likelihood(data, w, b, c) == pytest.approx(np.log(p_v[idx]).mean())
        pl = 0.0
        for v in data:
            for i in range(nv):
                other = v.copy()
                other[i] = 1 - other[i]
                pv, po = (
                    p_v[exact.state_index(v.astype(int))],
                    p_v[exact.state_index(other.astype(int))],
                )
                pl += math.log(pv / (pv + po))
        assert rbm.pseudo_likelihood(data, w, b, c) == pytest.approx(pl / len(data))


# -- Gibbs sampling --------------------------------------------------------------------


@pytest.mark.parametrize("sampler", ["sequential", "blocked"])
def test_gibbs_kl_below_001_for_six_units(sampler):
    """Gibbs sampling of a 6-unit BM (random W ~ N(0, 1), b ~ N(0, 0.25)): with
    20 000 sweeps the KL(empirical || exact) is below 0.01.

    Measured (seed 0): 0.00141 sequential and 0.00150 blocked (blocks of 2), against
    0.00182 for 20 000 independent exact draws (``kl_iid``; the chi^2 floor is
    63 / 40 000 = 0.0016).
    """
    r = neurotwin.run(
        "boltzmann", "reference", n_units=6, n_samples=20_000, sampler=sampler, seed=0
    )
    assert r.observables["kl_to_exact"] < 0.01
    assert r.observables["kl_to_exact"] < 3 * r.observables["kl_iid"]
    assert r.observables["max_marginal_error"] < 0.02
    curve = r.observables["kl_curve"]
    assert curve[-1] < 0.05 * curve[0]


def test_kl_curve_definition():
    """``kl_curve`` pools the first k read-outs of every chain; its last point is
    ``kl_to_exact`` and equals KL of the pooled counts computed directly."""
    r = neurotwin.run("boltzmann", "reference", n_units=4, n_samples=300, n_chains=3, seed=2)
    weights = _weights(r)
    log_p = exact.exact_log_probs(np.asarray(weights["W"]), weights["b"], 1.0)
    idx = exact.state_index(r.traces["state"])
    counts = np.bincount(idx.ravel(), minlength=16)
    assert r.observables["kl_to_exact"] == pytest.approx(exact.kl_empirical(counts, log_p))
    assert r.observables["kl_curve_steps"][-1] == 300
    assert r.observables["n_draws"] == 900


def _weights(result):
    from neurotwin.harness import draw
    from neurotwin.registry import get_model

    spec = get_model("boltzmann")
    return draw(spec, spec.params.create(**result.params), result.seed)[0]


def test_glauber_equals_gibbs_conditional():
    """With s = 2z - 1, W_h = W/4, U = -(b + W 1/2)/2, Hopfield's Glauber probability
    1 / (1 + exp(-2 (h - U) / T)) equals Gibbs' sigma(u / T), u = b + W z, for every
    state of a 6-unit BM, and the energies differ by a constant."""
    w, b = _random_bm(6, 4)
    wh, u = bm.to_hopfield(w, b)
    z = exact.all_states(6).astype(float)
    s = 2 * z - 1
    temp = 0.8
    gibbs = 1 / (1 + np.exp(-(b + z @ w) / temp))
    glauber = 1 / (1 + np.exp(-2 * (s @ wh - u) / temp))
    np.testing.assert_allclose(gibbs, glauber, rtol=1e-12)
    diff = exact.energy(z, w, b) - hopfield.energy(s, wh, u)
    np.testing.assert_allclose(diff, diff[0], atol=1e-12)
    np.testing.assert_allclose(bm.from_hopfield(wh, u)[0], w)
    np.testing.assert_allclose(bm.from_hopfield(wh, u)[1], b)


@pytest.mark.parametrize("temperature", [0.0, 1e-6])
def test_zero_temperature_gibbs_is_async_hopfield(temperature):
    """T -> 0: Gibbs sweeps visiting the units in the same order as
    ``hopfield.async_recall`` (the same generator draws the same permutations) give the
    same trajectory, state for state, on a 16-unit BM with 8 chains; at T = 1e-6 the
    Gibbs coin flips are all decided (|u| >> T; at T = 1e-4, 6 of 640 unit states
    already differ, from fields |u| of order 1e-4)."""
    n, chains = 16, 8
    w, b = _random_bm(n, 5)
    wh, u = bm.to_hopfield(w, b)
    z0 = (np.random.default_rng(6).random((chains, n)) < 0.5).astype(np.int8)
    hop, conv = hopfield.async_recall(wh, u, 2 * z0 - 1, np.random.default_rng(7), 0.0, 50)
    assert (conv >= 0).all()
    rng = np.random.default_rng(7)
    base = np.broadcast_to(np.arange(n), (chains, n))
    orders = np.stack([rng.permuted(base, axis=1) for _ in range(len(hop) - 1)])
    z = sampling.gibbs_sample(
        w, b, z0, len(hop) - 1, np.random.default_rng(8), temperature, orders=orders
    )
    np.testing.assert_array_equal(2 * z.astype(int) - 1, hop[1:])


def test_hebbian_bm_recalls_at_low_temperature():
    """A BM with Hebbian weights (1 pattern, 14 units) recalls the cued pattern from 20%
    noise at T = 0.1 (mean overlap over the second half > 0.95) and not at T = 5 (< 0.3).
    (With 2 patterns in 14 units one of 6 chains, seed 1, ends in a spurious state at
    overlap 0.57: the two random patterns overlap.)"""
    kw = dict(n_units=14, weights_kind="hebbian", n_patterns=1, n_chains=2, n_samples=200)
    cold = neurotwin.run("boltzmann", "reference", temperature=0.1, seed=1, **kw)
    hot = neurotwin.run("boltzmann", "reference", temperature=5.0, seed=1, **kw)
    assert cold.observables["recall_overlap"] > 0.95
    assert abs(hot.observables["recall_overlap"]) < 0.3


def test_reference_determinism_blocked():
    kw = dict(n_units=7, n_samples=200, n_chains=2, sampler="blocked", block_size=3, seed=4)
    a = neurotwin.run("boltzmann", "reference", **kw)
    b = neurotwin.run("boltzmann", "reference", **kw)
    np.testing.assert_array_equal(a.traces["state"], b.traces["state"])
    c = neurotwin.run("boltzmann", "reference", **{**kw, "seed": 5})
    assert not np.array_equal(a.traces["state"], c.traces["state"])


# -- 4-2-4 encoder ------------------------------------------------------------------------

ENCODER_SEEDS = range(10)
#: measured 0.5 on ENCODER_SEEDS
ENCODER_MIN_FRACTION = 0.4


@pytest.mark.slow
def test_encoder_424_learns_perfect_code():
    """Ackley, Hinton & Sejnowski (1985): the 4-2-4 encoder (V1 and V2 connected only
    through 2 hidden units) learns to pass each one-hot V1 pattern to V2 through a
    distinct 2-bit hidden code. With exact clamped/free statistics (see
    ``train_encoder``) the measured fraction of perfect codes is 5 of 10 (seeds 0-9:
    1, 2, 4, 8, 9) and 11 of 20 for seeds 0-19: about half, not "most"; the failures
    map two inputs onto one hidden code. Plain gradient ascent from small weights
    managed 4 of 20."""
    perfect = [
        encoder.encoder_code(*encoder.train_encoder(np.random.default_rng(s)))["perfect"]
        for s in ENCODER_SEEDS
    ]
    assert np.mean(perfect) >= ENCODER_MIN_FRACTION


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a binomial fraction k / n (95 % for z = 1.96)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_annealing_procedure_preset_and_rules():
    """The paper's procedure as the sources quote it (``encoder`` module docstring: two
    reimplementations that give the paper's values), and one-line errors."""
    p = encoder.PAPER_PROCEDURE
    assert p.schedule == ((2, 20.0), (2, 15.0), (2, 12.0), (4, 10.0))
    assert (p.stat_time, p.stat_temperature, p.step) == (10, 10.0, 2.0)
    assert (p.noise_on_to_off, p.noise_off_to_on, p.anneals_per_pattern) == (0.15, 0.05, 2)
    with pytest.raises(ParamError) as info:
        encoder.AnnealingProcedure.create(schedule=((2, 20.0), (0, 10.0)))
    assert str(info.value) == (
        "AnnealingProcedure.schedule: step 1 must be (time units >= 1, temperature > 0) "
        "(got (0, 10.0))"
    )
    short = encoder.AnnealingProcedure.create(n_cycles=3)
    a = encoder.train_encoder_annealed(np.random.default_rng(5), short)
    b = encoder.train_encoder_annealed(np.random.default_rng(5), short)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    # steps of 2 from zero, V1-V2 never connected
    assert np.all(a[0] % 2 == 0) and not a[0][:4, 4:8].any()


def _annealed_perfect(seeds, n_cycles: int) -> int:
    proc = encoder.AnnealingProcedure.create(n_cycles=n_cycles)
    t = proc.stat_temperature
    return sum(
        encoder.encoder_code(
            *(x / t for x in encoder.train_encoder_annealed(np.random.default_rng(s), proc))
        )["perfect"]
        for s in seeds
    )


@pytest.mark.slow
def test_encoder_424_annealed_procedure(seed_base, claim):
    """Ackley, Hinton & Sejnowski (1985)'s procedure for the 4-2-4 encoder, as far as the
    sources found give it (``encoder.PAPER_PROCEDURE``: annealing 2@20, 2@15, 2@12, 4@10,
    statistics 10@10, noisy clamping 0.15 / 0.05, steps of 2); not found: their weight
    decay, number of learning cycles and success rate. The code is read at the sampling
    temperature 10. Perfect codes out of 30 seeds at 300 cycles (the peak of a scan at
    50-1000 cycles on base 0; 95 % Wilson intervals): 17/30 [0.39, 0.73] (base 0),
    20/30 [0.49, 0.81] (base 100), 15/30 [0.33, 0.67] (base 7000): about half, not
    clearly "most". Without weight decay the weights keep growing (median largest
    |w| about 230 after 1000 cycles) and the fraction falls: 6/30, 8/30, 6/30 at 1000
    cycles. Asserted: at 300 cycles the interval's lower end above 0.25; at 1000 cycles
    fewer perfect codes than at 300."""
    seeds = range(seed_base, seed_base + 30)
    at_300 = _annealed_perfect(seeds, 300)
    claim(model="boltzmann",
          claim="4-2-4 encoder: runs ending in a perfect code (95 % Wilson interval)",
          source="Ackley, Hinton & Sejnowski 1985 (annealing procedure as reimplemented)",
          source_value="most runs (no rate given)", measured=at_300 / 30,
          interval=wilson_interval(at_300, 30), seeds=30)  # fmt: skip
    assert wilson_interval(at_300, 30)[0] > 0.25, at_300
    assert _annealed_perfect(seeds, 1000) < at_300


# -- RBM ------------------------------------------------------------------------------


@pytest.mark.parametrize(("training", "cd_k"), [("cd", 1), ("cd", 10), ("pcd", 1)])
def test_rbm_training_increases_exact_log_likelihood(training, cd_k):
    """Bars-and-stripes 3x3 (14 images), 6 hidden units, 50 epochs, batch 2, lr 0.1,
    initial weights N(0, 0.5^2): the exact log-likelihood of the training set rises, and
    ends above the best independent-pixel model (9 ln(1/2) = -6.238 nats).

    Measured (seed 0, epoch 0 -> 50): CD-1 -7.039 -> -5.875, CD-10 -7.039 -> -5.999,
    PCD-1 -7.039 -> -5.911 (the optimum, uniform on the 14 images, is ln(1/14) = -2.64).
    """
    p = rbm.RBMParams.create(
        dataset="bars-and-stripes",
        n_visible=9,
        n_hidden=6,
        n_epochs=50,
        batch_size=2,
        init_scale=0.5,
        training=training,
        cd_k=cd_k,
    )
    out = rbm.rbm_weights(p, np.random.default_rng(0))
    ll = out["curve_log_likelihood"]
    assert ll[-1] > ll[0] + 0.5
    assert ll[-1] > 9 * math.log(0.5) + 0.1


def test_rbm_score_every_changes_only_the_scored_epochs():
    """Scoring draws no random numbers: the trained weights are the same whatever
    ``score_every``, and the curves agree at the epochs both scored (0, every k-th and
    the last, scored by the same code)."""
    kw = dict(dataset="bars-and-stripes", n_visible=9, n_hidden=4, n_epochs=11, batch_size=2)
    every = rbm.rbm_weights(rbm.RBMParams.create(score_every=1, **kw), np.random.default_rng(4))
    some = rbm.rbm_weights(rbm.RBMParams.create(score_every=4, **kw), np.random.default_rng(4))
    np.testing.assert_array_equal(every["curve_epoch"], np.arange(12))
    np.testing.assert_array_equal(some["curve_epoch"], [0, 4, 8, 11])
    for key in ("W", "b", "c"):
        np.testing.assert_array_equal(every[key], some[key])
    for key in ("log_likelihood", "pseudo_likelihood", "reconstruction_error"):
        np.testing.assert_array_equal(every[f"curve_{key}"][[0, 4, 8, 11]], some[f"curve_{key}"])


@pytest.mark.parametrize("scale", [1.5, 60.0])
def test_rbm_log_z_split_enumeration_both_ways(scale):
    """14 hidden units (enumerated as 2^12 low states shifted by the 2^2 high ones, as
    products of 1 + e^x; at weights of s.d. 60 the products overflow and are summed as
    softplus terms) against summing the other way, over the 2^15 visible states."""
    rng = np.random.default_rng(8)
    w, b = rng.normal(0, scale, (15, 14)), rng.normal(0, scale, 15)
    c = rng.normal(0, 1, 14)
    by_visible = logsumexp(-rbm.free_energy(exact.all_states(15), w, b, c))
    assert rbm.rbm_log_z(w, b, c) == pytest.approx(by_visible, rel=1e-12)


def test_rbm_softplus_is_logaddexp():
    """The free energy's softplus, max(x, 0) + log1p(exp(-|x|)), is log(1 + e^x) to
    float rounding from -800 to 800 (where e^x alone overflows)."""
    x = np.concatenate([np.linspace(-800, 800, 4001), [-1e-300, 0.0, 1e-300]])
    np.testing.assert_allclose(rbm.softplus(x), np.logaddexp(0.0, x), rtol=1e-15, atol=1e-300)


@pytest.mark.slow
def test_rbm_bars_and_stripes_near_the_exact_optimum(seed_base, claim):
    """Bars-and-stripes 3x3 has 14 distinct images (the all-on and all-off images are
    both a bar and a stripe pattern; MacKay 2003). The best mean log-likelihood of any
    model on that training set is minus its entropy, -ln 14 = -2.639 nats (uniform on
    the 14 images): this is the issue's "about -2.64". Independent pixels reach -6.238.

    16 hidden units, CD-10, 1000 epochs, batch 2, lr 0.05, initial weights N(0, 0.01^2),
    8 seeds from the run's seed base: the gap to -ln 14 (exact log-likelihood by
    enumeration) has a 95 % t-interval whose upper end is below 0.8 nats. Measured gap,
    mean [95 % t-interval]: base 0: 0.527 [0.386, 0.667]; base 100: 0.414 [0.292, 0.536];
    base 7000: 0.503 [0.401, 0.604]. (Seeds 0-2 of 2000 epochs at lr 0.1 end at
    gaps 0.32-0.62: the end point fluctuates with the step size; not tuned further.)"""
    from scipy import stats

    p = rbm.RBMParams.create(
        dataset="bars-and-stripes",
        n_visible=9,
        n_hidden=16,
        n_epochs=1000,
        batch_size=2,
        learning_rate=0.05,
        training="cd",
        cd_k=10,
    )
    optimum = -math.log(len(datasets.bars_and_stripes(3)))
    assert optimum == pytest.approx(-2.6390573, abs=1e-6)
    seeds = range(seed_base, seed_base + 8)
    final = [
        rbm.rbm_weights(p, np.random.default_rng(s))["curve_log_likelihood"][-1] for s in seeds
    ]
    gaps = optimum - np.asarray(final)
    assert (gaps > -1e-9).all()  # nothing beats the entropy bound
    half = stats.t.ppf(0.975, len(gaps) - 1) * gaps.std(ddof=1) / math.sqrt(len(gaps))
    claim(model="rbm", claim="bars-and-stripes 3x3: mean log-likelihood after CD-10",
          source="-ln 14: the entropy bound on 14 images (MacKay 2003)",
          source_value=f"{optimum:.4f}", unit="nats", measured=np.mean(final),
          interval=(optimum - gaps.mean() - half, optimum - gaps.mean() + half),
          seeds=len(gaps))  # fmt: skip
    assert gaps.mean() + half < 0.8, (gaps.mean(), half, np.round(gaps, 3))


@pytest.mark.slow
def test_sklearn_bernoulli_rbm_peer():
    """scikit-learn's BernoulliRBM (PCD-1) and this module's PCD-1 on the same 500
    binarized digits, 16 hidden units, 10 epochs, batch 20, lr 0.1, scored by the exact
    pseudo-likelihood (nats per image, 64 pixels). Measured (seed 0): ours -23.40,
    sklearn -24.40 (sklearn's own stochastic estimate ``score_samples``: -25.03);
    reconstruction error 0.118 vs 0.127."""
    p = rbm.RBMParams.create(n_hidden=16, n_epochs=10, n_train=500, learning_rate=0.1)
    peer = rbm.sklearn_peer(p, seed=0)
    # same algorithm and budget: within 2 nats of the peer (measured: 1.0 better)
    assert peer["ours_pseudo_likelihood"] > peer["sklearn_pseudo_likelihood"] - 2.0
    assert peer["ours_pseudo_likelihood"] < -5.0  # a sane range for 64 binary pixels


def test_bars_and_stripes_and_digits_data():
    bas = datasets.bars_and_stripes(3)
    assert bas.shape == (14, 9) and set(np.unique(bas)) == {0, 1}
    digits = datasets.binary_digits()
    assert digits.shape == (1797, 64) and set(np.unique(digits)) == {0, 1}


def test_rbm_reference_samples_bars_and_stripes():
    """A trained 3x3 bars-and-stripes RBM: blocked Gibbs samples (8 chains, 2000 sweeps)
    match the exact visible distribution at T = 1 (KL within 3x the iid floor)."""
    r = neurotwin.run(
        "rbm",
        "reference",
        dataset="bars-and-stripes",
        n_visible=9,
        n_hidden=6,
        n_epochs=30,
        batch_size=7,
        n_chains=8,
        n_samples=2000,
        seed=0,
    )
    assert r.observables["kl_to_exact"] < 3 * r.observables["kl_iid"] + 0.01


# -- bad input ------------------------------------------------------------------------


def test_bad_temperature_and_sizes():
    with pytest.raises(ParamError) as info:
        neurotwin.run("boltzmann", "reference", temperature=-1.0)
    assert str(info.value) == "BoltzmannParams.temperature: must be a finite number > 0 (got -1.0)"
    with pytest.raises(ParamError) as info:
        neurotwin.run("rbm", "reference", temperature=-0.5)
    assert str(info.value) == "RBMParams.temperature: must be a finite number > 0 (got -0.5)"
    with pytest.raises(ParamError) as info:
        rbm.RBMParams.create(n_visible=10)
    assert str(info.value) == "RBMParams.n_visible: must be 64 for dataset 'digits' (got 10)"
    with pytest.raises(ParamError) as info:
        rbm.RBMParams.create(dataset="bars-and-stripes", n_visible=10)
    assert str(info.value) == (
        "RBMParams.n_visible: must be a square k^2 >= 4 for dataset 'bars-and-stripes' (got 10)"
    )
    with pytest.raises(ParamError) as info:
        bm.BoltzmannParams.create(tau_s=0.001, dt_s=0.001)
    assert str(info.value) == "BoltzmannParams.tau_s: must be >= 2 dt_s = 0.002 (got 0.001)"


def test_bad_weights():
    w, b = _random_bm(4, 0)
    bad = w.copy()
    bad[0, 1] += 0.5
    with pytest.raises(InputError) as info:
        neurotwin.run("boltzmann", "reference", n_units=4, weights={"W": bad, "b": b})
    assert str(info.value) == (
        f"boltzmann weights['W']: must be symmetric (got W[0, 1] = {float(bad[0, 1])!r} != "
        f"W[1, 0] = {float(bad[1, 0])!r})"
    )
    diag = w.copy()
    diag[2, 2] = 1.5
    with pytest.raises(InputError) as info:
        neurotwin.run("boltzmann", "reference", n_units=4, weights={"W": diag, "b": b})
    assert (
        str(info.value) == "boltzmann weights['W']: must have a zero diagonal (got W[2, 2] = 1.5)"
    )
    with pytest.raises(InputError) as info:
        neurotwin.run("boltzmann", "reference", n_units=4, weights={"W": w[:3, :3], "b": b})
    assert str(info.value) == (
        "boltzmann weights['W']: must have shape (n_units, n_units) = (4, 4) (got (3, 3))"
    )
    z0 = np.zeros((1, 4), dtype=np.int8)
    z0[0, 3] = 2
    with pytest.raises(InputError) as info:
        neurotwin.run(
            "boltzmann", "reference", n_units=4, weights={"W": w, "b": b}, inputs={"z0": z0}
        )
    assert str(info.value) == (
        "boltzmann inputs['z0']: must contain only 0 and 1 (got 2 at index (0, 3))"
    )


def test_bad_rbm_data():
    p = rbm.RBMParams.create(dataset="bars-and-stripes", n_visible=4, n_hidden=2, n_epochs=1)
    data = np.array([[0, 1, 1, 0], [1, 0.5, 0, 1]])
    with pytest.raises(InputError) as info:
        rbm.train_rbm(data, p, np.random.default_rng(0))
    assert str(info.value) == "rbm data: must contain only 0 and 1 (got 0.5 at index (1, 1))"
    with pytest.raises(InputError) as info:
        rbm.train_rbm(np.zeros((3, 5)), p, np.random.default_rng(0))
    assert str(info.value) == (
        "rbm data: must have shape (n_examples, n_visible) = (*, 4) (got (3, 5))"
    )
    good = rbm.rbm_weights(p, np.random.default_rng(0))
    with pytest.raises(InputError) as info:
        neurotwin.run(
            "rbm", "reference", params=p, weights={**good, "data": data}, inputs={"v0": data[:0]}
        )
    assert str(info.value) == (
        "rbm weights['data']: must contain only 0 and 1 (got 0.5 at index (1, 1))"
    )
    with pytest.raises(InputError) as info:
        neurotwin.run("rbm", "reference", params=p, weights={**good, "W": good["W"].T})
    assert str(info.value) == (
        "rbm weights['W']: must have shape (n_visible, n_hidden) = (4, 2) (got (2, 4))"
    )
