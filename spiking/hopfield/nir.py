r"""The Hopfield network as a NIR graph (Neuromorphic Intermediate Representation).

:func:`to_nir` (registered as the model's ``"nir"`` exporter) builds the network of
the ``nengo`` realization — the network the ``nengo`` and ``loihi-emulator``
realizations simulate, for one recall (copy ``cue0``) — as a :class:`nir.NIRGraph`
(nir 1.0)::

    input --> cue (Linear) --> units (CubaLIF) --> output
                                 ^      |
                                 +------+ recurrent (Linear)

with, for the population's neurons (``spiking/_nengo``, currents in threshold
units, :math:`R = 1`):

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

Written with ``nir.write`` and read back with ``nir.read``, the graph gives these
arrays exactly (float64).

What NIR 1.0 cannot express raises :class:`~neurotwin.errors.ExportUnsupported`,
naming each feature, instead of a graph that simulates a different network:

* a refractory period (``tau_ref_s > 0``; NIR's LIF and CubaLIF have none:
  without it an "on" unit of the default network would fire at
  :math:`1/(\tau_{rc}\ln(1 + 1/g))` = 6.4 kHz instead of 194 Hz, and the
  weights, scaled by that rate, would be wrong);
* a lower bound on the voltage (``voltage_floor=True``);
* stochastic units (``temperature > 0``).

So ``tau_ref_s=0, voltage_floor=False, gain=1`` give a network NIR describes
exactly (and that the ``nengo`` realization runs with the same options), up to the
initial voltages: NIR has no initial state, every voltage starts at 0 (the
realization draws them uniform in [0, 1) unless ``initial_voltage=zero``).

``neurotwin export hopfield ... --check snntorch|norse|brian2``
(:func:`neurotwin.spiking.nir_clients.check`) runs the graph with
:func:`input_signal` in the client and compares :func:`decode`'s observables (the
realization's own read-out: :math:`s_i = +1` iff unit :math:`i` fires at least
``min_spikes`` times in a window) of cue 0 with the ``nengo`` run's (:data:`COMPARE`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from neurotwin.errors import ExportUnsupported
from neurotwin.rate_models.hopfield.hopfield import HopfieldParams, observe
from neurotwin.registry import exporter
from neurotwin.results import Result
from neurotwin.spiking.hopfield.nengo import NengoHopfieldOptions, populations

if TYPE_CHECKING:
    import nir

#: the observables a client's run is compared on: (absolute tolerance, why)
COMPARE = {
    "final_overlap": (
        0.1,
        "overlap of cue 0's final decoded state with its target pattern (nengo's own run at "
        "dt_s, random initial voltages, vs the client's Euler steps of 1e-4 s from 0)",
    ),
    "final_state": (
        0.05,
        "fraction of units whose final decoded state (+1/-1) differs",
    ),
}


def unsupported(params: HopfieldParams, options: NengoHopfieldOptions) -> list[str]:
    """The features of this network that NIR 1.0 cannot express, in words ([] if none)."""
    why = []
    if params.temperature > 0:
        why.append(
            f"stochastic units (temperature = {params.temperature!r} > 0): NIR has no noise source"
        )
    if options.tau_ref_s > 0:
        why.append(
            f"a refractory period (tau_ref_s = {options.tau_ref_s!r} > 0): NIR 1.0's LIF and "
            "CubaLIF have none, so the exported units would fire faster and the weights, scaled "
            "by the on-rate, would be wrong"
        )
    if options.voltage_floor:
        why.append("a lower bound on the voltage (voltage_floor = True): NIR has no such field")
    return why


@exporter("hopfield", "nir", realization="nengo")
def to_nir(
    params: HopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: NengoHopfieldOptions,
) -> nir.NIRGraph:
    """The ``nengo`` realization's network for one recall (cue 0) as a NIR graph.

    ``seed`` is the seed the realization builds the network from (the harness's
    simulator seed); ``options`` are the ``nengo`` realization's options.

    Raises
    ------
    ExportUnsupported
        Listing every feature of the network NIR 1.0 cannot express, and the
        settings that avoid them.
    """
    why = unsupported(params, options)
    if why:
        raise ExportUnsupported(
            "hopfield: NIR 1.0 cannot express "
            + "; ".join(why)
            + ". Export a network without them, e.g. --set tau_ref_s=0 --set voltage_floor=false"
            " --set gain=1 (the nengo realization runs the same network)"
        )
    import nir

    pops, ins, extra = populations(params, weights, inputs, seed, options, "nengo")
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
        "variant": options.variant,
        "seed": int(seed),
        "params": json.dumps(params.model_dump(), sort_keys=True),
        "options": json.dumps(options.model_dump(), sort_keys=True),
        "protocol": (
            f"input_i = cue_i (+1/-1) for 0 <= t < {options.cue_duration_s} s, then 0; "
            "recall for recall_duration_s; state_i = +1 iff unit i fires at least min_spikes "
            "times in a window of window_s"
        ),
        "cue": np.asarray(inputs["cues"][0], dtype=np.float64),
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


def _one_cue(inputs: dict) -> dict:
    return {k: np.asarray(v)[:1] for k, v in inputs.items()}


def input_signal(
    params: HopfieldParams, inputs: dict, dt_s: float, options: NengoHopfieldOptions
) -> np.ndarray:
    """The graph's input (steps, N) for the realization's schedule in steps of ``dt_s``:
    cue 0 during ``cue_duration_s``, then 0."""
    steps = int(round((options.cue_duration_s + options.recall_duration_s) / dt_s))
    x = np.zeros((steps, params.n_units))
    x[: int(round(options.cue_duration_s / dt_s))] = np.asarray(inputs["cues"][0], float)
    return x


def decode(
    params: HopfieldParams,
    weights: dict,
    inputs: dict,
    options: NengoHopfieldOptions,
    counts: np.ndarray,
    dt_s: float,
) -> dict:
    """Cue 0's ``final_overlap`` and ``final_state`` from per-step spike counts (steps, N)
    of any simulator, by the ``neurons`` variant's read-out (windows of ``window_s``)."""
    if options.variant != "neurons":
        raise ExportUnsupported(
            "hopfield: the NIR check decodes the 'neurons' variant (one LIF per unit); the "
            "'nef' variant's decoders are not part of the graph (got variant='nef')"
        )
    spw = int(round(options.window_s / dt_s))
    n_windows = counts.shape[0] // spw
    win = counts[: n_windows * spw].reshape(n_windows, spw, -1).sum(axis=1)
    state = np.where(win >= options.min_spikes, 1, -1).astype(np.int8)[:, None, :]
    res = Result(
        model="hopfield",
        realization="nir",
        params=params.model_dump(),
        seed=0,
        t=(np.arange(n_windows) + 1) * options.window_s,
        t_unit="s",
        traces={"state": state},
    )
    obs = observe(res, params, weights, _one_cue(inputs))
    return {"final_overlap": obs["final_overlap"], "final_state": state[-1, 0]}
