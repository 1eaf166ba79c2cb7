"""Brian2 Hopfield realization: runtime (numpy) vs cpp_standalone, and a standalone sweep.

All in one process, on the same parameters, weights, cues and seed:

1. the recall run on the runtime device (numpy target): wall time and run-only time;
2. the same run on ``cpp_standalone``: wall time including code generation and
   compilation, and run-only time (the compiled binary);
3. a standalone sweep that builds once (``HopfieldBrian2.build``) and re-runs the
   binary with new values of group variables through ``device.run(run_args={...})``:
   the shared cue current ``neurons.cue_current`` (cue strengths) and the per-neuron
   cue signs ``neurons.cue`` (fresh cues at other noise levels). Reported: seconds
   per re-run next to seconds per rebuild (step 2's wall time), as a ratio. (A sweep
   over cues through the public API is ``bench_sweep_builds.py``.)

Speed is reported as ratios between runs in this process, never asserted.

Run: ``python benchmarks/bench_brian2_devices.py [--n-units 200 --n-patterns 5
--n-cues 20 --seed 0]``
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time

import numpy as np

import neurotwin
from neurotwin.harness import prepare
from neurotwin.rate_models.hopfield import hopfield as hf
from neurotwin.spiking.hopfield import brian2 as b2hop

#: cue strengths of the sweep (field units; the default is 2.0): none, weak, ...
CUE_STRENGTHS = (0.0, 0.05, 0.25, 2.0)


def recall_fraction(state: np.ndarray, patterns: np.ndarray, targets: np.ndarray) -> float:
    final = hf.overlaps(state[-1], patterns)[np.arange(len(targets)), targets]
    return float(np.mean(final >= hf.RECALL_THRESHOLD))


def standalone_sweep(plan, cue_strengths, cue_noises) -> list[dict]:
    """Build once (the realization's build phase); re-run the compiled binary with new cue
    currents and new cue arrays as ``run_args``."""
    opts = plan.options
    patterns, targets = plan.weights["patterns"], plan.inputs["targets"]
    rows = []
    t0 = time.perf_counter()
    built = b2hop.HopfieldBrian2.build(
        plan.params, plan.weights, plan.inputs, plan.sim_seed, plan.options
    )
    rows.append({"what": "sweep: build once", "value": "", "seconds": time.perf_counter() - t0})
    net, device = built.net, built.device
    with built:
        rng = np.random.default_rng(plan.seed + 1)
        runs = [
            ("cue_strength", a, {net.neurons.cue_current: opts.gain * a}) for a in cue_strengths
        ]
        for noise in cue_noises:
            cues = hf.make_cues(patterns, targets, noise, rng)
            runs.append(("cue_noise", noise, {net.neurons.cue: cues.reshape(-1).astype(float)}))
        for name, value, run_args in runs:
            t0 = time.perf_counter()
            device.run(directory=built.directory, run_args=run_args, with_output=False)
            dec = b2hop.decode(net, opts)
            seconds = time.perf_counter() - t0
            rows.append(
                {
                    "what": f"sweep: re-run {name}",
                    "value": value,
                    "seconds": seconds,
                    "recall": recall_fraction(dec.state, patterns, targets),
                }
            )
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-units", type=int, default=200)
    ap.add_argument("--n-patterns", type=int, default=5)
    ap.add_argument("--cue-noise", type=float, default=0.1)
    ap.add_argument("--n-cues", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    kw = dict(
        n_units=args.n_units,
        n_patterns=args.n_patterns,
        cue_noise=args.cue_noise,
        n_cues=args.n_cues,
    )

    rows = []
    for device in ("runtime", "cpp_standalone"):
        r = neurotwin.run("hopfield", "brian2", seed=args.seed, device=device, **kw)
        rows.append(
            {
                "what": f"{device} ({r.provenance['codegen_target']}): whole run",
                "value": "",
                "seconds": r.provenance["wall_time_s"],
                "recall": r.observables["recall_fraction"],
            }
        )
        rows.append(
            {"what": f"{device}: run only", "value": "", "seconds": r.provenance["run_time_s"]}
        )
    rebuild = rows[2]["seconds"]
    runtime_wall = rows[0]["seconds"]

    plan = prepare("hopfield", "brian2", seed=args.seed, device="cpp_standalone", **kw)
    sweep = standalone_sweep(plan, cue_strengths=CUE_STRENGTHS, cue_noises=(0.2, 0.3, 0.4))
    rows += sweep
    reruns = [row["seconds"] for row in sweep if "re-run" in row["what"]]
    # the run_args took effect: a weak cue recalls as the runtime device does with it
    weak = CUE_STRENGTHS[1]
    check = neurotwin.run("hopfield", "brian2", seed=args.seed, cue_strength=weak, **kw)
    rows.append(
        {
            "what": "runtime check: cue_strength",
            "value": weak,
            "seconds": check.provenance["wall_time_s"],
            "recall": check.observables["recall_fraction"],
        }
    )
    per_rerun = float(np.mean(reruns))

    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    n = args.n_units * args.n_cues
    print(f"# {command}")
    print(
        f"# hopfield/brian2, {n} neurons ({args.n_cues} cues x {args.n_units} units), "
        f"{args.n_patterns} patterns, seed {args.seed}, "
        f"{plan.options.cue_duration_s + plan.options.recall_duration_s:g} s simulated"
    )
    print(f"{'what':<40} {'value':>6} {'seconds':>9} {'recall':>7}")
    for row in rows:
        recall = f"{row['recall']:.2f}" if "recall" in row else ""
        print(f"{row['what']:<40} {row['value']!s:>6} {row['seconds']:>9.3f} {recall:>7}")
    print(f"mean seconds per standalone re-run (run_args)      {per_rerun:9.3f}")
    print(f"seconds per standalone rebuild (codegen+compile+run) {rebuild:7.3f}")
    print(f"ratio rebuild / re-run                               {rebuild / per_rerun:7.1f}")
    print(f"ratio runtime whole run / standalone re-run          {runtime_wall / per_rerun:7.1f}")


if __name__ == "__main__":
    main()
