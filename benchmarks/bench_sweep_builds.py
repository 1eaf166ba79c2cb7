"""A cpp_standalone Hopfield network over k cue settings: one build + k runs vs k builds.

All through the public API, in one process, on the same parameters and seed
(Brian2 ``cpp_standalone``, ``hopfield``/``brian2``, k levels of ``cue_noise``):

1. **k builds**: ``neurotwin.run`` once per cue-noise level; each run generates,
   compiles and runs its own C++ project (what a sweep cost before builds were reused);
2. **harness, one build**: ``neurotwin.harness.prepare`` / ``build`` once, then
   ``run_built`` with each level's cues (drawn by ``prepare`` for that level);
3. **sweep, one build**: ``neurotwin.sweep.run_sweep`` of an experiment defined here
   (grid ``cue_noise``, one seed, the ``synchronous`` scheduler so no Dask start-up is
   timed): points that differ only in the model's input parameters run on one build.

Reported: wall seconds of each, the ratio k builds / one build (goal: about
(build + k runs) / (k (build + run)), i.e. close to k when a build dominates), and the
decoded final states of 2 and 3 against 1 (equal states and observables expected).
Speed is reported as ratios between runs in this process, never asserted.

Run: ``python benchmarks/bench_sweep_builds.py [--k 4 --n-units 200 --n-patterns 5
--n-cues 20 --seed 0]``
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time

import numpy as np

import neurotwin
from neurotwin import sweep
from neurotwin.harness import build, prepare, run_built


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=4, help="cue-noise levels (0, 0.1, ...)")
    ap.add_argument("--n-units", type=int, default=200)
    ap.add_argument("--n-patterns", type=int, default=5)
    ap.add_argument("--n-cues", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    levels = [round(0.1 * i, 2) for i in range(args.k)]
    kw = dict(n_units=args.n_units, n_patterns=args.n_patterns, n_cues=args.n_cues)
    device = {"device": "cpp_standalone"}

    # 1. k full builds through neurotwin.run
    t0 = time.perf_counter()
    fresh = [
        neurotwin.run("hopfield", "brian2", seed=args.seed, cue_noise=c, **kw, **device)
        for c in levels
    ]
    t_fresh = time.perf_counter() - t0
    builds = [r.provenance["build_time_s"] for r in fresh]
    runs = [r.provenance["run_time_s"] for r in fresh]

    # 2. one build, k runs through the harness
    t0 = time.perf_counter()
    plans = [
        prepare("hopfield", "brian2", seed=args.seed, cue_noise=c, **kw, **device) for c in levels
    ]
    built = build(plans[0])
    reused = [run_built(built, plan.inputs) for plan in plans]
    built.network.close()
    t_harness = time.perf_counter() - t0
    same_harness = all(
        np.array_equal(a.traces["state"], b.traces["state"])
        and a.observables["final_overlap"] == b.observables["final_overlap"]
        for a, b in zip(reused, fresh, strict=True)
    )

    # 3. a sweep of the same k points (one seed): one task, one build
    exp = sweep.Experiment(
        name="bench-sweep-builds",
        model="hopfield",
        realizations=("brian2",),
        grid={"cue_noise": levels},
        seeds=(args.seed,),
        fixed=kw,
        per_realization={"brian2": device},
        observables=("final_overlap", "recall_fraction"),
    )
    with tempfile.TemporaryDirectory(prefix="neurotwin-bench-sweep-") as out:
        t0 = time.perf_counter()
        ds = sweep.run_sweep(exp, out, scheduler="synchronous", progress=False)
        t_sweep = time.perf_counter() - t0
    same_sweep = bool((ds["error"].values == "").all()) and all(
        float(ds["final_overlap"].sel(cue_noise=c, seed=args.seed))
        == r.observables["final_overlap"]
        for c, r in zip(levels, fresh, strict=True)
    )

    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# {command}")
    print(
        f"# hopfield/brian2 cpp_standalone, {args.n_units * args.n_cues} neurons "
        f"({args.n_cues} cues x {args.n_units} units), {args.n_patterns} patterns, "
        f"seed {args.seed}, k = {args.k} cue-noise levels {levels}; "
        f"{os.cpu_count()} CPUs, load average {load:.1f}"
    )
    print(f"{'what':<46} {'seconds':>9}")
    print(f"{'k builds (neurotwin.run per level)':<46} {t_fresh:9.2f}")
    print(f"{'  of which build, mean per run':<46} {np.mean(builds):9.2f}")
    print(f"{'  of which run, mean per run':<46} {np.mean(runs):9.3f}")
    print(f"{'one build + k runs (harness build/run_built)':<46} {t_harness:9.2f}")
    print(f"{'one build + k runs (run_sweep, synchronous)':<46} {t_sweep:9.2f}")
    ideal = np.mean(builds) + args.k * np.mean(runs)
    print(f"{'estimate: 1 build + k runs from (1)':<46} {ideal:9.2f}")
    print(f"ratio k builds / harness reuse   {t_fresh / t_harness:6.2f}")
    print(f"ratio k builds / sweep reuse     {t_fresh / t_sweep:6.2f}")
    print(f"ratio sweep reuse / estimate     {t_sweep / ideal:6.2f}")
    print(f"same states and final overlaps as k builds: harness {same_harness}, sweep {same_sweep}")


if __name__ == "__main__":
    main()
