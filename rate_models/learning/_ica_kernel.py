"""The online loop of ``hebbian-ica`` as a numba kernel, in a module of its own so that
numba is imported only when the reference runs (see :mod:`.hebbian_ica`)."""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True)
def ica_online(w, z, order, eta0, anneal_to, marks, saved):  # pragma: no cover - jit
    """Natural-gradient infomax, one sample at a time, in place on ``w`` (n, n):
    ``y = W z[k]``, ``u = W^T y``, ``W += eta (W - tanh(y) u^T)`` for k in ``order``
    (:func:`~neurotwin.rate_models.learning.rules.ica_update`, element by element), eta
    falling geometrically from ``eta0`` to ``eta0 * anneal_to`` at the last sample
    (:func:`~neurotwin.rate_models.learning.rules.annealed_rate`).

    ``saved[m]`` gets W after step ``marks[m]`` (steps counted from 1, increasing).
    Returns 0, or the first step after which W holds a non-finite value (W is left as
    it was then)."""
    n = w.shape[0]
    y = np.empty(n)
    u = np.empty(n)
    m = 0
    # the geometric schedule as a running product: a power per sample made the loop 25 %
    # slower; the product stays within 1e-12 (relative) of the closed form
    ratio = anneal_to ** (1.0 / max(len(order) - 1, 1))
    eta = eta0 / ratio
    for step in range(1, len(order) + 1):
        eta *= ratio
        pre = z[order[step - 1]]
        for i in range(n):
            acc = 0.0
            for j in range(n):
                acc += w[i, j] * pre[j]
            y[i] = acc
        for j in range(n):
            acc = 0.0
            for i in range(n):
                acc += w[i, j] * y[i]
            u[j] = acc
        finite = True
        for i in range(n):
            t = math.tanh(y[i])
            for j in range(n):
                w[i, j] = w[i, j] + eta * (w[i, j] - t * u[j])
                finite &= math.isfinite(w[i, j])
        if not finite:
            return step
        if m < len(marks) and step == marks[m]:
            saved[m] = w
            m += 1
    return 0
