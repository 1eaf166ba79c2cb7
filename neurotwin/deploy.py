"""Deployment report: what mapping a model onto Loihi does to it, and what it costs.

:func:`deploy` runs the model three times on the same parameters, patterns, cues
and seed — the reference, the float Nengo realization (``nengo``) and the
Loihi emulator (``loihi-emulator``, ``nengo_loihi.Simulator(target="sim")``) —
and reports, for **one recall network** (one cue's copy; the emulator runs the
``n_cues`` copies side by side, their totals are under ``all_copies``):

* resources: cores, compartments, input axons, output axons, synapses and
  synaptic memory, against the per-core limits (1024 compartments, 4096 input
  and 4096 output axons, 16384 x 64 bits; Davies et al. 2018, p. 89) and the
  128 cores of a chip;
* weight quantization: the bits the recurrent weights keep, their range, and
  the max and RMS error of the chip's weights relative to the largest float
  weight (``spiking.nengo_common.weight_quantization``);
* accuracy: the model's key observable (Hopfield: mean final overlap over the
  cues) for the reference, float Nengo and the emulator, side by side;
* activity cost per recall: spikes, synaptic operations, and an **estimate**
  of the energy from Davies et al. (2018), Table 2 (23.6 pJ per synaptic
  operation, 81 / 52 pJ per active / inactive neuron update, 1.7 pJ per
  spike within a tile; ``spiking.nengo_common.energy_estimate``);
* warnings: every warning nengo-loihi raised, by name, with its **measured
  effect** (extra runs isolate each one: float Nengo started from zero
  voltages as the chip is, float Nengo with the chip's quantized weights);
  the ones neurotwin avoids by construction are listed as avoided;
* speed: the emulator's run and wall time against float Nengo's.

Everything is validated before the first simulation starts.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

import numpy as np

from .errors import ParamError
from .harness import execute, prepare
from .params import Params
from .registry import get_model

TARGETS = ("loihi-emulator",)
REALIZATIONS = ("reference", "nengo", "loihi-emulator")


def deploy(
    model: str,
    target: str = "loihi-emulator",
    params: Params | dict | None = None,
    seed: int = 0,
    **overrides: Any,
) -> dict:
    """Map ``model`` onto ``target`` and report resources, quantization, accuracy and cost.

    Parameters
    ----------
    model : str
        A registered model with ``reference``, ``nengo`` and ``loihi-emulator``
        realizations.
    target : str
        Only ``"loihi-emulator"`` (no Loihi hardware is reachable from here).
    params, seed, **overrides
        As for :func:`neurotwin.run`; overrides may name model parameters or
        the realizations' options (options only the emulator has, such as
        ``max_chips``, are not passed to the float run).

    Returns
    -------
    dict
        JSON-ready; keys at least ``cores``, ``compartments``, ``axons``,
        ``synapses``, ``fits_one_chip``, ``weight_bits``, ``weight_error_max``,
        ``weight_error_rms``, ``accuracy``, ``spikes``, ``synaptic_ops``,
        ``energy_estimate_j``, ``warnings``; see the module docstring.

    Raises
    ------
    ParamError
        Unknown target, model without the three realizations, invalid
        parameters, or a network too large for the chip (naming the limit).
    BackendUnavailable
        nengo or nengo-loihi is not installed (with the install command).
    """
    if target not in TARGETS:
        raise ParamError(
            f"target: must be one of {', '.join(repr(t) for t in TARGETS)} (got {target!r})"
        )
    spec = get_model(model)
    missing = [r for r in REALIZATIONS if r not in spec.realizations]
    if missing:
        raise ParamError(
            f"model: must have realizations {', '.join(REALIZATIONS)} to deploy; "
            f"{model!r} lacks {', '.join(missing)} (got {model!r})"
        )
    chip_real = spec.realizations["loihi-emulator"]
    float_real = spec.realizations["nengo"]
    chip_only = set(chip_real.options.model_fields) - set(float_real.options.model_fields)
    model_fields = set(spec.params.model_fields)
    float_over = {k: v for k, v in overrides.items() if k not in chip_only}
    ref_over = {k: v for k, v in overrides.items() if k in model_fields}

    # validate everything (and draw the same weights and inputs) before running anything
    chip_plan = prepare(model, "loihi-emulator", params, seed, **overrides)
    float_plan = prepare(model, "nengo", params, seed, **float_over)
    ref_plan = prepare(model, "reference", params, seed, **ref_over)
    ref = execute(ref_plan)
    flo = execute(float_plan)
    chip = execute(chip_plan)
    key = spec.key_observable
    summary = chip.provenance["chip"]
    per_net = summary["resources"]["per_recall_network"]
    weights_q = summary["weights"]
    per_recall = summary["per_recall"]

    report: dict[str, Any] = {
        "model": model,
        "target": target,
        "seed": int(seed),
        "params": chip.params,
        "options": chip.options,
        "cores": per_net["cores"],
        "compartments": per_net["compartments"],
        "axons": per_net["in_axons"],
        "out_axons": per_net["out_axons"],
        "synapses": per_net["synapses"],
        "synapse_bits": per_net["synapse_bits"],
        "fits_one_chip": bool(per_net["cores"] <= _cores_per_chip() and per_net["within_limits"]),
        "limits_per_core": summary["resources"]["all_copies"]["limits_per_core"],
        "all_copies": {
            "copies": int(chip.params.get("n_cues", 1)),
            **{
                k: v
                for k, v in summary["resources"]["all_copies"].items()
                if k != "limits_per_core"
            },
        },
        "weight_bits": weights_q["weight_bits"],
        # in the reference's weight units where the model has one W, else the chip's float units
        "weight_range": [
            v
            * (
                _ratio(np.asarray(chip_plan.weights["W"]), weights_q)
                if "W" in chip_plan.weights
                else 1.0
            )
            for v in weights_q["range"]
        ],
        "weight_error_max": weights_q["error_max"],
        "weight_error_rms": weights_q["error_rms"],
        "weights": weights_q,
        "bias_error_max": summary["bias"]["error_max"],
        "accuracy": {
            "reference": _scalar(ref.observables[key]),
            "nengo": _scalar(flo.observables[key]),
            "loihi-emulator": _scalar(chip.observables[key]),
        },
        "key_observable": key,
        "recall_fraction": {
            name: _scalar(r.observables["recall_fraction"])
            for name, r in (("reference", ref), ("nengo", flo), ("loihi-emulator", chip))
            if "recall_fraction" in r.observables
        },
        "state_agreement_chip_vs_nengo": _agreement(chip, flo),
        "spikes": per_recall["spikes"],
        "synaptic_ops": per_recall["synaptic_ops"],
        "input_spikes": per_recall["input_spikes"],
        "energy_estimate_j": per_recall["energy_estimate_j"],
        "energy": summary["energy"],
        "speed": {
            "nengo_run_s": flo.provenance["run_time_s"],
            "loihi_emulator_run_s": chip.provenance["run_time_s"],
            "run_slowdown": chip.provenance["run_time_s"] / max(flo.provenance["run_time_s"], 1e-9),
            "nengo_wall_s": flo.provenance["wall_time_s"],
            "loihi_emulator_wall_s": chip.provenance["wall_time_s"],
            "wall_slowdown": chip.provenance["wall_time_s"]
            / max(flo.provenance["wall_time_s"], 1e-9),
        },
        "versions": {pkg: _version(pkg) for pkg in ("neurotwin", "numpy", "nengo", "nengo-loihi")},
    }
    report["warnings"] = _warning_effects(chip, flo, float_plan, summary, key)
    return report


def _cores_per_chip() -> int:
    from .spiking.nengo_common import CORES_PER_CHIP

    return CORES_PER_CHIP


def _scalar(x: Any) -> float:
    return float(np.asarray(x))


def _version(pkg: str) -> str | None:
    try:
        return importlib.metadata.version(pkg)
    except importlib.metadata.PackageNotFoundError:
        return None


def _agreement(a, b) -> float:
    """Fraction of units whose final decoded state agrees between two Results."""
    return float(np.mean(a.traces["state"][-1] == b.traces["state"][-1]))


# -- measured effect of each warning ---------------------------------------------------------

#: warnings neurotwin's helpers avoid by construction, and how
AVOIDED = {
    "tau_s-overwritten": (
        "avoided: an input is filtered once, on chip, with Model.decode_tau = tau_syn_s, the "
        "same filter as the recurrent synapses (spiking/nengo_common.py)"
    ),
}


def _warning_effects(chip, flo, float_plan, summary: dict, key: str) -> dict:
    raised = {}
    for w in chip.provenance.get("warnings", []):
        entry = raised.setdefault(
            w["name"],
            {"raised": True, "count": 0, "messages": [], "meaning": w["meaning"]},
        )
        entry["count"] += w["count"]
        if w["message"] not in entry["messages"]:
            entry["messages"].append(w["message"])
    base = _scalar(flo.observables[key])
    for name, entry in raised.items():
        if name == "untested-nengo-version":
            entry["effect"] = {
                "state_agreement_chip_vs_nengo": _agreement(chip, flo),
                f"{key}_gap_chip_minus_nengo": _scalar(chip.observables[key]) - base,
                "note": "not separable from the chip's other effects; this bounds it",
            }
        elif name == "nonzero-initial-state":
            zero = _rerun_float(float_plan, initial_voltage="zero")
            entry["effect"] = {
                f"nengo_{key}_random_initial_voltages": base,
                f"nengo_{key}_zero_initial_voltages": _scalar(zero.observables[key]),
                "state_agreement": _agreement(zero, flo),
                "note": "float Nengo started from zero voltages, as the chip starts",
            }
        elif name == "weight-bits-lost":
            entry["effect"] = _quantization_effect(flo, float_plan, summary, key)
        elif name in ("emulator-nan-init", "undefined-max-rates"):
            entry["effect"] = "none (harmless, see meaning)"
        else:
            entry["effect"] = "not measured"
    for name, how in AVOIDED.items():
        raised.setdefault(name, {"raised": False, "count": 0, "effect": how})
    if "weight-bits-lost" not in raised:
        raised["weight-quantization"] = {
            "raised": False,
            "count": 0,
            "effect": _quantization_effect(flo, float_plan, summary, key),
        }
    return raised


def _rerun_float(plan, weights: dict | None = None, **option_overrides):
    """The float Nengo plan again with changed options or weights (same inputs and seed)."""
    from dataclasses import replace

    options = plan.options.create(plan.options, **option_overrides)
    return execute(replace(plan, options=options, weights=weights or plan.weights))


def _quantization_effect(flo, float_plan, summary: dict, key: str) -> dict:
    """Float Nengo with the chip's recurrent weights (and the float biases), against float W.

    The chip's weights come from the numpy model of nengo-loihi's rounding
    (``loihi_quantize``, checked against the built chip in the tests), per
    core-sized piece; the thresholds ``U`` are shifted so that the bias
    ``1 - g (sum_j W_ij + U_i)`` stays the float one, as on the chip.
    """
    from .spiking import nengo_common as nc

    q = summary["weights"]
    if "W" not in float_plan.weights or getattr(float_plan.options, "variant", None) != "neurons":
        return "not measured (only for one recurrent W realized one neuron per unit)"
    w = np.asarray(float_plan.weights["W"], dtype=float)
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        return "not measured (only for one recurrent W realized one neuron per unit)"
    if q.get("residual_connection"):
        return "not measured (residual weights: the numpy rounding model covers one connection)"
    wq = np.empty_like(w)
    wq_no_loss = np.empty_like(w)
    for piece in q["pieces"]:
        a, b = piece["post"]
        # (pre, post) float synapse weights are proportional to W.T: quantize W.T's columns
        wq[a:b, :] = nc.loihi_quantize(
            w.T[:, a:b], piece["block_w_max"] * _ratio(w, q), piece["block_w_exp"]
        ).T
        wq_no_loss[a:b, :] = nc.loihi_quantize(
            w.T[:, a:b], piece["block_w_max"] * _ratio(w, q), piece["block_w_exp"], False
        ).T
    weights = dict(float_plan.weights)
    weights["W"] = wq
    weights["U"] = np.asarray(float_plan.weights["U"], dtype=float) + (w - wq).sum(axis=1)
    quantized = _rerun_float(float_plan, weights=weights)
    full = float(np.abs(w).max()) or 1.0
    return {
        "lost_bits": q["lost_bits"],
        "weight_bits": q["weight_bits"],
        "weight_error_rms": q["error_rms"],
        "weight_error_rms_without_lost_bits": float(
            np.sqrt(np.mean(((wq_no_loss - w) / full) ** 2))
        ),
        f"nengo_{key}_float_weights": _scalar(flo.observables[key]),
        f"nengo_{key}_chip_weights": _scalar(quantized.observables[key]),
        "state_agreement": _agreement(quantized, flo),
        "note": "float Nengo run with the chip's quantized recurrent weights",
    }


def _ratio(w: np.ndarray, q: dict) -> float:
    """Reference units per chip float unit: the chip's weights are W scaled by a constant."""
    lo, hi = q["float_range"]
    full_chip = max(abs(lo), abs(hi))
    return float(np.abs(w).max()) / full_chip if full_chip else 1.0


def report_rows(report: dict) -> list[tuple[str, str]]:
    """(name, value) rows for printing a deployment report as a table."""
    acc = report["accuracy"]
    rows = [
        ("cores (one recall network)", f"{report['cores']}"),
        ("compartments", f"{report['compartments']} (limit 1024 per core)"),
        ("input axons", f"{report['axons']} (limit 4096 per core)"),
        ("output axons", f"{report['out_axons']} (limit 4096 per core)"),
        ("synapses", f"{report['synapses']} ({report['synapse_bits']} bits; limit 1048576)"),
        ("fits one chip", str(report["fits_one_chip"])),
        ("weight bits", f"{report['weight_bits']} (lost {report['weights']['lost_bits']})"),
        ("weight range", "[{:.4g}, {:.4g}]".format(*report["weight_range"])),
        (
            "weight error max / rms",
            f"{report['weight_error_max']:.3g} / "
            f"{report['weight_error_rms']:.3g} (of the largest weight)",
        ),
        (
            f"{report['key_observable']} reference / nengo / chip",
            f"{acc['reference']:.4g} / {acc['nengo']:.4g} / {acc['loihi-emulator']:.4g}",
        ),
        ("spikes per recall", f"{report['spikes']:.0f}"),
        ("synaptic ops per recall", f"{report['synaptic_ops']:.0f}"),
        ("energy per recall (estimate)", f"{report['energy_estimate_j']:.3g} J"),
        ("emulator slowdown (run)", f"{report['speed']['run_slowdown']:.1f}x"),
    ]
    for name, entry in report["warnings"].items():
        effect = entry["effect"]
        if isinstance(effect, dict):
            effect = ", ".join(
                f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                for k, v in effect.items()
                if k != "note"
            )
        rows.append((f"warning {name}" + ("" if entry["raised"] else " (not raised)"), effect))
    return rows
