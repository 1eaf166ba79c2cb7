r"""Patterns and the rules that store them in W (Hopfield reference).

* ``hebbian``: :math:`W = \frac1N (\Xi^\top \Xi - P I)`, i.e. the Hebbian sums
  :math:`K_{ij} = \sum_\mu \xi^\mu_i \xi^\mu_j` (zero diagonal) over :math:`N`.
* ``pseudoinverse`` (Personnaz, Guyon & Dreyfus 1985) and ``storkey`` (Storkey 1997):
  dense float64 matrices with no integer structure.

The Hebbian sums are integers of magnitude <= P, so float32 holds them exactly, and
so does every field :math:`m = K s` while :math:`\sum_j |K_{ij}| < 2^{24}` (each
partial sum of the product is then an integer below :math:`2^{24}`): the reference
recalls from ``K`` in float32 (:func:`hebbian_counts`), one :math:`N^2` float32 array,
and makes the same decisions as from the float64 :math:`W`. The other rules' weights
are not integers, so they stay float64.

:class:`HebbianWeights` is the weights dict of a Hebbian network: ``W`` (float64,
bit for bit :func:`hebbian`) is formed only when someone reads it, so a reference
run holds the patterns and its own float32 ``K`` (or, factored, no N x N array at all).
"""

from __future__ import annotations

import numpy as np

#: float32 represents every integer of magnitude below this exactly
EXACT_FLOAT32 = 2**24


def random_patterns(n_patterns: int, n_units: int, rng: np.random.Generator) -> np.ndarray:
    """Unbiased random ±1 patterns, shape (P, N), int8.

    Drawn one row at a time (the same numbers as one ``rng.random((P, N))``: the
    generator's stream does not depend on how it is chunked), so drawing needs O(N)
    scratch memory instead of 17 bytes per entry.
    """
    out = np.empty((n_patterns, n_units), dtype=np.int8)
    for mu in range(n_patterns):
        out[mu] = np.where(rng.random(n_units) < 0.5, -1, 1)
    return out


def hebbian(patterns: np.ndarray) -> np.ndarray:
    """``W = (X^T X) / N`` with zero diagonal, float64.

    ``np.ascontiguousarray(x.T) @ x`` rather than ``x.T @ x``: numpy sends the latter
    to OpenBLAS's syrk, which crashed (SIGSEGV, OpenBLAS 0.3.30, 2 threads) for x of
    800 x 16000; the sums are integers, so both give the same bits.
    """
    x = patterns.astype(np.float64)
    w = np.ascontiguousarray(x.T) @ x
    del x
    w /= patterns.shape[1]
    np.fill_diagonal(w, 0.0)
    return w


def hebbian_counts(patterns: np.ndarray) -> np.ndarray:
    """The Hebbian sums ``K = X^T X`` with zero diagonal, float32 (exact integers)."""
    from .recall import blas_threads

    x = patterns.astype(np.float32)
    with blas_threads(2.0 * x.shape[0] * x.shape[1] ** 2):
        k = np.ascontiguousarray(x.T) @ x
    del x
    np.fill_diagonal(k, 0.0)
    return k


def counts_exact(k: np.ndarray, n_patterns: int) -> bool:
    """Whether every field ``K s`` (and each partial sum of it) stays below 2^24.

    ``N P`` bounds every row's absolute sum; above 2^24 the row sums are measured.
    """
    n = k.shape[0]
    if n * n_patterns < EXACT_FLOAT32:
        return True
    block = max(1, 2**24 // n)
    for r in range(0, n, block):
        if np.abs(k[r : r + block]).sum(axis=1, dtype=np.float64).max() >= EXACT_FLOAT32:
            return False
    return True


def max_abs(a: np.ndarray) -> float:
    """``max |a|`` without an array-sized temporary."""
    return float(max(a.max(), -a.min())) if a.size else 0.0


def pseudoinverse(patterns: np.ndarray) -> np.ndarray:
    x = patterns.astype(np.float64)
    w = x.T @ np.linalg.pinv(x @ x.T) @ x
    np.fill_diagonal(w, 0.0)
    return w


def storkey(patterns: np.ndarray) -> np.ndarray:
    n = patterns.shape[1]
    w = np.zeros((n, n))
    for xi in patterns.astype(np.float64):
        # h_ij = sum_{k != i, j} w_ik xi_k  =  h_i - w_ii xi_i - w_ij xi_j  (w_ii = 0)
        h = w @ xi
        hij = h[:, None] - w * xi[None, :]
        w += (np.outer(xi, xi) - xi[:, None] * hij.T - hij * xi[None, :]) / n
    np.fill_diagonal(w, 0.0)
    return w


STORAGE = {"hebbian": hebbian, "pseudoinverse": pseudoinverse, "storkey": storkey}

#: N x N float64 arrays each rule holds at its peak, besides W (measured from the code
#: above: storkey's update expression, asymmetry's r, r - r.T and the mix)
RULE_EXTRA_MATRICES = {"hebbian": 0, "pseudoinverse": 1, "storkey": 5, "given": 0}
ASYMMETRY_EXTRA_MATRICES = 3


def mix_asymmetry(w: np.ndarray, asymmetry: float, rng: np.random.Generator) -> np.ndarray:
    """``(1 - a) W + a A`` with ``A`` random antisymmetric, ``||A||_F = ||W||_F``."""
    if asymmetry == 0:
        return w
    r = rng.standard_normal(w.shape)
    a = r - r.T
    a *= np.linalg.norm(w) / max(np.linalg.norm(a), 1e-300)
    return (1 - asymmetry) * w + asymmetry * a


class HebbianWeights(dict):
    """``{"W", "patterns", "U"}`` of a Hebbian network, ``W`` formed on first read.

    A plain dict to every reader (``weights["W"]``, ``"W" in weights``, ``dict(weights)``,
    iteration): ``W`` is :func:`hebbian` of the patterns, computed once when read and
    kept. The reference reads ``patterns`` only, so it never forms the float64 W.
    """

    def __init__(self, patterns: np.ndarray, u: np.ndarray):
        super().__init__(patterns=patterns, U=u)

    @property
    def formed(self) -> bool:
        """Whether ``W`` has been formed (someone read it)."""
        return dict.__contains__(self, "W")

    def __missing__(self, key):
        if key != "W":
            raise KeyError(key)
        w = hebbian(dict.__getitem__(self, "patterns"))
        dict.__setitem__(self, "W", w)
        return w

    def __contains__(self, key) -> bool:
        return key == "W" or dict.__contains__(self, key)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def keys(self):
        return ["W", *(k for k in dict.keys(self) if k != "W")]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def items(self):
        return [(k, self[k]) for k in self.keys()]

    def values(self):
        return [self[k] for k in self.keys()]

    def copy(self):
        out = HebbianWeights(self["patterns"], self["U"])
        if self.formed:
            dict.__setitem__(out, "W", dict.__getitem__(self, "W"))
        for k in dict.keys(self):
            if k not in ("W", "patterns", "U"):
                dict.__setitem__(out, k, dict.__getitem__(self, k))
        return out

    def __reduce__(self):
        return (_rebuild, (self["patterns"], self["U"]))


def _rebuild(patterns, u):
    return HebbianWeights(patterns, u)
