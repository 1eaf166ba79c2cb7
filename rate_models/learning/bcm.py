"""``bcm``: one linear unit with the BCM rule and a sliding threshold becomes selective
to one of K patterns; for K patterns shown with probability :math:`p = 1/K` the
selective fixed point answers :math:`y = 1/p` to one pattern and 0 to the others.

References
----------
Bienenstock, E. L., Cooper, L. N. & Munro, P. W. (1982). J. Neurosci. 2, 32-48.
Intrator, N. & Cooper, L. N. (1992). Neural Networks 5, 3-17.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, Terms, cost, driver
from neurotwin.rate_models.perceptron.checks import check_values
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

from .rules import bcm_update, checkpoints, diverged


class BcmParams(Params):
    """One linear BCM unit ``y = w . x`` shown one of K random nonnegative patterns per
    step, each with probability 1/K (times in steps; ``dt`` = 1 step)."""

    n_features: int = Field(20, ge=2, description="input dimension N")
    n_patterns: int = Field(4, ge=2, description="number of patterns K (<= N)")
    n_steps: int = Field(40000, ge=1, description="training steps")
    learning_rate: float = Field(0.005, gt=0, le=1, description="eta")
    tau_theta: float = Field(50.0, ge=1, description="threshold time constant (steps)")
    n_checkpoints: int = Field(50, ge=1, description="recorded points of the learning curve")


def bcm_weights(params: BcmParams, rng: np.random.Generator) -> dict:
    """Initial weights ``w0`` (uniform [0, 0.1)) and threshold ``theta0`` = 0."""
    return {"w0": rng.uniform(0, 0.1, params.n_features), "theta0": np.zeros(1)}


def bcm_inputs(params: BcmParams, weights: dict, rng: np.random.Generator) -> dict:
    """``patterns`` (K, N): uniform [0, 1) rows normalised to unit length; ``order``."""
    pats = rng.uniform(0, 1, (params.n_patterns, params.n_features))
    pats /= np.linalg.norm(pats, axis=1, keepdims=True)
    return {"patterns": pats, "order": rng.integers(0, params.n_patterns, params.n_steps)}


def bcm_validate(params: BcmParams, weights: dict, inputs: dict) -> None:
    n, k = params.n_features, params.n_patterns
    if k > n:
        from neurotwin.errors import ParamError

        raise ParamError(f"BcmParams.n_patterns: must be <= n_features = {n} (got {k})")
    check_array("bcm", "weights", weights, "w0", (n,), "(n_features,)")
    check_array("bcm", "weights", weights, "theta0", (1,), "(1,)")
    check_array("bcm", "inputs", inputs, "patterns", (k, n), "(n_patterns, n_features)")
    order = check_array("bcm", "inputs", inputs, "order", (params.n_steps,), "(n_steps,)")
    check_values("bcm", "inputs", "order", order, range(k), f"must be indices in 0..{k - 1}")


@realization("bcm", "reference")
def run_bcm(params: BcmParams, weights: dict, inputs: dict, seed: int, options=None) -> Result:
    """Online BCM; traces: the responses to every pattern and theta at checkpoints."""
    pats = np.asarray(inputs["patterns"], dtype=float)
    order = np.asarray(inputs["order"]).astype(np.int64)
    w = np.array(weights["w0"], dtype=float)
    theta = float(weights["theta0"][0])
    marks = checkpoints(len(order), params.n_checkpoints)
    resp, thetas = [pats @ w], [theta]
    # a learning rate too large for the patterns makes w and theta run away: stopped at
    # the first step whose response or threshold is not finite (the checks below say
    # where, so numpy's overflow warnings on the way are left out)
    with np.errstate(all="ignore"):
        for step, idx in enumerate(order, start=1):
            pre = pats[idx]
            post = float(w @ pre)
            try:
                w, theta = bcm_update(
                    w, pre, post, theta, params.learning_rate, params.tau_theta, 1.0
                )
            except OverflowError:  # post**2 of a Python float past 1e308
                theta = math.inf
            if not (math.isfinite(post) and math.isfinite(theta)):
                raise diverged("bcm/reference", "theta" if math.isfinite(post) else "post", step)
            if step in marks:
                resp.append(pats @ w)
                thetas.append(theta)
    t = marks.astype(float)
    responses = np.stack(resp)
    check_finite("bcm/reference responses", responses, t, "step")
    return Result(
        model="bcm",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="sweep",
        traces={"responses": responses, "theta": np.array(thetas)},
        observables={"w": w},
    )


def bcm_observe(result: Result, params: BcmParams, weights: dict, inputs: dict) -> dict:
    """``selectivity`` = 1 - mean/max response (Bienenstock et al. 1982; 1 - 1/K when
    only one pattern drives the unit); ``max_response`` against ``selective_fixed_point``
    = K (= 1/p); ``other_responses_max``: the largest |response| to the other patterns."""
    r = np.asarray(result.traces["responses"])[-1]
    top = int(np.argmax(r))
    others = np.delete(r, top)
    peak = float(r[top])
    return {
        "selectivity": float(1 - r.mean() / peak) if peak > 0 else 0.0,
        "max_response": peak,
        "selective_fixed_point": float(params.n_patterns),
        "other_responses_max": float(np.max(np.abs(others))),
        "preferred_pattern": top,
    }


def bcm_estimate(params: BcmParams, options, realization: str):
    """Memory: the presentation order (int64, and its copy), the patterns, the recorded
    responses; Nengo adds the presented samples and their decoded estimates (n_steps x N
    each). Steps: n_steps x N synapses (reference); Nengo: time steps x neurons."""
    n, k, s = params.n_features, params.n_patterns, params.n_steps
    mem = Terms(
        ("n_steps", 2 * F8 * s),
        ("n_features", 3 * F8 * k * n),
        ("n_checkpoints", F8 * (params.n_checkpoints + 1) * (k + 1)),
    )
    steps = Terms((driver(params, ("n_steps", "n_features")), float(s) * n))
    if options is not None and realization != "reference":
        per = round(options.present_s / options.dt_s)
        neurons = options.neurons_per_dim * n + options.post_neurons
        mem.add("n_steps", 2 * F8 * s * n + 4 * F8 * s)
        # nengo's decoder solves: ~750 evaluation points per neuron
        mem.add("n_features", 750 * F8 * neurons)
        steps = Terms((driver(params, ("n_steps", "n_features")), float(s) * per * neurons))
    return cost(mem, steps)


register_model(
    ModelSpec(
        name="bcm",
        observable_units={
            "selectivity": "1",
            "max_response": "1",
            "selective_fixed_point": "1",
            "other_responses_max": "1",
            "preferred_pattern": "1",
            "w": "1",
        },
        params=BcmParams,
        weights=bcm_weights,
        make_inputs=bcm_inputs,
        validate=bcm_validate,
        observe=bcm_observe,
        key_observable="selectivity",
        # rate vs spiking (tests/learning/test_learning_nengo.py): selectivity within
        # 0.05, peak response within 10 %.
        agreement=[
            {"observable": "selectivity", "atol": 0.05, "rtol": 0.0},
            {"observable": "max_response", "atol": 0.0, "rtol": 0.1},
        ],
        estimate=bcm_estimate,
        compare_runs=[("reference", "reference", {}), ("nengo", "nengo", {})],
        quick_params={"n_steps": 2000},
        doc="BCM (1982) rule with a sliding threshold: the unit becomes selective to one "
        "of K patterns, answering 1/p = K to it and 0 to the others.",
    )
)
