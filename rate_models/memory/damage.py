r"""Damage to a weight matrix: what tissue loss, noise and low precision do to a memory.

Every function takes the couplings :math:`W` (N x N, zero diagonal) and returns a damaged
copy; all randomness comes from the ``rng`` handed in. The damaged W can be handed to any
realization of the Hopfield model (``neurotwin.run("hopfield", "brian2",
weights={"W": damaged, "patterns": patterns})``), so the spiking networks run the same
damaged network as the reference.

* ``dilute``: each synapse :math:`W_{ij}` (i != j) is deleted with probability ``level``,
  independently of :math:`W_{ji}` (asymmetric dilution, as in Derrida, Gardner & Zippelius
  1987: with :math:`K` surviving inputs per unit and :math:`K \ll \ln N` the critical load
  per connection is :math:`P/K = 2/\pi`).
* ``delete_neurons``: a fraction ``level`` of the units loses every synapse (in and out);
  recall is measured on the surviving units.
* ``noise``: :math:`W + \eta`, :math:`\eta` symmetric Gaussian of standard deviation
  ``level`` times the standard deviation of the off-diagonal entries of W.
* ``clip``: :math:`\operatorname{sgn}(W_{ij})` times the mean :math:`|W_{ij}|` (the scale does
  not change T = 0 dynamics); for Hebbian W this is Sompolinsky's (1986) clipped synapses.
* ``quantize``: ``bits`` bits, sign included: :math:`2^{b-1} - 1` uniform levels per sign
  up to max :math:`|W|`, rounded to the nearest (b = 1 is ``clip``).
"""

from __future__ import annotations

import numpy as np

KINDS = ("none", "dilute", "delete_neurons", "noise", "clip", "quantize")


def dilute(w: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    keep = rng.random(w.shape) >= fraction
    out = np.where(keep, w, 0.0)
    np.fill_diagonal(out, 0.0)
    return out


def delete_neurons(
    w: np.ndarray, fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The damaged W and the mask of surviving units (``round(fraction * N)`` deleted)."""
    n = w.shape[0]
    alive = np.ones(n, dtype=bool)
    alive[rng.choice(n, size=int(round(fraction * n)), replace=False)] = False
    out = w * alive[:, None] * alive[None, :]
    return out, alive


def _offdiag(w: np.ndarray) -> np.ndarray:
    return w[~np.eye(w.shape[0], dtype=bool)]


def add_noise(w: np.ndarray, level: float, rng: np.random.Generator) -> np.ndarray:
    eta = rng.standard_normal(w.shape)
    eta = (eta + eta.T) / np.sqrt(2.0)
    out = w + level * _offdiag(w).std() * eta
    np.fill_diagonal(out, 0.0)
    return out


def clip(w: np.ndarray) -> np.ndarray:
    out = np.sign(w) * np.abs(_offdiag(w)).mean()
    np.fill_diagonal(out, 0.0)
    return out


def quantize(w: np.ndarray, bits: int) -> np.ndarray:
    if bits == 1:
        return clip(w)
    levels = 2 ** (bits - 1) - 1
    step = np.abs(w).max() / levels
    return np.round(w / step) * step


def damage(
    w: np.ndarray, kind: str, level: float, bits: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``(damaged W, alive mask)`` for one kind of damage (``KINDS``)."""
    alive = np.ones(w.shape[0], dtype=bool)
    if kind == "dilute":
        return dilute(w, level, rng), alive
    if kind == "delete_neurons":
        return delete_neurons(w, level, rng)
    if kind == "noise":
        return add_noise(w, level, rng), alive
    if kind == "clip":
        return clip(w), alive
    if kind == "quantize":
        return quantize(w, bits), alive
    return np.array(w, dtype=np.float64), alive
