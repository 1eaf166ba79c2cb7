r"""Dense associative memory and the modern (continuous) Hopfield network: the reference.

Patterns :math:`\xi^\mu \in \{-1, +1\}^N`, :math:`\mu = 1 \dots P`, are the rows of
``patterns`` (:math:`P \times N`, the classical model's convention); :math:`X` is the
:math:`N \times P` matrix with the patterns as columns. Three interactions
(``interaction``):

``polynomial`` (Krotov & Hopfield 2016) and ``exponential`` (Demircigil et al. 2017)
    Binary states :math:`s \in \{-1, +1\}^N` and the energy

    .. math:: E(s) = -\sum_\mu F(\xi^\mu \cdot s), \qquad
              F(x) = x^n \ (\text{polynomial, degree } n), \quad
              F(x) = e^{\beta x} \ (\text{exponential}).

    Asynchronous updates: unit :math:`i` takes the sign that gives the lower
    energy with every other unit fixed,

    .. math:: s_i \leftarrow \operatorname{sgn} \sum_\mu \big[F(r^\mu_i + \xi^\mu_i)
              - F(r^\mu_i - \xi^\mu_i)\big], \qquad r^\mu_i = \sum_{j \ne i} \xi^\mu_j s_j,

    a tie keeping the current state, so :math:`E` never increases. For
    :math:`n = 2` the bracket is :math:`4 \xi^\mu_i r^\mu_i` and the rule is the
    classical Hebbian network's :math:`s_i \leftarrow \operatorname{sgn} \sum_{j\ne i}
    W_{ij} s_j`, :math:`W = \frac1N \sum_\mu \xi^\mu \xi^{\mu\top}` (Hopfield 1982;
    see :mod:`neurotwin.rate_models.hopfield.hopfield`). The capacity grows like
    :math:`N^{n-1}` (Krotov & Hopfield 2016) and exponentially in :math:`N` for the
    exponential (Demircigil et al. 2017). The exponential compares log-sum-exps,
    :math:`\operatorname{lse}(\beta(r + \xi_i)) \gtrless \operatorname{lse}(\beta(r -
    \xi_i))`, so it never overflows; its energy trace is the monotone transform
    :math:`-\beta^{-1} \log(-E) = -\beta^{-1} \operatorname{lse}(\beta X^\top s)`,
    which decreases exactly when :math:`E` does.

``softmax`` (Ramsauer et al. 2020)
    A continuous state :math:`\xi \in \mathbb{R}^N`, started from the ±1 cue, and the update

    .. math:: \xi^{\mathrm{new}} = X \operatorname{softmax}(\beta X^\top \xi),

    which minimises the energy :math:`E(\xi) = -\beta^{-1}\operatorname{lse}(\beta
    X^\top \xi) + \tfrac12 \xi^\top\xi + \beta^{-1}\log P + \tfrac12 M^2`,
    :math:`M = \max_\mu \lVert \xi^\mu \rVert`. With well separated patterns and a
    large :math:`\beta` one update retrieves a pattern (exponentially small error);
    at a low :math:`\beta` the fixed points are *metastable states*, averages of
    many (similar) patterns, the global average for :math:`\beta \to 0`. The
    update is one attention head (Ramsauer et al. 2020, Vaswani et al. 2017); see
    :func:`attention` and :func:`as_attention`.

Time is counted in sweeps (binary: :math:`N` asynchronous unit updates in a fresh
random order, as in the classical model) or updates (softmax: all units at once).

Observables (computed from the ``state`` trace by :func:`observe`, so the same
for every realization): ``final_overlap`` (mean over cues of
:math:`m = \frac1N \xi^{\mathrm{target}} \cdot s_{\mathrm{final}}`; continuous for
the softmax state), ``retrieval_error`` (mean fraction of units whose sign differs
from the target; a 0 counts as wrong), ``recall_fraction`` (cues with
:math:`m \ge 0.95`), ``energy`` (trace, per cue) and ``mixture_size`` (mean over
cues of the participation ratio :math:`1 / \sum_\mu p_\mu^2` of
:math:`p = \operatorname{softmax}(\beta X^\top s_{\mathrm{final}})`: 1 at a
pattern, about :math:`P` at the global average). The realization reports
``steps`` (per cue: sweeps or updates until one that changes nothing, not
counted; -1 if it never came).

References
----------
Hopfield, J. J. (1982). PNAS 79, 2554-2558.
Krotov, D. & Hopfield, J. J. (2016). Dense associative memory for pattern
recognition. NeurIPS 29, 1172-1180.
Demircigil, M., Heusel, J., Löwe, M., Upgang, S. & Vermet, F. (2017). On a model
of associative memory with huge storage capacity. J. Stat. Phys. 168, 288-299.
Ramsauer, H. et al. (2020). Hopfield networks is all you need. arXiv:2008.02217
(ICLR 2021).
Vaswani, A. et al. (2017). Attention is all you need. NeurIPS 30.
"""

from __future__ import annotations

from typing import Literal

import numba
import numpy as np
from pydantic import Field

from neurotwin.errors import InputError, ParamError
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, SPIKE_BYTES, SYNAPSE_BYTES, Terms, cost, driver
from neurotwin.rate_models.hopfield import hopfield as hf
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result

MODEL = "modern-hopfield"
#: a cue counts as recalled when its final overlap reaches this (as for the classical model)
RECALL_THRESHOLD = hf.RECALL_THRESHOLD
#: the softmax iteration has converged when no unit moves by more than this
SOFTMAX_TOL = 1e-10
INTERACTIONS = ("polynomial", "exponential", "softmax")


class ModernHopfieldParams(Params):
    """Parameters of the dense / modern Hopfield network and of one recall experiment."""

    n_units: int = Field(100, ge=2, description="number of units N (pattern length)")
    n_patterns: int = Field(10, ge=1, description="number of stored patterns P")
    cue_noise: float = Field(0.1, ge=0, le=1, description="fraction of flipped bits in each cue")
    n_cues: int = Field(10, ge=1, description="cues per run; cue k starts from pattern k mod P")
    interaction: Literal["polynomial", "exponential", "softmax"] = Field(
        "polynomial", description="F(x) = x^n, F(x) = exp(beta x), or the continuous update"
    )
    degree: int = Field(3, ge=2, le=12, description="n of the polynomial interaction x^n")
    beta: float = Field(
        1.0, gt=0, description="inverse temperature of the exponential and softmax interactions"
    )
    pattern_correlation: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="c: each bit equals a shared prototype's with probability (1 + c)/2",
    )
    max_steps: int = Field(50, ge=1, description="upper bound on sweeps (binary) or updates")


# -- patterns ---------------------------------------------------------------------------


def correlated_patterns(
    n_patterns: int, n_units: int, correlation: float, rng: np.random.Generator
) -> np.ndarray:
    """±1 patterns, shape (P, N), int8, scattered around one random prototype.

    Each bit equals the prototype's with probability :math:`(1 + c)/2`, so a
    pattern's overlap with the prototype is :math:`c` and two patterns overlap by
    :math:`c^2` on average; :math:`c = 0` is :func:`hopfield.random_patterns`.
    """
    if correlation == 0:
        return hf.random_patterns(n_patterns, n_units, rng)
    proto = hf.random_patterns(1, n_units, rng)[0]
    keep = rng.random((n_patterns, n_units)) < (1 + correlation) / 2
    return np.where(keep, proto, -proto).astype(np.int8)


def weights(params: ModernHopfieldParams, rng: np.random.Generator) -> dict:
    """The stored patterns: ``{"patterns": (P, N) int8}`` (no weight matrix: the
    patterns are the weights of the two-layer form, see ``spiking/modern_hopfield/wta.py``)."""
    return {
        "patterns": correlated_patterns(
            params.n_patterns, params.n_units, params.pattern_correlation, rng
        )
    }


def make_inputs(params: ModernHopfieldParams, weights: dict, rng: np.random.Generator) -> dict:
    """Cues as in the classical model: pattern ``k mod P`` with ``round(noise N)`` bits flipped."""
    targets = np.arange(params.n_cues) % params.n_patterns
    return {
        "cues": hf.make_cues(weights["patterns"], targets, params.cue_noise, rng),
        "targets": targets,
    }


def _shape(array) -> tuple[int, ...] | None:
    """The shape of a user's array, None for a ragged one (``validate`` names it)."""
    try:
        return np.shape(array)
    except ValueError:
        return None


def adopt(weights: dict | None, inputs: dict | None) -> dict:
    """The parameter values the user's arrays imply.

    ``patterns`` (P, N) -> ``n_units`` N and ``n_patterns`` P; ``cues`` (C, N) ->
    ``n_cues`` C. Arrays of another dimension, or ragged ones, imply nothing here
    (:func:`validate` names what is wrong with them).
    """
    implied: dict = {}
    weights, inputs = weights or {}, inputs or {}
    if isinstance(weights, dict) and "patterns" in weights:
        shape = _shape(weights["patterns"])
        if shape is not None and len(shape) == 2:
            implied.update(n_units=int(shape[1]), n_patterns=int(shape[0]))
    if isinstance(inputs, dict) and "cues" in inputs:
        shape = _shape(inputs["cues"])
        if shape is not None and len(shape) == 2:
            implied["n_cues"] = int(shape[0])
    return implied


def complete_weights(params: ModernHopfieldParams, given: dict) -> dict:
    """The user's patterns as the weights (the patterns are all the model stores).

    ``pattern_correlation`` only shapes drawn patterns: a value other than 0 with given
    patterns would be ignored, so it is refused.
    """
    if params.pattern_correlation != 0:
        raise ParamError(
            "ModernHopfieldParams.pattern_correlation: must be 0 with given patterns (it "
            f"shapes drawn patterns only) (got {params.pattern_correlation!r})"
        )
    return dict(given)


# -- input checks for the array functions ------------------------------------------------


def as_patterns(patterns) -> np.ndarray:
    """``patterns`` as a finite float (P, N) array; a ragged list raises :class:`InputError`."""
    if isinstance(patterns, (list, tuple)):
        lengths = [np.size(p) for p in patterns]
        if len(set(lengths)) > 1:
            k = next(i for i, n in enumerate(lengths) if n != lengths[0])
            raise InputError(
                f"patterns: must all have the same length (got {lengths[0]} for pattern 0 "
                f"and {lengths[k]} for pattern {k})"
            )
    x = np.asarray(patterns, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 1:
        raise InputError(f"patterns: must be a 2-D array (P, N) with P >= 1 (got shape {x.shape})")
    _finite("patterns", x)
    return x


def _as_states(state, n: int, name: str = "state") -> np.ndarray:
    s = np.asarray(state, dtype=np.float64)
    if s.ndim not in (1, 2) or s.shape[-1] != n:
        raise InputError(
            f"{name}: must have length N = {n} along its last axis, the patterns' length "
            f"(got shape {s.shape})"
        )
    _finite(name, s)
    return s


def _finite(name: str, x: np.ndarray) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"{name}: must be finite (got {x[idx]} at index {idx})")


def _check_beta(beta: float) -> float:
    if not (isinstance(beta, (int, float, np.floating)) and np.isfinite(beta) and beta > 0):
        raise InputError(f"beta: must be a finite number > 0 (got {beta!r})")
    return float(beta)


# -- the continuous modern Hopfield network ---------------------------------------------


def softmax(z: np.ndarray) -> np.ndarray:
    """softmax along the last axis, shifted by the maximum (no overflow)."""
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def logsumexp(z: np.ndarray) -> np.ndarray:
    """log sum exp along the last axis, computed stably."""
    zmax = z.max(axis=-1, keepdims=True)
    return (zmax + np.log(np.exp(z - zmax).sum(axis=-1, keepdims=True)))[..., 0]


def softmax_update(patterns, state, beta: float) -> np.ndarray:
    r"""One update :math:`\xi^{\mathrm{new}} = X \operatorname{softmax}(\beta X^\top \xi)`.

    Parameters
    ----------
    patterns : (P, N) array
        Stored patterns as rows (any real values).
    state : (N,) or (C, N) array
        One state or a batch of states.
    beta : float
        Inverse temperature, > 0.
    """
    x = as_patterns(patterns)
    s = _as_states(state, x.shape[1])
    beta = _check_beta(beta)
    return softmax(beta * (s @ x.T)) @ x


def softmax_retrieve(
    patterns, state, beta: float, max_steps: int = 50, tol: float = SOFTMAX_TOL
) -> tuple[np.ndarray, np.ndarray]:
    """Iterate :func:`softmax_update` from ``state`` (C, N).

    Returns ``states`` (steps + 1, C, N), row 0 the start (a converged state is
    kept in later rows), and ``steps`` (C,): updates until one that moves no unit
    by more than ``tol`` (not counted), -1 if it did not come within ``max_steps``.
    """
    x = as_patterns(patterns)
    s = np.atleast_2d(_as_states(state, x.shape[1]))
    beta = _check_beta(beta)
    active = np.ones(len(s), dtype=bool)
    steps = np.full(len(s), -1)
    states = [s.copy()]
    for k in range(max_steps):
        new = softmax(beta * (s @ x.T)) @ x
        done = active & (np.abs(new - s).max(axis=1) <= tol)
        steps[done] = k
        active &= ~done
        s = np.where(active[:, None], new, s)
        states.append(s.copy())
        if not active.any():
            break
    return np.stack(states), steps


def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    r"""One attention head, :math:`\operatorname{softmax}(Q K^\top / \sqrt{d_k})\, V`
    (Vaswani et al. 2017), written independently of :func:`softmax_update`.

    ``q`` (C, d_k), ``k`` (P, d_k), ``v`` (P, d_v); the softmax runs over the P keys.
    """
    logits = q @ k.T / np.sqrt(k.shape[1])
    logits -= logits.max(axis=1, keepdims=True)
    w = np.exp(logits)
    return (w / w.sum(axis=1, keepdims=True)) @ v


def as_attention(patterns, state, beta: float) -> dict:
    r"""The attention head equal to one modern Hopfield update (Ramsauer et al. 2020).

    Mapping: queries are the states, keys and values are the stored patterns, and
    :math:`1/\sqrt{d_k}` plays the role of :math:`\beta`. :func:`attention` divides
    by :math:`\sqrt{d_k}` with :math:`d_k = N`, the key width, so the query is the
    state rescaled, :math:`Q = \beta \sqrt{N}\, \xi`, and :math:`K = V = X^\top`:
    then :math:`Q K^\top / \sqrt{N} = \beta\, \xi^\top X` and
    ``attention(**as_attention(X, xi, beta))`` equals :func:`softmax_update`. At
    :math:`\beta = 1/\sqrt{N}` the rescaling is 1: the raw state is the query,
    exactly a transformer head with :math:`d_k = N`.

    Returns ``{"q": (C, N), "k": (P, N), "v": (P, N)}``.
    """
    x = as_patterns(patterns)
    s = np.atleast_2d(_as_states(state, x.shape[1]))
    beta = _check_beta(beta)
    return {"q": beta * np.sqrt(x.shape[1]) * s, "k": x, "v": x}


def softmax_energy(states: np.ndarray, patterns: np.ndarray, beta: float) -> np.ndarray:
    """Ramsauer et al. (2020) energy of every state along the last axis (>= 0)."""
    x = np.asarray(patterns, dtype=np.float64)
    s = np.asarray(states, dtype=np.float64)
    m_max = float(np.sqrt((x**2).sum(axis=1)).max())
    lse = logsumexp(beta * (s @ x.T))
    return -lse / beta + 0.5 * (s**2).sum(axis=-1) + np.log(len(x)) / beta + 0.5 * m_max**2


# -- dense associative memory on ±1 states ----------------------------------------------


@numba.njit(cache=True)
def _dam_sweep(x, s, m, order, kind, degree, beta, active):  # pragma: no cover - jit
    """One asynchronous sweep of every active probe; ``s`` (C, N) and overlaps
    ``m = s X`` (C, P) are updated in place. ``kind`` 0: x^degree, 1: exp(beta x)."""
    n_probes, n = s.shape
    p = x.shape[0]
    flips = np.zeros(n_probes, np.int64)
    a = np.empty(p)
    b = np.empty(p)
    for c in range(n_probes):
        if not active[c]:
            continue
        for k in range(n):
            i = order[c, k]
            si = s[c, i]
            if kind == 0:
                delta = 0.0
                for mu in range(p):
                    r = m[c, mu] - x[mu, i] * si
                    delta += (r + x[mu, i]) ** degree - (r - x[mu, i]) ** degree
                tie = 0.0
            else:
                amax = -np.inf
                bmax = -np.inf
                for mu in range(p):
                    r = m[c, mu] - x[mu, i] * si
                    a[mu] = beta * (r + x[mu, i])
                    b[mu] = beta * (r - x[mu, i])
                    amax = max(amax, a[mu])
                    bmax = max(bmax, b[mu])
                sa = 0.0
                sb = 0.0
                for mu in range(p):
                    sa += np.exp(a[mu] - amax)
                    sb += np.exp(b[mu] - bmax)
                la = amax + np.log(sa)
                lb = bmax + np.log(sb)
                delta = la - lb
                # different summation orders of equal sums differ by round-off only
                tie = 1e-12 * max(abs(la), abs(lb), 1.0)
            if delta > tie:
                new = 1
            elif delta < -tie:
                new = -1
            else:
                new = si
            if new != si:
                s[c, i] = new
                for mu in range(p):
                    m[c, mu] += 2.0 * new * x[mu, i]
                flips[c] += 1
    return flips


def dam_recall(
    patterns,
    s0,
    rng: np.random.Generator,
    interaction: str = "polynomial",
    degree: int = 3,
    beta: float = 1.0,
    max_sweeps: int = 50,
) -> tuple[np.ndarray, np.ndarray]:
    """Asynchronous recall of a batch of ±1 probes in the dense associative memory.

    The sweep order is drawn exactly as :func:`hopfield.async_recall` draws it
    (one ``rng.permuted`` per sweep), so with ``degree = 2`` and the same
    generator state both give the same trajectory.

    Returns ``states`` (sweeps + 1, C, N) int8 and ``steps`` (C,): sweeps until a
    sweep without a flip (not counted), -1 if it never came.
    """
    if interaction not in ("polynomial", "exponential"):
        raise InputError(
            f"interaction: must be one of 'polynomial', 'exponential' (got {interaction!r})"
        )
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 2:
        raise InputError(f"degree: must be an integer >= 2 (got {degree!r})")
    x = as_patterns(patterns)
    s = np.atleast_2d(_as_states(s0, x.shape[1], "s0"))
    if not np.isin(s, (-1, 1)).all():
        raise InputError("s0: must contain only -1 and +1")
    beta = _check_beta(beta)
    s = s.astype(np.int8)
    m = s.astype(np.float64) @ x.T
    n_probes, n = s.shape
    active = np.ones(n_probes, dtype=np.bool_)
    steps = np.full(n_probes, -1)
    states = [s.copy()]
    base = np.broadcast_to(np.arange(n), (n_probes, n))
    kind = 0 if interaction == "polynomial" else 1
    for sweep in range(max_sweeps):
        order = rng.permuted(base, axis=1)
        flips = _dam_sweep(x, s, m, order, kind, int(degree), beta, active)
        states.append(s.copy())
        done = active & (flips == 0)
        steps[done] = sweep
        active &= ~done
        if not active.any():
            break
    return np.stack(states), steps


def dam_energy(
    states: np.ndarray, patterns: np.ndarray, interaction: str, degree: int, beta: float
) -> np.ndarray:
    """E = -sum_mu F(xi_mu . s) (polynomial) or -lse(beta X^T s)/beta (exponential, the
    monotone transform of E), for every state along the last axis."""
    m = np.asarray(states, dtype=np.float64) @ np.asarray(patterns, dtype=np.float64).T
    if interaction == "polynomial":
        return -(m**degree).sum(axis=-1)
    return -logsumexp(beta * m) / beta


# -- observables -----------------------------------------------------------------------


def energy(states: np.ndarray, patterns: np.ndarray, params: ModernHopfieldParams) -> np.ndarray:
    """The energy of ``params.interaction`` for every state along the last axis."""
    if params.interaction == "softmax":
        return softmax_energy(states, patterns, params.beta)
    return dam_energy(states, patterns, params.interaction, params.degree, params.beta)


def mixture_size(states: np.ndarray, patterns: np.ndarray, beta: float) -> np.ndarray:
    """Participation ratio 1 / sum_mu p_mu^2 of p = softmax(beta X^T s), per state."""
    p = softmax(beta * (np.asarray(states, float) @ np.asarray(patterns, float).T))
    return 1.0 / (p**2).sum(axis=-1)


def observe(result: Result, params: ModernHopfieldParams, weights: dict, inputs: dict) -> dict:
    """Observables shared by every realization, from the ``state`` trace (T, C, N)."""
    states = result.traces["state"]
    patterns = weights["patterns"]
    targets = np.asarray(inputs["targets"])
    m = hf.overlaps(states, patterns)
    cues = np.arange(len(targets))
    final = m[-1, cues, targets]
    wrong = np.sign(states[-1].astype(np.float64)) != patterns[targets]
    return {
        "overlap": m,
        "energy": energy(states, patterns, params),
        "final_overlaps": final,
        "final_overlap": float(final.mean()),
        "retrieval_error": float(wrong.mean()),
        "recall_fraction": float((final >= RECALL_THRESHOLD).mean()),
        "mixture_size": float(mixture_size(states[-1], patterns, params.beta).mean()),
    }


def validate(params: ModernHopfieldParams, weights: dict, inputs: dict) -> None:
    """Check user-supplied arrays against the parameters; raise InputError naming the array."""
    n, p, c = params.n_units, params.n_patterns, params.n_cues
    _check_array("weights", weights, "patterns", (p, n), "(n_patterns, n_units)")
    _check_array("inputs", inputs, "cues", (c, n), "(n_cues, n_units)")
    _check_array("inputs", inputs, "targets", (c,), "(n_cues,)", pm1=False)
    t = np.asarray(inputs["targets"])
    if not np.issubdtype(t.dtype, np.integer) or t.min() < 0 or t.max() >= p:
        raise InputError(
            f"{MODEL} inputs['targets']: must be integers in [0, n_patterns) = [0, {p}) "
            f"(got {t.tolist()[:10]})"
        )


def _check_array(kind, mapping, key, shape, shape_name, pm1=True) -> None:
    where = f"{MODEL} {kind}[{key!r}]"
    if not isinstance(mapping, dict) or key not in mapping:
        got = sorted(mapping) if isinstance(mapping, dict) else type(mapping).__name__
        raise InputError(f"{where}: is missing (got {got})")
    try:
        arr = np.asarray(mapping[key])
    except ValueError:  # a ragged list of patterns
        lengths = [np.size(row) for row in mapping[key]]
        raise InputError(
            f"{where}: rows must all have length n_units = {shape[1]} (got lengths "
            f"{sorted(set(lengths))})"
        ) from None
    if arr.dtype == object:
        lengths = [np.size(row) for row in arr]
        raise InputError(
            f"{where}: rows must all have length n_units = {shape[1]} (got lengths "
            f"{sorted(set(lengths))})"
        )
    if arr.shape != shape:
        raise InputError(f"{where}: must have shape {shape_name} = {shape} (got {arr.shape})")
    if not np.issubdtype(arr.dtype, np.number):
        raise InputError(f"{where}: must be numeric (got dtype {arr.dtype})")
    bad = ~np.isfinite(arr.astype(np.float64))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"{where}: must be finite (got {arr[idx]} at index {idx})")
    if pm1 and not np.isin(arr, (-1, 1)).all():
        idx = tuple(int(i) for i in np.argwhere(~np.isin(arr, (-1, 1)))[0])
        raise InputError(f"{where}: must contain only -1 and +1 (got {arr[idx]} at index {idx})")


@realization(MODEL, "reference")
def run_reference(
    params: ModernHopfieldParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Asynchronous dense associative memory (numba kernel) or the iterated softmax update."""
    rng = np.random.default_rng(seed)
    patterns, cues = weights["patterns"], inputs["cues"]
    if params.interaction == "softmax":
        states, steps = softmax_retrieve(patterns, cues, params.beta, params.max_steps)
        unit = "update"
    else:
        states, steps = dam_recall(
            patterns,
            cues,
            rng,
            params.interaction,
            params.degree,
            params.beta,
            params.max_steps,
        )
        unit = "sweep"
    return Result(
        model=MODEL,
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=np.arange(len(states), dtype=float),
        t_unit="sweep",
        traces={"state": states},
        observables={"steps": steps, "converged": bool((steps >= 0).all())},
        provenance={
            "interaction": params.interaction,
            "time_unit": unit,
            "kernel": "numpy-softmax" if unit == "update" else "numba-async",
        },
    )


def estimate(params: ModernHopfieldParams, options, realization: str):
    """Memory: the patterns and cues, the state trace ((max_steps + 1) x cues x N; int8
    or float64, with the observables' float copies and the overlaps and energies per
    state); the spiking circuits add, per cue, N + P neurons: Brian2 its 2 N P + P^2
    synapses and the spikes (up to ``rate_ref_hz`` x 2 per neuron), Nengo and the Loihi
    emulator the dense (N + P)^2 weights and the spike counts of every time step.
    Steps: updates x cues x N (reference); spiking: time steps x neurons."""
    n, p, c, t = params.n_units, params.n_patterns, params.n_cues, params.max_steps + 1
    mem = Terms(
        ("n_patterns", 4 * F8 * p * n),
        ("n_cues", 3 * F8 * c * n),
        (driver(params, ("max_steps", "n_cues", "n_units")), 4 * F8 * t * c * n),
        (driver(params, ("max_steps", "n_cues", "n_patterns")), 4 * F8 * t * c * p),
    )
    if realization == "reference" or options is None:
        return cost(mem, Terms((driver(params, ("max_steps", "n_cues", "n_units")), t * c * n)))
    duration = options.cue_duration_s + options.recall_duration_s
    t_steps = duration / options.dt_s
    neurons = (n + p) * c
    mem.add(driver(params, ("n_cues", "n_units")), 3 * F8 * neurons * duration / options.window_s)
    if realization == "brian2":
        mem.add(
            driver(params, ("n_cues", "n_units", "n_patterns")),
            SYNAPSE_BYTES * (2 * n * p + p * p) * c,
        )
        mem.add(
            driver(params, ("n_cues", "n_units")),
            SPIKE_BYTES * 2 * options.rate_ref_hz * duration * neurons,
        )
    else:
        mem.add(driver(params, ("n_cues", "n_units", "n_patterns")), 3 * F8 * (n + p) ** 2 * c)
        mem.add(
            driver(params, ("n_cues", "n_units")), 5 * F8 * t_steps * neurons + 120 * t_steps * c
        )
    return cost(
        mem, Terms((driver(params, ("n_cues", "n_units", "n_patterns")), t_steps * neurons))
    )


SPEC = register_model(
    ModelSpec(
        name=MODEL,
        observable_units={
            "final_overlap": "1",
            "energy": "1",
            "mixture_size": "1",
            "steps": "1",
            "converged": "1",
            "effective_beta": "1",
            "effective_beta_is_lower_bound": "1",
            "softmax_fit_counts": "1",
            "memory_participation": "1",
            "softmax_at_effective_beta": "1",
        },
        params=ModernHopfieldParams,
        weights=weights,
        make_inputs=make_inputs,
        validate=validate,
        observe=observe,
        key_observable="final_overlap",
        # rate vs spiking (tests/modern_hopfield/test_modern_hopfield_spiking.py, which
        # reads this): mean final overlap within 0.05 at N = 64, P = 16, cue noise 0.1,
        # with the reference run at the circuit's measured effective beta; the default
        # compare runs the reference at its own beta and default sizes.
        agreement=[{"observable": "final_overlap", "atol": 0.05, "rtol": 0.0}],
        estimate=estimate,
        adopt=adopt,
        complete_weights=complete_weights,
        compare_runs=[
            ("reference-softmax", "reference", {"interaction": "softmax"}),
            ("brian2", "brian2", {"interaction": "softmax"}),
            ("nengo", "nengo", {"interaction": "softmax"}),
            ("loihi-emulator", "loihi-emulator", {"interaction": "softmax"}),
        ],
        quick_params={
            "n_units": 32,
            "n_patterns": 4,
            "n_cues": 2,
            "interaction": "softmax",
            "beta": 0.5,
            "max_steps": 10,
        },
        doc="Dense associative memory (x^n, exp) and the modern softmax Hopfield network "
        "(Krotov & Hopfield 2016; Demircigil et al. 2017; Ramsauer et al. 2020).",
    )
)
