r"""Spiking modern Hopfield network (Brian2, Nengo, Loihi emulator): feature layer, soft
winner-take-all memory layer.

The continuous modern Hopfield update :math:`\xi \leftarrow X
\operatorname{softmax}(\beta X^\top \xi)` (Ramsauer et al. 2020) is a two-layer
network (Krotov & Hopfield 2021): :math:`N` **feature neurons** (one per unit)
project through the stored patterns onto :math:`P` **memory neurons** (one per
pattern), which compete through lateral inhibition, a soft winner-take-all
standing in for the softmax; the winners project back through the same patterns
onto the feature layer. Patterns and cues are the reference's
(``neurotwin.rate_models.modern_hopfield.modern_hopfield``, drawn by the harness). Every cue is
recalled by its own copy of the circuit (block-diagonal synapses, as in
``spiking/hopfield.py``): feature ``c * N + i`` is unit ``i`` of copy ``c``,
memory neuron ``c * P + mu`` is pattern ``mu`` of copy ``c``.

Notes
-----
.. rubric:: Equations

Voltages and currents are dimensionless (reset 0, threshold 1), times in seconds,
:math:`[\cdot]` is 1 when the condition holds. Feature neuron :math:`i`:

.. math::

    \tau_m \dot v_i = -v_i + 1 + I^{\mathrm{fb}}_i + g\,a\,\mathrm{cue}_i\,[t < T_{\mathrm{cue}}],
    \qquad \tau_s \dot I^{\mathrm{fb}}_i = -I^{\mathrm{fb}}_i,
    \qquad \text{spike of memory } \mu \Rightarrow I^{\mathrm{fb}}_i \mathrel{+}=
        \frac{g\, \xi^\mu_i}{\tau_s \nu_{\mathrm{ref}}},

so on average :math:`I^{\mathrm{fb}}_i = g \sum_\mu \xi^\mu_i \nu_\mu / \nu_{\mathrm{ref}}`:
the feature fires iff :math:`\sum_\mu \xi^\mu_i \nu_\mu > 0`, i.e. it takes the sign
of :math:`X \nu`, the continuous update with the memory rates :math:`\nu_\mu` in
place of the softmax (the normalisation does not change a sign). A large gain
:math:`g` (``gain``, 64) and a refractory period of 5 ms make a firing feature fire
near saturation, at :math:`\nu_{\mathrm{on}}` (``spiking.hopfield.brian2.on_rate_hz``,
194 Hz), so its state is :math:`s_i = 2 \nu_i/\nu_{\mathrm{on}} - 1 \in \{-1, +1\}`
(the classical realization's mapping; a floor :math:`v \ge 0` as there).
Memory neuron :math:`\mu`:

.. math::

    \tau_m \dot v_\mu &= -v_\mu + 1 + g_m (\theta_0 - \theta) - g_m \frac{\sum_j \xi^\mu_j}{N}
        + I^{\mathrm{ff}}_\mu - I^{\mathrm{inh}}_\mu + I^{\mathrm{noise}}_\mu \\
    \text{spike of feature } j &\Rightarrow I^{\mathrm{ff}}_\mu \mathrel{+}=
        \frac{2 g_m \xi^\mu_j}{N \tau_s \nu_{\mathrm{on}}}, \qquad
    \text{spike of memory } \nu \ne \mu \Rightarrow I^{\mathrm{inh}}_\mu \mathrel{+}=
        \frac{J}{\tau_s \nu_{\mathrm{ref}}}

(both filtered with :math:`\tau_s`), so the mean drive is :math:`1 + g_m (m_\mu -
\theta) - J \sum_{\nu \ne \mu} \nu_\nu / \nu_{\mathrm{ref}}` with the overlap
:math:`m_\mu = \xi^\mu \cdot s / N`: without inhibition a memory neuron fires when
its overlap exceeds :math:`\theta` (``memory_threshold``); the inhibition
:math:`J` (``inhibition``) lets only the best matching memories fire. An
Ornstein-Uhlenbeck current of standard deviation :math:`\sigma` (``memory_noise``,
time constant :math:`\tau_s`) smooths the LIF threshold into a graded, roughly
exponential onset (escape noise), which is what makes the competition *soft*:
runner-up memories fire a little instead of not at all.

.. rubric:: Effective beta

The memory layer's firing is compared with a softmax: during the cue (features
clamped to the cue :math:`s^{\mathrm{cue}}`, so the inputs are known exactly),
the spike counts :math:`n_{c\mu}` of the memory neurons in the cue windows after
the first are taken as draws from :math:`\operatorname{softmax}(\beta\, X^\top
s^{\mathrm{cue}}_c)` and :math:`\beta` is fitted by maximum likelihood
(:func:`fit_effective_beta`; the log likelihood is concave in :math:`\beta`). The
result, ``effective_beta``, is on the reference's scale (raw dot products
:math:`X^\top s`, as in Ramsauer et al. 2020), so the reference can be run at the
circuit's own :math:`\beta`. With no spike from a runner-up (a hard
winner-take-all) the likelihood has no maximum; ``effective_beta`` is then the
lower bound at which the softmax expects one runner-up spike, and
``effective_beta_is_lower_bound`` is True.

.. rubric:: Protocol and decoding

Cue for ``cue_duration_s`` (the cue current :math:`\pm g a` clamps each feature to
its cue sign), then free recall for ``recall_duration_s``; both multiples of
``window_s``. The feature state is decoded per window of ``window_s`` from t = 0:
:math:`s_i = +1` if feature :math:`i` spiked at least ``min_spikes`` times in the
window, else -1 (with the defaults: 2 spikes in 20 ms, a rate of 100 Hz, half of
:math:`\nu_{\mathrm{on}}`). The trace ``state`` (windows, cues, N) goes to the
shared observables; ``memory_rate_hz`` (windows, cues, P) is the memory layer.
``steps`` is per cue the number of recall windows before the decoded state took
its final value (-1 if it still changed in the last window). Integration: Euler
(Euler-Maruyama for the noise), runtime device, ``numpy`` target; the seed goes to
``brian2.seed`` and to ``numpy.random.default_rng`` for the initial voltages.
The run raises :class:`~neurotwin.errors.SimulationError` for a non-finite
voltage. ``interaction`` must be ``softmax`` or ``exponential`` (the circuit has
no polynomial counterpart); ``beta``, ``degree`` and ``max_steps`` do not enter
the circuit (``beta`` is measured, not set).

.. rubric:: Nengo and the Loihi emulator

``nengo`` and ``loihi-emulator`` build the same circuit with
``spiking/_nengo``: per cue one ``LIFPopulation`` of :math:`N + P` neurons
(features first) whose single neuron-to-neuron transform holds the feed-forward,
feedback and inhibitory weights (:func:`circuit_populations`); the cue is a
``WindowedInput`` on the features; the memory noise is a lowpass-filtered
``WhiteNoise`` node (float Nengo only; the chip run has none, ``memory_noise = 0``).
Their default gains differ from Brian2's (see :class:`NengoModernHopfieldOptions`).
On the chip one recall network is one block: :math:`N + P` compartments and a dense
:math:`(N + P)^2` synapse matrix, so the memory layer's size :math:`P` sets the
resources; :func:`chip_preflight` checks it fits before anything is built.

References
----------
Ramsauer, H. et al. (2020). Hopfield networks is all you need. arXiv:2008.02217.
Krotov, D. & Hopfield, J. J. (2021). Large associative memory problem in
neurobiology and machine learning. ICLR 2021 (the two-layer form).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.errors import ParamError
from neurotwin.harness import check_finite
from neurotwin.rate_models.modern_hopfield.modern_hopfield import (
    MODEL,
    ModernHopfieldParams,
    logsumexp,
    softmax,
)
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _loihi as loihi
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking._brian2 import runtime_target
from neurotwin.spiking.hopfield.recall import SpikingRecallOptions, on_rate_hz

#: upper bound of the effective-beta fit (raw dot-product units): a hard winner-take-all
BETA_MAX = 10.0
#: lower bound of the fit
BETA_MIN = 1e-4
CIRCUIT_INTERACTIONS = ("softmax", "exponential")


class Brian2ModernHopfieldOptions(SpikingRecallOptions):
    """Options of the Brian2 circuit (times in seconds, currents in threshold units).

    Inherits the schedule, decoding window, feature gain and cue strength of
    :class:`spiking.hopfield.brian2.SpikingRecallOptions`.
    """

    cue_duration_s: float = Field(0.06, gt=0, description="cue window, a multiple of window_s")
    recall_duration_s: float = Field(
        0.1, gt=0, description="free recall after the cue, a multiple of window_s"
    )
    min_spikes: int = Field(2, ge=1, description="feature spikes in a window for the state +1")
    dt_s: float = Field(1e-4, gt=0, le=1e-3, description="integration time step")
    tau_m_s: float = Field(0.01, gt=0, description="membrane time constant of both layers")
    memory_gain: float = Field(
        4.0, gt=0, description="g_m: memory input current per unit of overlap m"
    )
    memory_threshold: float = Field(
        0.0, ge=-1, le=1, description="theta: overlap where an uninhibited memory neuron fires"
    )
    inhibition: float = Field(
        2.0, ge=0, description="J: inhibitory current per nu_ref of the other memories' rates"
    )
    memory_noise: float = Field(1.0, ge=0, description="sigma of the memory neurons' OU current")
    rate_ref_hz: float = Field(
        100.0, gt=0, description="nu_ref: memory rate that counts as one unit of feedback"
    )

    @pydantic.model_validator(mode="after")
    def _cue_has_a_fit_window(self):
        if round(self.cue_duration_s / self.window_s) < 2:
            raise ValueError(
                f"cue_duration_s: must be at least 2 windows of window_s = {self.window_s!r} "
                f"(the first settles, the rest fit beta) (got {self.cue_duration_s!r})"
            )
        return self


def _preflight(params: ModernHopfieldParams, weights, inputs, seed, options) -> None:
    if params.interaction not in CIRCUIT_INTERACTIONS:
        raise ParamError(
            f"ModernHopfieldParams.interaction: must be one of 'softmax', 'exponential' for "
            f"the spiking circuit (a soft winner-take-all) (got {params.interaction!r})"
        )


# -- effective beta ------------------------------------------------------------------


def fit_effective_beta(counts: np.ndarray, dots: np.ndarray) -> tuple[float, bool]:
    r"""Maximum-likelihood :math:`\beta` of spike counts under a softmax.

    ``counts`` (C, P): spikes of each memory neuron per cue; ``dots`` (C, P): its
    input :math:`X^\top s`. Maximises :math:`\sum_{c\mu} n_{c\mu} (\beta d_{c\mu} -
    \operatorname{lse}_\mu \beta d_{c\mu})` over :math:`\beta \in` [BETA_MIN,
    BETA_MAX] (bounded golden-section search on :math:`\log\beta`; the log
    likelihood is concave in :math:`\beta`).

    When every spike came from the neuron with the largest input of its cue (a hard
    winner-take-all), the likelihood only grows with :math:`\beta` and has no
    maximum; then the returned value is the :math:`\beta` at which the softmax
    expects exactly one spike off the winners (a lower bound: larger values fit the
    data at least as well), and the flag is True.

    Returns
    -------
    beta : float
        NaN without spikes.
    lower_bound : bool
    """
    from scipy import optimize

    counts = np.asarray(counts, dtype=np.float64)
    dots = np.asarray(dots, dtype=np.float64)
    keep = counts.sum(axis=1) > 0
    if not keep.any():
        return float("nan"), False
    n, d = counts[keep], dots[keep]
    top = d == d.max(axis=1, keepdims=True)
    if not (n * ~top).any():

        def off_top(log_beta: float) -> float:
            p = softmax(math.exp(log_beta) * d)
            return float((n.sum(axis=1) * (1 - (p * top).sum(axis=1))).sum()) - 1.0

        lo, hi = math.log(BETA_MIN), math.log(BETA_MAX)
        if off_top(hi) > 0:
            return BETA_MAX, True
        if off_top(lo) < 0:
            return BETA_MIN, True
        return float(math.exp(optimize.brentq(off_top, lo, hi, xtol=1e-9))), True

    def neg_ll(log_beta: float) -> float:
        z = math.exp(log_beta) * d
        return -float((n * (z - logsumexp(z)[:, None])).sum())

    res = optimize.minimize_scalar(
        neg_ll,
        bounds=(math.log(BETA_MIN), math.log(BETA_MAX)),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(math.exp(res.x)), False


# -- building ------------------------------------------------------------------------

_FEATURE_EQS = """
dv/dt = (1 + I_fb + I_cue - v) / tau_m : 1 (unless refractory)
dI_fb/dt = -I_fb / tau_syn : 1
I_cue = cue_current * cue * int(t < t_cue) : 1
cue : 1 (constant)
"""

_MEMORY_EQS = """
dv/dt = (1 + I_bias + I_ff - I_inh + I_noise - v) / tau_m : 1 (unless refractory)
dI_ff/dt = -I_ff / tau_syn : 1
dI_inh/dt = -I_inh / tau_syn : 1
dI_noise/dt = -I_noise / tau_syn + sigma * sqrt(2 / tau_syn) * xi : 1
I_bias : 1 (constant)
"""


@dataclass
class Circuit:
    network: Any
    features: Any
    memory: Any
    feature_spikes: Any
    memory_spikes: Any
    namespace: dict
    n_steps: int
    steps_per_window: int
    n_synapses: int


def build_circuit(
    params: ModernHopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: Brian2ModernHopfieldOptions,
) -> Circuit:
    """Build (not run) the two-layer circuit, one block-diagonal copy per cue."""
    import brian2 as b2

    n, p, n_cues = params.n_units, params.n_patterns, params.n_cues
    x = np.asarray(weights["patterns"], dtype=np.float64)
    cues = np.asarray(inputs["cues"], dtype=np.float64)
    g, gm, tau_s = options.gain, options.memory_gain, options.tau_syn_s
    nu_on, nu_ref = on_rate_hz(options), options.rate_ref_hz

    b2.seed(seed)
    rng = np.random.default_rng(seed)
    clock = b2.Clock(dt=options.dt_s * b2.second, name="mhn_clock")
    namespace = {
        "tau_m": options.tau_m_s * b2.second,
        "tau_syn": tau_s * b2.second,
        "t_cue": options.cue_duration_s * b2.second,
        "cue_current": g * options.cue_strength,
        "sigma": options.memory_noise,
    }
    common = dict(
        threshold="v >= 1",
        reset="v = 0",
        refractory=options.tau_ref_s * b2.second,
        method="euler",
        clock=clock,
    )
    features = b2.NeuronGroup(n * n_cues, _FEATURE_EQS, name="mhn_features", **common)
    memory = b2.NeuronGroup(p * n_cues, _MEMORY_EQS, name="mhn_memory", **common)
    features.v = rng.random(n * n_cues)
    memory.v = rng.random(p * n_cues)
    # random refractory phases: strongly driven neurons would otherwise fire in lockstep
    features.lastspike = -rng.random(n * n_cues) * options.tau_ref_s * b2.second
    features.cue = cues.reshape(-1)
    memory.I_noise = rng.normal(0.0, options.memory_noise, p * n_cues)  # stationary start
    memory.I_bias = np.tile(-gm * options.memory_threshold - gm * x.sum(axis=1) / n, n_cues)

    # feature j -> memory mu carries xi^mu_j (both directions use the same (mu, j) pairs)
    mu_idx, j_idx = np.nonzero(np.ones((p, n)))
    offs_f = np.repeat(np.arange(n_cues) * n, len(j_idx))
    offs_m = np.repeat(np.arange(n_cues) * p, len(mu_idx))
    pre_f, post_m = np.tile(j_idx, n_cues) + offs_f, np.tile(mu_idx, n_cues) + offs_m
    xi = np.tile(x[mu_idx, j_idx], n_cues)

    ff = b2.Synapses(
        features, memory, "w : 1 (constant)", on_pre="I_ff_post += w", clock=clock, name="mhn_ff"
    )
    ff.connect(i=pre_f, j=post_m)
    ff.w = xi * 2.0 * gm / (n * tau_s * nu_on)
    fb = b2.Synapses(
        memory, features, "w : 1 (constant)", on_pre="I_fb_post += w", clock=clock, name="mhn_fb"
    )
    fb.connect(i=post_m, j=pre_f)
    fb.w = xi * g / (tau_s * nu_ref)
    # lateral inhibition among the memory neurons of one copy (not onto themselves)
    a, b = np.nonzero(~np.eye(p, dtype=bool))
    offs_i = np.repeat(np.arange(n_cues) * p, len(a))
    inh = b2.Synapses(memory, memory, on_pre="I_inh_post += w_inh", clock=clock, name="mhn_inh")
    inh.connect(i=np.tile(a, n_cues) + offs_i, j=np.tile(b, n_cues) + offs_i)
    namespace["w_inh"] = options.inhibition / (tau_s * nu_ref)

    features.run_regularly("v = clip(v, 0, inf)", when="after_groups", name="mhn_floor")
    fspk = b2.SpikeMonitor(features, name="mhn_feature_spikes")
    mspk = b2.SpikeMonitor(memory, name="mhn_memory_spikes")
    net = b2.Network(features, memory, ff, fb, inh, fspk, mspk, name="mhn_network")
    spw, n_windows = options.steps_per_window, options.n_windows
    return Circuit(
        network=net,
        features=features,
        memory=memory,
        feature_spikes=fspk,
        memory_spikes=mspk,
        namespace=namespace,
        n_steps=n_windows * spw,
        steps_per_window=spw,
        n_synapses=int(2 * len(pre_f) + len(a) * n_cues),
    )


def _window_counts(mon, n_total: int, n_windows: int, spw: int, dt_s: float) -> np.ndarray:
    import brian2 as b2

    times = np.asarray(mon.t[:] / b2.second, dtype=np.float64)
    idx = np.asarray(mon.i[:], dtype=np.int64)
    win = np.minimum(np.rint(times / dt_s).astype(np.int64) // spw, n_windows - 1)
    counts = np.bincount(win * n_total + idx, minlength=n_windows * n_total)
    return counts.reshape(n_windows, n_total)


def settle_steps(state: np.ndarray, n_cue_windows: int) -> np.ndarray:
    """Per cue: recall windows before the decoded state took its final value (-1: still moving)."""
    recall = state[n_cue_windows - 1 :]  # from the last cue window on
    same = (recall == recall[-1]).all(axis=2)  # (windows, cues)
    steps = np.full(state.shape[1], -1)
    for c in range(state.shape[1]):
        changed = np.flatnonzero(~same[:, c])
        k = 0 if changed.size == 0 else int(changed[-1]) + 1
        steps[c] = k if k < len(recall) - 1 or changed.size == 0 else -1
    return steps


def circuit_observables(
    feature_counts: np.ndarray,
    memory_counts: np.ndarray,
    weights: dict,
    inputs: dict,
    options: SpikingRecallOptions,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Spike counts per window -> ±1 feature states, memory rates and the circuit's
    observables (effective beta, memory participation, settling steps).

    ``feature_counts`` (windows, cues, N), ``memory_counts`` (windows, cues, P).
    """
    state = np.where(feature_counts >= options.min_spikes, 1, -1).astype(np.int8)
    mem_rate = memory_counts / options.window_s
    n_cue_w = options.cue_windows
    dots = np.asarray(inputs["cues"], float) @ np.asarray(weights["patterns"], float).T
    fit_counts = memory_counts[1:n_cue_w].sum(axis=0)
    beta, beta_is_bound = fit_effective_beta(fit_counts, dots)
    final_rates = mem_rate[-1]
    tot = final_rates.sum(axis=1, keepdims=True)
    share = np.divide(final_rates, tot, out=np.zeros_like(final_rates), where=tot > 0)
    participation = np.where(tot[:, 0] > 0, 1.0 / np.maximum((share**2).sum(axis=1), 1e-300), 0)
    obs = {
        "steps": settle_steps(state, n_cue_w),
        "effective_beta": beta,
        "effective_beta_is_lower_bound": beta_is_bound,
        "softmax_fit_counts": fit_counts,
        "memory_participation": float(participation.mean()),
        "memory_rate_final_hz": float(final_rates.sum(axis=1).mean()),
        "softmax_at_effective_beta": softmax((beta if np.isfinite(beta) else BETA_MAX) * dots),
    }
    return state, mem_rate, obs


@realization(
    MODEL,
    "brian2",
    options=Brian2ModernHopfieldOptions,
    requires=("brian2",),
    preflight=_preflight,
)
def run_brian2(
    params: ModernHopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: Brian2ModernHopfieldOptions,
) -> Result:
    """Feature and memory LIF layers with a soft winner-take-all; see the module docstring."""
    import brian2 as b2

    if options is None:
        options = Brian2ModernHopfieldOptions.create()
    n, p, n_cues = params.n_units, params.n_patterns, params.n_cues
    with runtime_target("numpy"):
        t0 = time.perf_counter()
        circ = build_circuit(params, weights, inputs, seed, options)
        t1 = time.perf_counter()
        circ.network.run(circ.n_steps * options.dt_s * b2.second, namespace=circ.namespace)
        t2 = time.perf_counter()
    t_end = np.array([circ.n_steps * options.dt_s])
    check_finite("v", np.asarray(circ.features.v[:])[None, :], t_end, "s")
    check_finite("v", np.asarray(circ.memory.v[:])[None, :], t_end, "s")

    spw, n_windows = circ.steps_per_window, circ.n_steps // circ.steps_per_window
    fc = _window_counts(circ.feature_spikes, n * n_cues, n_windows, spw, options.dt_s)
    mc = _window_counts(circ.memory_spikes, p * n_cues, n_windows, spw, options.dt_s)
    state, mem_rate, obs = circuit_observables(
        fc.reshape(n_windows, n_cues, n), mc.reshape(n_windows, n_cues, p), weights, inputs, options
    )
    return Result(
        model=MODEL,
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=(np.arange(n_windows) + 1) * options.window_s,
        t_unit="s",
        traces={"state": state, "memory_rate_hz": mem_rate},
        spikes={
            "features": (
                np.asarray(circ.feature_spikes.t[:] / b2.second, dtype=np.float64),
                np.asarray(circ.feature_spikes.i[:], dtype=np.int64),
            ),
            "memory": (
                np.asarray(circ.memory_spikes.t[:] / b2.second, dtype=np.float64),
                np.asarray(circ.memory_spikes.i[:], dtype=np.int64),
            ),
        },
        observables=obs,
        provenance={
            "device": "runtime",
            "codegen_target": "numpy",
            "build_time_s": float(t1 - t0),
            "run_time_s": float(t2 - t1),
            "n_neurons": int((n + p) * n_cues),
            "n_synapses": circ.n_synapses,
            "feature_on_rate_hz": float(on_rate_hz(options)),
        },
    )


# =====================================================================================
# Nengo and the Loihi emulator
# =====================================================================================


class NengoModernHopfieldOptions(SpikingRecallOptions):
    """Options of the Nengo realization: the Brian2 circuit's, with Nengo's time step.

    Times in seconds, currents in threshold units; see the Brian2 options for the
    meaning of each circuit parameter. The defaults of ``gain`` (4, Brian2: 64),
    ``memory_gain`` (16, Brian2: 4) and ``inhibition`` (6, Brian2: 2) are chosen for the
    chip: all synapses of a population are one connection with one 8-bit weight scale
    there, and with Brian2's values the feed-forward weights are ~1000 times smaller
    than the feedback weights and round to zero (measured: 1024 of 1024 zeroed, final
    overlap -0.003 at N = 64, P = 16); the float Nengo run uses the same values so
    that ``neurotwin deploy`` compares like with like.
    """

    cue_duration_s: float = Field(0.06, gt=0, description="cue window, a multiple of window_s")
    recall_duration_s: float = Field(
        0.1, gt=0, description="free recall after the cue, a multiple of window_s"
    )
    min_spikes: int = Field(2, ge=1, description="feature spikes in a window for the state +1")
    dt_s: float = Field(0.001, gt=0, le=0.001, description="simulator time step")
    tau_rc_s: float = Field(0.01, gt=0, description="membrane time constant of both layers")
    initial_voltage: Literal["uniform", "zero"] = Field(
        "uniform", description="initial membrane voltages: uniform in [0, 1) or zero (chip)"
    )
    gain: float = Field(
        4.0, gt=0, description="g: feature current per unit of feedback (Brian2: 64, see below)"
    )
    memory_gain: float = Field(16.0, gt=0, description="g_m: memory current per unit of overlap")
    memory_threshold: float = Field(
        0.0, ge=-1, le=1, description="theta: overlap where an uninhibited memory neuron fires"
    )
    inhibition: float = Field(
        6.0, ge=0, description="J: inhibitory current per nu_ref of the other memories' rates"
    )
    memory_noise: float = Field(
        1.0, ge=0, description="sigma of the memory neurons' noise current (lowpass white noise)"
    )
    rate_ref_hz: float = Field(
        100.0, gt=0, description="nu_ref: memory rate that counts as one unit of feedback"
    )

    @pydantic.model_validator(mode="after")
    def _cue_has_a_fit_window(self):
        if round(self.cue_duration_s / self.window_s) < 2:
            raise ValueError(
                f"cue_duration_s: must be at least 2 windows of window_s = {self.window_s!r} "
                f"(the first settles, the rest fit beta) (got {self.cue_duration_s!r})"
            )
        return self


class LoihiModernHopfieldOptions(NengoModernHopfieldOptions):
    """The Nengo options on the chip: no noise source (the host would have to send it as
    spikes), initial voltages zero as the chip starts, and the chip budget."""

    memory_noise: float = Field(0.0, ge=0, le=0, description="no noise source on the chip path")
    initial_voltage: Literal["uniform", "zero"] = Field(
        "zero", description="the chip starts every voltage at zero"
    )
    max_chips: int = Field(1, ge=1, description="Loihi chips (128 cores each) the network may use")


def circuit_populations(
    params: ModernHopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: NengoModernHopfieldOptions,
    backend: str,
) -> tuple[list, list, dict]:
    r"""One :class:`~neurotwin.spiking._nengo.LIFPopulation` of :math:`N + P` neurons per cue.

    Features are neurons :math:`0 \dots N-1`, memories :math:`N \dots N+P-1`; the
    feed-forward, feedback and inhibitory synapses of the Brian2 circuit form one
    neuron-to-neuron transform (post, pre; current per Hz of presynaptic rate, the
    Brian2 weight times :math:`\tau_s`):

    .. math:: R = \begin{pmatrix} 0 & g X / \nu_{\mathrm{ref}} \\
              2 g_m X^\top / (N \nu_{\mathrm{on}}) & -J (\mathbf{1}\mathbf{1}^\top - I)
              / \nu_{\mathrm{ref}} \end{pmatrix}

    (``spiking/_nengo``'s populations hold one recurrent matrix; the zero block costs
    no synapse on the chip only if nengo-loihi drops zeros, which it does not for a
    dense transform: the reported synapse count includes them).
    """
    from neurotwin.spiking.hopfield.recall import nengo_on_rate_hz as nengo_on_rate

    n, p = params.n_units, params.n_patterns
    x = np.asarray(weights["patterns"], dtype=np.float64)  # (P, N)
    cues = np.asarray(inputs["cues"], dtype=np.float64)
    g, gm, j = options.gain, options.memory_gain, options.inhibition
    nu_on, nu_ref = nengo_on_rate(options, backend), options.rate_ref_hz
    r = np.zeros((n + p, n + p))
    r[:n, n:] = g * x.T / nu_ref
    r[n:, :n] = 2.0 * gm * x / (n * nu_on)
    r[n:, n:] = -j * (1.0 - np.eye(p)) / nu_ref
    bias = np.concatenate(
        [np.ones(n), 1.0 - gm * options.memory_threshold - gm * x.sum(axis=1) / n]
    )
    rng = np.random.default_rng(seed)
    pops, ins = [], []
    for c in range(params.n_cues):
        v0 = rng.random(n + p) if options.initial_voltage == "uniform" else None
        label = f"cue{c}"
        pops.append(
            nc.LIFPopulation(
                label, bias, r, options.tau_rc_s, options.tau_ref_s, options.tau_syn_s, v0, 0.0
            )
        )
        gain = np.concatenate([np.full(n, g * options.cue_strength), np.zeros(p)])
        ins.append(
            nc.WindowedInput(
                label, np.concatenate([cues[c], np.zeros(p)]), gain, 0.0, options.cue_duration_s
            )
        )
    return pops, ins, {"on_rate_hz": nu_on}


def _add_memory_noise(built, params, options, seed: int) -> None:
    """Lowpass-filtered white noise on every memory neuron (float Nengo only): an OU
    current of standard deviation ``memory_noise`` and time constant ``tau_syn_s``,
    as in the Brian2 circuit (white noise of density sigma sqrt(2 tau_s))."""
    import nengo

    n, p = params.n_units, params.n_patterns
    sd = options.memory_noise * math.sqrt(2.0 * options.tau_syn_s)
    with built.network:
        for c, ens in enumerate(built.ensembles.values()):
            node = nengo.Node(
                nengo.processes.WhiteNoise(
                    dist=nengo.dists.Gaussian(0.0, sd), scale=True, seed=(seed + c) % 2**31
                ),
                size_out=p,
                label=f"cue{c}:noise",
            )
            nengo.Connection(node, ens.neurons[n : n + p], synapse=nengo.Lowpass(options.tau_syn_s))


def chip_preflight(params, weights, inputs, seed, options) -> Any:
    """The memory layer's size sets the chip resources: check the circuit fits."""
    _preflight(params, weights, inputs, seed, options)
    pops, ins, _ = circuit_populations(params, weights, inputs, seed, options, "loihi-emulator")
    return loihi.check_fits(
        pops, ins, what="ModernHopfieldParams.n_patterns", max_chips=options.max_chips
    )


def simulate_circuit(params, weights, inputs, seed, options, backend: str) -> Result:
    """Build, run and decode the circuit on Nengo or the Loihi emulator."""
    from neurotwin.spiking.hopfield.loihi import chip_summary

    n, p, n_cues = params.n_units, params.n_patterns, params.n_cues
    pops, ins, extra = circuit_populations(params, weights, inputs, seed, options, backend)
    if backend == "loihi-emulator":
        loihi.check_fits(
            pops, ins, what="ModernHopfieldParams.n_patterns", max_chips=options.max_chips
        )
    built = nc.build_network(pops, ins, backend)
    if options.memory_noise > 0:
        _add_memory_noise(built, params, options, seed)
    spw, n_windows = options.steps_per_window, options.n_windows
    out = nc.simulate(built, backend, n_windows * spw, options.dt_s, seed)
    counts = np.stack([out.spikes[f"cue{c}"] for c in range(n_cues)], axis=1)  # (steps, C, N+P)
    t_steps = (np.arange(len(counts)) + 1) * options.dt_s
    check_finite("rate", counts.reshape(len(counts), -1).astype(float), t_steps, "s")
    win = counts[: n_windows * spw].reshape(n_windows, spw, n_cues, n + p).sum(axis=1)
    state, mem_rate, obs = circuit_observables(win[..., :n], win[..., n:], weights, inputs, options)
    steps, cue, idx = np.nonzero(counts)
    reps = counts[steps, cue, idx]
    is_mem = idx >= n
    times = np.repeat((steps + 1) * options.dt_s, reps)
    feat_i = np.repeat(cue * n + idx, reps)
    mem_i = np.repeat(cue * p + idx - n, reps)
    mem_mask = np.repeat(is_mem, reps)
    prov = {
        "simulator": "nengo.Simulator" if backend == "nengo" else 'nengo_loihi.Simulator("sim")',
        "weights_as": "neuron-to-neuron transform (features <-> memories, memory inhibition)",
        "copies": "one population of N + P neurons per cue",
        "build_time_s": float(out.build_time_s),
        "run_time_s": float(out.run_time_s),
        "n_neurons": int((n + p) * n_cues),
        "n_synapses": int(sum(np.count_nonzero(pop.recurrent) for pop in pops)),
        "feature_on_rate_hz": float(extra["on_rate_hz"]),
        "warnings": [w.to_dict() for w in out.warnings],
    }
    if out.chip is not None:
        prov["chip"] = chip_summary(out, params, options)
    return Result(
        model=MODEL,
        realization=backend,
        params=params.model_dump(),
        seed=seed,
        t=(np.arange(n_windows) + 1) * options.window_s,
        t_unit="s",
        traces={"state": state, "memory_rate_hz": mem_rate},
        spikes={
            "features": (times[~mem_mask], feat_i[~mem_mask].astype(np.int64)),
            "memory": (times[mem_mask], mem_i[mem_mask].astype(np.int64)),
        },
        observables=obs,
        provenance=prov,
    )


@realization(
    MODEL,
    "nengo",
    options=NengoModernHopfieldOptions,
    requires=("nengo",),
    preflight=_preflight,
)
def run_nengo(params, weights, inputs, seed, options=None) -> Result:
    """The Brian2 circuit in nengo.Simulator: one N + P population per cue, weights as a
    neuron-to-neuron transform, memory noise from a WhiteNoise node."""
    options = options or NengoModernHopfieldOptions.create()
    return simulate_circuit(params, weights, inputs, seed, options, "nengo")


@realization(
    MODEL,
    "loihi-emulator",
    options=LoihiModernHopfieldOptions,
    requires=("nengo", "nengo_loihi"),
    check=nc.check_loihi_numpy,
    preflight=chip_preflight,
)
def run_loihi_emulator(params, weights, inputs, seed, options=None) -> Result:
    """The Nengo circuit on nengo_loihi.Simulator(target="sim"), without memory noise."""
    options = options or LoihiModernHopfieldOptions.create()
    return simulate_circuit(params, weights, inputs, seed, options, "loihi-emulator")
