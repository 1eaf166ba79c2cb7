r"""Pair-based STDP in Brian2: the ``stdp`` model's ``brian2`` realization.

One postsynaptic neuron receives the ``stdp`` model's input spikes (a
``SpikeGeneratorGroup`` replaying the very spike trains the reference's rates
describe) through plastic synapses with the additive, all-to-all pair-based rule of
Song, Miller & Abbott (2000), written with one trace per side:

.. math::

    \tau_+ \dot a_{\mathrm{pre}} = -a_{\mathrm{pre}}, \qquad
    \tau_- \dot a_{\mathrm{post}} = -a_{\mathrm{post}},

    \text{pre spike:}\ a_{\mathrm{pre}} \mathrel{+}= A_+,\
    w \leftarrow \operatorname{clip}(w + a_{\mathrm{post}}, 0, 1); \qquad
    \text{post spike:}\ a_{\mathrm{post}} \mathrel{-}= A_-,\
    w \leftarrow \operatorname{clip}(w + a_{\mathrm{pre}}, 0, 1),

so a pre-post pair at lag :math:`s = t_{post} - t_{pre}` changes :math:`w` by the window
:math:`W(s)` of :class:`~neurotwin.rate_models.learning.stdp.StdpParams`. The update uses only
the synapse's own pre trace, the post trace and its weight.

The neuron (``params.neuron``):

``poisson``
    :math:`\rho(t) = \nu_0 + g\,x(t)`, :math:`\tau_\epsilon \dot x = -x`, each input
    spike adding :math:`w / \tau_\epsilon` to :math:`x`; a spike in each step with
    probability :math:`\rho\,dt`. The Kempter et al. (1999) reduction
    (:func:`~neurotwin.rate_models.learning.stdp.stdp_drift`) is its exact mean drift.
``lif``
    Song et al.'s conductance-based LIF: :math:`\tau_m \dot v = V_r - v + g_e (E_e - v)`,
    :math:`\tau_e \dot g_e = -g_e`, :math:`g_e \mathrel{+}= g_{max} w` per input spike.

Runtime device, numpy target, explicit ``Network`` and ``namespace``, ``brian2.seed``.
"""

from __future__ import annotations

import time

import numpy as np

from neurotwin.harness import check_finite
from neurotwin.rate_models.learning.stdp import StdpParams, stdp_record_times
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking._brian2 import run_report, runtime_target

#: Song, Miller & Abbott (2000) LIF constants (s, V)
LIF = {
    "tau_m": 0.020,
    "v_rest": -0.070,
    "e_exc": 0.0,
    "v_th": -0.054,
    "v_reset": -0.060,
    "tau_e": 0.005,
}


def _neuron(b2, params: StdpParams, clock):
    if params.neuron == "poisson":
        group = b2.NeuronGroup(
            1,
            "dx/dt = -x / tau_epsp : Hz",
            threshold="rand() < (nu0 + gain * x) * dt",
            method="exact",
            clock=clock,
            name="stdp_post",
        )
        return group, "x_post += w / tau_epsp"
    group = b2.NeuronGroup(
        1,
        """
        dv/dt = (v_rest - v + ge * (e_exc - v)) / tau_m : volt
        dge/dt = -ge / tau_e : 1
        """,
        threshold="v > v_th",
        reset="v = v_reset",
        method="euler",
        clock=clock,
        name="stdp_post",
    )
    group.v = LIF["v_rest"] * b2.volt
    return group, "ge_post += g_max * w"


@realization("stdp", "brian2", requires=("brian2",))
def run_stdp_brian2(params: StdpParams, weights: dict, inputs: dict, seed: int, options=None):
    """Pair-based additive STDP onto one Poisson or LIF neuron (runtime, numpy target)."""
    import brian2 as b2

    b2.seed(seed)
    t0 = time.perf_counter()
    n = params.n_inputs
    clock = b2.Clock(dt=params.dt_s * b2.second, name="stdp_clock")
    source = b2.SpikeGeneratorGroup(
        n,
        np.asarray(inputs["spike_indices"]).astype(np.int64),
        np.asarray(inputs["spike_times"], dtype=float) * b2.second,
        clock=clock,
        name="stdp_inputs",
    )
    post, transmit = _neuron(b2, params, clock)
    syn = b2.Synapses(
        source,
        post,
        """
        w : 1
        dapre/dt = -apre / tau_plus : 1 (event-driven)
        dapost/dt = -apost / tau_minus : 1 (event-driven)
        """,
        on_pre=f"""
        {transmit}
        apre += a_plus
        w = clip(w + apost, 0, 1)
        """,
        on_post="""
        apost -= a_minus
        w = clip(w + apre, 0, 1)
        """,
        clock=clock,
        name="stdp_synapses",
    )
    syn.connect(i=np.arange(n), j=0)
    syn.w = np.asarray(weights["w0"], dtype=float)
    wmon = b2.StateMonitor(
        syn, "w", record=True, dt=params.record_dt_s * b2.second, name="stdp_wmon"
    )
    spikes = b2.SpikeMonitor(post, name="stdp_post_spikes")
    net = b2.Network(source, post, syn, wmon, spikes, name="stdp_network")
    namespace = {
        "tau_plus": params.tau_plus_s * b2.second,
        "tau_minus": params.tau_minus_s * b2.second,
        "a_plus": params.a_plus,
        "a_minus": params.a_minus_ratio * params.a_plus,
        "tau_epsp": params.tau_epsp_s * b2.second,
        "nu0": params.nu0_hz * b2.Hz,
        "gain": params.gain_hz,
        "g_max": params.g_max,
        **{k: v * (b2.second if k.startswith("tau") else b2.volt) for k, v in LIF.items()},
    }
    t1 = time.perf_counter()
    with runtime_target("numpy"):
        net.run(params.duration_s * b2.second, namespace=namespace, **run_report())
    t2 = time.perf_counter()
    w_hist = np.asarray(wmon.w[:]).T  # (records, n): taken at the start of each interval
    final = np.asarray(syn.w[:], dtype=float)
    t = stdp_record_times(params)
    hist = np.vstack([w_hist, final[None]])[: len(t)]
    check_finite("stdp/brian2 w", hist, t, "s")
    post_t = np.asarray(spikes.t[:] / b2.second, dtype=np.float64)
    counts = np.histogram(post_t, bins=t)[0] if len(t) > 1 else np.zeros(0)
    rate = np.r_[counts / params.record_dt_s, counts[-1:] / params.record_dt_s][: len(t)]
    return Result(
        model="stdp",
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"weights": hist, "post_rate_hz": rate if len(t) > 1 else np.zeros(1)},
        spikes={"post": (post_t, np.zeros(len(post_t), dtype=np.int64))},
        provenance={
            "device": "runtime",
            "codegen_target": "numpy",
            "build_time_s": float(t1 - t0),
            "run_time_s": float(t2 - t1),
            "n_neurons": 1,
            "n_synapses": int(n),
        },
    )
