r"""Spiking palimpsest in Brian2: LIF neurons whose synapses learn during their own activity.

The network of ``palimpsest-hopfield`` (``rate_models/memory/palimpsest_hopfield.py``) with
**no training phase**: one run presents the stream, each pattern clamped by an input
current for ``present_s``, one after another, then cues every probed age and lets the
network recall freely. The synapses learn all the time, with one local rule, during the
stream, the cues and the recall alike.

Notes
-----
.. rubric:: Copies

Every probed age is recalled by its own copy of the network (``n_probes`` blocks of
:math:`N` neurons, block-diagonal synapses, as ``spiking/hopfield/brian2.py``): all copies
see the same stream and learn the same couplings (up to their random initial phases), and
after the stream copy :math:`c` gets the cue of age :math:`k = c`. Since learning stays on,
a probe writes its own recalled state into the couplings; with copies it writes only into
its own, so the probe of one age cannot erase another (one network probed in turn would
learn every probe as a new pattern of the stream, and push the older ones out).

.. rubric:: Neurons and transmission

Units are +1 when they fire and -1 when silent (the mapping of
``spiking/hopfield/brian2.py``). Each neuron has a synaptic trace :math:`x_j`, the spike
train filtered with :math:`\tau_s` and normalized so that a neuron firing at
:math:`\nu_{\mathrm{on}}` has :math:`x_j \approx 1` (jump :math:`1/(\nu_{\mathrm{on}}\tau_s)`
per spike). With couplings :math:`J_{ij}(t)` and the rule's scale :math:`c` (below),

.. math::

    \tau_m \frac{dv_i}{dt} = -v_i + 1 + g\,c \sum_j J_{ij}(t)\,(2 x_j - 1)
        + g\,a(t)\,\xi_i(t) \quad (\text{held while refractory}),\qquad v_i \ge 0,

threshold 1, reset 0, refractory :math:`\tau_{\mathrm{ref}}`. The recurrent term is the
spike-driven exponential current of the Hopfield realization, :math:`\sum_j w_{ij}` times
the filtered spikes plus the bias :math:`-g\sum_j W_{ij}`, written as one sum because
:math:`J` changes during the run (a Brian2 summed variable). :math:`\xi(t)` is the pattern
of the stream being presented (strength :math:`a` = ``stream_strength``), then the probe's
cue (``cue_strength``), then 0.

.. rubric:: The learning rule (local, bounded, always on)

With the binarized activity :math:`s_j = 2[x_j > \theta] - 1` (``trace_threshold``
:math:`\theta`; :math:`x_j` of a firing neuron stays near 1, of a silent one decays to 0),

.. math:: \frac{dJ_{ij}}{dt} = \eta\, s_i s_j - \kappa J_{ij},
          \qquad |J_{ij}| \le A \ (\texttt{bounded}),

integrated every time step; :math:`J_{ii} = 0` (no self-synapse), :math:`J(0) = 0`. The rates
are chosen so that one presentation of ``present_s`` writes what the reference writes per
pattern: ``hebbian`` :math:`\eta = 1/(N T_p)`, :math:`\kappa = 0`, :math:`c = 1`;
``marginalist`` :math:`\eta = \varepsilon/(N T_p)`, :math:`\kappa = -\ln\lambda / T_p`
(the decay :math:`\lambda = (1+\varepsilon^2/N)^{-1/2}` per pattern, spread over the
presentation), :math:`c = 1/\varepsilon`; ``bounded`` :math:`\eta = 1/(\sqrt N T_p)`,
:math:`\kappa = 0`, clipped to :math:`\pm A` every step (the clip of Parisi's rule; the sign
of :math:`s_i s_j` is constant within a presentation, so clipping every step or once per
pattern is the same), :math:`c = 1/(A N)`. The scale :math:`c` only brings the field of a
retrieved pattern to order 1 (the sign dynamics do not depend on it).

Where the online rule differs from the reference: at each switch of pattern the traces
take a few ms to cross :math:`\theta` (a falling trace :math:`\tau_s \ln 2` = 7 ms, a rising
one one or two spikes), so each presentation also writes a little of a mixture of the old
and the new pattern, and the binarized activity of a clamped neuron can miss a window.
The forgetting curve therefore agrees with the reference's within a tolerance, not bit for
bit (``tests/memory/test_memory_brian2.py`` states and checks it).

.. rubric:: Protocol and decoding

The stream, then ``cue_duration_s`` of cue and ``recall_duration_s`` of free recall, all
multiples of ``window_s`` (itself a multiple of ``dt_s``). With ``mid_cue_at`` (recall while
learning), the same cue-and-recall block is inserted into the stream after pattern
``mid_cue_at`` for the mid-stream cue, on the one stream network, with learning on as
everywhere; ``mid_cue_state`` is its decoded state in the block's last window.
States are decoded from spike counts per window (+1 with at least ``min_spikes`` spikes)
as in the Hopfield realization; the ``state`` trace has one row per window of the whole
run (the stream included), shape (windows, n_probes, N), and the model's observables read
its last row.
``params.max_sweeps`` does not apply (time is continuous).

Extra observables: ``mean_rate_hz``; ``stream_fidelity`` (mean overlap of the decoded state
with the presented pattern over the last window of each presentation: whether the clamp
holds); ``learned_overlap`` (per probed age: the overlap :math:`\xi^\top J \xi / (N^2 \max
|J|)` of the couplings at the end of the stream of copy 0 with the pattern, a direct view
of what the synapses still hold).
"""

from __future__ import annotations

import math
import time
from typing import Literal

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models.memory.palimpsest_hopfield import PalimpsestParams, ages_targets
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking._brian2 import (
    _b2,
    check_multiple,
    device_check,
    run_report,
    runtime_target,
)
from neurotwin.spiking.hopfield.recall import (
    CONVERGED_WINDOWS,
    check_runaway,
    converged_cues,
    on_rate_hz,
    runaway_rate_hz,
)


class Brian2PalimpsestOptions(Params):
    """Options of the online-learning Brian2 palimpsest (times in s, currents in threshold
    units, fields in units of the rule's scale)."""

    device: Literal["runtime"] = Field("runtime", description="Brian2 device (runtime only)")
    codegen_target: Literal["numpy", "cython"] = Field(
        "numpy", description="code-generation target of the runtime device"
    )
    dt_s: float = Field(2e-4, gt=0, le=1e-3, description="integration time step")
    present_s: float = Field(
        0.04, gt=0, description="presentation of one stream pattern, a multiple of window_s"
    )
    cue_duration_s: float = Field(0.02, gt=0, description="probe cue, a multiple of window_s")
    recall_duration_s: float = Field(
        0.06, gt=0, description="free recall after the cue, a multiple of window_s"
    )
    window_s: float = Field(0.02, gt=0, description="decoding window, a multiple of dt_s")
    min_spikes: int = Field(1, ge=1, description="spikes in a window for the state +1")
    tau_m_s: float = Field(0.01, gt=0, description="membrane time constant")
    tau_syn_s: float = Field(0.01, gt=0, description="synaptic (and learning) trace constant")
    tau_ref_s: float = Field(0.005, ge=0, description="refractory period")
    gain: float = Field(64.0, gt=0, description="g: input current per unit of field")
    stream_strength: float = Field(
        4.0, ge=0, description="clamp of a stream pattern, in units of the field"
    )
    cue_strength: float = Field(2.0, ge=0, description="probe cue current, in units of the field")
    trace_threshold: float = Field(
        0.5, gt=0, lt=1, description="theta: a neuron counts as +1 for learning when x > theta"
    )

    @pydantic.model_validator(mode="after")
    def _windows_tile_the_run(self):
        check_multiple("window_s", self.window_s, self.dt_s, "dt_s")
        for name in ("present_s", "cue_duration_s"):
            check_multiple(name, getattr(self, name), self.window_s, "window_s")
        check_multiple(
            "recall_duration_s",
            self.recall_duration_s,
            self.window_s,
            "window_s",
            CONVERGED_WINDOWS,
        )
        return self

    def windows(self, seconds: float) -> int:
        return round(seconds / self.window_s)


def rule_rates(params: PalimpsestParams, options: Brian2PalimpsestOptions) -> dict:
    """eta (per s), kappa (per s), the bound A (inf: none) and the transmission scale c."""
    n, tp = params.n_units, options.present_s
    if params.rule == "hebbian":
        return {"eta": 1.0 / (n * tp), "kappa": 0.0, "bound": math.inf, "scale": 1.0}
    if params.rule == "marginalist":
        lam = 1.0 / math.sqrt(1.0 + params.epsilon**2 / n)
        return {
            "eta": params.epsilon / (n * tp),
            "kappa": -math.log(lam) / tp,
            "bound": math.inf,
            "scale": 1.0 / params.epsilon,
        }
    return {
        "eta": 1.0 / (math.sqrt(n) * tp),
        "kappa": 0.0,
        "bound": params.bound,
        "scale": 1.0 / (params.bound * n),
    }


_EQS = """
dv/dt = (1 + I_rec + I_ext - v) / tau_m : 1 (unless refractory)
dx/dt = -x / tau_syn : 1
I_ext = drive(t, i) : 1
I_rec : 1
"""

_LEARN = (
    "J = clip(J * decay + eta_dt * (2 * int(x_pre > theta) - 1) * (2 * int(x_post > theta) - 1),"
    " -bound, bound)"
)


def _stage(b2, name, n_copies, n, drive, namespace, options, clock):
    """One NeuronGroup of ``n_copies`` blocks of ``n`` neurons with plastic block-diagonal
    synapses, driven by ``drive`` (windows, n_copies * n)."""
    total = n * n_copies
    ns = dict(namespace, drive=b2.TimedArray(drive, dt=options.window_s * b2.second))
    neurons = b2.NeuronGroup(
        total, _EQS, threshold="v >= 1", reset="v = 0\nx += x_jump",
        refractory=options.tau_ref_s * b2.second, method="euler", clock=clock,
        name=f"palimpsest_{name}_units",
    )  # fmt: skip
    synapses = b2.Synapses(
        neurons, neurons, model="J : 1\nI_rec_post = gc * J * (2 * x_pre - 1) : 1 (summed)",
        clock=clock, name=f"palimpsest_{name}_recurrent",
    )  # fmt: skip
    post, pre = np.nonzero(~np.eye(n, dtype=bool))
    offsets = np.repeat(np.arange(n_copies) * n, len(pre))
    synapses.connect(i=np.tile(pre, n_copies) + offsets, j=np.tile(post, n_copies) + offsets)
    synapses.run_regularly(_LEARN, when="after_groups", name=f"palimpsest_{name}_learning")
    neurons.run_regularly(
        "v = clip(v, 0, inf)", when="after_groups", name=f"palimpsest_{name}_floor"
    )
    spikes = b2.SpikeMonitor(neurons, name=f"palimpsest_{name}_spikes")
    network = b2.Network(neurons, synapses, spikes, name=f"palimpsest_{name}_network")
    return network, neurons, synapses, spikes, ns, (post, pre)


def _counts(spikes, b2, dt, options, n_windows, total, t0=0.0):
    times = np.asarray(spikes.t[:] / b2.second, dtype=np.float64)
    idx = np.asarray(spikes.i[:], dtype=np.int64)
    spw = round(options.window_s / dt)
    win = np.minimum(np.rint(times / dt).astype(np.int64) // spw, n_windows - 1)
    counts = np.bincount(win * total + idx, minlength=n_windows * total).reshape(n_windows, total)
    return counts, times + t0, idx


def _simulate(params, weights, inputs, seed, options):
    """The stream on one network, then its state forked into one copy per probe."""
    b2 = _b2()
    n = params.n_units
    patterns = np.asarray(weights["patterns"], dtype=np.float64)
    cues = np.asarray(inputs["cues"], dtype=np.float64)
    n_copies = cues.shape[0]
    rates = rule_rates(params, options)
    dt = options.dt_s
    g = options.gain

    b2.seed(seed)
    rng = np.random.default_rng(seed)
    clock = b2.Clock(dt=dt * b2.second, name="palimpsest_clock")
    namespace = {
        "tau_m": options.tau_m_s * b2.second,
        "tau_syn": options.tau_syn_s * b2.second,
        "x_jump": 1.0 / (on_rate_hz(options) * options.tau_syn_s),
        "gc": g * rates["scale"],
        "decay": math.exp(-rates["kappa"] * dt),
        "eta_dt": rates["eta"] * dt,
        "theta": options.trace_threshold,
        "bound": rates["bound"] if math.isfinite(rates["bound"]) else 1e300,
    }
    # the stream: one network (with the mid-stream cue and its free recall inserted)
    per = options.windows(options.present_s)
    drive = np.repeat(patterns, per, axis=0) * (g * options.stream_strength)
    cue_w, rest_w = (
        options.windows(options.cue_duration_s),
        options.windows(options.recall_duration_s),
    )
    if params.mid_cue_at is not None:
        at = params.mid_cue_at * per
        mid_cue = np.asarray(inputs["mid_cue"], dtype=np.float64)[None]
        drive = np.vstack([
            drive[:at],
            np.repeat(mid_cue, cue_w, axis=0) * (g * options.cue_strength),
            np.zeros((rest_w, n)),
            drive[at:],
        ])  # fmt: skip
    net, neurons, syn, spikes, ns, (post, pre) = _stage(
        b2, "stream", 1, n, drive, namespace, options, clock
    )
    neurons.v = rng.random(n)
    neurons.lastspike = -rng.random(n) * options.tau_ref_s * b2.second
    syn.J = 0.0
    stream_end = len(patterns) * options.present_s
    if params.mid_cue_at is not None:
        stream_end += (cue_w + rest_w) * options.window_s
    net.run(stream_end * b2.second, namespace=ns, **run_report())
    j_stream = np.zeros((n, n))
    j_stream[post, pre] = np.asarray(syn.J[:])
    counts_s, times_s, idx_s = _counts(spikes, b2, dt, options, drive.shape[0], n)
    v_end = np.asarray(neurons.v[:])
    x_end = np.asarray(neurons.x[:])
    last_end = np.asarray(neurons.lastspike[:] / b2.second) - stream_end
    j_end = np.asarray(syn.J[:])

    mid_state = None
    if params.mid_cue_at is not None:  # the last window of the mid-stream recall
        mid_state = np.where(counts_s[at + cue_w + rest_w - 1] >= options.min_spikes, 1, -1)

    # the probes: the network forked into one copy per probe, learning on
    drive = np.vstack([
        np.repeat(cues.reshape(1, -1), cue_w, axis=0) * (g * options.cue_strength),
        np.zeros((rest_w, n * n_copies)),
    ])  # fmt: skip
    clock_p = b2.Clock(dt=dt * b2.second, name="palimpsest_probe_clock")
    net_p, neurons_p, syn_p, spikes_p, ns_p, _ = _stage(
        b2, "probe", n_copies, n, drive, namespace, options, clock_p
    )
    neurons_p.v = np.tile(v_end, n_copies)
    neurons_p.x = np.tile(x_end, n_copies)
    neurons_p.lastspike = np.tile(last_end, n_copies) * b2.second
    syn_p.J = np.tile(j_end, n_copies)
    net_p.run(drive.shape[0] * options.window_s * b2.second, namespace=ns_p, **run_report())
    t_end = np.array([stream_end + drive.shape[0] * options.window_s])
    check_finite("v", np.asarray(neurons_p.v[:])[None, :], t_end, "s")
    check_finite("J", np.asarray(syn_p.J[:])[None, :], t_end, "s")
    counts_p, times_p, idx_p = _counts(
        spikes_p, b2, dt, options, drive.shape[0], n * n_copies, stream_end
    )
    bound = runaway_rate_hz(options)
    check_runaway(counts_s.sum(axis=1) / (n * options.window_s), bound, options.window_s)
    check_runaway(counts_p.sum(axis=1) / (n * n_copies * options.window_s), bound,
                  options.window_s)  # fmt: skip
    on_s = np.tile((counts_s >= options.min_spikes)[:, None, :], (1, n_copies, 1))
    on_p = (counts_p >= options.min_spikes).reshape(-1, n_copies, n)
    state = np.where(np.vstack([on_s, on_p]), 1, -1).astype(np.int8)
    # spikes: the stream's neuron i is copy 0's; the probes' as numbered in the copies
    times = np.concatenate([times_s, times_p])
    idx = np.concatenate([idx_s, idx_p])
    n_spikes = len(idx_s) * n_copies + len(idx_p)  # the stream counted once per copy
    return state, times, idx, j_stream, n_spikes, mid_state


def presentation_ends(params: PalimpsestParams, options: Brian2PalimpsestOptions) -> np.ndarray:
    """Window index of the last window of each stream presentation (shifted by the
    mid-stream cue and its recall after ``mid_cue_at``)."""
    per = options.windows(options.present_s)
    k = np.arange(params.n_stream)
    ends = per * (k + 1) - 1
    if params.mid_cue_at is not None:
        inserted = options.windows(options.cue_duration_s) + options.windows(
            options.recall_duration_s
        )
        ends = ends + np.where(k >= params.mid_cue_at, inserted, 0)
    return ends


def stream_fidelity(state: np.ndarray, patterns: np.ndarray, ends: np.ndarray) -> float:
    """Mean overlap of the decoded state (copy 0) with the presented pattern, last window of
    each presentation (window indices ``ends``)."""
    last = state[ends, 0].astype(np.float64)
    return float(np.mean(np.einsum("ln,ln->l", last, patterns) / patterns.shape[1]))


def learned_overlap(j: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    """xi^T J xi / (N^2 max|J|) per pattern row (1: J is the pattern's own outer product)."""
    scale = np.abs(j).max() * j.shape[0] ** 2
    p = patterns.astype(np.float64)
    return np.einsum("ln,nm,lm->l", p, j, p) / (scale if scale > 0 else 1.0)


@realization(
    "palimpsest-hopfield",
    "brian2",
    options=Brian2PalimpsestOptions,
    requires=("brian2",),
    check=device_check("palimpsest-hopfield/brian2"),
    defaults={"n_units": 64, "n_stream": 96},
)
def run_brian2(
    params: PalimpsestParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: Brian2PalimpsestOptions | None = None,
) -> Result:
    """LIF neurons learning the stream online (bounded / decaying local Hebbian synapses),
    one copy per probed age; states decoded from spike counts per window."""
    if options is None:
        options = Brian2PalimpsestOptions.create()
    t0 = time.perf_counter()
    with runtime_target(options.codegen_target):
        state, times, idx, j_stream, n_spikes, mid_state = _simulate(
            params, weights, inputs, seed, options
        )
    run_time = time.perf_counter() - t0
    patterns = np.asarray(weights["patterns"])
    _, targets = ages_targets(params)
    conv = converged_cues(state)
    n_windows = state.shape[0]
    total = params.n_units * state.shape[1]
    return Result(
        model="palimpsest-hopfield",
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=(np.arange(n_windows) + 1) * options.window_s,
        t_unit="s",
        traces={"state": state},
        spikes={"units": (times, idx)},
        observables={
            "converged": bool(conv.all()),
            "mean_rate_hz": float(n_spikes / (total * n_windows * options.window_s)),
            "stream_fidelity": stream_fidelity(state, patterns, presentation_ends(params, options)),
            "learned_overlap": learned_overlap(j_stream, patterns[targets]),
            **({} if mid_state is None else {"mid_cue_state": mid_state.astype(np.int8)}),
        },
        provenance={
            "rule": params.rule,
            "codegen_target": options.codegen_target,
            "run_time_s": float(run_time),
            "n_neurons": int(total),
            "n_synapses": int(total * (params.n_units - 1)),
            "on_rate_hz": float(on_rate_hz(options)),
            "rule_rates": {k: float(v) for k, v in rule_rates(params, options).items()},
        },
    )
