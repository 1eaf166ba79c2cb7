r"""Exported NIR graphs run in other simulators, and compared with neurotwin's own run.

Clients (the ``[nir]`` extra: ``pip install 'neurotwin[nir]'``):

* **snnTorch** 1.0.0 (``snntorch.import_nir.import_from_nir``): runs Euler steps of a
  fixed :math:`\Delta t = 10^{-4}` s; accepts only ``v_leak = 0`` and
  :math:`R = \tau_{mem}/\Delta t` (and treats :math:`w_{in}\Delta t/\tau_{syn} \ne 1`
  by rescaling the threshold); a spike is 1 for one step (area :math:`\Delta t`).
* **Norse** 1.1.0 (``norse.torch.from_nir``, ``dt`` of our choice, here
  :math:`10^{-4}` s): its CubaLIF applies the neuron's ``v_leak`` to the synapse as
  well, so it too gets the ``v_leak = 0`` graph.

:func:`for_client` rewrites neurotwin's graph (a CubaLIF population with its bias in
``v_leak``, spikes of area 1, ``r = 1``) into that form, the same network in other
units: with :math:`k = \Delta t/\tau_{mem}`, the synaptic current becomes
:math:`I' = k (I + b)`, so ``r' = tau_mem/dt``, ``w_in' = tau_syn/dt``, ``v_leak' =
0``, the recurrent weights :math:`R' = R k/\tau_{syn}` (spikes of area
:math:`\Delta t`), the input weights :math:`G' = G k \Delta t/\tau_{syn}` and the bias
an ``Affine`` bias :math:`b' = b k \Delta t/\tau_{syn}`. The bias now passes the
synaptic filter; so that it is on at once, as in neurotwin's network (NIR has no
initial state to start it on), the client form has one more input column, 1 at the
first step only (:func:`client_input`), whose weight :math:`b'\alpha/(1-\alpha)`,
:math:`\alpha = 1 - \Delta t/\tau_{syn}`, starts the synaptic current at its steady
value. Without that kick the bias would rise with :math:`\tau_{syn}`, which decides a
hard winner-take-all (modern-hopfield: measured, another memory wins).

:func:`check` exports a model, runs the graph in a client, in neurotwin's own
spiking realization and (from the same file) in Brian2 (:mod:`.nir_import`), decodes
each run with the model's ``decode`` (``spiking/<family>/nir.py``) and compares the
observables within the model's ``COMPARE`` tolerances.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import tempfile
from typing import Any

import numpy as np

from neurotwin.errors import BackendUnavailable, ExportUnsupported
from neurotwin.registry import register_tool

#: the fixed step of snnTorch's NIR importer (seconds)
SNNTORCH_DT_S = 1e-4
CLIENTS = ("snntorch", "norse", "brian2")
INSTALL = "pip install 'neurotwin[nir]'"


def require(client: str) -> None:
    """One-line :class:`BackendUnavailable` naming the extra if ``client`` is missing."""
    if client not in CLIENTS:
        raise ExportUnsupported(
            f"--check: client must be one of {', '.join(CLIENTS)} (got {client!r})"
        )
    pkgs = {"snntorch": ("torch", "snntorch", "nirtorch"), "norse": ("torch", "norse")}
    for pkg in pkgs.get(client, ()) + ("nir",):
        if importlib.util.find_spec(pkg) is None:
            raise BackendUnavailable(
                f"--check {client} needs the package {pkg!r}, which is not installed; "
                f"install the [nir] extra: {INSTALL}"
            )


def for_client(graph, dt_s: float = SNNTORCH_DT_S):
    """neurotwin's ``input -> Linear -> CubaLIF <-> Linear -> output`` graph, rewritten
    with ``v_leak = 0``, ``r = tau_mem/dt_s`` and the bias as an ``Affine`` bias (module
    docstring); spikes of area ``dt_s``. Other graphs raise :class:`ExportUnsupported`."""
    import nir

    kinds = {k: type(v).__name__ for k, v in graph.nodes.items()}
    cuba = [k for k, v in kinds.items() if v == "CubaLIF"]
    ins = [k for k, v in kinds.items() if v == "Input"]
    if len(cuba) != 1 or len(ins) != 1:
        raise ExportUnsupported(
            f"for_client: expects one Input and one CubaLIF population (got {kinds})"
        )
    pop, inp = cuba[0], ins[0]
    first = [d for s, d in graph.edges if s == inp]
    rec = [d for s, d in graph.edges if s == pop and kinds[d] == "Linear"]
    if len(first) != 1 or kinds[first[0]] != "Linear" or len(rec) != 1:
        raise ExportUnsupported(
            "for_client: expects input -> Linear -> CubaLIF <-> Linear (recurrent) -> output"
        )
    u = graph.nodes[pop]
    tau_syn, tau_mem = np.asarray(u.tau_syn, float), np.asarray(u.tau_mem, float)
    if not (np.allclose(u.r, 1) and np.allclose(u.w_in, 1)):
        raise ExportUnsupported("for_client: expects r = 1 and w_in = 1 (neurotwin's export)")
    k = dt_s / tau_mem
    scale_in = k * dt_s / tau_syn  # per post neuron
    g = np.asarray(graph.nodes[first[0]].weight, float)
    w = np.asarray(graph.nodes[rec[0]].weight, float)
    b = np.asarray(u.v_leak, float)
    # the bias now passes the synapse: a kick column (input 1 at step 0 only) starts the
    # synaptic current at its steady value b' / (1 - alpha), as neurotwin's bias is on at once
    alpha = 1.0 - dt_s / tau_syn
    kick = b * scale_in * alpha / (1.0 - alpha)
    nodes = dict(graph.nodes)
    n_in = g.shape[1]
    nodes[inp] = nir.Input(input_type={"input": np.array([n_in + 1])})
    nodes[first[0]] = nir.Affine(
        weight=np.hstack([g * scale_in[:, None], kick[:, None]]), bias=b * scale_in
    )
    nodes[rec[0]] = nir.Linear(weight=w * (k / tau_syn)[:, None])
    n = tau_mem.size
    nodes[pop] = nir.CubaLIF(
        tau_syn=tau_syn,
        tau_mem=tau_mem,
        r=tau_mem / dt_s,
        v_leak=np.zeros(n),
        v_threshold=np.asarray(u.v_threshold, float),
        v_reset=np.zeros(n) if u.v_reset is None else np.asarray(u.v_reset, float),
        w_in=tau_syn / dt_s,
    )
    meta = dict(graph.metadata)
    meta.update(
        client_form=f"v_leak=0, r=tau_mem/dt, bias as Affine bias, dt={dt_s}",
        bias_kick=(
            f"input column {n_in} (the last) is 1 at the first step and 0 after: it starts the "
            "synaptic current at the bias's steady value (client_input adds it)"
        ),
    )
    meta["spike_area"] = float(dt_s)
    return nir.NIRGraph(nodes=nodes, edges=list(graph.edges), metadata=meta)


def client_input(graph, x: np.ndarray) -> np.ndarray:
    """``x`` (steps, n) with the client form's bias-kick column (1 at step 0) appended
    where ``graph`` has one (:func:`for_client`)."""
    if "bias_kick" not in graph.metadata:
        return x
    kick = np.zeros((len(x), 1))
    kick[0] = 1.0
    return np.hstack([x, kick])


def _population(graph) -> str:
    """The graph's spiking population (its one CubaLIF, else its one LIF)."""
    for kind in ("CubaLIF", "LIF"):
        names = [k for k, v in graph.nodes.items() if type(v).__name__ == kind]
        if names:
            return names[0]
    raise ExportUnsupported("nir_clients: the graph has no CubaLIF or LIF population")


def run_snntorch(graph, x: np.ndarray) -> np.ndarray:
    """Run ``graph`` (client form) in snnTorch for the input ``x`` (steps, n): spike
    counts (steps, n) of its population."""
    import contextlib
    import io

    import torch

    with contextlib.redirect_stdout(io.StringIO()):  # the importer prints
        net = _snntorch_import(_copy(graph))
    xs = torch.tensor(x, dtype=torch.float32)
    out, state = [], None
    with torch.no_grad():
        for t in range(xs.shape[0]):
            y, state = net(xs[t : t + 1], state)
            out.append(np.asarray(y.detach().numpy()).reshape(-1))
    return np.array(out)


def _snntorch_import(graph):
    """snnTorch's NIR import (``snntorch.import_nir``'s module converter) of a graph with a
    recurrent population. ``import_from_nir`` itself fails on it with nirtorch 2.6: it
    wraps the recurrent CubaLIF in a sub-``NIRGraph`` (for its RSynaptic), which nirtorch
    2.x always rebuilds as a graph of its own and then fails ("'GraphModule' object has
    no attribute 'items'"). Here the flat graph goes to nirtorch, which feeds the
    recurrent edge with the previous step's spikes, each node converted by snnTorch's
    own ``_nir_to_snntorch_module`` (``snn.Synaptic``, ``torch.nn.Linear``): the
    RSynaptic update ``syn = alpha syn + W_in x + W_rec s(t-1)``."""
    import nir
    import nirtorch
    from snntorch import import_nir as sn

    conv = sn._nir_to_snntorch_module
    types = (nir.Affine, nir.Linear, nir.IF, nir.LIF, nir.CubaLIF)
    node_map = {t: (lambda n: conv(n, init_hidden=True)) for t in types}
    return nirtorch.nir_to_torch(graph, node_map)


def run_norse(graph, x: np.ndarray, dt_s: float = SNNTORCH_DT_S) -> np.ndarray:
    """Run ``graph`` (client form) in Norse (``from_nir(dt=dt_s)``): spike counts."""
    import torch
    from norse.torch import from_nir

    net = from_nir(_copy(graph), dt=dt_s)
    xs = torch.tensor(x, dtype=torch.float32)
    out, state = [], None
    with torch.no_grad():
        for t in range(xs.shape[0]):
            y, state = net(xs[t : t + 1], state)
            out.append(np.asarray(y.detach().numpy()).reshape(-1))
    return np.array(out)


def _copy(graph):
    """A fresh copy (snnTorch's importer rewrites the graph it is given)."""
    import nir

    fd, tmp = tempfile.mkstemp(suffix=".nir")
    os.close(fd)
    try:
        nir.write(tmp, graph)
        return nir.read(tmp)
    finally:
        os.unlink(tmp)


def _family(model: str):
    from neurotwin.registry import get_model

    spec = get_model(model)
    return importlib.import_module(f"neurotwin.spiking.{spec.family}.nir")


#: node types each client's importer loads (the client form's nodes); others are refused
LOADS = {
    "snntorch": ("Input", "Output", "Affine", "Linear", "LIF", "CubaLIF", "IF"),
    "norse": ("Input", "Output", "Affine", "Linear", "LIF", "CubaLIF", "IF"),
    "brian2": ("Input", "Output", "Affine", "Linear", "Scale", "LIF", "CubaLIF", "CubaLI", "IF",
               "LI", "I"),  # nir_import.SUPPORTED
}  # fmt: skip


def _refuse_unloadable(model: str, client: str, graph) -> None:
    ok = LOADS[client]
    bad = sorted({type(v).__name__ for v in graph.nodes.values()} - set(ok))
    if bad:
        raise ExportUnsupported(
            f"--check {client}: {model}'s NIR graph has node type(s) {', '.join(bad)}, which "
            f"{client}'s NIR importer does not load (it loads {', '.join(ok)})"
        )


def _input_signal(fam, p, inp, opts, dt: float) -> np.ndarray:
    import inspect

    if "options" in inspect.signature(fam.input_signal).parameters:
        return fam.input_signal(p, inp, dt, options=opts)
    return fam.input_signal(p, inp, dt)


def _own_dt(p, opts) -> float:
    dt = getattr(opts, "dt_s", None)
    return float(p.dt_s if dt is None else dt)


def preflight(model: str, client: str, params: Any = None, seed: int = 0, **overrides: Any) -> None:
    """Everything :func:`check` refuses before simulating (the client's packages, the
    export, node types the client does not load), so a caller can refuse before it
    writes the file."""
    require(client)
    from neurotwin.export import build_graph

    graph = build_graph(model, "nir", params, seed, **overrides)
    fam = _family(model)
    if client == "brian2" and getattr(fam, "DECODE_FROM", "spikes") != "output":
        _refuse_unloadable(model, client, graph)
        return
    try:
        cg = getattr(fam, "client_graph", for_client)(graph, SNNTORCH_DT_S)
    except ExportUnsupported:
        _refuse_unloadable(model, client, graph)
        raise
    _refuse_unloadable(model, client, cg)


def check(
    model: str, client: str = "snntorch", params: Any = None, seed: int = 0, **overrides: Any
) -> dict:
    """Export ``model``, run it in ``client`` and in neurotwin's own realization, decode
    both and compare (module docstring). Returns a JSON-able report with ``agree``.

    The family's ``spiking/<family>/nir.py`` gives ``input_signal`` (the graph's input at
    a step), ``decode`` (per-step spike counts of the population, or of the graph's
    output where the family says ``DECODE_FROM = "output"``, to observables), ``COMPARE``
    (observable -> (tolerance, why)) and optionally ``own_observables`` (neurotwin's
    own Result to observables; default: its population's spikes through ``decode``) and
    ``client_graph`` (the client form, default :func:`for_client`)."""
    require(client)
    from neurotwin import run as nt_run
    from neurotwin.export import build_graph
    from neurotwin.harness import prepare
    from neurotwin.registry import get_model

    from . import nir_import

    graph = build_graph(model, "nir", params, seed, **overrides)
    fam = _family(model)
    realization = get_model(model).exporters["nir"].realization
    dt = SNNTORCH_DT_S
    from_output = getattr(fam, "DECODE_FROM", "spikes") == "output"
    if client == "brian2" and not from_output:
        cg = _copy(graph)
        form = "neurotwin's graph (v_leak bias, spikes of area 1)"
    else:
        try:
            cg = getattr(fam, "client_graph", for_client)(graph, dt)
        except ExportUnsupported:
            _refuse_unloadable(model, client, graph)  # names the node type, if that is why
            raise
        form = cg.metadata["client_form"]
    _refuse_unloadable(model, client, cg)
    plan = prepare(model, realization, params, seed, **overrides)
    p, w, inp, opts = plan.params, plan.weights, plan.inputs, plan.options
    pop = _population(graph)
    n_pop = _size(graph.nodes[pop])
    x = _input_signal(fam, p, inp, opts, dt)
    # the graph starts every voltage at 0 (NIR has no initial state): so does the own run,
    # where the realization has that option and the user left it alone
    own_sets = {}
    if "initial_voltage" in type(opts).model_fields and "initial_voltage" not in overrides:
        own_sets["initial_voltage"] = "zero"
    own = nt_run(model, realization, params, seed=seed, **overrides, **own_sets)
    if hasattr(fam, "own_observables"):
        own_obs = fam.own_observables(p, w, inp, opts, own)
    else:
        own_dt = _own_dt(p, opts)
        steps = int(round(len(x) * dt / own_dt))
        own_obs = fam.decode(
            p, w, inp, opts, _counts(own.spikes[pop], n_pop, steps, own_dt), own_dt
        )
    if client == "brian2":
        # spikes of area 1 (neurotwin's graph; the output-decoded client form has no
        # spike-driven neuron, so the area does not enter)
        res = nir_import.run_graph(cg, client_input(cg, x), dt_s=dt, spike_area=1.0)
        if from_output:
            out = next(iter(res.traces[k] for k in nir_import.plan(cg).outputs))
        else:
            out = _counts(res.spikes[pop], n_pop, len(x), dt)
    else:
        xc = client_input(cg, x)
        out = run_snntorch(cg, xc) if client == "snntorch" else run_norse(cg, xc, dt)
        if not from_output:
            out = out[:, :n_pop]
    client_obs = fam.decode(p, w, inp, opts, out, dt)
    rows = {}
    for name, (tol, why) in fam.COMPARE.items():
        a, b = own_obs[name], client_obs[name]
        if np.ndim(a) or np.ndim(b):  # arrays (e.g. final states): fraction of entries differing
            diff = float(np.mean(np.asarray(a) != np.asarray(b)))
            a, b = f"{np.size(a)} values", f"{np.size(b)} values"
        else:
            diff = abs(float(a) - float(b))
            a, b = _plain(a), _plain(b)
        rows[name] = {
            "neurotwin": a,
            client: b,
            "difference": diff,
            "tolerance": tol,
            "agree": bool(diff <= tol),
            "note": why,
        }
    return {
        "model": model,
        "client": client,
        "client_dt_s": dt,
        "neurotwin_realization": realization,
        "neurotwin_dt_s": _own_dt(p, opts),
        "graph_form": form,
        "neurotwin_run_sets": own_sets,
        "observables": rows,
        "agree": all(r["agree"] for r in rows.values()),
    }


def _size(node) -> int:
    return int(np.asarray(node.tau_mem if hasattr(node, "tau_mem") else node.tau).size)


def _counts(spikes: tuple, n: int, steps: int, dt: float) -> np.ndarray:
    """Per-step spike counts (steps, n) of the first ``n`` indices of (times, idx)."""
    times, idx = (np.asarray(a) for a in spikes)
    keep = idx < n
    c = np.zeros((steps, n))
    k = np.clip(np.round(times[keep] / dt).astype(np.int64) - 1, 0, steps - 1)
    np.add.at(c, (k, idx[keep].astype(np.int64)), 1)
    return c


def _plain(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    return float(v)


__all__ = [
    "CLIENTS",
    "check",
    "client_input",
    "for_client",
    "preflight",
    "require",
    "run_norse",
    "run_snntorch",
]


# reached by neurotwin's CLI through the registry (neurotwin/ imports nothing from spiking/)
register_tool("nir-clients", sys.modules[__name__])
