"""The points of an experiment: expansion, keys, running one point (reusing a built network
where only inputs change), and the files that keep each point."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import router
from ..errors import NeurotwinError, ParamError
from ..files import atomic_write
from ..harness import Built, Plan, build, check_seed, execute, prepare, run_built
from ..registry import get_model, get_realization
from ..results import Result, version_attrs
from .experiment import SWEEP_SCHEMA, Experiment
from .values import _canonical, _plain

# -- points -----------------------------------------------------------------------


@dataclass
class Point:
    """One task: a realization at one grid point and seed, validated."""

    realization: str
    coords: dict[str, Any]  # grid values (without the seed)
    seed: int
    params: dict  # validated model params (model_dump)
    options: dict  # validated realization options (model_dump), {} if none
    key: str
    label: str = ""  # the realization axis label (a variant's), default the realization
    model: str = ""  # the registry model; set by expand (Experiment.models or .model)

    @property
    def index(self) -> tuple:
        return (self.label or self.realization, *self.coords.values(), self.seed)


def point_key(model: str, realization: str, params: dict, options: dict, seed: int) -> str:
    """Stable name of a point: a hash of its canonical JSON (validated params, not the grid)."""
    payload = {
        "model": model,
        "realization": realization,
        "params": params,
        "options": options,
        "seed": int(seed),
    }
    text = json.dumps(_canonical(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def expand(exp: Experiment) -> list[Point]:
    """Every point of ``exp``, validated; raises :class:`ParamError` before any work.

    Validation covers the model parameters and realization options of every
    point, the seeds, and whether each realization is registered.
    """
    if not isinstance(exp, Experiment):
        raise ParamError(f"experiment: must be an Experiment or a name (got {exp!r})")
    get_model(exp.model)
    if not exp.realizations:
        raise ParamError(f"{exp.name}.realizations: must name at least one (got ())")
    for name in exp.grid:
        if name in ("seed", "realization"):
            raise ParamError(
                f"{exp.name}.grid: {name!r} is an axis of its own (use seeds / realizations) "
                f"(got grid key {name!r})"
            )
    for name, values in exp.grid.items():
        vals = [_plain(v) for v in values]
        if not vals or len({json.dumps(v) for v in vals}) != len(vals):
            raise ParamError(
                f"{exp.name}.grid[{name!r}]: must be a non-empty list of distinct values "
                f"(got {values!r})"
            )
    seeds = [check_seed(_plain(s)) for s in exp.seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ParamError(f"{exp.name}.seeds: must be distinct integers >= 0 (got {exp.seeds!r})")
    for name in exp.kept:
        if not isinstance(name, str) or not name or "/" in name:
            raise ParamError(f"{exp.name}.observables: must be names (got {name!r})")
    if not exp.kept:
        raise ParamError(f"{exp.name}.observables: must keep at least one (got ())")
    if len(set(exp.kept)) != len(exp.kept) or {"error", "wall_time_s"} & set(exp.kept):
        raise ParamError(
            f"{exp.name}.observables: must be distinct and not 'error' or 'wall_time_s' "
            f"(got {list(exp.kept)})"
        )

    for attr in ("variants", "models"):
        stray = sorted(set(getattr(exp, attr)) - set(exp.realizations))
        if stray:
            raise ParamError(
                f"{exp.name}.{attr}: labels must be among the realizations "
                f"{list(exp.realizations)} (got {stray})"
            )
    points: list[Point] = []
    grid_vals = [[_plain(v) for v in vs] for vs in exp.grid.values()]
    for label in exp.realizations:
        model = exp.models.get(label, exp.model)
        spec = get_model(model)
        real_name = exp.variants.get(label, label)
        real = get_realization(model, real_name)
        for combo in itertools.product(*grid_vals):
            coords = dict(zip(exp.grid, combo, strict=True))
            derived = exp.point_params(dict(coords)) if exp.point_params else coords
            kw = {
                **exp.fixed,
                **exp.per_realization.get(label, {}),
                **{k: _plain(v) for k, v in derived.items()},
            }
            params, opts = router.route(spec, real, None, kw)
            p = params.model_dump()
            o = opts.model_dump() if opts is not None else {}
            for s in seeds:
                key = point_key(model, real_name, p, o, s)
                points.append(Point(real_name, coords, s, p, o, key, label, model))
    return points


def run_point(
    model: str,
    realization: str,
    params: dict,
    options: dict,
    seed: int,
    observables: Sequence[str],
    derived: dict,
    same_network: Sequence[tuple[str, dict, int]] = (),
) -> dict:
    """Run one point (in a Dask worker) and return its kept scalars, or its error text.

    ``same_network``: more points ``(key, params, seed)`` of this realization and
    options that differ from this one only in the model's input parameters (see
    :func:`network_groups`). They run after it, on the network it built (built, e.g.
    compiled, once), and their records come back under ``"batch"`` (key -> record).

    Never raises: any exception becomes ``{"error": "Type: message"}``.
    """
    networks: dict[str, Built] = {}
    try:
        record = _run_one(model, realization, params, options, seed, observables, derived, networks)
        if same_network:
            record["batch"] = {
                key: _run_one(model, realization, p, options, s, observables, derived, networks)
                for key, p, s in same_network
            }
        return record
    finally:
        _close(networks)


def _run_one(model, realization, params, options, seed, observables, derived, networks) -> dict:
    t0 = time.perf_counter()
    try:
        plan = prepare(model, realization, params, seed, **options)
        result = _execute(plan, networks)
        values = {}
        for name in observables:
            if name not in result.observables:
                raise NeurotwinError(
                    f"observable {name!r}: not produced by {model}/{realization} "
                    f"(has: {', '.join(sorted(result.observables))})"
                )
            arr = np.asarray(result.observables[name])
            if arr.ndim != 0:
                raise NeurotwinError(
                    f"observable {name!r}: must be a scalar to keep in a sweep "
                    f"(got shape {arr.shape}; use Experiment.derived to reduce it)"
                )
            values[name] = float(arr)
        for name, func in derived.items():
            values[name] = float(func(result))
        return {
            "values": values,
            "error": "",
            "wall_time_s": time.perf_counter() - t0,
            "sim_wall_time_s": float(result.provenance.get("wall_time_s", float("nan"))),
        }
    except Exception as exc:  # noqa: BLE001 - a sweep records every failure and goes on
        return {
            "values": {},
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(limit=8),
            "wall_time_s": time.perf_counter() - t0,
        }


def _execute(plan: Plan, networks: dict[str, Built]) -> Result:
    """Build and run ``plan``; on the network built last when :func:`_same_network` (the
    build is then the first point's: this point's build time is 0)."""
    last = networks.get("built")
    if last is not None and _same_network(last.plan, plan):
        result = run_built(Built(plan, last.network, 0.0))
        result.params = plan.params.model_dump()  # the network's, but for the inputs' params
        return result
    _close(networks)
    if not (plan.real.two_phase and input_params(plan.spec)):
        return execute(plan)
    built = networks["built"] = build(plan)
    return run_built(built)


def _close(networks: dict[str, Built]) -> None:
    built = networks.pop("built", None)
    close = getattr(built.network, "close", None) if built is not None else None
    if callable(close):
        close()


def input_params(spec: Any) -> tuple[str, ...]:
    """Model parameters that change only what the model draws as inputs (e.g. hopfield's
    ``cue_noise``: the cues), never the network (``ModelSpec.input_params``)."""
    return tuple(spec.input_params)


def _same_network(a: Plan, b: Plan) -> bool:
    """``b`` runs on the network built for ``a``: same two-phase realization, options and
    simulator seed, the same params but for the input parameters, equal weights and
    inputs of the same shapes."""
    free = set(input_params(a.spec))
    if not (free and a.real is b.real and a.real.two_phase and a.sim_seed == b.sim_seed):
        return False
    if a.options != b.options:
        return False
    pa, pb = a.params.model_dump(), b.params.model_dump()
    if {k: v for k, v in pa.items() if k not in free} != {
        k: v for k, v in pb.items() if k not in free
    }:
        return False
    if a.weights.keys() != b.weights.keys() or a.inputs.keys() != b.inputs.keys():
        return False
    if any(np.shape(a.inputs[k]) != np.shape(b.inputs[k]) for k in a.inputs):
        return False
    return all(_same_array(a.weights[k], b.weights[k]) for k in a.weights)


def _same_array(x: Any, y: Any) -> bool:
    x, y = np.asarray(x), np.asarray(y)
    return x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x, y)


def network_groups(points: Sequence[Point]) -> list[list[Point]]:
    """``points`` grouped by the network they can share, in order of first appearance.

    Points of one two-phase realization with the same options and seed whose params
    differ only in the model's :func:`input_params` (e.g. a sweep over hopfield's
    ``cue_noise``) form one group: one task builds the network once and runs every
    point on it (whether the drawn weights are equal is checked again there). Every
    other point is a group of its own.
    """
    groups: dict[Any, list[Point]] = {}
    for pt in points:
        free = ()
        if get_realization(pt.model, pt.realization).two_phase:
            free = input_params(get_model(pt.model))
        if free:
            structure = {k: v for k, v in pt.params.items() if k not in free}
            key: Any = (
                pt.model,
                pt.realization,
                pt.seed,
                json.dumps(_canonical(pt.options), sort_keys=True),
                json.dumps(_canonical(structure), sort_keys=True),
            )
        else:
            key = pt.key
        groups.setdefault(key, []).append(pt)
    return list(groups.values())


def point_attrs(exp: Experiment, pt: Point, record: dict) -> dict:
    """A point file's attributes: what ran, its error, its times, the versions."""
    return {
        "schema": SWEEP_SCHEMA,
        "key": pt.key,
        "experiment": exp.name,
        "model": pt.model,
        "realization": pt.realization,
        "seed": int(pt.seed),
        "coords": json.dumps(pt.coords, sort_keys=True),
        "params": json.dumps(pt.params, sort_keys=True),
        "options": json.dumps(pt.options, sort_keys=True),
        "error": record.get("error", ""),
        "traceback": record.get("traceback", ""),
        "wall_time_s": float(record.get("wall_time_s", np.nan)),
        "sim_wall_time_s": float(record.get("sim_wall_time_s", np.nan)),
        **version_attrs(),
    }


def write_point(path: Path, exp: Experiment, pt: Point, record: dict) -> Path:
    """The file that keeps one point: its kept scalars (float64, NaN where missing) and
    :func:`point_attrs`, atomically. Written with netCDF4 itself: xarray's writer took
    2-4 ms per point, a sixth of a 20 ms point in an in-process sweep, for a file of two
    numbers (issue 16); the file is the same to any netCDF reader (xarray reads it back,
    :func:`read_point`)."""
    import netCDF4

    values = record.get("values", {})
    attrs = point_attrs(exp, pt, record)

    def write(tmp: str) -> None:
        with netCDF4.Dataset(tmp, "w", format="NETCDF4") as nc:
            for name in exp.kept:
                var = nc.createVariable(name, "f8", (), fill_value=np.nan)
                var.assignValue(np.float64(values.get(name, np.nan)))
            nc.setncatts(attrs)

    return atomic_write(path, write)


def read_point(path: Path, key: str, kept: Sequence[str]) -> dict | None:
    """The record stored at ``path``, or None if missing, unreadable, or not this point."""
    if not path.is_file():
        return None
    try:
        with xr.open_dataset(path, engine="netcdf4") as ds:
            ds = ds.load()
        if ds.attrs.get("key") != key or any(name not in ds for name in kept):
            return None
        return {
            "values": {name: float(ds[name].values) for name in kept},
            "error": str(ds.attrs.get("error", "")),
            "wall_time_s": float(ds.attrs.get("wall_time_s", np.nan)),
        }
    except Exception:  # noqa: BLE001 - any unreadable file is recomputed
        return None
