r"""Rosenblatt's (1958) perceptron: the ``perceptron`` model.

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

The spiking realization (one LIF neuron learning by the same rule) is in
``spiking/perceptron/brian2.py``.

References
----------
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

from neurotwin.errors import SimulationError
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, Terms, cost, driver
from neurotwin.rate_models.perceptron.checks import check_values
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array


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
        if not np.isfinite(w).all():  # a learning rate so large that w overflows
            raise SimulationError(
                f"perceptron/reference w: non-finite value at time step {len(per_epoch)} "
                f"(t = {len(per_epoch)} epoch)"
            )
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


def perceptron_estimate(params: PerceptronParams, options, realization: str):
    """Memory: the samples (P x N), for ``margin`` the rejection sampler's batches of 2P
    candidates, and the separability LP's copies. Steps: epochs x samples x features
    (the cyclic rule, up to ``max_epochs``), plus the candidates the margin sampler draws
    (P / Pr(|z| >= margin), z standard normal) x N; Brian2: time steps x neurons."""
    p, n = params.n_samples, params.n_features
    mem = Terms((driver(params, ("n_samples", "n_features")), 8 * F8 * p * n))
    who = driver(params, ("max_epochs", "n_samples", "n_features"))
    if realization == "reference" or options is None:
        steps = Terms((who, float(params.max_epochs) * p * n))
    else:
        per = round(options.present_s / options.dt_s)
        steps = Terms((who, float(params.max_epochs) * p * per * (n + 1)))
    if params.task == "margin":
        accept = math.erfc(params.margin / math.sqrt(2.0))
        mem.add(driver(params, ("n_samples", "n_features")), 2 * F8 * 2 * p * n)
        steps.add("margin", p * n / accept if accept > 0 else math.inf)
    return cost(mem, steps)


register_model(
    ModelSpec(
        name="perceptron",
        observable_units={
            "mistakes": "1",
            "novikoff_bound": "1",
            "separable": "1",
            "cover_probability": "1",
            "w": "1",
            "converged": "1",
            "cycle_detected": "1",
            "epochs": "1",
        },
        params=PerceptronParams,
        weights=perceptron_weights,
        make_inputs=perceptron_inputs,
        validate=perceptron_validate,
        observe=perceptron_observe,
        key_observable="mistakes",
        # rate vs spiking (tests/perceptron/test_perceptron_brian2.py): mistakes within
        # 30 % of the reference's (defaults, seeds 0 and 2).
        agreement=[{"observable": "mistakes", "atol": 0.0, "rtol": 0.3}],
        estimate=perceptron_estimate,
        compare_runs=[("reference", "reference", {}), ("brian2", "brian2", {})],
        quick_params={"n_features": 10, "n_samples": 50, "max_epochs": 200},
        doc="Rosenblatt's perceptron: mistakes vs Novikoff's bound, non-convergence "
        "(cycling) on XOR, Cover's (1965) capacity of random dichotomies.",
    )
)
