"""Typed capabilities a realization may offer, so generic commands need no model's shape.

A realization names what it offers when it registers (``capabilities=("chip",)``);
``deploy`` asks for the capability, never for a model. A chip realization puts a
:class:`ChipReport` (as a dict) in its Result's ``provenance["chip"]``; NIR export is
a per-model hook (:func:`neurotwin.registry.exporter`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .errors import NeurotwinError

#: the chip report of a neuromorphic realization (``provenance["chip"]``)
CHIP = "chip"

RESOURCE_KEYS = ("cores", "compartments", "in_axons", "out_axons", "synapses", "synapse_bits")


@dataclass
class ChipReport:
    """What mapping a network onto a chip did to it and what it cost, for one network copy.

    A realization may run ``copies`` independent copies side by side (Hopfield: one per
    cue); ``per_network`` and ``per_run`` are for one copy, ``all_copies`` for all.

    Attributes
    ----------
    target : str
        The chip (``"loihi-emulator"``).
    per : str
        What one copy is, in words (``"recall (one cue)"``, ``"run"``).
    per_network : dict
        Resources of one copy: ``cores``, ``compartments``, ``in_axons``, ``out_axons``,
        ``synapses``, ``synapse_bits`` and ``within_limits`` (bool).
    all_copies : dict
        The same keys for every copy together, plus ``limits_per_core``.
    weights : dict
        Quantization of the network's main connection: ``weight_bits``, ``range``,
        ``float_range``, ``error_max`` and ``error_rms`` (of the largest weight),
        ``lost_bits``, and ``connection`` (its label).
    per_run : dict
        Activity of one copy: ``spikes``, ``synaptic_ops``, ``input_spikes`` and
        ``energy_estimate_j`` (Davies et al. 2018, Table 2).
    energy : dict
        The energy estimate's breakdown and constants.
    bias : dict or None
        Quantization of the neurons' bias currents (``error_max``), where measured.
    extra : dict
        Anything else the realization reports (e.g. every connection's quantization).
    """

    target: str
    per: str
    copies: int
    per_network: dict[str, Any]
    all_copies: dict[str, Any]
    weights: dict[str, Any]
    per_run: dict[str, Any]
    energy: dict[str, Any]
    bias: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        need = {
            "per_network": (*RESOURCE_KEYS, "within_limits"),
            "weights": ("weight_bits", "range", "error_max", "error_rms", "lost_bits"),
            "per_run": ("spikes", "synaptic_ops", "input_spikes", "energy_estimate_j"),
        }
        for name, keys in need.items():
            missing = [k for k in keys if k not in getattr(self, name)]
            if missing:
                raise NeurotwinError(f"ChipReport.{name}: missing {', '.join(missing)}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def of(cls, result: Any) -> ChipReport:
        """The chip report a Result carries, or a clear error if it has none."""
        data = result.provenance.get(CHIP)
        if not isinstance(data, dict):
            raise NeurotwinError(
                f"{result.model}/{result.realization}: the Result carries no chip report"
            )
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
