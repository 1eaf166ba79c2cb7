r"""Hopfield's (1982) associative memory: the binary reference model.

Units :math:`s_i \in \{-1, +1\}`, weights :math:`W` (zero diagonal), thresholds
:math:`U_i`. A unit updates to :math:`s_i \leftarrow \operatorname{sgn}(h_i - U_i)`
with local field :math:`h_i = \sum_j W_{ij} s_j` (a tie, :math:`h_i = U_i`,
keeps the current state). With symmetric :math:`W` and asynchronous updates the
energy

.. math:: E(s) = -\tfrac12 s^\top W s + U^\top s

never increases (Hopfield 1982), so every run ends in a fixed point; synchronous
updates can instead end in 2-cycles. At temperature :math:`T > 0` a unit is set
to +1 with the Glauber probability :math:`1 / (1 + e^{-2 (h_i - U_i) / T})`.

Storage rules (patterns :math:`\xi^\mu`, rows of ``patterns``, :math:`P \times N`):

* ``hebbian``: :math:`W = \frac1N \sum_\mu \xi^\mu \xi^{\mu\top}`, zero diagonal.
  Capacity :math:`\alpha_c = P/N \approx 0.138` for large :math:`N` (Amit,
  Gutfreund & Sompolinsky 1985).
* ``pseudoinverse`` (projection rule, Personnaz, Guyon & Dreyfus 1985):
  :math:`W = \Xi^\top (\Xi \Xi^\top)^{-1} \Xi`, zero diagonal; every linearly
  independent pattern set (correlated ones too) is stored as fixed points while
  :math:`P/N < 1/2` keeps the diagonal it drops below 1/2 on average.
* ``storkey`` (Storkey 1997): the incremental, local rule
  :math:`\Delta W_{ij} = \frac1N(\xi_i\xi_j - \xi_i h_{ji} - h_{ij}\xi_j)`.

``asymmetry`` :math:`a \in [0, 1]` mixes a random antisymmetric matrix :math:`A`
of the same Frobenius norm into the weights, :math:`W = (1-a) W_s + a A`, to
show that convergence relies on symmetry.

Time in this model is counted in sweeps: one sweep is :math:`N` asynchronous
unit updates in a fresh random order, or one synchronous update of all units.

How the reference computes (``ReferenceOptions.weights_form``; the same states every
way, tests/hopfield/test_hopfield_large.py): Hebbian W at T = 0 from the float32
Hebbian sums (exact integers, :mod:`.storage`); any other W, or T > 0, from float64 W;
``factored``: from the patterns, never forming W (memory O(N P), chosen by ``auto``
where W would not fit). :func:`estimate` refuses, before anything is drawn, a run whose
memory or unit updates are out of reach (:mod:`neurotwin.budget`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from neurotwin import budget
from neurotwin.errors import InputError, ParamError
from neurotwin.params import Params
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result

from . import recall
from .recall import CountFields, DenseFields, FactoredFields
from .storage import (  # noqa: F401 - the model's public names
    ASYMMETRY_EXTRA_MATRICES,
    RULE_EXTRA_MATRICES,
    STORAGE,
    HebbianWeights,
    counts_exact,
    hebbian,
    hebbian_counts,
    mix_asymmetry,
    pseudoinverse,
    random_patterns,
    storkey,
)

#: a cue counts as recalled when its final overlap with the target reaches this
RECALL_THRESHOLD = 0.95
#: parameters that change only the drawn inputs (the cues), never the network: a sweep over
#: them runs on one built network per seed (neurotwin.sweep.input_params)
INPUT_PARAMS = ("cue_noise",)


class HopfieldParams(Params):
    """Parameters of the Hopfield network and of one recall experiment."""

    n_units: int = Field(200, ge=2, description="number of binary units N")
    n_patterns: int = Field(10, ge=1, description="number of stored random patterns P")
    cue_noise: float = Field(0.2, ge=0, le=1, description="fraction of flipped bits in each cue")
    n_cues: int = Field(10, ge=1, description="cues per run; cue k starts from pattern k mod P")
    update: Literal["async", "sync"] = Field("async", description="update schedule")
    temperature: float = Field(0.0, ge=0, description="Glauber temperature T (0: deterministic)")
    storage: Literal["hebbian", "pseudoinverse", "storkey", "given"] = Field(
        "hebbian",
        description="rule that stores the patterns in W; 'given': W supplied by the caller",
    )
    asymmetry: float = Field(0.0, ge=0, le=1, description="weight of the antisymmetric part")
    threshold: float = Field(0.0, description="threshold U_i of every unit")
    max_sweeps: int = Field(100, ge=1, description="upper bound on sweeps per recall")


# -- patterns and weights (storage.py) -----------------------------------------------


#: 'auto' recalls synchronously from the factored fields up to this load P / N (T = 0):
#: two thin products of 2 C N P flops each per step instead of one of 2 C N^2. Measured
#: 1.1-1.2x faster at N = 500, 2.1-3.6x at N = 2000, 2.2-7.3x at N = 6000 for P / N of
#: 0.01-0.14 (500 cues, 2-core machine, issue 16); the same states (exact integer fields
#: either way). Asynchronous recall keeps the dense form, whose sweeps cost O(1) per visit
#: (factored: O(P)): factored was 0.5-0.7x as fast near capacity and at N = 1000, P = 50.
FACTORED_SYNC_MAX_LOAD = 0.2


class ReferenceOptions(Params):
    """How the reference computes the local fields (the same states either way)."""

    weights_form: Literal["auto", "dense", "factored"] = Field(
        "auto",
        description="'dense': one N x N matrix (float32 Hebbian sums where exact, else "
        "float64 W); 'factored': fields as patterns^T (patterns s), memory O(N P), Hebbian "
        "storage only; 'auto': factored for synchronous recall at T = 0 up to P / N = "
        f"{FACTORED_SYNC_MAX_LOAD} (faster there), else dense where it fits in the "
        "available memory, else factored",
    )


def weights(params: HopfieldParams, rng: np.random.Generator) -> dict:
    """Draw the patterns and store them: ``{"W", "patterns", "U"}``.

    Hebbian weights without asymmetry come as a :class:`HebbianWeights`, whose W is
    formed (float64, as ever) only when read: the reference never reads it.
    """
    _check_storage_rule(params)
    patterns = random_patterns(params.n_patterns, params.n_units, rng)
    u = np.full(params.n_units, params.threshold)
    if params.storage == "hebbian" and params.asymmetry == 0:
        return HebbianWeights(patterns, u)
    w = mix_asymmetry(STORAGE[params.storage](patterns), params.asymmetry, rng)
    return {"W": w, "patterns": patterns, "U": u}


def _check_storage_rule(params: HopfieldParams) -> None:
    if params.storage == "given":
        raise ParamError(
            "HopfieldParams.storage: 'given' means W supplied by the caller, so W must be "
            "passed (weights={'W': ..., 'patterns': ...}) (got 'given')"
        )


# -- arrays handed in by the user ------------------------------------------------


def adopt(weights: dict | None, inputs: dict | None) -> dict:
    """The parameter values the user's arrays imply.

    ``patterns`` (P, N) -> ``n_units`` N and ``n_patterns`` P; ``W`` -> ``storage``
    ``'given'``; ``cues`` (C, N) -> ``n_cues`` C. Arrays of another dimension imply
    nothing here (:func:`validate` names what is wrong with them).
    """
    implied: dict = {}
    weights, inputs = weights or {}, inputs or {}
    if "patterns" in weights:
        shape = np.shape(weights["patterns"])
        if len(shape) == 2:
            implied.update(n_units=int(shape[1]), n_patterns=int(shape[0]))
    if "W" in weights:
        implied["storage"] = "given"
    if "cues" in inputs:
        shape = np.shape(inputs["cues"])
        if len(shape) == 2:
            implied["n_cues"] = int(shape[0])
    return implied


def complete_weights(params: HopfieldParams, given: dict) -> dict:
    """The full ``{"W", "patterns", "U"}`` from the user's partial set.

    ``patterns`` alone: W by the storage rule, checked against ``params``; ``patterns``
    and ``W``: taken as given. ``U`` defaults to ``threshold`` for every unit. W
    without the patterns is refused: the observables (overlaps) need them.
    """
    given = dict(given)
    if "patterns" not in given:
        raise InputError(
            f"hopfield weights['patterns']: is missing, the observables (overlaps with the "
            f"stored patterns) need them; pass the patterns with W (got {sorted(given)})"
        )
    if "U" not in given:
        given["U"] = np.full(params.n_units, params.threshold)
    if params.asymmetry != 0:
        raise ParamError(
            "HopfieldParams.asymmetry: must be 0 with given arrays (W is used as given, or "
            "built from the given patterns without a random antisymmetric part); mix it into "
            f"W yourself (got {params.asymmetry!r})"
        )
    if "W" in given:
        return given
    _check_storage_rule(params)
    shape = (params.n_patterns, params.n_units)
    _check_array("weights", given, "patterns", shape, "(n_patterns, n_units)", pm1=True)
    if params.storage == "hebbian" and set(given) == {"patterns", "U"}:
        return HebbianWeights(np.asarray(given["patterns"]), given["U"])
    given["W"] = STORAGE[params.storage](np.asarray(given["patterns"]))
    return given


def make_cues(
    patterns: np.ndarray, targets: np.ndarray, noise: float, rng: np.random.Generator
) -> np.ndarray:
    """Copies of ``patterns[targets]`` with exactly ``round(noise * N)`` bits flipped each."""
    n = patterns.shape[1]
    k = int(round(noise * n))
    cues = patterns[targets].copy()
    for c in range(len(targets)):
        flip = rng.choice(n, size=k, replace=False)
        cues[c, flip] *= -1
    return cues


def make_inputs(params: HopfieldParams, weights: dict, rng: np.random.Generator) -> dict:
    targets = np.arange(params.n_cues) % params.n_patterns
    return {
        "cues": make_cues(weights["patterns"], targets, params.cue_noise, rng),
        "targets": targets,
    }


# -- dynamics (recall.py) ------------------------------------------------------------


def async_recall(
    w: np.ndarray,
    u: np.ndarray,
    s0: np.ndarray,
    rng: np.random.Generator,
    temperature: float = 0.0,
    max_sweeps: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Asynchronous recall of many probes at once, from a dense W (float64).

    Parameters
    ----------
    w : (N, N) array;  u : (N,) thresholds;  s0 : (C, N) initial ±1 states.

    Returns
    -------
    states : (sweeps + 1, C, N) int8
        The state after every sweep (row 0 is ``s0``). A probe that converged
        keeps its fixed point in later rows.
    sweeps_to_converge : (C,) int
        Sweeps until a sweep without a flip (that sweep not counted); -1 if
        it never came (always -1 for T > 0).
    """
    out = recall.asynchronous(DenseFields(w), u, s0, rng, temperature, max_sweeps)
    return out.states, out.converged_at


def sync_recall(
    w: np.ndarray,
    u: np.ndarray,
    s0: np.ndarray,
    rng: np.random.Generator,
    temperature: float = 0.0,
    max_sweeps: int = 100,
    dtype: type = np.float64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Synchronous (all units at once) recall of many probes: one matrix product per step.

    Returns ``states`` (steps + 1, C, N), ``steps_to_converge`` (C,), -1 if never,
    and ``two_cycle`` (C,) bool: the probe alternates between two states
    (s(t+1) = s(t-1) != s(t)), the limit cycle synchronous updates allow.
    """
    out = recall.sync(DenseFields(w, dtype), u, s0, rng, temperature, max_sweeps)
    return out.states, out.converged_at, out.two_cycle


# -- observables -----------------------------------------------------------------

#: rows of states (or pattern entries) per block of the chunked products below
_CHUNK_BYTES = 64 * 2**20
#: bytes of converted states per block: small enough to stay in cache between the
#: conversion and the product (4 MB blocks: 8 ms instead of 18 ms for the overlaps of
#: 5 x 1000 states of N = 2000, issue 16)
_STATE_BLOCK_BYTES = 4 * 2**20


def _row_blocks(n_rows: int, row_bytes: int, block_bytes: int = _CHUNK_BYTES):
    step = max(1, block_bytes // max(row_bytes, 1))
    for r in range(0, n_rows, step):
        yield slice(r, min(r + step, n_rows))


def _row_words(flat: np.ndarray) -> np.ndarray:
    """The rows of a C-contiguous 2-d array as the widest unsigned words that tile them
    (bitwise row equality in a fraction of the element-wise comparison's time)."""
    row_bytes = flat.shape[1] * flat.itemsize
    for word in (8, 4, 2, 1):
        if row_bytes % word == 0:
            return flat.view(np.dtype(f"u{word}"))
    raise AssertionError("unreachable: every row is a whole number of bytes")


def distinct_rows(states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``states`` (flattened to (rows, N)) worth computing an observable on, and
    where each row's value lies among them.

    For 3 or more dimensions (a trace: steps along axis 0), a row bit for bit equal to
    the same row one step earlier repeats that row's value: a probe that has converged
    keeps its state for the rest of the trace, so its overlaps and energy are computed
    once (at N = 2000, 1000 cues, 2,987 of 5,000 rows). Returns ``(rows, where)``: the
    flat indices to compute and, for every flat row, its position in ``rows``.
    """
    n = states.shape[-1]
    flat = np.ascontiguousarray(states).reshape(-1, n)
    every = np.arange(len(flat))
    if states.ndim < 3 or len(flat) == 0:
        return every, every
    per = len(flat) // states.shape[0]
    words = _row_words(flat)
    src = every.copy()
    for t in range(1, states.shape[0]):
        cur, prev = src[t * per : (t + 1) * per], src[(t - 1) * per : t * per]
        same = (words[t * per : (t + 1) * per] == words[(t - 1) * per : t * per]).all(axis=1)
        cur[same] = prev[same]
    rows = np.flatnonzero(src == every)
    position = np.empty(len(flat), dtype=np.int64)
    position[rows] = np.arange(len(rows))
    return rows, position[src]


def overlap_counts(
    states: np.ndarray, patterns: np.ndarray, distinct: tuple | None = None
) -> np.ndarray:
    """``xi^mu . s`` for every state and pattern (new last axis), float32 integers.

    Float32 products of ±1 are exact (N < 2^24); states and patterns go through in
    blocks, so no float copy of all states or of all patterns is made, and rows that
    repeat the step before are computed once (:func:`distinct_rows`; ``distinct``: its
    result for these states, where the caller has it).
    """
    n = states.shape[-1]
    s = np.ascontiguousarray(states).reshape(-1, n)
    p = patterns.shape[0]
    rows, where = distinct_rows(states) if distinct is None else distinct
    out = np.empty((len(rows), p), dtype=np.float32)
    # one thread decision for the whole product, not per (cache-sized) block
    with recall.blas_threads(2.0 * len(rows) * n * p):
        for pb in _row_blocks(p, 4 * n):
            xt = patterns[pb].astype(np.float32).T
            for sb in _row_blocks(len(rows), 4 * n, _STATE_BLOCK_BYTES):
                np.matmul(s[rows[sb]].astype(np.float32), xt, out=out[sb, pb])
    return out[where].reshape(states.shape[:-1] + (p,))


def overlaps(states: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    """m_mu = (1/N) xi^mu . s, for every pattern mu (new last axis), float64."""
    return overlap_counts(states, patterns).astype(np.float64) / patterns.shape[1]


def energy(states: np.ndarray, w: np.ndarray, u: np.ndarray) -> np.ndarray:
    """E = -1/2 s^T W s + U.s for every state along the last axis (any W)."""
    n = states.shape[-1]
    s = np.ascontiguousarray(states).reshape(-1, n)
    rows, where = distinct_rows(states)
    e = np.empty(len(rows))
    for b in _row_blocks(len(rows), 8 * n):
        sb = s[rows[b]].astype(np.float64)
        with recall.blas_threads(2.0 * len(sb) * n * n):
            e[b] = -0.5 * np.sum((sb @ w.T) * sb, axis=1) + sb @ u
    return e[where].reshape(states.shape[:-1])


def threshold_term(states: np.ndarray, u: np.ndarray, distinct: tuple | None = None) -> np.ndarray:
    """The threshold term ``U.s`` of the energy for every state along the last axis
    (float64; exactly 0, with no product, where U is 0; ``distinct`` as in
    :func:`overlap_counts`)."""
    u = np.asarray(u, dtype=np.float64)
    n = states.shape[-1]
    if not u.any():
        return np.zeros(states.shape[:-1])
    s = np.ascontiguousarray(states).reshape(-1, n)
    rows, where = distinct_rows(states) if distinct is None else distinct
    us = np.empty(len(rows))
    # small float64 blocks (about 1 MB: 3 ms instead of 12-24 ms for 5,000 x 2,000
    # states); a matrix-vector product, so on the idle cores only (recall.blas_threads:
    # 500 x 1000 took 16 ms on a second thread instead of 0.13 ms, loaded 2-core machine)
    with recall.blas_threads(2.0 * len(rows) * n):
        for b in _row_blocks(len(rows), 8 * n, 2**20):
            us[b] = s[rows[b]].astype(np.float64) @ u
    return us[where].reshape(states.shape[:-1])


def hebbian_energy(
    counts: np.ndarray, states: np.ndarray, u: np.ndarray, distinct: tuple | None = None
) -> np.ndarray:
    """E of Hebbian W = (Xi^T Xi - P I) / N from the overlap counts c = Xi s:
    s^T W s = (sum_mu c_mu^2 - P N) / N, so E = -(sum c^2 - P N) / (2 N) + U.s.
    O(P) per state instead of O(N^2); the sums are exact integers in float64
    (``distinct`` as in :func:`overlap_counts`)."""
    n = states.shape[-1]
    p = counts.shape[-1]
    c64 = counts.astype(np.float64)
    sq = np.einsum("...p,...p->...", c64, c64)
    del c64
    return -(sq - p * n) / (2 * n) + threshold_term(states, u, distinct)


def observe(result: Result, params: HopfieldParams, weights: dict, inputs: dict) -> dict:
    """Observables shared by every realization, computed from the ±1 ``state`` trace.

    ``overlap``: the realization's own where it has them (the reference's factored
    recall computes them on the way to the fields), else from the states.

    ``energy``: from the overlap counts where W is the Hebbian W of the patterns
    (:func:`hebbian_energy`), else from the fields the realization had (the reference
    on any other W), else from W.
    """
    states = result.traces["state"]
    n = states.shape[-1]
    distinct = None  # the trace's distinct rows, found once where two terms need them
    if "overlap" in result.observables:  # the realization's own (exact integers / N)
        m = np.asarray(result.observables["overlap"], dtype=np.float64)
        counts = np.rint(m * n)
    else:
        distinct = distinct_rows(states)
        counts = overlap_counts(states, weights["patterns"], distinct)
        m = counts.astype(np.float64) / n
    targets = inputs["targets"]
    final = m[-1, np.arange(len(targets)), targets]
    if isinstance(weights, HebbianWeights):
        e = hebbian_energy(counts, states, weights["U"], distinct)
    elif "energy" in result.observables:
        e = result.observables["energy"]
    else:
        e = energy(states, weights["W"], weights["U"])
    return {
        "overlap": m,
        "energy": e,
        "final_overlaps": final,
        "final_overlap": float(final.mean()),
        "recall_fraction": float((final >= RECALL_THRESHOLD).mean()),
    }


def validate(params: HopfieldParams, weights: dict, inputs: dict) -> None:
    """Check user-supplied arrays against the parameters; raise InputError naming the array.

    A Hebbian W not yet formed is the patterns' own (nothing to check, nothing formed).
    """
    n, p, c = params.n_units, params.n_patterns, params.n_cues
    if not (isinstance(weights, HebbianWeights) and not weights.formed):
        _check_array("weights", weights, "W", (n, n), "(n_units, n_units)")
    _check_array("weights", weights, "patterns", (p, n), "(n_patterns, n_units)", pm1=True)
    _check_array("weights", weights, "U", (n,), "(n_units,)")
    _check_array("inputs", inputs, "cues", (c, n), "(n_cues, n_units)", pm1=True)
    _check_array("inputs", inputs, "targets", (c,), "(n_cues,)")
    t = np.asarray(inputs["targets"])
    if not np.issubdtype(t.dtype, np.integer) or t.min() < 0 or t.max() >= p:
        raise InputError(
            f"hopfield inputs['targets']: must be integers in [0, n_patterns) = [0, {p}) "
            f"(got {t.tolist()[:10]})"
        )


def _first_bad(arr: np.ndarray, bad_of) -> tuple[int, ...] | None:
    """Index of the first entry where ``bad_of(block)`` holds, in row blocks (no
    array-sized temporary)."""
    flat = arr.reshape(len(arr), -1) if arr.ndim > 1 else arr.reshape(-1, 1)
    for b in _row_blocks(len(flat), max(flat.shape[1], 1) * 8):
        bad = bad_of(flat[b])
        if bad.any():
            r, col = np.argwhere(bad)[0]
            flat_index = (b.start + r) * flat.shape[1] + col
            return tuple(int(i) for i in np.unravel_index(flat_index, arr.shape))
    return None


def _check_array(kind, mapping, key, shape, shape_name, pm1=False) -> None:
    where = f"hopfield {kind}[{key!r}]"
    if not isinstance(mapping, dict) or key not in mapping:
        got = sorted(mapping) if isinstance(mapping, dict) else type(mapping).__name__
        raise InputError(f"{where}: is missing (got {got})")
    arr = np.asarray(mapping[key])
    if arr.shape != shape:
        raise InputError(f"{where}: must have shape {shape_name} = {shape} (got {arr.shape})")
    if not np.issubdtype(arr.dtype, np.number):
        raise InputError(f"{where}: must be numeric (got dtype {arr.dtype})")
    if not np.issubdtype(arr.dtype, np.integer):
        idx = _first_bad(arr, lambda b: ~np.isfinite(b.astype(np.float64)))
        if idx is not None:
            raise InputError(f"{where}: must be finite (got {arr[idx]} at index {idx})")
    if pm1:
        idx = _first_bad(arr, lambda b: (b != 1) & (b != -1))
        if idx is not None:
            raise InputError(
                f"{where}: must contain only -1 and +1 (got {arr[idx]} at index {idx})"
            )


# -- which form of the weights, and what a run costs ---------------------------------------

#: sweeps a zero-temperature run with symmetric W is assumed to take at most (it stops
#: at a fixed point or, synchronously, a 2-cycle; the capacity sweeps here need < 50)
CONVERGED_SWEEPS = 50
#: bytes Brian2 holds per synapse at the least (indices, weight); measured ~62 (issue 16)
BRIAN2_SYNAPSE_BYTES = 24


def _hebbian_symmetric(params: HopfieldParams) -> bool:
    return params.storage == "hebbian" and params.asymmetry == 0


def dense_bytes(params: HopfieldParams, form: str) -> int:
    """The N x N arrays (and their scratch) of the dense forms."""
    n, p = params.n_units, params.n_patterns
    if form == "dense-counts":  # K float32 + the float32 patterns and their transpose
        return 4 * n * n + 8 * n * p
    extra = RULE_EXTRA_MATRICES[params.storage]
    if params.asymmetry > 0:
        extra += ASYMMETRY_EXTRA_MATRICES
    copies = 1 + extra + (0 if _hebbian_symmetric(params) else 1)  # W.T for the kernels
    return 8 * n * n * copies + 16 * n * p


def factored_bytes(params: HopfieldParams) -> int:
    """Float32 patterns for the products, int8 (N, P) rows for the asynchronous kernel."""
    n, p, c = params.n_units, params.n_patterns, params.n_cues
    return 4 * n * p + (n * p if params.update == "async" else 0) + 12 * c * p


def weights_form(params: HopfieldParams, options: ReferenceOptions | None) -> str:
    """The reference's form: 'dense-counts' (float32 Hebbian sums), 'dense-float64' or
    'factored'. 'auto': factored for synchronous recall at T = 0 up to
    :data:`FACTORED_SYNC_MAX_LOAD` (faster), else the dense form where it fits in the
    available memory, else factored."""
    asked = options.weights_form if options is not None else "auto"
    hebb = _hebbian_symmetric(params)
    if asked == "factored" and not hebb:
        raise ParamError(
            "ReferenceOptions.weights_form: 'factored' needs storage='hebbian' and "
            "asymmetry=0, the rule whose W is a product of the patterns (got 'factored')"
        )
    if asked == "factored":
        return "factored"
    dense = "dense-counts" if hebb and params.temperature == 0 else "dense-float64"
    if asked == "dense" or not hebb:
        return dense
    if (
        dense == "dense-counts"
        and params.update == "sync"
        and params.n_patterns <= FACTORED_SYNC_MAX_LOAD * params.n_units
    ):
        return "factored"
    return dense if dense_bytes(params, dense) <= budget.available_memory() else "factored"


def estimate(params: HopfieldParams, options, realization: str) -> budget.Cost:
    """Memory and unit updates of one run (checked before anything is drawn).

    Sweeps: ``max_sweeps`` where the run may never stop (T > 0, asymmetric or given W),
    else at most :data:`CONVERGED_SWEEPS`. Memory: the weights in the form the run uses,
    the patterns and cues, the state trace (list and stacked copy) and the overlaps.
    """
    n, p, c = params.n_units, params.n_patterns, params.n_cues
    stops = params.temperature == 0 and params.asymmetry == 0 and params.storage != "given"
    sweeps = min(params.max_sweeps, CONVERGED_SWEEPS) if stops else params.max_sweeps
    trace = (sweeps + 1) * c * (2 * n + 8 * p + 16)
    drawn = n * p + 3 * c * n + 24 * n + 16 * c * n
    if realization == "reference":
        form = weights_form(params, options)
        w_bytes = factored_bytes(params) if form == "factored" else dense_bytes(params, form)
    else:  # the spiking networks read the float64 W (a lower bound of what they hold)
        w_bytes = 16 * n * n
        if realization == "brian2":
            w_bytes += BRIAN2_SYNAPSE_BYTES * c * n * (n - 1)
    sweeps_param = "n_cues" if stops else "max_sweeps"
    return budget.Cost(
        bytes=int(w_bytes + drawn + trace),
        steps=int(sweeps * n * c),
        # the state trace grows with n_units too: name it only where cues x sweeps dominate
        memory_param="n_units"
        if w_bytes + drawn >= trace or c * (sweeps + 1) <= n
        else sweeps_param,
        steps_param=sweeps_param,
    )


@realization("hopfield", "reference", options=ReferenceOptions)
def run_reference(
    params: HopfieldParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Binary units, asynchronous (numba kernel) or synchronous (batched matmul) updates.

    Hebbian W at T = 0: from the float32 Hebbian sums (exact; the same states as
    float64 W). T > 0, other rules, asymmetry or a given W: float64 W. ``factored``:
    from the patterns, no W.
    """
    rng = np.random.default_rng(seed)
    form = weights_form(params, options)
    patterns = weights["patterns"]
    with_energy = False
    k = None
    if form == "factored":
        src = FactoredFields(patterns)
    elif form == "dense-counts" and counts_exact(k := hebbian_counts(patterns), len(patterns)):
        src = CountFields(k, len(patterns))
    else:
        form = "dense-float64"
        hebb = isinstance(weights, HebbianWeights)
        src = DenseFields(weights["W"], symmetric=hebb)
        with_energy = not hebb
    run = recall.asynchronous if params.update == "async" else recall.sync
    out = run(
        src, weights["U"], inputs["cues"], rng, params.temperature, params.max_sweeps,
        energy=with_energy,
    )  # fmt: skip
    del src, k
    observables = {
        "converged": bool((out.converged_at >= 0).all()),
        "sweeps_to_converge": out.converged_at,
        "limit_cycle": bool(out.two_cycle.any()),
        "two_cycle": out.two_cycle,
    }
    if out.energy is not None:
        observables["energy"] = out.energy
    if out.overlap_counts is not None:  # observe() takes them instead of recomputing
        observables["overlap"] = out.overlap_counts.astype(np.float64) / params.n_units
    return Result(
        model="hopfield",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=np.arange(len(out.states), dtype=float),
        t_unit="sweep",
        traces={"state": out.states},
        observables=observables,
        provenance={
            "update": params.update,
            "kernel": "numba" if params.update == "async" else "numpy-matmul",
            "weights_form": form,
        },
    )


SPEC = register_model(
    ModelSpec(
        name="hopfield",
        observable_units={
            "final_overlap": "1",
            "energy": "1",
            "converged": "1",
            "sweeps_to_converge": "1",
            "limit_cycle": "1",
            "two_cycle": "1",
            "converged_cues": "1",
        },
        params=HopfieldParams,
        weights=weights,
        make_inputs=make_inputs,
        validate=validate,
        observe=observe,
        key_observable="final_overlap",
        # rate vs spiking (tests/hopfield/test_hopfield_brian2.py): median final overlap
        # within 0.05 at T = 0.5 (the test compares medians over the cues, compare the
        # mean); recall fraction within 0.15 near capacity (P = 20, cue noise 0.3, 20 cues;
        # the test bounds it one way). Default compare: P = 10, T = 0, 10 cues.
        agreement=[
            {"observable": "final_overlap", "atol": 0.05, "rtol": 0.0},
            {"observable": "recall_fraction", "atol": 0.15, "rtol": 0.0},
        ],
        compare_runs=[
            ("reference-async", "reference", {"update": "async"}),
            ("reference-sync", "reference", {"update": "sync"}),
            ("brian2", "brian2", {}),
            ("nengo", "nengo", {}),
            ("loihi-emulator", "loihi-emulator", {}),
        ],
        adopt=adopt,
        complete_weights=complete_weights,
        estimate=estimate,
        input_params=INPUT_PARAMS,
        quick_params={"n_units": 40, "n_patterns": 3, "n_cues": 2, "max_sweeps": 20},
        doc="Hopfield (1982) associative memory: ±1 units, Hebbian/pseudo-inverse/Storkey storage.",
    )
)
