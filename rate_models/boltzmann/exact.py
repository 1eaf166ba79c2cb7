r"""Exact enumeration of binary distributions, and how far samples are from them.

For :math:`n \le 20` binary units :math:`z_i \in \{0, 1\}` with energy
:math:`E(z) = -\tfrac12 z^\top W z - b^\top z` the distribution
:math:`p(z) = e^{-E(z)/T} / Z` and :math:`\log Z` are computed exactly by enumerating
all :math:`2^n` states (:func:`exact_log_probs`, :func:`log_partition`): the ground
truth of the ``boltzmann`` and ``rbm`` models.

``kl_to_exact`` (:func:`sample_observables`) is :math:`\mathrm{KL}(q \,\|\, p) =
\sum_{z: q(z) > 0} q(z) \log(q(z) / p(z))` of the empirical distribution :math:`q` of
all recorded samples (all chains pooled) against the exact :math:`p`; states never
visited contribute :math:`0 \log 0 = 0`, so it is always finite. Even :math:`N` perfect
independent samples give :math:`\mathrm{E}[\mathrm{KL}] \approx (2^n - 1) / (2N)`
(the :math:`\chi^2` limit); ``kl_iid`` measures this floor directly on :math:`N` exact
independent draws.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp

from neurotwin.errors import InputError

#: largest number of binary variables enumerated exactly (2^20 states)
MAX_EXACT_UNITS = 20
#: points of the KL-vs-samples curve (log-spaced)
N_CHECKPOINTS = 30
#: sweeps (times chains times units) per chunk of pre-drawn random numbers


def all_states(n: int) -> np.ndarray:
    """Every binary state of ``n`` units, shape (2^n, n), uint8; row k has bit i = unit i."""
    k = np.arange(2**n, dtype=np.int64)
    return ((k[:, None] >> np.arange(n)) & 1).astype(np.uint8)


def state_index(z: np.ndarray) -> np.ndarray:
    """The row of :func:`all_states` of each state along the last axis."""
    z = np.asarray(z)
    return (z.astype(np.int64) << np.arange(z.shape[-1])).sum(axis=-1)


def energy(z: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """E(z) = -1/2 z^T W z - b^T z for every state along the last axis."""
    zf = np.asarray(z, dtype=np.float64)
    return -0.5 * np.einsum("...i,ij,...j->...", zf, w, zf) - zf @ b


def _exact_logits(w: np.ndarray, b: np.ndarray, temperature: float) -> np.ndarray:
    n = len(b)
    if n > MAX_EXACT_UNITS:
        raise InputError(f"exact enumeration: must have at most {MAX_EXACT_UNITS} units (got {n})")
    logits = np.empty(2**n)
    step = 2**16
    for start in range(0, 2**n, step):
        k = np.arange(start, min(start + step, 2**n), dtype=np.int64)
        z = ((k[:, None] >> np.arange(n)) & 1).astype(np.float64)
        logits[start : start + len(k)] = -energy(z, w, b) / temperature
    return logits


def exact_log_probs(w: np.ndarray, b: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """log p(z) for all 2^n states (order of :func:`all_states`), vectorised in chunks."""
    logits = _exact_logits(w, b, temperature)
    return logits - logsumexp(logits)


def log_partition(w: np.ndarray, b: np.ndarray, temperature: float = 1.0) -> float:
    """log Z = log sum_z exp(-E(z)/T), by enumeration."""
    return float(logsumexp(_exact_logits(w, b, temperature)))


def exact_marginals(log_p: np.ndarray) -> np.ndarray:
    """p(z_i = 1) for every unit from the log-probabilities of all 2^n states."""
    p = np.exp(log_p)
    n = int(round(math.log2(len(p))))
    return np.array([p.reshape(2 ** (n - 1 - i), 2, 2**i)[:, 1, :].sum() for i in range(n)])


def kl_empirical(counts: np.ndarray, log_p: np.ndarray) -> float:
    """KL(q || p) of the empirical distribution ``q = counts / sum`` against ``exp(log_p)``,
    over the visited states only (0 log 0 = 0)."""
    counts = np.asarray(counts, dtype=np.float64)
    seen = counts > 0
    q = counts[seen] / counts.sum()
    return float(np.sum(q * (np.log(q) - log_p[seen])))


def checkpoints(n_steps: int, n_points: int = N_CHECKPOINTS) -> np.ndarray:
    """Up to ``n_points`` log-spaced integers in [1, n_steps], ending at n_steps."""
    return np.unique(np.geomspace(1, n_steps, n_points).round().astype(np.int64))


def kl_curve(indices: np.ndarray, log_p: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """KL(q_k || p) where q_k pools the first ``steps[k]`` rows of ``indices`` (T, chains)."""
    out = np.empty(len(steps))
    counts = np.zeros(len(log_p), dtype=np.int64)
    done = 0
    for k, s in enumerate(steps):
        counts += np.bincount(indices[done:s].ravel(), minlength=len(log_p))
        done = s
        out[k] = kl_empirical(counts, log_p)
    return out


def iid_kl(log_p: np.ndarray, n_draws: int, rng: np.random.Generator) -> float:
    """KL(q || p) of ``n_draws`` independent exact samples: the floor any sampler faces."""
    counts = rng.multinomial(n_draws, np.exp(log_p - logsumexp(log_p)))
    return kl_empirical(counts, log_p)


def sample_observables(states: np.ndarray, t: np.ndarray, log_p: np.ndarray, seed: int) -> dict:
    """KL and marginals of samples ``states`` (T, C, n) against the exact ``log_p``."""
    idx = state_index(states)  # (T, C)
    steps = checkpoints(len(states))
    curve = kl_curve(idx, log_p, steps)
    exact_mean = exact_marginals(log_p)
    mean = states.reshape(-1, states.shape[-1]).mean(axis=0)
    n_draws = idx.size
    return {
        "kl_to_exact": float(curve[-1]),
        "kl_curve": curve,
        "kl_curve_steps": steps,
        "kl_curve_t": np.asarray(t, dtype=np.float64)[steps - 1],
        "kl_iid": iid_kl(log_p, n_draws, np.random.default_rng(seed)),
        "n_draws": int(n_draws),
        "n_states_visited": int(len(np.unique(idx))),
        "mean_state": mean,
        "exact_mean_state": exact_mean,
        "max_marginal_error": float(np.abs(mean - exact_mean).max()),
    }
