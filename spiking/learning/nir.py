r"""The trained PES readout as a NIR graph, and how a NIR client's run of it is decoded.

:func:`to_nir` (the ``"nir"`` exporter of ``pes-readout``) first **trains**: it runs the
``nengo`` realization's network (:func:`~neurotwin.spiking.learning.nengo.pes_network`,
the whole schedule: every epoch's training images with PES on, then the test images with
learning off) and reads the learned decoders :math:`D` (10 x n) at the end. What is
exported is the trained, frozen network (PES itself, an online learning rule, has no
NIR primitive; its result does)::

    input (64 pixels) --> encode (Affine W_in, b) --> population (LIF, n)
        --> readout (Linear D) --> filter (LI, tau_syn_s) --> output (10)

with ``LIF(tau = 0.02, r = 1, v_leak = 0, v_threshold = 1, v_reset = 0)`` (Nengo's
:math:`\tau_{rc}\dot v = J - v`, :math:`J = W_{in} x + b`: the rate reference's
currents), spikes of area 1 and ``LI(tau = tau_syn_s, r = 1, v_leak = 0)`` (the
readout's Lowpass synapse: :math:`\tau \dot y = -y + D\rho`). The input is an image
held for ``present_s`` each (:func:`input_signal`: the test images, in order); the class
is the argmax of the output averaged over the second half of each image's window, as in
:func:`~neurotwin.spiking.learning.nengo.pes_accuracy`. Metadata: the Nengo run's test
accuracy, the schedule, ``params``/``options``.

Refused, named (:class:`~neurotwin.errors.ExportUnsupported`): the population's
refractory period (``tau_ref_s > 0``, default 0.002 s, the rate reference's: NIR 1.0's
LIF has none) and Nengo's voltage floor at 0 (``voltage_floor=True``). ``--set
tau_ref_s=0 --set voltage_floor=false`` trains and exports the network NIR describes
exactly (the ``nengo`` realization trains the same with the same options).

Client form (:func:`client_graph`): snnTorch 1.0.0 and Norse 1.1.0 do not load ``LI``, so
their graph ends at the readout (``population -> readout -> output``, spikes of one step)
and :func:`decode` applies the Lowpass of ``tau_syn_s`` (:math:`y \leftarrow y + (\Delta
t/\tau)(D c/\Delta t - y)`, ``c`` the spike counts of the step); the LIF loads as it is
(``v_leak = 0``; snnTorch rescales its threshold by :math:`R\Delta t/\tau`). ``--check
brian2`` runs the same client form; the full graph (with its ``LI``) runs in Brian2 too
(``tests/nir_interop``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from neurotwin.errors import ExportUnsupported
from neurotwin.rate_models.learning.datasets import N_CLASSES, N_PIXELS
from neurotwin.rate_models.learning.pes_readout import LIF_TAU_RC, PesParams
from neurotwin.registry import exporter

from .nengo import NengoPesOptions, pes_network

if TYPE_CHECKING:
    import nir

#: name of the LIF population node
POPULATION = "population"
#: decode from the graph's output (the readout), not from the population's spikes
DECODE_FROM = "output"

#: the observables a client's run is compared on: (absolute tolerance, why)
COMPARE = {
    "test_accuracy": (
        0.05,
        "fraction of test images classified right (nengo's own run at dt_s = 1e-3 with "
        "sub-step spike times, vs the client's Euler steps of 1e-4 s)",
    ),
}


def unsupported(options: NengoPesOptions) -> list[str]:
    """What of this network NIR 1.0 cannot express, by primitive ([] if nothing)."""
    why = []
    if options.tau_ref_s > 0:
        why.append(
            f"a refractory period (tau_ref_s = {options.tau_ref_s!r} > 0): NIR 1.0's LIF has none"
        )
    if options.voltage_floor:
        why.append("a lower bound on the voltage (voltage_floor = True): NIR has no such field")
    return why


def train(
    params: PesParams, weights: dict, inputs: dict, seed: int, options: NengoPesOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Run the ``nengo`` realization's schedule; the learned decoders (10, n) at its end and
    the readout (steps, 10)."""
    import nengo

    from neurotwin.spiking import _nengo as nc

    handles = pes_network(nengo, params, options, weights, inputs, seed)
    log = nc.WarningLog()
    with nc.capture_warnings(log):
        model = nengo.builder.Model(dt=options.dt_s, decoder_cache=nengo.cache.NoDecoderCache())
        with nengo.Simulator(
            handles["network"], dt=options.dt_s, progress_bar=False, seed=seed, model=model
        ) as sim:
            sim.run(handles["duration_s"])
            decoders = np.array(sim.signals[sim.model.sig[handles["connection"]]["weights"]])
            out = np.asarray(sim.data[handles["probe"]])
    return decoders.reshape(N_CLASSES, params.n_neurons), out


@exporter("pes-readout", "nir", realization="nengo")
def to_nir(
    params: PesParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: NengoPesOptions,
) -> nir.NIRGraph:
    """Train in Nengo, then the trained network as a NIR graph (module docstring).

    Raises
    ------
    ExportUnsupported
        Naming what NIR 1.0 cannot express and the settings that avoid it.
    """
    why = unsupported(options)
    if why:
        raise ExportUnsupported(
            "pes-readout: NIR 1.0 cannot express "
            + "; ".join(why)
            + ". Export a network without them: --set tau_ref_s=0 --set voltage_floor=false "
            "(the nengo realization trains the same network)"
        )
    import nir

    from .nengo import pes_accuracy

    decoders, out = train(params, weights, inputs, seed, options)
    n = params.n_neurons
    meta = {
        "generator": "neurotwin",
        "model": "pes-readout",
        "realization": "nengo",
        "seed": int(seed),
        "params": json.dumps(params.model_dump(), sort_keys=True),
        "options": json.dumps(options.model_dump(), sort_keys=True),
        "trained": (
            f"decoders learned by nengo.PES over {params.n_epochs} epoch(s) of "
            f"{np.asarray(inputs['order']).shape[1]} training images, {params.present_s} s each"
        ),
        "nengo_test_accuracy": float(pes_accuracy(out, params, options, inputs)[-1]),
        "protocol": (
            f"input = one image (64 pixels, 0..16) held {params.present_s} s; class = argmax of "
            "the output averaged over the second half of the image's window"
        ),
        "spike_area": 1.0,
        "units": "currents in units of the LIF threshold; time in seconds",
    }
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type={"input": np.array([N_PIXELS])}),
            "encode": nir.Affine(
                weight=np.asarray(weights["w_in"], dtype=np.float64),
                bias=np.asarray(weights["bias"], dtype=np.float64),
            ),
            POPULATION: nir.LIF(
                tau=np.full(n, LIF_TAU_RC),
                r=np.ones(n),
                v_leak=np.zeros(n),
                v_threshold=np.ones(n),
                v_reset=np.zeros(n),
            ),
            "readout": nir.Linear(weight=np.asarray(decoders, dtype=np.float64)),
            "filter": nir.LI(
                tau=np.full(N_CLASSES, options.tau_syn_s),
                r=np.ones(N_CLASSES),
                v_leak=np.zeros(N_CLASSES),
            ),
            "output": nir.Output(output_type={"output": np.array([N_CLASSES])}),
        },
        edges=[
            ("input", "encode"),
            ("encode", POPULATION),
            (POPULATION, "readout"),
            ("readout", "filter"),
            ("filter", "output"),
        ],
        metadata=meta,
    )


def client_graph(graph, dt_s: float):
    """The graph without its ``LI`` (``readout -> output``): what snnTorch and Norse load;
    :func:`decode` applies the Lowpass."""
    import nir

    nodes = {k: v for k, v in graph.nodes.items() if k != "filter"}
    edges = [e for e in graph.edges if "filter" not in e] + [("readout", "output")]
    meta = dict(graph.metadata)
    meta["client_form"] = (
        f"without the LI (the readout's Lowpass, applied by decode); spikes of one step, dt={dt_s}"
    )
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=meta)


def input_signal(
    params: PesParams, inputs: dict, dt_s: float, options: NengoPesOptions | None = None
) -> np.ndarray:
    """The test images, each held ``present_s``, in steps of ``dt_s``: (steps, 64)."""
    steps = int(round(params.present_s / dt_s))
    return np.repeat(np.asarray(inputs["x_test"], dtype=np.float64), steps, axis=0)


def decode(
    params: PesParams,
    weights: dict,
    inputs: dict,
    options: NengoPesOptions,
    out: np.ndarray,
    dt_s: float,
) -> dict:
    """``test_accuracy`` from the readout's per-step input :math:`D c` (steps, 10), ``c``
    the spike counts of each step: Lowpass of ``tau_syn_s``, then the realization's
    argmax over the second half of each test image's window."""
    a = dt_s / options.tau_syn_s
    y = np.zeros(N_CLASSES)
    filt = np.empty_like(out, dtype=np.float64)
    for t, v in enumerate(np.asarray(out, dtype=np.float64) / dt_s):
        y = y + a * (v - y)
        filt[t] = y
    steps = int(round(params.present_s / dt_s))
    n_test = len(inputs["x_test"])
    windows = filt[: n_test * steps].reshape(n_test, steps, N_CLASSES)
    pred = np.argmax(windows[:, steps // 2 :].mean(axis=1), axis=1)
    return {"test_accuracy": float(np.mean(pred == np.asarray(inputs["y_test"]).astype(int)))}


def own_observables(
    params: PesParams, weights: dict, inputs: dict, options: NengoPesOptions, result
) -> dict:
    """The ``nengo`` run's test accuracy after its last epoch."""
    return {"test_accuracy": float(np.asarray(result.traces["test_accuracy_curve"])[-1])}
