"""Run one realization of one model: validate, draw, simulate, observe."""

from __future__ import annotations

import importlib.metadata
import platform
import subprocess
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from . import budget, router
from .errors import InputError, ParamError, SimulationError
from .gc_scope import frozen_heap
from .params import Params
from .registry import ModelSpec, Realization, get_model, get_realization
from .results import Result


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParamError(f"seed: must be an integer >= 0 (got {seed!r})")
    if seed >= 2**64:  # numpy's SeedSequence takes any size, but files and Brian2 do not
        raise ParamError(f"seed: must be an integer >= 0 and < 2**64 (got {seed!r})")
    return int(seed)


def draw(
    spec: ModelSpec,
    params: Params,
    seed: int,
    weights: dict | None = None,
    inputs: dict | None = None,
) -> tuple[dict, dict, int]:
    """Weights, inputs and a simulator seed, each from its own child of ``seed``.

    Separate streams keep the patterns and cues identical across realizations and
    across changes to how many random numbers a simulator consumes. Arrays the
    caller supplies are used as given (completed by the model where it can, e.g. W
    from the caller's patterns); inputs the caller did not supply are drawn from the
    weights in use, so cues come from the caller's own patterns.
    """
    w_ss, in_ss, sim_ss = np.random.SeedSequence(seed).spawn(3)
    given = weights
    if weights is None:
        weights = spec.weights(params, np.random.default_rng(w_ss))
    elif spec.complete_weights is not None:
        weights = spec.complete_weights(params, weights)
    if inputs is None:
        try:
            inputs = spec.make_inputs(params, weights, np.random.default_rng(in_ss))
        except Exception:
            if given is None:
                raise
            # the caller's weights do not fit: let the model's own checks say why, with
            # inputs drawn from weights of the right shapes
            own = spec.weights(params, np.random.default_rng(w_ss))
            spec.validate(
                params, weights, spec.make_inputs(params, own, np.random.default_rng(in_ss))
            )
            raise
    return weights, inputs, int(sim_ss.generate_state(1)[0])


def _check_arrays(name: str, arrays: Any) -> dict | None:
    if arrays is None:
        return None
    if not isinstance(arrays, dict) or not all(isinstance(k, str) for k in arrays):
        raise InputError(f"{name}: must be a dict of named arrays (got {type(arrays).__name__})")
    return arrays


@dataclass
class Plan:
    """A validated run, ready to execute: nothing has been simulated or written yet."""

    spec: ModelSpec
    real: Realization
    params: Params
    options: Params | None
    seed: int
    weights: dict
    inputs: dict
    sim_seed: int
    #: names of the arrays the caller supplied (recorded in provenance)
    given: tuple[str, ...] = ()
    #: model parameters the realization chose because the user set none
    defaults_used: dict = field(default_factory=dict)


def prepare(
    model: str,
    realization: str = "reference",
    params: Params | dict | None = None,
    seed: int = 0,
    *,
    weights: dict | None = None,
    inputs: dict | None = None,
    step_budget: int | None = None,
    **overrides: Any,
) -> Plan:
    """Validate everything (names, params, options, cost, backend, arrays) and draw the
    inputs. ``step_budget`` raises the budget of simulated steps (:mod:`neurotwin.budget`)."""
    spec = get_model(model)
    real = get_realization(model, realization)
    seed = check_seed(seed)
    weights = _check_arrays("weights", weights)
    inputs = _check_arrays("inputs", inputs)
    given_weights = weights
    implied = spec.adopt(weights, inputs) if spec.adopt and weights is not None else {}
    p, opts = router.route(spec, real, params, overrides, implied)
    if spec.estimate is not None:
        budget.check(spec.estimate(p, opts, real.name), p, step_budget)
    elif step_budget is not None:
        budget.check_step_budget(step_budget)
    real.ensure_available(opts)
    weights, inputs, sim_seed = draw(spec, p, seed, weights, inputs)
    spec.validate(p, weights, inputs)
    if real.preflight is not None:
        real.preflight(p, weights, inputs, sim_seed, opts)
    given = tuple(sorted(given_weights)) if given_weights is not None else ()
    used = router.defaults_used(real, params, overrides, implied)
    return Plan(spec, real, p, opts, seed, weights, inputs, sim_seed, given, used)


@dataclass
class Built:
    """A realization's built network for one plan, reusable by :func:`run_built`."""

    plan: Plan
    network: Any
    build_time_s: float
    #: runs done on this network (the build's time counts toward the first one's wall time)
    runs: int = 0


def build(plan: Plan) -> Built:
    """Phase one: build (and, for compiled devices, compile) the plan's network."""
    t0 = time.perf_counter()
    with frozen_heap():  # Brian2's standalone build runs the network too
        network = plan.real.build(
            plan.params, plan.weights, plan.inputs, plan.sim_seed, plan.options
        )
    return Built(plan, network, time.perf_counter() - t0)


def run_built(built: Built, inputs: dict | None = None) -> Result:
    """Phase two: run a built network on ``inputs`` (default: the plan's) and observe it."""
    plan = built.plan
    inputs = plan.inputs if inputs is None else inputs
    if inputs is not plan.inputs:
        plan.spec.validate(plan.params, plan.weights, inputs)
    t0 = time.perf_counter()
    with frozen_heap():  # Brian2 collects garbage at every Network.run: see gc_scope
        result: Result = plan.real.run(built.network, inputs)
    wall = time.perf_counter() - t0
    result.seed = plan.seed
    result.options = plan.options.model_dump() if plan.options else {}
    shared = plan.spec.observe(result, plan.params, plan.weights, inputs)
    result.observables = {**shared, **result.observables}
    extra: dict[str, Any] = {}
    if plan.real.two_phase:
        extra["network_build_s"] = built.build_time_s
    if plan.defaults_used:
        extra["realization_defaults"] = plan.defaults_used
    if plan.given:
        extra["given_arrays"] = list(plan.given)
    result.provenance = {
        **provenance(plan.real),
        **result.provenance,
        **extra,
        "wall_time_s": wall + (built.build_time_s if built.runs == 0 else 0.0),
    }
    built.runs += 1
    return result


def execute(plan: Plan) -> Result:
    """Build and run ``plan`` once."""
    return run_built(build(plan))


def run(
    model: str,
    realization: str = "reference",
    params: Params | dict | None = None,
    seed: int = 0,
    *,
    weights: dict | None = None,
    inputs: dict | None = None,
    step_budget: int | None = None,
    **overrides: Any,
) -> Result:
    """Run ``model`` with one ``realization`` and return its :class:`Result`.

    Parameters
    ----------
    model, realization : str
        Registry names (see :func:`neurotwin.models`).
    params : Params, dict or None
        Model parameters; missing fields take their defaults.
    seed : int
        Every random draw (weights, cues, simulator noise) derives from it.
    weights : dict, optional
        Your own arrays instead of drawn ones, e.g. ``{"patterns": images}`` for
        ``hopfield``: the model completes what it can (W by the storage rule), takes
        the sizes they imply (``n_units``, ``n_patterns``), and draws the cues from
        them. A value you set that the arrays contradict is refused.
    inputs : dict, optional
        Your own inputs (cues), with the weights they belong to.
    step_budget : int, optional
        Budget of simulated steps (default :data:`neurotwin.budget.DEFAULT_STEP_BUDGET`);
        a run estimated to need more, or more memory than is available, is refused.
    **overrides
        Model parameters or the realization's options, by name.

    Everything is validated before any simulation starts.
    """
    plan = prepare(
        model,
        realization,
        params,
        seed,
        weights=weights,
        inputs=inputs,
        step_budget=step_budget,
        **overrides,
    )
    return execute(plan)


def provenance(real: Realization) -> dict:
    """Versions, Python, backend and git revision; looked up once per process."""
    return {
        "versions": dict(_versions(("neurotwin", "numpy", "scipy", *real.requires))),
        "python": platform.python_version(),
        "backend": real.name,
        "git_revision": _git_revision(),
    }


@cache
def _versions(pkgs: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    out = []
    for pkg in pkgs:
        try:
            out.append((pkg, importlib.metadata.version(pkg)))
        except importlib.metadata.PackageNotFoundError:
            out.append((pkg, None))
    return tuple(out)


@cache
def _git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def check_finite(name: str, values: np.ndarray, t: np.ndarray, unit: str) -> None:
    """Raise :class:`SimulationError` at the first time step where ``values`` is not finite."""
    bad = ~np.isfinite(np.asarray(values, dtype=float))
    if bad.any():
        step = int(np.argwhere(bad.reshape(len(t), -1).any(axis=1))[0, 0])
        raise SimulationError(
            f"{name}: non-finite value at time step {step} (t = {t[step]:g} {unit})"
        )
