r"""Boltzmann machines and restricted Boltzmann machines: exact enumeration, Gibbs sampling,
learning.

Two models are registered here, each with its reference (Gibbs sampling) realization;
the neural-sampling realizations are in ``spiking/boltzmann.py``.

``boltzmann``
    Binary units :math:`z_i \in \{0, 1\}`, symmetric weights :math:`W` (zero diagonal),
    biases :math:`b`, temperature :math:`T` (Ackley, Hinton & Sejnowski 1985):

    .. math:: E(z) = -\tfrac12 z^\top W z - b^\top z, \qquad
              p(z) = e^{-E(z)/T} / Z, \qquad Z = \sum_z e^{-E(z)/T}.

    For :math:`n \le 20` units the distribution and :math:`\log Z` are computed exactly
    by enumerating all :math:`2^n` states (:func:`exact_log_probs`): the ground truth.
    Gibbs sampling sets :math:`z_i = 1` with probability
    :math:`\sigma(u_i / T)`, :math:`u_i = b_i + \sum_j W_{ij} z_j`
    (``sampler="sequential"``: every unit once per sweep, in a fresh random order per
    sweep, as in the asynchronous Hopfield network), or samples blocks of
    ``block_size`` units jointly from their exact conditional (``"blocked"``: the
    :math:`2^k` block states are enumerated; a fresh random partition per sweep).

    ``kl_to_exact`` is :math:`\mathrm{KL}(q \,\|\, p) = \sum_{z: q(z) > 0} q(z)
    \log(q(z) / p(z))` of the empirical distribution :math:`q` of all recorded samples
    (all chains pooled) against the exact :math:`p`; states never visited contribute
    :math:`0 \log 0 = 0`, so it is always finite. Even :math:`N` perfect independent
    samples give :math:`\mathrm{E}[\mathrm{KL}] \approx (2^n - 1) / (2N)` (the
    :math:`\chi^2` limit); ``kl_iid`` measures this floor directly on :math:`N` exact
    independent draws.

    Link to the Hopfield network (``neurotwin.rate_models.hopfield.hopfield``): with
    :math:`s = 2z - 1`, :math:`E(z)` equals the Hopfield energy
    :math:`-\tfrac12 s^\top W_h s + U^\top s` up to a constant for
    :math:`W_h = W / 4`, :math:`U = -(b + W\mathbf 1 / 2) / 2`
    (:func:`to_hopfield`), and Gibbs' :math:`\sigma(u_i/T)` is exactly the Glauber rule
    :math:`1 / (1 + e^{-2(h_i - U_i)/T})` of ``hopfield.async_recall`` at the same
    :math:`T`. As :math:`T \to 0` a Gibbs sweep becomes an asynchronous Hopfield sweep
    (:math:`z_i = [u_i > 0]`, a tie keeps the state).

``rbm``
    Visible :math:`v` and hidden :math:`h` binary units,
    :math:`E(v, h) = -v^\top W h - b^\top v - c^\top h` (Smolensky 1986; Hinton 2002).
    Trained (in :func:`rbm_weights`, at :math:`T = 1`) by contrastive divergence CD-k
    (Hinton 2002) or persistent CD (Tieleman 2008) with mini-batches, on binarized 8x8
    digits (scikit-learn's bundled ``load_digits``, pixel > 8 of 16 -> 1) or on
    bars-and-stripes (MacKay 2003). Metrics per epoch: reconstruction error, the exact
    pseudo-likelihood :math:`\sum_i \log p(v_i \mid v_{-i})` and, when
    :math:`\min(n_v, n_h) \le 20`, the exact log-likelihood via the free energy
    :math:`F(v) = -b^\top v - \sum_j \operatorname{softplus}(c_j + v^\top W_{:j})` and
    :math:`\log Z` summed over the hidden (or visible) states. Sampling (the
    realization) runs blocked Gibbs :math:`h \mid v`, :math:`v \mid h` at temperature
    :math:`T` (all energies divided by :math:`T`).

References
----------
Ackley, D. H., Hinton, G. E. & Sejnowski, T. J. (1985). A learning algorithm for
Boltzmann machines. Cognitive Science 9, 147-169.
Hinton, G. E. (2002). Training products of experts by minimizing contrastive
divergence. Neural Computation 14, 1771-1800.
Tieleman, T. (2008). Training restricted Boltzmann machines using approximations to the
likelihood gradient. ICML.
Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines.
UTML TR 2010-003.
Buesing, L., Bill, J., Nessler, B. & Maass, W. (2011). Neural dynamics as sampling.
PLoS Comput. Biol. 7(11), e1002211.
MacKay, D. J. C. (2003). Information Theory, Inference, and Learning Algorithms.
"""

from __future__ import annotations

import math
from typing import Literal

import numba
import numpy as np
import pydantic
from pydantic import Field
from scipy.special import expit, logsumexp

from neurotwin.errors import InputError
from neurotwin.params import Params
from neurotwin.rate_models.hopfield import hopfield
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

#: largest number of binary variables enumerated exactly (2^20 states)
MAX_EXACT_UNITS = 20
#: points of the KL-vs-samples curve (log-spaced)
N_CHECKPOINTS = 30
#: sweeps (times chains times units) per chunk of pre-drawn random numbers
_CHUNK = 2_000_000


# =====================================================================================
# exact enumeration
# =====================================================================================


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


# =====================================================================================
# Hopfield correspondence
# =====================================================================================


def to_hopfield(w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) of a BM on z in {0,1} -> (W_h, U) of the Hopfield net on s = 2z - 1.

    ``W_h = W / 4``, ``U = -(b + W 1 / 2) / 2``: then ``2 (h_i - U_i) = u_i`` and the
    energies agree up to a constant, so Glauber at T equals Gibbs at T.
    """
    return w / 4.0, -(b + w.sum(axis=1) / 2.0) / 2.0


def from_hopfield(w_h: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`to_hopfield`: ``W = 4 W_h``, ``b = -2 U - 2 W_h 1``."""
    return 4.0 * w_h, -2.0 * u - 2.0 * w_h.sum(axis=1)


# =====================================================================================
# Gibbs sampling (numba)
# =====================================================================================


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


# =====================================================================================
# boltzmann: params, weights, inputs, observables
# =====================================================================================


def _check_sampler_times(p) -> None:
    """The neural sampler's time grid, shared by :class:`BoltzmannParams` and
    :class:`RBMParams`: tau spans at least two steps, read-outs fall between dt and the
    recorded duration."""
    if p.tau_s < 2 * p.dt_s:
        raise ValueError(f"tau_s: must be >= 2 dt_s = {2 * p.dt_s!r} (got {p.tau_s!r})")
    if p.sample_dt_s < p.dt_s:
        raise ValueError(f"sample_dt_s: must be >= dt_s = {p.dt_s!r} (got {p.sample_dt_s!r})")
    if p.sample_dt_s > p.duration_s:
        raise ValueError(
            f"sample_dt_s: must be <= duration_s = {p.duration_s!r} (got {p.sample_dt_s!r})"
        )


class BoltzmannParams(Params):
    """A fully connected Boltzmann machine and one sampling run.

    The reference uses ``n_samples``/``burn_in`` (sweeps) and ``sampler``; the Brian2
    neural sampler uses ``duration_s``/``burn_in_s``, ``tau_s``, ``dt_s``,
    ``sample_dt_s`` and ``spike_rule`` (see ``spiking/boltzmann.py``).
    """

    n_units: int = Field(5, ge=2, le=MAX_EXACT_UNITS, description="number of binary units n")
    temperature: float = Field(1.0, gt=0, description="temperature T")
    weights_kind: Literal["random", "hebbian"] = Field(
        "random", description="random Gaussian W, b or Hebbian storage of random patterns"
    )
    weight_scale: float = Field(1.0, ge=0, description="s.d. of W_ij (random), factor (hebbian)")
    bias_scale: float = Field(0.5, ge=0, description="s.d. of b_i (random)")
    n_patterns: int = Field(1, ge=1, description="stored patterns (hebbian)")
    cue_noise: float = Field(
        0.2, ge=0, le=1, description="fraction of flipped bits in the initial cue (hebbian)"
    )
    n_chains: int = Field(1, ge=1, description="independent chains, pooled")
    sampler: Literal["sequential", "blocked"] = Field("sequential")
    block_size: int = Field(2, ge=1, le=8, description="units per block (blocked)")
    n_samples: int = Field(10_000, ge=1, description="recorded sweeps per chain (reference)")
    burn_in: int = Field(0, ge=0, description="sweeps discarded first (reference)")
    tau_s: float = Field(0.02, gt=0, description="refractory period tau (neural sampler)")
    dt_s: float = Field(0.001, gt=0, description="time step (neural sampler)")
    duration_s: float = Field(10.0, gt=0, description="recorded sampling time (neural sampler)")
    burn_in_s: float = Field(0.0, ge=0, description="time discarded first (neural sampler)")
    sample_dt_s: float = Field(0.001, gt=0, description="interval between read-outs of z")
    spike_rule: Literal["sigmoid", "exponential"] = Field(
        "sigmoid",
        description="P(spike in dt) = sigma(u/T - log(tau/dt)) or 1 - exp(-e^{u/T} dt/tau)",
    )

    @pydantic.model_validator(mode="after")
    def _times(self):
        _check_sampler_times(self)
        return self


def random_bm(n: int, weight_scale: float, bias_scale: float, rng: np.random.Generator):
    """Symmetric Gaussian W (zero diagonal, s.d. ``weight_scale``) and Gaussian b."""
    upper = np.triu(rng.normal(0.0, weight_scale, (n, n)), k=1)
    return upper + upper.T, rng.normal(0.0, bias_scale, n)


def boltzmann_weights(params: BoltzmannParams, rng: np.random.Generator) -> dict:
    """``{"W": (n, n), "b": (n,)}``, plus ``"patterns"`` (P, n) of ±1 for Hebbian storage
    (``W, b = from_hopfield(weight_scale * hebbian(patterns), 0)``)."""
    n = params.n_units
    if params.weights_kind == "random":
        w, b = random_bm(n, params.weight_scale, params.bias_scale, rng)
        return {"W": w, "b": b}
    patterns = hopfield.random_patterns(params.n_patterns, n, rng)
    w, b = from_hopfield(params.weight_scale * hopfield.hebbian(patterns), np.zeros(n))
    return {"W": w, "b": b, "patterns": patterns}


def boltzmann_inputs(params: BoltzmannParams, weights: dict, rng: np.random.Generator) -> dict:
    """Initial states ``z0`` (n_chains, n): uniform random bits, or (hebbian) a cue of
    pattern ``c mod P`` for chain c (``target``) with ``cue_noise`` of its bits flipped."""
    n, c = params.n_units, params.n_chains
    if params.weights_kind == "random":
        return {"z0": (rng.random((c, n)) < 0.5).astype(np.int8)}
    targets = np.arange(c) % params.n_patterns
    cues = hopfield.make_cues(np.asarray(weights["patterns"]), targets, params.cue_noise, rng)
    return {"z0": ((cues + 1) // 2).astype(np.int8), "targets": targets}


def check_symmetric(where: str, w: np.ndarray) -> None:
    """Raise InputError unless ``w`` is symmetric with a zero diagonal."""
    w = np.asarray(w, dtype=np.float64)
    asym = np.abs(w - w.T)
    if asym.max() > 1e-12 * max(1.0, float(np.abs(w).max())):
        i, j = (int(x) for x in np.unravel_index(np.argmax(asym), w.shape))
        raise InputError(
            f"{where}['W']: must be symmetric (got W[{i}, {j}] = {float(w[i, j])!r} != "
            f"W[{j}, {i}] = {float(w[j, i])!r})"
        )
    diag = np.abs(np.diag(w))
    if diag.max() > 0:
        i = int(np.argmax(diag))
        raise InputError(
            f"{where}['W']: must have a zero diagonal (got W[{i}, {i}] = {float(w[i, i])!r})"
        )


def boltzmann_validate(params: BoltzmannParams, weights: dict, inputs: dict) -> None:
    n, c = params.n_units, params.n_chains
    w = check_array("boltzmann", "weights", weights, "W", (n, n), "(n_units, n_units)")
    check_symmetric("boltzmann weights", w)
    check_array("boltzmann", "weights", weights, "b", (n,), "(n_units,)")
    if params.weights_kind == "hebbian":
        check_array(
            "boltzmann",
            "weights",
            weights,
            "patterns",
            (params.n_patterns, n),
            "(n_patterns, n_units)",
            (-1, 1),
        )
        check_array("boltzmann", "inputs", inputs, "targets", (c,), "(n_chains,)")
    check_array("boltzmann", "inputs", inputs, "z0", (c, n), "(n_chains, n_units)", (0, 1))


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


def boltzmann_observe(result: Result, params: BoltzmannParams, weights: dict, inputs: dict) -> dict:
    """Shared observables from the ``state`` trace (T, C, n) of 0/1 samples: ``kl_to_exact``
    and its curve vs samples (``kl_curve`` at ``kl_curve_steps`` read-outs per chain, time
    ``kl_curve_t``), ``kl_iid`` (the same number of exact independent draws), marginals,
    ``log_z``; with Hebbian weights the overlap with the cued pattern (``overlap`` per
    read-out and chain, ``recall_overlap``: its mean over the second half)."""
    w, b = np.asarray(weights["W"], float), np.asarray(weights["b"], float)
    states = np.asarray(result.traces["state"])
    log_p = exact_log_probs(w, b, params.temperature)
    out = sample_observables(states, result.t, log_p, result.seed)
    out["log_z"] = log_partition(w, b, params.temperature)
    if "patterns" in weights:
        xi = np.asarray(weights["patterns"], dtype=np.float64)[np.asarray(inputs["targets"])]
        m = np.einsum("tci,ci->tc", 2.0 * states - 1.0, xi) / params.n_units
        out["overlap"] = m
        out["recall_overlap"] = float(m[len(m) // 2 :].mean())
        out["final_overlap"] = float(m[-1].mean())
    return out


@realization("boltzmann", "reference")
def run_boltzmann_reference(
    params: BoltzmannParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Gibbs sampling (numba kernel): ``burn_in`` sweeps, then ``n_samples`` recorded."""
    rng = np.random.default_rng(seed)
    block = 1 if params.sampler == "sequential" else params.block_size
    w, b = np.asarray(weights["W"], float), np.asarray(weights["b"], float)
    z0 = np.asarray(inputs["z0"])
    if params.burn_in:
        z0 = gibbs_sample(w, b, z0, params.burn_in, rng, params.temperature, block)[-1]
    states = gibbs_sample(w, b, z0, params.n_samples, rng, params.temperature, block)
    return Result(
        model="boltzmann",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=np.arange(params.burn_in + 1, params.burn_in + params.n_samples + 1, dtype=float),
        t_unit="sweep",
        traces={"state": states},
        provenance={"sampler": params.sampler, "block_size": block, "kernel": "numba"},
    )


BOLTZMANN = register_model(
    ModelSpec(
        name="boltzmann",
        params=BoltzmannParams,
        weights=boltzmann_weights,
        make_inputs=boltzmann_inputs,
        validate=boltzmann_validate,
        observe=boltzmann_observe,
        key_observable="kl_to_exact",
        compare_runs=[("gibbs", "reference", {}), ("neural sampling", "brian2", {})],
        quick_params={"n_units": 5, "n_samples": 500, "n_chains": 2, "duration_s": 0.3},
        doc="Boltzmann machine (Ackley, Hinton & Sejnowski 1985): Gibbs sampling against "
        "exact enumeration; neural sampling (Buesing et al. 2011) in Brian2.",
    )
)


# =====================================================================================
# 4-2-4 encoder (Ackley, Hinton & Sejnowski 1985)
# =====================================================================================


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


# =====================================================================================
# RBM: data, training, metrics
# =====================================================================================


def binary_digits() -> np.ndarray:
    """scikit-learn's bundled 8x8 digits (1797 images), binarized: pixel > 8 (of 16) -> 1."""
    from sklearn.datasets import load_digits

    return (load_digits().data > 8).astype(np.uint8)


def bars_and_stripes(k: int) -> np.ndarray:
    """All distinct k x k bars-and-stripes images (MacKay 2003): 2^(k+1) - 2 rows of k^2."""
    rows = all_states(k)
    horiz = np.repeat(rows, k, axis=1)  # each row's bit fills a whole image row
    vert = np.tile(rows, (1, k))  # each bit fills a column
    return np.unique(np.vstack([horiz, vert]), axis=0).astype(np.uint8)


def check_binary_data(data, n_visible: int, name: str = "rbm data") -> np.ndarray:
    """The training data as uint8; InputError for a wrong shape or a value not 0/1."""
    arr = np.asarray(data)
    if arr.ndim != 2 or arr.shape[1] != n_visible:
        raise InputError(
            f"{name}: must have shape (n_examples, n_visible) = (*, {n_visible}) (got {arr.shape})"
        )
    if not np.issubdtype(arr.dtype, np.number):
        raise InputError(f"{name}: must be numeric (got dtype {arr.dtype})")
    bad = ~np.isin(arr, (0, 1))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"{name}: must contain only 0 and 1 (got {arr[idx]} at index {idx})")
    return arr.astype(np.uint8)


def free_energy(v: np.ndarray, w: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """F(v) = -b.v - sum_j softplus(c_j + v W_:j), so p(v) = exp(-F(v)) / Z."""
    v = np.asarray(v, dtype=np.float64)
    return -v @ b - np.logaddexp(0.0, v @ w + c).sum(axis=-1)


def rbm_log_z(w: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """log Z by summing out the smaller layer exactly (enumerating the other one)."""
    nv, nh = w.shape
    if min(nv, nh) > MAX_EXACT_UNITS:
        raise InputError(
            f"exact enumeration: must have at most {MAX_EXACT_UNITS} units in the smaller "
            f"layer (got {min(nv, nh)})"
        )
    if nh <= nv:
        total = -np.inf
        for start in range(0, 2**nh, 2**16):
            k = np.arange(start, min(start + 2**16, 2**nh), dtype=np.int64)
            h = ((k[:, None] >> np.arange(nh)) & 1).astype(np.float64)
            part = h @ c + np.logaddexp(0.0, h @ w.T + b).sum(axis=1)
            total = np.logaddexp(total, logsumexp(part))
        return float(total)
    return float(logsumexp(-free_energy(all_states(nv), w, b, c)))


def rbm_log_likelihood(data, w, b, c) -> float:
    """Mean exact log p(v) over ``data`` (nats per example)."""
    return float(-free_energy(data, w, b, c).mean() - rbm_log_z(w, b, c))


def pseudo_likelihood(data, w, b, c) -> float:
    """Mean exact pseudo-log-likelihood sum_i log p(v_i | v_-i) (nats per example):
    ``log sigma(F(v with v_i flipped) - F(v))`` summed over all pixels i."""
    v = np.asarray(data, dtype=np.float64)
    f0 = free_energy(v, w, b, c)
    total = np.zeros(len(v))
    for i in range(v.shape[1]):
        flipped = v.copy()
        flipped[:, i] = 1.0 - flipped[:, i]
        total += -np.logaddexp(0.0, -(free_energy(flipped, w, b, c) - f0))
    return float(total.mean())


def reconstruction_error(data, w, b, c) -> float:
    """Mean squared error of the mean-field reconstruction sigma(b + W sigma(c + v W))."""
    v = np.asarray(data, dtype=np.float64)
    recon = expit(expit(v @ w + c) @ w.T + b)
    return float(((v - recon) ** 2).mean())


class RBMParams(Params):
    """A restricted Boltzmann machine, its training and one sampling run.

    Training (always at T = 1) happens when the harness draws the weights; sampling
    uses ``temperature``. The reference samples ``n_samples`` sweeps of blocked Gibbs;
    the Brian2 neural sampler runs for ``duration_s`` (see ``spiking/boltzmann.py``).
    """

    dataset: Literal["digits", "bars-and-stripes"] = Field("digits")
    n_visible: int = Field(64, ge=1, description="64 for digits, k^2 for bars-and-stripes")
    n_hidden: int = Field(16, ge=1, description="number of hidden units")
    temperature: float = Field(1.0, gt=0, description="sampling temperature T")
    training: Literal["cd", "pcd"] = Field("cd", description="CD-k or persistent CD-k")
    cd_k: int = Field(1, ge=1, description="Gibbs steps per gradient estimate")
    learning_rate: float = Field(0.1, gt=0)
    n_epochs: int = Field(20, ge=0)
    batch_size: int = Field(20, ge=1)
    n_train: int = Field(1797, ge=1, description="training examples (a random subset)")
    n_eval: int = Field(300, ge=1, description="training examples scored per epoch")
    weight_decay: float = Field(0.0, ge=0)
    init_scale: float = Field(0.01, ge=0, description="s.d. of the initial weights")
    n_chains: int = Field(16, ge=1, description="independent sampling chains")
    n_samples: int = Field(1000, ge=1, description="recorded Gibbs sweeps per chain (reference)")
    burn_in: int = Field(0, ge=0, description="sweeps discarded first (reference)")
    tau_s: float = Field(0.02, gt=0, description="refractory period tau (neural sampler)")
    dt_s: float = Field(0.001, gt=0, description="time step (neural sampler)")
    duration_s: float = Field(2.0, gt=0, description="recorded sampling time (neural sampler)")
    burn_in_s: float = Field(0.0, ge=0, description="time discarded first (neural sampler)")
    sample_dt_s: float = Field(0.02, gt=0, description="interval between read-outs of z")
    spike_rule: Literal["sigmoid", "exponential"] = Field("sigmoid")

    @pydantic.model_validator(mode="after")
    def _consistent(self):
        if self.dataset == "digits" and self.n_visible != 64:
            raise ValueError(f"n_visible: must be 64 for dataset 'digits' (got {self.n_visible})")
        if self.dataset == "bars-and-stripes":
            k = int(round(self.n_visible**0.5))
            if k * k != self.n_visible or k < 2:
                raise ValueError(
                    "n_visible: must be a square k^2 >= 4 for dataset 'bars-and-stripes' "
                    f"(got {self.n_visible})"
                )
        _check_sampler_times(self)
        return self


def rbm_dataset(params: RBMParams, rng: np.random.Generator) -> np.ndarray:
    """The training set: ``n_train`` examples drawn without replacement (all if fewer)."""
    if params.dataset == "digits":
        full = binary_digits()
    else:
        full = bars_and_stripes(int(round(params.n_visible**0.5)))
    keep = rng.permutation(len(full))[: min(params.n_train, len(full))]
    return full[np.sort(keep)]


def _bernoulli(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return (rng.random(p.shape) < p).astype(np.float64)


def rbm_metrics(data, w, b, c) -> tuple[float, float, float]:
    """(reconstruction error, pseudo-likelihood, exact log-likelihood or NaN)."""
    ll = rbm_log_likelihood(data, w, b, c) if min(w.shape) <= MAX_EXACT_UNITS else float("nan")
    return reconstruction_error(data, w, b, c), pseudo_likelihood(data, w, b, c), ll


def train_rbm(data, params: RBMParams, rng: np.random.Generator) -> dict:
    r"""CD-k / PCD-k with mini-batches (Hinton 2002; Tieleman 2008; Hinton 2010).

    Per batch :math:`V` (size B): :math:`\Delta W = \eta\,(V^\top P(h|V) -
    V_k^\top P(h|V_k)) / B - \eta \lambda W`, the same for the biases, where :math:`V_k`
    is the visible state after k alternating Gibbs steps started at the data (CD) or at
    persistent chains (PCD, ``batch_size`` chains started from random bits). The
    positive-phase and last-step hidden statistics use probabilities, the chain uses
    binary samples. Initial ``W ~ N(0, init_scale^2)``, ``c = 0``, ``b`` the log-odds
    of the pixel means (clipped to [0.01, 0.99]).

    Returns ``W, b, c`` and the per-epoch curves (epoch 0 = before training), scored on
    the first ``n_eval`` training examples (to keep the per-epoch cost small).
    """
    data = check_binary_data(data, params.n_visible).astype(np.float64)
    nv, nh = params.n_visible, params.n_hidden
    w = rng.normal(0.0, params.init_scale, (nv, nh))
    mean = np.clip(data.mean(axis=0), 0.01, 0.99)
    b = np.log(mean / (1.0 - mean))
    c = np.zeros(nh)
    persistent = (rng.random((params.batch_size, nv)) < 0.5).astype(np.float64)
    lr, bs = params.learning_rate, params.batch_size
    scored = data[: params.n_eval]
    hist = [rbm_metrics(scored, w, b, c)]
    for _ in range(params.n_epochs):
        order = rng.permutation(len(data))
        for start in range(0, len(data), bs):
            v0 = data[order[start : start + bs]]
            ph0 = expit(v0 @ w + c)
            if params.training == "cd":
                h = _bernoulli(ph0, rng)
            else:
                h = _bernoulli(expit(persistent @ w + c), rng)
            for _k in range(params.cd_k):
                vk = _bernoulli(expit(h @ w.T + b), rng)
                phk = expit(vk @ w + c)
                h = _bernoulli(phk, rng)
            if params.training == "pcd":
                persistent = vk
            m = len(v0)
            neg_n = len(vk)
            w += lr * ((v0.T @ ph0) / m - (vk.T @ phk) / neg_n - params.weight_decay * w)
            b += lr * (v0.mean(axis=0) - vk.mean(axis=0))
            c += lr * (ph0.mean(axis=0) - phk.mean(axis=0))
        hist.append(rbm_metrics(scored, w, b, c))
    recon, pl, ll = (np.array(x) for x in zip(*hist, strict=True))
    return {
        "W": w,
        "b": b,
        "c": c,
        "curve_epoch": np.arange(params.n_epochs + 1, dtype=np.int64),
        "curve_reconstruction_error": recon,
        "curve_pseudo_likelihood": pl,
        "curve_log_likelihood": ll,
    }


def rbm_weights(params: RBMParams, rng: np.random.Generator) -> dict:
    """Load the data and train: ``{"W": (nv, nh), "b": (nv,), "c": (nh,), "data", curves}``."""
    data = rbm_dataset(params, rng)
    return {**train_rbm(data, params, rng), "data": data}


def rbm_inputs(params: RBMParams, weights: dict, rng: np.random.Generator) -> dict:
    """Initial visible states of the sampling chains, uniform random bits ``v0`` (C, nv)."""
    return {"v0": (rng.random((params.n_chains, params.n_visible)) < 0.5).astype(np.int8)}


def rbm_validate(params: RBMParams, weights: dict, inputs: dict) -> None:
    nv, nh = params.n_visible, params.n_hidden
    check_array("rbm", "weights", weights, "W", (nv, nh), "(n_visible, n_hidden)")
    check_array("rbm", "weights", weights, "b", (nv,), "(n_visible,)")
    check_array("rbm", "weights", weights, "c", (nh,), "(n_hidden,)")
    if not isinstance(weights, dict) or "data" not in weights:
        raise InputError(f"rbm weights['data']: is missing (got {sorted(weights)})")
    check_binary_data(weights["data"], nv, "rbm weights['data']")
    check_array(
        "rbm", "inputs", inputs, "v0", (params.n_chains, nv), "(n_chains, n_visible)", (0, 1)
    )


def rbm_gibbs(w, b, c, v0, n_sweeps: int, rng: np.random.Generator, temperature: float = 1.0):
    """Blocked Gibbs h ~ p(h|v), v ~ p(v|h) at temperature T; returns (visible, hidden)
    after every sweep, shapes (S, C, nv) and (S, C, nh), int8."""
    v = np.asarray(v0, dtype=np.float64)
    vis = np.empty((n_sweeps,) + v.shape, dtype=np.int8)
    hid = np.empty((n_sweeps, v.shape[0], w.shape[1]), dtype=np.int8)
    for s in range(n_sweeps):
        h = _bernoulli(expit((v @ w + c) / temperature), rng)
        v = _bernoulli(expit((h @ w.T + b) / temperature), rng)
        vis[s], hid[s] = v, h
    return vis, hid


def rbm_visible_log_probs(w, b, c, temperature: float) -> np.ndarray:
    """Exact log p_T(v) over all 2^nv visible states (p_T(v,h) ∝ exp(-E/T))."""
    t = temperature
    logits = -free_energy(all_states(w.shape[0]), w / t, b / t, c / t)
    return logits - logsumexp(logits)


def rbm_observe(result: Result, params: RBMParams, weights: dict, inputs: dict) -> dict:
    """Training curves and final metrics (from the weights), and sample statistics from
    the ``visible`` trace (T, C, nv): ``kl_to_exact`` of the visible distribution when
    n_visible <= 20, the pixel means of the samples, ``final_visible`` (the sample grid),
    and ``sample_free_energy`` (mean F(v) at T = 1 of the samples; the data's is
    ``data_free_energy``)."""
    w = np.asarray(weights["W"], float)
    b, c = np.asarray(weights["b"], float), np.asarray(weights["c"], float)
    data = np.asarray(weights["data"])
    vis = np.asarray(result.traces["visible"])
    out: dict = {}
    if "curve_epoch" in weights:
        for key in ("epoch", "reconstruction_error", "pseudo_likelihood", "log_likelihood"):
            out[f"curve_{key}"] = np.asarray(weights[f"curve_{key}"])
    recon, pl, ll = rbm_metrics(data, w, b, c)
    out.update(
        reconstruction_error=recon,
        pseudo_likelihood=pl,
        log_likelihood=ll,
        sample_mean_pixel=vis.reshape(-1, params.n_visible).mean(axis=0),
        data_mean_pixel=data.mean(axis=0),
        final_visible=vis[-1],
        sample_free_energy=float(free_energy(vis.reshape(-1, params.n_visible), w, b, c).mean()),
        data_free_energy=float(free_energy(data, w, b, c).mean()),
    )
    if params.n_visible <= MAX_EXACT_UNITS:
        log_p = rbm_visible_log_probs(w, b, c, params.temperature)
        out.update(sample_observables(vis, result.t, log_p, result.seed))
    return out


@realization("rbm", "reference")
def run_rbm_reference(
    params: RBMParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Blocked Gibbs sampling (h | v, v | h) of the trained RBM from random bits."""
    rng = np.random.default_rng(seed)
    w = np.asarray(weights["W"], float)
    b, c = np.asarray(weights["b"], float), np.asarray(weights["c"], float)
    v0 = np.asarray(inputs["v0"])
    if params.burn_in:
        v0 = rbm_gibbs(w, b, c, v0, params.burn_in, rng, params.temperature)[0][-1]
    vis, hid = rbm_gibbs(w, b, c, v0, params.n_samples, rng, params.temperature)
    return Result(
        model="rbm",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=np.arange(params.burn_in + 1, params.burn_in + params.n_samples + 1, dtype=float),
        t_unit="sweep",
        traces={"visible": vis, "hidden": hid},
        provenance={"sampler": "blocked Gibbs (h|v, v|h)"},
    )


RBM = register_model(
    ModelSpec(
        name="rbm",
        params=RBMParams,
        weights=rbm_weights,
        make_inputs=rbm_inputs,
        validate=rbm_validate,
        observe=rbm_observe,
        key_observable="pseudo_likelihood",
        compare_runs=[("gibbs", "reference", {}), ("neural sampling", "brian2", {})],
        quick_params={
            "dataset": "bars-and-stripes",
            "n_visible": 9,
            "n_hidden": 4,
            "n_epochs": 3,
            "n_chains": 4,
            "n_samples": 100,
            "duration_s": 0.3,
        },
        doc="Restricted Boltzmann machine: CD-k / PCD training on binarized digits or "
        "bars-and-stripes, exact likelihood, Gibbs and neural sampling.",
    )
)


def sklearn_peer(params: RBMParams, seed: int = 0) -> dict:
    """scikit-learn's ``BernoulliRBM`` (PCD-1) on the same data and budget (hidden units,
    epochs, batch size, learning rate) against this module's PCD-1, both scored by the
    exact pseudo-likelihood (and sklearn's own one-pixel stochastic estimate, scaled to
    all pixels as sklearn does) on the training data."""
    from sklearn.neural_network import BernoulliRBM

    ours_params = RBMParams.create(params, training="pcd", cd_k=1)
    rng = np.random.default_rng(seed)
    data = rbm_dataset(ours_params, rng)
    ours = train_rbm(data, ours_params, rng)
    peer = BernoulliRBM(
        n_components=params.n_hidden,
        learning_rate=params.learning_rate,
        batch_size=params.batch_size,
        n_iter=params.n_epochs,
        random_state=seed,
    ).fit(data.astype(np.float64))
    pw, pb, pc = peer.components_.T, peer.intercept_visible_, peer.intercept_hidden_
    return {
        "n_train": int(len(data)),
        "ours_pseudo_likelihood": pseudo_likelihood(data, ours["W"], ours["b"], ours["c"]),
        "sklearn_pseudo_likelihood": pseudo_likelihood(data, pw, pb, pc),
        "sklearn_score_samples_mean": float(peer.score_samples(data.astype(np.float64)).mean()),
        "ours_reconstruction_error": reconstruction_error(data, ours["W"], ours["b"], ours["c"]),
        "sklearn_reconstruction_error": reconstruction_error(data, pw, pb, pc),
    }
