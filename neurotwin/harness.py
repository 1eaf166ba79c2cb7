"""Run one realization of one model: validate, draw, simulate, observe."""

from __future__ import annotations

import importlib.metadata
import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ParamError, SimulationError
from .params import Params
from .registry import ModelSpec, Realization, get_model, get_realization
from .results import Result


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParamError(f"seed: must be an integer >= 0 (got {seed!r})")
    return int(seed)


def split_overrides(
    spec: ModelSpec, real: Realization, params: Params | dict | None, overrides: dict
) -> tuple[Params, Params | None]:
    """Validate model params and realization options; unknown names raise ParamError."""
    opt_fields = set(real.options.model_fields) if real.options else set()
    model_kw = {k: v for k, v in overrides.items() if k not in opt_fields}
    opt_kw = {k: v for k, v in overrides.items() if k in opt_fields}
    unknown = sorted(set(model_kw) - set(spec.params.model_fields))
    if unknown:
        allowed = list(spec.params.model_fields) + sorted(opt_fields)
        raise ParamError(
            f"{spec.params.__name__}.{unknown[0]}: unknown parameter for realization "
            f"{real.name!r} (allowed: {', '.join(allowed)}) (got {model_kw[unknown[0]]!r})"
        )
    p = spec.params.create(params, **model_kw)
    opts = real.options.create(None, **opt_kw) if real.options else None
    return p, opts


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
    caller supplies are used as given; the cues are drawn from the drawn weights
    (never from unvalidated user weights), so nothing is drawn when both are given.
    """
    w_ss, in_ss, sim_ss = np.random.SeedSequence(seed).spawn(3)
    if inputs is None:
        drawn = spec.weights(params, np.random.default_rng(w_ss))
        inputs = spec.make_inputs(params, drawn, np.random.default_rng(in_ss))
        weights = drawn if weights is None else weights
    elif weights is None:
        weights = spec.weights(params, np.random.default_rng(w_ss))
    return weights, inputs, int(sim_ss.generate_state(1)[0])


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


def prepare(
    model: str,
    realization: str = "reference",
    params: Params | dict | None = None,
    seed: int = 0,
    *,
    weights: dict | None = None,
    inputs: dict | None = None,
    **overrides: Any,
) -> Plan:
    """Validate everything (names, params, options, backend, arrays) and draw the inputs."""
    spec = get_model(model)
    real = get_realization(model, realization)
    seed = check_seed(seed)
    p, opts = split_overrides(spec, real, params, overrides)
    real.ensure_available(opts)
    weights, inputs, sim_seed = draw(spec, p, seed, weights, inputs)
    spec.validate(p, weights, inputs)
    if real.preflight is not None:
        real.preflight(p, weights, inputs, sim_seed, opts)
    return Plan(spec, real, p, opts, seed, weights, inputs, sim_seed)


def execute(plan: Plan) -> Result:
    t0 = time.perf_counter()
    result: Result = plan.real.func(
        plan.params, plan.weights, plan.inputs, plan.sim_seed, plan.options
    )
    wall = time.perf_counter() - t0
    result.seed = plan.seed
    result.options = plan.options.model_dump() if plan.options else {}
    shared = plan.spec.observe(result, plan.params, plan.weights, plan.inputs)
    result.observables = {**shared, **result.observables}
    result.provenance = {**provenance(plan.real), **result.provenance, "wall_time_s": wall}
    return result


def run(
    model: str,
    realization: str = "reference",
    params: Params | dict | None = None,
    seed: int = 0,
    *,
    weights: dict | None = None,
    inputs: dict | None = None,
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
    weights, inputs : dict, optional
        Use these arrays instead of drawing them (validated first).
    **overrides
        Model parameters or the realization's options, by name.

    Everything is validated before any simulation starts.
    """
    plan = prepare(model, realization, params, seed, weights=weights, inputs=inputs, **overrides)
    return execute(plan)


def provenance(real: Realization) -> dict:
    pkgs = ["neurotwin", "numpy", "scipy", *real.requires]
    versions = {}
    for pkg in pkgs:
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "versions": versions,
        "python": platform.python_version(),
        "backend": real.name,
        "git_revision": _git_revision(),
    }


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
