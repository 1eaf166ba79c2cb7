r"""Pattern completion in Brian2: input layer -> LIF layer, with or without recurrence.

The spiking twin of ``pattern-completion`` (``rate_models/memory/pattern_completion.py``),
with the ±1 <-> spikes mapping of ``spiking/hopfield/brian2.py`` (+1 fires near the on-rate
:math:`\nu_{\mathrm{on}}`, -1 is silent; a unit's field :math:`h_i = \sum_j W_{ij} s_j`
enters as the current :math:`g h_i`). Every cue has its own block of neurons.

An input layer of spike generators holds the cue: regular trains at
:math:`\nu_{\mathrm{on}}(1 + c_j)/2` (+1: the on-rate, -1: silent, 0: half the on-rate, so
that its transmitted value :math:`2 x_j - 1` is 0 on average), each with a random phase. It
drives a layer of LIF neurons through W with the transmission of the Hopfield realization
(jump :math:`2 g W_{ij} / (\nu_{\mathrm{on}} \tau_s)` per input spike, bias
:math:`-g \sum_j W_{ij}`), so the layer's drive is :math:`g \sum_j W_{ij} c_j` and a neuron
fires iff the reference's one pass gives +1.

* ``mode='feedforward'`` / ``'associator'``: that is all; the input holds the cue for the
  whole run and the layer is the read-out (no synapse within the layer).
* ``mode='recurrent'``: the layer also projects onto itself through the same W (a second
  synaptic current). The input drives it for ``cue_duration_s``; at its end the input's
  current is switched off and the recurrent current switched on (both currents are
  integrated all along, so the recurrent one is at its steady state when it takes over),
  and the population runs freely for ``recall_duration_s``: the reference's protocol, one
  pass from the cue and then feedback. (Driving the population with the cue as a current,
  as ``spiking/hopfield/brian2.py`` does, was tried first: a unit with a zero entry then
  starts from its random membrane potential and fires, so the unknown units enter the
  recurrence as random ±1 rather than 0, and completion from f = 0.2 failed: measured
  final overlap 0.23 and -0.07 at N = 64, P = 3, seeds 0, 1, against 1.0 in the reference.)

Both modes are decoded the same way (spike counts per window, +1 with at least
``min_spikes``; ``spiking.hopfield.brian2.decode``), and the model's observables read the
last window. The run lasts ``cue_duration_s + recall_duration_s`` in both modes.
"""

from __future__ import annotations

import time
from typing import Literal

import numpy as np
from pydantic import Field

from neurotwin.rate_models.memory.pattern_completion import MODEL, PatternCompletionParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking._brian2 import _b2, device_check, runtime_target
from neurotwin.spiking.hopfield.brian2 import Brian2Hopfield, decode, recall_result
from neurotwin.spiking.hopfield.recall import SpikingRecallOptions, on_rate_hz


class Brian2CompletionOptions(SpikingRecallOptions):
    """Options of the Brian2 pattern completion (times in s, currents in threshold units)."""

    device: Literal["runtime"] = Field("runtime", description="Brian2 device (runtime only)")
    codegen_target: Literal["numpy", "cython"] = Field(
        "numpy", description="code-generation target of the runtime device"
    )
    dt_s: float = Field(1e-4, gt=0, le=1e-3, description="integration time step")
    tau_m_s: float = Field(0.01, gt=0, description="membrane time constant")
    v_floor: float = Field(
        0.0, lt=1, description="lower bound of the membrane potential (reset = 0, threshold = 1)"
    )


_EQS = """
dv/dt = (1 + I_bias + I_drive - v) / tau_m : 1 (unless refractory)
I_drive = I_in * int(t < t_in) + I_rec * int(t >= t_in) : 1
dI_in/dt = -I_in / tau_syn : 1
dI_rec/dt = -I_rec / tau_syn : 1
I_bias : 1 (constant)
"""


def input_trains(cues: np.ndarray, rate_hz: float, duration_s: float, dt_s: float, rng):
    """Regular spike trains at rate_hz * (1 + c) / 2 with random phases, on the dt grid:
    ``(indices, times_s)`` for a SpikeGeneratorGroup (one input per entry of ``cues``)."""
    rates = rate_hz * (1.0 + np.asarray(cues, dtype=np.float64).reshape(-1)) / 2.0
    idx, times = [], []
    for i in np.flatnonzero(rates > 0):
        period = 1.0 / rates[i]
        t = rng.random() * period + np.arange(int(duration_s / period) + 1) * period
        steps = np.unique(np.rint(t[t < duration_s] / dt_s).astype(np.int64))
        idx.append(np.full(len(steps), i))
        times.append(steps * dt_s)
    if not idx:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(idx), np.concatenate(times)


def _block_synapses(b2, source, target, w, n_cues, jump, current, clock, name):
    """Block-diagonal synapses pre j -> post i of every cue's block, weight jump * W[i, j]."""
    n = w.shape[0]
    post, pre = np.nonzero(w)
    offsets = np.repeat(np.arange(n_cues) * n, len(pre))
    syn = b2.Synapses(source, target, model="w : 1 (constant)",
                      on_pre=f"{current}_post += w", clock=clock, name=name)  # fmt: skip
    syn.connect(i=np.tile(pre, n_cues) + offsets, j=np.tile(post, n_cues) + offsets)
    syn.w = np.tile(jump * w[post, pre], n_cues)
    return syn


def build_network(params, weights, inputs, seed, options) -> Brian2Hopfield:
    """Input generators -> LIF layer through W, plus (recurrent) the layer onto itself
    through W, taking over at the end of the cue; one block per cue (not run)."""
    b2 = _b2()
    n, n_cues = params.n_units, params.n_cues
    recurrent = params.mode == "recurrent"
    g = options.gain
    w = np.asarray(weights["W"], dtype=np.float64)
    u = np.asarray(weights["U"], dtype=np.float64)
    b2.seed(seed)
    rng = np.random.default_rng(seed)
    clock = b2.Clock(dt=options.dt_s * b2.second, name="completion_clock")
    n_steps = options.n_windows * options.steps_per_window
    t_in = options.cue_duration_s if recurrent else n_steps * options.dt_s
    nu = on_rate_hz(options)
    jump = 2.0 * g / (nu * options.tau_syn_s)
    idx, times = input_trains(inputs["cues"], nu, t_in, options.dt_s, rng)
    source = b2.SpikeGeneratorGroup(
        n * n_cues, idx, times * b2.second, dt=options.dt_s * b2.second, name="completion_input"
    )
    units = b2.NeuronGroup(
        n * n_cues, _EQS, threshold="v >= 1", reset="v = 0",
        refractory=options.tau_ref_s * b2.second, method="euler", clock=clock,
        name="completion_units",
    )  # fmt: skip
    units.v = rng.random(n * n_cues)
    units.lastspike = -rng.random(n * n_cues) * options.tau_ref_s * b2.second
    units.I_bias = np.tile(-g * (w.sum(axis=1) + u), n_cues)
    objects = [source, units]
    objects.append(_block_synapses(b2, source, units, w, n_cues, jump, "I_in", clock,
                                   "completion_feedforward"))  # fmt: skip
    if recurrent:
        objects.append(_block_synapses(b2, units, units, w, n_cues, jump, "I_rec", clock,
                                       "completion_recurrent"))  # fmt: skip
    units.run_regularly("v = clip(v, v_floor, inf)", when="after_groups", name="completion_floor")
    spikes = b2.SpikeMonitor(units, name="completion_spikes")
    window = options.window_s * b2.second
    voltage = b2.StateMonitor(units, "v", record=True, dt=window, when="end", name="completion_v")
    network = b2.Network(*objects, spikes, voltage, name="completion_network")
    return Brian2Hopfield(
        network=network, neurons=units, synapses=objects[2:], spikes=spikes, voltage=voltage,
        namespace={"tau_m": options.tau_m_s * b2.second, "t_in": t_in * b2.second,
                   "tau_syn": options.tau_syn_s * b2.second, "v_floor": options.v_floor},
        n_units=n, n_cues=n_cues, n_steps=n_steps, steps_per_window=options.steps_per_window,
        dt_s=options.dt_s, n_synapses=int(np.count_nonzero(w)) * n_cues * (len(objects) - 2),
    )  # fmt: skip


@realization(
    MODEL,
    "brian2",
    options=Brian2CompletionOptions,
    requires=("brian2",),
    check=device_check(f"{MODEL}/brian2"),
    defaults={"n_units": 64, "n_patterns": 3, "n_cues": 6},
)
def run_brian2(
    params: PatternCompletionParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: Brian2CompletionOptions | None = None,
) -> Result:
    """LIF neurons: the recurrent population, or input layer -> output layer."""
    if options is None:
        options = Brian2CompletionOptions.create()
    t0 = time.perf_counter()
    with runtime_target(options.codegen_target):
        net = build_network(params, weights, inputs, seed, options)
        net.run()
        dec = decode(net, options)
    return recall_result(
        MODEL,
        params,
        seed,
        dec,
        {
            "mode": params.mode,
            "codegen_target": options.codegen_target,
            "run_time_s": float(time.perf_counter() - t0),
            "n_neurons": int(params.n_units * params.n_cues),
            "n_synapses": int(net.n_synapses),
            "on_rate_hz": float(on_rate_hz(options)),
        },
    )
