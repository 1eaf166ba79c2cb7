r"""Spiking realizations of the ring attractor (``rate_models/ring_attractor.py``).

Both use the reference's weights ``W`` and ``dW`` unchanged, as neuron-to-neuron
weights: one LIF neuron per unit (threshold 1, reset 0, membrane time constant
``tau_m_s``, refractory ``tau_ref_s``, no voltage floor, the same constants as the
reference's rate function :math:`f`), input current in threshold units

.. math::

    \tau_m \dot v_i = -v_i + b + c_i(t) + \sum_j W_{ij} s_j - \gamma(t) \sum_j W'_{ij} s_j
    + \sigma\sqrt{\tau_m}\,\xi_i, \qquad \tau \dot s_j = -s_j + \sum_k \delta(t - t_j^k),

so :math:`s_j` is neuron :math:`j`'s spike train filtered with the reference's
:math:`\tau` (area 1: :math:`s_j \approx` its rate in Hz) and the global inhibition
:math:`J_0/N` is part of every weight (no separate inhibitory population). In the
rate limit this is :math:`\tau \dot s = -s + f(W_\gamma s + b)`, whose fixed points
are the reference's (module docstring there); its bump moves at :math:`\gamma/\tau`
to first order in :math:`\gamma` (the reference's :math:`u`-form: exactly), and
spiking noise and the non-instantaneous membrane add their own corrections, which
the tests measure.

``brian2``: the velocity mechanism is gain-modulated asymmetric weights: two
synaptic variables per neuron, :math:`\sum_j W_{ij} s_j` and :math:`\sum_j W'_{ij}
s_j`, the second multiplied by :math:`\gamma(t)` (a ``TimedArray`` on the ``dt_s``
grid, the reference's :func:`~neurotwin.rate_models.ring_attractor.ring_attractor.gamma_trace`:
zero during the cue, :math:`\gamma + \tau\omega(t)` after), so path integration of a
velocity trace works as in the reference. Forward Euler with step ``dt_s`` (the
reference's), runtime device, numpy target, ``brian2.seed(seed)``.

``nengo``: the same network in ``nengo.Simulator`` through
:mod:`~neurotwin.spiking._nengo` (one :class:`LIFPopulation` with the
recurrent neuron-to-neuron transform :math:`W - \gamma W'`, a Lowpass(:math:`\tau`)
synapse, and the cue as a :class:`WindowedInput`). A transform is fixed, so
:math:`\gamma` is constant and on from :math:`t = 0` (the cue pins the bump while
it is on); a velocity trace is refused (``velocity`` must be ``"none"``).
``loihi-emulator``: the same Nengo network on ``nengo_loihi.Simulator(target="sim")``
(8-bit weights, voltages start at zero), with :func:`chip_preflight` checking that
the ring fits ``max_chips`` chips before anything is built; the chip resources and
the weight quantization go into ``provenance["chip"]``.

Decoding: spike counts of each neuron in windows of ``window_s`` centred on the
sample times (every ``record_dt_s``; truncated at the ends), divided by the window
length: the ``activity`` trace (Hz) from which the reference's
:func:`~neurotwin.rate_models.ring_attractor.ring_attractor.ring_observe` computes the
population-vector position, speed, width and the rest, exactly as for the rate model.

Measured (tests/test_ring_attractor_spiking.py, N = 64, tau = 20 ms, tau_m = 10 ms,
gamma in [-0.1, 0.1], 1 s, seed 11): speed linear in gamma (R^2 = 0.99992 Brian2,
0.99990 Nengo), slope 1.221 (Brian2) and 1.253 (Nengo) times the reference's 49.70
rad/s per rad. The excess comes from the membrane dynamics the rate reduction leaves
out: it shrinks to 1.122 / 1.092 at tau_m / tau = 0.2 / 0.15 (Brian2, gamma = 0.1).
Bump amplitude 83.1 Hz (Brian2), 79.5 Hz (Nengo), 80.7 Hz (reference). Loihi emulator
(N = 32): mean turning speed at gamma = +-0.1 1.028 times float Nengo's.
"""

from __future__ import annotations

import time

import numpy as np
from pydantic import Field

from neurotwin.errors import InputError, ParamError
from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models.ring_attractor.ring_attractor import RingAttractorParams, gamma_trace
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _loihi as loihi
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking._brian2 import runtime_target


class RingSpikingOptions(Params):
    """Decoding of the spiking realizations (seconds)."""

    window_s: float = Field(0.04, gt=0, le=0.5, description="spike-count window")


def windowed_rates(
    times: np.ndarray, idx: np.ndarray, n: int, t_grid: np.ndarray, window: float, t_end: float
) -> np.ndarray:
    """Spike counts (len(t_grid), n) in [t - w/2, t + w/2) clipped to [0, t_end), in Hz."""
    order = np.argsort(times, kind="stable")
    times, idx = np.asarray(times)[order], np.asarray(idx)[order]
    lo = np.clip(t_grid - window / 2, 0.0, t_end)
    hi = np.clip(t_grid + window / 2, 0.0, t_end)
    out = np.zeros((len(t_grid), n))
    for i in range(n):
        s = times[idx == i]
        out[:, i] = np.searchsorted(s, hi) - np.searchsorted(s, lo)
    return out / np.maximum(hi - lo, 1e-12)[:, None]


def _result(params, seed, options, t, activity, times, idx, name, prov) -> Result:
    check_finite("activity", activity, t, "s")
    return Result(
        model="ring-attractor",
        realization=name,
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"activity": activity},
        spikes={"ring": (np.asarray(times, np.float64), np.asarray(idx, np.int64))},
        provenance=prov,
    )


def _sample_times(params: RingAttractorParams) -> np.ndarray:
    every = max(1, int(round(params.record_dt_s / params.dt_s)))
    return np.arange(params.n_steps // every) * every * params.dt_s


# -- Brian2 ------------------------------------------------------------------------------


@realization("ring-attractor", "brian2", options=RingSpikingOptions, requires=("brian2",))
def run_brian2(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """LIF ring with W and gain-modulated gamma(t) W' synapses (runtime, numpy target)."""
    import brian2 as b2

    options = options or RingSpikingOptions.create()
    b2.seed(seed)
    t0 = time.perf_counter()
    n = params.n_units
    dt = params.dt_s * b2.second
    clock = b2.Clock(dt=dt, name="ring_clock")
    gam = b2.TimedArray(gamma_trace(params, inputs.get("velocity")), dt=dt, name="ring_gamma")
    noise = " + sigma * xi * tau_m**-0.5" if params.noise_sd > 0 else ""
    neurons = b2.NeuronGroup(
        n,
        f"""
        dv/dt = (-v + bias + cue_amp * int(t < t_cue) + s_sym - gamma_t(t) * s_der) / tau_m
                {noise} : 1 (unless refractory)
        ds_sym/dt = -s_sym / tau_syn : 1
        ds_der/dt = -s_der / tau_syn : 1
        cue_amp : 1
        """,
        threshold="v > 1",
        reset="v = 0",
        refractory=params.tau_ref_s * b2.second,
        method="euler",
        clock=clock,
        name="ring_neurons",
    )
    neurons.v = np.asarray(inputs["v0"], dtype=np.float64)
    neurons.cue_amp = params.cue_strength * np.asarray(inputs["cue"], dtype=np.float64)
    syn = b2.Synapses(
        neurons,
        neurons,
        "w : 1\nwd : 1",
        on_pre="s_sym_post += w / tau_syn_value\ns_der_post += wd / tau_syn_value",
        clock=clock,
        name="ring_synapses",
    )
    syn.connect()
    pre, post = np.asarray(syn.i[:]), np.asarray(syn.j[:])
    syn.w = np.asarray(weights["W"], dtype=np.float64)[post, pre]
    syn.wd = np.asarray(weights["dW"], dtype=np.float64)[post, pre]
    spikes = b2.SpikeMonitor(neurons, name="ring_spikes")
    net = b2.Network(neurons, syn, spikes, name="ring_network")
    namespace = {
        "bias": params.bias,
        "t_cue": params.cue_duration_s * b2.second,
        "tau_m": params.tau_m_s * b2.second,
        "tau_syn": params.tau_s * b2.second,
        "gamma_t": gam,
        "sigma": params.noise_sd,
        # W is in threshold units per Hz: one spike adds W / tau (a unit-area kernel)
        "tau_syn_value": params.tau_s,
    }
    t1 = time.perf_counter()
    with runtime_target("numpy"):
        net.run(params.n_steps * dt, namespace=namespace)
    t2 = time.perf_counter()
    times = np.asarray(spikes.t[:] / b2.second, dtype=np.float64)
    idx = np.asarray(spikes.i[:], dtype=np.int64)
    t = _sample_times(params)
    activity = windowed_rates(times, idx, n, t, options.window_s, params.duration_s)
    prov = {
        "device": "runtime",
        "codegen_target": "numpy",
        "integrator": "euler",
        "build_time_s": float(t1 - t0),
        "run_time_s": float(t2 - t1),
        "n_neurons": n,
        "n_synapses": int(len(syn)),
        "velocity_mechanism": "gain-modulated asymmetric synapses gamma(t) W'",
    }
    return _result(params, seed, options, t, activity, times, idx, "brian2", prov)


# -- Nengo -------------------------------------------------------------------------------


def _check_constant_gamma(params: RingAttractorParams, inputs: dict, name: str) -> None:
    if params.velocity != "none":
        raise ParamError(
            f"RingAttractorParams.velocity: must be 'none' for realization {name!r} (a "
            f"neuron-to-neuron transform is fixed: constant gamma only) (got {params.velocity!r})"
        )
    if "velocity" in inputs:
        raise InputError(
            f"ring-attractor inputs['velocity']: not supported by realization {name!r} "
            f"(constant gamma only) (got shape {np.shape(inputs['velocity'])})"
        )


def ring_population(
    params: RingAttractorParams, weights: dict, inputs: dict
) -> tuple[nc.LIFPopulation, nc.WindowedInput]:
    """The ring as one LIF population with recurrent W - gamma W' and the cue window."""
    w = np.asarray(weights["W"], dtype=np.float64) - params.gamma * np.asarray(
        weights["dW"], dtype=np.float64
    )
    pop = nc.LIFPopulation(
        "ring",
        np.full(params.n_units, params.bias),
        w,
        params.tau_m_s,
        params.tau_ref_s,
        params.tau_s,
        initial_voltage=np.asarray(inputs["v0"], dtype=np.float64),
        min_voltage=-np.inf,
    )
    cue = nc.WindowedInput(
        "ring",
        np.asarray(inputs["cue"], dtype=np.float64),
        np.full(params.n_units, params.cue_strength),
        0.0,
        params.cue_duration_s,
    )
    return pop, cue


class LoihiRingOptions(RingSpikingOptions):
    """Options of the Loihi-emulator realization: the decoding window and the chip budget."""

    max_chips: int = Field(1, ge=1, description="Loihi chips (128 cores each) the ring may use")


def chip_preflight(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options=None
) -> loihi.ChipPlan:
    """Check the ring fits ``options.max_chips`` Loihi chips before anything is built."""
    _check_constant_gamma(params, inputs, "loihi-emulator")
    options = options or LoihiRingOptions.create()
    pop, cue = ring_population(params, weights, inputs)
    return loihi.check_fits(
        [pop], [cue], what="RingAttractorParams.n_units", max_chips=options.max_chips
    )


def simulate_ring(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options, backend
) -> Result:
    """Build, run and decode on ``backend`` (nengo or loihi-emulator)."""
    _check_constant_gamma(params, inputs, backend)
    t0 = time.perf_counter()
    pop, cue = ring_population(params, weights, inputs)
    if backend == "loihi-emulator":
        loihi.check_fits(
            [pop], [cue], what="RingAttractorParams.n_units", max_chips=options.max_chips
        )
    built = nc.build_network([pop], [cue], backend)
    t_map = time.perf_counter() - t0
    out = nc.simulate(built, backend, params.n_steps, params.dt_s, seed)
    s = out.spikes["ring"]  # (steps, n), spikes per step
    steps, idx = np.nonzero(s)
    reps = s[steps, idx].astype(np.int64)
    # nengo reports a spike at the end of the step it happened in
    times = np.repeat((steps + 1) * params.dt_s, reps)
    idx = np.repeat(idx, reps)
    order = np.lexsort((idx, times))
    times, idx = times[order], idx[order]
    t = _sample_times(params)
    activity = windowed_rates(times, idx, params.n_units, t, options.window_s, params.duration_s)
    prov = {
        "simulator": "nengo.Simulator" if backend == "nengo" else 'nengo_loihi.Simulator("sim")',
        "weights_as": "neuron-to-neuron transform W - gamma W'",
        "map_time_s": float(t_map),
        "build_time_s": float(out.build_time_s),
        "run_time_s": float(out.run_time_s),
        "n_neurons": params.n_units,
        "n_synapses": int(np.count_nonzero(pop.recurrent)),
        "warnings": [w.to_dict() for w in out.warnings],
    }
    if out.chip is not None:
        prov["chip"] = {
            "resources": {k: v for k, v in out.chip["resources"].items() if k != "blocks"},
            "weights": loihi.quantization_summary(out.chip["quantization"]["ring"]),
        }
    return _result(params, seed, options, t, activity, times, idx, backend, prov)


@realization("ring-attractor", "nengo", options=RingSpikingOptions, requires=("nengo",))
def run_nengo(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """LIF ring in nengo.Simulator, W - gamma W' as a neuron-to-neuron transform."""
    return simulate_ring(
        params, weights, inputs, seed, options or RingSpikingOptions.create(), "nengo"
    )


@realization(
    "ring-attractor",
    "loihi-emulator",
    options=LoihiRingOptions,
    requires=("nengo", "nengo_loihi"),
    check=nc.check_loihi_numpy,
    preflight=chip_preflight,
)
def run_loihi_emulator(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """The Nengo ring on nengo_loihi.Simulator(target="sim"): the chip's fixed point."""
    return simulate_ring(
        params, weights, inputs, seed, options or LoihiRingOptions.create(), "loihi-emulator"
    )
