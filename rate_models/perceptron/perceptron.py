r"""Threshold units that compute and learn: McCulloch-Pitts (1943) and Rosenblatt (1958).

Two models are registered here, each with its reference realization:

``mcculloch-pitts``
    A McCulloch-Pitts unit fires when its weighted input reaches its threshold,

    .. math:: y = H\Big(\sum_j w_j x_j - \theta\Big), \qquad x_j, y \in \{0, 1\},

    (:math:`H(0) = 1`). With integer weights and thresholds one unit computes
    AND (:math:`w = (1, 1), \theta = 2`), OR (:math:`\theta = 1`), NOT
    (:math:`w = -1, \theta = 0`) and NAND (:math:`w = (-1, -1), \theta = -1`); XOR
    needs two layers, :math:`\mathrm{XOR} = \mathrm{AND}(\mathrm{OR}, \mathrm{NAND})`.
    That no single unit computes XOR is proved by an LP infeasibility certificate
    (Farkas' lemma): see :func:`threshold_certificate`.

``perceptron``
    Rosenblatt's rule on labelled points :math:`(x_\mu, y_\mu)`, :math:`y_\mu = \pm 1`,
    homogeneous (a bias is a constant input): present the points in order, and on a
    mistake, :math:`y_\mu\, w \cdot x_\mu \le 0`,

    .. math:: w \leftarrow w + \eta\, y_\mu x_\mu .

    The update is local: presynaptic activity :math:`x_\mu` times a postsynaptic
    teaching signal :math:`y_\mu` gated by the unit's own error. Novikoff (1962): if a
    unit vector :math:`w^*` separates the data with margin
    :math:`\gamma = \min_\mu y_\mu w^* \cdot x_\mu > 0` and :math:`R = \max_\mu \|x_\mu\|`,
    the rule (from :math:`w = 0`, any :math:`\eta > 0`) makes at most
    :math:`(R/\gamma)^2` mistakes. On data that no hyperplane separates it never stops
    making mistakes; with rational inputs its weights then repeat (the cycling theorem,
    Block & Levin 1970), which :func:`train_perceptron` detects exactly.

    Cover (1965): of the :math:`2^P` dichotomies of :math:`P` points in general
    position in :math:`\mathbb{R}^N`, :math:`C(P, N) = 2 \sum_{k=0}^{N-1}
    \binom{P-1}{k}` are linearly separable (through the origin), so a random
    dichotomy is separable with probability :math:`C(P, N) / 2^P`, exactly 1/2 at
    :math:`P = 2N` (:func:`cover_probability`). Separability is decided exactly by
    linear programming (:func:`separable`), not by running the perceptron.

References
----------
McCulloch, W. S. & Pitts, W. (1943). Bull. Math. Biophys. 5, 115-133.
Rosenblatt, F. (1958). Psychol. Rev. 65, 386-408.
Novikoff, A. B. J. (1962). On convergence proofs for perceptrons. Symp. Math. Theory
of Automata 12, 615-622.
Block, H. D. & Levin, S. A. (1970). Proc. Am. Math. Soc. 26, 229-235.
Cover, T. M. (1965). IEEE Trans. Electron. Comput. EC-14, 326-334.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field
from scipy import optimize

from neurotwin.errors import InputError
from neurotwin.params import Params
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

# =====================================================================================
# shared value checks (also used by rate_models/learning.py and spiking/learning.py)
# =====================================================================================


def check_values(model: str, kind: str, key: str, arr: np.ndarray, allowed, rule: str) -> None:
    """:class:`InputError` at the first entry of ``arr`` not in ``allowed``."""
    bad = ~np.isin(arr, np.asarray(list(allowed), dtype=float))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        value = arr[idx].item()
        value = int(value) if float(value).is_integer() else value
        raise InputError(f"{model} {kind}[{key!r}]: {rule} (got {value} at index {idx})")


# =====================================================================================
# McCulloch-Pitts
# =====================================================================================

#: (weights, threshold) of the one-unit gates; XOR is built from OR, NAND and AND
GATE_UNITS = {
    "AND": ([1.0, 1.0], 2.0),
    "OR": ([1.0, 1.0], 1.0),
    "NOT": ([-1.0], 0.0),
    "NAND": ([-1.0, -1.0], -1.0),
}
BOOLEAN = {
    "AND": lambda a: a[:, 0] & a[:, 1],
    "OR": lambda a: a[:, 0] | a[:, 1],
    "NOT": lambda a: 1 - a[:, 0],
    "NAND": lambda a: 1 - (a[:, 0] & a[:, 1]),
    "XOR": lambda a: a[:, 0] ^ a[:, 1],
}


def mp_unit(x: np.ndarray, w: np.ndarray, theta: float) -> np.ndarray:
    """McCulloch-Pitts unit ``H(x @ w - theta)`` on rows of ``x`` (0/1 output)."""
    return (np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) >= theta).astype(np.int64)


def truth_table_inputs(n_inputs: int) -> np.ndarray:
    """All ``2**n_inputs`` binary input rows, in counting order."""
    return np.array(
        [[(k >> (n_inputs - 1 - j)) & 1 for j in range(n_inputs)] for k in range(2**n_inputs)]
    )


def threshold_certificate(x: np.ndarray, target: np.ndarray) -> dict:
    """Is ``target`` (0/1) computable by one threshold unit on the rows of ``x``?

    Feasibility LP: find :math:`(w, \\theta)` with :math:`s_\\mu (w \\cdot x_\\mu -
    \\theta) \\ge 1` (:math:`s_\\mu = 2 t_\\mu - 1`; margin 1 loses no generality on a
    finite set, by scaling). If it is infeasible, Farkas' lemma gives :math:`y \\ge 0`,
    :math:`\\sum y = 1`, with :math:`\\sum_\\mu y_\\mu s_\\mu (x_\\mu, -1) = 0`: adding the
    constraints with these weights gives :math:`0 \\ge 1`, a contradiction anyone can
    check. Returns ``{"representable", "weights", "threshold", "certificate"}``.
    """
    x = np.asarray(x, dtype=float)
    s = 2.0 * np.asarray(target, dtype=float) - 1.0
    a = s[:, None] * np.hstack([x, -np.ones((len(x), 1))])  # rows: s (x, -1)
    n = a.shape[1]
    primal = optimize.linprog(
        np.zeros(n), A_ub=-a, b_ub=-np.ones(len(a)), bounds=[(None, None)] * n, method="highs"
    )
    if primal.status == 0:
        return {
            "representable": True,
            "weights": primal.x[:-1],
            "threshold": float(primal.x[-1]),
            "certificate": None,
        }
    dual = optimize.linprog(
        np.zeros(len(a)),
        A_eq=np.vstack([a.T, np.ones((1, len(a)))]),
        b_eq=np.r_[np.zeros(n), 1.0],
        bounds=[(0, None)] * len(a),
        method="highs",
    )
    return {
        "representable": False,
        "weights": None,
        "threshold": None,
        "certificate": dual.x if dual.status == 0 else None,
    }


class McCullochPittsParams(Params):
    """Which gate to build (no learning: weights and thresholds are fixed integers)."""

    gate: Literal["AND", "OR", "NOT", "NAND", "XOR"] = Field("XOR", description="Boolean gate")


def mp_weights(params: McCullochPittsParams, rng: np.random.Generator) -> dict:
    """Layer weights and thresholds: one unit, or OR and NAND feeding AND for XOR."""
    if params.gate == "XOR":
        (w_or, t_or), (w_nand, t_nand) = GATE_UNITS["OR"], GATE_UNITS["NAND"]
        w_and, t_and = GATE_UNITS["AND"]
        return {
            "w_hidden": np.array([w_or, w_nand]),
            "theta_hidden": np.array([t_or, t_nand]),
            "w_out": np.array([w_and]),
            "theta_out": np.array([t_and]),
        }
    w, theta = GATE_UNITS[params.gate]
    return {"w_out": np.array([w]), "theta_out": np.array([theta])}


def _n_inputs(params: McCullochPittsParams) -> int:
    return 1 if params.gate == "NOT" else 2


def mp_inputs(params: McCullochPittsParams, weights: dict, rng: np.random.Generator) -> dict:
    """The whole truth table: ``{"x": (2**n, n)}`` binary rows."""
    return {"x": truth_table_inputs(_n_inputs(params)).astype(np.float64)}


def mp_validate(params: McCullochPittsParams, weights: dict, inputs: dict) -> None:
    n = _n_inputs(params)
    x = check_array("mcculloch-pitts", "inputs", inputs, "x", (None, n), f"(n_rows, {n})")
    check_values("mcculloch-pitts", "inputs", "x", x, (0, 1), "must contain only 0 and 1")
    hidden = 2 if params.gate == "XOR" else n
    check_array("mcculloch-pitts", "weights", weights, "w_out", (1, hidden), f"(1, {hidden})")
    check_array("mcculloch-pitts", "weights", weights, "theta_out", (1,), "(1,)")
    if params.gate == "XOR":
        check_array("mcculloch-pitts", "weights", weights, "w_hidden", (2, 2), "(2, 2)")
        check_array("mcculloch-pitts", "weights", weights, "theta_hidden", (2,), "(2,)")


def mp_observe(result: Result, params: McCullochPittsParams, weights: dict, inputs: dict) -> dict:
    """``truth_table_accuracy``: fraction of rows equal to the Boolean function;
    ``single_unit_representable``: whether one threshold unit can compute the gate (LP)."""
    x = np.asarray(inputs["x"]).astype(np.int64)
    target = BOOLEAN[params.gate](x)
    out = np.asarray(result.traces["output"])
    return {
        "truth_table_accuracy": float(np.mean(out == target)),
        "single_unit_representable": bool(threshold_certificate(x, target)["representable"]),
    }


@realization("mcculloch-pitts", "reference")
def run_mcculloch_pitts(
    params: McCullochPittsParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Evaluate the threshold network on every row of the truth table (t = row index)."""
    x = np.asarray(inputs["x"], dtype=float)
    layer = x
    traces = {}
    if "w_hidden" in weights:
        pairs = zip(weights["w_hidden"], weights["theta_hidden"], strict=True)
        layer = np.stack([mp_unit(x, w, th) for w, th in pairs], axis=1)
        traces["hidden"] = layer
    traces["output"] = mp_unit(layer, weights["w_out"][0], float(weights["theta_out"][0]))
    return Result(
        model="mcculloch-pitts",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=np.arange(len(x), dtype=float),
        t_unit="sweep",
        traces=traces,
    )


register_model(
    ModelSpec(
        name="mcculloch-pitts",
        params=McCullochPittsParams,
        weights=mp_weights,
        make_inputs=mp_inputs,
        validate=mp_validate,
        observe=mp_observe,
        key_observable="truth_table_accuracy",
        compare_runs=[("reference", "reference", {})],
        quick_params={"gate": "XOR"},
        doc="McCulloch-Pitts (1943) threshold units: AND, OR, NOT, NAND, and XOR in two "
        "layers; truth tables and an LP proof that one unit cannot compute XOR.",
    )
)


# =====================================================================================
# perceptron
# =====================================================================================


def cover_count(p: int, n: int) -> int:
    """Cover's (1965) number of linearly separable dichotomies of ``p`` points in
    general position in R^n (hyperplanes through the origin): 2 sum_{k<n} C(p-1, k)."""
    return 2 * sum(math.comb(p - 1, k) for k in range(n))


def cover_probability(p: int, n: int) -> float:
    """Probability that a random dichotomy of ``p`` points in R^n is separable."""
    return cover_count(p, n) / 2**p


def separable(x: np.ndarray, y: np.ndarray) -> bool:
    """Exactly (LP): is there ``w`` with ``y_mu w . x_mu >= 1`` for every row?"""
    a = np.asarray(y, dtype=float)[:, None] * np.asarray(x, dtype=float)
    res = optimize.linprog(
        np.zeros(a.shape[1]),
        A_ub=-a,
        b_ub=-np.ones(len(a)),
        bounds=[(None, None)] * a.shape[1],
        method="highs",
    )
    return res.status == 0


def perceptron_update(w: np.ndarray, x: np.ndarray, y: float, eta: float) -> np.ndarray:
    """Rosenblatt's rule: ``dw = eta * y * x`` when ``y w.x <= 0`` (pre ``x`` times the
    post teaching signal ``y``, gated by the unit's own mistake), else no change."""
    if y * (w @ x) <= 0:
        return w + eta * y * x
    return w


def train_perceptron(x: np.ndarray, y: np.ndarray, eta: float, max_epochs: int) -> dict:
    """Cyclic Rosenblatt training from ``w = 0``.

    Returns ``w``, ``mistakes_per_epoch``, ``converged`` (an epoch without mistakes)
    and ``cycle_detected``: the weights at the start of an epoch equal those at the
    start of an earlier one, after an epoch with mistakes, so the run repeats forever
    (exact for inputs whose sums are exact in floating point, e.g. small integers).
    """
    w = np.zeros(x.shape[1])
    seen = {w.tobytes()}
    per_epoch = []
    converged = cycle = False
    for _ in range(max_epochs):
        mistakes = 0
        for xm, ym in zip(x, y, strict=True):
            new = perceptron_update(w, xm, ym, eta)
            mistakes += new is not w
            w = new
        per_epoch.append(mistakes)
        if mistakes == 0:
            converged = True
            break
        key = w.tobytes()
        if key in seen:
            cycle = True
            break
        seen.add(key)
    return {
        "w": w,
        "mistakes_per_epoch": np.array(per_epoch, dtype=np.int64),
        "converged": converged,
        "cycle_detected": cycle,
    }


class PerceptronParams(Params):
    """Data set and training run of a Rosenblatt perceptron.

    ``task``: ``"margin"`` draws Gaussian points and keeps those at distance >= ``margin``
    from a random teacher hyperplane through the origin (labels from the teacher), so
    Novikoff's bound is known; ``"dichotomy"`` gives Gaussian points random labels (Cover
    1965); ``"xor"`` is the four XOR points with a constant bias input (n_features and
    n_samples are then ignored: 4 rows of 3 columns).
    """

    task: Literal["margin", "dichotomy", "xor"] = Field("margin", description="data set")
    n_features: int = Field(20, ge=1, description="input dimension N")
    n_samples: int = Field(200, ge=1, description="number of points P")
    margin: float = Field(0.3, gt=0, description="teacher margin gamma (task 'margin')")
    learning_rate: float = Field(1.0, gt=0, description="eta (mistakes do not depend on it)")
    max_epochs: int = Field(1000, ge=1, description="stop after this many passes")


def perceptron_weights(params: PerceptronParams, rng: np.random.Generator) -> dict:
    """The teacher: a unit vector ``{"teacher": (N,)}`` (unused by the other tasks)."""
    w = rng.standard_normal(params.n_features)
    return {"teacher": w / np.linalg.norm(w)}


def _n_cols(params: PerceptronParams) -> tuple[int, int]:
    return (4, 3) if params.task == "xor" else (params.n_samples, params.n_features)


def perceptron_inputs(params: PerceptronParams, weights: dict, rng: np.random.Generator) -> dict:
    """``{"x": (P, N), "y": (P,)}`` with labels -1/+1 (see :class:`PerceptronParams`)."""
    if params.task == "xor":
        x = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
        return {"x": x, "y": np.array([-1.0, 1.0, 1.0, -1.0])}
    p, n = params.n_samples, params.n_features
    if params.task == "dichotomy":
        return {"x": rng.standard_normal((p, n)), "y": rng.choice([-1.0, 1.0], p)}
    teacher = np.asarray(weights["teacher"], dtype=float)
    rows = []
    while sum(len(r) for r in rows) < p:
        cand = rng.standard_normal((2 * p, n))
        rows.append(cand[np.abs(cand @ teacher) >= params.margin])
    x = np.concatenate(rows)[:p]
    return {"x": x, "y": np.sign(x @ teacher)}


def perceptron_validate(params: PerceptronParams, weights: dict, inputs: dict) -> None:
    p, n = _n_cols(params)
    check_array("perceptron", "weights", weights, "teacher", (params.n_features,), "(n_features,)")
    shape_name = "(4, 3)" if params.task == "xor" else "(n_samples, n_features)"
    check_array("perceptron", "inputs", inputs, "x", (p, n), shape_name)
    y = check_array("perceptron", "inputs", inputs, "y", (p,), shape_name[:-4] + ")")
    check_values("perceptron", "inputs", "y", y, (-1, 1), "must contain only -1 and +1")


def perceptron_observe(
    result: Result, params: PerceptronParams, weights: dict, inputs: dict
) -> dict:
    """``mistakes`` (total updates), ``novikoff_bound`` ((R / gamma)^2 with the teacher's
    realised margin; NaN unless task 'margin'), ``separable`` (LP), ``cover_probability``
    (NaN for 'xor'), ``training_accuracy`` of the final weights."""
    x, y = np.asarray(inputs["x"], dtype=float), np.asarray(inputs["y"], dtype=float)
    w = np.asarray(result.observables["w"])
    bound = float("nan")
    if params.task == "margin":
        gamma = float(np.min(y * (x @ np.asarray(weights["teacher"], dtype=float))))
        radius = float(np.max(np.linalg.norm(x, axis=1)))
        bound = (radius / gamma) ** 2 if gamma > 0 else float("inf")
    p, n = x.shape
    return {
        "mistakes": int(np.asarray(result.traces["mistakes"]).sum()),
        "novikoff_bound": bound,
        "separable": separable(x, y),
        "cover_probability": float("nan") if params.task == "xor" else cover_probability(p, n),
        "training_accuracy": float(np.mean(np.sign(x @ w) == y)),
    }


@realization("perceptron", "reference")
def run_perceptron(
    params: PerceptronParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Cyclic Rosenblatt training; trace ``mistakes`` per epoch (t = epoch, from 1)."""
    out = train_perceptron(
        np.asarray(inputs["x"], dtype=float),
        np.asarray(inputs["y"], dtype=float),
        params.learning_rate,
        params.max_epochs,
    )
    per_epoch = out["mistakes_per_epoch"]
    return Result(
        model="perceptron",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=np.arange(1, len(per_epoch) + 1, dtype=float),
        t_unit="sweep",
        traces={"mistakes": per_epoch},
        observables={
            "w": out["w"],
            "converged": out["converged"],
            "cycle_detected": out["cycle_detected"],
            "epochs": len(per_epoch),
        },
    )


register_model(
    ModelSpec(
        name="perceptron",
        params=PerceptronParams,
        weights=perceptron_weights,
        make_inputs=perceptron_inputs,
        validate=perceptron_validate,
        observe=perceptron_observe,
        key_observable="mistakes",
        compare_runs=[("reference", "reference", {}), ("brian2", "brian2", {})],
        quick_params={"n_features": 10, "n_samples": 50, "max_epochs": 200},
        doc="Rosenblatt's perceptron: mistakes vs Novikoff's bound, non-convergence "
        "(cycling) on XOR, Cover's (1965) capacity of random dichotomies.",
    )
)
