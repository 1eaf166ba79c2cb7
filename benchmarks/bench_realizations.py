"""What a spiking realization costs: wall time of every realization of every model,
as a ratio to the model's reference run in the same process, on the same parameters,
weights, inputs and seed: the parameters of the model's default comparison (its first
``compare_runs`` row, e.g. ``interaction=softmax`` for ``modern-hopfield``).

Each run is timed twice and the second (warm: imports, numba and Brian2 code caches
loaded) is reported. Realizations that cannot run here (e.g. the Loihi emulator without
the ``[loihi]`` extra) are listed as skipped. Speed is reported, never asserted.

``--memory`` reports instead the peak of the memory traced by ``tracemalloc`` during the
second run, as a ratio to the reference's: every numpy array (numpy reports its buffers
to tracemalloc) and Python object the run holds at once, so the weights, recorded
traces, spike monitors and the simulators' state (Brian2's numpy target, Nengo, the
Loihi emulator). Not seen: memory allocated by compiled code itself (numba's runtime,
Cython or C++ of other Brian2 targets).

Run: ``python benchmarks/bench_realizations.py [--quick] [--memory] [--model NAME ...]``
(``--quick``: the models' small conformance parameters instead of their defaults).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import neurotwin
from neurotwin.registry import get_model, models


def timed_run(model: str, realization: str, params: dict) -> float:
    t0 = time.perf_counter()
    neurotwin.run(model, realization, seed=0, **params)
    return time.perf_counter() - t0


def traced_peak_mib(model: str, realization: str, params: dict) -> float:
    tracemalloc.start()
    try:
        neurotwin.run(model, realization, seed=0, **params)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="use each model's quick_params")
    ap.add_argument("--model", action="append", help="only these models (repeatable)")
    ap.add_argument("--memory", action="store_true", help="peak traced memory, not time")
    args = ap.parse_args()
    measure = traced_peak_mib if args.memory else timed_run
    what = "peak traced memory (MiB)" if args.memory else "warm wall time (s)"
    print(f"| model | realization | {what} | / reference |")
    print("|---|---|---|---|")
    for model, reals in models().items():
        if args.model and model not in args.model:
            continue
        spec = get_model(model)
        params = dict(spec.quick_params) if args.quick else {}
        if spec.compare_runs:
            params.update(spec.compare_runs[0][2])
        ref = None
        for real, available in reals.items():
            if not available:
                print(f"| {model} | {real} | skipped (not installed here) | - |", flush=True)
                continue
            try:
                timed_run(model, real, params)  # warm-up
                value = measure(model, real, params)
            except neurotwin.NeurotwinError as exc:
                print(f"| {model} | {real} | failed: {exc} | - |", flush=True)
                continue
            ref = value if real == "reference" else ref
            ratio = f"{value / ref:.3g}" if ref else "-"
            print(f"| {model} | {real} | {value:.3g} | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
