r"""Spiking realizations of the synchronization models in Brian2.

``pulse-coupled`` / ``brian2``
    Identical leaky integrate-and-fire oscillators (Mirollo & Strogatz 1990):

    .. math:: \tau \dot v_i = I - v_i, \qquad v_i \ge 1 \Rightarrow
              \text{spike},\ v_i \leftarrow 0,

    so the charging curve is the reference's :math:`f(\phi) = I(1 - (1 - 1/I)^\phi)`.
    A spike raises every other neuron's :math:`v` by :math:`\varepsilon / N`
    (all-to-all ``Synapses``, no delay), unless that neuron is refractory (two time
    steps). Brian2 applies a volley's pulses after the threshold test, so a neuron
    pushed over threshold fires one step after the volley (and one it pushes, two
    steps after). To keep the reference's absorption rule (pushed neurons join the
    volley), a neuron that fires right after receiving a pulse (``kicked_prev``)
    resets to the potential the volley's first neurons have one step after their
    reset, :math:`f(\Delta t / T)`, instead of 0: it is then in step with them; the
    refractory window stops it kicking them back. Initial potentials
    :math:`v_i(0) = f(\phi_i(0))` from the same ``phase0`` as the reference.
    Integration: the exact linear solution (``method="exact"``); spike times are on
    the ``dt_s`` grid. Without the absorbing reset the network settled into stable
    volleys spread over three steps (measured: N = 20, eps = 0.2, 0.5 s), never
    "all spikes within one time step".

``lif-sync`` / ``brian2``
    LIF neurons with heterogeneous constant drives :math:`I_i` (set by
    :func:`~neurotwin.rate_models.synchronization.lif_sync.lif_drive` so neuron
    :math:`i` alone fires at its natural rate) and all-to-all excitatory synapses with a
    delay:

    .. math::

        \tau_m \dot v_i &= I_i - v_i + I^{\mathrm{syn}}_i, \qquad
        \tau_s \dot I^{\mathrm{syn}}_i = -I^{\mathrm{syn}}_i

        \text{spike of } j \text{ at } t &\Rightarrow
        I^{\mathrm{syn}}_i \mathrel{+}= \frac{K}{N} \frac{\tau_m}{\tau_s}
        \ \text{at}\ t + d,

    so each spike delivers a charge :math:`K/N` (threshold units) and a full volley
    :math:`K`. The phase of neuron :math:`i` is interpolated linearly between its
    spikes, :math:`\theta_i(t) = 2\pi (k + (t - t_k)/(t_{k+1} - t_k))`, extrapolated
    with the first (last) interspike interval before the first (after the last)
    spike, and sampled every ``record_dt_s``: the ``theta`` trace from which the
    shared observables (``r``, ``order_parameter``, ``chi``) are computed exactly as
    for the Kuramoto reference. ``chi_voltage`` is Golomb's :math:`\chi` on the
    membrane potentials themselves (sampled every ``record_dt_s``).

Both use the runtime device with the ``numpy`` code-generation target, an explicit
``Network`` and ``namespace``, and ``brian2.seed(seed)`` (nothing in them is random
once the inputs are given, so results are identical run to run).
"""

from __future__ import annotations

import time

import numpy as np

from neurotwin.harness import check_finite
from neurotwin.rate_models.synchronization.lif_sync import LifSyncParams
from neurotwin.rate_models.synchronization.phases import TWO_PI, chi_synchrony
from neurotwin.rate_models.synchronization.pulse_coupled import (
    PulseCoupledParams,
    lif_charge,
    lif_phase,
)
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking._brian2 import run_report, runtime_target

#: refractory period of the pulse-coupled LIF, in time steps (see the module docstring)
REFRACTORY_STEPS = 2


def _b2():
    import brian2

    return brian2


def _prepare(seed: int):
    b2 = _b2()
    b2.seed(seed)
    return b2


def _provenance(t0: float, t1: float, t2: float, n: int, n_syn: int) -> dict:
    return {
        "device": "runtime",
        "codegen_target": "numpy",
        "build_time_s": float(t1 - t0),
        "run_time_s": float(t2 - t1),
        "n_neurons": int(n),
        "n_synapses": int(n_syn),
    }


# -- pulse-coupled -------------------------------------------------------------------


@realization("pulse-coupled", "brian2", requires=("brian2",))
def run_pulse_brian2(
    params: PulseCoupledParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Identical LIF oscillators with excitatory pulses (runtime device, numpy target)."""
    b2 = _prepare(seed)
    t0 = time.perf_counter()
    n = params.n_oscillators
    dt = params.dt_s * b2.second
    clock = b2.Clock(dt=dt, name="pulse_clock")
    neurons = b2.NeuronGroup(
        n,
        """
        dv/dt = (I - v) / tau : 1
        kicked : 1
        kicked_prev : 1
        """,
        threshold="v >= 1",
        reset="v = v_one_step * kicked_prev",
        refractory=REFRACTORY_STEPS * dt,
        method="exact",
        clock=clock,
        name="pulse_oscillators",
    )
    neurons.v = lif_charge(inputs["phase0"], params.drive)
    # kicks received in the previous step: a neuron that fires right after a kick was
    # pushed over threshold by a volley and is absorbed into it (see the docstring)
    neurons.run_regularly("kicked_prev = kicked\nkicked = 0", when="start", name="pulse_kicks")
    synapses = b2.Synapses(
        neurons,
        neurons,
        on_pre="v_post += eps * int(not_refractory_post)\nkicked_post = 1",
        clock=clock,
        name="pulse_synapses",
    )
    synapses.connect(condition="i != j")
    spikes = b2.SpikeMonitor(neurons, name="pulse_spikes")
    mon = b2.StateMonitor(
        neurons, "v", record=True, dt=params.record_dt_s * b2.second, name="pulse_v"
    )
    net = b2.Network(neurons, synapses, spikes, mon, name="pulse_network")
    namespace = {
        "I": params.drive,
        "tau": params.tau_s * b2.second,
        "eps": params.coupling / n,
        # the potential one step after a reset to 0 (exact integration)
        "v_one_step": float(lif_charge(params.dt_s / params.period_s, params.drive)),
    }
    t1 = time.perf_counter()
    with runtime_target("numpy"):
        net.run(params.duration_s * b2.second, namespace=namespace, **run_report())
    t2 = time.perf_counter()
    v = np.asarray(mon.v[:]).T  # (samples, n)
    t = np.asarray(mon.t[:] / b2.second)
    check_finite("pulse-coupled/brian2 v", v, t, "s")
    phase = lif_phase(np.clip(v, 0.0, 1.0 - 1e-12), params.drive)
    return Result(
        model="pulse-coupled",
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"phase": phase},
        spikes={
            "oscillators": (
                np.asarray(spikes.t[:] / b2.second, dtype=np.float64),
                np.asarray(spikes.i[:], dtype=np.int64),
            )
        },
        provenance=_provenance(t0, t1, t2, n, len(synapses)),
    )


# -- lif-sync ------------------------------------------------------------------------


def spike_phases(
    times: np.ndarray, idx: np.ndarray, n: int, t_grid: np.ndarray, fallback_period: np.ndarray
) -> np.ndarray:
    """Phases (len(t_grid), n) interpolated linearly between each neuron's spikes.

    Before the first and after the last spike the phase is extrapolated with the
    nearest interspike interval; a neuron with fewer than two spikes uses
    ``fallback_period`` (its natural period) from its single spike, or from t = 0.
    """
    theta = np.empty((len(t_grid), n))
    for i in range(n):
        s = np.sort(times[idx == i])
        if len(s) >= 2:
            k = np.arange(len(s), dtype=float)
            inner = np.interp(t_grid, s, k)
            first = (t_grid - s[0]) / (s[1] - s[0])
            last = len(s) - 1 + (t_grid - s[-1]) / (s[-1] - s[-2])
            cyc = np.where(t_grid < s[0], first, np.where(t_grid > s[-1], last, inner))
        else:
            origin = s[0] if len(s) else 0.0
            cyc = (t_grid - origin) / fallback_period[i]
        theta[:, i] = np.mod(TWO_PI * cyc, TWO_PI)
    return theta


@realization("lif-sync", "brian2", requires=("brian2",))
def run_lif_sync_brian2(
    params: LifSyncParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """LIF neurons, heterogeneous drives, delayed exponential synapses (runtime, numpy)."""
    b2 = _prepare(seed)
    t0 = time.perf_counter()
    n = params.n_neurons
    drive = np.asarray(weights["drive"], dtype=np.float64)
    rate = np.asarray(weights["rate_hz"], dtype=np.float64)
    clock = b2.Clock(dt=params.dt_s * b2.second, name="lif_sync_clock")
    neurons = b2.NeuronGroup(
        n,
        """
        dv/dt = (I_drive - v + I_syn) / tau_m : 1
        dI_syn/dt = -I_syn / tau_syn : 1
        I_drive : 1 (constant)
        """,
        threshold="v >= 1",
        reset="v = 0",
        method="exact",
        clock=clock,
        name="lif_sync_neurons",
    )
    neurons.I_drive = drive
    # the potential the initial phase implies on the uncoupled limit cycle
    neurons.v = drive * (
        1.0 - np.exp(-(np.asarray(inputs["theta0"]) / TWO_PI) / (rate * params.tau_m_s))
    )
    synapses = b2.Synapses(
        neurons,
        neurons,
        on_pre="I_syn_post += w_syn",
        delay=params.delay_s * b2.second,
        clock=clock,
        name="lif_sync_synapses",
    )
    synapses.connect(condition="i != j")
    spikes = b2.SpikeMonitor(neurons, name="lif_sync_spikes")
    mon = b2.StateMonitor(
        neurons, "v", record=True, dt=params.record_dt_s * b2.second, name="lif_sync_v"
    )
    net = b2.Network(neurons, synapses, spikes, mon, name="lif_sync_network")
    namespace = {
        "tau_m": params.tau_m_s * b2.second,
        "tau_syn": params.tau_syn_s * b2.second,
        "w_syn": params.coupling / n * params.tau_m_s / params.tau_syn_s,
    }
    t1 = time.perf_counter()
    with runtime_target("numpy"):
        net.run(params.duration_s * b2.second, namespace=namespace, **run_report())
    t2 = time.perf_counter()
    v = np.asarray(mon.v[:]).T
    t = np.asarray(mon.t[:] / b2.second)
    check_finite("lif-sync/brian2 v", v, t, "s")
    times = np.asarray(spikes.t[:] / b2.second, dtype=np.float64)
    idx = np.asarray(spikes.i[:], dtype=np.int64)
    theta = spike_phases(times, idx, n, t, 1.0 / rate)
    keep = t >= params.transient_s
    return Result(
        model="lif-sync",
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"theta": theta},
        spikes={"neurons": (times, idx)},
        observables={
            "chi_voltage": chi_synchrony(v[keep] if keep.any() else v),
            "mean_rate_hz": float(len(times) / (n * params.duration_s)),
        },
        provenance=_provenance(t0, t1, t2, n, len(synapses)),
    )
