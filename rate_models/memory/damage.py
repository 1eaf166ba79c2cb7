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

from typing import Literal

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.params import Params

KINDS = ("none", "dilute", "delete_neurons", "noise", "clip", "quantize")
#: kinds whose ``level`` is a fraction (of synapses or units)
FRACTION_KINDS = ("dilute", "delete_neurons")


class DamageParams(Params):
    """One kind of damage to the synapses a model builds (``damage``, ``level``, ``bits``)."""

    damage: Literal["none", "dilute", "delete_neurons", "noise", "clip", "quantize"] = Field(
        "none", description="kind of damage applied to the synapses (see damage.py)"
    )
    level: float = Field(
        0.0, ge=0, description="fraction deleted (dilute, delete_neurons) or noise std / std(W)"
    )
    bits: int = Field(3, ge=1, le=16, description="quantize: bits per weight, sign included")

    @pydantic.model_validator(mode="after")
    def _fraction(self):
        if self.damage in FRACTION_KINDS and self.level > 1:
            raise ValueError(
                f"level: must be at most 1 for damage={self.damage!r} (a fraction) "
                f"(got {self.level})"
            )
        return self


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


# -- any synaptic arrays: the ring's (W, W') and the modern Hopfield's stored patterns ------


def damage_arrays(
    arrays: list[np.ndarray],
    kind: str,
    level: float,
    bits: int,
    rng: np.random.Generator,
    square: bool,
) -> list[np.ndarray]:
    """The same kind of damage on every array of ``arrays`` (one shape, post x pre).

    Unlike :func:`damage`, no diagonal is zeroed (a ring's self-coupling is part of its
    profile). The arrays share one deletion mask (``dilute``: each entry deleted with
    probability ``level``; ``delete_neurons``: ``round(level * n)`` of the ``n`` presynaptic
    units, and for ``square`` arrays their outgoing and incoming synapses); ``noise`` adds to
    each array Gaussian noise of standard deviation ``level`` times the array's own (symmetric
    for ``square`` arrays, as in :func:`add_noise`); ``clip`` keeps each entry's sign at the
    array's mean magnitude, ``quantize`` rounds each array to ``bits`` bits (b = 1 is
    ``clip``). A ±1 array (the modern Hopfield's patterns) is unchanged by ``clip`` and
    ``quantize``: it is already one bit per synapse.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    shape = arrays[0].shape
    if kind == "dilute":
        keep = rng.random(shape) >= level
        return [np.where(keep, a, 0.0) for a in arrays]
    if kind == "delete_neurons":
        alive = np.ones(shape[1], dtype=bool)
        alive[rng.choice(shape[1], size=int(round(level * shape[1])), replace=False)] = False
        mask = alive[None, :] & (alive[:, None] if square else True)
        return [a * mask for a in arrays]
    if kind == "noise":
        out = []
        for a in arrays:
            eta = rng.standard_normal(shape)
            if square:
                eta = (eta + eta.T) / np.sqrt(2.0)
            out.append(a + level * a.std() * eta)
        return out
    if kind == "clip" or (kind == "quantize" and bits == 1):
        return [np.sign(a) * np.abs(a).mean() for a in arrays]
    if kind == "quantize":
        out = []
        for a in arrays:
            step = np.abs(a).max() / (2 ** (bits - 1) - 1)
            out.append(a if step == 0 else np.round(a / step) * step)
        return out
    return arrays
