"""Sweeps that scale: 1 vs 2 workers on points of about a second, and 100 tiny points
against a plain loop, through the public sweep API (``neurotwin.sweep.run_sweep``).

All in one process, on experiments defined here (``hopfield`` reference, synchronous
updates, one point per seed):

1. **long points** (``--long-points`` points of ``--long-units`` units, ``--long-cues``
   cues, on ``--long-realization``: about 1 s each on the 2-core development machine):
   ``run_sweep(workers=1)`` and ``run_sweep(workers=2)``, each a fresh local cluster and
   output folder, ``--long-repeats`` times in turn with the plain loops below. Reported
   per repeat:
   wall seconds with the cluster's start and without it (from the summary's
   ``cluster_start_s``), the ratio 1 worker / 2 workers (issue 16's goal: >= 1.8), and
   the BLAS threads the points saw (a derived value read by threadpoolctl inside each
   point: ``max(1, cores // workers)`` expected); then the same points as plain loops in
   one fresh process and in two at once (no Dask): the ratio two processes reach on this
   machine, the sweep's ceiling (two processes share memory bandwidth and caches); and
   ``run_sweep(client=...)`` on a running local cluster of 1 and of 2 workers, started
   and warmed beforehand (as ``--scheduler tcp://...`` uses one): the sweep's scaling
   without its processes' start and imports (about 2 s a worker);
2. **tiny points** (``--tiny-points`` points of about 20 ms): a plain Python loop of
   ``neurotwin.run`` on the same points, then ``run_sweep`` with nothing chosen (the
   sweep picks in-process or a cluster from a pilot and says which: the line is
   printed), then ``run_sweep(workers=2)`` (the user's choice honoured: points batched
   per task). Ratios: sweep / loop (goal: <= 1.5 for the automatic choice). Both warm
   (one ``neurotwin.run`` before any timing); the first automatic sweep also pays a
   one-off import (xarray's first dataset imports ``dask.array``), so three more run
   alternately with three more loops, best of each.
   The sweep writes one netCDF file per point and the combined dataset; the
   experiments here draw no figure.

Speed is reported as ratios between runs in this process, never asserted. The load
average before and after is printed: on a shared machine the ratios mean little.

Run: ``python benchmarks/bench_sweep_scaling.py [--long-realization brian2 --long-points 16
--long-units 200 --long-cues 40 --long-repeats 3 --tiny-points 100 --tiny-units 1000
--tiny-cues 600] [--long-point-s SECONDS] [--sweeps-only] [--skip-long] [--skip-tiny]``.
``--long-point-s`` sizes the long points for another machine (cues chosen from two timed
runs); ``--sweeps-only`` times only the two sweeps of each repeat. Each timing is also
printed as it is taken (``# [i] ...`` lines), so a run cut short still reports.
The long points default to Brian2's runtime target (single-threaded, about 1 s each):
a reference point of that size is a BLAS product that one worker already runs on both
cores, so two workers cannot be faster there (``--long-realization reference`` shows it).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import neurotwin
from neurotwin import sweep
from neurotwin.budget import usable_cores

KEPT = ("final_overlap", "recall_fraction")


def blas_threads(result) -> float:
    """The BLAS threads this point's process allowed (a derived value, read in the worker)."""
    from threadpoolctl import threadpool_info

    return float(max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"))


def experiment(
    name: str, n_points: int, n_units: int, n_cues: int, probe: bool, realization: str
) -> sweep.Experiment:
    """``n_points`` seeds of one setting; ``probe``: keep :func:`blas_threads` too (a few
    ms per point, so not on the tiny points timed against the loop)."""
    fixed = {"n_units": n_units, "n_patterns": max(1, n_units // 20), "n_cues": n_cues}
    if realization == "reference":
        fixed["update"] = "sync"
    return sweep.Experiment(
        name=name,
        model="hopfield",
        realizations=(realization,),
        grid={"cue_noise": [0.1]},
        seeds=tuple(range(n_points)),
        fixed=fixed,
        observables=KEPT,
        derived={"blas_threads": blas_threads} if probe else {},
    )


def timed_sweep(exp: sweep.Experiment, **kw) -> tuple[float, dict, list[float]]:
    """Wall seconds of ``run_sweep`` into a fresh folder, its summary, the BLAS threads seen."""
    with tempfile.TemporaryDirectory(prefix="neurotwin-bench-scaling-") as out:
        t0 = time.perf_counter()
        ds = sweep.run_sweep(exp, out, progress=False, **kw)
        took = time.perf_counter() - t0
        summary = json.loads((Path(out) / f"{exp.name}.summary.json").read_text())
    assert (ds["error"].values == "").all(), ds["error"].values
    threads = ds["blas_threads"].values.ravel() if "blas_threads" in ds else []
    return took, summary["sweep"], sorted({int(v) for v in threads})


#: a plain loop of the long points in a fresh process (imports included, as a worker's)
LOOP = """
import json, sys
import neurotwin
kw = json.loads(sys.argv[1])
for seed in kw["seeds"]:
    neurotwin.run("hopfield", kw["realization"], seed=seed, cue_noise=0.1, **kw["fixed"])
"""


def plain_processes(exp: sweep.Experiment, realization: str, n_procs: int) -> float:
    """Wall seconds of ``n_procs`` fresh processes running the experiment's seeds between
    them as plain loops, all at once: what two workers could do at best on this machine
    (its cores shared, each process paying its own imports), with no Dask at all."""
    seeds = list(exp.seeds)
    share = [seeds[i::n_procs] for i in range(n_procs)]
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                LOOP,
                json.dumps({"seeds": part, "realization": realization, "fixed": exp.fixed}),
            ]
        )
        for part in share
    ]
    for proc in procs:
        if proc.wait() != 0:
            raise RuntimeError(f"plain loop exited with {proc.returncode}")
    return time.perf_counter() - t0


def _warm_point(kw: dict) -> None:
    """One point in a worker's main thread: Brian2's import and first run (client.run)."""
    neurotwin.run("hopfield", kw["realization"], seed=0, cue_noise=0.1, **kw["fixed"])


def running_cluster_sweep(exp: sweep.Experiment, realization: str, n_workers: int) -> float:
    """Wall seconds of ``run_sweep(client=...)`` on a local cluster of ``n_workers`` that
    was started and warmed (imports, one point per worker) beforehand, as a researcher's
    running cluster is (``--scheduler tcp://...`` or ``client=``): the sweep's own
    scaling without the processes' start. A plain ``LocalCluster``, as a user makes one."""
    import logging

    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        client.run(_warm_point, {"realization": realization, "fixed": exp.fixed})
        took, _, _ = timed_sweep(exp, client=client)
    return took


def progress(line: str) -> None:
    """A timing as soon as it is taken (the tables come at the end): a run cut short by a
    time limit still shows what it measured."""
    print(f"# {line}", flush=True)


def calibrated_cues(args) -> int:
    """The cue count at which one long point takes about ``--long-point-s`` seconds here:
    a point's time is about linear in its cues (a fixed build, then one run per cue), so
    it is timed at ``--long-cues`` and twice that (best of two each), after a first run
    that pays the imports and compilation, and the line through the two is solved for
    the target."""
    fixed = {"n_units": args.long_units, "n_patterns": max(1, args.long_units // 20)}
    if args.long_realization == "reference":
        fixed["update"] = "sync"

    def point(cues: int) -> float:
        t0 = time.perf_counter()
        neurotwin.run(
            "hopfield", args.long_realization, seed=0, cue_noise=0.1, n_cues=cues, **fixed
        )
        return time.perf_counter() - t0

    c0 = args.long_cues
    point(c0)  # imports, code generation, compilation
    # best of two at each count: a second run in a process can still pay one-off costs
    t0 = min(point(c0), point(c0))
    t1 = min(point(2 * c0), point(2 * c0))
    if t1 > t0 * 1.2:  # the line is trustworthy: the run grows with its cues
        cues = max(1, round(c0 + (args.long_point_s - t0) / ((t1 - t0) / c0)))
    else:  # timing noise swamped the slope (seen once on a loaded machine): proportional
        cues = max(1, round(2 * c0 * args.long_point_s / t1))
    print(
        f"# calibration: {c0} cues {t0:.2f} s, {2 * c0} cues {t1:.2f} s in this process -> "
        f"--long-cues {cues} for ~{args.long_point_s:.2f} s points"
    )
    return cues


def row(what, secs, start, threads, mode):
    start_txt = f"{start:8.2f}" if start is not None else f"{'-':>8}"
    print(f"{what:<52} {secs:8.2f} {start_txt} {str(threads):>10}  {mode}")


def _print_tiny(args, t_loop, auto, again, two) -> None:
    (t_auto, s_auto, th_auto), (t_again, s_again), (t_two, s_two, th_two) = auto, again, two
    print()
    print(
        f"tiny: {args.tiny_points} points, hopfield reference sync, n_units {args.tiny_units}, "
        f"{args.tiny_cues} cues, ~{t_loop / args.tiny_points * 1000:.0f} ms per point in the loop"
    )
    print(f"{'what':<52} {'seconds':>8} {'start_s':>8} {'blas':>10}  mode")
    row("plain loop of neurotwin.run (best of 4)", t_loop, None, "-", "")
    row("run_sweep, nothing chosen", t_auto, s_auto["cluster_start_s"], th_auto, s_auto["mode"])
    row(
        "run_sweep, nothing chosen, again (best of 3)", t_again, s_again["cluster_start_s"], "-", ""
    )
    row("run_sweep, workers=2", t_two, s_two["cluster_start_s"], th_two, s_two["mode"])
    print(f"ratio sweep (nothing chosen) / loop   {t_auto / t_loop:6.2f}   (goal <= 1.5)")
    print(f"ratio the same, again / loop          {t_again / t_loop:6.2f}   (imports warm)")
    print(f"ratio sweep (workers=2) / loop        {t_two / t_loop:6.2f}")


def _tiny(args) -> None:
    """The tiny points: a plain loop, the automatic sweep and 2 workers (part 2)."""
    tiny = experiment(
        "bench-scaling-tiny",
        args.tiny_points,
        args.tiny_units,
        args.tiny_cues,
        probe=False,
        realization="reference",
    )
    fixed = tiny.fixed
    neurotwin.run("hopfield", "reference", seed=0, cue_noise=0.1, **fixed)  # warm: imports

    def loop() -> float:
        t0 = time.perf_counter()
        for s in tiny.seeds:
            r = neurotwin.run("hopfield", "reference", seed=s, cue_noise=0.1, **fixed)
            _ = [r.observables[k] for k in KEPT]
        return time.perf_counter() - t0

    t_loop = loop()
    t_auto, s_auto, th_auto = timed_sweep(tiny)  # xarray's first dataset imports dask.array
    # then loop and sweep alternately, best of three each: the machine's speed drifts by
    # tens of percent over a minute (shared cores), more than the difference measured
    loops, agains = [t_loop], []
    for _ in range(3):
        t_again, s_again, _ = timed_sweep(tiny)
        agains.append(t_again)
        loops.append(loop())
    t_loop, t_again = min(loops), min(agains)
    t_two, s_two, th_two = timed_sweep(tiny, workers=2)

    _print_tiny(args, t_loop, (t_auto, s_auto, th_auto), (t_again, s_again), (t_two, s_two, th_two))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # long points: Brian2 (runtime, single-threaded) by default, since a BLAS-bound
    # reference point already uses both cores on one worker and cannot gain from two
    ap.add_argument("--long-realization", choices=("brian2", "reference"), default="brian2")
    ap.add_argument("--long-points", type=int, default=16)
    ap.add_argument("--long-units", type=int, default=200)
    ap.add_argument("--long-cues", type=int, default=40)
    ap.add_argument("--long-repeats", type=int, default=3)
    ap.add_argument(
        "--long-point-s",
        type=float,
        default=None,
        help="choose --long-cues so that one long point takes about this many seconds here "
        "(timed in this process at two cue counts; for machines faster or slower than the "
        "one the defaults were set on)",
    )
    ap.add_argument("--tiny-points", type=int, default=100)
    ap.add_argument("--tiny-units", type=int, default=1000)
    # 600 cues: points of about 20 ms (the goal's size) since sync recall runs factored;
    # 300 cues gave 11-15 ms points, where the sweep's per-point file weighs more
    ap.add_argument("--tiny-cues", type=int, default=600)
    ap.add_argument(
        "--sweeps-only",
        action="store_true",
        help="long part: only run_sweep on 1 and 2 workers (no plain loops, no running cluster)",
    )
    ap.add_argument("--skip-long", action="store_true", help="only the tiny points")
    ap.add_argument("--skip-tiny", action="store_true", help="only the long points")
    args = ap.parse_args(argv)
    load0 = os.getloadavg()
    cores = usable_cores()
    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    print(f"# {command}")
    print(f"# {cores} cores; load average before {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")

    if not args.skip_tiny:
        _tiny(args)
    if args.skip_long:
        return
    if args.long_point_s is not None:
        args.long_cues = calibrated_cues(args)
    long = experiment(
        "bench-scaling-long",
        args.long_points,
        args.long_units,
        args.long_cues,
        probe=True,
        realization=args.long_realization,
    )
    # 1 worker, 2 workers, then the plain processes, repeated: the machine's speed
    # drifts by 10-20 % within minutes (shared cores), so each ratio is taken within one
    # repeat, and the repeats are all printed
    reps = []
    for i in range(1, args.long_repeats + 1):
        t_1, s_1, th_1 = timed_sweep(long, workers=1)
        progress(f"[{i}] workers=1 {t_1:.2f} s, start {s_1['cluster_start_s']:.2f} s")
        t_2, s_2, th_2 = timed_sweep(long, workers=2)
        progress(f"[{i}] workers=2 {t_2:.2f} s, start {s_2['cluster_start_s']:.2f} s")
        if args.sweeps_only:
            p_1 = p_2 = r_1 = r_2 = None
        else:
            p_1 = plain_processes(long, args.long_realization, 1)
            p_2 = plain_processes(long, args.long_realization, 2)
            progress(f"[{i}] plain loops: 1 process {p_1:.2f} s, 2 processes {p_2:.2f} s")
            r_1 = running_cluster_sweep(long, args.long_realization, 1)
            r_2 = running_cluster_sweep(long, args.long_realization, 2)
            progress(f"[{i}] running cluster: 1 worker {r_1:.2f} s, 2 workers {r_2:.2f} s")
        reps.append((t_1, s_1, th_1, t_2, s_2, th_2, p_1, p_2, r_1, r_2))
    load1 = os.getloadavg()
    _print_long(args, reps)
    print(f"# load average after {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")


def _print_long(args, reps) -> None:
    s_1 = reps[0][1]
    print()
    print(
        f"long: {args.long_points} points, hopfield {args.long_realization}, "
        f"n_units {args.long_units}, "
        f"{args.long_cues} cues, ~{s_1['sum_point_time_s'] / args.long_points:.2f} s per point "
        f"on 1 worker; {len(reps)} repeats of: sweep on 1 worker, on 2"
        + ("" if args.sweeps_only else ", plain loops, running clusters")
    )
    print(f"{'what':<52} {'seconds':>8} {'start_s':>8} {'blas':>10}  mode")
    ratios = {k: [] for k in ("start", "after", "point", "ceiling", "fraction", "running")}
    for i, (t_1, s_1, th_1, t_2, s_2, th_2, p_1, p_2, r_1, r_2) in enumerate(reps, 1):
        row(f"[{i}] run_sweep, workers=1", t_1, s_1["cluster_start_s"], th_1, s_1["mode"])
        row(f"[{i}] run_sweep, workers=2", t_2, s_2["cluster_start_s"], th_2, s_2["mode"])
        c1, c2 = t_1 - s_1["cluster_start_s"], t_2 - s_2["cluster_start_s"]
        ratios["start"].append(t_1 / t_2)
        ratios["after"].append(c1 / c2)
        # a point's own time on 2 workers over 1: what sharing the machine costs a point
        ratios["point"].append(s_2["sum_point_time_s"] / s_1["sum_point_time_s"])
        if p_1 is None:
            continue
        row(f"[{i}] plain loop, 1 process (no Dask)", p_1, None, "-", "")
        row(f"[{i}] plain loops, 2 processes at once", p_2, None, "-", "")
        row(f"[{i}] run_sweep(client=), running cluster, 1 worker", r_1, None, "-", "")
        row(f"[{i}] run_sweep(client=), running cluster, 2 workers", r_2, None, "-", "")
        ratios["ceiling"].append(p_1 / p_2)
        ratios["fraction"].append(t_1 / t_2 / (p_1 / p_2))
        ratios["running"].append(r_1 / r_2)

    def line(what: str, key: str, goal: str = "") -> None:
        vals = ratios[key]
        if not vals:
            return
        each = " ".join(f"{v:.2f}" for v in vals)
        print(f"{what:<52} {each}   median {statistics.median(vals):.2f}  {goal}")

    line("ratio 1 worker / 2 workers, start included", "start", "(goal >= 1.8)")
    line("ratio 1 worker / 2 workers, after the start", "after")
    line("points' summed time, 2 workers / 1 worker", "point")
    line("ratio 1 process / 2 processes (machine's ceiling)", "ceiling")
    line("sweep's ratio as a fraction of that ceiling", "fraction")
    line("ratio 1 worker / 2 workers, running cluster", "running")


if __name__ == "__main__":
    main()
