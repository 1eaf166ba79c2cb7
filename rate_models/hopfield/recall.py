r"""Recall kernels of the Hopfield reference, for three sources of the local fields.

* :class:`DenseFields`: :math:`h = W s` from a float64 (or float32) matrix, any rule.
  A tie (:math:`|h_i - U_i| \le 10^{-9} \max|W|`) keeps the unit's state.
* :class:`CountFields`: the Hebbian sums :math:`m = K s` in float32, exact integers
  (:mod:`.storage`); :math:`h = m / N`, so :math:`h_i - U_i > \text{tie}` is decided
  exactly as :math:`m_i > \lfloor N (U_i + \text{tie}) \rfloor`: the same decisions as
  the float64 W, at float32 speed and half the memory.
* :class:`FactoredFields`: :math:`m = \Xi^\top (\Xi s) - P s`, never forming W
  (memory O(N P)); exact in float32 while the overlaps' absolute sum stays below
  :math:`2^{24}`, else the product is split over blocks of patterns summed in float64.

Synchronous updates multiply all probes still moving at once; asynchronous updates run
a numba kernel per probe (in parallel over probes) that keeps the fields incrementally:
O(N) per visit and O(N) per flip (dense), O(P) per visit and per flip (factored).

Threads: the products the kernels start are often small next to the machine (e.g.
100 x 1000 x 1000). On the 2-core development machine a second OpenBLAS thread makes
them about 2x faster while the other core is idle, and 2-7x slower (up to 120x at load
15-20) while another process keeps it busy (``benchmarks/bench_hopfield_reference.py``,
issue 16). So products below :data:`SMALL_PRODUCT_FLOPS` run on as many threads as
there are cores that no other process is running on right now (:func:`idle_cores`,
read from Linux's ``/proc``; one thread where that cannot be read); large ones use the
default. The same holds for matrix-vector products (the energies' ``s @ U``). The
numba sweeps run on one thread below the same work (``_kernels.kernel_threads`` says
why). The benchmark prints, per product size, which count was faster and which was
chosen.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import time
from dataclasses import dataclass

import numpy as np

from neurotwin.budget import usable_cores

from .storage import EXACT_FLOAT32, max_abs


@functools.cache
def _kernels():
    """The compiled kernels, imported on first use: numba takes about a second to load,
    which a run that never recalls (a spiking realization, a listing) should not pay."""
    from . import _kernels as kernels

    return kernels


#: products below this many flops run on the idle cores only (module docstring)
SMALL_PRODUCT_FLOPS = 2e9
#: below this, one thread whatever the machine (waking a second costs more than it saves)
TINY_PRODUCT_FLOPS = 1e6

_controller = None


#: seconds a count of idle cores is reused: reading it costs 0.1-0.2 ms, and a run of
#: 10 ms asks for it several times
IDLE_SAMPLE_S = 0.05
_idle_sample: tuple[float, int | None] = (-math.inf, None)


def idle_cores() -> int | None:
    """Cores this process may use that no other process's thread is running on now.

    Linux only (``None`` elsewhere): the machine's runnable threads (field 4 of
    ``/proc/loadavg``) less this process's own (its threads in state R, which include
    BLAS threads still spinning after a product). An instant count, unlike the load
    average, which lags a busy neighbour by tens of seconds; reused for
    :data:`IDLE_SAMPLE_S`.
    """
    global _idle_sample
    now = time.monotonic()
    if now - _idle_sample[0] >= IDLE_SAMPLE_S:
        _idle_sample = (now, _count_idle_cores())
    return _idle_sample[1]


def _count_idle_cores() -> int | None:
    try:
        with open("/proc/loadavg") as f:
            running = int(f.read().split()[3].split("/")[0])
        own = 0
        for task in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{task}/stat") as f:
                    stat = f.read()
            except OSError:  # the thread ended meanwhile
                continue
            own += stat[stat.rindex(")") + 2] == "R"
    except (OSError, ValueError, IndexError):
        return None
    return max(1, usable_cores() - max(running - own, 0))


def small_work_threads(work: float, default: int) -> int:
    """Threads for ``work`` (flops or element operations) below SMALL_PRODUCT_FLOPS."""
    if work < TINY_PRODUCT_FLOPS:
        return 1
    idle = idle_cores()
    return 1 if idle is None else min(default, idle)


def blas_threads(flops: float):
    """Context: the BLAS threads for a product of ``flops``: the default from
    SMALL_PRODUCT_FLOPS, below it only the idle cores (:func:`small_work_threads`)."""
    global _controller
    if flops >= SMALL_PRODUCT_FLOPS:
        return contextlib.nullcontext()
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    blas = _controller.select(user_api="blas")
    default = max((lib["num_threads"] for lib in blas.info()), default=1)
    threads = small_work_threads(flops, default)
    if threads >= default:
        return contextlib.nullcontext()
    return blas.limit(limits=threads)


def tie_of(max_w: float) -> float:
    # fields within this of the threshold count as ties (keep state); far below any
    # real field difference (>= 1/N for Hebbian), far above incremental round-off
    return 1e-9 * max(max_w, 1e-300)


# -- sources of the fields ----------------------------------------------------------


class DenseFields:
    """``h = s W^T`` from a dense matrix (any rule); float fields with a tie tolerance."""

    integer = False
    diag = 0.0

    def __init__(self, w: np.ndarray, dtype=np.float64, symmetric: bool = False):
        self.w = w
        self.dtype = np.dtype(dtype)
        self.n = w.shape[0]
        # W itself where it is symmetric bit for bit (no second N x N array)
        if symmetric and w.dtype == self.dtype and w.flags.c_contiguous:
            self.wt = w
        else:
            self.wt = np.ascontiguousarray(w.T, dtype=self.dtype)
        self.tie = tie_of(max_abs(w)) if self.dtype == np.float64 else 1e-5 * max_abs(w)

    def fields(self, s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        with blas_threads(2.0 * s.shape[0] * self.n * self.n):
            return np.matmul(s, self.wt, out=out)

    def initial(self, s8: np.ndarray) -> np.ndarray:
        with blas_threads(2.0 * s8.shape[0] * self.n * self.n):
            return s8.astype(np.float64) @ self.w.T


class CountFields:
    """``m = s K`` from the Hebbian sums in float32; integer fields, ``h = m / N``."""

    integer = True
    diag = 0.0
    dtype = np.dtype(np.float32)

    def __init__(self, k: np.ndarray, n_patterns: int):
        self.k = k
        self.n = k.shape[0]
        self.p = n_patterns
        self.tie = tie_of(max_abs(k) / self.n)

    def fields(self, s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        with blas_threads(2.0 * s.shape[0] * self.n * self.n):
            return np.matmul(s, self.k, out=out)

    def initial(self, s8: np.ndarray) -> np.ndarray:
        return self.fields(s8.astype(np.float32))


class FactoredFields:
    """``m = (s Xi^T) Xi - P s`` from the patterns; integer fields, W never formed."""

    integer = True
    dtype = np.dtype(np.float32)

    def __init__(self, patterns: np.ndarray):
        self.x = patterns.astype(np.float32)
        self.p, self.n = patterns.shape
        self.diag = float(self.p)
        # max |W| needs W; P bounds it (ties within 1e-9 P / N of the threshold)
        self.tie = tie_of(self.p / self.n)
        self._xt8 = None
        self._patterns = patterns

    @property
    def xt8(self) -> np.ndarray:
        """The patterns as (N, P) int8 rows, for the asynchronous kernel."""
        if self._xt8 is None:
            self._xt8 = np.ascontiguousarray(self._patterns.T)
        return self._xt8

    def overlaps(self, s: np.ndarray) -> np.ndarray:
        with blas_threads(2.0 * s.shape[0] * self.n * self.p):
            return np.matmul(s, self.x.T)

    def fields(self, s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``Xi^T (Xi s)`` without the diagonal term (the kernels subtract ``P s``);
        ``out`` is not used (the product may need float64)."""
        o = self.overlaps(s)
        self.last_overlaps = o  # the recall keeps them: the overlap trace for free
        flops = 2.0 * s.shape[0] * self.n * self.p
        bound = float(np.abs(o).sum(axis=1, dtype=np.float64).max()) if o.size else 0.0
        if bound < EXACT_FLOAT32:
            with blas_threads(flops):
                return np.matmul(o, self.x)
        # every partial sum below 2^24 within a block of patterns; blocks summed in float64
        per = max(1, int((EXACT_FLOAT32 - 1) // self.n))
        m = np.zeros((s.shape[0], self.n))
        for b in range(0, self.p, per):
            m += np.matmul(o[:, b : b + per], self.x[b : b + per])
        return m.astype(np.float32) if np.abs(m).max() < EXACT_FLOAT32 else m

    def initial(self, s8: np.ndarray) -> np.ndarray:
        """Integer overlaps ``Xi s`` (C, P) for the asynchronous kernel."""
        return np.rint(self.overlaps(s8.astype(np.float32))).astype(np.int32)


def thresholds(u: np.ndarray, tie: float, n: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """Integer fields: +1 where ``m > hi``, -1 where ``m < lo`` (``h - U`` beyond the tie)."""
    u = np.asarray(u, dtype=np.float64)
    lim = 2.0 * EXACT_FLOAT32
    hi = np.clip(np.floor(n * (u + tie)), -lim, lim).astype(dtype)
    lo = np.clip(np.ceil(n * (u - tie)), -lim, lim).astype(dtype)
    return hi, lo


# -- synchronous ----------------------------------------------------------------------


@dataclass
class Recall:
    """What a recall returns: the state after every step and how each probe ended."""

    states: np.ndarray  # (steps + 1, C, N) int8
    converged_at: np.ndarray  # (C,) step of the first step without change; -1: never
    two_cycle: np.ndarray  # (C,) bool, synchronous 2-cycles
    energy: np.ndarray | None = None  # (steps + 1, C), where asked for (float fields)
    #: (steps + 1, C, P) float32 integers Xi s, where the fields came from them (factored)
    overlap_counts: np.ndarray | None = None


class _Trace:
    """The state after every step, written in place into a buffer that doubles when full:
    no array per step and no stacked copy at the end (at N = 2000, 1000 probes the stack
    cost 2 ms of a 150 ms recall); capacity never written is never paged in."""

    def __init__(self, first: np.ndarray, limit: int):
        """``limit``: the most states the trace will hold (max_sweeps + 1)."""
        self._limit = max(limit, 2)
        self._buf = np.empty((min(self._limit, _TRACE_CAPACITY),) + first.shape, dtype=np.int8)
        self._buf[0] = first
        self._len = 1

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i):
        return self._buf[: self._len][i]

    def slot(self) -> np.ndarray:
        """The next step's state, to be written and then :meth:`commit`-ed."""
        if self._len == len(self._buf):
            size = min(2 * len(self._buf), max(self._limit, self._len + 1))
            grown = np.empty((size,) + self._buf.shape[1:], dtype=np.int8)
            grown[: self._len] = self._buf
            self._buf = grown
        return self._buf[self._len]

    def commit(self) -> None:
        self._len += 1

    def array(self) -> np.ndarray:
        return self._buf[: self._len]


#: steps a trace has room for before it first grows
_TRACE_CAPACITY = 16


def _energy_rows(s, h, u) -> np.ndarray:
    """E = -1/2 s.h + U.s per row, from fields the recall has."""
    s64 = s.astype(np.float64)
    with blas_threads(2.0 * s64.size):
        return -0.5 * np.einsum("ij,ij->i", s64, h) + s64 @ np.asarray(u, dtype=np.float64)


def sync(src, u, s0, rng, temperature=0.0, max_sweeps=100, energy=False) -> Recall:
    """Synchronous recall of many probes at once: one matrix product per step.

    A probe stops at a fixed point (``converged_at`` = the step that found no change)
    or a 2-cycle (s(t+1) = s(t-1) != s(t)); only probes still moving are multiplied.
    """
    if energy and src.integer:
        raise ValueError("energy from the fields: float fields only (Hebbian: from overlaps)")
    dtype = src.dtype
    s = np.array(s0, dtype=dtype)
    n_probes, n = s.shape
    u = np.asarray(u, dtype=np.float64)
    if src.integer:
        sub = np.zeros(n, dtype=dtype)
        hi, lo = thresholds(u, src.tie, n, dtype)
    else:
        sub = u.astype(dtype)
        hi, lo = np.full(n, src.tie, dtype=dtype), np.full(n, -src.tie, dtype=dtype)
    active = np.ones(n_probes, dtype=bool)
    converged_at = np.full(n_probes, -1)
    two_cycle = np.zeros(n_probes, dtype=bool)
    states = _Trace(np.asarray(s0), max_sweeps + 1)
    energies = []
    fixed = np.zeros(n_probes, dtype=bool)
    cycle = np.zeros(n_probes, dtype=bool)
    new = np.empty_like(s)
    # the products' inputs and outputs reuse two buffers: a fresh 8 MB array per step
    # costs its page faults (965 gathered rows x 2000: 45 ms instead of 39 ms)
    field_buf = np.empty_like(s)
    rows_buf = None
    # a probe that ended in a 2-cycle moved in that step: its energy (and overlaps) need
    # its new fields
    moved = np.zeros(n_probes, dtype=bool)
    # factored fields pass through the overlaps Xi s: keep them, one row per probe still
    # moving (the others repeat their state, so their overlaps too)
    counts = [] if isinstance(src, FactoredFields) else None
    for step in range(max_sweeps):
        need = active | moved if energy or counts is not None else active
        rows = np.arange(n_probes) if need.all() else np.flatnonzero(need)
        if len(rows) == n_probes:
            field = src.fields(s, out=field_buf)
        else:
            if rows_buf is None:
                rows_buf = np.empty_like(s)
            moving = np.take(s, rows, axis=0, out=rows_buf[: len(rows)], mode="clip")
            field = src.fields(moving, out=field_buf[: len(rows)])
        if counts is not None:
            c = counts[-1].copy() if counts else np.empty((n_probes, src.p), np.float32)
            c[rows] = src.last_overlaps
            counts.append(c)
        if energy:
            e = energies[-1].copy() if energies else np.zeros(n_probes)
            e[rows] = _energy_rows(s[rows], field, u)
            energies.append(e)
        new8 = states.slot()
        if temperature == 0:
            slot = np.full(n_probes, -1, dtype=np.int64)
            slot[rows] = np.arange(len(rows))
            slot[~active] = -1
            prev8 = states[-2] if len(states) >= 2 else states[-1]
            _kernels()._sync_decide(field, slot, sub, hi, lo, src.diag, s, new, new8, prev8,
                         len(states) >= 2, fixed, cycle)  # fmt: skip
            fixed &= active
            cycle &= active
            converged_at[fixed] = step
            two_cycle |= cycle
            moved = cycle.copy()
            active &= ~(fixed | cycle)
        else:
            if src.integer:  # h = (m - P s) / N, the integer difference exact
                f = (field.astype(np.float64) - src.diag * s) / n - u
            else:
                f = field - u
            p = 1.0 / (1.0 + np.exp(-2.0 * f / temperature))
            new = np.where(rng.random(s.shape) < p, 1, -1).astype(dtype)
            new8[...] = new
        s, new = new, s
        states.commit()
        if not active.any():
            break
    out = Recall(states.array(), converged_at, two_cycle)
    if counts is not None:
        last = counts[-1].copy()
        changed = np.flatnonzero((out.states[-1] != out.states[-2]).any(axis=1))
        if len(changed):
            last[changed] = src.overlaps(out.states[-1][changed].astype(np.float32))
        counts.append(last)
        out.overlap_counts = np.stack(counts)
    if energy:
        last = energies[-1].copy()
        moved = np.flatnonzero((out.states[-1] != out.states[-2]).any(axis=1))
        if len(moved):
            last[moved] = _energy_rows(s[moved], src.fields(s[moved]), u)
        energies.append(last)
        out.energy = np.stack(energies)
    return out


# -- asynchronous ---------------------------------------------------------------------


def asynchronous(src, u, s0, rng, temperature=0.0, max_sweeps=100, energy=False) -> Recall:
    """Asynchronous recall of many probes at once (N unit updates per sweep, each probe in
    its own random order); a probe stops after a sweep without a flip (T = 0)."""
    s = np.array(s0, dtype=np.int8, copy=True)
    n_probes, n = s.shape
    u = np.asarray(u, dtype=np.float64)
    h = src.initial(s)
    factored = isinstance(src, FactoredFields)
    if src.integer:
        hi, lo = thresholds(u, src.tie, n, np.float64 if factored else np.float32)
        if not factored and temperature > 0:
            raise ValueError("CountFields: T > 0 runs on float64 W (Glauber probabilities)")
    active = np.ones(n_probes, dtype=np.bool_)
    converged_at = np.full(n_probes, -1)
    states = _Trace(s, max_sweeps + 1)
    energies = [_energy_rows(s, h, u)] if energy else None
    rand = np.empty((n_probes, n))
    base = np.broadcast_to(np.arange(n), (n_probes, n))
    for sweep in range(max_sweeps):
        order = rng.permuted(base, axis=1)
        if temperature > 0:
            rand = rng.random((n_probes, n))
        with _kernels().kernel_threads(
            float(active.sum()) * n * (src.xt8.shape[1] if factored else n)
        ):
            if factored:
                xt = src.xt8
                flips = _kernels()._async_factored(
                    xt, u, hi, lo, s, h, order, rand, float(temperature), active
                )
            elif src.integer:
                flips = _kernels()._async_counts(src.k, hi, lo, s, h, order, active)
            else:
                flips = _kernels()._async_dense(
                    src.wt, u, s, h, order, rand, float(temperature), active, src.tie
                )
        states.slot()[...] = s
        states.commit()
        if energy:
            energies.append(_energy_rows(s, h, u))
        if temperature == 0:
            done = active & (flips == 0)
            converged_at[done] = sweep
            active &= ~done
            if not active.any():
                break
    out = Recall(states.array(), converged_at, np.zeros(n_probes, dtype=bool))
    if energy:
        out.energy = np.stack(energies)
    return out
