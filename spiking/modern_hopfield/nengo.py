r"""The Nengo realization of the spiking modern Hopfield network (``nengo``), and the
network the Loihi emulator runs (``loihi.py``).

The soft winner-take-all circuit of :mod:`neurotwin.spiking.modern_hopfield.wta`
built with ``spiking/_nengo``: per cue one ``LIFPopulation`` of :math:`N + P` neurons
(features first) whose single neuron-to-neuron transform holds the feed-forward,
feedback and inhibitory weights (:func:`circuit_populations`); the cue is a
``WindowedInput`` on the features; the memory noise is a lowpass-filtered
``WhiteNoise`` node (float Nengo only; the chip run has none, ``memory_noise = 0``).
The default gains differ from Brian2's (see :class:`NengoModernHopfieldOptions`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
from pydantic import Field

from neurotwin.harness import check_finite
from neurotwin.rate_models.modern_hopfield.modern_hopfield import MODEL, ModernHopfieldParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _mismatch
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking.hopfield.recall import nengo_on_rate_hz as nengo_on_rate
from neurotwin.spiking.modern_hopfield.wta import (
    REALIZATION_DEFAULTS,
    WTAOptions,
    check_interaction,
    circuit_observables,
)


class NengoModernHopfieldOptions(WTAOptions, _mismatch.NengoMismatchOptions):
    """Options of the Nengo realization: the Brian2 circuit's, with Nengo's time step.

    Times in seconds, currents in threshold units; see the Brian2 options for the
    meaning of each circuit parameter. The defaults of ``gain`` (4, Brian2: 64),
    ``memory_gain`` (16, Brian2: 4) and ``inhibition`` (6, Brian2: 2) are chosen for the
    chip: all synapses of a population are one connection with one 8-bit weight scale
    there, and with Brian2's values the feed-forward weights are ~1000 times smaller
    than the feedback weights and round to zero (measured: 1024 of 1024 zeroed, final
    overlap -0.003 at N = 64, P = 16); the float Nengo run uses the same values so
    that ``neurotwin deploy`` compares like with like.
    """

    dt_s: float = Field(0.001, gt=0, le=0.001, description="simulator time step")
    tau_rc_s: float = Field(0.01, gt=0, description="membrane time constant of both layers")
    initial_voltage: Literal["uniform", "zero"] = Field(
        "uniform", description="initial membrane voltages: uniform in [0, 1) or zero (chip)"
    )
    gain: float = Field(
        4.0, gt=0, description="g: feature current per unit of feedback (Brian2: 64, see below)"
    )
    memory_gain: float = Field(16.0, gt=0, description="g_m: memory current per unit of overlap")
    inhibition: float = Field(
        6.0, ge=0, description="J: inhibitory current per nu_ref of the other memories' rates"
    )
    memory_noise: float = Field(
        1.0, ge=0, description="sigma of the memory neurons' noise current (lowpass white noise)"
    )
    voltage_floor: bool = Field(
        True,
        description="clip the voltage at 0 (the reset), as the Brian2 circuit does; False "
        "gives the network NIR can express (neurotwin export)",
    )


def circuit_populations(
    params: ModernHopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: NengoModernHopfieldOptions,
    backend: nc.Backend,
) -> tuple[list, list, dict]:
    r"""One :class:`~neurotwin.spiking._nengo.LIFPopulation` of :math:`N + P` neurons per cue.

    Features are neurons :math:`0 \dots N-1`, memories :math:`N \dots N+P-1`; the
    feed-forward, feedback and inhibitory synapses of the Brian2 circuit form one
    neuron-to-neuron transform (post, pre; current per Hz of presynaptic rate, the
    Brian2 weight times :math:`\tau_s`):

    .. math:: R = \begin{pmatrix} 0 & g X / \nu_{\mathrm{ref}} \\
              2 g_m X^\top / (N \nu_{\mathrm{on}}) & -J (\mathbf{1}\mathbf{1}^\top - I)
              / \nu_{\mathrm{ref}} \end{pmatrix}

    (``spiking/_nengo``'s populations hold one recurrent matrix; the zero block costs
    no synapse on the chip only if nengo-loihi drops zeros, which it does not for a
    dense transform: the reported synapse count includes them).
    """
    n, p = params.n_units, params.n_patterns
    x = np.asarray(weights["patterns"], dtype=np.float64)  # (P, N)
    cues = np.asarray(inputs["cues"], dtype=np.float64)
    g, gm, j = options.gain, options.memory_gain, options.inhibition
    nu_on, nu_ref = nengo_on_rate(options, backend), options.rate_ref_hz
    r = np.zeros((n + p, n + p))
    r[:n, n:] = g * x.T / nu_ref
    r[n:, :n] = 2.0 * gm * x / (n * nu_on)
    r[n:, n:] = -j * (1.0 - np.eye(p)) / nu_ref
    bias = np.concatenate(
        [np.ones(n), 1.0 - gm * options.memory_threshold - gm * x.sum(axis=1) / n]
    )
    rng = np.random.default_rng(seed)
    pops, ins = [], []
    for c in range(params.n_cues):
        v0 = rng.random(n + p) if options.initial_voltage == "uniform" else None
        label = f"cue{c}"
        pops.append(
            nc.LIFPopulation(
                label,
                bias,
                r,
                options.tau_rc_s,
                options.tau_ref_s,
                options.tau_syn_s,
                v0,
                0.0 if options.voltage_floor else -np.inf,
            )
        )
        gain = np.concatenate([np.full(n, g * options.cue_strength), np.zeros(p)])
        ins.append(
            nc.WindowedInput(
                label, np.concatenate([cues[c], np.zeros(p)]), gain, 0.0, options.cue_duration_s
            )
        )
    return pops, ins, {"on_rate_hz": nu_on}


def _add_memory_noise(built, params, options, seed: int, theta: np.ndarray) -> None:
    """Lowpass-filtered white noise on every memory neuron (float Nengo only): an OU
    current of standard deviation ``memory_noise`` and time constant ``tau_syn_s``,
    as in the Brian2 circuit (white noise of density sigma sqrt(2 tau_s)); divided by the
    memory neurons' threshold factors ``theta`` (``spiking._mismatch``), like every current."""
    import nengo

    n, p = params.n_units, params.n_patterns
    sd = options.memory_noise * math.sqrt(2.0 * options.tau_syn_s)
    with built.network:
        for c, ens in enumerate(built.ensembles.values()):
            node = nengo.Node(
                nengo.processes.WhiteNoise(
                    dist=nengo.dists.Gaussian(0.0, sd), scale=True, seed=(seed + c) % 2**31
                ),
                size_out=p,
                label=f"cue{c}:noise",
            )
            nengo.Connection(
                node,
                ens.neurons[n : n + p],
                synapse=nengo.Lowpass(options.tau_syn_s),
                **({} if (theta == 1).all() else {"transform": 1.0 / theta}),
            )


def simulate_circuit(
    params: ModernHopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: NengoModernHopfieldOptions,
    backend: nc.Backend,
    fit: Callable[[list, list], None] | None = None,
) -> tuple[Result, nc.SimOutput]:
    """Build, run and decode the circuit on Nengo or the Loihi emulator.

    ``fit(pops, ins)`` (the Loihi emulator's) checks the populations before anything is
    built. Returns the Result and the simulator's output (its ``chip`` measurements).
    """
    n, p, n_cues = params.n_units, params.n_patterns, params.n_cues
    pops, ins, extra = circuit_populations(params, weights, inputs, seed, options, backend)
    theta = np.ones(n + p)
    if _mismatch.active(options):
        draws = _mismatch.draw(options, {"features": n, "memory": p}, seed)
        theta = np.concatenate([draws["features"][0], draws["memory"][0]])
        pops, ins = _mismatch.nengo_threshold(pops, ins, {pop.label: theta for pop in pops})
    if fit is not None:
        fit(pops, ins)
    built = nc.build_network(pops, ins, backend)
    if options.memory_noise > 0:
        _add_memory_noise(built, params, options, seed, theta[n:])
    spw, n_windows = options.steps_per_window, options.n_windows
    out = nc.simulate(built, backend, n_windows * spw, options.dt_s, seed)
    counts = np.stack([out.spikes[f"cue{c}"] for c in range(n_cues)], axis=1)  # (steps, C, N+P)
    t_steps = (np.arange(len(counts)) + 1) * options.dt_s
    check_finite(
        f"{MODEL}/{backend} rate", counts.reshape(len(counts), -1).astype(float), t_steps, "s"
    )
    win = counts[: n_windows * spw].reshape(n_windows, spw, n_cues, n + p).sum(axis=1)
    state, mem_rate, obs = circuit_observables(win[..., :n], win[..., n:], weights, inputs, options)
    steps, cue, idx = np.nonzero(counts)
    reps = counts[steps, cue, idx]
    is_mem = idx >= n
    times = np.repeat((steps + 1) * options.dt_s, reps)
    feat_i = np.repeat(cue * n + idx, reps)
    mem_i = np.repeat(cue * p + idx - n, reps)
    mem_mask = np.repeat(is_mem, reps)
    prov = {
        "simulator": "nengo.Simulator" if backend == "nengo" else 'nengo_loihi.Simulator("sim")',
        "weights_as": "neuron-to-neuron transform (features <-> memories, memory inhibition)",
        "copies": "one population of N + P neurons per cue",
        "build_time_s": float(out.build_time_s),
        "run_time_s": float(out.run_time_s),
        "n_neurons": int((n + p) * n_cues),
        "n_synapses": int(sum(np.count_nonzero(pop.recurrent) for pop in pops)),
        "feature_on_rate_hz": float(extra["on_rate_hz"]),
        "warnings": [w.to_dict() for w in out.warnings],
    }
    result = Result(
        model=MODEL,
        realization=backend,
        params=params.model_dump(),
        seed=seed,
        t=(np.arange(n_windows) + 1) * options.window_s,
        t_unit="s",
        traces={"state": state, "memory_rate_hz": mem_rate},
        spikes={
            "features": (times[~mem_mask], feat_i[~mem_mask].astype(np.int64)),
            "memory": (times[mem_mask], mem_i[mem_mask].astype(np.int64)),
        },
        observables=obs,
        provenance=prov,
    )
    return result, out


@realization(
    MODEL,
    "nengo",
    options=NengoModernHopfieldOptions,
    requires=("nengo",),
    preflight=check_interaction,
    defaults=REALIZATION_DEFAULTS,
)
def run_nengo(params, weights, inputs, seed, options=None) -> Result:
    """The Brian2 circuit in nengo.Simulator: one N + P population per cue, weights as a
    neuron-to-neuron transform, memory noise from a WhiteNoise node."""
    options = options or NengoModernHopfieldOptions.create()
    return simulate_circuit(params, weights, inputs, seed, options, "nengo")[0]
