r"""The Nengo realization of the Hopfield network (``nengo``), and the network it shares
with the Loihi-emulator realization (``spiking/hopfield/loihi.py``).

The same spiking network as the Brian2 realization (``spiking/hopfield/brian2.py``),
built with the shared helpers of ``spiking/_nengo`` and run on
``nengo.Simulator`` (float) or, by ``loihi.py``, on
``nengo_loihi.Simulator(target="sim")`` (the chip's fixed-point arithmetic,
emulated). All ``n_cues`` cues are recalled at
once, by independent copies of the network: copy ``c`` is its own population
(its own ``nengo.Ensemble``, its own block of cores on the chip); neuron
``c * N + i`` of the spike output is unit ``i`` of copy ``c``. Copies share
only the weights.

Variant ``"neurons"`` (default): one LIF neuron per unit
----------------------------------------------------------------
Unit :math:`i` is **+1 when it fires**, -1 when silent. The reference's weights
go in as a neuron-to-neuron recurrent transform, exactly as in the Brian2
realization (see its docstring for the derivation): with :math:`r_j =
\nu_j/\nu_{\mathrm{on}}` and :math:`s_j = 2 r_j - 1`, the input current

.. math::

    J_i = \underbrace{1 - g\Big(\sum_j W_{ij} + U_i\Big)}_{\text{bias}}
          + \sum_j \underbrace{\frac{2 g W_{ij}}{\nu_{\mathrm{on}}}}_{R_{ij}}
            (h * \rho_j)(t)
          + g\, a\, \mathrm{cue}_i\, [t < T_{\mathrm{cue}}]

averages :math:`1 + g (h_i - U_i)`, so the LIF (threshold 1) fires iff
:math:`h_i > U_i`. :math:`g` is ``gain``, :math:`a` ``cue_strength``,
:math:`h` a Lowpass of ``tau_syn_s``. :math:`\nu_{\mathrm{on}}` is the rate
of a neuron with constant input :math:`1 + g`, computed by each backend's own
rate function (``nengo.LIF.rates``; on the chip ``nengo_loihi.neurons.
loihi_rates``, whose spike periods are whole time steps): 194.0 Hz in Nengo,
166.7 Hz on the chip at the defaults. The LIF's ``min_voltage = 0`` is the
reflecting floor the Brian2 realization adds by hand (``voltage_floor=False``
removes it).

Variant ``"nef"``: each unit a small ensemble (decoded, NEF)
-------------------------------------------------------------
Unit :math:`i` is an ensemble of ``neurons_per_unit`` LIF neurons that
represents the field :math:`x_i`; the state is :math:`s_i =
\operatorname{sgn}(x_i)`. The recurrent connection computes

.. math:: x_i \leftarrow \sum_j W_{ij}\, f(x_j) - U_i + a\, \mathrm{cue}_i\,[t < T_{\mathrm{cue}}],
          \qquad f(x) = \operatorname{clip}(x / \delta, -1, 1)

through decoders :math:`d^{(j)}` of :math:`f` (least squares with L2
regularization, nengo's ``LstsqL2``, solved on each backend's rate curves),
built as the full neuron-to-neuron matrix :math:`R_{nm} = \alpha_n e_n
W_{u(n)u(m)} d_m` (what nengo does for ``solver=LstsqL2(weights=True)``), so
the chip holds it as ordinary synapses, with no decode neurons. Encoders
:math:`e_n = \pm 1`, gains :math:`\alpha_n` and biases from max rates
``Uniform(100, 120)`` Hz and intercepts ``Uniform(-1, 0.5)`` times the radius
(nengo-loihi's recommended ensemble defaults), all drawn from
``numpy.random.default_rng(seed)``. It costs ``neurons_per_unit`` times the
neurons and the square of that in synapses.

Decoding and protocol
---------------------
Cue for ``cue_duration_s``, then free recall for ``recall_duration_s``; the
state is decoded in consecutive windows of ``window_s`` from t = 0 (the trace
``state`` has one row per window, ``t`` the window end times in seconds).
Variant ``neurons``: :math:`s_i = +1` if unit :math:`i` spiked at least
``min_spikes`` times in the window. Variant ``nef``: :math:`s_i =
\operatorname{sgn}(\sum_m d_m n_m)` with :math:`n_m` the window's spike
counts of unit :math:`i`'s neurons (ties count as -1). ``converged``: the
decoded state of every cue is identical over the last 3 windows. A window
whose mean rate exceeds ``0.9 / max(tau_ref_s, dt_s)`` raises
:class:`~neurotwin.errors.SimulationError` (runaway).

Initial state
-------------
``initial_voltage="uniform"`` starts every voltage uniform in [0, 1) from
``numpy.random.default_rng(seed)`` (so strongly driven units do not fire in
lockstep); the chip cannot (every voltage starts at zero; nengo-loihi warns,
the warning is recorded in ``provenance["warnings"]``). ``"zero"`` starts Nengo
the way the chip does.

Temperature must be 0: neither Nengo's LIF nor nengo-loihi's chip build here
adds the noise the reference's Glauber rule needs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

import numpy as np
from pydantic import Field

from neurotwin.errors import ParamError
from neurotwin.harness import check_finite
from neurotwin.rate_models.hopfield.hopfield import HopfieldParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _loihi as loihi
from neurotwin.spiking import _mismatch
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking.hopfield.recall import (
    SpikingRecallOptions,
    check_runaway,
    converged_cues,
    lif_rates,
    nengo_on_rate_hz,
    runaway_rate_hz,
)

#: NEF variant: f(x) = clip(x / delta, -1, 1), the represented range and the eval points
NEF_DELTA = 0.2
NEF_RADIUS = 2.0
NEF_EVAL_POINTS = 400


class NengoHopfieldOptions(SpikingRecallOptions, _mismatch.NengoMismatchOptions):
    """Options of the Nengo realization (times in seconds, currents in threshold units);
    threshold mismatch ``mismatch_threshold_cv`` (``spiking._mismatch``)."""

    variant: Literal["neurons", "nef"] = Field(
        "neurons", description="one LIF per unit, or a small decoded (NEF) ensemble per unit"
    )
    dt_s: float = Field(0.001, gt=0, le=0.001, description="simulator time step")
    tau_rc_s: float = Field(0.01, gt=0, description="membrane time constant")
    initial_voltage: Literal["uniform", "zero"] = Field(
        "uniform", description="initial membrane voltages: uniform in [0, 1) or zero (chip)"
    )
    voltage_floor: bool = Field(
        True, description="clip the voltage at 0 (the reset), as the Brian2 realization does"
    )
    neurons_per_unit: int = Field(20, ge=1, description="neurons per unit (variant nef)")


# -- mapping the reference onto LIF populations -------------------------------------------


def _population(label, bias, recurrent, v0, options) -> nc.LIFPopulation:
    return nc.LIFPopulation(
        label,
        bias,
        recurrent,
        options.tau_rc_s,
        options.tau_ref_s,
        options.tau_syn_s,
        v0,
        0.0 if options.voltage_floor else -np.inf,
    )


def check_temperature(params: HopfieldParams, name: str) -> None:
    """Neither backend adds the noise of the reference's Glauber rule: T must be 0."""
    if params.temperature != 0:
        raise ParamError(
            f"HopfieldParams.temperature: must be 0 for realization {name!r} (no noise "
            f"source on the Nengo/Loihi path) (got {params.temperature!r})"
        )


def neuron_populations(
    params: HopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: NengoHopfieldOptions,
    backend: nc.Backend,
) -> tuple[list[nc.LIFPopulation], list[nc.WindowedInput], dict]:
    """Variant ``neurons``: one population of N LIF neurons per cue (module docstring)."""
    w = np.asarray(weights["W"], dtype=np.float64)
    u = np.asarray(weights["U"], dtype=np.float64)
    cues = np.asarray(inputs["cues"], dtype=np.float64)
    n, g = params.n_units, options.gain
    nu_on = nengo_on_rate_hz(options, backend)
    rng = np.random.default_rng(seed)
    bias = 1.0 - g * (w.sum(axis=1) + u)
    recurrent = 2.0 * g * w / nu_on
    pops, ins = [], []
    for c in range(params.n_cues):
        v0 = rng.random(n) if options.initial_voltage == "uniform" else None
        label = f"cue{c}"
        pops.append(_population(label, bias, recurrent, v0, options))
        ins.append(
            nc.WindowedInput(
                label, cues[c], np.full(n, g * options.cue_strength), 0.0, options.cue_duration_s
            )
        )
    return pops, ins, {"on_rate_hz": nu_on, "weight_scale": 2.0 * g / nu_on}


def nef_populations(
    params: HopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: NengoHopfieldOptions,
    backend: nc.Backend,
) -> tuple[list[nc.LIFPopulation], list[nc.WindowedInput], dict]:
    """Variant ``nef``: one population of N * k neurons per cue, k per unit (module docstring)."""
    import nengo

    w = np.asarray(weights["W"], dtype=np.float64)
    u = np.asarray(weights["U"], dtype=np.float64)
    cues = np.asarray(inputs["cues"], dtype=np.float64)
    n, k = params.n_units, options.neurons_per_unit
    rng = np.random.default_rng(seed)
    lif = nengo.LIF(tau_rc=options.tau_rc_s, tau_ref=options.tau_ref_s)
    lo, hi = loihi.LOIHI_ENSEMBLE_DEFAULTS["max_rates"]
    ilo, ihi = loihi.LOIHI_ENSEMBLE_DEFAULTS["intercepts"]
    # tuning of every neuron, unit by unit: encoders ±1 on the unit's field x_i / radius
    enc = np.where(rng.random((n, k)) < 0.5, -1.0, 1.0)
    max_rates = rng.uniform(lo, hi, (n, k))
    intercepts = rng.uniform(ilo, ihi, (n, k))
    alpha, beta = lif.gain_bias(max_rates.ravel(), intercepts.ravel())
    alpha, beta = alpha.reshape(n, k) / NEF_RADIUS, beta.reshape(n, k)
    xs = np.linspace(-NEF_RADIUS, NEF_RADIUS, NEF_EVAL_POINTS)
    target = np.clip(xs / NEF_DELTA, -1, 1)
    solver = nengo.solvers.LstsqL2(reg=0.1)
    dec = np.empty((n, k))
    for i in range(n):
        acts = lif_rates(
            backend, lif, xs[:, None] * enc[i][None, :], alpha[i], beta[i], options.dt_s
        )
        dec[i] = solver(acts, target[:, None])[0][:, 0]
    # R[(i, a), (j, b)] = alpha_ia e_ia W_ij d_jb
    col = (alpha * enc).reshape(-1, 1)
    recurrent = col * np.kron(w, np.ones((k, k))) * np.tile(dec.reshape(1, -1), (n * k, 1))
    bias = (beta - alpha * enc * u[:, None]).ravel()
    pops, ins = [], []
    for c in range(params.n_cues):
        v0 = rng.random(n * k) if options.initial_voltage == "uniform" else None
        label = f"cue{c}"
        pops.append(_population(label, bias, recurrent, v0, options))
        ins.append(
            nc.WindowedInput(
                label,
                np.repeat(cues[c], k),
                (alpha * enc).ravel() * options.cue_strength,
                0.0,
                options.cue_duration_s,
            )
        )
    return pops, ins, {"decoders": dec}


# -- decoding ---------------------------------------------------------------------------


def decode_states(
    out: nc.SimOutput,
    params: HopfieldParams,
    options: NengoHopfieldOptions,
    extra: dict,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]:
    """Window spike counts -> ±1 states (windows, cues, N); runaway and finiteness checks."""
    n, n_cues = params.n_units, params.n_cues
    spw = options.steps_per_window
    n_windows = out.n_steps // spw
    window = spw * options.dt_s
    k = options.neurons_per_unit if options.variant == "nef" else 1
    state = np.empty((n_windows, n_cues, n), dtype=np.int8)
    all_t, all_i = [], []
    total = 0
    rates = np.zeros(n_windows)
    for c in range(n_cues):
        s = out.spikes[f"cue{c}"]  # (steps, n * k)
        counts = s[: n_windows * spw].reshape(n_windows, spw, -1).sum(axis=1)
        check_finite("rate", counts.astype(float), (np.arange(n_windows) + 1) * window, "s")
        rates += counts.sum(axis=1)
        total += int(s.sum())
        if options.variant == "nef":
            value = (counts.reshape(n_windows, n, k) * extra["decoders"][None]).sum(axis=2)
            state[:, c] = np.where(value > 0, 1, -1)
        else:
            state[:, c] = np.where(counts >= options.min_spikes, 1, -1)
        steps, idx = np.nonzero(s)
        reps = s[steps, idx]
        all_t.append(np.repeat((steps + 1) * options.dt_s, reps))
        all_i.append(np.repeat(idx + c * n * k, reps))
    rates = rates / (n * k * n_cues * window)
    check_runaway(rates, runaway_rate_hz(options), window)
    times = np.concatenate(all_t) if all_t else np.zeros(0)
    idx = np.concatenate(all_i) if all_i else np.zeros(0, dtype=np.int64)
    order = np.lexsort((idx, times))
    converged = converged_cues(state)
    mean_rate = total / (n * k * n_cues * n_windows * window)
    return (
        (np.arange(n_windows) + 1) * window,
        state,
        times[order],
        idx[order].astype(np.int64),
        float(mean_rate),
        converged,
    )


# -- the realizations ---------------------------------------------------------------------


def populations(params, weights, inputs, seed, options, backend):
    build = nef_populations if options.variant == "nef" else neuron_populations
    return build(params, weights, inputs, seed, options, backend)


def simulate_hopfield(
    params: HopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: NengoHopfieldOptions,
    backend: nc.Backend,
    fit: Callable[[list, list], list] | None = None,
) -> tuple[Result, nc.SimOutput]:
    """Map, build, run and decode; shared by the Nengo and Loihi-emulator realizations.

    ``fit(pops, ins) -> pops`` adapts the populations to the backend before the build
    (the chip: residual weights, the resource check). Returns the Result and the
    simulator's output (the chip realization reports from ``out.chip``).
    """
    # in the body, not a preflight: NIR export prepares this realization with T > 0 and
    # refuses it itself (ExportUnsupported, "stochastic units")
    check_temperature(params, backend)
    t0 = time.perf_counter()
    pops, ins, extra = populations(params, weights, inputs, seed, options, backend)
    if _mismatch.active(options):
        # one chip: every copy (cue) has the same neurons, so the same thresholds
        theta = _mismatch.draw(options, {"units": pops[0].n}, seed)["units"][0]
        pops, ins = _mismatch.nengo_threshold(pops, ins, {pop.label: theta for pop in pops})
    if fit is not None:
        pops = fit(pops, ins)
    built = nc.build_network(pops, ins, backend)
    t_map = time.perf_counter() - t0
    n_steps = options.n_windows * options.steps_per_window
    out = nc.simulate(built, backend, n_steps, options.dt_s, seed)
    t, state, times, idx, mean_rate, converged = decode_states(out, params, options, extra)
    k = options.neurons_per_unit if options.variant == "nef" else 1
    n_syn = sum(
        int(np.count_nonzero(p.recurrent))
        + (0 if p.recurrent_residual is None else int(np.count_nonzero(p.recurrent_residual)))
        for p in pops
    )
    prov = {
        "variant": options.variant,
        "simulator": "nengo.Simulator" if backend == "nengo" else 'nengo_loihi.Simulator("sim")',
        "weights_as": "neuron-to-neuron transform"
        + (" (encoders x W x decoders)" if options.variant == "nef" else ""),
        "copies": "one population per cue (independent copies, run at once)",
        "map_time_s": float(t_map),
        "build_time_s": float(out.build_time_s),
        "run_time_s": float(out.run_time_s),
        "n_neurons": int(params.n_units * k * params.n_cues),
        "n_synapses": n_syn,
        "warnings": [w.to_dict() for w in out.warnings],
    }
    if "on_rate_hz" in extra:
        prov["on_rate_hz"] = float(extra["on_rate_hz"])
    result = Result(
        model="hopfield",
        realization=backend,
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"state": state},
        spikes={"units": (times, idx)},
        observables={
            "converged": bool(converged.all()),
            "converged_cues": converged,
            "mean_rate_hz": mean_rate,
        },
        provenance=prov,
    )
    return result, out


@realization("hopfield", "nengo", options=NengoHopfieldOptions, requires=("nengo",))
def run_nengo(
    params: HopfieldParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """LIF neurons in nengo.Simulator, weights as a neuron-to-neuron transform; one copy per cue."""
    options = options or NengoHopfieldOptions.create()
    return simulate_hopfield(params, weights, inputs, seed, options, "nengo")[0]
