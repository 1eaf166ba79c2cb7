r"""McCulloch-Pitts threshold logic as LIF neurons in Brian2 (``mcculloch-pitts``/``brian2``).

The reference's units :math:`y = H(w \cdot x - \theta)` (integer weights and thresholds,
:mod:`neurotwin.rate_models.perceptron.mcculloch_pitts`) become LIF neurons, with the
reference's weights and thresholds unchanged; XOR is the reference's two layers (OR and
NAND feeding AND).

Spike code (inputs and outputs decoded by one rule)
    Each logical input is a line of ``n_fibres`` input fibres. A 1 is a Poisson burst:
    every fibre fires at ``rate_hz`` for the whole presentation window of ``present_s``;
    a 0 is silence. A line (input fibres, or a unit's neuron) reads as 1 in a window iff
    its mean rate per neuron in the decode window :math:`[t_k + t_{skip}, t_k + T)` is at
    least ``decode_hz``; ``skip_s`` leaves the transient after each change of the inputs
    out. Rows of the truth table are presented ``n_repeats`` times each, back to back,
    in an order drawn from the seed.

Unit (threshold 1, reset 0, refractory :math:`\tau_{ref}`, dimensionless)
    .. math::

        \tau_m \dot v = -v + b + I, \qquad \tau_s \dot I = -I + \tau_s \sum_{j,k} q_j\,
        \delta(t - t_j^k), \qquad b = 1 + g\,(\tfrac12 - \theta),

    with the efficacy :math:`q_j = g\, w_j / (n_j r_j \tau_s)` for a presynaptic line of
    :math:`n_j` neurons at its nominal rate :math:`r_j`, so the mean drive is
    :math:`u = b + \bar I = 1 + g\,(w \cdot x - \theta + \tfrac12)`: above threshold by
    :math:`g/2` (or more) where the reference's unit is on (:math:`w\cdot x \ge \theta`),
    below by :math:`g/2` (or more) where it is off (:math:`w\cdot x \le \theta - 1` for
    integer weights). The gain :math:`g` (``gain``) buys the margin against the Poisson
    fluctuations of the input current. Input lines have :math:`r_j` = ``design_rate_hz``
    (the network is built for that rate; ``rate_hz`` is what is sent, so both apart
    measure the rate range of a gate). A hidden unit's line is its one neuron, at the
    nominal rate :math:`r_h = f(1 + g)` of the LIF f-I curve
    :math:`f(u) = [\tau_{ref} + \tau_m \ln(u / (u - 1))]^{-1}` (the middle of its on
    states :math:`w\cdot x - \theta \in \{0, 1\}`); the refractory period flattens
    :math:`f`, so its actual on rates stay within about 15 % of :math:`r_h`
    (:math:`f(6) = 147`, :math:`f(11) = 168`, :math:`f(16) = 177` Hz at the defaults).

Rate range, from the mean drive alone (a gate built for :math:`r_0` driven at
:math:`r`): AND stays correct for :math:`0.75 < r/r_0 < 1.5` (both on: :math:`2r/r_0 >
1.5`; one on: :math:`r/r_0 < 1.5`), OR and NOT for :math:`r/r_0 > 0.5`, NAND for
:math:`0.5 < r/r_0 < 1.5`; XOR inherits the range of its hidden OR and NAND
(:math:`0.5 < r/r_0 < 1.5`). Fluctuations narrow these ranges; the experiment
``mp-rate-range`` measures them (docs/models/perceptron.rst).

Jitter: with ``jitter_s`` > 0 each line switches to its new value
:math:`\delta \sim U[0, \text{jitter}_s)` after the window opens (independently per
line and window): the inputs of a gate no longer arrive together.

Observables of this realization, beside the model's own ``truth_table_accuracy``
(computed on the ``output`` trace: the majority of each row's decoded presentations):
``error_rate`` (over every presentation), ``error_rate_per_row`` (truth-table order),
``input_error_rate`` (the input lines decoded back by the same rule: checks the code),
``latency_s`` (median time from the window's opening to the first output spike, over
presentations where the output turns on), ``n_presentations`` and ``presentation_row``
(the row shown in each window).

Input spikes are drawn in numpy from ``default_rng(seed)`` and enter as a
``SpikeGeneratorGroup`` (times on the ``dt_s`` grid, at most one spike per fibre and
step); runtime device, numpy target, forward Euler, explicit ``Network`` and
``namespace``.
"""

from __future__ import annotations

import time

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.params import Params
from neurotwin.rate_models.perceptron.mcculloch_pitts import BOOLEAN, McCullochPittsParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking._brian2 import is_multiple, run_report, runtime_target

MODEL = "mcculloch-pitts"


class McCullochPittsSpikingOptions(Params):
    """Spike code, LIF units and presentation (times in seconds, rates in Hz)."""

    rate_hz: float = Field(100.0, ge=0, le=1000, description="rate of an input fibre at 1")
    design_rate_hz: float = Field(
        100.0, gt=0, le=1000, description="input rate the synapses are scaled for"
    )
    n_fibres: int = Field(20, ge=1, le=1000, description="input fibres per logical input")
    decode_hz: float = Field(50.0, gt=0, description="a line is 1 at this rate or above")
    present_s: float = Field(0.05, gt=0, le=1, description="presentation window per row")
    skip_s: float = Field(0.01, ge=0, description="decoding starts this long into a window")
    n_repeats: int = Field(10, ge=1, le=10_000, description="presentations of each row")
    jitter_s: float = Field(0.0, ge=0, description="onset delay of each line, U[0, jitter)")
    gain: float = Field(10.0, gt=0, le=1000, description="g: drive per unit of w.x - theta")
    tau_m_s: float = Field(0.01, gt=0, le=1, description="membrane time constant")
    tau_syn_s: float = Field(0.005, gt=0, le=1, description="synaptic time constant")
    tau_ref_s: float = Field(0.005, ge=0, le=0.1, description="refractory period")
    v_floor: float = Field(-1.0, le=0, description="lowest membrane value (threshold 1)")
    dt_s: float = Field(1e-4, gt=0, le=1e-3, description="simulation time step")

    @pydantic.model_validator(mode="after")
    def _windows(self):
        if not is_multiple(self.present_s, self.dt_s):
            raise ValueError(
                f"present_s: must be a whole number of dt_s = {self.dt_s!r} "
                f"(got {self.present_s!r})"
            )
        if self.skip_s >= self.present_s:
            raise ValueError(
                f"skip_s: must be < present_s = {self.present_s!r} (got {self.skip_s!r})"
            )
        if self.jitter_s >= self.present_s:
            raise ValueError(
                f"jitter_s: must be < present_s = {self.present_s!r} (got {self.jitter_s!r})"
            )
        return self


def lif_rate(u: float, tau_m: float, tau_ref: float) -> float:
    """LIF f-I curve (threshold 1, reset 0) in Hz; 0 at or below threshold."""
    return 0.0 if u <= 1 else 1.0 / (tau_ref + tau_m * np.log(u / (u - 1.0)))


def presentation_order(n_rows: int, n_repeats: int, rng: np.random.Generator) -> np.ndarray:
    """Row index of each presentation: every row ``n_repeats`` times, shuffled."""
    return rng.permutation(np.repeat(np.arange(n_rows), n_repeats))


def input_spikes(
    x: np.ndarray, order: np.ndarray, opts: McCullochPittsSpikingOptions, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson input spikes (fibre index, time step) for the presented rows.

    Line ``j`` (fibres ``j * n_fibres ...``) takes the value of presentation ``k`` from
    ``k T + delta_jk`` (``delta`` uniform in [0, jitter_s), 0 for k = 0) to the next
    switch; while at 1 each of its fibres fires as a Poisson process at ``rate_hz``.
    Times are rounded down to the ``dt_s`` grid, duplicates (one fibre, one step) merged.
    """
    n_pres, n_lines = len(order), x.shape[1]
    period = opts.present_s
    starts = np.repeat(np.arange(n_pres)[:, None] * period, n_lines, axis=1)
    if opts.jitter_s > 0:
        starts = starts + rng.uniform(0.0, opts.jitter_s, (n_pres, n_lines))
    starts[0] = 0.0
    ends = np.vstack([starts[1:], np.full((1, n_lines), n_pres * period)])
    values = x[order]  # (n_pres, n_lines)
    idx, steps = [], []
    for j in range(n_lines):
        for k in np.flatnonzero(values[:, j] > 0):
            length = ends[k, j] - starts[k, j]
            counts = rng.poisson(opts.rate_hz * length, opts.n_fibres)
            fibre = np.repeat(np.arange(opts.n_fibres) + j * opts.n_fibres, counts)
            t = starts[k, j] + rng.random(counts.sum()) * length
            idx.append(fibre)
            steps.append(np.floor(t / opts.dt_s + 1e-9).astype(np.int64))
    if not idx:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pairs = np.unique(np.stack([np.concatenate(steps), np.concatenate(idx)], axis=1), axis=0)
    return pairs[:, 1], pairs[:, 0]


def decode(
    times: np.ndarray,
    idx: np.ndarray,
    groups: list[np.ndarray],
    n_pres: int,
    opts: McCullochPittsSpikingOptions,
) -> np.ndarray:
    """(n_pres, len(groups)) 0/1: the mean rate per neuron of each group in each decode
    window ``[k T + skip, (k + 1) T)`` is at least ``decode_hz``."""
    period, skip = opts.present_s, opts.skip_s
    k = np.floor(times / period + 1e-9).astype(np.int64)
    inside = (times - k * period >= skip - 1e-12) & (k < n_pres)
    out = np.zeros((n_pres, len(groups)), dtype=np.int64)
    for g, members in enumerate(groups):
        sel = inside & np.isin(idx, members)
        counts = np.bincount(k[sel], minlength=n_pres)[:n_pres]
        rate = counts / (len(members) * (period - skip))
        out[:, g] = (rate >= opts.decode_hz - 1e-9).astype(np.int64)
    return out


def _majority(decoded: np.ndarray, order: np.ndarray, n_rows: int) -> np.ndarray:
    """Per row of the truth table: 1 where more than half of its presentations read 1."""
    return np.array(
        [(decoded[order == r].mean(axis=0) > 0.5).astype(np.int64) for r in range(n_rows)]
    )


@realization(MODEL, "brian2", options=McCullochPittsSpikingOptions, requires=("brian2",))
def run_mcculloch_pitts_brian2(
    params: McCullochPittsParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """LIF threshold units driven by Poisson bursts (runtime, numpy target); trace
    ``output`` (and ``hidden`` for XOR): each row's majority decoded output."""
    import brian2 as b2

    opts = options or McCullochPittsSpikingOptions.create()
    b2.seed(seed)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    x = np.asarray(inputs["x"], dtype=np.float64)
    n_rows, n_in = x.shape
    order = presentation_order(n_rows, opts.n_repeats, rng)
    n_pres = len(order)
    fib_idx, fib_step = input_spikes(x, order, opts, rng)
    dt = opts.dt_s * b2.second
    clock = b2.Clock(dt=dt, name="mp_clock")
    n_fib = n_in * opts.n_fibres
    fibres = b2.SpikeGeneratorGroup(n_fib, fib_idx, fib_step * dt, clock=clock, name="mp_inputs")
    eqs = """
    dv/dt = (-v + b + I) / tau_m : 1 (unless refractory)
    dI/dt = -I / tau_syn : 1
    b : 1
    """
    g, tau_s = opts.gain, opts.tau_syn_s
    r_hidden = lif_rate(1.0 + g, opts.tau_m_s, opts.tau_ref_s)

    def unit_group(n: int, theta: np.ndarray, name: str):
        grp = b2.NeuronGroup(
            n,
            eqs,
            threshold="v > 1",
            reset="v = 0",
            refractory=opts.tau_ref_s * b2.second,
            method="euler",
            clock=clock,
            name=name,
        )
        grp.b = 1.0 + g * (0.5 - np.asarray(theta, dtype=np.float64))
        # the floor (an inhibitory reversal potential): an off unit does not sink far
        # below rest, so it turns on fast when its inputs do
        grp.run_regularly("v = clip(v, v_floor, inf)", when="after_thresholds")
        return grp

    def connect(src, dst, w: np.ndarray, per_line: int, rate: float, name: str):
        """Line ``j`` of ``src`` (``per_line`` neurons) -> unit ``i`` of ``dst`` with w[i, j]."""
        syn = b2.Synapses(src, dst, "q : 1", on_pre="I_post += q", clock=clock, name=name)
        n_dst, n_lines = w.shape
        pre = np.repeat(np.arange(n_lines * per_line), n_dst)
        post = np.tile(np.arange(n_dst), n_lines * per_line)
        syn.connect(i=pre, j=post)
        syn.q = g * w[post, pre // per_line] / (per_line * rate * tau_s)
        return syn

    objects = [fibres]
    groups: dict[str, object] = {}
    if "w_hidden" in weights:
        hidden = unit_group(2, weights["theta_hidden"], "mp_hidden")
        w_h = np.asarray(weights["w_hidden"], dtype=np.float64)
        objects += [
            hidden,
            connect(fibres, hidden, w_h, opts.n_fibres, opts.design_rate_hz, "mp_in_hidden"),
        ]
        groups["hidden"] = hidden
        source, per_line, rate = hidden, 1, r_hidden
    else:
        source, per_line, rate = fibres, opts.n_fibres, opts.design_rate_hz
    out = unit_group(1, weights["theta_out"], "mp_out")
    w_o = np.asarray(weights["w_out"], dtype=np.float64)
    objects += [out, connect(source, out, w_o, per_line, rate, "mp_to_out")]
    groups["out"] = out
    monitors = {
        name: b2.SpikeMonitor(grp, name=f"mp_spikes_{name}") for name, grp in groups.items()
    }
    net = b2.Network(*objects, *monitors.values(), name="mp_network")
    namespace = {
        "tau_m": opts.tau_m_s * b2.second,
        "tau_syn": tau_s * b2.second,
        "v_floor": opts.v_floor,
    }
    t1 = time.perf_counter()
    with runtime_target("numpy"):
        net.run(n_pres * opts.present_s * b2.second, namespace=namespace, **run_report())
    t2 = time.perf_counter()

    spikes = {"inputs": (fib_step * opts.dt_s, fib_idx.astype(np.int64))}
    for name, mon in monitors.items():
        spikes[name] = (
            np.asarray(mon.t[:] / b2.second, dtype=np.float64),
            np.asarray(mon.i[:], dtype=np.int64),
        )
    in_groups = [np.arange(j * opts.n_fibres, (j + 1) * opts.n_fibres) for j in range(n_in)]
    in_read = decode(*spikes["inputs"], in_groups, n_pres, opts)
    out_read = decode(*spikes["out"], [np.array([0])], n_pres, opts)[:, 0]
    target = BOOLEAN[params.gate](x.astype(np.int64))
    wrong = out_read != target[order]
    per_row = np.array([wrong[order == r].mean() for r in range(n_rows)])
    traces = {"output": _majority(out_read[:, None], order, n_rows)[:, 0]}
    if "hidden" in spikes:
        traces = {
            "hidden": _majority(
                decode(*spikes["hidden"], [np.array([0]), np.array([1])], n_pres, opts),
                order,
                n_rows,
            ),
            **traces,
        }
    # latency: window opening -> first output spike, where the output turns on
    turn_on = np.flatnonzero((target[order] == 1) & np.r_[True, target[order][:-1] == 0])
    out_t = spikes["out"][0]
    lat = []
    for k in turn_on:
        t_open = k * opts.present_s
        after = out_t[(out_t >= t_open) & (out_t < t_open + opts.present_s)]
        if len(after):
            lat.append(after[0] - t_open)
    return Result(
        model=MODEL,
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=np.arange(n_rows, dtype=float),
        t_unit="sweep",
        traces=traces,
        spikes=spikes,
        observables={
            "error_rate": float(wrong.mean()),
            "error_rate_per_row": per_row,
            "input_error_rate": float(np.mean(in_read != x[order].astype(np.int64))),
            "latency_s": float(np.median(lat)) if lat else float("nan"),
            "n_presentations": int(n_pres),
            "presentation_row": order.astype(np.int64),
        },
        provenance={
            "device": "runtime",
            "codegen_target": "numpy",
            "integrator": "euler",
            "build_time_s": float(t1 - t0),
            "run_time_s": float(t2 - t1),
            "n_neurons": int(n_fib + sum(len(gr) for gr in groups.values())),
            "hidden_nominal_rate_hz": float(r_hidden),
        },
    )
