"""Hopfield reference throughput, as ratios to bounds measured in the same process.

* sync: batched recall (C probes, one matrix product per step) vs this machine's
  float32 matmul of the same shapes -> fraction of matmul peak (goal >= 0.7 at
  N = 2000, 1000 probes).
* async: unit updates per second of the numba kernel (goal >= 1e7 at N = 1000),
  next to a plain-numpy incremental-field loop as the peer.

Run: ``python benchmarks/bench_hopfield_reference.py``
"""

from __future__ import annotations

import time

import numpy as np

from neurotwin.rate_models.hopfield import hopfield as hf


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_sync(n=2000, probes=1000, p=100, steps=5):
    rng = np.random.default_rng(0)
    patterns = hf.random_patterns(p, n, rng)
    w = hf.hebbian(patterns).astype(np.float32)
    # random probes, so no probe converges early and every step does full work
    s0 = np.where(rng.random((probes, n)) < 0.5, -1, 1).astype(np.float32)
    a = s0.copy()
    matmul = best_of(lambda: a @ w)
    u = np.zeros(n, dtype=np.float32)

    def recall():
        hf.sync_recall(w, u, s0, rng, max_sweeps=steps, dtype=np.float32)

    recall()
    t = best_of(recall, repeat=3)
    states, conv, cycle = hf.sync_recall(w, u, s0, rng, max_sweeps=steps, dtype=np.float32)
    n_steps = len(states) - 1
    flops = 2.0 * probes * n * n
    return {
        "matmul_gflops": flops / matmul / 1e9,
        "recall_gflops": flops * n_steps / t / 1e9,
        "fraction_of_matmul_peak": (matmul * n_steps) / t,
        "steps": n_steps,
    }


def numpy_async_sweep(w, s, h, order):
    """The peer: the same incremental-field sweep in plain numpy (one probe)."""
    for i in order:
        new = 1 if h[i] > 0 else (-1 if h[i] < 0 else s[i])
        if new != s[i]:
            s[i] = new
            h += 2.0 * new * w[:, i]


def bench_async(n=1000, probes=100, p=50):
    rng = np.random.default_rng(1)
    patterns = hf.random_patterns(p, n, rng)
    w = hf.hebbian(patterns)
    u = np.zeros(n)
    cues = hf.make_cues(patterns, np.arange(probes) % p, 0.3, rng)
    hf.async_recall(w, u, cues[:2], rng, max_sweeps=2)  # JIT compile outside the timing
    t0 = time.perf_counter()
    states, conv = hf.async_recall(w, u, cues, rng, max_sweeps=50)
    t = time.perf_counter() - t0
    sweeps_run = np.where(conv >= 0, conv + 1, len(states) - 1)
    updates = int(sweeps_run.sum()) * n
    # peer: one sweep of one probe in numpy
    s = cues[0].astype(np.int64).copy()
    h = w @ s
    order = rng.permutation(n)
    t_np = best_of(lambda: numpy_async_sweep(w, s.copy(), h.copy(), order), repeat=3)
    numba_rate = updates / t
    numpy_rate = n / t_np
    return {
        "numba_updates_per_s": numba_rate,
        "numpy_updates_per_s": numpy_rate,
        "speedup_vs_numpy": numba_rate / numpy_rate,
        "final_overlap": float(
            hf.overlaps(states[-1], patterns)[np.arange(probes), np.arange(probes) % p].mean()
        ),
    }


if __name__ == "__main__":
    print("python benchmarks/bench_hopfield_reference.py")
    sync = bench_sync()
    print(
        f"sync  N=2000, 1000 probes: matmul {sync['matmul_gflops']:.1f} GFLOP/s, recall "
        f"{sync['recall_gflops']:.1f} GFLOP/s over {sync['steps']} steps -> "
        f"{sync['fraction_of_matmul_peak']:.2f} of the matmul peak (goal >= 0.7)"
    )
    asy = bench_async()
    print(
        f"async N=1000, 100 probes: {asy['numba_updates_per_s']:.3g} unit updates/s (numba) vs "
        f"{asy['numpy_updates_per_s']:.3g} (plain numpy) -> x{asy['speedup_vs_numpy']:.0f}; "
        f"goal >= 1e7; mean final overlap {asy['final_overlap']:.3f}"
    )
