r"""The modern Hopfield soft winner-take-all circuit as a NIR graph, and its read-out.

:func:`to_nir` (the model's ``"nir"`` exporter) writes the circuit of the ``nengo``
realization (``nengo.py``, :func:`circuit_populations`) for one recall (copy ``cue0``):
one population of :math:`N + P` LIF neurons (features first, then one memory neuron
per pattern) whose single neuron-to-neuron transform holds the feed-forward
(:math:`2 g_m X^\top/(N \nu_{on})`), feedback (:math:`g X/\nu_{ref}`) and lateral
inhibitory (:math:`-J/\nu_{ref}`) weights (:mod:`.wta` has the equations)::

    input --> cue (Linear) --> circuit (CubaLIF, N + P) --> output
                                 ^        |
                                 +--------+ recurrent (Linear)

with ``CubaLIF(tau_syn = tau_syn_s, tau_mem = tau_rc_s, r = 1, v_leak = bias,
v_threshold = 1, v_reset = 0, w_in = 1)`` (the memory neurons' threshold shift
:math:`g_m(\theta_0 - \theta)` and pattern offset are in their bias) and ``cue =
Linear(diag(g a, ..., g a, 0, ..., 0))``: the input carries cue 0 (:math:`\pm 1` on the
features, 0 on the memories) during ``cue_duration_s``, then 0 (:func:`input_signal`).

The soft competition is NIR-expressible: lateral inhibition is a negative block of the
recurrent ``Linear``. What the circuit has beyond NIR 1.0's primitives is refused,
named (:class:`~neurotwin.errors.ExportUnsupported`):

* a refractory period (``tau_ref_s > 0``, default 0.005 s): NIR's LIF/CubaLIF have none;
* the memory neurons' noise current (``memory_noise > 0``, default 1): NIR has no noise
  source, and without it the winner-take-all is hard (no escape noise);
* the voltage floor at the reset (``voltage_floor=True``): NIR has no such field.

``--set tau_ref_s=0 --set memory_noise=0 --set voltage_floor=false`` gives the network
NIR describes exactly (the ``nengo`` realization runs the same, with the same options),
except that every voltage starts at 0 (NIR has no initial state; the realization draws
them uniform in [0, 1) unless ``initial_voltage=zero``).

:func:`decode` turns per-step spike counts of the :math:`N + P` neurons (any simulator)
into the realization's own read-out (:func:`.wta.circuit_observables`, then the model's
``observe``) for cue 0; :data:`COMPARE` lists what ``--check`` compares.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from neurotwin.errors import ExportUnsupported
from neurotwin.rate_models.modern_hopfield.modern_hopfield import (
    MODEL,
    ModernHopfieldParams,
    observe,
)
from neurotwin.registry import exporter
from neurotwin.results import Result

from .nengo import NengoModernHopfieldOptions
from .wta import circuit_observables

if TYPE_CHECKING:
    import nir

#: name of the population node in the graph
POPULATION = "circuit"

#: the observables a client's run is compared on: (absolute tolerance, why)
COMPARE = {
    "final_overlap": (
        0.1,
        "overlap of cue 0's final decoded feature state with its target (nengo's own run "
        "at dt_s, random initial voltages, vs the client's Euler steps of 1e-4 s from 0)",
    ),
    "final_state": (0.05, "fraction of features whose final decoded state differs"),
    "memory_winner": (0, "the memory neuron firing most in the recall (must agree)"),
}


def unsupported(options: NengoModernHopfieldOptions) -> list[str]:
    """What of this circuit NIR 1.0 cannot express, by primitive ([] if nothing)."""
    why = []
    if options.tau_ref_s > 0:
        why.append(
            f"a refractory period (tau_ref_s = {options.tau_ref_s!r} > 0): NIR 1.0's LIF and "
            "CubaLIF have none"
        )
    if options.memory_noise > 0:
        why.append(
            f"the memory neurons' noise current (memory_noise = {options.memory_noise!r} > 0): "
            "NIR has no noise source"
        )
    if options.voltage_floor:
        why.append("a lower bound on the voltage (voltage_floor = True): NIR has no such field")
    return why


@exporter(MODEL, "nir", realization="nengo")
def to_nir(
    params: ModernHopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: NengoModernHopfieldOptions,
) -> nir.NIRGraph:
    """The ``nengo`` realization's circuit for one recall (cue 0) as a NIR graph.

    Raises
    ------
    ExportUnsupported
        Naming every primitive NIR 1.0 lacks for this circuit and the settings that
        avoid them.
    """
    why = unsupported(options)
    if why:
        raise ExportUnsupported(
            f"{MODEL}: NIR 1.0 cannot express "
            + "; ".join(why)
            + ". Export a circuit without them: --set tau_ref_s=0 --set memory_noise=0 "
            "--set voltage_floor=false (the nengo realization runs the same network)"
        )
    import nir

    from .nengo import circuit_populations

    pops, ins, extra = circuit_populations(params, weights, inputs, seed, options, "nengo")
    pop, inp = pops[0], ins[0]
    n = pop.n
    meta = {
        "generator": "neurotwin",
        "model": MODEL,
        "realization": "nengo",
        "seed": int(seed),
        "params": json.dumps(params.model_dump(), sort_keys=True),
        "options": json.dumps(options.model_dump(), sort_keys=True),
        "protocol": (
            f"neurons 0..{params.n_units - 1} are features, {params.n_units}..{n - 1} memories; "
            f"input = cue 0 (+1/-1 on the features, 0 on the memories) for 0 <= t < "
            f"{options.cue_duration_s} s, then 0 for {options.recall_duration_s} s; feature "
            "state +1 iff it fires at least min_spikes times in a window of window_s"
        ),
        "cue": np.asarray(inputs["cues"][0], dtype=np.float64),
        "feature_on_rate_hz": float(extra["on_rate_hz"]),
        "spike_area": 1.0,
        "units": "currents in units of the LIF threshold; time in seconds",
    }
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type={"input": np.array([n])}),
            "cue": nir.Linear(weight=np.diag(np.asarray(inp.gain, dtype=np.float64))),
            POPULATION: nir.CubaLIF(
                tau_syn=np.full(n, pop.tau_syn_s),
                tau_mem=np.full(n, pop.tau_rc_s),
                r=np.ones(n),
                v_leak=np.asarray(pop.bias, dtype=np.float64),
                v_threshold=np.ones(n),
                v_reset=np.zeros(n),
                w_in=np.ones(n),
            ),
            "recurrent": nir.Linear(weight=np.asarray(pop.recurrent, dtype=np.float64)),
            "output": nir.Output(output_type={"output": np.array([n])}),
        },
        edges=[
            ("input", "cue"),
            ("cue", POPULATION),
            (POPULATION, "recurrent"),
            ("recurrent", POPULATION),
            (POPULATION, "output"),
        ],
        metadata=meta,
    )


def input_signal(
    params: ModernHopfieldParams,
    inputs: dict,
    dt_s: float,
    options: NengoModernHopfieldOptions,
) -> np.ndarray:
    """The graph's input (steps, N + P) for the realization's schedule in steps of ``dt_s``."""
    n, p = params.n_units, params.n_patterns
    steps = int(round((options.cue_duration_s + options.recall_duration_s) / dt_s))
    x = np.zeros((steps, n + p))
    x[: int(round(options.cue_duration_s / dt_s)), :n] = np.asarray(inputs["cues"][0], float)
    return x


def decode(
    params: ModernHopfieldParams,
    weights: dict,
    inputs: dict,
    options: NengoModernHopfieldOptions,
    counts: np.ndarray,
    dt_s: float,
) -> dict:
    """Cue 0's ``final_overlap``, ``final_state`` and ``memory_winner`` from per-step spike
    counts (steps, N + P) of any simulator, by the realization's read-out."""
    n = params.n_units
    one = {k: np.asarray(v)[:1] for k, v in inputs.items()}
    spw = int(round(options.window_s / dt_s))
    n_windows = counts.shape[0] // spw
    win = counts[: n_windows * spw].reshape(n_windows, spw, -1).sum(axis=1)[:, None, :]
    state, _, _ = circuit_observables(win[..., :n], win[..., n:], weights, one, options)
    res = Result(
        model=MODEL,
        realization="nir",
        params=params.model_dump(),
        seed=0,
        t=(np.arange(n_windows) + 1) * options.window_s,
        t_unit="s",
        traces={"state": state},
    )
    obs = observe(res, params, weights, one)
    recall = win[options.cue_windows :, 0, n:].sum(axis=0)
    return {
        "final_overlap": obs["final_overlap"],
        "final_state": state[-1, 0],
        "memory_winner": float(np.argmax(recall)),
    }


def own_observables(
    params: ModernHopfieldParams,
    weights: dict,
    inputs: dict,
    options: NengoModernHopfieldOptions,
    result: Result,
) -> dict:
    """:func:`decode` of the ``nengo`` run's cue-0 spikes (features, then memories)."""
    n, p, dt = params.n_units, params.n_patterns, options.dt_s
    steps = int(round((options.cue_duration_s + options.recall_duration_s) / dt))
    counts = np.zeros((steps, n + p))
    for name, size, offset in (("features", n, 0), ("memory", p, n)):
        times, idx = (np.asarray(a) for a in result.spikes[name])
        keep = idx < size  # copy 0 (cue 0)
        k = np.clip(np.round(times[keep] / dt).astype(np.int64) - 1, 0, steps - 1)
        np.add.at(counts, (k, idx[keep].astype(np.int64) + offset), 1)
    return decode(params, weights, inputs, options, counts, dt)
