"""The largest Hopfield network per spiking realization that fits a memory budget
(default 24 GiB), extrapolated from the peak memory of runs at a few sizes.

Each run is ``neurotwin.run("hopfield", realization, n_units=N, n_cues=C,
n_patterns=P, ...)`` at the realization's defaults otherwise, in a fresh subprocess
that reports its peak resident memory (``getrusage`` ``ru_maxrss``). For
``cpp_standalone`` the compiled binary runs as a child process while the Python process
still holds its arrays, so the peak counted is Python's peak plus the binary's (an upper
bound of what was resident at once; the binary is run once more on its own for its
peak). The compiler's peak does not grow with N (the generated code does not hold the
arrays, which the binary reads from files) and is not counted; nor can it be read here
(it reports at least the peak of the Python process that started it).

The peaks are fitted (non-negative least squares) as ``fixed + per_neuron x neurons + per_synapse x
synapses`` with neurons = C N and synapses = C N (N - 1) (the block-diagonal
copies of a Hebbian W; Nengo stores each copy's transform densely, N^2, the same to
within 1/N), with coefficients >= 0. The largest N per realization solves
``fit(N) = budget`` at the given number of cues and at one cue.

Run: ``python benchmarks/bench_largest_n.py [--sizes 200,400,800 --cues 10
--patterns 5 --budget-gib 24 --realizations brian2-runtime,brian2-standalone,nengo]``
(prints the command, the load and every measured point, memory in MiB; a table at the end).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys

import numpy as np

#: label -> (realization, options)
REALIZATIONS = {
    "brian2-runtime": ("brian2", {"device": "runtime"}),
    "brian2-standalone": ("brian2", {"device": "cpp_standalone"}),
    "nengo": ("nengo", {}),
}

WRAP = r"""
import os
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execv("./main", ["./main"])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss if status == 0 else -1)
"""

CHILD = r"""
import json, os, resource, subprocess, sys, tempfile, time
import neurotwin
real, kw = json.loads(sys.argv[1])
WRAP = sys.argv[2]
folder = None
if kw.get("device") == "cpp_standalone":
    folder = kw["build_dir"] = tempfile.mkdtemp(prefix="bench-largest-n-")
t0 = time.perf_counter()
r = neurotwin.run("hopfield", real, seed=0, **kw)
wall = time.perf_counter() - t0
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
binary = 0
if folder is not None:
    # the compiled binary once more, for its own peak, started by a small fresh process:
    # Linux hands a process's peak on to what it execs (the forked copy counts), so the
    # binary started from here would report this process's peak
    binary = 1024 * int(subprocess.run(
        [sys.executable, "-S", "-c", WRAP], cwd=folder, capture_output=True, text=True,
        check=True,
    ).stdout)
    import shutil
    shutil.rmtree(folder, ignore_errors=True)
print(json.dumps({"own": own, "binary": binary, "wall": wall}))
"""


def measure(realization: str, options: dict, n: int, cues: int, patterns: int) -> dict:
    kw = {"n_units": n, "n_cues": cues, "n_patterns": patterns, **options}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([realization, kw]), WRAP],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"{realization} {kw}: exit {out.returncode}: {tail}")
    row = json.loads(out.stdout.strip().splitlines()[-1])
    if row["binary"] < 0:
        raise RuntimeError(f"{realization} {kw}: the compiled binary failed on its re-run")
    # standalone: the binary runs while the Python process holds its arrays
    row["peak"] = row["own"] + row["binary"]
    return row


def fit(neurons: np.ndarray, synapses: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """(fixed, per_neuron, per_synapse) bytes, non-negative least squares (a negative
    cost per neuron, which small sizes' noise can give, means nothing)."""
    from scipy.optimize import nnls

    a = np.column_stack([np.ones_like(neurons), neurons, synapses]).astype(float)
    scale = a.max(axis=0)
    coef, _ = nnls(a / scale, peak.astype(float))
    return coef / scale


def largest_n(coef: np.ndarray, cues: int, budget: float) -> int | None:
    """Largest N with fixed + per_neuron C N + per_synapse C N (N - 1) <= budget."""
    fixed, per_neuron, per_synapse = coef
    if per_synapse <= 0 or fixed >= budget:
        return None
    qa = per_synapse * cues
    qb = (per_neuron - per_synapse) * cues
    qc = fixed - budget
    return int(math.floor((-qb + math.sqrt(qb * qb - 4 * qa * qc)) / (2 * qa)))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,400,800", help="n_units, comma-separated")
    ap.add_argument("--cues", type=int, default=10)
    ap.add_argument("--patterns", type=int, default=5)
    ap.add_argument("--budget-gib", type=float, default=24.0)
    ap.add_argument("--realizations", default=",".join(REALIZATIONS))
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    budget = args.budget_gib * 2**30
    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    print(f"# {command}")
    print(f"# load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(
        f"{'realization':<18} {'N':>6} {'neurons':>8} {'synapses':>11} {'peak MiB':>9} "
        f"{'python':>7} {'binary':>7} {'s':>6}"
    )
    table = []
    for label in args.realizations.split(","):
        realization, options = REALIZATIONS[label]
        rows = []
        for n in sizes:
            row = measure(realization, options, n, args.cues, args.patterns)
            neurons, synapses = args.cues * n, args.cues * n * (n - 1)
            rows.append((neurons, synapses, row["peak"]))
            print(
                f"{label:<18} {n:6d} {neurons:8d} {synapses:11d} {row['peak'] / 2**20:9.1f} "
                f"{row['own'] / 2**20:7.1f} {row['binary'] / 2**20:7.1f} {row['wall']:6.1f}",
                flush=True,
            )
        neurons, synapses, peak = (np.array(c) for c in zip(*rows, strict=True))
        coef = fit(neurons, synapses, peak)
        table.append((label, coef, largest_n(coef, args.cues, budget), largest_n(coef, 1, budget)))
    print(
        f"\n# fit: peak = fixed + per_neuron x neurons + per_synapse x synapses; "
        f"budget {args.budget_gib:g} GiB"
    )
    print(
        f"{'realization':<18} {'fixed MiB':>9} {'B/neuron':>9} {'B/synapse':>9} "
        f"{f'N @ {args.cues} cues':>12} {'N @ 1 cue':>10}"
    )
    for label, (fixed, per_neuron, per_synapse), n_cues, n_one in table:
        print(
            f"{label:<18} {fixed / 2**20:9.1f} {per_neuron:9.0f} {per_synapse:9.1f} "
            f"{n_cues if n_cues is not None else '-':>12} {n_one if n_one is not None else '-':>10}"
        )
    print(f"# load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
