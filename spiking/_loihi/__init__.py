"""A model of the Loihi chip, for the ``loihi-emulator`` realizations.

What the chip holds, what a network needs of it, what fixed point does to the
network, and what a run costs, written once for every model:

* :mod:`~neurotwin.spiking._loihi.limits`: per-core limits, cores per chip, the
  synapse format (Davies et al. 2018; nengo-loihi 1.1.0);
* :mod:`~neurotwin.spiking._loihi.resources`: whether populations fit, checked before
  building (:func:`check_fits`), and the resources of a built model
  (:func:`resource_report`);
* :mod:`~neurotwin.spiking._loihi.quantization`: the chip's weights and biases against
  the float ones, and a numpy model of the weight rounding (:func:`loihi_quantize`);
* :mod:`~neurotwin.spiking._loihi.energy`: event counts of an emulator run and the
  energy estimate from Davies et al. (2018), Table 2.

The network itself is described and run by :mod:`neurotwin.spiking._nengo`.

References
----------
Davies, M. et al. (2018). Loihi: a neuromorphic manycore processor with on-chip
learning. IEEE Micro 38(1), 82-99. doi:10.1109/MM.2018.112130359
"""

from __future__ import annotations

from .energy import (
    ENERGY_PER_NEURON_UPDATE_ACTIVE_J,
    ENERGY_PER_NEURON_UPDATE_INACTIVE_J,
    ENERGY_PER_SPIKE_WITHIN_TILE_J,
    ENERGY_PER_SYNAPTIC_OP_J,
    energy_estimate,
)
from .limits import (
    CORES_PER_CHIP,
    LOIHI_ENSEMBLE_DEFAULTS,
    MAX_COMPARTMENTS,
    MAX_IN_AXONS,
    MAX_OUT_AXONS,
    MAX_SYNAPSE_BITS,
)
from .quantization import (
    chip_weights,
    float_with_chip_weights,
    loihi_quantize,
    quantization_summary,
    weight_quantization,
)
from .report import chip_report
from .resources import ChipPlan, check_fits, resource_report, synapse_list_bits

__all__ = [
    "CORES_PER_CHIP",
    "ENERGY_PER_NEURON_UPDATE_ACTIVE_J",
    "ENERGY_PER_NEURON_UPDATE_INACTIVE_J",
    "ENERGY_PER_SPIKE_WITHIN_TILE_J",
    "ENERGY_PER_SYNAPTIC_OP_J",
    "LOIHI_ENSEMBLE_DEFAULTS",
    "MAX_COMPARTMENTS",
    "MAX_IN_AXONS",
    "MAX_OUT_AXONS",
    "MAX_SYNAPSE_BITS",
    "ChipPlan",
    "check_fits",
    "chip_weights",
    "energy_estimate",
    "loihi_quantize",
    "quantization_summary",
    "resource_report",
    "chip_report",
    "float_with_chip_weights",
    "synapse_list_bits",
    "weight_quantization",
]
