r"""Device mismatch as analog neuromorphic chips have it: per-neuron threshold and membrane
time-constant spread, shared by the spiking realizations that offer it.

Every fabricated neuron of an analog chip differs a little from its neighbours (transistor
mismatch): its firing threshold and its leak (membrane time constant) are fixed per neuron,
for the life of the chip, and spread around the design values. Here each neuron :math:`i`
gets

.. math:: \theta_i = \theta\,\lambda_i, \qquad \tau_{m,i} = \tau_m\,\mu_i,

with :math:`\lambda_i, \mu_i` independent log-normal factors of mean 1 and coefficient of
variation ``mismatch_threshold_cv`` and ``mismatch_tau_cv``
(:math:`\ln\lambda \sim \mathcal N(-s^2/2, s^2)`, :math:`s^2 = \ln(1 + \mathrm{cv}^2)`):
log-normal, not normal, so a threshold or a time constant is never zero or negative at any
CV < 1. The factors are drawn per neuron of the network (copies of one network that recall
different cues in parallel share them: one chip, several trials), from a stream of their own
derived from the run's simulator seed, so switching mismatch on changes no other draw and
CV = 0 leaves the realization's equations and its results untouched (bit for bit).

The values are realization options, so they are recorded with the Result's options.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.params import Params

#: spawn key of the mismatch stream (the realizations' own streams use the seed itself)
_STREAM = (0x6D69736D,)  # "mism"


class MismatchOptions(Params):
    """Per-neuron threshold and membrane time-constant spread (0 = off, the default)."""

    mismatch_threshold_cv: float = Field(
        0.0, ge=0, lt=1, description="coefficient of variation of the per-neuron threshold"
    )
    mismatch_tau_cv: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="coefficient of variation of the per-neuron membrane time constant",
    )


def active(options: Params | None) -> bool:
    """Whether ``options`` asks for any mismatch."""
    return bool(
        options is not None
        and (
            getattr(options, "mismatch_threshold_cv", 0.0) > 0
            or getattr(options, "mismatch_tau_cv", 0.0) > 0
        )
    )


def lognormal_factors(cv: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` log-normal factors of mean 1 and coefficient of variation ``cv`` (ones at 0)."""
    if cv == 0:
        return np.ones(n)
    s2 = np.log1p(cv * cv)
    return np.exp(rng.normal(-s2 / 2.0, np.sqrt(s2), n))


def draw(options: MismatchOptions, sizes: dict[str, int], seed: int) -> dict[str, tuple]:
    """Per population name: ``(threshold factors, tau factors)``, each of its size.

    The populations are drawn in the order given, thresholds then time constants, from the
    mismatch stream of ``seed``.
    """
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=_STREAM))
    out = {}
    for name, n in sizes.items():
        theta = lognormal_factors(options.mismatch_threshold_cv, n, rng)
        tau = lognormal_factors(options.mismatch_tau_cv, n, rng)
        out[name] = (theta, tau)
    return out


# -- Brian2 ----------------------------------------------------------------------------

#: per-neuron variables the Brian2 equations gain when mismatch is on
BRIAN2_VARIABLES = "\ntheta_mis : 1 (constant)\ntau_mis : second (constant)\n"


def brian2_equations(eqs: str, threshold: str, tau_name: str = "tau_m") -> tuple[str, str]:
    """The equations and threshold of a LIF group with per-neuron mismatch.

    Every occurrence of ``tau_name`` in the ``dv/dt`` line becomes the per-neuron
    ``tau_mis`` (noise terms scaled by the membrane time constant follow it), the
    threshold's constant ``1`` becomes ``theta_mis``; both are declared constants of the
    group, set by :func:`brian2_set`.
    """
    lines = eqs.split("\n")
    starts = [k for k, line in enumerate(lines) if line.strip().startswith("dv/dt")]
    for k in starts:
        # the equation runs to the line that declares its unit (the ring's noise
        # term is on a continuation line)
        for j in range(k, len(lines)):
            lines[j] = lines[j].replace(tau_name, "tau_mis")
            if ":" in lines[j]:
                break
    if threshold.replace(" ", "") not in ("v>1", "v>=1"):
        raise ValueError(f"mismatch: threshold must compare v with 1 (got {threshold!r})")
    return "\n".join(lines) + BRIAN2_VARIABLES, threshold.replace("1", "theta_mis")


def brian2_set(group, theta: np.ndarray, tau: np.ndarray, tau_s: float, copies: int = 1) -> None:
    """Set the group's ``theta_mis`` and ``tau_mis`` (``tau_s`` times the factors), tiled
    over ``copies`` copies of the network."""
    import brian2 as b2

    group.theta_mis = np.tile(theta, copies)
    group.tau_mis = np.tile(tau_s * tau, copies) * b2.second


# -- Nengo -----------------------------------------------------------------------------


class NengoMismatchOptions(MismatchOptions):
    """Threshold spread on Nengo; a time-constant spread is refused (``tau_rc`` is one value
    per ``nengo.LIF`` neuron type, so per-neuron time constants cannot be expressed)."""

    @pydantic.model_validator(mode="after")
    def _tau_spread_unsupported(self):
        if self.mismatch_tau_cv != 0:
            raise ValueError(
                "mismatch_tau_cv: must be 0 on Nengo, whose LIF ensembles share one tau_rc; "
                f"use Brian2 for a time-constant spread (got {self.mismatch_tau_cv})"
            )
        return self


def nengo_threshold(pops: list, ins: list, theta: dict[str, np.ndarray]) -> tuple[list, list]:
    r"""Populations and inputs of ``spiking._nengo`` with per-neuron thresholds ``theta``
    (population label -> factors; others unchanged).

    A LIF neuron of threshold :math:`\theta` (reset 0) is the unit-threshold neuron driven by
    :math:`J/\theta`: with :math:`u = v/\theta`, :math:`\tau\dot u = J/\theta - u` and a
    spike at :math:`u = 1`. So every current into neuron :math:`i` (bias, recurrent and
    residual rows, windowed inputs) is divided by :math:`\theta_i`; the voltage floor at 0
    and the initial voltages (drawn in threshold units) are unchanged.
    """
    out_pops = []
    for p in pops:
        if p.label not in theta:
            out_pops.append(p)
            continue
        inv = 1.0 / np.asarray(theta[p.label], dtype=np.float64)
        rows = dict(
            bias=np.asarray(p.bias, dtype=np.float64) * inv,
            recurrent=None if p.recurrent is None else np.asarray(p.recurrent) * inv[:, None],
            recurrent_residual=None
            if p.recurrent_residual is None
            else np.asarray(p.recurrent_residual) * inv[:, None],
        )
        out_pops.append(dataclasses.replace(p, **rows))
    out_ins = []
    for i in ins:
        if i.target not in theta:
            out_ins.append(i)
            continue
        inv = 1.0 / np.asarray(theta[i.target], dtype=np.float64)
        gain = np.broadcast_to(np.asarray(i.gain, dtype=np.float64), inv.shape) * inv
        out_ins.append(dataclasses.replace(i, gain=gain))
    return out_pops, out_ins
