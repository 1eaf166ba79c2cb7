"""Peak memory of Hopfield reference runs against the size of the weights they need.

Each case runs ``neurotwin.run("hopfield", "reference", ...)`` in a fresh process and
reports the peak resident memory (``ru_maxrss``) above the process's size just before
the run (imports and JIT caches loaded, a tiny run done), and the peak of what
``tracemalloc`` traces during the run (numpy buffers and Python objects), each divided
by the size of the one N x N array the dense form holds (float32 Hebbian sums, 4 N^2
bytes) or, factored, by the patterns' float32 copy (4 N P bytes).

Goal: peak <= 1.3 x W + a fixed overhead; N = 16,000 and 40,000 (float32) run, and
N = 100,000 runs factored (W would need 40 GB).

Run: ``python benchmarks/bench_hopfield_memory.py [--quick]``
"""

from __future__ import annotations

import json
import subprocess
import sys

CASES = [
    # the OpenBLAS syrk crash shape: patterns of 800 x 16000
    dict(n_units=16000, n_patterns=800, n_cues=10, update="async"),
    # sync at these loads recalls factored by default (faster): the dense form by name
    dict(n_units=16000, n_patterns=800, n_cues=10, update="sync", weights_form="dense"),
    dict(n_units=40000, n_patterns=100, n_cues=10, update="sync", weights_form="dense"),
    dict(n_units=100000, n_patterns=5000, n_cues=4, update="sync", cue_noise=0.1),
]
QUICK = [dict(n_units=4000, n_patterns=200, n_cues=10, update="sync", weights_form="dense")]

CHILD = r"""
import json, resource, sys, time, tracemalloc
import neurotwin
kw = json.loads(sys.argv[1])
neurotwin.run("hopfield", "reference", n_units=50, n_patterns=3, n_cues=2,
              update=kw.get("update", "async"))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
with open("/proc/self/statm") as f:
    rss0 = int(f.read().split()[1]) * 4096
tracemalloc.start()
t0 = time.perf_counter()
r = neurotwin.run("hopfield", "reference", **kw)
wall = time.perf_counter() - t0
traced = tracemalloc.get_traced_memory()[1]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"rss_before": rss0, "maxrss_before": before, "peak_rss": peak,
                  "traced_peak": traced, "wall_s": wall,
                  "form": r.provenance["weights_form"],
                  "final_overlap": r.observables["final_overlap"]}))
"""


def run_case(kw: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(kw)], capture_output=True, text=True
    )
    if out.returncode != 0:
        return {"error": f"exit {out.returncode}: {out.stderr.strip().splitlines()[-1:]}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(quick: bool = False) -> None:
    print("python benchmarks/bench_hopfield_memory.py" + (" --quick" if quick else ""))
    for kw in QUICK if quick else CASES:
        res = run_case(kw)
        n, p = kw["n_units"], kw["n_patterns"]
        if "error" in res:
            print(f"{kw}: {res['error']}")
            continue
        size = 4 * n * p if res["form"] == "factored" else 4 * n * n
        what = "4NP (float32 patterns)" if res["form"] == "factored" else "4N^2 (float32 K)"
        grown = res["peak_rss"] - max(res["rss_before"], 0)
        print(
            f"N={n} P={p} C={kw['n_cues']} {kw['update']:5s} {res['form']}: "
            f"{what} = {size / 2**30:.3g} GiB; peak RSS above start {grown / 2**30:.3g} GiB "
            f"= {grown / size:.2f}x; traced peak {res['traced_peak'] / 2**30:.3g} GiB = "
            f"{res['traced_peak'] / size:.2f}x; process start {res['rss_before'] / 2**30:.3g} "
            f"GiB; {res['wall_s']:.1f} s; final overlap {res['final_overlap']:.3f}"
        )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
