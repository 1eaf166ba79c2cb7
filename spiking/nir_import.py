r"""Any NIR graph run in Brian2: :func:`to_brian2` builds, :func:`run_graph` runs.

A NIR graph (Neuromorphic Intermediate Representation, nir 1.0) of these nodes is
turned into Brian2 ``NeuronGroup`` s and ``Synapses`` and run with Brian2's code
generation (runtime, any codegen target, or ``cpp_standalone``); anything else is
refused by name (:class:`~neurotwin.errors.InputError`) before Brian2 is touched.

Nodes, in NIR 1.0's continuous-time semantics (``I`` the node's input signal):

=================  =============================================================
``Input``          the input array handed to :func:`run_graph` (a signal held
                   constant over each step of ``dt_s``)
``Output``         recorded: ``Result.traces[name]``, the signal it receives
``Affine``         :math:`y = W x + b`
``Linear``         :math:`y = W x`
``Scale``          :math:`y = s \odot x`
``LIF``            :math:`\tau \dot v = (v_{leak} - v) + R I`, spike and reset to
                   :math:`v_{reset}` (0 if absent) when :math:`v > v_{threshold}`
``CubaLIF``        :math:`\tau_{syn}\dot I_s = -I_s + w_{in} I`,
                   :math:`\tau_{mem}\dot v = (v_{leak} - v) + R I_s`, spike/reset
``CubaLI``         the same without spikes
``IF``             :math:`\dot v = R I`, spike/reset
``LI``             :math:`\tau \dot v = (v_{leak} - v) + R I` (output: ``v``)
``I`` (Integrator) :math:`\dot v = R I` (output: ``v``)
=================  =============================================================

Edges may form cycles through neuron nodes (recurrent networks); a cycle of only
``Affine``/``Linear``/``Scale`` nodes (an algebraic loop) is refused. Every path
from a source (``Input``, a neuron node, or an ``Affine`` bias) through linear nodes
to a neuron node becomes one weight matrix (the product along the path; parallel
paths add).

Spikes
------
A spike is a Dirac impulse of area ``spike_area`` (NIR's continuous convention is
1, the default: a spike of a neuron whose target has :math:`\tau \dot v = R I`
raises :math:`v` by :math:`R w / \tau`). Discrete-time clients that export with
:math:`R = \tau / \Delta t` (snnTorch: :math:`\Delta t = 10^{-4}` s) mean a spike of
area :math:`\Delta t`; import their graphs with ``spike_area=dt_s`` and the same
``dt_s`` (``neurotwin import FILE --spike-area 1e-4``), so one spike adds
:math:`w` to the target, as in the client. Input values are signals: a client's
0/1 spike input is 1 for one step, area ``dt_s``.

Integration: ``method="euler"`` (default) is the forward-Euler update
:math:`v \leftarrow v + \Delta t (v_{leak} - v + R I)/\tau` that discrete clients
(snnTorch's :math:`\beta = 1 - \Delta t/\tau`) run; ``"exact"`` integrates the linear
equations exactly over each step. A spike is delivered to its targets in the step
after it was emitted (Brian2's schedule: update, threshold, synapses, reset), one
step per layer later than a client that evaluates layers in sequence within a step.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neurotwin.errors import BackendUnavailable, InputError
from neurotwin.registry import register_tool
from neurotwin.results import Result
from neurotwin.spiking._brian2 import run_report

#: node types this importer runs
NEURONS = ("LIF", "CubaLIF", "CubaLI", "IF", "LI", "I")
LINEARS = ("Affine", "Linear", "Scale")
SUPPORTED = ("Input", "Output", *LINEARS, *NEURONS)
#: neuron nodes that emit spikes (the others output their voltage)
SPIKING = ("LIF", "CubaLIF", "IF")


def _kind(node) -> str:
    return type(node).__name__


def read(path: str | os.PathLike):
    """``nir.read(path)``, with every failure a one-line :class:`InputError` naming the file."""
    try:
        import nir
    except ImportError:
        raise BackendUnavailable(
            "reading NIR needs the package 'nir', which is not installed; install it with: "
            "pip install 'neurotwin[nir]'"
        ) from None
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{str(p)!r}: no such NIR file")
    try:
        return nir.read(str(p))
    except Exception as exc:  # h5py/nir raise many types for a non-NIR file
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{str(p)!r} is not a NIR file ({msg})") from None


# -- the graph as sources, neuron nodes and weight matrices ------------------------


@dataclass
class Plan:
    """What :func:`to_brian2` builds: neuron nodes, their sizes and parameters, and the
    weight of every (source, target) pair after the linear nodes are folded in."""

    #: neuron node name -> (kind, size, {parameter: (n,) array})
    neurons: dict[str, tuple[str, int, dict[str, np.ndarray]]]
    #: input node name -> size
    inputs: dict[str, int]
    #: output node name -> size
    outputs: dict[str, int]
    #: (source, target) -> (n_target, n_source) matrix; source is an Input, a neuron node,
    #: or "bias:<Affine>" (a constant signal of 1 per element)
    weights: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    #: constant drive per target (from Affine biases), (n_target,)
    bias: dict[str, np.ndarray] = field(default_factory=dict)


def _vec(node, name: str, attr: str, n: int | None, default=None) -> np.ndarray:
    value = getattr(node, attr, None)
    if value is None:
        if default is None:
            raise InputError(f"NIR node {name!r} ({_kind(node)}): {attr} is missing")
        value = default
    arr = np.asarray(value, dtype=np.float64).reshape(-1) if np.ndim(value) else None
    if arr is None:
        if n is None:
            raise InputError(f"NIR node {name!r} ({_kind(node)}): {attr} must be an array")
        return np.full(n, float(value))
    if n is not None and arr.size == 1 and n != 1:
        return np.full(n, float(arr[0]))
    if n is not None and arr.size != n:
        raise InputError(
            f"NIR node {name!r} ({_kind(node)}): {attr} has {arr.size} elements, expected {n}"
        )
    return arr


_PARAMS = {
    "LIF": ("tau", "r", "v_leak", "v_threshold"),
    "CubaLIF": ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold"),
    "CubaLI": ("tau_syn", "tau_mem", "r", "v_leak"),
    "IF": ("r", "v_threshold"),
    "LI": ("tau", "r", "v_leak"),
    "I": ("r",),
}


def _neuron_params(name: str, node) -> tuple[int, dict[str, np.ndarray]]:
    kind = _kind(node)
    first = _PARAMS[kind][0]
    n = int(np.asarray(getattr(node, first)).size)
    out = {a: _vec(node, name, a, n) for a in _PARAMS[kind]}
    if kind in SPIKING:
        out["v_reset"] = _vec(node, name, "v_reset", n, default=0.0)
    if kind in ("CubaLIF", "CubaLI"):
        out["w_in"] = _vec(node, name, "w_in", n, default=1.0)
    for a in ("tau", "tau_syn", "tau_mem"):
        if a in out and not np.all(out[a] > 0):
            raise InputError(f"NIR node {name!r} ({kind}): {a} must be > 0 (got {out[a].min()})")
    return n, out


def _io_size(name: str, node, attr: str) -> int:
    types = getattr(node, attr)
    if not isinstance(types, dict) or len(types) != 1:
        raise InputError(f"NIR node {name!r} ({_kind(node)}): {attr} must have one entry")
    shape = np.asarray(next(iter(types.values()))).reshape(-1)
    return int(np.prod(shape)) if shape.size else 1


def plan(graph) -> Plan:
    """Check ``graph`` and fold its linear nodes into (source, target) weight matrices.

    Raises :class:`InputError` (one line, naming the node or edge) for an unsupported
    node type, a nested graph, an edge to a missing node, mismatched shapes, or a
    cycle of linear nodes.
    """
    nodes = dict(getattr(graph, "nodes", {}) or {})
    if not nodes:
        raise InputError("NIR graph: has no nodes")
    for name, node in nodes.items():
        kind = _kind(node)
        if kind == "NIRGraph":
            raise InputError(
                f"NIR node {name!r}: a nested NIRGraph is not supported (flatten it first)"
            )
        if kind not in SUPPORTED:
            raise InputError(
                f"NIR node {name!r}: type {kind} is not supported by neurotwin's Brian2 "
                f"importer (supported: {', '.join(SUPPORTED)})"
            )
    succ: dict[str, list[str]] = {k: [] for k in nodes}
    for edge in graph.edges:
        src, dst = edge
        for end in (src, dst):
            if end not in nodes:
                raise InputError(f"NIR edge {src!r} -> {dst!r}: no node named {end!r}")
        if _kind(nodes[src]) == "Output":
            raise InputError(f"NIR edge {src!r} -> {dst!r}: an Output node has no outgoing edges")
        if _kind(nodes[dst]) == "Input":
            raise InputError(f"NIR edge {src!r} -> {dst!r}: an Input node has no incoming edges")
        succ[src].append(dst)
    p = Plan(neurons={}, inputs={}, outputs={})
    size_in: dict[str, int] = {}
    size_out: dict[str, int] = {}
    mats: dict[str, np.ndarray] = {}
    for name, node in nodes.items():
        kind = _kind(node)
        if kind in NEURONS:
            n, prm = _neuron_params(name, node)
            p.neurons[name] = (kind, n, prm)
            size_in[name] = size_out[name] = n
        elif kind == "Input":
            size_out[name] = p.inputs[name] = _io_size(name, node, "input_type")
        elif kind == "Output":
            size_in[name] = p.outputs[name] = _io_size(name, node, "output_type")
        elif kind == "Scale":
            s = np.asarray(node.scale, dtype=np.float64).reshape(-1)
            mats[name] = np.diag(s)
            size_in[name] = size_out[name] = s.size
        else:
            w = np.asarray(node.weight, dtype=np.float64)
            if w.ndim != 2:
                raise InputError(
                    f"NIR node {name!r} ({kind}): weight must be 2-D (out, in) "
                    f"(got shape {w.shape})"
                )
            mats[name] = w
            size_out[name], size_in[name] = w.shape
            if kind == "Affine":
                b = np.asarray(node.bias, dtype=np.float64).reshape(-1)
                if b.size not in (1, w.shape[0]):
                    raise InputError(
                        f"NIR node {name!r} (Affine): bias has {b.size} elements, weight has "
                        f"{w.shape[0]} rows"
                    )
    for src, dst in graph.edges:
        if size_out[src] != size_in[dst]:
            raise InputError(
                f"NIR edge {src!r} -> {dst!r}: shapes do not match ({src} gives "
                f"{size_out[src]} values, {dst} takes {size_in[dst]})"
            )

    def walk(source: str, start: str, m: np.ndarray, seen: tuple[str, ...]) -> None:
        for nxt in succ[start]:
            kind = _kind(nodes[nxt])
            if kind in LINEARS:
                if nxt in seen:
                    raise InputError(
                        f"NIR node {nxt!r}: a cycle of linear nodes only "
                        f"({' -> '.join((*seen, nxt))}) is an algebraic loop"
                    )
                walk(source, nxt, mats[nxt] @ m, (*seen, nxt))
            else:  # a neuron node or an Output
                key = (source, nxt)
                p.weights[key] = p.weights.get(key, 0) + m

    for name in [*p.inputs, *p.neurons]:
        walk(name, name, np.eye(size_out[name]), (name,))
    for name, node in nodes.items():
        if _kind(node) == "Affine":
            b = np.broadcast_to(
                np.asarray(node.bias, dtype=np.float64).reshape(-1), (size_out[name],)
            )
            walk(f"bias:{name}", name, b[:, None].copy(), (name,))
    for (src, dst), w in list(p.weights.items()):
        if src.startswith("bias:"):
            del p.weights[(src, dst)]
            p.bias[dst] = p.bias.get(dst, 0) + w[:, 0]
    return p


# -- Brian2 -----------------------------------------------------------------------


_EQS = {
    "LIF": "dv/dt = (v_leak - v + r*Ic) / tau : 1",
    "LI": "dv/dt = (v_leak - v + r*Ic) / tau : 1",
    "CubaLIF": "dv/dt = (v_leak - v + r*isyn) / tau_mem : 1\n"
    "disyn/dt = (w_in*Ic - isyn) / tau_syn : 1",
    "CubaLI": "dv/dt = (v_leak - v + r*isyn) / tau_mem : 1\n"
    "disyn/dt = (w_in*Ic - isyn) / tau_syn : 1",
    "IF": "dv/dt = r*Ic / second : 1",
    "I": "dv/dt = r*Ic / second : 1",
}
_TAUS = ("tau", "tau_syn", "tau_mem")


def _jump(kind: str, prm: dict[str, np.ndarray], area: float) -> tuple[str, np.ndarray]:
    """The variable a Dirac of area ``area`` on the input moves, and by how much per
    unit weight (per target element)."""
    if kind in ("LIF", "LI"):
        return "v", prm["r"] * area / prm["tau"]
    if kind in ("CubaLIF", "CubaLI"):
        return "isyn", prm["w_in"] * area / prm["tau_syn"]
    return "v", prm["r"] * area  # IF, I


@dataclass
class BrianGraph:
    """The Brian2 network of a NIR graph (from :func:`to_brian2`), ready to run."""

    plan: Plan
    network: Any
    groups: dict[str, Any]
    spike_monitors: dict[str, Any]
    state_monitors: dict[str, Any]
    drives: dict[str, np.ndarray]
    input_arrays: dict[str, np.ndarray]
    dt_s: float
    n_steps: int
    spike_area: float
    method: str
    device: str
    build_dir: str | None
    codegen_target: str = "numpy"
    record_v: bool = False


def _drives(p: Plan, inputs: dict[str, np.ndarray], n_steps: int) -> dict[str, np.ndarray]:
    """Per neuron node, the (n_steps, n) continuous drive from Inputs and Affine biases."""
    out = {}
    for tgt, (_, n, _) in p.neurons.items():
        d = np.zeros((n_steps, n))
        for (src, dst), w in p.weights.items():
            if dst == tgt and src in p.inputs:
                d += inputs[src] @ w.T
        if tgt in p.bias:
            d += p.bias[tgt]
        out[tgt] = d
    return out


def _check_inputs(p: Plan, inputs: Any, n_steps: int | None) -> tuple[dict[str, np.ndarray], int]:
    if inputs is None:
        inputs = {}
    if not isinstance(inputs, dict):
        if len(p.inputs) != 1:
            raise InputError(
                f"NIR inputs: the graph has {len(p.inputs)} Input nodes "
                f"({', '.join(p.inputs)}); give a dict name -> array"
            )
        inputs = {next(iter(p.inputs)): inputs}
    for name in inputs:
        if name not in p.inputs:
            raise InputError(
                f"NIR inputs[{name!r}]: no Input node of that name (has {', '.join(p.inputs)})"
            )
    arrays = {}
    for name, n in p.inputs.items():
        if name in inputs:
            a = np.asarray(inputs[name], dtype=np.float64)
            a = a.reshape(a.shape[0], -1) if a.ndim >= 1 else a.reshape(1, 1)
            if a.shape[1] != n:
                raise InputError(
                    f"NIR inputs[{name!r}]: must be (steps, {n}) (got shape "
                    f"{np.shape(inputs[name])})"
                )
            if not np.all(np.isfinite(a)):
                raise InputError(f"NIR inputs[{name!r}]: must be finite")
            arrays[name] = a
    lengths = {a.shape[0] for a in arrays.values()}
    if n_steps is None:
        if not lengths:
            raise InputError("NIR inputs: give an input array or n_steps")
        if len(lengths) > 1:
            raise InputError(f"NIR inputs: arrays differ in length ({sorted(lengths)} steps)")
        n_steps = lengths.pop()
    for name, n in p.inputs.items():
        a = arrays.get(name, np.zeros((n_steps, n)))
        if a.shape[0] < n_steps:
            a = np.vstack([a, np.zeros((n_steps - a.shape[0], n))])
        arrays[name] = a[:n_steps]
    if n_steps < 1:
        raise InputError(f"NIR inputs: n_steps must be >= 1 (got {n_steps})")
    return arrays, int(n_steps)


def to_brian2(
    graph,
    inputs: Any = None,
    *,
    dt_s: float = 1e-4,
    n_steps: int | None = None,
    spike_area: float = 1.0,
    method: str = "euler",
    device: str = "runtime",
    codegen_target: str = "numpy",
    build_dir: str | None = None,
    record_v: bool = False,
) -> BrianGraph:
    """Build the Brian2 network of ``graph`` (a ``nir.NIRGraph``) for ``inputs``.

    ``inputs``: one (steps, n) array (a graph with one Input) or a dict Input name ->
    array; ``n_steps`` (default: the inputs' length) steps of ``dt_s`` seconds are run.
    For ``device="cpp_standalone"`` the network is built into ``build_dir`` (a
    temporary folder, removed afterwards, if None) when :func:`run` runs it.
    """
    if method not in ("euler", "exact"):
        raise InputError(f"NIR import: method must be 'euler' or 'exact' (got {method!r})")
    if device not in ("runtime", "cpp_standalone"):
        raise InputError(
            f"NIR import: device must be 'runtime' or 'cpp_standalone' (got {device!r})"
        )
    if not (dt_s > 0 and spike_area > 0):
        raise InputError(f"NIR import: dt_s and spike_area must be > 0 (got {dt_s}, {spike_area})")
    p = plan(graph)
    arrays, steps = _check_inputs(p, inputs, n_steps)
    drives = _drives(p, arrays, steps)
    return BrianGraph(
        p, None, {}, {}, {}, drives, arrays, float(dt_s), steps, float(spike_area), method,
        device, build_dir, codegen_target, record_v,
    )  # fmt: skip


def _build(bg: BrianGraph, codegen_record_v: bool) -> None:
    import brian2 as b2

    p = bg.plan
    dt = bg.dt_s * b2.second
    net = b2.Network()
    groups, smons, vmons = {}, {}, {}
    for name, (kind, n, prm) in p.neurons.items():
        eqs = _EQS[kind] + "\nIc = Iext + Isyn : 1\nIext : 1\nIsyn : 1"
        for a in prm:
            eqs += f"\n{a} : {'second' if a in _TAUS else '1'} (constant)"
        kw: dict[str, Any] = {}
        if kind in SPIKING:
            kw = {"threshold": "v > v_threshold", "reset": "v = v_reset"}
        g = b2.NeuronGroup(
            n, eqs, method=bg.method, dt=dt, name=f"nir_{_safe(name)}", **kw
        )  # fmt: skip
        for a, val in prm.items():
            setattr(g, a, val * b2.second if a in _TAUS else val)
        drive = b2.TimedArray(bg.drives[name], dt=dt, name=f"drive_{_safe(name)}")
        g.namespace[f"drive_{_safe(name)}"] = drive
        g.run_regularly(f"Iext = drive_{_safe(name)}(t, i)", when="start")
        groups[name] = g
        net.add(g)
        if kind in SPIKING:
            smons[name] = b2.SpikeMonitor(g, name=f"spikes_{_safe(name)}")
            net.add(smons[name])
        if codegen_record_v or kind not in SPIKING:
            vmons[name] = b2.StateMonitor(g, "v", record=True, dt=dt, name=f"v_{_safe(name)}")
            net.add(vmons[name])
    k = 0
    continuous = {}
    for (src, dst), w in p.weights.items():
        if src not in p.neurons or dst not in p.neurons:
            continue
        kind_src, kind_dst = p.neurons[src][0], p.neurons[dst][0]
        post, pre = np.nonzero(w)
        if post.size == 0:
            continue
        k += 1
        if kind_src in SPIKING:
            var, per = _jump(kind_dst, p.neurons[dst][2], bg.spike_area)
            syn = b2.Synapses(
                groups[src], groups[dst], "w : 1 (constant)", on_pre=f"{var}_post += w",
                dt=dt, name=f"syn{k}",
            )  # fmt: skip
            syn.connect(i=pre, j=post)
            syn.w = w[post, pre] * per[post]
        else:  # a voltage output feeds the target's input signal continuously
            continuous.setdefault(dst, []).append((src, w))
            continue
        net.add(syn)
    for dst, terms in continuous.items():
        # one Synapses per (source, target) with a summed variable would clash (one summed
        # target per variable); sum them in a single operation instead
        parts = []
        for m, (src, w) in enumerate(terms):
            post, pre = np.nonzero(w)
            syn = b2.Synapses(
                groups[src], groups[dst], "w : 1 (constant)\nIsyn_post = w*v_pre : 1 (summed)",
                dt=dt, name=f"cont{k}_{m}",
            )  # fmt: skip
            syn.connect(i=pre, j=post)
            syn.w = w[post, pre]
            parts.append(syn)
        if len(parts) > 1:
            raise InputError(
                f"NIR node {dst!r}: input from more than one non-spiking node "
                f"({', '.join(s for s, _ in terms)}) is not supported"
            )
        net.add(*parts)
    bg.network, bg.groups, bg.spike_monitors, bg.state_monitors = net, groups, smons, vmons


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in str(name))


def run(bg: BrianGraph) -> Result:
    """Run the network of :func:`to_brian2` and return a :class:`~neurotwin.results.Result`.

    ``spikes[node]``: every spiking node's spikes (times in s, element index);
    ``traces[output]``: the signal each Output receives per step (spike counts per
    step of spiking sources, voltages of LI/I nodes, through the path's weights);
    ``traces["<node>.v"]``: voltages of non-spiking nodes (and of all with ``record_v``).
    """
    record_v, codegen_target = bg.record_v, bg.codegen_target
    try:
        import brian2 as b2
    except ImportError:  # pragma: no cover - brian2 is a dependency
        raise BackendUnavailable("NIR import needs brian2: pip install brian2") from None
    from neurotwin.spiking import _brian2 as nb

    t0 = time.perf_counter()
    if bg.device == "cpp_standalone":
        nb.check_device(_Dev(bg.device, codegen_target), "nir/brian2")
        folder = bg.build_dir or tempfile.mkdtemp(prefix="neurotwin-nir-")
        with nb.standalone(folder) as dev:
            _build(bg, record_v)
            bg.network.run(bg.n_steps * bg.dt_s * b2.second, **run_report())
            dev.build(directory=folder, compile=True, run=True, with_output=False)
            res = _collect(bg, time.perf_counter() - t0)
        if bg.build_dir is None:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
        return res
    nb.check_device(_Dev(bg.device, codegen_target), "nir/brian2")
    with nb.runtime_target(codegen_target):
        _build(bg, record_v)
        bg.network.run(bg.n_steps * bg.dt_s * b2.second, namespace={}, **run_report())
        return _collect(bg, time.perf_counter() - t0)


@dataclass
class _Dev:
    device: str
    codegen_target: str


def _collect(bg: BrianGraph, wall: float) -> Result:
    import brian2 as b2

    p = bg.plan
    steps, dt = bg.n_steps, bg.dt_s
    spikes, counts, volts = {}, {}, {}
    for name, mon in bg.spike_monitors.items():
        t = np.asarray(mon.t / b2.second, dtype=np.float64)
        i = np.asarray(mon.i[:], dtype=np.int64)
        spikes[name] = (t, i)
        c = np.zeros((steps, p.neurons[name][1]))
        np.add.at(c, (np.clip(np.round(t / dt).astype(np.int64), 0, steps - 1), i), 1)
        counts[name] = c
    for name, mon in bg.state_monitors.items():
        volts[name] = np.asarray(mon.v[:], dtype=np.float64).T[:steps]
    traces = {}
    for out, n in p.outputs.items():
        sig = np.zeros((steps, n))
        for (src, dst), w in p.weights.items():
            if dst != out:
                continue
            if src in counts:
                sig += counts[src] @ w.T
            elif src in volts:
                sig += volts[src] @ w.T
            elif src in p.inputs:
                sig += bg.input_arrays[src] @ w.T
        if out in p.bias:
            sig += p.bias[out]
        traces[out] = sig
    for name, v in volts.items():
        traces[f"{name}.v"] = v
    return Result(
        model="nir-graph",
        realization="brian2",
        params={"dt_s": dt, "n_steps": steps, "spike_area": bg.spike_area, "method": bg.method},
        seed=0,
        t=np.arange(steps) * dt,
        t_unit="s",
        traces=traces,
        spikes=spikes,
        provenance={
            "simulator": f"brian2 {b2.__version__} ({bg.device})",
            "importer": "neurotwin.spiking.nir_import",
            "nodes": {k: v[0] for k, v in p.neurons.items()},
            "wall_time_s": float(wall),
        },
    )


def run_graph(graph, inputs: Any = None, **kw: Any) -> Result:
    """:func:`to_brian2` then :func:`run`; ``graph`` may be a path to a ``.nir`` file."""
    if isinstance(graph, (str, os.PathLike)):
        graph = read(graph)
    return run(to_brian2(graph, inputs, **kw))


__all__ = ["BrianGraph", "Plan", "plan", "read", "run", "run_graph", "to_brian2"]


# reached by neurotwin's CLI through the registry (neurotwin/ imports nothing from spiking/)
register_tool("nir-import", sys.modules[__name__])
