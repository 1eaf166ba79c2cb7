"""Shared helpers for the Nengo and Loihi-emulator realizations of every model.

A realization describes its network as :class:`LIFPopulation` s (LIF neurons,
a constant bias current and, optionally, recurrent weights) and
:class:`WindowedInput` s (a constant vector switched on for a time window), then
calls :func:`~neurotwin.spiking._loihi.check_fits` (Loihi only),
:func:`build_network` and :func:`simulate`. Everything model-specific (how the
reference's weights map to currents, how the state is decoded) stays in the
realization; everything about Nengo and nengo-loihi is here and in
:mod:`neurotwin.spiking._loihi` (the chip: its limits, what it did to the network,
what it costs), written once.

* :mod:`~neurotwin.spiking._nengo.build`: the network description and its Nengo model;
* :mod:`~neurotwin.spiking._nengo.simulation`: running it on float Nengo or on the Loihi
  emulator, and the emulator's settings;
* :mod:`~neurotwin.spiking._nengo.warnings`: nengo-loihi's warnings, captured and
  classified; importing nengo-loihi and its numpy requirement.
"""

from __future__ import annotations

from .build import Backend, BuiltNetwork, LIFPopulation, WindowedInput, build_network
from .simulation import SimOutput, lowpass, progress_bar, simulate, with_chip_residuals
from .warnings import (
    KNOWN_WARNINGS,
    CapturedWarning,
    WarningLog,
    capture_warnings,
    check_loihi_numpy,
    classify_warning,
    import_nengo_loihi,
)

__all__ = [
    "progress_bar",
    "KNOWN_WARNINGS",
    "Backend",
    "BuiltNetwork",
    "CapturedWarning",
    "LIFPopulation",
    "SimOutput",
    "WarningLog",
    "WindowedInput",
    "build_network",
    "capture_warnings",
    "check_loihi_numpy",
    "classify_warning",
    "import_nengo_loihi",
    "lowpass",
    "simulate",
    "with_chip_residuals",
]
