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
"""

from __future__ import annotations

from typing import Literal

import numba
import numpy as np
from pydantic import Field

from neurotwin.errors import InputError, ParamError
from neurotwin.params import Params
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result

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


# -- patterns and weights ----------------------------------------------------


def random_patterns(n_patterns: int, n_units: int, rng: np.random.Generator) -> np.ndarray:
    """Unbiased random ±1 patterns, shape (P, N), int8."""
    return np.where(rng.random((n_patterns, n_units)) < 0.5, -1, 1).astype(np.int8)


def hebbian(patterns: np.ndarray) -> np.ndarray:
    x = patterns.astype(np.float64)
    w = x.T @ x / x.shape[1]
    np.fill_diagonal(w, 0.0)
    return w


def pseudoinverse(patterns: np.ndarray) -> np.ndarray:
    x = patterns.astype(np.float64)
    w = x.T @ np.linalg.pinv(x @ x.T) @ x
    np.fill_diagonal(w, 0.0)
    return w


def storkey(patterns: np.ndarray) -> np.ndarray:
    n = patterns.shape[1]
    w = np.zeros((n, n))
    for xi in patterns.astype(np.float64):
        # h_ij = sum_{k != i, j} w_ik xi_k  =  h_i - w_ii xi_i - w_ij xi_j  (w_ii = 0)
        h = w @ xi
        hij = h[:, None] - w * xi[None, :]
        w += (np.outer(xi, xi) - xi[:, None] * hij.T - hij * xi[None, :]) / n
    np.fill_diagonal(w, 0.0)
    return w


STORAGE = {"hebbian": hebbian, "pseudoinverse": pseudoinverse, "storkey": storkey}


def mix_asymmetry(w: np.ndarray, asymmetry: float, rng: np.random.Generator) -> np.ndarray:
    """``(1 - a) W + a A`` with ``A`` random antisymmetric, ``||A||_F = ||W||_F``."""
    if asymmetry == 0:
        return w
    r = rng.standard_normal(w.shape)
    a = r - r.T
    a *= np.linalg.norm(w) / max(np.linalg.norm(a), 1e-300)
    return (1 - asymmetry) * w + asymmetry * a


def weights(params: HopfieldParams, rng: np.random.Generator) -> dict:
    """Draw the patterns and store them: ``{"W", "patterns", "U"}``."""
    _check_storage_rule(params)
    patterns = random_patterns(params.n_patterns, params.n_units, rng)
    w = mix_asymmetry(STORAGE[params.storage](patterns), params.asymmetry, rng)
    u = np.full(params.n_units, params.threshold)
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


# -- dynamics ------------------------------------------------------------------


@numba.njit(cache=True)
def _async_sweep(wt, u, s, h, order, rand, temperature, active, tie):  # pragma: no cover - jit
    """One asynchronous sweep of every active probe; updates ``s`` and fields ``h`` in place.

    ``h`` is kept incrementally: a flip of unit i changes every h_j by 2 s_i W_ji
    (row i of ``wt = W.T``), so a sweep costs O(N) per visit plus O(N) per flip.
    """
    n_probes, n = s.shape
    flips = np.zeros(n_probes, np.int64)
    for c in range(n_probes):
        if not active[c]:
            continue
        sc, hc, oc, rc = s[c], h[c], order[c], rand[c]
        for k in range(n):
            i = oc[k]
            field = hc[i] - u[i]
            if temperature == 0.0:
                if field > tie:
                    new = 1
                elif field < -tie:
                    new = -1
                else:
                    new = sc[i]
            else:
                p = 1.0 / (1.0 + np.exp(-2.0 * field / temperature))
                new = 1 if rc[k] < p else -1
            if new != sc[i]:
                sc[i] = new
                d = 2.0 * new
                row = wt[i]
                for j in range(n):
                    hc[j] += d * row[j]
                flips[c] += 1
    return flips


def _tie(w: np.ndarray) -> float:
    # fields within this of the threshold count as ties (keep state); far below any
    # real field difference (>= 1/N for Hebbian), far above incremental round-off
    return 1e-9 * max(float(np.abs(w).max()), 1e-300)


def async_recall(
    w: np.ndarray,
    u: np.ndarray,
    s0: np.ndarray,
    rng: np.random.Generator,
    temperature: float = 0.0,
    max_sweeps: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Asynchronous recall of many probes at once.

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
    s = np.array(s0, dtype=np.int8, copy=True)
    wt = np.ascontiguousarray(w.T, dtype=np.float64)
    u = np.asarray(u, dtype=np.float64)
    h = s.astype(np.float64) @ w.T
    n_probes, n = s.shape
    active = np.ones(n_probes, dtype=np.bool_)
    converged_at = np.full(n_probes, -1)
    states = [s.copy()]
    rand = np.empty((n_probes, n))
    tie = _tie(w)
    base = np.broadcast_to(np.arange(n), (n_probes, n))
    for sweep in range(max_sweeps):
        order = rng.permuted(base, axis=1)
        if temperature > 0:
            rand = rng.random((n_probes, n))
        flips = _async_sweep(wt, u, s, h, order, rand, float(temperature), active, tie)
        states.append(s.copy())
        if temperature == 0:
            done = active & (flips == 0)
            converged_at[done] = sweep
            active &= ~done
            if not active.any():
                break
    return np.stack(states), converged_at


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
    s = np.asarray(s0, dtype=dtype)
    wt = np.ascontiguousarray(w.T, dtype=dtype)
    u = np.asarray(u, dtype=dtype)
    tie = _tie(w) if dtype == np.float64 else 1e-5 * float(np.abs(w).max())
    n_probes = s.shape[0]
    active = np.ones(n_probes, dtype=bool)
    converged_at = np.full(n_probes, -1)
    two_cycle = np.zeros(n_probes, dtype=bool)
    states = [s.astype(np.int8)]
    field = np.empty_like(s)
    for step in range(max_sweeps):
        np.matmul(s, wt, out=field)
        field -= u
        if temperature == 0:
            # sign of the field; a tie (|field| <= tie) keeps the current state
            new = np.where(np.abs(field) > tie, np.sign(field), s)
        else:
            p = 1.0 / (1.0 + np.exp(-2.0 * field / temperature))
            new = np.where(rng.random(s.shape) < p, 1, -1).astype(dtype)
        if not active.all():
            new[~active] = s[~active]
        if temperature == 0:
            fixed = active & (new == s).all(axis=1)
            if len(states) >= 2:
                prev = states[-2]
                cycle = active & ~fixed & (new == prev).all(axis=1)
            else:
                cycle = np.zeros(n_probes, dtype=bool)
            converged_at[fixed] = step
            two_cycle |= cycle
            active &= ~(fixed | cycle)
        s = new
        states.append(s.astype(np.int8))
        if not active.any():
            break
    return np.stack(states), converged_at, two_cycle


# -- observables -----------------------------------------------------------------


def energy(states: np.ndarray, w: np.ndarray, u: np.ndarray) -> np.ndarray:
    """E = -1/2 s^T W s + U.s for every state along the last axis."""
    s = states.reshape(-1, states.shape[-1]).astype(np.float64)
    e = -0.5 * np.sum((s @ w.T) * s, axis=1) + s @ u
    return e.reshape(states.shape[:-1])


def overlaps(states: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    """m_mu = (1/N) xi^mu . s, for every pattern mu (new last axis)."""
    s = states.reshape(-1, states.shape[-1]).astype(np.float64)
    m = s @ patterns.T.astype(np.float64) / patterns.shape[1]
    return m.reshape(states.shape[:-1] + (patterns.shape[0],))


def observe(result: Result, params: HopfieldParams, weights: dict, inputs: dict) -> dict:
    """Observables shared by every realization, computed from the ±1 ``state`` trace."""
    states = result.traces["state"]
    m = overlaps(states, weights["patterns"])
    targets = inputs["targets"]
    final = m[-1, np.arange(len(targets)), targets]
    return {
        "overlap": m,
        "energy": energy(states, weights["W"], weights["U"]),
        "final_overlaps": final,
        "final_overlap": float(final.mean()),
        "recall_fraction": float((final >= RECALL_THRESHOLD).mean()),
    }


def validate(params: HopfieldParams, weights: dict, inputs: dict) -> None:
    """Check user-supplied arrays against the parameters; raise InputError naming the array."""
    n, p, c = params.n_units, params.n_patterns, params.n_cues
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
    bad = ~np.isfinite(arr.astype(np.float64))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"{where}: must be finite (got {arr[idx]} at index {idx})")
    if pm1 and not np.isin(arr, (-1, 1)).all():
        idx = tuple(int(i) for i in np.argwhere(~np.isin(arr, (-1, 1)))[0])
        raise InputError(f"{where}: must contain only -1 and +1 (got {arr[idx]} at index {idx})")


@realization("hopfield", "reference")
def run_reference(params: HopfieldParams, weights: dict, inputs: dict, seed: int, options=None):
    """Binary units, asynchronous (numba kernel) or synchronous (batched matmul) updates."""
    rng = np.random.default_rng(seed)
    args = (weights["W"], weights["U"], inputs["cues"], rng, params.temperature, params.max_sweeps)
    if params.update == "async":
        states, conv_at = async_recall(*args)
        two_cycle = np.zeros(len(conv_at), dtype=bool)
    else:
        states, conv_at, two_cycle = sync_recall(*args)
    return Result(
        model="hopfield",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=np.arange(len(states), dtype=float),
        t_unit="sweep",
        traces={"state": states},
        observables={
            "converged": bool((conv_at >= 0).all()),
            "sweeps_to_converge": conv_at,
            "limit_cycle": bool(two_cycle.any()),
            "two_cycle": two_cycle,
        },
        provenance={
            "update": params.update,
            "kernel": "numba" if params.update == "async" else "numpy-matmul",
        },
    )


SPEC = register_model(
    ModelSpec(
        name="hopfield",
        params=HopfieldParams,
        weights=weights,
        make_inputs=make_inputs,
        validate=validate,
        observe=observe,
        key_observable="final_overlap",
        compare_runs=[
            ("reference-async", "reference", {"update": "async"}),
            ("reference-sync", "reference", {"update": "sync"}),
            ("brian2", "brian2", {}),
            ("nengo", "nengo", {}),
            ("loihi-emulator", "loihi-emulator", {}),
        ],
        adopt=adopt,
        complete_weights=complete_weights,
        quick_params={"n_units": 40, "n_patterns": 3, "n_cues": 2, "max_sweeps": 20},
        doc="Hopfield (1982) associative memory: ±1 units, Hebbian/pseudo-inverse/Storkey storage.",
    )
)
