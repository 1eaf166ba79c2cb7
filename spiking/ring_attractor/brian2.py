r"""The ring attractor (``rate_models/ring_attractor/ring_attractor.py``) as a Brian2
LIF ring.

The spiking realizations (this one, ``nengo.py`` and ``loihi.py``) use the
reference's weights ``W`` and ``dW`` unchanged, as neuron-to-neuron weights: one LIF
neuron per unit (threshold 1, reset 0, membrane time constant ``tau_m_s``, refractory
``tau_ref_s``, no voltage floor, the same constants as the reference's rate function
:math:`f`), input current in threshold units

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
the tests measure. Spikes are decoded into the ``activity`` trace by
:mod:`~neurotwin.spiking.ring_attractor.readout`.

``brian2``: the velocity mechanism is gain-modulated asymmetric weights: two
synaptic variables per neuron, :math:`\sum_j W_{ij} s_j` and :math:`\sum_j W'_{ij}
s_j`, the second multiplied by :math:`\gamma(t)` (a ``TimedArray`` on the ``dt_s``
grid, the reference's :func:`~neurotwin.rate_models.ring_attractor.ring_attractor.gamma_trace`:
zero during the cue, :math:`\gamma + \tau\omega(t)` after), so path integration of a
velocity trace works as in the reference. Forward Euler with step ``dt_s`` (the
reference's), runtime device, numpy target, ``brian2.seed(seed)``.

Measured (tests/ring_attractor/test_ring_attractor_spiking.py, N = 64, tau = 20 ms,
tau_m = 10 ms, gamma in [-0.1, 0.1], 1 s, seed 11): speed linear in gamma (R^2 =
0.99992 Brian2, 0.99990 Nengo), slope 1.221 (Brian2) and 1.253 (Nengo) times the
reference's 49.70 rad/s per rad. The excess comes from the membrane dynamics the rate
reduction leaves out: it shrinks to 1.122 / 1.092 at tau_m / tau = 0.2 / 0.15 (Brian2,
gamma = 0.1). Bump amplitude 83.1 Hz (Brian2), 79.5 Hz (Nengo), 80.7 Hz (reference).
"""

from __future__ import annotations

import time

import numpy as np

from neurotwin.rate_models.ring_attractor.ring_attractor import RingAttractorParams, gamma_trace
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _mismatch
from neurotwin.spiking._brian2 import run_report, runtime_target

from .readout import RingSpikingOptions, ring_result, sample_times, windowed_rates


class RingBrian2Options(RingSpikingOptions, _mismatch.MismatchOptions):
    """The spiking ring's decoding and device mismatch (``spiking._mismatch``)."""


@realization("ring-attractor", "brian2", options=RingBrian2Options, requires=("brian2",))
def run_brian2(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """LIF ring with W and gain-modulated gamma(t) W' synapses (runtime, numpy target)."""
    import brian2 as b2

    options = options or RingBrian2Options.create()
    b2.seed(seed)
    t0 = time.perf_counter()
    n = params.n_units
    dt = params.dt_s * b2.second
    clock = b2.Clock(dt=dt, name="ring_clock")
    gam = b2.TimedArray(gamma_trace(params, inputs.get("velocity")), dt=dt, name="ring_gamma")
    noise = " + sigma * xi * tau_m**-0.5" if params.noise_sd > 0 else ""
    eqs = f"""
        dv/dt = (-v + bias + cue_amp * int(t < t_cue) + s_sym - gamma_t(t) * s_der) / tau_m
                {noise} : 1 (unless refractory)
        ds_sym/dt = -s_sym / tau_syn : 1
        ds_der/dt = -s_der / tau_syn : 1
        cue_amp : 1
        """
    threshold = "v > 1"
    if _mismatch.active(options):
        eqs, threshold = _mismatch.brian2_equations(eqs, threshold)
    neurons = b2.NeuronGroup(
        n,
        eqs,
        threshold=threshold,
        reset="v = 0",
        refractory=params.tau_ref_s * b2.second,
        method="euler",
        clock=clock,
        name="ring_neurons",
    )
    neurons.v = np.asarray(inputs["v0"], dtype=np.float64)
    neurons.cue_amp = params.cue_strength * np.asarray(inputs["cue"], dtype=np.float64)
    if _mismatch.active(options):
        theta, tau = _mismatch.draw(options, {"units": n}, seed)["units"]
        _mismatch.brian2_set(neurons, theta, tau, params.tau_m_s)
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
        net.run(params.n_steps * dt, namespace=namespace, **run_report())
    t2 = time.perf_counter()
    times = np.asarray(spikes.t[:] / b2.second, dtype=np.float64)
    idx = np.asarray(spikes.i[:], dtype=np.int64)
    t = sample_times(params)
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
    return ring_result(params, seed, t, activity, times, idx, "brian2", prov)
