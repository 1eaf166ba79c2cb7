r"""What one Loihi chip holds: per-core limits, cores per chip, the synapse format.

Per neuromorphic core (Davies et al. 2018, IEEE Micro 38(1), p. 89, mapping
constraints 1-4; the same numbers are nengo-loihi 1.1.0's
``nengo_loihi.block.MAX_COMPARTMENTS``, ``MAX_IN_AXONS``, ``MAX_OUT_AXONS`` and
``MAX_SYNAPSE_BITS``):

* 1024 compartments ("The total number of neurons assigned to any core may not
  exceed 1,024");
* 4096 input axons (distribution lists, the fan-in);
* 4096 output axons (core-to-core fan-out edges);
* 16384 x 64 bits of synaptic memory (128 KB of synaptic state).

A chip has 128 neuromorphic cores (Davies et al. 2018, p. 86; nengo-loihi's
``hardware.allocators.Greedy(cores_per_chip=128)``).

Weights are stored in nengo-loihi's synapse format for ``set_weights()``
(``nengo_loihi.block.Synapse._set_weights_indices``): 8-bit mixed-sign weights,
up to 64 weights per synapse list, each list with a 10-bit header, rounded up to
whole 64-bit words (:func:`~neurotwin.spiking._loihi.resources.synapse_list_bits`).

:data:`LOIHI_ENSEMBLE_DEFAULTS` is what a decoded (NEF) variant sets on its own
ensembles for the chip instead of calling ``nengo_loihi.set_defaults()``, which
changes nengo's class defaults (``nengo.LIF.state["voltage"]``, Ensemble
``max_rates`` and ``intercepts``) for the whole process and so would silently
change every later float-Nengo run.

References
----------
Davies, M. et al. (2018). Loihi: a neuromorphic manycore processor with on-chip
learning. IEEE Micro 38(1), 82-99. doi:10.1109/MM.2018.112130359
"""

from __future__ import annotations

#: per-core limits, Davies et al. 2018 p. 89 = nengo_loihi.block.MAX_* (1.1.0)
MAX_COMPARTMENTS = 1024
MAX_IN_AXONS = 4096
MAX_OUT_AXONS = 4096
MAX_SYNAPSE_BITS = 16384 * 64
#: neuromorphic cores per Loihi chip (Davies et al. 2018 p. 86)
CORES_PER_CHIP = 128

#: what a decoded (NEF) variant sets on its own ensembles for the chip, instead
#: of nengo_loihi.set_defaults() (which changes nengo's defaults process-wide)
LOIHI_ENSEMBLE_DEFAULTS = {"max_rates": (100.0, 120.0), "intercepts": (-1.0, 0.5)}

# nengo-loihi's synapse format for set_weights(): 8-bit weights, 64 weights per
# synapse list entry, mixed sign (nengo_loihi.block.Synapse._set_weights_indices)
WEIGHT_BITS = 8
SYNAPSES_PER_LIST = 64
LIST_HEADER_BITS = 4 + 6  # synapse_idx_bits + n_synapses_bits
MEMORY_UNIT_BITS = 64

__all__ = [
    "CORES_PER_CHIP",
    "LIST_HEADER_BITS",
    "LOIHI_ENSEMBLE_DEFAULTS",
    "MAX_COMPARTMENTS",
    "MAX_IN_AXONS",
    "MAX_OUT_AXONS",
    "MAX_SYNAPSE_BITS",
    "MEMORY_UNIT_BITS",
    "SYNAPSES_PER_LIST",
    "WEIGHT_BITS",
]
