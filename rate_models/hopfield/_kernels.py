"""Numba kernels of the Hopfield reference's recall, in a module of their own so that
numba is imported only when a recall runs (see :mod:`.recall`)."""

from __future__ import annotations

import contextlib

import numba
import numpy as np

from .recall import SMALL_PRODUCT_FLOPS


@contextlib.contextmanager
def kernel_threads(work: float):
    """Numba threads for a kernel call of ``work`` element operations: one below
    SMALL_PRODUCT_FLOPS, else numba's default. Not the idle cores, as for BLAS products
    (``recall.small_work_threads``): alone, the 100 x 1000 sweeps ran 1.7x faster on two
    threads, but within a recall, right after the initial fields' product whose OpenBLAS
    threads still spin, two numba threads made the whole async run 1.2-1.3x slower
    (1.0-1.1e7 vs 1.3e7 unit updates/s, quiet 2-core machine, issue 16)."""
    if work >= SMALL_PRODUCT_FLOPS:
        yield
        return
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


@numba.njit(cache=True)
def _sync_decide(
    field, slot, sub, hi, lo, diag, s, new, new8, prev8, has_prev, fixed, cycle
):  # pragma: no cover - jit
    """New states of every probe from its field row (``slot[c]``; -1: frozen, copied).

    Branch-free per unit (x > hi: +1, x < lo: -1, else keep), so the loop vectorizes.
    """
    n_probes, n = s.shape
    for c in range(n_probes):
        k = slot[c]
        if k < 0:
            for i in range(n):
                new[c, i] = s[c, i]
                new8[c, i] = np.int8(s[c, i])
            fixed[c] = False
            cycle[c] = False
            continue
        changed = 0
        differ = 0
        fc, sc, nc, n8, pc = field[k], s[c], new[c], new8[c], prev8[c]
        for i in range(n):
            x = fc[i] - sub[i] - diag * sc[i]
            up = x > hi[i]
            dn = x < lo[i]
            v = sc[i] + up * (1 - sc[i]) - dn * (1 + sc[i])
            nc[i] = v
            n8[i] = np.int8(v)
            changed += v != sc[i]
            differ += n8[i] != pc[i]
        fixed[c] = changed == 0
        cycle[c] = has_prev and differ == 0 and changed > 0


@numba.njit(parallel=True, cache=True)
def _async_dense(wt, u, s, h, order, rand, temperature, active, tie):  # pragma: no cover - jit
    """One asynchronous sweep of every active probe; updates ``s`` and fields ``h`` in place.

    ``h`` is kept incrementally: a flip of unit i changes every h_j by 2 s_i W_ji
    (row i of ``wt = W.T``), so a sweep costs O(N) per visit plus O(N) per flip.
    """
    n_probes, n = s.shape
    flips = np.zeros(n_probes, np.int64)
    for c in numba.prange(n_probes):
        if not active[c]:
            continue
        sc, hc, oc, rc = s[c], h[c], order[c], rand[c]
        nf = 0
        for k in range(n):
            i = oc[k]
            field = hc[i] - u[i]
            if temperature == 0.0:
                if field > tie:
                    new = 1
                elif field < -tie:
                    new = -1
                else:
                    new = sc[i]
            else:
                p = 1.0 / (1.0 + np.exp(-2.0 * field / temperature))
                new = 1 if rc[k] < p else -1
            if new != sc[i]:
                sc[i] = new
                d = 2.0 * new
                row = wt[i]
                for j in range(n):
                    hc[j] += d * row[j]
                nf += 1
        flips[c] = nf
    return flips


@numba.njit(parallel=True, cache=True)
def _async_counts(k, hi, lo, s, h, order, active):  # pragma: no cover - jit
    """The dense sweep on integer fields ``m = K s`` (float32, exact), T = 0."""
    n_probes, n = s.shape
    flips = np.zeros(n_probes, np.int64)
    for c in numba.prange(n_probes):
        if not active[c]:
            continue
        sc, hc, oc = s[c], h[c], order[c]
        nf = 0
        for t in range(n):
            i = oc[t]
            m = hc[i]
            if m > hi[i]:
                new = 1
            elif m < lo[i]:
                new = -1
            else:
                new = sc[i]
            if new != sc[i]:
                sc[i] = new
                d = np.float32(2 * new)
                row = k[i]
                for j in range(n):
                    hc[j] += d * row[j]
                nf += 1
        flips[c] = nf
    return flips


@numba.njit(parallel=True, cache=True)
def _async_factored(
    xt, u, hi, lo, s, o, order, rand, temperature, active
):  # pragma: no cover - jit
    """The sweep from the overlaps ``o = Xi s`` (C, P): m_i = xi_i . o - P s_i, O(P) per
    visit, and a flip of unit i changes o by 2 s_i xi_i (O(P)). W is never formed."""
    n_probes, n = s.shape
    p = xt.shape[1]
    flips = np.zeros(n_probes, np.int64)
    for c in numba.prange(n_probes):
        if not active[c]:
            continue
        sc, occ, oc, rc = s[c], o[c], order[c], rand[c]
        nf = 0
        for t in range(n):
            i = oc[t]
            row = xt[i]
            acc = 0
            for mu in range(p):
                acc += row[mu] * occ[mu]
            m = acc - p * sc[i]
            if temperature == 0.0:
                if m > hi[i]:
                    new = 1
                elif m < lo[i]:
                    new = -1
                else:
                    new = sc[i]
            else:
                field = m / n - u[i]
                pr = 1.0 / (1.0 + np.exp(-2.0 * field / temperature))
                new = 1 if rc[t] < pr else -1
            if new != sc[i]:
                sc[i] = new
                d = 2 * new
                for mu in range(p):
                    occ[mu] += d * row[mu]
                nf += 1
        flips[c] = nf
    return flips
