r"""Spiking learning: pair-based STDP in Brian2 (the ``stdp`` model's ``brian2`` realization).

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
:math:`W(s)` of :class:`~neurotwin.rate_models.learning.learning.StdpParams`. The update uses only
the synapse's own pre trace, the post trace and its weight.

The neuron (``params.neuron``):

``poisson``
    :math:`\rho(t) = \nu_0 + g\,x(t)`, :math:`\tau_\epsilon \dot x = -x`, each input
    spike adding :math:`w / \tau_\epsilon` to :math:`x`; a spike in each step with
    probability :math:`\rho\,dt`. The Kempter et al. (1999) reduction
    (:func:`~neurotwin.rate_models.learning.learning.stdp_drift`) is its exact mean drift.
``lif``
    Song et al.'s conductance-based LIF: :math:`\tau_m \dot v = V_r - v + g_e (E_e - v)`,
    :math:`\tau_e \dot g_e = -g_e`, :math:`g_e \mathrel{+}= g_{max} w` per input spike.

Runtime device, numpy target, explicit ``Network`` and ``namespace``, ``brian2.seed``.
"""

from __future__ import annotations

import time

import numpy as np

from neurotwin.errors import ParamError
from neurotwin.harness import check_finite
from neurotwin.rate_models.learning.learning import (
    LIF_TAU_RC,
    LIF_TAU_REF,
    N_CLASSES,
    N_PIXELS,
    PesParams,
    StdpParams,
    stdp_record_times,
)
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking._brian2 import runtime_target

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
        net.run(params.duration_s * b2.second, namespace=namespace)
    t2 = time.perf_counter()
    w_hist = np.asarray(wmon.w[:]).T  # (records, n): taken at the start of each interval
    final = np.asarray(syn.w[:], dtype=float)
    t = stdp_record_times(params)
    hist = np.vstack([w_hist, final[None]])[: len(t)]
    check_finite("w", hist, t, "s")
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


# -- PES readout in Nengo ----------------------------------------------------------------


def _pes_schedule(params: PesParams, inputs: dict) -> tuple:
    """Images, targets and learning gate, one row per presentation: each epoch shows the
    training images in that epoch's order (gate 1: learning on) and then every test
    image (gate 0: learning off), so accuracy is measured after each epoch as in the
    reference."""
    x_tr, x_te = np.asarray(inputs["x_train"], float), np.asarray(inputs["x_test"], float)
    onehot = np.eye(N_CLASSES)[np.asarray(inputs["y_train"]).astype(int)]
    images, targets, gate = [], [], []
    for order in np.asarray(inputs["order"]).astype(np.int64):
        images += [x_tr[order], x_te]
        targets += [onehot[order], np.zeros((len(x_te), N_CLASSES))]
        gate += [np.ones(len(order)), np.zeros(len(x_te))]
    return np.vstack(images), np.vstack(targets), np.concatenate(gate)


def _pes_network(nengo, params: PesParams, weights: dict, inputs: dict, seed: int):
    """The PES digits network; returns (network, readout probe, duration_s).

    Images enter through the encoders: the 64-d ensemble has encoders ``W_in`` row-
    normalised and gains ``|W_in row|``, so its currents are ``J = W_in x + b``, the rate
    reference's (``synapse=None``); the readout is a decoded connection whose decoders
    start at 0 (function 0) and are learned by PES with ``pre_synapse = tau_syn_s``
    (decoders on activities: the same as a learned neuron-to-node transform in float
    Nengo, and the form nengo-loihi can learn on chip); the error node passes
    ``readout - label`` while training images are shown and 0 while test images are
    (:func:`_pes_schedule`).
    """
    images, targets, gate = _pes_schedule(params, inputs)
    n = params.n_neurons
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(nengo.processes.PresentInput(images, params.present_s))
        # targets with the gate as the last entry: the error node multiplies by it
        labels = np.hstack([targets, gate[:, None]])
        target = nengo.Node(nengo.processes.PresentInput(labels, params.present_s))
        w_in = np.asarray(weights["w_in"], float)
        gain = np.linalg.norm(w_in, axis=1)
        pop = nengo.Ensemble(
            n,
            N_PIXELS,
            neuron_type=nengo.LIF(tau_rc=LIF_TAU_RC, tau_ref=LIF_TAU_REF),
            encoders=w_in / gain[:, None],
            gain=gain,
            bias=np.asarray(weights["bias"], float),
        )
        nengo.Connection(stim, pop, synapse=None)
        readout = nengo.Node(size_in=N_CLASSES)
        conn = nengo.Connection(
            pop,
            readout,
            function=lambda x: np.zeros(N_CLASSES),
            synapse=params.tau_syn_s,
            learning_rule_type=nengo.PES(
                learning_rate=params.learning_rate, pre_synapse=params.tau_syn_s
            ),
        )
        error = nengo.Node(
            lambda t, v: (v[:N_CLASSES] - v[N_CLASSES:-1]) * v[-1], size_in=2 * N_CLASSES + 1
        )
        nengo.Connection(readout, error[:N_CLASSES], synapse=None)
        nengo.Connection(target, error[N_CLASSES:], synapse=None)
        nengo.Connection(error, conn.learning_rule, synapse=None)
        probe = nengo.Probe(readout, synapse=None)
    return net, probe, len(images) * params.present_s


def _pes_accuracy(out: np.ndarray, params: PesParams, inputs: dict) -> np.ndarray:
    """Test accuracy after each epoch: argmax of the readout averaged over the second half
    of each test image's window."""
    steps = int(round(params.present_s / params.dt_s))
    n_train, n_test = np.asarray(inputs["order"]).shape[1], len(inputs["x_test"])
    y_test = np.asarray(inputs["y_test"]).astype(int)
    per_epoch = (n_train + n_test) * steps
    curve = []
    for epoch in range(params.n_epochs):
        start = epoch * per_epoch + n_train * steps
        windows = out[start : start + n_test * steps].reshape(n_test, steps, N_CLASSES)
        pred = np.argmax(windows[:, steps // 2 :].mean(axis=1), axis=1)
        curve.append(float(np.mean(pred == y_test)))
    return np.array(curve)


def _run_pes(params: PesParams, weights: dict, inputs: dict, seed: int, backend: str):
    steps = params.present_s / params.dt_s
    if abs(steps - round(steps)) > 1e-9 * steps:
        raise ParamError(
            f"PesParams.present_s: must be an integer multiple of dt_s = {params.dt_s} "
            f"(got {params.present_s})"
        )
    import nengo

    t0 = time.perf_counter()
    net, probe, duration = _pes_network(nengo, params, weights, inputs, seed)
    prov: dict = {"weights_in": "encoders and gains = W_in; readout: learned decoders (PES)"}
    # nengo's warnings (e.g. max_rates undefined for explicit gains) are recorded, not printed
    log = nc.WarningLog()
    with nc.capture_warnings(log):
        if backend == "nengo":
            # no shared decoder cache: it breaks across numpy majors (see _nengo.simulation)
            model = nengo.builder.Model(dt=params.dt_s, decoder_cache=nengo.cache.NoDecoderCache())
            sim = nengo.Simulator(net, dt=params.dt_s, progress_bar=False, seed=seed, model=model)
            prov["simulator"] = "nengo.Simulator"
        else:
            nengo_loihi = nc.import_nengo_loihi(log)
            # nengo-loihi filters every Node -> Ensemble input on the chip with
            # Model.decode_tau (5 ms by default) whatever the Connection's synapse; the
            # images enter with synapse=None in float Nengo, so 0 here. Nothing else in
            # this network uses it (the readout leaves through a probe filtered by
            # tau_syn_s, the PES error through the learning channel).
            model = nengo_loihi.builder.Model(dt=params.dt_s, label="pes-readout")
            model.decode_tau = 0.0
            sim = nengo_loihi.Simulator(
                net, dt=params.dt_s, target="sim", progress_bar=False, seed=seed, model=model
            )
            prov["simulator"] = 'nengo_loihi.Simulator(target="sim")'
        with sim:
            t1 = time.perf_counter()
            sim.run(duration)
            t2 = time.perf_counter()
            out = np.asarray(sim.data[probe])
            trange = np.asarray(sim.trange())
    check_finite("readout", out, trange, "s")
    curve = _pes_accuracy(out, params, inputs)
    prov.update(
        build_time_s=float(t1 - t0),
        run_time_s=float(t2 - t1),
        warnings=[w.to_dict() for w in log.records()],
    )
    return Result(
        model="pes-readout",
        realization=backend,
        params=params.model_dump(),
        seed=seed,
        t=np.arange(1, params.n_epochs + 1, dtype=float),
        t_unit="sweep",
        traces={"test_accuracy_curve": curve},
        provenance=prov,
    )


@realization("pes-readout", "nengo", requires=("nengo",))
def run_pes_nengo(params: PesParams, weights: dict, inputs: dict, seed: int, options=None):
    """Float Nengo (reference simulator): spiking LIF population, online PES readout."""
    return _run_pes(params, weights, inputs, seed, "nengo")


@realization(
    "pes-readout", "loihi-emulator", requires=("nengo", "nengo_loihi"), check=nc.check_loihi_numpy
)
def run_pes_loihi(params: PesParams, weights: dict, inputs: dict, seed: int, options=None):
    """The same network on nengo_loihi.Simulator(target="sim"): PES learned on the
    emulated chip (fixed-point weights and learning), images sent from the host as
    spikes. Slow: about 6.5 ms per time step at 100 neurons (measured)."""
    return _run_pes(params, weights, inputs, seed, "loihi-emulator")
