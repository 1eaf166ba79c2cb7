"""How a sweep's points are spread: in this process or on Dask, how many points per task,
and how many BLAS threads each worker's products may start.

Measured on the 2-core development machine (issue 16): a local Dask cluster takes 5-7 s
to start and about 31 ms per task, so 100 points of 20 ms ran 5.1x slower on it than in
a plain loop; and two workers that each start one BLAS thread per core fight over the
same cores. Hence:

* without an explicit ``--workers`` / ``--scheduler``, the first points run in this
  process (a pilot of about :data:`PILOT_S`); the rest stays here unless a cluster of
  the default size is expected to finish sooner, start included (:func:`choose_mode`);
* on a cluster, points go out in batches of about :data:`TASK_S` of work once their cost
  is measured (:func:`batch_size`), so the per-task cost stays small next to the work;
* a task on a worker limits BLAS to ``max(1, cores // k)`` threads, ``k`` the worker
  threads on its host (:func:`blas_limit`); a run in this process keeps the defaults;
* the local cluster's worker processes keep glibc's own malloc trimming
  (:func:`local_cluster_config`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..budget import usable_cores
from .points import run_point

#: seconds of points the pilot runs in this process before choosing where the rest runs
PILOT_S = 1.0
#: seconds a local cluster takes to start and warm up (imports) before its first point;
#: the 5-7 s measured on the loaded 2-core machine (issue 16)
CLUSTER_START_S = 5.0
#: seconds of work per Dask task once points are measured (about 31 ms per task is Dask's)
TASK_S = 0.5
#: tasks kept in flight per worker: one running and one waiting, so no worker idles
#: between tasks while the queue still holds points to batch by the latest estimate
IN_FLIGHT_PER_WORKER = 2


@dataclass(frozen=True)
class Mode:
    """Where the rest of an automatic sweep runs, and the line that says why."""

    in_process: bool
    reason: str


def choose_mode(n_left: int, point_s: float, n_measured: int, n_workers: int) -> Mode:
    """In this process, unless a local cluster of ``n_workers`` finishes the ``n_left``
    points of about ``point_s`` seconds each sooner, its start (:data:`CLUSTER_START_S`)
    included: ``n point_s > CLUSTER_START_S + n point_s / n_workers``."""
    here = n_left * point_s
    there = CLUSTER_START_S + here / n_workers
    what = f"{_count(n_left, 'more point')} of ~{_seconds(point_s)} each (measured on {n_measured})"
    if n_left == 0:
        return Mode(
            True,
            f"every point ran in the pilot ({_count(n_measured, 'point')} of ~{_seconds(point_s)} "
            f"each): in-process, no cluster started",
        )
    cluster = f"a local cluster of {_count(n_workers, 'worker')}"
    start = f"~{CLUSTER_START_S:g} s start"
    if n_workers > 1 and there < here:
        return Mode(
            False,
            f"{what}: {cluster} (~{_seconds(there)} with its {start}, ~{_seconds(here)} "
            f"in-process)",
        )
    return Mode(
        True,
        f"{what}: in-process (~{_seconds(here)}; {cluster} would take ~{_seconds(there)} "
        f"with its {start})",
    )


def batch_size(point_s: float | None, n_left: int, n_workers: int) -> int:
    """Points per task: about :data:`TASK_S` of work (1 while the cost is unknown), but
    never so many that fewer than :data:`IN_FLIGHT_PER_WORKER` tasks per worker remain."""
    if point_s is None or not point_s > 0 or n_left <= 0:
        return 1
    by_cost = math.ceil(TASK_S / point_s)
    by_balance = math.ceil(n_left / (IN_FLIGHT_PER_WORKER * max(n_workers, 1)))
    return max(1, min(by_cost, by_balance))


#: Dask's shipped value of ``distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_``
DASK_MALLOC_TRIM = 65536

#: (Dask's shipped interval, the sweep's) of the periodic monitors that every scheduler,
#: nanny and worker runs (event-loop latency ticks, psutil system and memory samples).
#: On the 2-core machine (issue 16) the calling process (scheduler and nannies of a
#: 2-worker cluster) took 6.6-8.8 % of a core between the first and last points with
#: Dask's, 3.8-4.1 % with the sweep's: time the two workers' points could not use. The
#: sweep's cluster serves no dashboard; the monitors still run, less often. The memory
#: monitor (spilling, pausing, and the nanny's restart of a worker over its limit) acts
#: within half a second instead of a tenth.
MONITOR_INTERVALS = {
    "distributed.admin.tick.interval": ("20ms", "1s"),
    "distributed.admin.system-monitor.interval": ("500ms", "2s"),
    "distributed.worker.memory.monitor-interval": ("100ms", "500ms"),
}


def local_cluster_config(get=None) -> dict:
    """Dask settings for the local cluster a sweep starts itself (its scheduler and
    nannies in this process, its workers in processes of their own, which the nannies
    hand this config).

    Dask starts its worker processes with ``MALLOC_TRIM_THRESHOLD_=65536``, so that
    freed memory goes back to the system at once. Setting it also turns off glibc's
    adaptive mmap threshold, so every array above 128 kB is mapped and unmapped anew:
    a 1 s Brian2 Hopfield point (N = 200) took 60,000-70,000 page faults in a worker
    against 4,000-7,000 in a plain process (issue 16). The sweep's workers run
    simulations, not long-lived data services, so they keep glibc's default. The
    periodic monitors run at :data:`MONITOR_INTERVALS`. Only Dask's shipped values are
    replaced: a value from the user's Dask config is left as it is, and a trim
    threshold set in this process's environment still reaches the workers, which
    inherit it. ``get``: the config getter (default ``dask.config.get``), for tests.
    """
    import dask
    from dask.utils import parse_timedelta

    get = get or dask.config.get
    # key -> (Dask's shipped value, the sweep's, how Dask reads the value)
    replaced = {
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": (
            DASK_MALLOC_TRIM,
            None,
            int,
        ),
        **{key: (dasks, ours, parse_timedelta) for key, (dasks, ours) in MONITOR_INTERVALS.items()},
    }
    config: dict = {}
    for key, (dasks, ours, read) in replaced.items():
        value = get(key, None)
        try:
            shipped = value is not None and read(value) == read(dasks)
        except (TypeError, ValueError, KeyError):  # the user's own value, left as it is
            shipped = False
        if shipped:
            config[key] = ours
    return config


def blas_limit(cores: int, worker_threads: int) -> int:
    """BLAS threads for each of ``worker_threads`` task threads sharing ``cores``."""
    return max(1, cores // max(worker_threads, 1))


def host_threads(scheduler_info: dict) -> dict[str, int]:
    """Worker threads per host (the host of each worker's address) of a Dask cluster."""
    from urllib.parse import urlparse

    out: dict[str, int] = {}
    for address, info in scheduler_info.get("workers", {}).items():
        host = urlparse(address).hostname or address
        out[host] = out.get(host, 0) + int(info.get("nthreads", 1))
    return out


def run_batch(groups: Sequence[tuple], threads_by_host: dict[str, int] | None) -> list[dict]:
    """Run each group's :func:`~.points.run_point` arguments on a Dask worker, BLAS limited
    to :func:`blas_limit` of this host's cores and worker threads (``threads_by_host``:
    as the client saw the cluster; a host it did not see counts this worker's threads).
    ``None``: keep the process's limits (threads of this process share them)."""
    if threads_by_host is None:
        return [run_point(*args) for args in groups]
    from urllib.parse import urlparse

    from distributed import get_worker
    from threadpoolctl import threadpool_limits

    worker = get_worker()
    host = urlparse(worker.address).hostname or worker.address
    k = threads_by_host.get(host) or worker.state.nthreads
    with threadpool_limits(limits=blas_limit(usable_cores(), k), user_api="blas"):
        return [run_point(*args) for args in groups]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _seconds(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.1f} s"
