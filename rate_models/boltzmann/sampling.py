r"""Gibbs sampling of a Boltzmann machine (a numba kernel), and the neural sampler's
time grid shared by the ``boltzmann`` and ``rbm`` parameters.

Gibbs sampling sets :math:`z_i = 1` with probability :math:`\sigma(u_i / T)`,
:math:`u_i = b_i + \sum_j W_{ij} z_j` (every unit once per sweep, in a fresh random
order per sweep), or samples blocks of ``block_size`` units jointly from their exact
conditional (the :math:`2^k` block states are enumerated; a fresh random partition per
sweep). ``temperature=0`` is the deterministic limit :math:`z_i = [u_i > 0]` (a tie
keeps the state): an asynchronous Hopfield sweep.
"""

from __future__ import annotations

import numba
import numpy as np

from neurotwin.rate_models._cost import F8, SPIKE_BYTES, SYNAPSE_BYTES, driver

_CHUNK = 2_000_000


@numba.njit(cache=True)
def _gibbs_chunk(w, z, u, orders, uniforms, inv_t, block, out):  # pragma: no cover - jit
    """Sweeps over every chain; ``z`` (C, n) int8 and fields ``u = b + W z`` in place.

    ``orders`` (S, C, n): the visiting order of each sweep; ``uniforms`` (S, C, n): one
    number per unit visit (per block with ``block > 1``); ``inv_t = 1/T`` (``inf``: the
    T = 0 limit, ``z_i = [u_i > 0]``, a tie keeps the state). ``out`` (S, C, n) gets
    the state after each sweep.
    """
    n_sweeps, n_chains, n = orders.shape
    logit = np.empty(2**block)
    for s in range(n_sweeps):
        for c in range(n_chains):
            zc, uc, oc, rc = z[c], u[c], orders[s, c], uniforms[s, c]
            for start in range(0, n, block):
                stop = min(start + block, n)
                k = stop - start
                if k == 1:
                    i = oc[start]
                    if np.isinf(inv_t):
                        new = 1 if uc[i] > 1e-12 else (0 if uc[i] < -1e-12 else zc[i])
                    else:
                        new = 1 if rc[start] * (1.0 + np.exp(-uc[i] * inv_t)) < 1.0 else 0
                    if new != zc[i]:
                        d = new - zc[i]
                        zc[i] = new
                        for j in range(n):
                            uc[j] += d * w[j, i]
                    continue
                # joint conditional of the block: field from outside + pair terms inside
                best = -np.inf
                for cfg in range(2**k):
                    val = 0.0
                    for a in range(k):
                        if (cfg >> a) & 1:
                            ia = oc[start + a]
                            ext = uc[ia]
                            for a2 in range(k):
                                ext -= w[ia, oc[start + a2]] * zc[oc[start + a2]]
                            val += ext
                            for a2 in range(a + 1, k):
                                if (cfg >> a2) & 1:
                                    val += w[ia, oc[start + a2]]
                    logit[cfg] = val * inv_t
                    best = max(best, logit[cfg])
                total = 0.0
                for cfg in range(2**k):
                    logit[cfg] = np.exp(logit[cfg] - best)
                    total += logit[cfg]
                target = rc[start] * total
                pick = 2**k - 1
                acc = 0.0
                for cfg in range(2**k):
                    acc += logit[cfg]
                    if target < acc:
                        pick = cfg
                        break
                for a in range(k):
                    i = oc[start + a]
                    new = (pick >> a) & 1
                    if new != zc[i]:
                        d = new - zc[i]
                        zc[i] = new
                        for j in range(n):
                            uc[j] += d * w[j, i]
            out[s, c] = zc


def gibbs_sample(
    w: np.ndarray,
    b: np.ndarray,
    z0: np.ndarray,
    n_sweeps: int,
    rng: np.random.Generator,
    temperature: float = 1.0,
    block_size: int = 1,
    orders: np.ndarray | None = None,
) -> np.ndarray:
    """Gibbs sweeps from ``z0`` (C, n); returns the states after every sweep (S, C, n) int8.

    ``orders`` (S, C, n) fixes the visiting order (default: a fresh random permutation
    per sweep and chain from ``rng``); ``temperature=0`` gives the deterministic limit.
    """
    z = np.array(z0, dtype=np.int8, copy=True)
    n_chains, n = z.shape
    w = np.ascontiguousarray(w, dtype=np.float64)
    u = np.asarray(b, dtype=np.float64)[None, :] + z.astype(np.float64) @ w.T
    inv_t = np.inf if temperature == 0 else 1.0 / temperature
    out = np.empty((n_sweeps, n_chains, n), dtype=np.int8)
    per = max(1, _CHUNK // max(1, n_chains * n))
    for s0 in range(0, n_sweeps, per):
        s1 = min(s0 + per, n_sweeps)
        if orders is None:
            chunk_orders = rng.random((s1 - s0, n_chains, n)).argsort(axis=-1)
        else:
            chunk_orders = np.ascontiguousarray(orders[s0:s1], dtype=np.int64)
        uniforms = rng.random((s1 - s0, n_chains, n))
        _gibbs_chunk(w, z, u, chunk_orders, uniforms, inv_t, block_size, out[s0:s1])
    return out


def check_sampler_times(p) -> None:
    """The neural sampler's time grid, shared by ``BoltzmannParams`` and
    ``RBMParams``: tau spans at least two steps, read-outs fall between dt and the
    recorded duration."""
    if p.tau_s < 2 * p.dt_s:
        raise ValueError(f"tau_s: must be >= 2 dt_s = {2 * p.dt_s!r} (got {p.tau_s!r})")
    if p.sample_dt_s < p.dt_s:
        raise ValueError(f"sample_dt_s: must be >= dt_s = {p.dt_s!r} (got {p.sample_dt_s!r})")
    if p.sample_dt_s > p.duration_s:
        raise ValueError(
            f"sample_dt_s: must be <= duration_s = {p.duration_s!r} (got {p.sample_dt_s!r})"
        )


def sampler_cost(
    params, n_units: int, n_synapses: int, mem: dict, steps: dict, realization: str
) -> None:
    """Add the sampling run of ``boltzmann`` or ``rbm`` (``n_units`` per chain) to the
    terms: the recorded states (read-outs x chains x units, int8, and the observables'
    float copies; reference), or the
    neural sampler's monitor, spikes (at most one per ``tau_s`` per neuron) and synapses
    (Brian2; ``n_synapses`` per chain); steps: sweeps x chains x units, or time steps x
    neurons. Used by the models' ``estimate``."""
    c = params.n_chains
    if realization == "reference":
        reads = params.n_samples + params.burn_in
        who = driver(params, ("n_samples", "n_chains"))
        mem.add(who, (1 + 3 * F8) * reads * c * n_units)
        steps.add(driver(params, ("n_samples", "n_chains", "burn_in")), reads * c * n_units)
        return
    neurons = c * n_units
    total_s = params.duration_s + params.burn_in_s
    reads = params.duration_s / params.sample_dt_s + 1
    who = driver(params, ("duration_s", "n_chains"), ("sample_dt_s",))
    mem.add(who, (3 * F8 + 1 + 3 * F8) * reads * neurons)
    spikes = driver(params, ("duration_s", "burn_in_s", "n_chains"), ("tau_s",))
    mem.add(spikes, SPIKE_BYTES * total_s / params.tau_s * neurons)
    mem.add("n_chains", SYNAPSE_BYTES * c * n_synapses)
    who = driver(params, ("duration_s", "burn_in_s", "n_chains"), ("dt_s",))
    steps.add(who, total_s / params.dt_s * neurons)
