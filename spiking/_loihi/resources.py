"""Whether a network fits the Loihi chip, before building it and after.

nengo-loihi puts every block on its own core and splits a block that exceeds a
limit (:mod:`~neurotwin.spiking._loihi.limits`) by compartments; splitting cannot
reduce a dense connection's fan-in, so a population whose inputs need more than
4096 axons per core cannot be mapped at all. :func:`check_fits` computes this
before anything is built and raises :class:`~neurotwin.errors.ParamError` — the
parameters ask for a network the target cannot hold, which is a property of the
input, known before any simulation (``SimulationError`` is for what goes wrong
while simulating). :func:`resource_report` reads the same quantities (cores,
compartments, axons, synaptic memory) back from a built nengo-loihi model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from neurotwin.errors import ParamError

from .limits import (
    CORES_PER_CHIP,
    LIST_HEADER_BITS,
    MAX_COMPARTMENTS,
    MAX_IN_AXONS,
    MAX_OUT_AXONS,
    MAX_SYNAPSE_BITS,
    MEMORY_UNIT_BITS,
    SYNAPSES_PER_LIST,
    WEIGHT_BITS,
)

if TYPE_CHECKING:
    from neurotwin.spiking._nengo.build import LIFPopulation, WindowedInput


def synapse_list_bits(n_weights: int) -> int:
    """Synaptic memory for one input axon with ``n_weights`` stored weights.

    nengo-loihi's format for ``set_weights`` (``SynapseConfig.bits_per_axon``
    with 8-bit weights, no index bits, no delays): lists of up to 64 weights,
    each list ``8 n + 10`` bits rounded up to whole 64-bit words.
    """
    bits = 0
    for start in range(0, n_weights, SYNAPSES_PER_LIST):
        n = min(n_weights - start, SYNAPSES_PER_LIST)
        raw = n * WEIGHT_BITS + LIST_HEADER_BITS
        bits += -(-raw // MEMORY_UNIT_BITS) * MEMORY_UNIT_BITS
    return bits


@dataclass
class ChipPlan:
    """Cores a set of populations needs, computed before building (see :func:`check_fits`)."""

    cores: int
    cores_per_population: dict[str, int]
    chips: int


def check_fits(
    populations: Sequence[LIFPopulation],
    inputs: Sequence[WindowedInput],
    *,
    what: str,
    max_chips: int = 1,
) -> ChipPlan:
    """Check that the populations map onto ``max_chips`` Loihi chips; raise if not.

    For each population, as nengo-loihi would place it: the block is split into
    ``k`` cores, the most any per-core limit needs (compartments, input axons,
    output axons, synaptic memory); then on every one of the ``k`` cores the
    dense recurrent fan-in (``n`` axons) plus the input's on/off axons
    (``2 * n / k``) must stay within 4096 input axons, and each neuron's
    ``k`` output axons within 4096 output axons per core. The cores of all
    populations must fit ``max_chips * 128``.

    Parameters
    ----------
    what : str
        Names the parameter that sets the size, e.g. ``"HopfieldParams.n_units"``,
        the start of the error message.

    Raises
    ------
    ParamError
        ``<what>: network too large for the Loihi chip: <limit> ... exceeded by <n>``.
    """
    per_pop = {}
    for pop in populations:
        n = pop.n
        n_in = 2 * n * sum(1 for inp in inputs if inp.target == pop.label)
        # one set of n axons per recurrent connection (a residual is a second one)
        rec_axons = n * ((pop.recurrent is not None) + (pop.recurrent_residual is not None))
        bits = rec_axons * synapse_list_bits(n) + n_in * synapse_list_bits(1)
        k = max(
            math.ceil(n / MAX_COMPARTMENTS),
            math.ceil((rec_axons + n_in) / MAX_IN_AXONS),
            math.ceil(bits / MAX_SYNAPSE_BITS),
            1,
        )
        piece = math.ceil(n / k)
        fan_in = rec_axons + math.ceil(n_in / k)
        if fan_in > MAX_IN_AXONS:
            raise ParamError(
                f"{what}: network too large for the Loihi chip: population {pop.label!r} of "
                f"{n} neurons needs {fan_in} input axons per core (dense recurrent fan-in "
                f"{rec_axons} + {fan_in - rec_axons} input axons), over the limit of "
                f"{MAX_IN_AXONS} per core by {fan_in - MAX_IN_AXONS} (got {n})"
            )
        fan_out = piece * (k if pop.recurrent is not None else 0)
        if fan_out > MAX_OUT_AXONS:
            raise ParamError(
                f"{what}: network too large for the Loihi chip: population {pop.label!r} of "
                f"{n} neurons on {k} cores needs {fan_out} output axons per core, over the "
                f"limit of {MAX_OUT_AXONS} per core by {fan_out - MAX_OUT_AXONS} (got {n})"
            )
        per_pop[pop.label] = k
    cores = sum(per_pop.values())
    available = max_chips * CORES_PER_CHIP
    if cores > available:
        sizes = sorted({p.n for p in populations})
        got = sizes[0] if len(sizes) == 1 else sizes
        raise ParamError(
            f"{what}: network too large for the Loihi chip: {len(populations)} populations need "
            f"{cores} cores, over the {available} cores of {max_chips} chip(s) "
            f"({CORES_PER_CHIP} per chip) by {cores - available} (got {got})"
        )
    return ChipPlan(cores, per_pop, math.ceil(cores / CORES_PER_CHIP))


def blocks_of(model, ensemble) -> list:
    """The blocks (one core each) nengo-loihi built an ensemble into; several if split."""
    obj = model.objs[ensemble]["in"]
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


_RESOURCE_KEYS = ("compartments", "in_axons", "out_axons", "synapses", "synapse_bits")


def resource_report(model, groups: dict | None = None) -> dict:
    """Cores, compartments, axons and synaptic memory of a built nengo-loihi model.

    Every block is one core (nengo-loihi's allocators place each block on its
    own core). Per block: ``compartments``, ``in_axons`` (sum of the input
    synapses' axons), ``out_axons`` (axon slots of the block's outgoing
    axons), ``synapses`` (stored weights, zeros of dense rows included),
    ``synapse_bits``; and whether each is within :data:`MAX_COMPARTMENTS`,
    :data:`MAX_IN_AXONS`, :data:`MAX_OUT_AXONS`, :data:`MAX_SYNAPSE_BITS`.
    ``groups`` (name -> nengo Ensemble) adds the same totals per ensemble,
    over the blocks (cores) it was split into, under ``"groups"``.
    """
    blocks = []
    group_of = {}
    for name, ens in (groups or {}).items():
        for block in blocks_of(model, ens):
            group_of[block] = name
    for block in model.blocks:
        row = {
            "label": str(block.label),
            "group": group_of.get(block),
            "compartments": int(block.compartment.n_compartments),
            "in_axons": int(sum(s.n_axons for s in block.synapses)),
            "out_axons": int(sum(a.axon_slots() for a in block.axons)),
            "synapses": int(sum(s.size() for s in block.synapses)),
            "synapse_bits": int(sum(s.bits() for s in block.synapses)),
        }
        row["within_limits"] = bool(
            row["compartments"] <= MAX_COMPARTMENTS
            and row["in_axons"] <= MAX_IN_AXONS
            and row["out_axons"] <= MAX_OUT_AXONS
            and row["synapse_bits"] <= MAX_SYNAPSE_BITS
        )
        blocks.append(row)
    cores = len(blocks)
    totals = {key: int(sum(b[key] for b in blocks)) for key in _RESOURCE_KEYS}
    by_group = {}
    for name in groups or {}:
        rows = [b for b in blocks if b["group"] == name]
        by_group[name] = {
            "cores": len(rows),
            **{key: int(sum(b[key] for b in rows)) for key in _RESOURCE_KEYS},
            "within_limits": all(b["within_limits"] for b in rows),
        }
    n_input_axons = sum(int(getattr(inp, "n_neurons", 0)) for inp in model.inputs)
    return {
        "cores": cores,
        "chips": max(1, math.ceil(cores / CORES_PER_CHIP)),
        "fits_one_chip": bool(cores <= CORES_PER_CHIP and all(b["within_limits"] for b in blocks)),
        **totals,
        "host_input_neurons": n_input_axons,
        "limits_per_core": {
            "compartments": MAX_COMPARTMENTS,
            "in_axons": MAX_IN_AXONS,
            "out_axons": MAX_OUT_AXONS,
            "synapse_bits": MAX_SYNAPSE_BITS,
            "cores_per_chip": CORES_PER_CHIP,
        },
        "groups": by_group,
        "blocks": blocks,
    }


__all__ = [
    "ChipPlan",
    "blocks_of",
    "check_fits",
    "resource_report",
    "synapse_list_bits",
]
