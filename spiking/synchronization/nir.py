r"""``lif-sync`` as a NIR graph, and how a NIR client's run of it is decoded.

:func:`to_nir` (the model's ``"nir"`` exporter) writes the network of the ``nengo``
realization (``nengo.py``: one population of :math:`N` LIF neurons with the drives
:math:`I_i` as bias, all-to-all coupling :math:`R_{ij} = \tau_m K/N`, :math:`i \ne j`,
through a Lowpass of ``tau_syn_s``) as::

    input --> drive (Linear, identity) --> neurons (CubaLIF) --> output
                                             ^       |
                                             +-------+ coupling (Linear)

with ``CubaLIF(tau_syn = tau_syn_s, tau_mem = tau_m_s, r = 1, v_leak = I_i,
v_threshold = 1, v_reset = 0, w_in = 1)`` and spikes of area 1 (weights in current
per Hz). The input is 0 throughout (:func:`input_signal`): the network is driven by
its bias; the ``input`` port is there because NIR graphs start at an ``Input``.

A synaptic delay (``delay_s > 0``, the default 0.0005 s) is exported as it is: NIR 1.0
has a ``Delay`` node (``nir.Delay``, :math:`y(t) = x(t - d)`), placed on the coupling
edge (``neurons -> delay -> coupling``). No client here runs it: snnTorch 1.0.0's and
Norse 1.1.0's importers and neurotwin's Brian2 importer have no ``Delay``, so
``--check`` refuses such a graph naming it; export with ``--set delay_s=0`` for a graph
they run (the ``nengo`` realization runs the same network).

Refused, named (:class:`~neurotwin.errors.ExportUnsupported`): the initial voltages
the initial phases imply (``initial_voltage='phase'``, the ``nengo`` default): NIR has
no initial state, so export with ``--set initial_voltage=zero`` (every neuron starts at
phase 0, as on the chip, and the ``nengo`` realization runs the same). The
realization's voltage floor at 0 is never reached (the drives exceed the threshold,
the coupling is excitatory, reset and start are 0), so the graph omits it exactly.

:func:`decode` turns per-step spike counts (any simulator) into the phase trace with the
realizations' own :func:`~neurotwin.spiking.synchronization.brian2.spike_phases`
and the model's observables (:func:`lif_sync_observe`): the order parameter is
compared.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from neurotwin.errors import ExportUnsupported
from neurotwin.rate_models.synchronization.lif_sync import LifSyncParams, lif_sync_observe
from neurotwin.registry import exporter
from neurotwin.results import Result

from .nengo import LABEL, NengoLifSyncOptions

if TYPE_CHECKING:
    import nir

#: the observables a client's run is compared on: (absolute tolerance, why)
COMPARE = {
    "order_parameter": (
        0.05,
        "time-averaged Kuramoto order parameter after the transient (nengo's own run, "
        "sub-step spike times, vs the client's Euler steps of 1e-4 s)",
    ),
    "mean_rate_hz": (
        1.5,
        "Hz; mean rate of the population (Brian2 delivers a spike one step of 1e-4 s "
        "later than nengo and the torch clients: measured up to 1 Hz faster at 45 Hz)",
    ),
}


def unsupported(options: NengoLifSyncOptions) -> list[str]:
    """What of this network NIR 1.0 cannot express, in words ([] if nothing)."""
    why = []
    if options.initial_voltage != "zero":
        why.append(
            f"initial voltages (initial_voltage = {options.initial_voltage!r}): NIR has no "
            "initial state"
        )
    return why


@exporter("lif-sync", "nir", realization="nengo")
def to_nir(
    params: LifSyncParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: NengoLifSyncOptions,
) -> nir.NIRGraph:
    """The ``nengo`` realization's network as a NIR graph (module docstring).

    Raises
    ------
    ExportUnsupported
        Naming what NIR 1.0 cannot express and the setting that avoids it.
    """
    why = unsupported(options)
    if why:
        raise ExportUnsupported(
            "lif-sync: NIR 1.0 cannot express "
            + "; ".join(why)
            + ". Export with --set initial_voltage=zero (the nengo realization runs the same "
            "network)"
        )
    import nir

    from .nengo import lif_sync_population

    pop = lif_sync_population(params, weights, inputs, options, "nengo")
    n = pop.n
    meta = {
        "generator": "neurotwin",
        "model": "lif-sync",
        "realization": "nengo",
        "seed": int(seed),
        "params": json.dumps(params.model_dump(), sort_keys=True),
        "options": json.dumps(options.model_dump(), sort_keys=True),
        "protocol": f"input 0; run {params.duration_s} s; all voltages start at 0",
        "rate_hz": np.asarray(weights["rate_hz"], dtype=np.float64),
        "spike_area": 1.0,
        "units": "currents in units of the LIF threshold; time in seconds",
    }
    nodes = {
        "input": nir.Input(input_type={"input": np.array([n])}),
        "drive": nir.Linear(weight=np.eye(n)),
        LABEL: nir.CubaLIF(
            tau_syn=np.full(n, pop.tau_syn_s),
            tau_mem=np.full(n, pop.tau_rc_s),
            r=np.ones(n),
            v_leak=np.asarray(pop.bias, dtype=np.float64),
            v_threshold=np.ones(n),
            v_reset=np.zeros(n),
            w_in=np.ones(n),
        ),
        "coupling": nir.Linear(weight=np.asarray(pop.recurrent, dtype=np.float64)),
        "output": nir.Output(output_type={"output": np.array([n])}),
    }
    edges = [("input", "drive"), ("drive", LABEL)]
    if params.delay_s > 0:
        nodes["delay"] = nir.Delay(delay=np.full(n, params.delay_s))
        edges += [(LABEL, "delay"), ("delay", "coupling")]
    else:
        edges.append((LABEL, "coupling"))
    edges += [("coupling", LABEL), (LABEL, "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=meta)


def input_signal(
    params: LifSyncParams, inputs: dict, dt_s: float, options: NengoLifSyncOptions | None = None
) -> np.ndarray:
    """The graph's input for a run of ``duration_s`` in steps of ``dt_s``: zeros (steps, N)."""
    return np.zeros((int(round(params.duration_s / dt_s)), params.n_neurons))


def decode(
    params: LifSyncParams,
    weights: dict,
    inputs: dict,
    options: NengoLifSyncOptions,
    counts: np.ndarray,
    dt_s: float,
) -> dict:
    """``order_parameter`` and ``mean_rate_hz`` from per-step spike counts (steps, N) of any
    simulator, read out as the ``nengo`` realization does (a spike at the end of its step)."""
    from .brian2 import spike_phases

    steps, idx = np.nonzero(counts)
    reps = np.asarray(counts[steps, idx], dtype=np.int64)
    times = np.repeat((steps + 1) * dt_s, reps)
    idx = np.repeat(idx, reps).astype(np.int64)
    t = np.arange(1, round(params.duration_s / params.record_dt_s) + 1) * params.record_dt_s
    rate = np.asarray(weights["rate_hz"], dtype=np.float64)
    theta = spike_phases(times, idx, params.n_neurons, t, 1.0 / rate)
    res = Result(
        model="lif-sync",
        realization="nir",
        params=params.model_dump(),
        seed=0,
        t=t,
        t_unit="s",
        traces={"theta": theta},
    )
    obs = lif_sync_observe(res, params, weights, inputs)
    return {
        "order_parameter": obs["order_parameter"],
        "mean_rate_hz": float(len(times) / (params.n_neurons * params.duration_s)),
    }
