"""Parameter grids on Dask: one task per point, one small file per point, resumable.

An :class:`Experiment` names a model, its realization(s), a grid (parameter name
-> values; the seeds are one more axis, ``"seed"``), fixed parameters and the
scalar observables to keep, plus a figure and a summary. :func:`run_sweep` runs
every point (grid values x seed x realization) as one task on Dask distributed
(a local cluster by default, a running scheduler by address) and writes each
finished point atomically to ``out_dir/points/<key>.nc``; ``<key>`` hashes the
model, realization, validated parameters and seed, so a re-run into the same
folder skips what is already there and an interrupted sweep loses nothing it
had written. At the end the points combine into one :class:`xarray.Dataset`
with a dimension per grid parameter and ``"seed"`` (and ``"realization"`` when
there are several), written to ``out_dir/<experiment>.nc``, drawn to
``out_dir/<experiment>.png`` and summarised in ``out_dir/<experiment>.summary.json``.

Layout of ``out_dir``::

    .lock                      held (flock) while a sweep writes here; a second one is refused
    sweep.json                 the manifest (experiment, model, grid, ...), written first
    points/<key>.nc            one finished point: its kept scalar observables, params in attrs
    <experiment>.nc            the combined dataset (complete sweeps only)
    <experiment>.png           the experiment's figure
    <experiment>.summary.json  its measured numbers and the sweep's bookkeeping

A point that raises (e.g. :class:`~neurotwin.errors.SimulationError`) is written
like any other, with NaN observables and its error text in the ``error``
attribute; the sweep goes on, and the combined dataset carries the text in its
``error`` variable (``""`` where the point succeeded). A point whose worker died is
submitted again a few times first (``worker_retries``); ``retry_failed`` recomputes
stored failures. A sweep stops with one-line errors that say it can be resumed when its
scheduler is lost or its cluster has no worker for ``worker_timeout_s``; file-system
errors are :class:`~neurotwin.errors.FileError` (see :mod:`neurotwin.files`). Dask
exchanges pickled tasks: give ``scheduler`` only the address of a cluster you trust.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib
import itertools
import json
import math
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from . import router
from .errors import NeurotwinError, ParamError, SweepError
from .files import (
    atomic_write,
    check_writable,
    file_error,
    json_text,
    make_dirs,
    read_text,
    remove_stale_temps,
    write_text,
)
from .harness import Built, Plan, build, check_seed, execute, prepare, run_built
from .registry import get_model, get_realization, submodules
from .results import Result, version_attrs, write_dataset

#: version of the manifest and point-file layout
SWEEP_SCHEMA = 1
#: every module of this package registers experiments; imported on first use
EXPERIMENT_PACKAGE = "neurotwin.experiments"
#: the lock file a running sweep holds in its folder
LOCK_NAME = ".lock"
#: a point whose worker died is submitted again up to this many times per run
WORKER_RETRIES = 2
#: seconds a cluster may have no worker while points remain before the sweep stops
WORKER_TIMEOUT_S = 300.0
#: seconds to reach a scheduler address (and to wait for it to come back once lost)
CONNECT_TIMEOUT_S = 20
#: seconds between checks of the cluster while points run
POLL_S = 1.0
#: the name suffix of an experiment's reduced variant (``--quick``)
QUICK_SUFFIX = "-quick"
#: what a reduced variant's summary, dataset and figure say about its numbers
SMOKE_NOTE = (
    "a reduced grid that checks the pipeline runs end to end; its numbers are not "
    "the experiment's result (run without --quick for that)"
)


@dataclass(frozen=True)
class Experiment:
    """A named parameter sweep, its figure and its measured numbers.

    Attributes
    ----------
    name : str
        Registry name; also the stem of the output files.
    model : str
        Registry model name, e.g. ``"hopfield"``.
    realizations : tuple of str
        Realizations run at every point (the same params, inputs and seed each):
        the labels of the ``realization`` axis.
    variants : dict of str -> str
        Labels of ``realizations`` that run another realization (label ->
        realization name) with their own ``per_realization`` settings: the same
        backend twice, e.g. the chip with and without a mitigation.
    models : dict of str -> str
        Labels of ``realizations`` that run a realization of another registered
        model (label -> model name), e.g. a baseline from another family on the
        same axis. ``fixed`` must then hold only parameters every model has; put
        the others in ``per_realization``.
    grid : dict of str -> list
        One axis per entry, in order; every combination is a point. Keys are
        model parameters, or any names ``point_params`` turns into parameters.
    seeds : tuple of int
        The ``"seed"`` axis: independent trials (patterns, cues, noise).
    fixed : dict
        Parameters shared by every point.
    observables : tuple of str
        Scalar observables of the Result kept per point.
    derived : dict of str -> callable(Result) -> float
        Extra scalars computed from each Result in the worker (e.g. the fraction
        of cues in a 2-cycle from an array observable). Must be importable
        (module-level functions) when the sweep runs on separate processes.
    per_realization : dict of str -> dict
        Parameters or realization options for one realization only.
    point_params : callable(dict) -> dict, optional
        Grid point (without the seed) -> parameters; default: the point itself.
        Lets a grid run over a derived quantity, e.g. load ``alpha`` ->
        ``n_patterns = round(alpha * n_units)``.
    figure : callable(Dataset, Path), optional
        Draws the combined dataset to the given PNG path.
    summary : callable(Dataset) -> dict, optional
        The measured numbers, written to the summary JSON.
    description : str
        One paragraph: what the experiment shows and its source.
    quick : callable() -> Experiment, optional
        A reduced variant (small grid) for tests and ``--quick``.
    """

    name: str
    model: str
    grid: dict[str, list]
    realizations: tuple[str, ...] = ("reference",)
    seeds: tuple[int, ...] = (0,)
    fixed: dict[str, Any] = field(default_factory=dict)
    observables: tuple[str, ...] = ()
    derived: dict[str, Callable[[Result], float]] = field(default_factory=dict)
    per_realization: dict[str, dict[str, Any]] = field(default_factory=dict)
    variants: dict[str, str] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    point_params: Callable[[dict], dict] | None = None
    figure: Callable[[xr.Dataset, Path], Any] | None = None
    summary: Callable[[xr.Dataset], dict] | None = None
    description: str = ""
    quick: Callable[[], Experiment] | None = None

    @property
    def dims(self) -> tuple[str, ...]:
        """Dimensions of the combined dataset, in order."""
        lead = ("realization",) if len(self.realizations) > 1 else ()
        return lead + tuple(self.grid) + ("seed",)

    @property
    def kept(self) -> tuple[str, ...]:
        """Names of the variables each point keeps: observables, then derived."""
        return tuple(self.observables) + tuple(self.derived)

    def manifest(self) -> dict:
        """What identifies this sweep: a folder holding a different one is refused."""
        return _canonical(
            {
                "schema": SWEEP_SCHEMA,
                "experiment": self.name,
                "model": self.model,
                "realizations": list(self.realizations),
                "grid": {k: list(v) for k, v in self.grid.items()},
                "seeds": list(self.seeds),
                "fixed": self.fixed,
                "per_realization": self.per_realization,
                "observables": list(self.kept),
                # only when used, so manifests of earlier sweeps stay valid
                **({"variants": self.variants} if self.variants else {}),
                **({"models": self.models} if self.models else {}),
            }
        )


# -- registry ---------------------------------------------------------------------

EXPERIMENTS: dict[str, Experiment] = {}
_loaded = False


def register_experiment(exp: Experiment) -> Experiment:
    """Register ``exp`` and, if it has one, its reduced variant (``<name>-quick``)."""
    if exp.name in EXPERIMENTS:
        raise ParamError(f"experiment: {exp.name!r} is registered twice (got {exp.name!r})")
    EXPERIMENTS[exp.name] = exp
    if exp.quick is not None:
        quick = exp.quick()
        EXPERIMENTS[quick.name] = quick
    return exp


def _load() -> None:
    global _loaded
    if not _loaded:
        for mod in submodules(EXPERIMENT_PACKAGE):
            importlib.import_module(mod)
        _loaded = True


def experiments() -> dict[str, Experiment]:
    """Every registered experiment by name."""
    _load()
    return dict(sorted(EXPERIMENTS.items()))


def get_experiment(name: str, quick: bool = False) -> Experiment:
    """The experiment registered as ``name`` (its reduced variant with ``quick=True``)."""
    _load()
    if not isinstance(name, str) or name not in EXPERIMENTS:
        raise ParamError(
            f"experiment: must be one of {', '.join(sorted(EXPERIMENTS))} (got {name!r})"
        )
    exp = EXPERIMENTS[name]
    if quick:
        if exp.quick is None:
            raise ParamError(f"experiment {name!r}: has no quick variant (got quick=True)")
        exp = exp.quick()
    return exp


def available_part(exp: Experiment) -> tuple[Experiment, dict[str, str]]:
    """``exp`` without the realization labels whose backend cannot run here, and why
    each was dropped (label -> reason). The reduced sweep has its own manifest."""
    keep, dropped = [], {}
    for label in exp.realizations:
        model = exp.models.get(label, exp.model)
        real = get_realization(model, exp.variants.get(label, label))
        if real.available():
            keep.append(label)
        else:
            dropped[label] = real.why_unavailable()
    if not dropped:
        return exp, {}

    def only(d: dict) -> dict:
        return {k: v for k, v in d.items() if k in keep}

    reduced = dataclasses.replace(
        exp,
        realizations=tuple(keep),
        variants=only(exp.variants),
        models=only(exp.models),
        per_realization=only(exp.per_realization),
        quick=None,
    )
    return reduced, dropped


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


def _point_dataset(exp: Experiment, pt: Point, record: dict) -> xr.Dataset:
    values = record.get("values", {})
    data_vars = {name: ((), np.float64(values.get(name, np.nan))) for name in exp.kept}
    attrs = {
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
    return xr.Dataset(data_vars, attrs=attrs)


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


# -- running ----------------------------------------------------------------------


def run_sweep(
    experiment: Experiment | str,
    out_dir: str | os.PathLike,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = True,
    max_points: int | None = None,
    *,
    client: Any = None,
    retry_failed: bool = False,
    on_point: Callable[[Point, dict], None] | None = None,
    worker_retries: int = WORKER_RETRIES,
    worker_timeout_s: float = WORKER_TIMEOUT_S,
) -> xr.Dataset:
    """Run every point of ``experiment`` that ``out_dir`` does not hold yet, then combine.

    Parameters
    ----------
    experiment : Experiment or str
        An experiment or a registered name (see :func:`experiments`).
    out_dir : path
        Output folder; re-running into it resumes. A folder holding a different
        sweep (another ``sweep.json``) is refused with :class:`ParamError`; one that
        another sweep is writing to (its lock file ``.lock`` is held) with
        :class:`SweepError`.
    scheduler : str, optional
        ``None`` or ``"processes"``: a local Dask cluster of ``workers`` (default
        2) single-threaded worker processes; ``"threads"``: the same cluster in
        this process; ``"synchronous"``: no Dask, every point in this process, in
        order (for debugging and tests); anything else: the address of a running
        Dask scheduler, e.g. ``tcp://host:7786``, whose workers can import neurotwin.
        Dask sends pickled tasks and results between the scheduler, its workers and
        this process, and unpickling runs code: give only the address of a cluster
        you trust (yours, on a network you trust).
    workers : int, optional
        Local worker count (ignored with a scheduler address).
    progress : bool
        Show a progress bar of points done / total (points found on disk count as done).
    max_points : int, optional
        Compute at most this many new points, then stop as if interrupted: the
        points written so far stay, the combined files are not written, and the
        returned dataset has NaN where points are missing.
    client : distributed.Client, optional
        Use this client (not closed here) instead of making one.
    retry_failed : bool
        Recompute points whose stored record is an error.
    on_point : callable(Point, record), optional
        Called after each new point is written (raise to stop the sweep).
    worker_retries : int
        A point whose worker died (Dask's ``KilledWorker``: memory, a crash in
        compiled code, a killed process) is submitted again up to this many times
        in this run before it is stored as failed.
    worker_timeout_s : float
        Seconds the cluster may have no worker at all while points remain: after
        a quarter of it a warning is printed, after all of it :class:`SweepError`
        stops the sweep (the points written stay; start workers and re-run).

    Returns
    -------
    xarray.Dataset
        One variable per kept observable plus ``error`` (text, ``""`` if fine),
        dims :attr:`Experiment.dims`, derived parameters as extra coordinates.

    Raises
    ------
    ParamError
        For any invalid grid point or argument, or a scheduler address that does
        not answer, before anything is computed or written.
    FileError
        A file or folder cannot be written (the message names it and the cause).
    SweepError
        Another sweep holds ``out_dir``; the scheduler was lost or the cluster had no
        worker for ``worker_timeout_s``. What was written stays; re-run to resume.
    """
    t_start = time.perf_counter()
    exp = get_experiment(experiment) if isinstance(experiment, str) else experiment
    points = expand(exp)  # validates everything first
    if max_points is not None and (
        isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 0
    ):
        raise ParamError(f"max_points: must be an integer >= 0 or None (got {max_points!r})")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ParamError(f"workers: must be an integer >= 1 or None (got {workers!r})")
    if (
        isinstance(worker_retries, bool)
        or not isinstance(worker_retries, int)
        or worker_retries < 0
    ):
        raise ParamError(f"worker_retries: must be an integer >= 0 (got {worker_retries!r})")
    if (
        isinstance(worker_timeout_s, bool)
        or not isinstance(worker_timeout_s, (int, float))
        or not worker_timeout_s > 0
        or not math.isfinite(worker_timeout_s)
    ):
        raise ParamError(f"worker_timeout_s: must be a number > 0 (got {worker_timeout_s!r})")
    _ensure_available(exp, points)  # a missing backend is reported before any work

    out = Path(out_dir)
    _check_manifest(exp, out)
    check_writable(out, folder=True)
    # a scheduler address is tried now: a bad one writes nothing
    with _quiet_dask(scheduler != "synchronous" or client is not None):
        runner = _Runner(scheduler, workers, client, worker_retries, worker_timeout_s)
        try:
            with _lock(out):
                return _run_locked(
                    exp, points, out, runner, progress, max_points, retry_failed, on_point, t_start
                )
        finally:
            runner.close()


def _run_locked(exp, points, out, runner, progress, max_points, retry_failed, on_point, t_start):
    pdir = out / "points"
    _check_manifest(exp, out)  # again: another sweep may have written it meanwhile
    remove_stale_temps(out)
    remove_stale_temps(pdir)  # only ours could be writing here: we hold the lock
    write_text(out / "sweep.json", json.dumps(exp.manifest(), indent=2, sort_keys=True) + "\n")

    # grid points with identical parameters and seed (e.g. the T = 0 level of a temperature
    # axis and the a = 0 level of an asymmetry axis) share one task and one file
    unique = list({pt.key: pt for pt in points}.values())
    records: dict[str, dict] = {}
    todo: list[Point] = []
    for pt in unique:
        rec = read_point(pdir / f"{pt.key}.nc", pt.key, exp.kept)
        if rec is None or (retry_failed and rec["error"]):
            todo.append(pt)
        else:
            records[pt.key] = rec
    n_skipped = len(records)
    if max_points is not None:
        todo = todo[:max_points]

    bar = _progress(exp.name, len(unique), n_skipped, progress)
    n_new = 0

    def finish(pt: Point, record: dict) -> None:
        nonlocal n_new
        write_dataset(_point_dataset(exp, pt, record), pdir / f"{pt.key}.nc")
        records[pt.key] = record
        n_new += 1
        bar.update(1)
        if record["error"]:
            bar.write(
                f"point failed ({pt.label or pt.realization}, {pt.coords}, seed {pt.seed}): "
                f"{record['error']}"
            )
        if on_point is not None:
            on_point(pt, record)

    try:
        if todo:
            runner.execute(exp, todo, finish, bar)
    except SweepError as exc:
        done = len(records)
        raise SweepError(
            f"{exc}; {done} of {len(unique)} points are written in {out}: run the same "
            f"command again to resume"
        ) from None
    finally:
        bar.close()

    ds = combine(exp, points, records)
    complete = len(records) == len(unique)
    ds.attrs["complete"] = int(complete)
    smoke = is_smoke_run(exp)
    if smoke:
        ds.attrs["smoke_run"] = SMOKE_NOTE
    if complete:
        write_dataset(ds, out / f"{exp.name}.nc")
        if exp.figure is not None:
            exp.figure(ds, out / f"{exp.name}.png")
            if smoke:
                mark_smoke_figure(out / f"{exp.name}.png")
        summary = dict(exp.summary(ds)) if exp.summary is not None else {}
        if smoke:  # first in the file, before any number a reader could take as the result
            summary = {"smoke_run": SMOKE_NOTE, **summary}
        failed = [
            {
                "realization": pt.label or pt.realization,
                **pt.coords,
                "seed": pt.seed,
                "error": records[pt.key]["error"],
            }
            for pt in unique
            if records[pt.key]["error"]
        ]
        summary["sweep"] = {
            "experiment": exp.name,
            "points": len(unique),
            "computed_now": n_new,
            "found_on_disk": n_skipped,
            "failed": len(failed),
            "failures": failed[:20],
            "wall_time_s_this_run": time.perf_counter() - t_start,
            "sum_point_time_s": float(
                np.nansum([r.get("wall_time_s", np.nan) for r in records.values()])
            ),
            "scheduler": runner.kind,
            # the most workers seen computing this run's points (None: none computed)
            "workers": runner.workers_seen,
            "worker_deaths": runner.worker_deaths,
        }
        write_text(out / f"{exp.name}.summary.json", json_text(summary, indent=2) + "\n")
    return ds


def is_smoke_run(exp: Experiment) -> bool:
    """Whether ``exp`` is a reduced variant (``NAME-quick``, ``--quick``)."""
    return exp.name.endswith(QUICK_SUFFIX)


def mark_smoke_figure(path: Path) -> Path:
    """Add a banner saying :data:`SMOKE_NOTE` above the figure saved at ``path``.

    The figure's pixels are copied unchanged (``figimage``, no resampling) below a strip
    with the note, so no experiment's figure function needs to know about ``--quick``.
    """
    import matplotlib.image as mpimg
    from matplotlib.figure import Figure

    img = mpimg.imread(path)
    dpi = 100
    height, width = img.shape[:2]
    banner = 40
    fig = Figure(figsize=(width / dpi, (height + banner) / dpi), dpi=dpi)
    fig.figimage(img, xo=0, yo=0, origin="upper")
    fig.text(
        0.5,
        1 - (banner / 2) / (height + banner),
        "SMOKE RUN (--quick): " + SMOKE_NOTE,
        ha="center",
        va="center",
        color="firebrick",
        fontsize=10,
        fontweight="bold",
        wrap=True,
    )
    return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format="png"))


def _ensure_available(exp: Experiment, points: list[Point]) -> None:
    """Raise :class:`BackendUnavailable` for a realization that cannot run here."""
    seen = set()
    for pt in points:
        tag = (pt.model, pt.realization, json.dumps(pt.options, sort_keys=True))
        if tag in seen:
            continue
        seen.add(tag)
        real = get_realization(pt.model, pt.realization)
        opts = real.options.create(None, **pt.options) if real.options is not None else None
        real.ensure_available(opts)


def _finish_group(groups: dict[str, list[Point]], finish, lead: Point, record: dict) -> None:
    """``finish`` every point of ``lead``'s group: each with its own record from the task's
    ``"batch"``, or all with the lead's (e.g. the error of a task whose worker died)."""
    batch = record.pop("batch", None)
    finish(lead, record)
    for pt in groups[lead.key][1:]:
        finish(pt, batch[pt.key] if batch is not None else dict(record))


class _Runner:
    """Where the points run: this process, a local cluster (started when there is work)
    or a running scheduler (connected at once, so a bad address stops the sweep before
    anything is written). Tracks the workers it saw and the worker deaths."""

    def __init__(self, scheduler, workers, client, worker_retries, worker_timeout_s):
        self.scheduler = scheduler
        self.n_local = workers or 2
        self.client = client
        self.own_client = client is None
        self.cluster = None
        self.worker_retries = worker_retries
        self.worker_timeout_s = float(worker_timeout_s)
        self.workers_seen: int | None = None
        self.worker_deaths = 0
        self.local = scheduler in (None, "processes", "threads", "synchronous")
        if client is not None:
            self.kind = "client"
        elif scheduler in ("synchronous", "threads", "processes"):
            self.kind = scheduler
        elif scheduler is None:
            self.kind = "processes"
        else:
            self.kind = str(scheduler)
        if client is None and not self.local:
            self.client = self._connect(scheduler)

    @staticmethod
    def _connect(address):
        from distributed import Client

        if not isinstance(address, str):
            address = repr(address)
        try:
            return Client(address, timeout=f"{CONNECT_TIMEOUT_S}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            why = _first_line(exc)
            raise ParamError(
                f"scheduler: must be 'processes', 'threads', 'synchronous' or the address "
                f"of a running Dask scheduler, e.g. tcp://host:8786 ({why}) "
                f"(got {address!r})"
            ) from None

    def _start_local(self):
        import logging

        from distributed import Client, LocalCluster

        self.cluster = LocalCluster(
            n_workers=self.n_local,
            threads_per_worker=1,
            processes=self.scheduler != "threads",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        self.client = Client(self.cluster, set_as_default=False)

    def close(self) -> None:
        if self.own_client and self.client is not None:
            with contextlib.suppress(Exception):  # a lost scheduler cannot be closed cleanly
                self.client.close(timeout=5)
            if self.cluster is not None:
                with contextlib.suppress(Exception):
                    self.cluster.close(timeout=10)
        self.client = self.cluster = None

    def _n_workers(self) -> int:
        info = self.client.scheduler_info(n_workers=-1)
        return len(info.get("workers", {}))

    def execute(self, exp, todo, finish, bar) -> None:
        # points that can share a network are one task, run on one build (network_groups)
        groups = {grp[0].key: grp for grp in network_groups(todo)}
        todo = [grp[0] for grp in groups.values()]
        args = {
            pt.key: (
                pt.model,
                pt.realization,
                pt.params,
                pt.options,
                pt.seed,
                exp.observables,
                exp.derived,
                [(o.key, o.params, o.seed) for o in groups[pt.key][1:]],
            )
            for pt in todo
        }
        finish = functools.partial(_finish_group, groups, finish)
        backends = sorted(
            {pkg for pt in todo for pkg in get_realization(pt.model, pt.realization).requires}
        )
        if self.kind in ("synchronous", "threads"):
            _import_in_main_thread(backends)
        if self.kind == "synchronous":
            self.workers_seen = 1
            for pt in todo:
                finish(pt, run_point(*args[pt.key]))
            return
        if self.client is None:
            self._start_local()
        self._distributed(todo, args, backends, finish, bar)

    def _distributed(self, todo, args, backends, finish, bar) -> None:
        from distributed.scheduler import KilledWorker

        client = self.client
        futures: dict[str, tuple[Point, Any]] = {}
        tries: dict[str, int] = {}

        def submit(pt: Point) -> None:
            n = tries.get(pt.key, 0)
            key = f"neurotwin-point-{pt.key}" + (f"-retry{n}" if n else "")
            fut = client.submit(run_point, *args[pt.key], key=key, pure=False)
            futures[fut.key] = (pt, fut)

        try:
            if backends:
                client.register_plugin(_backend_importer(backends), name="neurotwin-backends")
            for pt in todo:
                submit(pt)
            no_worker_since: float | None = None
            warned = False
            while futures:
                self._check_client()
                n = self._n_workers_or_lost()
                self.workers_seen = max(self.workers_seen or 0, n)
                now = time.monotonic()
                if n:
                    no_worker_since, warned = None, False
                else:
                    no_worker_since = no_worker_since or now
                    idle = now - no_worker_since
                    if idle >= self.worker_timeout_s:
                        raise SweepError(
                            f"the Dask cluster at {self.kind} has had no worker for "
                            f"{idle:.0f} s (limit {self.worker_timeout_s:g} s)"
                        )
                    if not warned and idle >= self.worker_timeout_s / 4:
                        warned = True
                        bar.write(
                            f"warning: the Dask cluster at {self.kind} has no worker (for "
                            f"{idle:.0f} s); {len(futures)} points wait; the sweep stops "
                            f"after {self.worker_timeout_s:g} s without one"
                        )
                done = _first_done([f for _, f in futures.values()], POLL_S)
                for fut in done:
                    pt, _ = futures.pop(fut.key)
                    try:
                        record = fut.result()
                    except KilledWorker as exc:
                        self.worker_deaths += 1
                        tries[pt.key] = tries.get(pt.key, 0) + 1
                        where = f"({pt.label or pt.realization}, {pt.coords}, seed {pt.seed})"
                        if tries[pt.key] <= self.worker_retries:
                            bar.write(
                                f"worker died running point {where}; submitting it again "
                                f"({tries[pt.key]} of {self.worker_retries})"
                            )
                            submit(pt)
                            continue
                        # the point took its workers down every time (memory, a crash in
                        # compiled code): a result of the point, recorded like an exception
                        record = {
                            "values": {},
                            "error": f"{type(exc).__name__}: {exc} "
                            f"(its worker died {tries[pt.key]} times)",
                            "wall_time_s": float("nan"),
                        }
                    except Exception as exc:  # noqa: BLE001 - any other failure: cluster lost
                        raise self._lost(exc) from None
                    finish(pt, record)
        finally:
            pending = [f for _, f in futures.values() if not f.done()]
            if pending:
                with contextlib.suppress(Exception):
                    client.cancel(pending)

    def _check_client(self) -> None:
        if self.client.status in ("closing", "closed", "failed"):
            raise SweepError(
                f"lost the Dask scheduler at {self.kind} (client {self.client.status})"
            )

    def _n_workers_or_lost(self) -> int:
        try:
            return self._n_workers()
        except Exception as exc:  # noqa: BLE001 - the scheduler is gone or unreachable
            raise self._lost(exc) from None

    def _lost(self, exc: BaseException) -> SweepError:
        return SweepError(
            f"lost the Dask scheduler at {self.kind} ({type(exc).__name__}: {_first_line(exc)})"
        )


#: Dask's loggers that print tracebacks when a scheduler or worker goes away; the sweep
#: reports those faults itself, in one line
_DASK_LOGGERS = (
    "distributed",
    "distributed.client",
    "distributed.comm",
    "distributed.core",
    "distributed.batched",
    "distributed.utils",
)


@contextlib.contextmanager
def _quiet_dask(on: bool = True) -> Iterator[None]:
    """Silence Dask's own error logs for the block (restored afterwards)."""
    import logging

    if not on:
        yield
        return
    import distributed  # noqa: F401 - its first import sets these loggers' levels

    loggers = [logging.getLogger(name) for name in _DASK_LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _first_done(futures: list, seconds: float) -> list:
    """The futures done (finished, failed or cancelled) within ``seconds``; [] if none."""
    end = time.monotonic() + seconds
    while True:
        done = [f for f in futures if f.done()]
        if done or time.monotonic() >= end:
            return done
        time.sleep(0.02)


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    """Hold ``out/.lock`` while the sweep writes into ``out``.

    An ``flock`` on the file, which the kernel drops when its process ends: a lock
    file left by a killed sweep is simply taken over. The file records the holder's
    pid and host, named when a second sweep is refused.
    """
    import fcntl
    import socket

    make_dirs(out)
    path = out / LOCK_NAME
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise file_error(exc, path, "create the lock file") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise SweepError(
                f"out_dir: another sweep ({holder}) is writing into {out}; wait for it to "
                f"finish, or use another folder"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise file_error(exc, path, "lock") from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed it between our open and lock: again
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def _import_in_main_thread(packages: Sequence[str]) -> None:
    """Import simulator packages now, in this (main) thread.

    Brian2 installs a SIGINT handler when first imported, which Python allows only
    in the main thread; Dask runs tasks in worker threads, so the first
    ``import brian2`` inside a task would fail.
    """
    for pkg in packages:
        importlib.import_module(pkg)


def _backend_importer(packages: Sequence[str]):
    """A Dask worker plugin importing ``packages`` in each worker's main thread (its
    event loop runs there), before any task; also on workers that join later."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class ImportBackends(WorkerPlugin):
        def __init__(self, pkgs):
            self.pkgs = list(pkgs)

        def setup(self, worker):
            import importlib as _importlib
            import threading

            if threading.current_thread() is threading.main_thread():
                for pkg in self.pkgs:
                    _importlib.import_module(pkg)

    return ImportBackends(packages)


def _check_manifest(exp: Experiment, out: Path) -> None:
    path = out / "sweep.json"
    if not path.exists():
        return
    try:
        found = json.loads(read_text(path))
    except ValueError:
        found = None
    if found != exp.manifest():
        if not isinstance(found, dict):
            what = "an unreadable manifest"
        elif found.get("experiment") == exp.name:
            what = f"experiment {exp.name!r} with another grid or parameters"
        else:
            what = f"experiment {found.get('experiment')!r}"
        raise ParamError(
            f"out_dir: must be a new folder or hold the same sweep; {out} holds {what} "
            f"(see {path}); use another folder or remove it (got experiment {exp.name!r})"
        )


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def write(self, text: str) -> None:
        print(text, file=sys.stderr)

    def close(self) -> None:
        pass


def _progress(name: str, total: int, done: int, show: bool):
    if not show:
        return _NoBar()
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=done, desc=name, unit="pt", dynamic_ncols=True, file=sys.stderr)
    # messages (failed points, warnings) go above the bar, on stderr (tqdm's default: stdout)
    bar.write = functools.partial(tqdm.write, file=sys.stderr)
    return bar


# -- combining ----------------------------------------------------------------------


def summary_value(value: Any, digits: int = 6) -> float | None:
    """A number for a summary JSON: rounded to ``digits``, None if not finite (JSON has
    no NaN)."""
    v = float(value)
    return round(v, digits) if math.isfinite(v) else None


def sweep_param(ds: xr.Dataset, name: str) -> Any:
    """A model parameter of a combined sweep: its coordinate values if it varies over the
    grid, else the constant value (from the ``constant_params`` attribute)."""
    if name in ds.coords:
        return ds.coords[name].values
    constant = json.loads(ds.attrs.get("constant_params", "{}"))
    if name in constant:
        return constant[name]
    raise KeyError(f"parameter {name!r} is neither a coordinate nor a constant of this sweep")


def combine(exp: Experiment, points: list[Point], records: dict[str, dict]) -> xr.Dataset:
    """Points -> one Dataset with dims :attr:`Experiment.dims` (NaN and ``error`` where missing)."""
    reals = list(exp.realizations)
    grid = {k: [_plain(v) for v in vs] for k, vs in exp.grid.items()}
    seeds = [int(_plain(s)) for s in exp.seeds]
    axes = {"realization": reals, **grid, "seed": seeds}
    full_dims = ("realization", *grid, "seed")
    shape = tuple(len(v) for v in axes.values())
    index = {d: {json.dumps(v): i for i, v in enumerate(vals)} for d, vals in axes.items()}
    data = {name: np.full(shape, np.nan) for name in exp.kept}
    wall = np.full(shape, np.nan)
    errors = np.full(shape, "not run", dtype=object)
    # parameters that vary over the grid become coordinates (e.g. n_patterns(n_units, alpha))
    param_vals: dict[str, dict[tuple, Any]] = {}
    for pt in points:
        idx = tuple(index[d][json.dumps(v)] for d, v in zip(full_dims, pt.index, strict=True))
        for pname, pval in pt.params.items():
            param_vals.setdefault(pname, {})[idx[:-1]] = pval
        rec = records.get(pt.key)
        if rec is None:
            continue
        for name in exp.kept:
            data[name][idx] = rec["values"].get(name, np.nan)
        wall[idx] = rec.get("wall_time_s", np.nan)
        errors[idx] = rec["error"]

    squeeze = len(reals) == 1
    dims = exp.dims

    def shaped(arr):
        return arr[0] if squeeze else arr

    data_vars = {name: (dims, shaped(arr)) for name, arr in data.items()}
    data_vars["error"] = (dims, shaped(errors).astype(str))
    data_vars["wall_time_s"] = (dims, shaped(wall), {"units": "s"})
    coords: dict[str, Any] = {d: axes[d] for d in dims}
    if squeeze:
        coords["realization"] = reals[0]
    # the realization's own params are the same over realizations for the model fields
    varying_dims = dims[:-1]
    for pname, by_idx in param_vals.items():
        if pname in grid:
            continue
        values = list(by_idx.values())
        if all(json.dumps(v) == json.dumps(values[0]) for v in values):
            continue
        arr = np.empty(shape[:-1], dtype=object)
        for idx, v in by_idx.items():
            arr[idx] = v
        arr = arr[0] if squeeze else arr
        try:
            arr = np.asarray(arr.tolist())
        except ValueError:
            arr = arr.astype(str)
        if arr.dtype == object:  # e.g. None among the values: netCDF needs one type
            arr = arr.astype(str)
        coords[pname] = (varying_dims, arr)
    first = points[0]
    constant = {k: v for k, v in first.params.items() if k not in coords and k not in grid}
    attrs = {
        "experiment": exp.name,
        "model": exp.model,
        "realizations": json.dumps(reals),
        "description": exp.description,
        "constant_params": json.dumps(constant, sort_keys=True),
        "manifest": json.dumps(exp.manifest(), sort_keys=True),
        "n_failed": int(sum(1 for pt in points if records.get(pt.key, {}).get("error"))),
        "n_missing": int(sum(1 for pt in points if pt.key not in records)),
        **version_attrs(),
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


# -- helpers ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars (Params are strict: np.int64 is not an int)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


def _canonical(obj: Any) -> Any:
    """JSON round trip with numpy values made plain: the form compared and hashed."""
    return json.loads(json.dumps(obj, sort_keys=True, default=_plain))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


__all__ = [
    "EXPERIMENTS",
    "available_part",
    "Experiment",
    "Point",
    "combine",
    "expand",
    "experiments",
    "get_experiment",
    "input_params",
    "network_groups",
    "point_key",
    "read_point",
    "register_experiment",
    "run_point",
    "run_sweep",
    "summary_value",
    "sweep_param",
]
