r"""Export a model's spiking network as a NIR graph (Neuromorphic Intermediate Representation).

:func:`export_nir` writes the network of the model's ``nengo`` realization —
the network the ``nengo`` and ``loihi-emulator`` realizations simulate, for one
recall — as a :class:`nir.NIRGraph` (nir 1.0)::

    input --> cue (Linear) --> units (CubaLIF) --> output
                                 ^      |
                                 +------+ recurrent (Linear)

with, for the population's neurons (``spiking/nengo_common.py``, currents in
threshold units, :math:`R = 1`):

* ``units``: ``CubaLIF(tau_syn = tau_syn_s, tau_mem = tau_rc_s, r = 1,
  v_leak = b, v_threshold = 1, v_reset = 0, w_in = 1)``. NIR's CubaLIF,
  :math:`\tau_{syn}\dot I = -I + w_{in} S`, :math:`\tau_{mem}\dot v = v_{leak}
  - v + R I`, is the Nengo neuron :math:`\tau_{rc}\dot v = J - v` with
  :math:`J = b + I` and the Lowpass synapse :math:`\tau_s \dot I = -I +
  \sum_j R_{ij}\rho_j`: the bias :math:`b` becomes the leak voltage;
* ``recurrent``: ``Linear(weight = R)``, the neuron-to-neuron transform
  (post x pre, current per unit of presynaptic rate in Hz);
* ``cue``: ``Linear(weight = diag(g a))``, the cue's gain; the input carries
  :math:`\mathrm{cue}_i \in \{-1, +1\}` during ``[0, cue_duration_s)`` and 0
  after (graph metadata ``protocol``).

Reading the file back with ``nir.read`` gives these arrays exactly (float64).

What NIR 1.0 cannot express raises :class:`ExportUnsupported`, naming each
feature, instead of writing a graph that simulates a different network:

* a refractory period (``tau_ref_s > 0``; NIR's LIF and CubaLIF have none:
  without it an "on" unit of the default network would fire at
  :math:`1/(\tau_{rc}\ln(1 + 1/g))` = 6.4 kHz instead of 194 Hz, and the
  weights, scaled by that rate, would be wrong);
* a lower bound on the voltage (``voltage_floor=True``);
* stochastic units (``temperature > 0``);
* a model without a spiking Nengo realization (the binary reference's
  asynchronous updates are not a dynamical system NIR describes).

So ``export_nir("hopfield", path, tau_ref_s=0, voltage_floor=False, gain=1)``
writes a network NIR describes exactly (and that the ``nengo`` realization
runs with the same options).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ExportUnsupported
from .harness import prepare
from .params import Params
from .registry import get_model


def export_nir(
    model: str,
    path: str | os.PathLike,
    params: Params | dict | None = None,
    seed: int = 0,
    **overrides: Any,
) -> Path:
    """Write ``model``'s spiking network (one recall copy) to ``path`` as a NIR graph.

    Parameters and options are validated, and the network checked for what NIR
    can express, before anything is written; the file is written to a temporary
    file in the same folder and renamed into place.

    Raises
    ------
    ExportUnsupported
        Listing every feature of the network NIR 1.0 cannot express, and the
        settings that avoid them.
    ParamError, BackendUnavailable
        As for :func:`neurotwin.run`.
    """
    spec = get_model(model)
    if "nengo" not in spec.realizations:
        raise ExportUnsupported(
            f"model {model!r} has no spiking Nengo realization to export as NIR "
            f"(realizations: {', '.join(spec.realizations)}); its reference dynamics "
            "are not a network of spiking neurons NIR describes"
        )
    plan = prepare(model, "nengo", params, seed, **overrides)
    graph = _hopfield_graph(plan) if model == "hopfield" else None
    if graph is None:  # pragma: no cover - only hopfield has a nengo realization yet
        raise ExportUnsupported(f"model {model!r}: no NIR mapping written yet")
    return _write_atomic(graph, Path(path))


def _unsupported(plan) -> list[str]:
    o, p = plan.options, plan.params
    why = []
    if getattr(p, "temperature", 0) > 0:
        why.append(
            f"stochastic units (temperature = {p.temperature!r} > 0): NIR has no noise source"
        )
    if o.tau_ref_s > 0:
        why.append(
            f"a refractory period (tau_ref_s = {o.tau_ref_s!r} > 0): NIR 1.0's LIF and CubaLIF "
            "have none, so the exported units would fire faster and the weights, scaled by "
            "the on-rate, would be wrong"
        )
    if o.voltage_floor:
        why.append("a lower bound on the voltage (voltage_floor = True): NIR has no such field")
    return why


def _hopfield_graph(plan):
    import nir

    from .spiking import hopfield_nengo as hn

    why = _unsupported(plan)
    if why:
        raise ExportUnsupported(
            "hopfield: NIR 1.0 cannot express "
            + "; ".join(why)
            + ". Export a network without them, e.g. --set tau_ref_s=0 --set voltage_floor=false"
            " --set gain=1 (the nengo realization runs the same network)"
        )
    pops, ins, extra = hn.populations(
        plan.params, plan.weights, plan.inputs, plan.sim_seed, plan.options, "nengo"
    )
    pop, inp = pops[0], ins[0]
    n = pop.n
    units = nir.CubaLIF(
        tau_syn=np.full(n, pop.tau_syn_s),
        tau_mem=np.full(n, pop.tau_rc_s),
        r=np.ones(n),
        v_leak=np.asarray(pop.bias, dtype=np.float64),
        v_threshold=np.ones(n),
        v_reset=np.zeros(n),
        w_in=np.ones(n),
    )
    meta = {
        "generator": "neurotwin",
        "model": "hopfield",
        "realization": "nengo",
        "variant": plan.options.variant,
        "seed": int(plan.seed),
        "params": json.dumps(plan.params.model_dump(), sort_keys=True),
        "options": json.dumps(plan.options.model_dump(), sort_keys=True),
        "protocol": (
            f"input_i = cue_i (+1/-1) for 0 <= t < {plan.options.cue_duration_s} s, then 0; "
            "recall for recall_duration_s; state_i = +1 iff unit i fires at least min_spikes "
            "times in a window of window_s"
        ),
        "cue": np.asarray(plan.inputs["cues"][0], dtype=np.float64),
        "units": "currents in units of the LIF threshold; time in seconds",
    }
    if "on_rate_hz" in extra:
        meta["on_rate_hz"] = float(extra["on_rate_hz"])
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type={"input": np.array([n])}),
            "cue": nir.Linear(weight=np.diag(np.asarray(inp.gain, dtype=np.float64))),
            "units": units,
            "recurrent": nir.Linear(weight=np.asarray(pop.recurrent, dtype=np.float64)),
            "output": nir.Output(output_type={"output": np.array([n])}),
        },
        edges=[
            ("input", "cue"),
            ("cue", "units"),
            ("units", "recurrent"),
            ("recurrent", "units"),
            ("units", "output"),
        ],
        metadata=meta,
    )


def _write_atomic(graph, path: Path) -> Path:
    """nir.write to a temporary file in the target folder, then rename (as write_dataset)."""
    import nir

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        nir.write(tmp, graph)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
