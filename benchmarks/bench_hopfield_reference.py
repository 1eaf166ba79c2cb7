"""Hopfield reference throughput through the public API, as ratios to peers in the same run.

* sync: ``neurotwin.run("hopfield", "reference", update="sync", n_units=2000,
  n_patterns=100, n_cues=1000, weights_form="dense")`` (the whole call: drawing,
  validation, recall, observables) vs the float32 matmul of one step's shapes measured
  in the same process -> fraction of the matmul peak (goal >= 0.7), next to a careful
  float32 numpy loop of the same recall (the peer), and a check that float64 W gives the
  same final states; then the default call (``weights_form="auto"``, which recalls from
  the factored fields at this load) against the same dense bound and its own products.
* async: unit updates per second of ``neurotwin.run(..., update="async", n_units=1000,
  n_patterns=50, n_cues=100, cue_noise=0.3)`` at default thread settings (goal >= 1e7),
  as a ratio to the bare recall (``recall.asynchronous`` on the same arrays and seed,
  timed interleaved with the runs), next to a plain-numpy incremental-field sweep;
* threads: for products of the recall's shapes, the time on one BLAS thread and on the
  default count, which was faster and which ``recall.blas_threads`` chooses (the
  default from ``SMALL_PRODUCT_FLOPS``, the idle cores below it); the same for the numba
  async sweep (one thread below the threshold).

Run: ``python benchmarks/bench_hopfield_reference.py`` (prints the threads and the load).
"""

from __future__ import annotations

import os
import time

import numpy as np

import neurotwin
from neurotwin.rate_models.hopfield import hopfield as hf
from neurotwin.rate_models.hopfield.recall import SMALL_PRODUCT_FLOPS


def timings(fn, repeat=5) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def best_of(fn, repeat=5):
    return min(timings(fn, repeat))


def median_of(fn, repeat=5):
    return float(np.median(timings(fn, repeat)))


def numpy_sync_recall(w32, s0, max_steps=100):
    """The peer: synchronous recall in plain float32 numpy (U = 0, no bookkeeping)."""
    s = s0.astype(np.float32)
    field = np.empty_like(s)
    states = [s0]
    for _ in range(max_steps):
        np.matmul(s, w32, out=field)
        new = np.where(field > 0, 1, np.where(field < 0, -1, s)).astype(np.float32)
        states.append(new.astype(np.int8))
        if (new == s).all():
            break
        s = new
    return np.stack(states)


def bench_sync(n=2000, p=100, cues=1000, repeat=5, form="auto"):
    """The whole ``neurotwin.run`` call against the dense bound: the float32 matmul of
    one step's shapes (C, N) @ (N, N), timed between the runs (best of all), times the
    probe-steps the recall needed. ``form='auto'`` (the default call) recalls from the
    factored fields at this load, so it can beat the dense bound; its own bound is the
    two thin products (C, N) @ (N, P) and (C, P) @ (P, N) per step."""
    kw = dict(update="sync", n_units=n, n_patterns=p, n_cues=cues, seed=0, weights_form=form)
    neurotwin.run("hopfield", "reference", **kw)  # JIT and code caches
    a = np.ones((cues, n), np.float32)
    b = np.ones((n, n), np.float32)
    xt = np.ones((n, p), np.float32)
    o = np.ones((cues, p), np.float32)
    x = np.ones((p, n), np.float32)
    runs, mm, thin = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = neurotwin.run("hopfield", "reference", **kw)
        runs.append(time.perf_counter() - t0)
        mm.append(best_of(lambda: a @ b, 2))
        thin.append(best_of(lambda: (a @ xt, o @ x), 2))
    t_run, t_mm, t_thin = min(runs), min(mm), min(thin)
    states = r.traces["state"]
    # products the recall made: every probe still moving, at every step
    conv = np.asarray(r.observables["sweeps_to_converge"])
    steps = len(states) - 1
    stop = np.where(conv >= 0, conv, steps - 1)
    rows = sum(int((stop >= t).sum()) for t in range(steps))
    bound = t_mm * rows / cues
    # the same recall with float64 W: the same final states
    from neurotwin.harness import prepare

    model_kw = {k: v for k, v in kw.items() if k not in ("seed", "weights_form")}
    plan = prepare("hopfield", "reference", None, 0, **model_kw)
    w64 = plan.weights["W"]
    s64, _, _ = hf.sync_recall(w64, plan.weights["U"], plan.inputs["cues"],
                               np.random.default_rng(0))  # fmt: skip
    same = bool(np.array_equal(s64[-1], states[-1]))
    w32 = hf.hebbian_counts(plan.weights["patterns"])
    t_peer = best_of(lambda: numpy_sync_recall(w32, plan.inputs["cues"]), repeat=3)
    peer_steps = len(numpy_sync_recall(w32, plan.inputs["cues"])) - 1
    return {
        "matmul_gflops": 2.0 * cues * n * n / t_mm / 1e9,
        "run_s": t_run,
        "steps": steps,
        "fraction_of_matmul_peak": bound / t_run,
        "fraction_of_own_products": t_thin * rows / cues / t_run,
        "peer_fraction": t_mm * peer_steps / t_peer,
        "same_final_states_as_float64": same,
        "weights_form": r.provenance["weights_form"],
    }


def numpy_async_sweep(w, s, h, order):
    """The peer: the same incremental-field sweep in plain numpy (one probe)."""
    for i in order:
        new = 1 if h[i] > 0 else (-1 if h[i] < 0 else s[i])
        if new != s[i]:
            s[i] = new
            h += 2.0 * new * w[:, i]


def _updates(converged_at, n_sweeps, n):
    """Unit updates a recall made: N per sweep of each probe until its last sweep."""
    conv = np.asarray(converged_at)
    return int(np.where(conv >= 0, conv + 1, n_sweeps).sum()) * n


def bench_async(n=1000, p=50, cues=100, repeat=5):
    """Unit updates/s through ``neurotwin.run`` and of the bare recall on the same arrays
    and seed (``recall.asynchronous`` on the Hebbian counts: the initial fields product
    plus the numba sweeps, nothing else), interleaved so that both see the same load."""
    from neurotwin.harness import prepare
    from neurotwin.rate_models.hopfield import recall

    kw = dict(update="async", n_units=n, n_patterns=p, n_cues=cues, cue_noise=0.3)
    plan = prepare("hopfield", "reference", None, 1, **kw)
    k = hf.hebbian_counts(plan.weights["patterns"])

    def bare():
        src = recall.CountFields(k, p)
        rng = np.random.default_rng(plan.sim_seed)
        return recall.asynchronous(src, plan.weights["U"], plan.inputs["cues"], rng)

    r = neurotwin.run("hopfield", "reference", seed=1, **kw)  # JIT and code caches
    out = bare()
    t_run, t_bare = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = neurotwin.run("hopfield", "reference", seed=1, **kw)
        t_run.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = bare()
        t_bare.append(time.perf_counter() - t0)
    updates = _updates(r.observables["sweeps_to_converge"], len(r.t) - 1, n)
    same = bool(np.array_equal(out.states, r.traces["state"]))
    rng = np.random.default_rng(1)
    patterns = hf.random_patterns(p, n, rng)
    w = hf.hebbian(patterns)
    s = hf.make_cues(patterns, np.zeros(1, dtype=int), 0.3, rng)[0].astype(np.int64)
    h = w @ s
    order = rng.permutation(n)
    t_np = best_of(lambda: numpy_async_sweep(w, s.copy(), h.copy(), order), repeat=3)
    rate = updates / min(t_run)
    return {
        "updates": updates,
        "updates_per_s": rate,
        "bare_updates_per_s": updates / min(t_bare),
        "run_over_bare": min(t_bare) / min(t_run),
        "same_states_as_bare": same,
        "numpy_updates_per_s": n / t_np,
        "speedup_vs_numpy": rate / (n / t_np),
        "final_overlap": r.observables["final_overlap"],
        "weights_form": r.provenance["weights_form"],
    }


def bench_thread_choice(shapes=((20, 500), (100, 1000), (100, 2000), (1000, 2000),
                                (100, 4000), (1000, 4000)), repeat=7):  # fmt: skip
    """For each product (C, N) @ (N, N) in float32 (the async recall's initial fields, the
    sync recall's step): the time on one BLAS thread and on the default count, the count
    that was faster here and the count ``recall.blas_threads`` chooses for that size now
    (below SMALL_PRODUCT_FLOPS it depends on the cores idle at that moment)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from neurotwin.rate_models.hopfield import recall

    rows = []
    for c, n in shapes:
        a = np.ones((c, n), np.float32)
        b = np.ones((n, n), np.float32)
        flops = 2.0 * c * n * n
        # medians, not bests: a busy neighbour shows in the typical time, and a best of
        # five catches the moments it was descheduled
        t_default = median_of(lambda: a @ b, repeat)  # noqa: B023
        with threadpool_limits(1, user_api="blas"):
            t_one = median_of(lambda: a @ b, repeat)  # noqa: B023
        # what recall.blas_threads chooses now (below SMALL_PRODUCT_FLOPS: the idle cores)
        default_n = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
        picked = (
            recall.small_work_threads(flops, default_n)
            if flops < recall.SMALL_PRODUCT_FLOPS
            else default_n
        )
        chosen = "default" if picked >= default_n else str(picked)
        rows.append((c, n, flops, t_one, t_default, chosen))
    return rows


def bench_numba_threads(n=1000, p=50, cues=100, repeat=5):
    """The async sweeps (bare recall) on one numba thread and on numba's default count;
    ``_kernels.kernel_threads`` runs work below SMALL_PRODUCT_FLOPS on one."""
    import numba

    from neurotwin.rate_models.hopfield import recall

    patterns = hf.random_patterns(p, n, np.random.default_rng(2))
    k = hf.hebbian_counts(patterns)
    cue = hf.make_cues(patterns, np.arange(cues) % p, 0.3, np.random.default_rng(3))
    u = np.zeros(n)
    src = recall.CountFields(k, p)
    h0 = src.initial(cue)
    order = np.argsort(np.random.default_rng(4).random((cues, n)), axis=1)
    kernels = recall._kernels()
    hi, lo = recall.thresholds(u, src.tie, n, np.float32)
    active = np.ones(cues, dtype=np.bool_)

    def sweep():
        kernels._async_counts(k, hi, lo, cue.copy(), h0.copy(), order, active)

    sweep()
    default = numba.get_num_threads()
    t_default = best_of(sweep, repeat)
    numba.set_num_threads(1)
    try:
        t_one = best_of(sweep, repeat)
    finally:
        numba.set_num_threads(default)
    return {"default_threads": default, "one_s": t_one, "default_s": t_default,
            "work": float(cues) * n * n}  # fmt: skip


def threads() -> str:
    import numba
    from threadpoolctl import threadpool_info

    blas = ", ".join(f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info())
    return f"BLAS threads: {blas}; numba threads: {numba.get_num_threads()}"


if __name__ == "__main__":
    print("python benchmarks/bench_hopfield_reference.py")
    print(f"{threads()}; load average before: {os.getloadavg()[0]:.2f}")
    dense = bench_sync(form="dense")
    print(
        f"sync  N=2000, P=100, 1000 cues through neurotwin.run(..., weights_form='dense'): "
        f"{dense['run_s'] * 1e3:.0f} ms for {dense['steps']} steps ({dense['weights_form']}); "
        f"matmul {dense['matmul_gflops']:.1f} GFLOP/s -> {dense['fraction_of_matmul_peak']:.2f} "
        f"of the matmul peak (goal >= 0.7); plain float32 numpy loop "
        f"{dense['peer_fraction']:.2f}; same final states as float64 W: "
        f"{dense['same_final_states_as_float64']}"
    )
    auto = bench_sync(form="auto")
    print(
        f"sync  the same, default weights_form ('auto' -> {auto['weights_form']}): "
        f"{auto['run_s'] * 1e3:.0f} ms = {auto['fraction_of_matmul_peak']:.2f} x the dense "
        f"matmul bound; {auto['fraction_of_own_products']:.2f} of its own products' peak; same "
        f"final states as float64 W: {auto['same_final_states_as_float64']}"
    )
    asy = bench_async()
    print(
        f"async N=1000, P=50, 100 cues through neurotwin.run: {asy['updates_per_s']:.3g} unit "
        f"updates/s ({asy['weights_form']}, {asy['updates']} updates; goal >= 1e7); bare "
        f"recall on the same arrays {asy['bare_updates_per_s']:.3g}/s -> run/bare "
        f"{asy['run_over_bare']:.2f} (same states: {asy['same_states_as_bare']}); plain "
        f"numpy {asy['numpy_updates_per_s']:.3g}/s -> x{asy['speedup_vs_numpy']:.0f}; final "
        f"overlap {asy['final_overlap']:.3f}"
    )
    for neighbour in (False, True):
        child = None
        if neighbour:  # a process that keeps one core busy, as another user's job would
            import subprocess
            import sys

            child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
            time.sleep(0.5)
        try:
            rows = bench_thread_choice()
        finally:
            if child is not None:
                child.kill()
                child.wait()
        where = "with one busy neighbour process" if neighbour else "nothing else running"
        print(f"BLAS threads by product size, float32 (C, N) @ (N, N), median of 7, {where}:")
        for c, n, flops, t_one, t_default, chosen in rows:
            faster = "1" if t_one <= t_default else "default"
            flag = "" if faster == chosen else "  <- the choice was slower here"
            print(
                f"  {c:5d} x {n:5d}: {flops:.1e} flops, 1 thread {t_one * 1e3:8.2f} ms, "
                f"default {t_default * 1e3:8.2f} ms; faster: {faster}, chosen: {chosen}{flag}"
            )
    nb = bench_numba_threads()
    chosen = "1" if nb["work"] < SMALL_PRODUCT_FLOPS else "default"
    print(
        f"numba async sweep, 100 probes x N=1000 ({nb['work']:.0e} work, chosen: {chosen}): "
        f"1 thread {nb['one_s'] * 1e3:.2f} ms, "
        f"{nb['default_threads']} threads {nb['default_s'] * 1e3:.2f} ms"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
