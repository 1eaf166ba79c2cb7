r"""Neural sampling of Boltzmann machines and RBMs in Brian2 (Buesing et al. 2011).

``boltzmann`` / ``brian2`` and ``rbm`` / ``brian2``
    Each binary variable :math:`z_k` is a stochastic spiking neuron. After a spike the
    neuron is refractory for :math:`\tau` and :math:`z_k = 1` exactly during that
    time; otherwise :math:`z_k = 0`. Its membrane potential is

    .. math:: u_k(t) = b_k + \sum_i W_{ki} z_i(t),

    i.e. every spike of neuron :math:`i` causes a rectangular PSP of height
    :math:`W_{ki}` and length :math:`\tau` in neuron :math:`k` (the paper's "abstract
    model"). Outside its refractory period the neuron fires with intensity
    :math:`r_k = \frac1\tau e^{u_k / T}` (here divided by the temperature :math:`T`);
    in continuous time the network then samples :math:`p(z) \propto e^{-E(z)/T}`
    (Buesing et al. 2011, Theorem 1, with the neural computability condition
    :math:`u_k = \log p(z_k = 1 \mid z_{\setminus k}) / p(z_k = 0 \mid z_{\setminus k})`,
    which holds for a Boltzmann machine).

    Time is discretised in steps :math:`\Delta t` = ``dt_s``, :math:`\tau` =
    ``tau_s`` = :math:`n_\tau \Delta t`. Following the paper's discrete-time version, a
    refractory counter :math:`\zeta_k` is set to :math:`n_\tau` at a spike and counts
    down by one per step, :math:`z_k = [\zeta_k \ge 1]`; a neuron may fire when
    :math:`\zeta_k \le 1` (also in the last step of its refractory period, so that it
    can stay "on"), with probability per step

    * ``spike_rule="sigmoid"``: :math:`\sigma(u_k/T - \log n_\tau)` (Buesing et al.'s
      discrete-time rule, exact for one neuron, and :math:`\approx r_k \Delta t` when
      :math:`r_k \Delta t \ll 1`);
    * ``spike_rule="exponential"``: :math:`1 - \exp(-e^{u_k/T} \Delta t / \tau)`, the
      continuous intensity integrated over one step.

    Expected bias of the discretisation: all neurons update in parallel from the state
    of the previous step, so two neurons that both change in the same step do not see
    each other's change; this happens with probability :math:`O(\Delta t / \tau)` per
    pair and step, and the stationary distribution deviates from :math:`p(z)` by
    :math:`O(\Delta t / \tau)` (here 1/20). The exponential rule adds an
    :math:`O(\Delta t / \tau)` error per neuron; the sigmoid rule removes it for a
    single neuron. Measured values are in ``tests/boltzmann/test_boltzmann_brian2.py``.

    Implementation: one ``NeuronGroup`` holding all ``n_chains`` independent copies of
    the network (block-diagonal ``Synapses``, so chains run in parallel at the cost of
    one), the counter decremented by ``run_regularly`` at the start of each step,
    threshold ``zeta <= 0 and rand() < p_fire`` (after the decrement, i.e.
    :math:`\zeta_k \le 1` before it), reset ``zeta = n_tau``. The PSP is two synaptic
    pathways: ``on`` (delay 0) adds :math:`W_{ki}` to ``v_syn`` of neuron :math:`k`,
    ``off`` (delay :math:`\tau`) removes it, so ``v_syn`` at the threshold of step
    :math:`t` is :math:`\sum_i W_{ki} z_i(t-1)`. The sample is the vector :math:`z`
    read every ``sample_dt_s`` (a ``StateMonitor`` on :math:`z`). All neurons start
    with :math:`z = 0` except those set in the initial state (``z0``, the RBM's ``v0``),
    which are made to spike in the first step (``force``; no other neuron may fire in
    that step), so :math:`z` equals the initial state during the first step. Runtime
    device, numpy code-generation target, explicit ``Network`` and ``namespace``,
    ``brian2.seed(seed)``: same seed, same result.

    For the RBM the visible and hidden neurons form one group with the bipartite weight
    matrix; the samples are the visible neurons' :math:`z`.

Nengo and the Loihi emulator
    No realization is registered. Neural sampling needs neurons that fire
    *stochastically* with an intensity set by the membrane potential and hold an exact
    absolute refractory period during which :math:`z = 1`; Nengo's neuron types (LIF,
    spiking rectified linear, Poisson-spiking wrappers of rate neurons) do not combine a
    potential-dependent stochastic spike with this refractory read-out, and the Loihi
    emulator of nengo-loihi builds only its deterministic compartment (LIF/ReLU)
    dynamics (the chip's noise generators are not exposed through nengo-loihi 1.1).
    Emulating the randomness with an injected noise current would sample some other
    distribution, so we do not pretend.
"""

from __future__ import annotations

import math
import time

import numpy as np

from neurotwin.harness import check_finite
from neurotwin.rate_models.boltzmann.boltzmann import BoltzmannParams
from neurotwin.rate_models.boltzmann.rbm import RBMParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking._brian2 import run_report


def _b2():
    import brian2

    return brian2


def neural_sample(
    w: np.ndarray,
    b: np.ndarray,
    z0: np.ndarray,
    params: BoltzmannParams | RBMParams,
    seed: int,
    name: str,
) -> dict:
    """Run the neural sampler of (W, b) from ``z0`` (n_chains, n) for
    ``burn_in_s + duration_s`` and read out z.

    Returns ``{"t": (T,) s, "z": (T, n_chains, n) int8, "spikes": (times, indices),
    "build_time_s", "run_time_s", "n_synapses"}``; ``t`` counts from the start of the
    recorded part (after the burn-in), so its first read-out is at ``sample_dt_s``.
    """
    b2 = _b2()
    b2.seed(seed)
    t0 = time.perf_counter()
    n = len(b)
    n_chains = len(z0)
    n_tau = int(round(params.tau_s / params.dt_s))
    dt = params.dt_s * b2.second
    clock = b2.Clock(dt=dt, name=f"{name}_clock")
    if params.spike_rule == "sigmoid":
        p_fire = "1 / (1 + exp(-(b + v_syn) / T + log_n_tau))"
    else:
        p_fire = "1 - exp(-exp((b + v_syn) / T) / n_tau)"
    neurons = b2.NeuronGroup(
        n * n_chains,
        """
        zeta : 1
        v_syn : 1
        b : 1 (constant)
        force : 1
        z = int(zeta >= 1) : 1
        """,
        # in step 0 only the forced neurons fire; the others first see their PSPs
        threshold=f"force > 0 or (t > half_dt and zeta <= 0 and rand() < {p_fire})",
        reset="zeta = n_tau\nforce = 0",
        clock=clock,
        name=f"{name}_neurons",
    )
    neurons.b = np.tile(b, n_chains)
    neurons.force = np.asarray(z0, dtype=np.float64).ravel()
    neurons.run_regularly("zeta = clip(zeta - 1, 0, n_tau)", when="start", name=f"{name}_count")
    pre, post = np.nonzero(w.T != 0)  # W[post, pre]
    offs = (np.arange(n_chains) * n)[:, None]
    syn = b2.Synapses(
        neurons,
        neurons,
        "w : 1 (constant)",
        on_pre={"on": "v_syn_post += w", "off": "v_syn_post -= w"},
        delay={"on": 0 * b2.second, "off": n_tau * dt},
        clock=clock,
        name=f"{name}_psp",
    )
    syn.connect(i=(offs + pre[None, :]).ravel(), j=(offs + post[None, :]).ravel())
    syn.w = np.tile(w[post, pre], n_chains)
    spikes = b2.SpikeMonitor(neurons, name=f"{name}_spikes")
    namespace = {
        "T": float(params.temperature),
        "n_tau": n_tau,
        "log_n_tau": math.log(n_tau),
        "half_dt": 0.5 * dt,
    }
    net = b2.Network(neurons, syn, spikes, name=f"{name}_network")
    t1 = time.perf_counter()
    if params.burn_in_s > 0:
        net.run(params.burn_in_s * b2.second, namespace=namespace, **run_report())
    mon = b2.StateMonitor(
        neurons,
        "z",
        record=True,
        dt=params.sample_dt_s * b2.second,
        when="end",
        name=f"{name}_z",
    )
    net.add(mon)
    net.run(params.duration_s * b2.second, namespace=namespace, **run_report())
    t2 = time.perf_counter()
    z = np.asarray(mon.z[:]).T.astype(np.int8)  # (T, n_chains * n)
    # the monitor records at the end of steps 0, k, 2k, ...: read-out j ends step j*k
    t = np.asarray(mon.t[:] / b2.second) - params.burn_in_s + params.dt_s
    model = {"bm": "boltzmann"}.get(name, name)
    check_finite(f"{model}/brian2 v_syn", np.asarray(neurons.v_syn[:])[None, :], t[-1:], "s")
    return {
        "t": t,
        "z": z.reshape(len(t), n_chains, n),
        "spikes": (
            np.asarray(spikes.t[:] / b2.second, dtype=np.float64),
            np.asarray(spikes.i[:], dtype=np.int64),
        ),
        "build_time_s": t1 - t0,
        "run_time_s": t2 - t1,
        "n_synapses": len(syn),
        "n_tau": n_tau,
    }


def _provenance(run: dict, params) -> dict:
    return {
        "device": "runtime",
        "codegen_target": "numpy",
        "build_time_s": float(run["build_time_s"]),
        "run_time_s": float(run["run_time_s"]),
        "n_synapses": int(run["n_synapses"]),
        "refractory_steps": int(run["n_tau"]),
        "spike_rule": params.spike_rule,
    }


@realization("boltzmann", "brian2", requires=("brian2",))
def run_boltzmann_brian2(
    params: BoltzmannParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Neural sampling (Buesing et al. 2011) of the Boltzmann machine, all chains at once,
    from the same initial states ``z0`` as the reference (forced first spikes)."""
    from neurotwin.spiking._brian2 import runtime_target

    w, b = np.asarray(weights["W"], float), np.asarray(weights["b"], float)
    with runtime_target("numpy"):
        run = neural_sample(w, b, np.asarray(inputs["z0"]), params, seed, "bm")
    return Result(
        model="boltzmann",
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=run["t"],
        t_unit="s",
        traces={"state": run["z"]},
        spikes={"neurons": run["spikes"]},
        provenance=_provenance(run, params),
    )


@realization("rbm", "brian2", requires=("brian2",))
def run_rbm_brian2(params: RBMParams, weights: dict, inputs: dict, seed: int, options=None):
    """Neural sampling of the trained RBM: visible and hidden neurons in one group with the
    bipartite weights; the ``visible`` and ``hidden`` traces are their z read-outs."""
    from neurotwin.spiking._brian2 import runtime_target

    w = np.asarray(weights["W"], float)
    nv, nh = w.shape
    full = np.zeros((nv + nh, nv + nh))
    full[:nv, nv:] = w
    full[nv:, :nv] = w.T
    bias = np.concatenate([np.asarray(weights["b"], float), np.asarray(weights["c"], float)])
    z0 = np.hstack([np.asarray(inputs["v0"]), np.zeros((params.n_chains, nh), dtype=np.int8)])
    with runtime_target("numpy"):
        run = neural_sample(full, bias, z0, params, seed, "rbm")
    z = run["z"]
    return Result(
        model="rbm",
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=run["t"],
        t_unit="s",
        traces={"visible": z[:, :, :nv], "hidden": z[:, :, nv:]},
        spikes={"neurons": run["spikes"]},
        provenance=_provenance(run, params),
    )
