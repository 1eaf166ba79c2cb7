r"""The n-h-n encoder of Ackley, Hinton & Sejnowski (1985), learned by Boltzmann learning,
two ways:

* :func:`train_encoder`: exact phase statistics (enumeration instead of the paper's
  annealing), fixed-size steps of the sign of the difference;
* :func:`train_encoder_annealed`: the paper's procedure as far as the sources found state
  it (:data:`PAPER_PROCEDURE`): both phases estimated by simulated annealing and sampling,
  noisy clamping, steps of 2 by the sign of the difference.

What :data:`PAPER_PROCEDURE` takes from where (none of it read in the paper itself: the
search tool holds only its first page): the annealing schedule 2 time units at T = 20,
2 at 15, 2 at 12 and 4 at 10; co-occurrences over 10 further time units at T = 10; noisy
clamping (an on bit of the clamped pattern turned off with probability 0.15, an off bit on
with 0.05); weight steps of 2; two annealings per clamped pattern and as many free-running
annealings as clamped ones. Each of these is quoted as the paper's by two independent
reimplementations (GitHub ``amiaty/Boltzmann-Machine-Matlab``, ``test.m``: schedule
``[2 20; 2 15; 2 12; 4 10]``, ``pNoise = [0.05 0.15]``, step 2, 10 time units of
statistics; and a Python reimplementation found by its code, "values taken from paper":
the same schedule, ``(10, 10)`` after annealing, step 2, noise 0.15 / 0.05, equilibrium
reached twice, "co-occurrences were then gathered for as many annealings as were used to
estimate p_ij" quoted from the paper). Not found in any source: the paper's weight decay,
its number of learning cycles, its initial weights and its success rate for the 4-2-4
encoder; ``n_cycles`` and the zero initial weights here are this code's choices, and there
is no weight decay. See ``docs/models/boltzmann.rst``.

References
----------
Ackley, D. H., Hinton, G. E. & Sejnowski, T. J. (1985). A learning algorithm for
Boltzmann machines. Cognitive Science 9, 147-169.
"""

from __future__ import annotations

import numba
import numpy as np
import pydantic
from pydantic import Field
from scipy.special import logsumexp

from neurotwin.params import Params

from .exact import all_states, energy, state_index


def encoder_mask(n_group: int = 4, n_hidden: int = 2) -> np.ndarray:
    """Connectivity of the encoder: units [V1 | V2 | H]; V1-V1, V2-V2, V1-H, V2-H and H-H
    connected, V1-V2 not (they talk only through the hidden units)."""
    n = 2 * n_group + n_hidden
    mask = np.ones((n, n), dtype=bool)
    mask[:n_group, n_group : 2 * n_group] = False
    mask[n_group : 2 * n_group, :n_group] = False
    np.fill_diagonal(mask, False)
    return mask


def train_encoder(
    rng: np.random.Generator,
    n_group: int = 4,
    n_hidden: int = 2,
    n_steps: int = 600,
    step: float = 0.02,
    init_scale: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Boltzmann learning of the n-h-n encoder with exact phase statistics.

    Data: ``n_group`` patterns, V1 = V2 = one-hot, equally likely. Each step changes
    every connection by a fixed amount in the direction of
    :math:`\langle z_i z_j\rangle_{clamped} - \langle z_i z_j\rangle_{free}` (Ackley et
    al. 1985 also used fixed-size increments given by the sign of this difference; a
    difference below 1e-6 counts as 0), and each bias by the sign of
    :math:`\langle z_i\rangle_{clamped} - \langle z_i\rangle_{free}`. Both phases are
    computed exactly by enumerating the :math:`2^{2n+h}` states (the paper estimated them
    by simulated annealing and sampling). Initial weights
    :math:`\mathcal N(0, \texttt{init\_scale}^2)` on the connections of
    :func:`encoder_mask`. (Plain gradient ascent with small initial weights got stuck
    with two inputs sharing a hidden code in 16 of 20 seeds.)
    """
    mask = encoder_mask(n_group, n_hidden)
    n = len(mask)
    states = all_states(n).astype(np.float64)
    nv = 2 * n_group
    eye = np.eye(n_group)
    data = np.hstack([eye, eye])
    # which enumerated states carry each data vector on the visible units, (n_group, 2^n)
    masks = (
        state_index(states[:, :nv].astype(np.int64))[None, :]
        == state_index(data.astype(np.int64))[:, None]
    )
    upper = np.triu(rng.normal(0.0, init_scale, (n, n)), k=1)
    w = (upper + upper.T) * mask
    b = np.zeros(n)
    for _ in range(n_steps):
        logits = -energy(states, w, b)
        p_free = np.exp(logits - logsumexp(logits))
        # clamped phase: p(h | v = data_k), each data vector with weight 1 / n_group
        clamped = np.where(masks, logits[None, :], -np.inf)
        lse = logsumexp(clamped, axis=1, keepdims=True)
        p_clamp = np.exp(clamped - lse).sum(axis=0) / n_group
        diff = p_clamp - p_free
        corr = states.T @ (diff[:, None] * states)
        w += step * np.sign(np.round(corr, 6)) * mask
        b += step * np.sign(np.round(states.T @ diff, 6))
    return w, b


def encoder_code(w: np.ndarray, b: np.ndarray, n_group: int = 4) -> dict:
    """Read out the learned code: for each input (V1 clamped to one-hot k, V2 and H free),
    the most probable hidden state and the most probable V2. ``perfect``: every input's
    V2 is recalled and the hidden codes are distinct."""
    n = len(b)
    states = all_states(n)
    logits = -energy(states, w, b)
    codes, recalled = [], []
    for k in range(n_group):
        sel = (states[:, :n_group] == np.eye(n_group, dtype=np.uint8)[k]).all(axis=1)
        # marginal MAP of V2 given V1 (summing over H) and of H (summing over V2)
        sub, lg = states[sel], logits[sel]
        v2_idx = state_index(sub[:, n_group : 2 * n_group].astype(np.int64))
        h_idx = state_index(sub[:, 2 * n_group :].astype(np.int64))
        v2 = np.argmax([logsumexp(lg[v2_idx == m]) for m in range(2**n_group)])
        h = np.argmax([logsumexp(lg[h_idx == m]) for m in range(2 ** (n - 2 * n_group))])
        recalled.append(int(v2) == 1 << k)
        codes.append(int(h))
    return {
        "codes": codes,
        "recalled": recalled,
        "perfect": bool(all(recalled) and len(set(codes)) == n_group),
    }


class AnnealingProcedure(Params):
    """Boltzmann learning with both phases estimated by simulated annealing and sampling
    (Ackley et al. 1985); :data:`PAPER_PROCEDURE` holds the values the sources give.
    Times are in units of time: one unit probes each free unit once on average."""

    schedule: tuple[tuple[int, float], ...] = Field(
        ((2, 20.0), (2, 15.0), (2, 12.0), (4, 10.0)),
        min_length=1,
        description="annealing: (time units, temperature) pairs, in order",
    )
    stat_time: int = Field(10, ge=1, description="time units of co-occurrence sampling")
    stat_temperature: float = Field(10.0, gt=0, description="temperature of the sampling")
    anneals_per_pattern: int = Field(2, ge=1, description="annealings per clamped pattern")
    noise_on_to_off: float = Field(
        0.15, ge=0, lt=1, description="noisy clamping: probability an on bit is clamped off"
    )
    noise_off_to_on: float = Field(
        0.05, ge=0, lt=1, description="noisy clamping: probability an off bit is clamped on"
    )
    step: float = Field(2.0, gt=0, description="weight change per cycle (sign of the difference)")
    n_cycles: int = Field(
        300, ge=1, le=100_000, description="learning cycles (not given by the sources found)"
    )

    @pydantic.model_validator(mode="after")
    def _schedule_steps(self):
        for k, (units, temp) in enumerate(self.schedule):
            if units < 1 or not temp > 0:
                raise ValueError(
                    f"schedule: step {k} must be (time units >= 1, temperature > 0) "
                    f"(got {(units, temp)!r})"
                )
        return self


#: the procedure as the sources found state it (module docstring); n_cycles is not from them
PAPER_PROCEDURE = AnnealingProcedure()


@numba.njit(cache=True)
def _anneal_and_sample(w, b, states, n_free, temps, n_stat, t_stat, picks, accept):
    """Sequential stochastic updates of ``states`` (chains x units, float 0/1, changed in
    place): chain c updates only its first ``n_free[c]`` units in the order ``free`` was
    laid out by the caller (the free units come last in ``states``' column order, see
    :func:`_phase_statistics`). Each time unit makes n_free random probes (unit
    ``picks``, accepted on ``accept``) at ``temps[t]``; then ``n_stat`` units at
    ``t_stat`` whose states after every probe are summed into the returned
    co-occurrence matrix (units x units), with the probe count."""
    n_chain, n = states.shape
    stats = np.zeros((n, n))
    count = 0
    n_anneal = len(temps)
    for c in range(n_chain):
        s = states[c]
        k = 0
        start = n - n_free[c]
        for t in range(n_anneal + n_stat):
            temp = temps[t] if t < n_anneal else t_stat
            for _ in range(n_free[c]):
                i = start + int(picks[c, k] * n_free[c])
                gap = b[i]
                for j in range(n):
                    gap += w[i, j] * s[j]
                s[i] = 1.0 if accept[c, k] < 1.0 / (1.0 + np.exp(-gap / temp)) else 0.0
                k += 1
                if t >= n_anneal:
                    for a in range(n):
                        if s[a] != 0.0:
                            for d in range(n):
                                stats[a, d] += s[d]
                    count += 1
    return stats, count


def _phase_statistics(rng, w, b, proc, patterns, clamp):
    """<s_i s_j> (diagonal: <s_i>) of one phase: one chain per row of ``patterns`` whose
    first units are clamped to it if ``clamp`` (the free units come after the visible
    ones, so they are each chain's last units), else all units free."""
    n = len(b)
    n_vis = patterns.shape[1]
    n_chain = len(patterns)
    states = rng.integers(0, 2, (n_chain, n)).astype(np.float64)
    if clamp:
        states[:, :n_vis] = patterns
        n_free = np.full(n_chain, n - n_vis, dtype=np.int64)
    else:
        n_free = np.full(n_chain, n, dtype=np.int64)
    temps = np.repeat([t for _, t in proc.schedule], [u for u, _ in proc.schedule]).astype(float)
    n_probe = (len(temps) + proc.stat_time) * n
    picks = rng.random((n_chain, n_probe))
    accept = rng.random((n_chain, n_probe))
    stats, count = _anneal_and_sample(
        w, b, states, n_free, temps, proc.stat_time, proc.stat_temperature, picks, accept
    )
    return stats / count


def train_encoder_annealed(
    rng: np.random.Generator,
    procedure: AnnealingProcedure = PAPER_PROCEDURE,
    n_group: int = 4,
    n_hidden: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Boltzmann learning of the n-h-n encoder by the annealing procedure of Ackley et
    al. (1985) (:data:`PAPER_PROCEDURE`, module docstring for its sources).

    Each learning cycle: (clamped phase) every data vector (V1 = V2 = one-hot k) is
    clamped ``anneals_per_pattern`` times, each time with fresh noise (an on bit off with
    probability ``noise_on_to_off``, an off bit on with ``noise_off_to_on``), the hidden
    units annealed from random states through ``schedule`` and then sampled for
    ``stat_time`` time units at ``stat_temperature``; (free phase) as many annealings
    with no unit clamped. Every connection of :func:`encoder_mask` changes by
    :math:`\pm` ``step`` by the sign of :math:`p_{ij} - p'_{ij}` (clamped minus free
    co-occurrence), each bias by the sign of :math:`p_i - p'_i` (the paper's thresholds
    are weights from an always-on unit). Initial weights 0. Unit update: on with
    probability :math:`1/(1 + e^{-\Delta E_i / T})`, :math:`\Delta E_i = \sum_j w_{ij} s_j
    + b_i`. The returned weights are in the units of that rule, so the network they
    describe runs at ``stat_temperature`` (divide by it for :func:`encoder_code`).
    """
    mask = encoder_mask(n_group, n_hidden)
    n = len(mask)
    eye = np.eye(n_group)
    data = np.repeat(np.hstack([eye, eye]), procedure.anneals_per_pattern, axis=0)
    w = np.zeros((n, n))
    b = np.zeros(n)
    for _ in range(procedure.n_cycles):
        flip = rng.random(data.shape) < np.where(
            data == 1, procedure.noise_on_to_off, procedure.noise_off_to_on
        )
        p_clamp = _phase_statistics(rng, w, b, procedure, np.where(flip, 1 - data, data), True)
        p_free = _phase_statistics(rng, w, b, procedure, data, False)
        diff = p_clamp - p_free
        w += procedure.step * np.sign(diff) * mask
        b += procedure.step * np.sign(np.diag(diff))
    return w, b
