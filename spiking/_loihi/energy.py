"""Energy of one emulator run on the Loihi chip: event counts times per-event energies.

:func:`event_counts` counts, on the emulated chip, the spikes, synaptic operations and
compartment updates of a run (host input spikes counted by wrapping the model's inputs,
:func:`count_input_spikes`); :func:`energy_estimate` multiplies event counts by the
per-event energies of Davies et al. (2018), Table 2 ("Loihi pre-silicon performance
and energy measurements", from SDF/SPICE simulation, "consistent with early
post-silicon characterization"): 23.6 pJ per synaptic spike operation (min),
81 pJ / 52 pJ per neuron update (active / inactive) and 1.7 pJ per spike delivered
within a tile. It is an **estimate**: no static (leakage) power, no host I/O, no tile
hops between cores, and the per-event figures are the paper's, not measured on this
network.

References
----------
Davies, M. et al. (2018). Loihi: a neuromorphic manycore processor with on-chip
learning. IEEE Micro 38(1), 82-99. doi:10.1109/MM.2018.112130359
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .resources import blocks_of

if TYPE_CHECKING:
    from neurotwin.spiking._nengo.build import BuiltNetwork

#: Davies et al. 2018, Table 2, in joules
ENERGY_PER_SYNAPTIC_OP_J = 23.6e-12
ENERGY_PER_NEURON_UPDATE_ACTIVE_J = 81e-12
ENERGY_PER_NEURON_UPDATE_INACTIVE_J = 52e-12
ENERGY_PER_SPIKE_WITHIN_TILE_J = 1.7e-12


def count_input_spikes(model) -> dict:
    """Wrap each host-to-chip SpikeInput so the spikes it receives are counted."""
    counts: dict = {}
    for inp in model.inputs:
        counts[inp] = np.zeros(getattr(inp, "n_neurons", 0), dtype=np.int64)
        original = inp.add_spikes

        def add_spikes(ti, spike_idxs, permanent=False, _orig=original, _c=counts[inp]):
            np.add.at(_c, np.asarray(spike_idxs, dtype=np.int64), 1)
            return _orig(ti, spike_idxs, permanent=permanent)

        inp.add_spikes = add_spikes
    return counts


def event_counts(model, built: BuiltNetwork, spikes: dict, input_spikes: dict, n_steps: int):
    """Spikes, synaptic operations and compartment updates of one emulator run.

    A spike of a compartment costs one synaptic operation per weight stored in
    the synapse lists its axons point to (dense rows: zeros included, as the
    chip reads them); a host input spike likewise. Every compartment is updated
    every time step: "active" when it spiked in that step, "inactive" otherwise.
    """
    per_pop = {}
    for pop in built.populations:
        fanout = np.zeros(pop.n, dtype=np.int64)
        for block in blocks_of(model, built.ensembles[pop.label]):
            comp_ids = np.array(list(model.block_comp_map[block]), dtype=np.int64)
            for axon in block.axons:
                for local, comp in enumerate(comp_ids):
                    a = axon.map_axon(np.array([local]))[0]
                    if a >= 0:
                        w, _ = axon.target.axon_weights_indices(int(a))
                        fanout[comp] += w.size
        counts = spikes[pop.label].sum(axis=0)
        per_pop[pop.label] = {
            "spikes": int(counts.sum()),
            "synaptic_ops": int((counts * fanout).sum()),
            "compartment_updates": int(pop.n * n_steps),
        }
    in_spikes = 0
    in_ops = 0
    for inp, c in input_spikes.items():
        fan = np.zeros(len(c), dtype=np.int64)
        for axon in inp.axons:
            for i in range(len(c)):
                a = axon.map_axon(np.array([i]))[0]
                if a >= 0:
                    w, _ = axon.target.axon_weights_indices(int(a))
                    fan[i] += w.size
        in_spikes += int(c.sum())
        in_ops += int((c * fan).sum())
    return {"populations": per_pop, "input_spikes": in_spikes, "input_synaptic_ops": in_ops}


def energy_estimate(
    spikes: int, synaptic_ops: int, compartment_updates: int, input_synaptic_ops: int = 0
) -> dict:
    """Energy of one run from event counts and Davies et al. (2018) Table 2 (an estimate).

    .. math:: E \\approx 23.6\\,\\mathrm{pJ}\\,(n_{\\mathrm{syn}} + n_{\\mathrm{syn,in}})
              + 81\\,\\mathrm{pJ}\\, n_{\\mathrm{spk}}
              + 52\\,\\mathrm{pJ}\\,(n_{\\mathrm{upd}} - n_{\\mathrm{spk}})
              + 1.7\\,\\mathrm{pJ}\\, n_{\\mathrm{spk}}

    (a compartment update is "active", 81 pJ, in the step it spikes; 52 pJ
    otherwise). No static power, host I/O or inter-tile hops; the per-event
    figures are pre-silicon simulations reported by the paper.
    """
    parts = {
        "synaptic_ops_j": (synaptic_ops + input_synaptic_ops) * ENERGY_PER_SYNAPTIC_OP_J,
        "neuron_updates_j": spikes * ENERGY_PER_NEURON_UPDATE_ACTIVE_J
        + (compartment_updates - spikes) * ENERGY_PER_NEURON_UPDATE_INACTIVE_J,
        "spike_delivery_j": spikes * ENERGY_PER_SPIKE_WITHIN_TILE_J,
    }
    return {
        "energy_estimate_j": float(sum(parts.values())),
        "breakdown": {k: float(v) for k, v in parts.items()},
        "figures_pj": {
            "synaptic_op": ENERGY_PER_SYNAPTIC_OP_J * 1e12,
            "neuron_update_active": ENERGY_PER_NEURON_UPDATE_ACTIVE_J * 1e12,
            "neuron_update_inactive": ENERGY_PER_NEURON_UPDATE_INACTIVE_J * 1e12,
            "spike_within_tile": ENERGY_PER_SPIKE_WITHIN_TILE_J * 1e12,
        },
        "source": "Davies et al. 2018, IEEE Micro 38(1), Table 2 (pre-silicon estimates)",
        "is_estimate": True,
    }


__all__ = [
    "ENERGY_PER_NEURON_UPDATE_ACTIVE_J",
    "ENERGY_PER_NEURON_UPDATE_INACTIVE_J",
    "ENERGY_PER_SPIKE_WITHIN_TILE_J",
    "ENERGY_PER_SYNAPTIC_OP_J",
    "count_input_spikes",
    "energy_estimate",
    "event_counts",
]
