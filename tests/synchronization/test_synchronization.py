"""Synchronization reference models: Kuramoto, the Millennium Bridge, Mirollo-Strogatz
pulse coupling and the phase-reduced LIF network, against theory; determinism; bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

import neurotwin
from neurotwin import InputError, ParamError
from neurotwin.rate_models.synchronization import phases
from neurotwin.rate_models.synchronization.kuramoto import KuramotoParams, erdos_renyi
from neurotwin.rate_models.synchronization.lif_sync import lif_drive
from neurotwin.rate_models.synchronization.millennium_bridge import (
    BridgeParams,
    critical_crowd_size,
)
from neurotwin.rate_models.synchronization.phases import frequencies
from neurotwin.rate_models.synchronization.pulse_coupled import (
    PulseCoupledParams,
    mirollo_strogatz,
)

# -- Kuramoto: theory ---------------------------------------------------------------


@pytest.mark.parametrize("coupling", [1.5, 2.0, 3.0])
def test_kuramoto_lorentzian_order_parameter_matches_theory(coupling, seed_base, claim):
    """Kuramoto (1975, 1984); Strogatz (2000), Physica D 143, 1: for a Lorentzian of
    half-width gamma, K_c = 2 gamma and the stationary r = sqrt(1 - K_c / K) (exact for
    N -> infinity, Ott & Antonsen 2008). N = 5000, gamma = 0.5 (K_c = 1), frequencies at
    the distribution's quantiles, r averaged over t in [50, 100] s: within 0.03.

    Measured (seed 1): 0.5773 / 0.7071 / 0.8165 vs theory 0.5774 / 0.7071 / 0.8165
    (|diff| < 2e-4). With random frequency draws instead (``freq_sampling="random"``,
    seeds 1 and 2) the differences were up to 0.025, the finite-N scatter of g(0).
    """
    r = neurotwin.run(
        "kuramoto", n_oscillators=5000, coupling=coupling, freq_width=0.5, seed=seed_base + 1
    ).observables
    theory = math.sqrt(1.0 - 1.0 / coupling)
    claim(model="kuramoto", claim=f"stationary r, Lorentzian, K / K_c = {coupling}",
          source="Kuramoto 1975; Strogatz 2000", source_value=f"sqrt(1 - K_c / K) = {theory:.4f}",
          measured=r["order_parameter"], seeds=1)  # fmt: skip
    assert r["kc_theory"] == pytest.approx(1.0)
    assert r["r_theory"] == pytest.approx(theory)
    assert abs(r["order_parameter"] - theory) < 0.03, r["order_parameter"]


def test_kuramoto_incoherent_below_kc_scales_as_one_over_sqrt_n(seed_base):
    """Below K_c the incoherent state is stable and r is a finite-size fluctuation,
    O(1/sqrt(N)); for the Lorentzian, <r^2> ~ 1 / (N (1 - K/K_c)) (Daido 1990; Strogatz
    & Mirollo 1991), i.e. <r> sqrt(N) ~ sqrt(pi / (4 (1 - K/K_c))) = 1.25 at K = K_c / 2.
    Measured (3 seeds each): r sqrt(N) = 1.23 (N = 500) and 1.39 (N = 5000)."""
    scaled = {}
    for n in (500, 5000):
        rs = [
            neurotwin.run(
                "kuramoto",
                n_oscillators=n,
                coupling=0.5,
                freq_width=0.5,
                duration_s=60.0,
                transient_s=20.0,
                dt_s=0.1,
                seed=s,
            ).observables["order_parameter"]
            for s in range(seed_base, seed_base + 3)
        ]
        scaled[n] = float(np.mean(rs) * math.sqrt(n))
    for n, value in scaled.items():
        assert 0.7 < value < 2.2, (n, scaled)


def test_kuramoto_gaussian_matches_self_consistency():
    """Gaussian g (s.d. 1): K_c = 2 / (pi g(0)) = 1.596 and r solves Kuramoto's
    self-consistency 1 = K int cos^2(p) g(K r sin p) dp over (-pi/2, pi/2), solved here
    independently of the code (r = 0.8697 at K = 2.5). Measured at N = 5000 (quantile
    frequencies): 0.86971."""
    from scipy import integrate, optimize

    def g(w):
        return math.exp(-0.5 * w * w) / math.sqrt(2 * math.pi)

    def residual(rr):
        f = integrate.quad(
            lambda p: math.cos(p) ** 2 * g(2.5 * rr * math.sin(p)), -1.57079632679, 1.57079632679
        )[0]
        return 2.5 * f - 1.0

    r_solved = optimize.brentq(residual, 0.1, 1.0, xtol=1e-12)
    r = neurotwin.run(
        "kuramoto",
        n_oscillators=5000,
        coupling=2.5,
        freq_dist="gaussian",
        freq_width=1.0,
        seed=1,
    ).observables
    assert r["kc_theory"] == pytest.approx(2.0 / (np.pi / math.sqrt(2 * np.pi)))
    assert r["r_theory"] == pytest.approx(r_solved, abs=1e-6)
    assert abs(r["order_parameter"] - r["r_theory"]) < 0.03


def test_kuramoto_noise_shifts_kc():
    """Phase diffusion D: K_c = 2 (gamma + D) (Strogatz & Mirollo 1991). gamma = D = 0.25
    gives K_c = 1: incoherent at K = 0.8 (measured r = 0.038 at N = 2000), coherent at
    K = 2 (measured 0.77), where noiseless gamma = 0.25 alone would give K_c = 0.5."""
    kw = dict(n_oscillators=2000, freq_width=0.25, noise=0.25, seed=1)
    below = neurotwin.run("kuramoto", coupling=0.8, **kw).observables
    above = neurotwin.run("kuramoto", coupling=2.0, **kw).observables
    assert below["kc_theory"] == pytest.approx(1.0)
    assert below["order_parameter"] < 0.1 < 0.5 < above["order_parameter"]
    assert math.isnan(above["r_theory"])


def test_kuramoto_network_of_ones_is_all_to_all():
    """An adjacency matrix of ones (mean degree N) is the all-to-all model: same trace."""
    n = 200
    omega = frequencies("lorentzian", n, 0.5, 0.0, "quantile", np.random.default_rng(0))
    kw = dict(n_oscillators=n, coupling=2.0, duration_s=20.0, transient_s=10.0, seed=3)
    net = neurotwin.run("kuramoto", weights={"omega": omega, "adjacency": np.ones((n, n))}, **kw)
    mf = neurotwin.run("kuramoto", weights={"omega": omega}, **kw)
    np.testing.assert_allclose(net.traces["r"], mf.traces["r"], atol=1e-10)
    assert net.provenance["coupling_graph"] == "adjacency"
    assert math.isnan(net.observables["kc_theory"])


def test_kuramoto_erdos_renyi_synchronizes():
    """A sparse random graph (p = 0.1, N = 500) with K = 3 K_c still locks (r > 0.7;
    measured 0.81 at N = 1000)."""
    r = neurotwin.run(
        "kuramoto",
        n_oscillators=500,
        coupling=3.0,
        topology="erdos-renyi",
        edge_prob=0.1,
        duration_s=30.0,
        transient_s=15.0,
        dt_s=0.1,
        seed=3,
    )
    assert r.observables["order_parameter"] > 0.7


def _coupling_by_definition(theta, adjacency, coupling, lag):
    """sum_j A_ij sin(theta_j - theta_i - alpha), times K / mean degree, pair by pair."""
    a = np.asarray(adjacency.toarray() if sparse.issparse(adjacency) else adjacency)
    pair = np.sin(theta[None, :] - theta[:, None] - lag)
    return coupling / (a.sum() / len(theta)) * (a * pair).sum(axis=1)


@pytest.mark.parametrize("edge_prob", [0.05, 0.6])
def test_network_coupling_real_arithmetic_is_the_definition(edge_prob):
    """The networked right-hand side (real products A cos, A sin; CSR below
    ``SPARSE_MAX_DENSITY``, dense above) equals the Kuramoto-Sakaguchi coupling
    written pair by pair, with a phase lag, within float rounding."""
    rng = np.random.default_rng(11)
    n = 80
    adjacency = erdos_renyi(n, edge_prob, rng)
    assert sparse.issparse(adjacency) == (edge_prob <= phases.SPARSE_MAX_DENSITY)
    theta = rng.uniform(0, 2 * np.pi, n)
    omega = rng.standard_normal(n)
    f = phases.phase_drift(omega, 1.7, 0.4, adjacency)
    expected = omega + _coupling_by_definition(theta, adjacency, 1.7, 0.4)
    np.testing.assert_allclose(f(theta), expected, rtol=0, atol=1e-12)


def test_kuramoto_sparse_and_dense_adjacency_same_trajectory(monkeypatch):
    """The same graph given as CSR and as a dense array kept dense (the CSR threshold
    set below its density): the same r(t) within float rounding, with a phase lag."""
    n = 400
    kw = dict(n_oscillators=n, coupling=3.0, phase_lag_rad=0.3, duration_s=10.0, transient_s=5.0)
    drawn = neurotwin.run("kuramoto", topology="erdos-renyi", edge_prob=0.1, **kw).provenance
    graph = erdos_renyi(n, 0.1, np.random.default_rng(5))
    omega = frequencies("lorentzian", n, 0.5, 0.0, "quantile", np.random.default_rng(0))
    csr = neurotwin.run("kuramoto", weights={"omega": omega, "adjacency": graph}, **kw)
    monkeypatch.setattr(phases, "SPARSE_MAX_DENSITY", -1.0)
    dense = neurotwin.run("kuramoto", weights={"omega": omega, "adjacency": graph.toarray()}, **kw)
    assert drawn["adjacency_format"] == "csr"
    assert (csr.provenance["adjacency_format"], dense.provenance["adjacency_format"]) == (
        "csr",
        "dense",
    )
    assert not np.array_equal(csr.traces["r"][0], csr.traces["r"][-1])
    np.testing.assert_allclose(csr.traces["r"], dense.traces["r"], rtol=0, atol=1e-9)


def test_erdos_renyi_entry_draw_is_the_earlier_graph():
    """Up to ``STREAM_DRAW_MAX_N`` the graph is the earlier versions' for the same seed:
    edge {i < j} iff entry (i, j) of ``rng.random((n, n))`` is below p (drawn here in
    one piece), and the stream is left where that draw left it."""
    for n, p, seed in ((40, 0.1, 1), (300, 0.3, 2), (700, 0.05, 3)):
        old_rng, new_rng = np.random.default_rng(seed), np.random.default_rng(seed)
        upper = np.triu(old_rng.random((n, n)) < p, k=1)
        got = erdos_renyi(n, p, new_rng)
        got = got.toarray() if sparse.issparse(got) else got
        np.testing.assert_array_equal(got, (upper | upper.T).astype(np.float64))
        assert old_rng.random() == new_rng.random()


def test_geometric_skipping_is_g_n_p(seed_base):
    """Above ``STREAM_DRAW_MAX_N`` pairs come from geometric skipping (Batagelj &
    Brandes 2005): distinct pairs i < j, their number Binomial(n (n - 1) / 2, p) (within
    4 s.d. over 6 seeds), and spread evenly over the pair order (chi-square over 20
    bins, p-value above 1e-4 for every seed)."""
    from scipy import stats

    from neurotwin.rate_models.synchronization.kuramoto import _geometric_pairs

    n, p = 3000, 0.004
    total = n * (n - 1) // 2
    for s in range(seed_base, seed_base + 6):
        i, j = _geometric_pairs(n, p, np.random.default_rng(s))
        assert ((0 <= i) & (i < j) & (j < n)).all()
        k = j * (j - 1) // 2 + i
        assert len(np.unique(k)) == len(k)
        assert abs(len(k) - total * p) < 4 * math.sqrt(total * p * (1 - p))
        counts = np.bincount(k * 20 // total, minlength=20)
        assert stats.chisquare(counts).pvalue > 1e-4


def test_kuramoto_large_n_draws_a_sparse_graph():
    """Above ``STREAM_DRAW_MAX_N`` an erdos-renyi network is drawn and stored sparse:
    the mean degree is (N - 1) p within 1 %, symmetric, no self-loops."""
    from neurotwin.rate_models.synchronization.kuramoto import STREAM_DRAW_MAX_N

    n = STREAM_DRAW_MAX_N + 1
    a = erdos_renyi(n, 0.001, np.random.default_rng(2))
    assert sparse.issparse(a) and a.shape == (n, n)
    assert abs(a.sum() / n / ((n - 1) * 0.001) - 1) < 0.01
    assert (a != a.T).nnz == 0 and a.diagonal().sum() == 0


# -- Millennium Bridge ------------------------------------------------------------------


def test_bridge_closed_form_threshold_value():
    """N_c = 2 B Omega_0 / (pi G C P(Omega_0)) at the default (Millennium Bridge)
    values (149.06 pedestrians there: a regression check in
    tests/regression/test_regression_constants.py, since the defaults are not yet
    checked against Strogatz et al. 2005)."""
    p = BridgeParams.create()
    nc = critical_crowd_size(p)
    p0 = 1.0 / (0.63 * math.sqrt(2 * math.pi))
    expected = 2 * 1.10e4 * math.sqrt(4.73e6 / 1.13e5) / (math.pi * 30 * 16 * p0)
    assert nc == pytest.approx(expected)


def test_bridge_onset_within_ten_percent_of_closed_form():
    """Strogatz et al. (2005), Nature 438, 43: the wobble starts suddenly at a critical
    crowd size. At 0.9 N_c the bridge stays near its noise floor (the incoherent crowd's
    random forcing) and the crowd incoherent; at 1.1 N_c it sways and the crowd locks.

    Measured (1500 s, seeds 0 and 1): wobble 1.4-1.7 mm, r 0.07 at 0.9 N_c; 35 mm,
    r 0.51 at 1.1 N_c. A finer scan (the slow test) puts the onset between 1.00 and
    1.05 N_c."""
    nc = critical_crowd_size(BridgeParams.create())
    kw = dict(duration_s=1500.0, transient_s=1000.0, seed=0)
    quiet = neurotwin.run("millennium-bridge", n_pedestrians=round(0.9 * nc), **kw).observables
    sway = neurotwin.run("millennium-bridge", n_pedestrians=round(1.1 * nc), **kw).observables
    assert quiet["critical_crowd_size"] == pytest.approx(nc)
    assert quiet["wobble_amplitude"] < 0.005 and quiet["order_parameter"] < 0.2
    assert sway["wobble_amplitude"] > 0.02 and sway["order_parameter"] > 0.4
    assert sway["wobble_amplitude"] > 10 * quiet["wobble_amplitude"]


@pytest.mark.slow
def test_bridge_onset_scan():
    """Onset located by a scan in steps of 5% of N_c: the first crowd size whose wobble
    exceeds 1 cm. Measured: quiet up to 1.00 N_c (4.4-5.8 mm at N_c), 25 mm at 1.05 N_c."""
    nc = critical_crowd_size(BridgeParams.create())
    fracs = [0.9, 0.95, 1.0, 1.05, 1.1]
    wobble = [
        neurotwin.run(
            "millennium-bridge",
            n_pedestrians=round(f * nc),
            duration_s=1500.0,
            transient_s=1000.0,
            seed=1,
        ).observables["wobble_amplitude"]
        for f in fracs
    ]
    onset = next(f for f, w in zip(fracs, wobble, strict=True) if w > 0.01)
    assert abs(onset - 1.0) <= 0.1, wobble


# -- pulse-coupled oscillators --------------------------------------------------------


@pytest.mark.parametrize("offset", [0, 1, 2])
def test_mirollo_strogatz_excitatory_pulses_synchronize(offset, seed_base):
    """Mirollo & Strogatz (1990), SIAM J. Appl. Math. 50, 1645: with a concave charging
    curve and excitatory pulses, identical oscillators synchronize from almost every
    initial condition; with no coupling they keep their phases. All N = 20 fire in one
    volley (exactly simultaneous here) at the end of 1 s (145 periods) for eps = 0.2,
    never for eps = 0. Measured time to synchrony at eps = 0.2: 11.8 and 10.8 periods
    (seeds 0, 1)."""
    kw = dict(n_oscillators=20, duration_s=1.0, seed=seed_base + offset)
    on = neurotwin.run("pulse-coupled", coupling=0.2, **kw).observables
    off = neurotwin.run("pulse-coupled", coupling=0.0, **kw).observables
    assert on["synchronized"] and on["final_cluster_fraction"] == 1.0
    assert 0 < on["time_to_sync_s"] < 1.0
    assert not off["synchronized"] and off["final_cluster_fraction"] < 0.5
    assert math.isnan(off["time_to_sync_s"])


def test_time_to_sync_falls_with_coupling(seed_base):
    """Time to synchrony vs coupling (mean over 3 seeds, in periods): measured 61 / 27 /
    11 / 4 at eps = 0.05 / 0.1 / 0.2 / 0.4, roughly ~ 1/eps (MS 1990 bound the
    absorption time by O(1/eps))."""
    means = []
    for eps in (0.05, 0.1, 0.2, 0.4):
        ts = [
            neurotwin.run(
                "pulse-coupled", n_oscillators=20, coupling=eps, duration_s=1.5, seed=s
            ).observables["time_to_sync_periods"]
            for s in range(seed_base, seed_base + 3)
        ]
        assert not np.isnan(ts).any(), (eps, ts)
        means.append(float(np.mean(ts)))
    assert all(a > b for a, b in zip(means, means[1:], strict=False)), means


def test_pulse_map_is_exact_for_two_oscillators():
    """Two oscillators, no coupling: each fires every period T = tau ln(I / (I - 1))
    exactly, at times (1 - phi_0) T + k T."""
    p = PulseCoupledParams.create(n_oscillators=2, coupling=0.0, duration_s=0.05)
    times, idx, _ = mirollo_strogatz(
        np.array([0.25, 0.5]), 0.0, p.drive, p.period_s, p.duration_s, np.zeros(0)
    )
    t1 = times[idx == 1]
    np.testing.assert_allclose(np.diff(t1), p.period_s)
    assert t1[0] == pytest.approx(0.5 * p.period_s)
    assert p.period_s == pytest.approx(0.01 * math.log(2))


# -- LIF phase reduction ----------------------------------------------------------------


def test_lif_phase_reduction_and_reference():
    """The LIF network's phase model at the defaults (25 Hz, tau_m 20 ms, tau_s 2 ms,
    delay 0.5 ms): synchronizing (kappa > 0, |lag alpha| < pi / 2), so
    K_c = 2 gamma / (kappa cos alpha) for a 1 Hz Lorentzian (Kuramoto with a phase lag,
    Sakaguchi & Kuramoto 1986). The reference at K = 0.2 (N = 100, quantile rates):
    measured r = 0.706 vs sqrt(1 - 2 gamma / (K_eff cos alpha)) = 0.705. The code's
    numbers (kappa = 125.3 rad/s, alpha = 0.076 rad, K_c = 0.1005) are regression checks
    in tests/regression/test_regression_constants.py."""
    drive = lif_drive(np.array([25.0]), 0.02)
    assert 0.02 * math.log(drive[0] / (drive[0] - 1)) == pytest.approx(1 / 25.0)
    r = neurotwin.run("lif-sync", "reference", coupling=0.2, seed=0).observables
    assert r["kappa_rad_s"] > 0 and abs(r["phase_lag_rad"]) < math.pi / 2
    gamma = 2 * math.pi * 1.0  # the rates' Lorentzian half width, 1 Hz, in rad/s
    kc = 2 * gamma / (r["kappa_rad_s"] * math.cos(r["phase_lag_rad"]))
    assert r["kc_theory"] == pytest.approx(kc, rel=1e-6)
    assert abs(r["order_parameter"] - r["r_theory"]) < 0.05
    assert abs(r["chi"] - r["order_parameter"]) < 0.05


# -- determinism ---------------------------------------------------------------------------


def test_kuramoto_noise_is_seeded():
    kw = dict(n_oscillators=100, coupling=1.5, noise=0.1, duration_s=5.0, transient_s=1.0)
    a = neurotwin.run("kuramoto", seed=4, **kw)
    b = neurotwin.run("kuramoto", seed=4, **kw)
    c = neurotwin.run("kuramoto", seed=5, **kw)
    np.testing.assert_array_equal(a.traces["r"], b.traces["r"])
    assert not np.array_equal(a.traces["r"], c.traces["r"])


def test_frequencies_do_not_depend_on_coupling_or_noise():
    """Weights and inputs come from their own seed streams (the harness's draw)."""
    from neurotwin.harness import draw
    from neurotwin.registry import get_model

    spec = get_model("kuramoto")
    w1, in1, _ = draw(spec, KuramotoParams.create(coupling=0.5), 9)
    w2, in2, _ = draw(spec, KuramotoParams.create(coupling=3.0, noise=0.2), 9)
    np.testing.assert_array_equal(w1["omega"], w2["omega"])
    np.testing.assert_array_equal(in1["theta0"], in2["theta0"])


# -- bad input: exact error text -------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "overrides", "message"),
    [
        (
            "kuramoto",
            {"n_oscillators": -5},
            "KuramotoParams.n_oscillators: must be an integer >= 2 (got -5)",
        ),
        (
            "kuramoto",
            {"freq_dist": "uniform"},
            "KuramotoParams.freq_dist: must be one of 'lorentzian', 'gaussian' (got 'uniform')",
        ),
        (
            "kuramoto",
            {"coupling": -1.0},
            "KuramotoParams.coupling: must be a finite number >= 0 (got -1.0)",
        ),
        (
            "kuramoto",
            {"duration_s": 10.0, "transient_s": 20.0},
            "KuramotoParams.transient_s: must be < duration_s = 10.0 (got 20.0)",
        ),
        (
            "millennium-bridge",
            {"n_pedestrians": -1},
            "BridgeParams.n_pedestrians: must be an integer >= 1 (got -1)",
        ),
        (
            "millennium-bridge",
            {"crowd_model": "kuramoto"},
            "BridgeParams.crowd_model: must be one of 'phase', 'foot_force', 'van_der_pol' "
            "(got 'kuramoto')",
        ),
        (
            "pulse-coupled",
            {"n_oscillators": 0},
            "PulseCoupledParams.n_oscillators: must be an integer >= 2 (got 0)",
        ),
        (
            "pulse-coupled",
            {"drive": 1.0},
            "PulseCoupledParams.drive: must be a finite number > 1 (got 1.0)",
        ),
        (
            "lif-sync",
            {"n_neurons": -3},
            "LifSyncParams.n_neurons: must be an integer >= 2 (got -3)",
        ),
        (
            "lif-sync",
            {"freq_dist": "cauchy"},
            "LifSyncParams.freq_dist: must be one of 'lorentzian', 'gaussian' (got 'cauchy')",
        ),
    ],
)
def test_bad_params_exact_text(model, overrides, message):
    with pytest.raises(ParamError) as info:
        neurotwin.run(model, "reference", **overrides)
    assert str(info.value) == message


def _omega(n):
    return np.zeros(n)


@pytest.mark.parametrize(
    ("weights", "inputs", "message"),
    [
        (
            {"omega": _omega(10), "adjacency": np.ones((10, 9))},
            None,
            "kuramoto weights['adjacency']: must have shape (n_oscillators, n_oscillators) "
            "= (10, 10) (got (10, 9))",
        ),
        (
            {"omega": _omega(10), "adjacency": np.where(np.eye(10) > 0, np.nan, 1.0)},
            None,
            "kuramoto weights['adjacency']: must be finite (got nan at index (0, 0))",
        ),
        (
            {"omega": _omega(10), "adjacency": sparse.csr_array(np.ones((10, 9)))},
            None,
            "kuramoto weights['adjacency']: must have shape (n_oscillators, n_oscillators) "
            "= (10, 10) (got (10, 9))",
        ),
        (
            {
                "omega": _omega(10),
                "adjacency": sparse.csr_array(
                    (np.array([1.0, np.nan]), (np.array([0, 2]), np.array([1, 3]))),
                    shape=(10, 10),
                ),
            },
            None,
            "kuramoto weights['adjacency']: must be finite (got nan at index (2, 3))",
        ),
        (
            {"omega": _omega(9)},
            None,
            "kuramoto weights['omega']: must have shape (n_oscillators,) = (10,) (got (9,))",
        ),
        (
            {"omega": np.array([0.0] * 9 + [np.inf])},
            None,
            "kuramoto weights['omega']: must be finite (got inf at index (9,))",
        ),
        (
            None,
            {"theta0": np.zeros((2, 5))},
            "kuramoto inputs['theta0']: must have shape (n_oscillators,) = (10,) (got (2, 5))",
        ),
        (
            {"frequencies": _omega(10)},
            None,
            "kuramoto weights['omega']: is missing (got ['frequencies'])",
        ),
    ],
)
def test_bad_kuramoto_arrays_exact_text(weights, inputs, message):
    with pytest.raises(InputError) as info:
        neurotwin.run(
            "kuramoto",
            n_oscillators=10,
            duration_s=1.0,
            transient_s=0.0,
            weights=weights,
            inputs=inputs,
        )
    assert str(info.value) == message


def test_bad_pulse_and_lif_arrays_exact_text():
    with pytest.raises(InputError) as info:
        neurotwin.run(
            "pulse-coupled", n_oscillators=3, inputs={"phase0": np.array([0.1, 1.0, 0.2])}
        )
    assert str(info.value) == (
        "pulse-coupled inputs['phase0']: must be in [0, 1) (got 1.0 at index (1,))"
    )
    with pytest.raises(InputError) as info:
        neurotwin.run(
            "lif-sync",
            n_neurons=2,
            weights={"rate_hz": np.array([25.0, 25.0]), "drive": np.array([1.2, 0.9])},
        )
    assert str(info.value) == (
        "lif-sync weights['drive']: must be > 1, the threshold (got 0.9 at index (1,))"
    )


def _foot_force(**kw):
    omega0 = BridgeParams.create().omega0
    return dict(crowd_model="foot_force", freq_offset_rad_s=5.655 - omega0, freq_sd_rad_s=0.3, **kw)


def test_foot_force_wobble_starts_without_synchrony():
    """Belykh et al. (2021), Nature Communications 12, 7223: with foot-force walkers
    (inverted pendulums placing their feet by Hof's rule, Macdonald 2009; gait 0.9 Hz,
    bridge/gait frequency ratio 1.144) each walker damps the deck negatively *on
    average*, so the deck goes unstable once N > N_crit = B / (-sigma), with no need
    for synchrony.

    Measured: sigma = -192 to -200 kg/s (prescribed 2 mm deck motion), N_crit = 55-57;
    in the coupled runs 50 walkers stay at the noise floor (0.2 mm), 60 grow to 4 cm
    by 1000 s, 70-120 run away to the 0.5 m cap; the crowd's order parameter when the
    wobble passes 1 cm is 0.02-0.11 (incoherent)."""
    quiet = neurotwin.run(
        "millennium-bridge", **_foot_force(n_pedestrians=45, duration_s=800.0, transient_s=500.0)
    )
    run = neurotwin.run(
        "millennium-bridge", **_foot_force(n_pedestrians=75, duration_s=800.0, transient_s=500.0)
    )
    nc = quiet.observables["critical_crowd_size"]
    assert quiet.observables["pedestrian_damping_kg_s"] < 0
    assert 45 < nc < 75, nc
    assert quiet.observables["wobble_amplitude"] < 1e-3
    assert run.observables["wobble_amplitude"] > 0.1
    amp, r = run.traces["amplitude"], run.traces["r"]
    at_1cm = int(np.argmax(amp > 0.01))
    assert amp[at_1cm] > 0.01 and r[at_1cm] < 0.2  # no prior synchrony


#: Belykh et al. (2021)'s deck, from their code supplement (github.com/KevinMichaelDaley/
#: MillenniumBridge, negative_damping.py): f = 1.03 Hz, M = 113e3 kg, and a damping term
#: B / M = 0.04 x 2 pi f = 0.2589 1/s (B = 29,252 kg/s); the defaults here have
#: B / M = 1.10e4 / 1.13e5 = 0.0973 1/s
BELYKH_DECK = {
    "mass_kg": 113e3,
    "stiffness_n_m": 113e3 * (2 * math.pi * 1.03) ** 2,
    "damping_kg_s": 113e3 * 0.04 * 2 * math.pi * 1.03,
}
#: onset of the real bridge's lateral instability in the crowd tests (Dallard et al.
#: 2001, as quoted in issue 18; the paper itself not re-read here)
REAL_ONSET = 165


@pytest.mark.slow
def test_foot_force_crowd_on_belykhs_deck_near_the_real_onset(seed_base, claim):
    """Belykh et al. (2021)'s deck (``BELYKH_DECK``) and walkers (76.9 kg, leg 1.17 m,
    b_min 0.0157 m, gait 0.9 Hz = 5.655 rad/s; this test's gait s.d. 0.3 rad/s where
    their models 1-2 use 0): N_crit = B / (-sigma) against the real bridge's onset of
    about 165 walkers (Dallard et al. 2001).

    Measured N_crit over 16 seeds (0-7, 100-103, 7000-7003; the seed moves the walkers'
    step phases): 148.7 [144.8, 152.6] (mean, 95 % t-interval) from the 120 walkers'
    frequencies, 148.9 [146.2, 151.7] from 190; single seeds 137.8-158.1. The model at
    the published deck values puts the onset about 10 % below the real bridge's 165
    (the issue's estimate "about 150" agrees). Asserted: the 95 % t-interval over 8
    seeds from the run's seed base within [0.8, 1.0] x 165; over 4 of them, 120
    walkers stay below 1 mm and 190 run away (0.5 m cap) with an incoherent crowd
    (order parameter < 0.2 when the wobble passes 1 cm; 0.05 at seed 0). With the
    default deck damping (B / M = 0.097 1/s) N_crit is 55-57
    (``test_foot_force_wobble_starts_without_synchrony``)."""
    from scipy import stats

    omega0 = 2 * math.pi * 1.03
    kw = dict(BELYKH_DECK, crowd_model="foot_force", freq_offset_rad_s=5.655 - omega0)
    kw.update(freq_sd_rad_s=0.3, duration_s=800.0, transient_s=500.0)
    seeds = range(seed_base, seed_base + 8)
    quiet = [neurotwin.run("millennium-bridge", n_pedestrians=120, seed=s, **kw) for s in seeds]
    nc = np.array([r.observables["critical_crowd_size"] for r in quiet])
    half = stats.t.ppf(0.975, len(nc) - 1) * nc.std(ddof=1) / math.sqrt(len(nc))
    claim(model="millennium-bridge", claim="critical crowd N_crit, foot-force walkers on "
          "Belykh et al. 2021's deck", source="Dallard et al. 2001 (real bridge's onset)",
          source_value=f"about {REAL_ONSET}", measured=nc.mean(),
          interval=(nc.mean() - half, nc.mean() + half), seeds=len(nc))  # fmt: skip
    assert 0.8 * REAL_ONSET <= nc.mean() - half and nc.mean() + half <= REAL_ONSET, nc
    for seed, q in zip(seeds[:4], quiet[:4], strict=True):
        assert q.observables["wobble_amplitude"] < 1e-3, seed
        run = neurotwin.run("millennium-bridge", n_pedestrians=190, seed=seed, **kw)
        assert run.observables["wobble_amplitude"] > 0.1, seed
        amp, order = run.traces["amplitude"], run.traces["r"]
        at_1cm = int(np.argmax(amp > 0.01))
        assert amp[at_1cm] > 0.01 and order[at_1cm] < 0.2, (seed, order[at_1cm])


def test_van_der_pol_crowd_is_a_control_without_wobble():
    """The van der Pol gait crowd (Belykh, Jeter & Belykh 2017, model 1) at bridge/gait
    ratio 1 damps the deck on average (measured +260 to +990 kg/s per walker for ratios
    0.9-1.22 at lambda = 2 /s), so even 300 walkers, twice the phase model's N_c, leave
    the deck below 1 mm with an incoherent crowd."""
    r = neurotwin.run(
        "millennium-bridge",
        crowd_model="van_der_pol",
        n_pedestrians=300,
        duration_s=300.0,
        transient_s=200.0,
        seed=0,
    ).observables
    assert r["pedestrian_damping_kg_s"] > 0
    assert r["wobble_amplitude"] < 1e-3
    assert r["order_parameter"] < 0.2


# -- experiments ---------------------------------------------------------------------------

SYNC_EXPERIMENTS = ["kuramoto-transition", "millennium-bridge", "spiking-sync", "sync-and-memory"]


def test_sync_experiments_registered_with_quick_variants():
    from neurotwin.sweep import experiments, get_experiment

    registered = experiments()
    for name in SYNC_EXPERIMENTS:
        exp = registered[name]
        assert exp.figure is not None and exp.summary is not None and exp.description
        assert get_experiment(name, quick=True).name == f"{name}-quick"
    assert registered["kuramoto-transition"].grid["n_oscillators"] == [100, 1000, 10000]
    assert registered["spiking-sync"].realizations == ("reference", "brian2")


@pytest.mark.parametrize(
    "name",
    [
        "kuramoto-transition",
        "sync-and-memory",
        pytest.param("millennium-bridge", marks=pytest.mark.slow),
        pytest.param("spiking-sync", marks=pytest.mark.slow),
    ],
)
def test_sync_quick_experiment_writes_figure_and_summary(name, tmp_path):
    import json

    from neurotwin.sweep import get_experiment, run_sweep

    if name == "spiking-sync":
        pytest.importorskip("brian2")
    exp = get_experiment(name, quick=True)
    ds = run_sweep(exp, tmp_path, scheduler="synchronous", progress=False)
    assert (ds["error"] == "").all()
    assert (tmp_path / f"{exp.name}.png").stat().st_size > 10_000
    summary = json.loads((tmp_path / f"{exp.name}.summary.json").read_text())
    assert summary["sweep"]["failed"] == 0
