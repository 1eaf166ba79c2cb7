r"""The soft winner-take-all circuit of the spiking modern Hopfield network: what the
Brian2, Nengo and Loihi-emulator realizations (``brian2.py``, ``nengo.py``,
``loihi.py`` beside this module) share.

This module holds the circuit's equations (below), the settings every backend shares
(:class:`WTAOptions`, with their rules as validators), the interaction it realizes
(:data:`REALIZATION_DEFAULTS`, :func:`check_interaction`) and its readout: the
decoded feature states, the memory rates and the effective :math:`\beta`
(:func:`circuit_observables`, :func:`fit_effective_beta`). Nothing here imports a
simulator.

The continuous modern Hopfield update :math:`\xi \leftarrow X
\operatorname{softmax}(\beta X^\top \xi)` (Ramsauer et al. 2020) is a two-layer
network (Krotov & Hopfield 2021): :math:`N` **feature neurons** (one per unit)
project through the stored patterns onto :math:`P` **memory neurons** (one per
pattern), which compete through lateral inhibition, a soft winner-take-all
standing in for the softmax; the winners project back through the same patterns
onto the feature layer. Patterns and cues are the reference's
(:mod:`neurotwin.rate_models.modern_hopfield.modern_hopfield`, drawn by the harness). Every cue is
recalled by its own copy of the circuit (block-diagonal synapses, as in
``spiking/hopfield``): feature ``c * N + i`` is unit ``i`` of copy ``c``,
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
near saturation, at :math:`\nu_{\mathrm{on}}` (``spiking.hopfield.recall.on_rate_hz``,
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
its final value (-1 if it still changed in the last window).

.. rubric:: Interaction

The circuit realizes the softmax interaction (and ``exponential``, the same
competition on ±1 states); ``polynomial`` has no counterpart. The realizations are
registered with ``defaults={"interaction": "softmax"}`` (:data:`REALIZATION_DEFAULTS`):
where the user set no ``interaction`` they run the softmax one (recorded in the
Result's ``provenance["realization_defaults"]``), and an ``interaction`` set to
``polynomial`` is refused by :func:`check_interaction` before anything is built.
``beta``, ``degree`` and ``max_steps`` do not enter the circuit (``beta`` is measured,
not set).

References
----------
Ramsauer, H. et al. (2020). Hopfield networks is all you need. arXiv:2008.02217.
Krotov, D. & Hopfield, J. J. (2021). Large associative memory problem in
neurobiology and machine learning. ICLR 2021 (the two-layer form).
"""

from __future__ import annotations

import math

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.errors import ParamError
from neurotwin.rate_models.modern_hopfield.modern_hopfield import (
    ModernHopfieldParams,
    logsumexp,
    softmax,
)
from neurotwin.spiking.hopfield.recall import SpikingRecallOptions

#: upper bound of the effective-beta fit (raw dot-product units): a hard winner-take-all
BETA_MAX = 10.0
#: lower bound of the fit
BETA_MIN = 1e-4
#: the interactions the circuit realizes
CIRCUIT_INTERACTIONS = ("softmax", "exponential")
#: model-parameter values every circuit realization uses where the user set none
REALIZATION_DEFAULTS = {"interaction": "softmax"}


class WTAOptions(SpikingRecallOptions):
    """What every backend of the circuit shares (times in seconds, currents in threshold
    units): the schedule, decoding window, feature gain and cue strength of
    :class:`~neurotwin.spiking.hopfield.recall.SpikingRecallOptions` with the circuit's
    own defaults, and the memory layer's threshold, noise and reference rate.
    Subclasses add ``dt_s``, their membrane time constant, the gains and the inhibition.
    """

    cue_duration_s: float = Field(0.06, gt=0, description="cue window, a multiple of window_s")
    recall_duration_s: float = Field(
        0.1, gt=0, description="free recall after the cue, a multiple of window_s"
    )
    min_spikes: int = Field(2, ge=1, description="feature spikes in a window for the state +1")
    memory_threshold: float = Field(
        0.0, ge=-1, le=1, description="theta: overlap where an uninhibited memory neuron fires"
    )
    memory_noise: float = Field(
        1.0,
        ge=0,
        description="sigma of the memory neurons' noise current (time constant tau_syn_s)",
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


def check_interaction(params: ModernHopfieldParams, weights, inputs, seed, options) -> None:
    """Preflight of every circuit realization: refuse an interaction it does not realize."""
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


# -- readout ----------------------------------------------------------------------


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
    options: WTAOptions,
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
