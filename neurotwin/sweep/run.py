"""Running a sweep: local or external Dask cluster, resume, retries, lock, progress."""

from __future__ import annotations

import collections
import contextlib
import functools
import importlib
import itertools
import json
import math
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..budget import usable_cores
from ..errors import ParamError, SweepError
from ..files import (
    atomic_write,
    check_writable,
    file_error,
    json_text,
    make_dirs,
    read_text,
    remove_stale_temps,
    write_text,
)
from ..registry import get_realization
from ..results import write_dataset
from .combine import combine
from .experiment import QUICK_SUFFIX, SMOKE_NOTE, Experiment, get_experiment
from .points import Point, expand, network_groups, read_point, run_point, write_point
from .tasks import (
    CLUSTER_START_S,
    IN_FLIGHT_PER_WORKER,
    PILOT_S,
    TASK_S,
    _count,
    _seconds,
    batch_size,
    blas_limit,
    choose_mode,
    host_threads,
    local_cluster_config,
    run_batch,
)
from .values import _first_line

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
#: the latest point times kept to size batches of points per task
TIMES_KEPT = 200


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
        ``None``: with ``workers`` given, a local Dask cluster of that many
        single-threaded worker processes; without, the first points run in this
        process (a pilot of about a second, :mod:`.tasks`) and the rest stays here
        unless a local cluster of 2 workers would finish sooner, its start included
        (the progress output says which and why). ``"processes"``: a local cluster
        of ``workers`` (default 2) worker processes; ``"threads"``: the same cluster in
        this process; ``"synchronous"``: no Dask, every point in this process, in
        order (for debugging and tests); anything else: the address of a running
        Dask scheduler, e.g. ``tcp://host:7786``, whose workers can import neurotwin.
        Dask sends pickled tasks and results between the scheduler, its workers and
        this process, and unpickling runs code: give only the address of a cluster
        you trust (yours, on a network you trust).
    workers : int, optional
        Local worker count (ignored with a scheduler address); given, it is used even
        for points too small to pay the cluster's start. On a cluster, points go out
        in batches of about half a second of work once measured, and each worker
        process limits BLAS to ``max(1, cores // worker threads on its host)`` threads.
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
        write_point(pdir / f"{pt.key}.nc", exp, pt, record)
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
        runner.close_soon()  # every point is in: the cluster stops while we combine
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
            "mode": runner.mode,
            "cluster_start_s": runner.cluster_start_s,
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
        self.workers = workers
        self.n_local = workers or 2
        self.mode = ""  # the progress line saying where the points ran and why
        self.cluster_start_s: float | None = None
        self.client = client
        self.own_client = client is None
        self.cluster = None
        self.worker_retries = worker_retries
        self.worker_timeout_s = float(worker_timeout_s)
        self.workers_seen: int | None = None
        self.worker_deaths = 0
        self._closing: threading.Thread | None = None
        self.local = scheduler in (None, "processes", "threads", "synchronous")
        if client is not None:
            self.kind = "client"
        elif scheduler in ("synchronous", "threads", "processes"):
            self.kind = scheduler
        elif scheduler is None:
            # nothing chosen: a pilot in this process measures the points, then the rest
            # runs here or on a local cluster (tasks.choose_mode)
            self.kind = "processes" if workers is not None else "auto"
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

        import dask
        from distributed import Client, LocalCluster

        with dask.config.set(local_cluster_config()):
            self.cluster = LocalCluster(
                n_workers=self.n_local,
                threads_per_worker=1,
                processes=self.scheduler != "threads",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        self.client = Client(self.cluster, set_as_default=False)

    def close(self) -> None:
        """Close what this runner started (waiting for :meth:`close_soon`'s thread)."""
        if self._closing is not None:
            self._closing.join()
            self._closing = None
        self._close_now()

    def close_soon(self) -> None:
        """Start closing what this runner started in a thread, once its points are done:
        a local cluster's workers take 0.2-0.6 s to stop, which then overlaps the combined
        dataset's writing (:meth:`close` waits for it, so nothing outlives the sweep)."""
        if self.own_client and self.client is not None and self._closing is None:
            self._closing = threading.Thread(
                target=self._close_now, name="neurotwin-sweep-close", daemon=True
            )
            self._closing.start()

    def _close_now(self) -> None:
        if self.own_client and self.client is not None:
            with contextlib.suppress(Exception):  # a lost scheduler cannot be closed cleanly
                self.client.close(timeout=5)
            if self.cluster is not None:
                with contextlib.suppress(Exception):
                    self.cluster.close(timeout=10)
        self.client = self.cluster = None

    def _info(self) -> dict:
        return self.client.scheduler_info(n_workers=-1)

    def execute(self, exp, todo, finish, bar) -> None:
        # points that can share a network are one unit, run on one build (network_groups)
        groups = {grp[0].key: grp for grp in network_groups(todo)}
        leads = [grp[0] for grp in groups.values()]
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
            for pt in leads
        }
        finish = functools.partial(_finish_group, groups, finish)
        backends = sorted(
            {pkg for pt in leads for pkg in get_realization(pt.model, pt.realization).requires}
        )
        if self.kind in ("synchronous", "threads", "auto"):
            _import_in_main_thread(backends)
        point_s = None
        if self.kind == "auto":
            leads, point_s, mode = self._pilot(leads, args, groups, finish)
            self.mode = mode.reason
            bar.write(mode.reason)
            self.kind = "in-process" if mode.in_process else "processes"
        elif self.kind != "synchronous":
            self.mode = self._describe()
            bar.write(self.mode)
        if self.kind in ("synchronous", "in-process"):
            self.workers_seen = 1
            for pt in leads:
                finish(pt, run_point(*args[pt.key]))
            return
        if self.client is None:
            t0 = time.perf_counter()
            self._start_local()
            self.cluster_start_s = time.perf_counter() - t0
        self._distributed(leads, args, groups, backends, finish, bar, point_s)

    def _pilot(self, leads, args, groups, finish):
        """Run the first points here: the first (imports, compilation: what any worker
        pays too), then more for about PILOT_S unless the first alone took longer than a
        cluster start. Returns the points left, the median seconds per point (after the
        first, where there are others) and the :class:`~.tasks.Mode` for the rest."""
        t0 = time.perf_counter()
        first = leads[0]
        finish(first, run_point(*args[first.key]))
        t1 = time.perf_counter()
        n_first = len(groups[first.key])
        i, n_more = 1, 0
        # seconds per point of each pilot group after the first; their median, not the
        # mean, sizes the rest: a one-off cost can land on a later point too (xarray's
        # first dataset imports dask.array, ~2 s), and one such point made a mean of
        # 168 ms out of points of 25 ms, sending 84 points to a cluster (5.4x the loop)
        each: list[float] = []
        if (t1 - t0) / n_first < CLUSTER_START_S:
            while i < len(leads) and time.perf_counter() - t1 < PILOT_S:
                t = time.perf_counter()
                finish(leads[i], run_point(*args[leads[i].key]))
                n = len(groups[leads[i].key])
                each.append((time.perf_counter() - t) / n)
                n_more += n
                i += 1
        point_s = statistics.median(each) if each else (t1 - t0) / n_first
        n_left = sum(len(groups[pt.key]) for pt in leads[i:])
        mode = choose_mode(n_left, point_s, n_first + n_more, self.n_local)
        return leads[i:], point_s, mode

    def _describe(self) -> str:
        """The progress line of a sweep whose user chose where it runs."""
        batches = f"points batched per task to ~{TASK_S:g} s of work once measured"
        if self.kind == "client":
            return f"on the given Dask client; {batches}"
        if self.local:
            where = "threads of this process" if self.kind == "threads" else "processes"
            chosen = f"--workers {self.n_local}" if self.workers is not None else "--scheduler"
            blas = (
                "BLAS threads as this process's"
                if self.kind == "threads"
                else f"{blas_limit(usable_cores(), self.n_local)} BLAS thread(s) per worker"
            )
            cluster = _count(self.n_local, "worker")
            return f"on a local cluster of {cluster} ({where}; {chosen}), {blas}; {batches}"
        return (
            f"on the Dask cluster at {self.kind} (--scheduler), BLAS threads per worker: its "
            f"host's cores // worker threads there; {batches}"
        )

    def _distributed(self, leads, args, groups, backends, finish, bar, point_s) -> None:
        from distributed.scheduler import KilledWorker

        client = self.client
        queue = collections.deque(leads)
        futures: dict[str, tuple[list[Point], Any]] = {}
        tries: dict[str, int] = {}
        # the latest points' seconds (their median sizes the batches; the first point on
        # each worker, its imports included, does not sway it)
        times: collections.deque[float] = collections.deque(
            [] if point_s is None else [point_s], maxlen=TIMES_KEPT
        )
        counter = itertools.count()
        # worker threads per host, as last seen ({}: none seen yet, each worker counts its
        # own; None: threads of this process share one BLAS, whose limits stay this
        # process's)
        threads: dict[str, int] | None = None if self.kind == "threads" else {}
        said_batch = 1

        def submit(batch: list[Point]) -> None:
            key = f"neurotwin-points-{batch[0].key}-{next(counter)}"
            work = [args[pt.key] for pt in batch]
            fut = client.submit(run_batch, work, threads, key=key, pure=False)
            futures[fut.key] = (batch, fut)

        def fill(n_workers: int) -> None:
            nonlocal said_batch
            while queue and len(futures) < IN_FLIGHT_PER_WORKER * max(n_workers, 1):
                n_left = sum(len(groups[pt.key]) for pt in queue)
                size = batch_size(statistics.median(times) if times else None, n_left, n_workers)
                batch, n_points = [], 0
                while queue and (not batch or n_points + len(groups[queue[0].key]) <= size):
                    batch.append(queue.popleft())
                    n_points += len(groups[batch[-1].key])
                if n_points > said_batch:
                    said_batch = n_points
                    bar.write(
                        f"batches of up to {n_points} points per task (points of "
                        f"~{_seconds(statistics.median(times))} each)"
                    )
                submit(batch)

        def died(batch: list[Point], exc: BaseException) -> None:
            self.worker_deaths += 1
            for pt in batch:
                tries[pt.key] = tries.get(pt.key, 0) + 1
                where = f"({pt.label or pt.realization}, {pt.coords}, seed {pt.seed})"
                if tries[pt.key] <= self.worker_retries:
                    bar.write(
                        f"worker died running point {where}; submitting it again "
                        f"({tries[pt.key]} of {self.worker_retries})"
                    )
                    submit([pt])  # alone: a point that kills its worker takes no other along
                    continue
                # the point took its workers down every time (memory, a crash in
                # compiled code): a result of the point, recorded like an exception
                finish(
                    pt,
                    {
                        "values": {},
                        "error": f"{type(exc).__name__}: {exc} "
                        f"(its worker died {tries[pt.key]} times)",
                        "wall_time_s": float("nan"),
                    },
                )

        try:
            # worker processes of our own local cluster (not threads of this process)
            own = self.cluster is not None and self.kind != "threads"
            if backends or own:
                client.register_plugin(_worker_setup(backends, own), name="neurotwin-workers")
            no_worker_since: float | None = None
            warned = False
            polled, n = -math.inf, 0
            while queue or futures:
                self._check_client()
                now = time.monotonic()
                if now - polled >= POLL_S:  # a round trip to the scheduler: not per task
                    info = self._info_or_lost()
                    polled, n = now, len(info.get("workers", {}))
                    self.workers_seen = max(self.workers_seen or 0, n)
                    if self.kind != "threads" and n:
                        threads = host_threads(info)
                fill(n)
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
                        n_wait = sum(len(groups[pt.key]) for pt in queue) + sum(
                            len(groups[pt.key]) for b, _ in futures.values() for pt in b
                        )
                        bar.write(
                            f"warning: the Dask cluster at {self.kind} has no worker (for "
                            f"{idle:.0f} s); {n_wait} points wait; the sweep stops "
                            f"after {self.worker_timeout_s:g} s without one"
                        )
                done = _first_done([f for _, f in futures.values()], POLL_S)
                for fut in done:
                    batch, _ = futures.pop(fut.key)
                    try:
                        records = fut.result()
                    except KilledWorker as exc:
                        died(batch, exc)
                        continue
                    except Exception as exc:  # noqa: BLE001 - any other failure: cluster lost
                        raise self._lost(exc) from None
                    for pt, record in zip(batch, records, strict=True):
                        times.extend(_point_times(record))
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

    def _info_or_lost(self) -> dict:
        try:
            return self._info()
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


def _worker_setup(packages: Sequence[str], own_cluster: bool):
    """A Dask worker plugin importing ``packages`` in each worker's main thread (its
    event loop runs there), before any task; also on workers that join later.

    ``own_cluster``: the workers are processes of this sweep's local cluster, which no
    one else's code runs in. Then Brian2 is imported without pylab
    (:func:`neurotwin.spiking._brian2.import_without_pylab`: 0.3-0.7 s less per worker
    start), and the plugin's teardown, their exit, freezes the heap (``gc.freeze``), so
    Python's final collections at exit skip the objects the system frees anyway: a
    worker that imported Brian2 took 0.5-0.6 s to exit, 0.15 s frozen (issue 16). A
    cluster the user gave keeps running and gets a plain import; its workers are left
    as they are.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class WorkerSetup(WorkerPlugin):
        def __init__(self, pkgs, own):
            self.pkgs = list(pkgs)
            self.own = own

        def setup(self, worker):
            import importlib as _importlib
            import threading

            if threading.current_thread() is not threading.main_thread():
                return
            if self.own and "brian2" in self.pkgs:
                from neurotwin.spiking._brian2 import import_without_pylab

                import_without_pylab()
            for pkg in self.pkgs:
                _importlib.import_module(pkg)

        def teardown(self, worker):
            if self.own:
                import gc

                gc.freeze()

    return WorkerSetup(packages, own_cluster)


def _point_times(record: dict) -> list[float]:
    """Seconds of each point in a task's record (its lead's and its ``"batch"``'s)."""
    recs = [record, *record.get("batch", {}).values()]
    return [r["wall_time_s"] for r in recs if math.isfinite(r.get("wall_time_s", math.nan))]


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
