"""``stdp``: pair-based additive STDP (Song, Miller & Abbott 2000) on one neuron driven
by a correlated and an uncorrelated group of Poisson inputs; the reference is the
rate-based reduction of Kempter, Gerstner & van Hemmen (1999). The Brian2 realization
is in :mod:`neurotwin.spiking.learning.brian2`.

References
----------
Song, S., Miller, K. D. & Abbott, L. F. (2000). Nat. Neurosci. 3, 919-926.
Kempter, R., Gerstner, W. & van Hemmen, J. L. (1999). Phys. Rev. E 59, 4498-4514.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field

from neurotwin.errors import InputError
from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, Terms, cost, driver
from neurotwin.rate_models.perceptron.checks import check_values
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

#: largest Euler step of the rate reduction (s); its fastest time scale,
#: 1 / (gain c nu (N/2) a_plus), is ~60 s at the defaults
ODE_STEP_S = 0.01


class StdpParams(Params):
    """Pair-based additive STDP (Song, Miller & Abbott 2000) on one neuron driven by a
    correlated and an uncorrelated group of Poisson inputs (times in s, rates in Hz).

    Window, for a post spike ``s = t_post - t_pre`` after a pre spike:
    ``W(s) = a_plus exp(-s / tau_plus_s)`` (s > 0), ``-a_minus_ratio * a_plus exp(s /
    tau_minus_s)`` (s < 0); weights clipped to [0, w_max] (w_max = 1: weights in units
    of the maximal synaptic strength). The first ``n_inputs // 2`` inputs share a
    Poisson "mother" train of rate ``rate_hz / correlation``, each keeping a mother spike
    with probability ``correlation`` (pairwise correlation coefficient c); the others
    fire independently at ``rate_hz``.

    ``neuron``: ``"poisson"``, a linear Poisson neuron with rate ``nu0_hz + gain_hz *
    sum_j w_j * (eps * S_j)(t)``, ``eps(s) = exp(-s / tau_epsp_s) / tau_epsp_s`` (for which
    the reduction is exact up to the bounds), or ``"lif"``, a conductance-based LIF
    neuron as in Song et al. (2000) (tau_m = 20 ms, rest -70 mV, threshold -54 mV, reset
    -60 mV, E_exc = 0 mV, tau_exc = 5 ms, each spike raising g by g_max * w in units of
    the leak), run in Brian2 only.
    """

    neuron: Literal["poisson", "lif"] = Field("poisson", description="postsynaptic neuron")
    n_inputs: int = Field(200, ge=2, description="inputs; the first half are correlated")
    rate_hz: float = Field(10.0, gt=0, le=100, description="rate of every input")
    correlation: float = Field(0.2, gt=0, le=1, description="c of the correlated group")
    duration_s: float = Field(10.0, gt=0, le=1000, description="simulated time")
    dt_s: float = Field(5e-4, gt=0, le=1e-3, description="time step (and spike-time grid)")
    a_plus: float = Field(0.01, gt=0, le=1, description="potentiation step A+ (units of w_max)")
    a_minus_ratio: float = Field(1.05, gt=0, description="A- / A+")
    tau_plus_s: float = Field(0.02, gt=0, description="potentiation window")
    tau_minus_s: float = Field(0.02, gt=0, description="depression window")
    w_init: float = Field(0.5, ge=0, le=1, description="initial weights (units of w_max)")
    nu0_hz: float = Field(0.0, ge=0, description="poisson neuron: spontaneous rate")
    gain_hz: float = Field(0.02, gt=0, description="poisson neuron: rate per unit w*input")
    tau_epsp_s: float = Field(0.005, gt=0, description="poisson neuron: EPSP kernel time")
    g_max: float = Field(0.05, gt=0, description="lif neuron: peak conductance at w = 1")
    record_dt_s: float = Field(0.5, gt=0, description="weights recorded this often")


def stdp_weights(params: StdpParams, rng: np.random.Generator) -> dict:
    """Initial weights ``{"w0": (n_inputs,)}``, all ``w_init``."""
    return {"w0": np.full(params.n_inputs, params.w_init)}


def stdp_inputs(params: StdpParams, weights: dict, rng: np.random.Generator) -> dict:
    """Input spikes on the ``dt_s`` grid: ``spike_times`` (s), ``spike_indices`` (at most
    one spike per input and step)."""
    n, dur, dt = params.n_inputs, params.duration_s, params.dt_s
    n_corr = n // 2
    mother_rate = params.rate_hz / params.correlation
    mother = np.sort(rng.uniform(0, dur, rng.poisson(mother_rate * dur)))
    keep = rng.random((len(mother), n_corr)) < params.correlation
    m_idx, i_corr = np.nonzero(keep)
    times = [mother[m_idx]]
    idx = [i_corr]
    n_ind = rng.poisson(params.rate_hz * dur * (n - n_corr))
    times.append(rng.uniform(0, dur, n_ind))
    idx.append(rng.integers(n_corr, n, n_ind))
    steps = np.floor(np.concatenate(times) / dt).astype(np.int64)
    idx = np.concatenate(idx)
    key = np.unique(steps * n + idx)  # drop repeats within one step; sorted by time
    return {"spike_times": (key // n) * dt, "spike_indices": key % n}


def stdp_validate(params: StdpParams, weights: dict, inputs: dict) -> None:
    n = params.n_inputs
    w0 = check_array("stdp", "weights", weights, "w0", (n,), "(n_inputs,)")
    bad = (w0 < 0) | (w0 > 1)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"stdp weights['w0']: must lie in [0, 1] (got {w0[i]} at index ({i},))")
    t = check_array("stdp", "inputs", inputs, "spike_times", (None,), "(n_spikes,)")
    i = check_array("stdp", "inputs", inputs, "spike_indices", (len(t),), "(n_spikes,)")
    check_values("stdp", "inputs", "spike_indices", i, range(n), f"must be indices in 0..{n - 1}")
    out = (t < 0) | (t >= params.duration_s)
    if out.any():
        k = int(np.argmax(out))
        raise InputError(
            f"stdp inputs['spike_times']: must lie in [0, duration_s) (got {t[k]} at index ({k},))"
        )


def window_integral(params: StdpParams, on_grid: bool = True) -> float:
    """Integral of the STDP window (s); negative here, so uncorrelated inputs are
    depressed on average.

    ``on_grid=False``: ``a_plus tau_plus - a_minus tau_minus`` (continuous time).
    ``on_grid=True``: the sum the simulation on the ``dt_s`` grid realises, ``dt
    [a_plus / (1 - e^{-dt/tau_plus}) - a_minus e^{-dt/tau_minus} / (1 - e^{-dt/tau_minus})]``:
    a pre and a post spike in the same step count as a causal pair (Brian2 runs
    ``on_pre`` before ``on_post``), which adds about ``dt (a_plus + a_minus) / 2``, half of
    the continuous integral at the defaults (dt = 0.5 ms), so it is not left out.
    """
    a_plus, a_minus = params.a_plus, params.a_plus * params.a_minus_ratio
    if not on_grid:
        return a_plus * params.tau_plus_s - a_minus * params.tau_minus_s
    dt = params.dt_s
    qp, qm = np.exp(-dt / params.tau_plus_s), np.exp(-dt / params.tau_minus_s)
    return float(dt * (a_plus / (1 - qp) - a_minus * qm / (1 - qm)))


def causal_gain(params: StdpParams) -> float:
    """Potentiation per input spike per unit weight and unit gain: the causal half of W
    weighted by the EPSP kernel, ``a_plus int_0^inf e^{-s/tau_plus} eps(s) ds``, on the
    ``dt_s`` grid (an input spike raises the rate from the next step on):
    ``a_plus (dt / tau_epsp) q / (1 - q)``, ``q = exp(-dt (1/tau_plus + 1/tau_epsp))``
    (``a_plus tau_plus / (tau_plus + tau_epsp)`` for dt -> 0)."""
    dt = params.dt_s
    q = np.exp(-dt * (1 / params.tau_plus_s + 1 / params.tau_epsp_s))
    return float(params.a_plus * dt / params.tau_epsp_s * q / (1 - q))


def stated_statistics(params: StdpParams) -> tuple[np.ndarray, np.ndarray]:
    """Input rates ``nu`` (Hz) and zero-lag covariance rates ``C`` (Hz; ``C_ij dt`` is
    the excess probability of a spike of i and j in the same step) the parameters state:
    ``nu_i = rate_hz``, ``C_ij = c nu`` within the correlated group, 0 otherwise."""
    n, n_corr = params.n_inputs, params.n_inputs // 2
    cov = np.zeros((n, n))
    cov[:n_corr, :n_corr] = params.correlation * params.rate_hz
    np.fill_diagonal(cov, 0.0)
    return np.full(n, params.rate_hz), cov


def measured_statistics(params: StdpParams, inputs: dict) -> tuple[np.ndarray, np.ndarray]:
    """The same statistics estimated from the input spikes themselves: rates = counts /
    duration, ``C_ij`` = (same-step coincidences - nu_i nu_j dt T) / T (chance removed)."""
    from scipy import sparse

    n, dur, dt = params.n_inputs, params.duration_s, params.dt_s
    steps = np.floor(np.asarray(inputs["spike_times"]) / dt + 0.5).astype(np.int64)
    idx = np.asarray(inputs["spike_indices"]).astype(np.int64)
    b = sparse.csr_matrix(
        (np.ones(len(idx)), (steps, idx)), shape=(int(steps.max(initial=0)) + 1, n)
    )
    nu = np.asarray(b.sum(axis=0)).ravel() / dur
    coinc = (b.T @ b).toarray() / dur
    cov = coinc - np.outer(nu, nu) * dt
    np.fill_diagonal(cov, 0.0)
    return nu, cov


def stdp_drift(
    params: StdpParams, w: np.ndarray, stats: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, float]:
    """Kempter et al. (1999) mean drift ``dw_i/dt`` (1/s) for the linear Poisson neuron,
    and its rate ``nu_post = nu0 + gain sum_j w_j nu_j``:

    ``dw_i/dt = nu_i nu_post int W + gain K (w_i nu_i + sum_{j != i} C_ij w_j)``,
    ``K`` = :func:`causal_gain`,

    the first term from chance pairings, the second from the input's own spikes and
    the spikes correlated with them (zero-lag covariance rates ``C``, ``stats`` =
    ``(nu, C)``; default :func:`stated_statistics`: ``c nu`` within the correlated
    group) raising the postsynaptic rate through the causal half of W. Both are
    evaluated on the simulation's time grid.
    """
    nu, cov = stated_statistics(params) if stats is None else stats
    nu_post = params.nu0_hz + params.gain_hz * float(nu @ w)
    drift = nu * nu_post * window_integral(params) + params.gain_hz * causal_gain(params) * (
        w * nu + cov @ w
    )
    return drift, float(nu_post)


def stdp_record_times(params: StdpParams) -> np.ndarray:
    n_rec = int(np.floor(params.duration_s / params.record_dt_s + 1e-9))
    return np.arange(n_rec + 1) * params.record_dt_s


@realization("stdp", "reference")
def run_stdp_reduction(params: StdpParams, weights: dict, inputs: dict, seed: int, options=None):
    """Euler integration (step <= 10 ms; the drift is slow) of the mean drift
    :func:`stdp_drift` with the rates and correlations measured on the very input
    spikes Brian2 replays (:func:`measured_statistics`), clipped to [0, 1]; needs
    ``neuron="poisson"`` (for the LIF neuron no such reduction is exact)."""
    if params.neuron != "poisson":
        from neurotwin.errors import ParamError

        raise ParamError(
            "StdpParams.neuron: must be 'poisson' for the reference (rate) reduction; "
            "'lif' runs in Brian2 only (got 'lif')"
        )
    w = np.array(weights["w0"], dtype=float)
    stats = measured_statistics(params, inputs)
    t_rec = stdp_record_times(params)
    every = max(1, int(np.ceil(params.record_dt_s / ODE_STEP_S)))
    h = params.record_dt_s / every
    hist, rates = [w.copy()], []
    for _k in range(1, len(t_rec)):
        for _ in range(every):
            drift, nu_post = stdp_drift(params, w, stats)
            w = np.clip(w + h * drift, 0.0, 1.0)
        hist.append(w.copy())
        rates.append(nu_post)
    rates.insert(0, stdp_drift(params, np.asarray(weights["w0"], float), stats)[1])
    # np.clip passes NaN through: a drift that is not finite would give NaN weights
    check_finite("stdp/reference weights", np.stack(hist), t_rec, "s")
    return Result(
        model="stdp",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t_rec,
        t_unit="s",
        traces={"weights": np.stack(hist), "post_rate_hz": np.array(rates)},
    )


def stdp_observe(result: Result, params: StdpParams, weights: dict, inputs: dict) -> dict:
    """Group means of the final weights, ``weight_difference`` (correlated minus
    uncorrelated), the group-mean curves, each group's mean drift over the run
    ``(final - initial) / duration`` (1/s), and the reduction's drift at the initial
    weights (``initial_drift_*_theory``)."""
    w = np.asarray(result.traces["weights"])
    n_corr = params.n_inputs // 2
    corr, unc = w[:, :n_corr].mean(axis=1), w[:, n_corr:].mean(axis=1)
    drift, _ = stdp_drift(params, np.asarray(weights["w0"], float))
    span = float(result.t[-1] - result.t[0]) or 1.0
    return {
        "mean_w_correlated": float(corr[-1]),
        "mean_w_uncorrelated": float(unc[-1]),
        "weight_difference": float(corr[-1] - unc[-1]),
        "w_correlated_curve": corr,
        "w_uncorrelated_curve": unc,
        "drift_correlated": float((corr[-1] - corr[0]) / span),
        "drift_uncorrelated": float((unc[-1] - unc[0]) / span),
        "initial_drift_correlated_theory": float(drift[:n_corr].mean()),
        "initial_drift_uncorrelated_theory": float(drift[n_corr:].mean()),
    }


def stdp_estimate(params: StdpParams, options, realization: str):
    """Memory: the input spikes (``rate_hz * duration_s * n_inputs`` of them, about eight
    int64/float64 values each while they are drawn on the ``dt_s`` grid), the correlated
    group's draw (mother spikes x n_inputs / 2), the zero-lag statistics (n_inputs^2,
    a few copies), the recorded weights; the rate reduction also bins the spikes on the
    time grid (one row per ``dt_s`` step), Brian2 records the weights in a monitor.
    Steps: the reduction's Euler steps x inputs, plus the spikes drawn; Brian2: time
    steps x (inputs + 1)."""
    n, dur = params.n_inputs, params.duration_s
    n_spikes = params.rate_hz * dur * n
    n_rec = dur / params.record_dt_s + 1
    mother = params.rate_hz / params.correlation * dur
    mem = Terms(
        (driver(params, ("duration_s", "n_inputs", "rate_hz")), 8 * F8 * n_spikes),
        ("correlation", 2 * F8 * mother * (n // 2)),
        ("n_inputs", 5 * F8 * n * n),
        ("record_dt_s", 3 * F8 * n_rec * n),
    )
    grid = dur / params.dt_s
    who = driver(params, ("n_inputs", "duration_s"), ("dt_s",))
    if realization == "reference":
        mem.add("dt_s", 2 * F8 * grid)
        every = max(1, math.ceil(params.record_dt_s / ODE_STEP_S))
        steps = Terms((who, (n_rec - 1) * every * n + n_spikes))
    else:
        mem.add("record_dt_s", 3 * F8 * n_rec * n)  # the monitor grows by doubling
        steps = Terms((who, grid * (n + 1) + n_spikes))
    return cost(mem, steps)


register_model(
    ModelSpec(
        name="stdp",
        observable_units={
            "mean_w_correlated": "1",
            "mean_w_uncorrelated": "1",
            "weight_difference": "1",
            "w_correlated_curve": "1",
            "w_uncorrelated_curve": "1",
            "drift_correlated": "1/s",
            "drift_uncorrelated": "1/s",
            "initial_drift_correlated_theory": "1/s",
            "initial_drift_uncorrelated_theory": "1/s",
        },
        params=StdpParams,
        weights=stdp_weights,
        make_inputs=stdp_inputs,
        validate=stdp_validate,
        observe=stdp_observe,
        key_observable="weight_difference",
        # rate vs spiking (tests/learning/test_learning_spiking.py): the correlated
        # group's drift within 25 % and the uncorrelated group's within 0.002 /s, as
        # means over 3 seeds (a single-seed compare fluctuates by about 0.003 /s).
        agreement=[
            {"observable": "drift_correlated", "atol": 0.0, "rtol": 0.25},
            {"observable": "drift_uncorrelated", "atol": 0.002, "rtol": 0.0},
        ],
        estimate=stdp_estimate,
        compare_runs=[("rate reduction", "reference", {}), ("brian2", "brian2", {})],
        quick_params={"n_inputs": 40, "duration_s": 1.0},
        doc="Pair-based additive STDP (Song, Miller & Abbott 2000): correlated inputs win; "
        "the Kempter et al. (1999) rate reduction as the reference.",
    )
)
