"""The chip report every Loihi-emulator realization returns (a :class:`ChipReport`).

Built from what :func:`neurotwin.spiking._nengo.simulate` measured on the emulator
(resources, quantization, events, bias), so every model reports the same quantities
in the same shape and ``deploy`` reads them without knowing the model.
"""

from __future__ import annotations

from neurotwin.capabilities import RESOURCE_KEYS, ChipReport

from .energy import energy_estimate
from .quantization import quantization_summary


def chip_report(
    chip: dict,
    *,
    connection: str,
    copies: int = 1,
    group: str | None = None,
    per: str = "run",
    extra: dict | None = None,
) -> dict:
    """JSON-ready :class:`ChipReport` of one emulator run.

    Parameters
    ----------
    chip : dict
        ``SimOutput.chip`` of the emulator run.
    connection : str
        Label of the population whose recurrent weights are the network's main
        connection (its quantization is the report's ``weights``).
    copies : int
        Independent copies run side by side; resources, events and energy are
        reported per copy (events and energy divided by ``copies``).
    group : str, optional
        The resource group (ensemble label) of one copy; None: the whole model is one.
    per : str
        What one copy is, in words.
    """
    full = chip["resources"]
    if group is None:
        one = {k: full[k] for k in ("cores", *RESOURCE_KEYS[1:])}
        one["within_limits"] = bool(full["fits_one_chip"])
    else:
        one = dict(full["groups"][group])
    ev = chip["events"]
    pops = ev["populations"].values()
    spikes = sum(p["spikes"] for p in pops)
    syn_ops = sum(p["synaptic_ops"] for p in pops)
    updates = sum(p["compartment_updates"] for p in pops)
    energy = energy_estimate(spikes, syn_ops, updates, ev["input_synaptic_ops"])
    weights = {"connection": connection, **quantization_summary(chip["quantization"][connection])}
    bias = chip.get("bias") or {}
    report = ChipReport(
        target="loihi-emulator",
        per=per,
        copies=int(copies),
        per_network=one,
        all_copies={k: v for k, v in full.items() if k not in ("groups", "blocks")},
        weights=weights,
        per_run={
            "spikes": spikes / copies,
            "synaptic_ops": syn_ops / copies,
            "input_spikes": ev["input_spikes"] / copies,
            "input_synaptic_ops": ev["input_synaptic_ops"] / copies,
            "compartment_updates": updates / copies,
            "energy_estimate_j": energy["energy_estimate_j"] / copies,
        },
        energy={
            **energy,
            "energy_estimate_j": energy["energy_estimate_j"] / copies,
            "breakdown": {k: v / copies for k, v in energy["breakdown"].items()},
            "per": per,
        },
        bias=bias.get(connection) if isinstance(bias, dict) else None,
        extra={
            "blocks": full.get("blocks", []),
            "quantization": {
                label: quantization_summary(q) for label, q in chip["quantization"].items()
            },
            **(extra or {}),
        },
    )
    return report.to_dict()
