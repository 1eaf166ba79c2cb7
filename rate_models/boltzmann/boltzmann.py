r"""The Boltzmann machine (``boltzmann``): Gibbs sampling against exact enumeration.

Binary units :math:`z_i \in \{0, 1\}`, symmetric weights :math:`W` (zero diagonal),
biases :math:`b`, temperature :math:`T` (Ackley, Hinton & Sejnowski 1985):

.. math:: E(z) = -\tfrac12 z^\top W z - b^\top z, \qquad
          p(z) = e^{-E(z)/T} / Z, \qquad Z = \sum_z e^{-E(z)/T}.

For :math:`n \le 20` units the distribution and :math:`\log Z` are computed exactly
by enumerating all :math:`2^n` states (:mod:`.exact`): the ground truth. Gibbs
sampling (:mod:`.sampling`, the reference realization) sets :math:`z_i = 1` with
probability :math:`\sigma(u_i / T)`, :math:`u_i = b_i + \sum_j W_{ij} z_j`
(``sampler="sequential"``: every unit once per sweep, in a fresh random order per
sweep, as in the asynchronous Hopfield network), or samples blocks of ``block_size``
units jointly from their exact conditional (``"blocked"``: the :math:`2^k` block
states are enumerated; a fresh random partition per sweep). The neural-sampling
realization is in ``spiking/boltzmann/brian2.py``.

``kl_to_exact`` is :math:`\mathrm{KL}(q \,\|\, p)` of the empirical distribution
:math:`q` of all recorded samples against the exact :math:`p`, with the floor
``kl_iid`` of as many exact independent draws (:func:`.exact.sample_observables`).

Link to the Hopfield network (``neurotwin.rate_models.hopfield.hopfield``): with
:math:`s = 2z - 1`, :math:`E(z)` equals the Hopfield energy
:math:`-\tfrac12 s^\top W_h s + U^\top s` up to a constant for
:math:`W_h = W / 4`, :math:`U = -(b + W\mathbf 1 / 2) / 2`
(:func:`to_hopfield`), and Gibbs' :math:`\sigma(u_i/T)` is exactly the Glauber rule
:math:`1 / (1 + e^{-2(h_i - U_i)/T})` of ``hopfield.async_recall`` at the same
:math:`T`. As :math:`T \to 0` a Gibbs sweep becomes an asynchronous Hopfield sweep
(:math:`z_i = [u_i > 0]`, a tie keeps the state). Boltzmann learning of the 4-2-4
encoder is in :mod:`.encoder`.

References
----------
Ackley, D. H., Hinton, G. E. & Sejnowski, T. J. (1985). A learning algorithm for
Boltzmann machines. Cognitive Science 9, 147-169.
Buesing, L., Bill, J., Nessler, B. & Maass, W. (2011). Neural dynamics as sampling.
PLoS Comput. Biol. 7(11), e1002211.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.errors import InputError
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, Terms, cost
from neurotwin.rate_models.hopfield import hopfield
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

from .exact import MAX_EXACT_UNITS, exact_log_probs, log_partition, sample_observables
from .sampling import check_sampler_times, gibbs_sample, sampler_cost

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
# boltzmann: params, weights, inputs, observables
# =====================================================================================


class BoltzmannParams(Params):
    """A fully connected Boltzmann machine and one sampling run.

    The reference uses ``n_samples``/``burn_in`` (sweeps) and ``sampler``; the Brian2
    neural sampler uses ``duration_s``/``burn_in_s``, ``tau_s``, ``dt_s``,
    ``sample_dt_s`` and ``spike_rule`` (see ``spiking/boltzmann/brian2.py``).
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
        check_sampler_times(self)
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


def boltzmann_estimate(params: BoltzmannParams, options, realization: str):
    """The exact distribution (2^n states: their bits, energies, log-probabilities and
    counts) and the sampling run
    (:func:`~neurotwin.rate_models.boltzmann.sampling.sampler_cost`)."""
    n = params.n_units
    mem = Terms(("n_units", (n + 6 * F8) * 2.0**n + 4 * F8 * n * n))
    steps = Terms(("n_units", 2.0**n * n))
    sampler_cost(params, n, n * n, mem, steps, realization)
    if realization == "reference":  # the Gibbs kernel's pre-drawn orders and uniforms
        reads = params.n_samples + params.burn_in
        mem.add("n_chains", 4 * F8 * min(reads * params.n_chains * n, 2e6))
    return cost(mem, steps)


BOLTZMANN = register_model(
    ModelSpec(
        name="boltzmann",
        observable_units={
            "kl_to_exact": "nat",
            "kl_curve": "nat",
            "kl_curve_steps": "1",
            "n_draws": "1",
            "n_states_visited": "1",
            "mean_state": "1",
            "exact_mean_state": "1",
            "max_marginal_error": "1",
            "log_z": "1",
        },
        params=BoltzmannParams,
        weights=boltzmann_weights,
        make_inputs=boltzmann_inputs,
        validate=boltzmann_validate,
        observe=boltzmann_observe,
        key_observable="kl_to_exact",
        # rate vs spiking (tests/boltzmann/test_boltzmann_brian2.py, which reads this):
        # the neural sampler's KL within 2x Gibbs' + 0.005, i.e. |KL - KL_gibbs| <=
        # 0.005 + 1.0 KL_gibbs, at 20 chains x 150 sweeps vs 3 s; the default compare
        # runs the reference for 10,000 sweeps (a smaller KL_gibbs: a tighter bound).
        agreement=[{"observable": "kl_to_exact", "atol": 0.005, "rtol": 1.0}],
        estimate=boltzmann_estimate,
        compare_runs=[("gibbs", "reference", {}), ("neural sampling", "brian2", {})],
        quick_params={"n_units": 5, "n_samples": 500, "n_chains": 2, "duration_s": 0.3},
        doc="Boltzmann machine (Ackley, Hinton & Sejnowski 1985): Gibbs sampling against "
        "exact enumeration; neural sampling (Buesing et al. 2011) in Brian2.",
    )
)
