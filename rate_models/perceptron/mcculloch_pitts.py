r"""McCulloch-Pitts (1943) threshold units: the ``mcculloch-pitts`` model.

A McCulloch-Pitts unit fires when its weighted input reaches its threshold,

.. math:: y = H\Big(\sum_j w_j x_j - \theta\Big), \qquad x_j, y \in \{0, 1\},

(:math:`H(0) = 1`). With integer weights and thresholds one unit computes
AND (:math:`w = (1, 1), \theta = 2`), OR (:math:`\theta = 1`), NOT
(:math:`w = -1, \theta = 0`) and NAND (:math:`w = (-1, -1), \theta = -1`); XOR
needs two layers, :math:`\mathrm{XOR} = \mathrm{AND}(\mathrm{OR}, \mathrm{NAND})`.
That no single unit computes XOR is proved by an LP infeasibility certificate
(Farkas' lemma): see :func:`threshold_certificate`.

References
----------
McCulloch, W. S. & Pitts, W. (1943). Bull. Math. Biophys. 5, 115-133.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field
from scipy import optimize

from neurotwin.params import Params
from neurotwin.rate_models._cost import cost
from neurotwin.rate_models.perceptron.checks import check_values
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

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


def mcculloch_pitts_estimate(params: McCullochPittsParams, options, realization: str):
    """One gate's truth table: a few hundred bytes and steps, whatever the gate."""
    return cost({"gate": 4096}, {"gate": 64})


register_model(
    ModelSpec(
        name="mcculloch-pitts",
        observable_units={
            "truth_table_accuracy": "1",
            "single_unit_representable": "1",
            "error_rate": "1",
            "error_rate_per_row": "1",
            "input_error_rate": "1",
            "n_presentations": "1",
            "presentation_row": "1",
        },
        params=McCullochPittsParams,
        weights=mp_weights,
        make_inputs=mp_inputs,
        validate=mp_validate,
        observe=mp_observe,
        key_observable="truth_table_accuracy",
        # rate vs spiking (tests/perceptron/test_mcculloch_pitts_spiking.py): the same
        # truth table (accuracy 1.0 in both) for every gate and seed.
        agreement=[{"observable": "truth_table_accuracy", "atol": 0.0, "rtol": 0.0}],
        estimate=mcculloch_pitts_estimate,
        compare_runs=[("reference", "reference", {}), ("brian2", "brian2", {})],
        quick_params={"gate": "XOR"},
        doc="McCulloch-Pitts (1943) threshold units: AND, OR, NOT, NAND, and XOR in two "
        "layers; truth tables and an LP proof that one unit cannot compute XOR; as LIF "
        "neurons driven by Poisson bursts (brian2).",
    )
)
