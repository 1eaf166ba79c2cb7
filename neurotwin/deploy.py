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
  weight (``spiking._loihi.quantization``);
* accuracy: the model's key observable (Hopfield: mean final overlap over the
  cues) for the reference, float Nengo and the emulator, side by side;
* activity cost per recall: spikes, synaptic operations, and an **estimate**
  of the energy from Davies et al. (2018), Table 2 (23.6 pJ per synaptic
  operation, 81 / 52 pJ per active / inactive neuron update, 1.7 pJ per
  spike within a tile; ``spiking._loihi.energy``);
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

from . import router
from .capabilities import CHIP, ChipReport
from .errors import ParamError
from .harness import execute, prepare
from .params import Params
from .registry import all_models, get_model

#: chips per Loihi board and cores per chip (Davies et al. 2018)
CORES_PER_CHIP = 128

TARGETS = ("loihi-emulator",)
#: the float twin a chip realization is measured against
FLOAT_TWIN = "nengo"


def deployable(target: str = "loihi-emulator") -> list[str]:
    """The models with a realization on ``target`` that offers a chip report."""
    return [
        name
        for name, spec in all_models().items()
        if target in spec.realizations and CHIP in spec.realizations[target].capabilities
    ]


def deploy(
    model: str,
    target: str = "loihi-emulator",
    params: Params | dict | None = None,
    seed: int = 0,
    *,
    step_budget: int | None = None,
    **overrides: Any,
) -> dict:
    """Map ``model`` onto ``target`` and report resources, quantization, accuracy and cost.

    Parameters
    ----------
    model : str
        A registered model whose ``target`` realization offers a chip report
        (:func:`deployable` lists them).
    target : str
        Only ``"loihi-emulator"`` (no Loihi hardware is reachable from here).
    params, seed, **overrides
        As for :func:`neurotwin.run`; overrides may name model parameters or
        the realizations' options. Each run takes the values it accepts (options only
        the chip has, such as ``max_chips``, do not go to the float run); a name no
        run accepts is an error.
    step_budget : int, optional
        Budget of simulated steps of each run (:mod:`neurotwin.budget`).

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
        Unknown target, a model without a chip realization (naming those that have
        one), invalid parameters, or a network too large for the chip (naming the limit).
    BackendUnavailable
        nengo or nengo-loihi is not installed (with the install command).
    """
    if target not in TARGETS:
        raise ParamError(
            f"target: must be one of {', '.join(repr(t) for t in TARGETS)} (got {target!r})"
        )
    spec = get_model(model)
    chip_real = spec.realizations.get(target)
    if chip_real is None or CHIP not in chip_real.capabilities:
        raise ParamError(
            f"model: must have a {target} realization with a chip report to deploy; "
            f"models that have one: {', '.join(deployable(target))} (got {model!r})"
        )
    runs = [("reference", spec.realizations["reference"])]
    if FLOAT_TWIN in spec.realizations:
        runs.append((FLOAT_TWIN, spec.realizations[FLOAT_TWIN]))
    runs.append((target, chip_real))
    # names without their unit suffix and quantities with units, as every other command
    overrides = router.canonical(spec, [r for _, r in runs], overrides)
    router.check_names(spec, [r for _, r in runs], overrides)
    # the chip's own defaults (e.g. lif-sync's zero delay) go to every run: like for like
    overrides = {**router.shared_defaults(spec, [r for _, r in runs], overrides), **overrides}

    # validate everything (and draw the same weights and inputs) before running anything
    plans = {
        name: prepare(
            model,
            name,
            params,
            seed,
            step_budget=step_budget,
            **{k: v for k, v in overrides.items() if k in router.accepted(spec, real)},
        )
        for name, real in runs
    }
    results = {name: execute(plan) for name, plan in plans.items()}
    chip = results[target]
    flo = results.get(FLOAT_TWIN)
    float_plan = plans.get(FLOAT_TWIN)
    key = spec.key_observable
    report_ = ChipReport.of(chip)
    one = report_.per_network
    weights_q = report_.weights
    chip_plan = plans[target]

    report: dict[str, Any] = {
        "model": model,
        "target": target,
        "seed": int(seed),
        "params": chip.params,
        "options": chip.options,
        "per": report_.per,
        "cores": one["cores"],
        "compartments": one["compartments"],
        "axons": one["in_axons"],
        "out_axons": one["out_axons"],
        "synapses": one["synapses"],
        "synapse_bits": one["synapse_bits"],
        "fits_one_chip": bool(one["cores"] <= CORES_PER_CHIP and one["within_limits"]),
        "limits_per_core": report_.all_copies.get("limits_per_core"),
        "all_copies": {
            "copies": report_.copies,
            **{k: v for k, v in report_.all_copies.items() if k != "limits_per_core"},
        },
        "weight_bits": weights_q["weight_bits"],
        # in the reference's weight units where the model has one W, else the chip's float units
        "weight_range": [
            v
            * (
                _ratio(np.asarray(chip_plan.weights["W"]), weights_q)
                if "W" in chip_plan.weights and "float_range" in weights_q
                else 1.0
            )
            for v in weights_q["range"]
        ],
        "weight_error_max": weights_q["error_max"],
        "weight_error_rms": weights_q["error_rms"],
        "weights": weights_q,
        "bias_error_max": (report_.bias or {}).get("error_max"),
        "accuracy": {name: _scalar(r.observables[key]) for name, r in results.items()},
        "key_observable": key,
        "recall_fraction": {
            name: _scalar(r.observables["recall_fraction"])
            for name, r in results.items()
            if "recall_fraction" in r.observables
        },
        "state_agreement_chip_vs_nengo": _agreement(chip, flo),
        "spikes": report_.per_run["spikes"],
        "synaptic_ops": report_.per_run["synaptic_ops"],
        "input_spikes": report_.per_run["input_spikes"],
        "energy_estimate_j": report_.per_run["energy_estimate_j"],
        "energy": report_.energy,
        "speed": _speed(flo, chip),
        "versions": {pkg: _version(pkg) for pkg in ("neurotwin", "numpy", "nengo", "nengo-loihi")},
    }
    hook = chip_real.hooks.get("chip_weights")
    report["warnings"] = _warning_effects(chip, flo, float_plan, report_, key, hook)
    return report


def _speed(flo, chip) -> dict:
    """The emulator's run and wall time against float Nengo's (where there is a float run)."""
    if flo is None:
        return {"loihi_emulator_wall_s": chip.provenance["wall_time_s"]}
    run_f = flo.provenance.get("run_time_s")
    run_c = chip.provenance.get("run_time_s")
    out = {
        "nengo_wall_s": flo.provenance["wall_time_s"],
        "loihi_emulator_wall_s": chip.provenance["wall_time_s"],
        "wall_slowdown": chip.provenance["wall_time_s"] / max(flo.provenance["wall_time_s"], 1e-9),
    }
    if run_f is not None and run_c is not None:
        out.update(
            nengo_run_s=run_f,
            loihi_emulator_run_s=run_c,
            run_slowdown=run_c / max(run_f, 1e-9),
        )
    return out


def _scalar(x: Any) -> float:
    return float(np.asarray(x))


def _version(pkg: str) -> str | None:
    try:
        return importlib.metadata.version(pkg)
    except importlib.metadata.PackageNotFoundError:
        return None


def _agreement(a, b) -> float | None:
    """Fraction of units whose final decoded state agrees between two Results (None for a
    model without a decoded +-1 ``state``, e.g. the ring's activity)."""
    if a is None or b is None or "state" not in a.traces or "state" not in b.traces:
        return None
    return float(np.mean(a.traces["state"][-1] == b.traces["state"][-1]))


# -- measured effect of each warning ---------------------------------------------------------

#: warnings neurotwin's helpers avoid by construction, and how
AVOIDED = {
    "tau_s-overwritten": (
        "avoided: an input is filtered once, on chip, with Model.decode_tau = tau_syn_s, the "
        "same filter as the recurrent synapses (spiking/_nengo/simulation.py)"
    ),
}


def _warning_effects(chip, flo, float_plan, report: ChipReport, key: str, hook=None) -> dict:
    raised = {}
    for w in chip.provenance.get("warnings", []):
        entry = raised.setdefault(
            w["name"],
            {"raised": True, "count": 0, "messages": [], "meaning": w["meaning"]},
        )
        entry["count"] += w["count"]
        if w["message"] not in entry["messages"]:
            entry["messages"].append(w["message"])
    base = _scalar(flo.observables[key]) if flo is not None else None
    for name, entry in raised.items():
        if flo is None and name in ("untested-nengo-version", "nonzero-initial-state"):
            entry["effect"] = "not measured (no float Nengo twin)"
        elif name == "untested-nengo-version":
            entry["effect"] = {
                "state_agreement_chip_vs_nengo": _agreement(chip, flo),
                f"{key}_gap_chip_minus_nengo": _scalar(chip.observables[key]) - base,
                "note": "not separable from the chip's other effects; this bounds it",
            }
        elif (
            name == "nonzero-initial-state"
            and "initial_voltage" in type(float_plan.options).model_fields
        ):
            zero = _rerun_float(float_plan, initial_voltage="zero")
            entry["effect"] = {
                f"nengo_{key}_random_initial_voltages": base,
                f"nengo_{key}_zero_initial_voltages": _scalar(zero.observables[key]),
                "state_agreement": _agreement(zero, flo),
                "note": "float Nengo started from zero voltages, as the chip starts",
            }
        elif name == "weight-bits-lost":
            entry["effect"] = _quantization_effect(flo, float_plan, report, key, hook)
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
            "effect": _quantization_effect(flo, float_plan, report, key, hook),
        }
    return raised


def _rerun_float(plan, weights: dict | None = None, **option_overrides):
    """The float Nengo plan again with changed options or weights (same inputs and seed)."""
    from dataclasses import replace

    options = plan.options.create(plan.options, **option_overrides)
    return execute(replace(plan, options=options, weights=weights or plan.weights))


def _quantization_effect(flo, float_plan, report: ChipReport, key: str, hook) -> dict | str:
    """Float Nengo with the chip's stored weights (``hook``, the chip realization's
    ``chip_weights``), against float Nengo with the float weights."""
    if hook is None or flo is None:
        return "not measured (the chip realization offers no chip_weights hook)"
    found = hook(float_plan.weights, float_plan.options, report.weights)
    if isinstance(found, str):
        return found
    weights, extra = found
    quantized = _rerun_float(float_plan, weights=weights)
    return {
        "lost_bits": report.weights["lost_bits"],
        "weight_bits": report.weights["weight_bits"],
        "weight_error_rms": report.weights["error_rms"],
        **extra,
        f"nengo_{key}_float_weights": _scalar(flo.observables[key]),
        f"nengo_{key}_chip_weights": _scalar(quantized.observables[key]),
        "state_agreement": _agreement(quantized, flo),
        "note": "float Nengo run with the chip's quantized weights",
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
        (f"cores (one {report['per']})", f"{report['cores']}"),
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
            f"{report['key_observable']} " + " / ".join(acc),
            " / ".join(f"{v:.4g}" for v in acc.values()),
        ),
        (f"spikes per {report['per']}", f"{report['spikes']:.0f}"),
        (f"synaptic ops per {report['per']}", f"{report['synaptic_ops']:.0f}"),
        (f"energy per {report['per']} (estimate)", f"{report['energy_estimate_j']:.3g} J"),
    ]
    if "run_slowdown" in report["speed"]:
        rows.append(("emulator slowdown (run)", f"{report['speed']['run_slowdown']:.1f}x"))
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
