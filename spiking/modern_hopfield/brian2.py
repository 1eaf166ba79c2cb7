r"""The Brian2 realization of the spiking modern Hopfield network (``brian2``).

The soft winner-take-all circuit of :mod:`neurotwin.spiking.modern_hopfield.wta`
(equations, effective beta, protocol and decoding there) as two Brian2
``NeuronGroup``\ s, ``mhn_features`` (N per cue) and ``mhn_memory`` (P per cue), with
the feed-forward (``mhn_ff``), feedback (``mhn_fb``) and lateral inhibitory
(``mhn_inh``) synapses; every cue has its own block-diagonal copy. Integration: Euler
(Euler-Maruyama for the noise), runtime device, ``numpy`` target; the seed goes to
``brian2.seed`` and to ``numpy.random.default_rng`` for the initial voltages. The run
raises :class:`~neurotwin.errors.SimulationError` for a non-finite voltage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field

from neurotwin.harness import check_finite
from neurotwin.rate_models.modern_hopfield.modern_hopfield import MODEL, ModernHopfieldParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _mismatch
from neurotwin.spiking._brian2 import run_report, runtime_target
from neurotwin.spiking.hopfield.recall import on_rate_hz
from neurotwin.spiking.modern_hopfield.wta import (
    REALIZATION_DEFAULTS,
    WTAOptions,
    check_interaction,
    circuit_observables,
)


class Brian2ModernHopfieldOptions(WTAOptions, _mismatch.MismatchOptions):
    """Options of the Brian2 circuit (times in seconds, currents in threshold units).

    Inherits the schedule, decoding window, feature gain, cue strength and memory
    layer settings of :class:`~neurotwin.spiking.modern_hopfield.wta.WTAOptions`, and
    the device mismatch of both layers (:mod:`~neurotwin.spiking._mismatch`).
    """

    dt_s: float = Field(1e-4, gt=0, le=1e-3, description="integration time step")
    tau_m_s: float = Field(0.01, gt=0, description="membrane time constant of both layers")
    memory_gain: float = Field(
        4.0, gt=0, description="g_m: memory input current per unit of overlap m"
    )
    inhibition: float = Field(
        2.0, ge=0, description="J: inhibitory current per nu_ref of the other memories' rates"
    )
    memory_noise: float = Field(1.0, ge=0, description="sigma of the memory neurons' OU current")


# -- building ------------------------------------------------------------------------

_FEATURE_EQS = """
dv/dt = (1 + I_fb + I_cue - v) / tau_m : 1 (unless refractory)
dI_fb/dt = -I_fb / tau_syn : 1
I_cue = cue_current * cue * int(t < t_cue) : 1
cue : 1 (constant)
"""

_MEMORY_EQS = """
dv/dt = (1 + I_bias + I_ff - I_inh + I_noise - v) / tau_m : 1 (unless refractory)
dI_ff/dt = -I_ff / tau_syn : 1
dI_inh/dt = -I_inh / tau_syn : 1
dI_noise/dt = -I_noise / tau_syn + sigma * sqrt(2 / tau_syn) * xi : 1
I_bias : 1 (constant)
"""


@dataclass
class Circuit:
    network: Any
    features: Any
    memory: Any
    feature_spikes: Any
    memory_spikes: Any
    namespace: dict
    n_steps: int
    steps_per_window: int
    n_synapses: int


def build_circuit(
    params: ModernHopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: Brian2ModernHopfieldOptions,
) -> Circuit:
    """Build (not run) the two-layer circuit, one block-diagonal copy per cue."""
    import brian2 as b2

    n, p, n_cues = params.n_units, params.n_patterns, params.n_cues
    x = np.asarray(weights["patterns"], dtype=np.float64)
    cues = np.asarray(inputs["cues"], dtype=np.float64)
    g, gm, tau_s = options.gain, options.memory_gain, options.tau_syn_s
    nu_on, nu_ref = on_rate_hz(options), options.rate_ref_hz

    b2.seed(seed)
    rng = np.random.default_rng(seed)
    clock = b2.Clock(dt=options.dt_s * b2.second, name="mhn_clock")
    namespace = {
        "tau_m": options.tau_m_s * b2.second,
        "tau_syn": tau_s * b2.second,
        "t_cue": options.cue_duration_s * b2.second,
        "cue_current": g * options.cue_strength,
        "sigma": options.memory_noise,
    }
    common = dict(
        threshold="v >= 1",
        reset="v = 0",
        refractory=options.tau_ref_s * b2.second,
        method="euler",
        clock=clock,
    )
    feature_eqs, memory_eqs = _FEATURE_EQS, _MEMORY_EQS
    mismatch = _mismatch.active(options)
    if mismatch:
        feature_eqs, common["threshold"] = _mismatch.brian2_equations(
            feature_eqs, common["threshold"]
        )
        memory_eqs, _ = _mismatch.brian2_equations(memory_eqs, "v >= 1")
    features = b2.NeuronGroup(n * n_cues, feature_eqs, name="mhn_features", **common)
    memory = b2.NeuronGroup(p * n_cues, memory_eqs, name="mhn_memory", **common)
    if mismatch:
        draws = _mismatch.draw(options, {"features": n, "memory": p}, seed)
        _mismatch.brian2_set(features, *draws["features"], options.tau_m_s, n_cues)
        _mismatch.brian2_set(memory, *draws["memory"], options.tau_m_s, n_cues)
    features.v = rng.random(n * n_cues)
    memory.v = rng.random(p * n_cues)
    # random refractory phases: strongly driven neurons would otherwise fire in lockstep
    features.lastspike = -rng.random(n * n_cues) * options.tau_ref_s * b2.second
    features.cue = cues.reshape(-1)
    memory.I_noise = rng.normal(0.0, options.memory_noise, p * n_cues)  # stationary start
    memory.I_bias = np.tile(-gm * options.memory_threshold - gm * x.sum(axis=1) / n, n_cues)

    # feature j -> memory mu carries xi^mu_j (both directions use the same (mu, j) pairs)
    mu_idx, j_idx = np.nonzero(np.ones((p, n)))
    offs_f = np.repeat(np.arange(n_cues) * n, len(j_idx))
    offs_m = np.repeat(np.arange(n_cues) * p, len(mu_idx))
    pre_f, post_m = np.tile(j_idx, n_cues) + offs_f, np.tile(mu_idx, n_cues) + offs_m
    xi = np.tile(x[mu_idx, j_idx], n_cues)

    ff = b2.Synapses(
        features, memory, "w : 1 (constant)", on_pre="I_ff_post += w", clock=clock, name="mhn_ff"
    )
    ff.connect(i=pre_f, j=post_m)
    ff.w = xi * 2.0 * gm / (n * tau_s * nu_on)
    fb = b2.Synapses(
        memory, features, "w : 1 (constant)", on_pre="I_fb_post += w", clock=clock, name="mhn_fb"
    )
    fb.connect(i=post_m, j=pre_f)
    fb.w = xi * g / (tau_s * nu_ref)
    # lateral inhibition among the memory neurons of one copy (not onto themselves)
    a, b = np.nonzero(~np.eye(p, dtype=bool))
    offs_i = np.repeat(np.arange(n_cues) * p, len(a))
    inh = b2.Synapses(memory, memory, on_pre="I_inh_post += w_inh", clock=clock, name="mhn_inh")
    inh.connect(i=np.tile(a, n_cues) + offs_i, j=np.tile(b, n_cues) + offs_i)
    namespace["w_inh"] = options.inhibition / (tau_s * nu_ref)

    features.run_regularly("v = clip(v, 0, inf)", when="after_groups", name="mhn_floor")
    fspk = b2.SpikeMonitor(features, name="mhn_feature_spikes")
    mspk = b2.SpikeMonitor(memory, name="mhn_memory_spikes")
    net = b2.Network(features, memory, ff, fb, inh, fspk, mspk, name="mhn_network")
    spw, n_windows = options.steps_per_window, options.n_windows
    return Circuit(
        network=net,
        features=features,
        memory=memory,
        feature_spikes=fspk,
        memory_spikes=mspk,
        namespace=namespace,
        n_steps=n_windows * spw,
        steps_per_window=spw,
        n_synapses=int(2 * len(pre_f) + len(a) * n_cues),
    )


def _window_counts(mon, n_total: int, n_windows: int, spw: int, dt_s: float) -> np.ndarray:
    import brian2 as b2

    times = np.asarray(mon.t[:] / b2.second, dtype=np.float64)
    idx = np.asarray(mon.i[:], dtype=np.int64)
    win = np.minimum(np.rint(times / dt_s).astype(np.int64) // spw, n_windows - 1)
    counts = np.bincount(win * n_total + idx, minlength=n_windows * n_total)
    return counts.reshape(n_windows, n_total)


@realization(
    MODEL,
    "brian2",
    options=Brian2ModernHopfieldOptions,
    requires=("brian2",),
    preflight=check_interaction,
    defaults=REALIZATION_DEFAULTS,
)
def run_brian2(
    params: ModernHopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: Brian2ModernHopfieldOptions,
) -> Result:
    """Feature and memory LIF layers with a soft winner-take-all (see ``wta.py``)."""
    import brian2 as b2

    if options is None:
        options = Brian2ModernHopfieldOptions.create()
    n, p, n_cues = params.n_units, params.n_patterns, params.n_cues
    with runtime_target("numpy"):
        t0 = time.perf_counter()
        circ = build_circuit(params, weights, inputs, seed, options)
        t1 = time.perf_counter()
        circ.network.run(
            circ.n_steps * options.dt_s * b2.second, namespace=circ.namespace, **run_report()
        )
        t2 = time.perf_counter()
    t_end = np.array([circ.n_steps * options.dt_s])
    check_finite(f"{MODEL}/brian2 features.v", np.asarray(circ.features.v[:])[None, :], t_end, "s")
    check_finite(f"{MODEL}/brian2 memory.v", np.asarray(circ.memory.v[:])[None, :], t_end, "s")

    spw, n_windows = circ.steps_per_window, circ.n_steps // circ.steps_per_window
    fc = _window_counts(circ.feature_spikes, n * n_cues, n_windows, spw, options.dt_s)
    mc = _window_counts(circ.memory_spikes, p * n_cues, n_windows, spw, options.dt_s)
    state, mem_rate, obs = circuit_observables(
        fc.reshape(n_windows, n_cues, n), mc.reshape(n_windows, n_cues, p), weights, inputs, options
    )
    return Result(
        model=MODEL,
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=(np.arange(n_windows) + 1) * options.window_s,
        t_unit="s",
        traces={"state": state, "memory_rate_hz": mem_rate},
        spikes={
            "features": (
                np.asarray(circ.feature_spikes.t[:] / b2.second, dtype=np.float64),
                np.asarray(circ.feature_spikes.i[:], dtype=np.int64),
            ),
            "memory": (
                np.asarray(circ.memory_spikes.t[:] / b2.second, dtype=np.float64),
                np.asarray(circ.memory_spikes.i[:], dtype=np.int64),
            ),
        },
        observables=obs,
        provenance={
            "device": "runtime",
            "codegen_target": "numpy",
            "build_time_s": float(t1 - t0),
            "run_time_s": float(t2 - t1),
            "n_neurons": int((n + p) * n_cues),
            "n_synapses": circ.n_synapses,
            "feature_on_rate_hz": float(on_rate_hz(options)),
        },
    )
