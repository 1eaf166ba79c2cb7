r"""What every spiking recall network of the Hopfield family shares.

The Brian2, Nengo and Loihi-emulator realizations of ``hopfield`` and the spiking
circuits of ``modern-hopfield`` run the same protocol: a cue for
``cue_duration_s``, then free recall for ``recall_duration_s``, the state decoded
from spike counts in consecutive windows of ``window_s`` from t = 0. This module
holds that protocol (:class:`SpikingRecallOptions`, with its rules as validators),
the mapping's on-rate :math:`\nu_{\mathrm{on}}` (the rate of a neuron with
constant input :math:`1 + g`, see ``spiking/hopfield/brian2.py``), and the checks
and readouts of the decoded windows (runaway activity, convergence).

Nothing here imports a simulator at module level.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.errors import SimulationError
from neurotwin.params import Params
from neurotwin.spiking._brian2 import check_multiple

if TYPE_CHECKING:
    from neurotwin.spiking._nengo import Backend

#: ``converged`` compares the decoded state over this many final windows
CONVERGED_WINDOWS = 3
#: field-unit noise standard deviation per unit of temperature (see ``brian2.py``)
NOISE_PER_TEMPERATURE = 0.8
#: runaway bound: mean rate above this fraction of the maximal rate 1 / max(tau_ref, dt)
RUNAWAY_FRACTION = 0.9


class SpikingRecallOptions(Params):
    """What every spiking Hopfield realization shares: the cue/recall schedule, the
    decoding window and the mapping's time constants and gain (times in seconds,
    currents in threshold units). Subclasses add ``dt_s`` and their simulator's own."""

    cue_duration_s: float = Field(0.04, gt=0, description="cue window, a multiple of window_s")
    recall_duration_s: float = Field(
        0.2, gt=0, description="free recall after the cue, a multiple of window_s"
    )
    window_s: float = Field(0.02, gt=0, description="decoding window, a multiple of dt_s")
    min_spikes: int = Field(1, ge=1, description="spikes in a window for the state +1")
    tau_syn_s: float = Field(0.01, gt=0, description="synaptic current time constant")
    tau_ref_s: float = Field(0.005, ge=0, description="refractory period (max rate 1/tau_ref)")
    gain: float = Field(
        64.0, gt=0, description="g: input current per unit of field h - U (synaptic scaling)"
    )
    cue_strength: float = Field(
        2.0, ge=0, description="a: cue current g*a*cue_i, in units of the field"
    )

    @property
    def cue_windows(self) -> int:
        """Decoding windows during the cue."""
        return round(self.cue_duration_s / self.window_s)

    @property
    def n_windows(self) -> int:
        """Decoding windows of the whole run (cue, then recall)."""
        return self.cue_windows + round(self.recall_duration_s / self.window_s)

    @property
    def steps_per_window(self) -> int:
        return round(self.window_s / self.dt_s)

    @pydantic.model_validator(mode="after")
    def _windows_tile_the_run(self):
        check_multiple("window_s", self.window_s, self.dt_s, "dt_s")
        check_multiple("cue_duration_s", self.cue_duration_s, self.window_s, "window_s")
        check_multiple(
            "recall_duration_s",
            self.recall_duration_s,
            self.window_s,
            "window_s",
            CONVERGED_WINDOWS,
        )
        return self


# -- the on-rate nu_on -------------------------------------------------------------------


def on_rate_hz(options) -> float:
    """nu_on of a continuous-time LIF (Brian2): the rate at constant input 1 + g.

    ``options`` needs ``gain``, ``tau_ref_s`` and ``tau_m_s``.
    """
    g = options.gain
    return 1.0 / (options.tau_ref_s + options.tau_m_s * math.log((1.0 + g) / g))


def lif_rates(backend: Backend, lif, x, gain, bias, dt_s) -> np.ndarray:
    """Rates of Nengo ``lif`` neurons on ``backend`` (the chip's spike periods are whole
    time steps, so ``loihi-emulator`` uses nengo-loihi's rate function)."""
    if backend == "nengo":
        return lif.rates(x, gain, bias)
    from neurotwin.spiking._nengo import import_nengo_loihi

    return import_nengo_loihi().neurons.loihi_rates(lif, x, gain, bias, dt_s)


def nengo_on_rate_hz(options, backend: Backend) -> float:
    """nu_on of a Nengo LIF on ``backend``: the rate at constant input 1 + g.

    ``options`` needs ``gain``, ``tau_ref_s``, ``tau_rc_s`` and ``dt_s``.
    """
    import nengo

    lif = nengo.LIF(tau_rc=options.tau_rc_s, tau_ref=options.tau_ref_s)
    x, gain, bias = np.ones(1), np.array([options.gain]), np.ones(1)
    return float(np.asarray(lif_rates(backend, lif, x, gain, bias, options.dt_s)).ravel()[0])


# -- reading the decoded windows ------------------------------------------------------------


def runaway_rate_hz(options) -> float:
    """Mean rate above which a window counts as runaway activity (``tau_ref_s``, ``dt_s``)."""
    return RUNAWAY_FRACTION / max(options.tau_ref_s, options.dt_s)


def check_runaway(rates: np.ndarray, bound: float, window_s: float) -> None:
    """Raise :class:`SimulationError` for the first window whose mean rate exceeds ``bound``."""
    over = np.flatnonzero(rates > bound)
    if over.size:
        k = int(over[0])
        raise SimulationError(
            f"rate: runaway activity, mean rate {rates[k]:.1f} Hz > {bound:g} Hz in window "
            f"{k} (t = {k * window_s:g} to {(k + 1) * window_s:g} s)"
        )


def converged_cues(state: np.ndarray) -> np.ndarray:
    """Per cue: the decoded state (windows, cues, N) is identical over the last windows."""
    last = state[-CONVERGED_WINDOWS:]
    return (last == last[-1]).all(axis=(0, 2))
