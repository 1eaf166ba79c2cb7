r"""Spiking realization of the Hopfield network in Brian2 (LIF neurons, current-based).

Every cue of a run is recalled by its own copy of the network: ``n_cues`` blocks
of :math:`N` leaky integrate-and-fire neurons in one Brian2 ``NeuronGroup``,
with block-diagonal recurrent ``Synapses`` whose weights come from the reference
model's :math:`W` (``neurotwin.rate_models.hopfield.hopfield``). Neuron ``c * N + i`` is
unit :math:`i` of copy :math:`c`; copies share nothing but the weights.

Notes
-----
.. rubric:: Mapping between ±1 units and spikes

A unit is **+1 when it fires** and **-1 when it is silent**. With the activity
:math:`r_j \in \{0, 1\}` and :math:`s_j = 2 r_j - 1`, the reference's field is

.. math:: h_i - U_i = \sum_j W_{ij} s_j - U_i
          = 2 \sum_j W_{ij} r_j \;-\; \Big(\sum_j W_{ij} + U_i\Big).

The first term is carried by synapses (filtered spike trains), the second is a
constant bias current per neuron. A tonic drive equal to the firing threshold
puts the threshold of the LIF exactly at the sign boundary :math:`h_i = U_i`.

Equations. ``v`` and the currents are dimensionless, in units of the distance
from reset (0) to threshold (1); time is in seconds; :math:`[\cdot]` is 1 when
the condition holds, else 0:

.. math::

    \tau_m \frac{dv_i}{dt} &= -v_i + 1 + I^{\mathrm{bias}}_i + I^{\mathrm{syn}}_i
        + I^{\mathrm{cue}}_i(t) \;[+\, I^{\mathrm{noise}}_i(t)\ \text{if}\ T > 0]
        \quad (\text{held while refractory}), \qquad v_i \ge v_{\mathrm{floor}}

    v_i \ge 1 &\Rightarrow \text{spike},\quad v_i \leftarrow 0,
        \quad \text{refractory for } \tau_{\mathrm{ref}}

    \tau_s \frac{dI^{\mathrm{syn}}_i}{dt} &= -I^{\mathrm{syn}}_i, \qquad
        \text{spike of } j \Rightarrow I^{\mathrm{syn}}_i \mathrel{+}= w_{ij}

    I^{\mathrm{bias}}_i &= -g \Big(\sum_j W_{ij} + U_i\Big), \qquad
    w_{ij} = \frac{2 g W_{ij}}{\nu_{\mathrm{on}} \tau_s}, \qquad
    I^{\mathrm{cue}}_i(t) = g\, a\, \mathrm{cue}_i \,[t < T_{\mathrm{cue}}]

with the gain :math:`g` (``gain``, the synaptic scaling: threshold units of
current per unit of field), the cue strength :math:`a` (``cue_strength``, in
units of the field) and :math:`\nu_{\mathrm{on}}` the rate of a unit whose field
is exactly +1, i.e. with constant input :math:`1 + g`:

.. math:: \nu_{\mathrm{on}} = \Big[\tau_{\mathrm{ref}}
          + \tau_m \ln\frac{1 + g}{g}\Big]^{-1}
          \quad (194\ \mathrm{Hz}\ \text{at the defaults}).

A presynaptic neuron firing at :math:`\nu_j` contributes on average
:math:`w_{ij} \nu_j \tau_s = 2 g W_{ij} (\nu_j / \nu_{\mathrm{on}})`, so with
:math:`r_j = \nu_j / \nu_{\mathrm{on}}` the mean input is
:math:`1 + g (h_i - U_i)` and the neuron fires iff :math:`h_i > U_i`.

Rates are graded, not binary, so strictly this is a graded-response Hopfield
network (Hopfield 1984). Three choices keep it close to the binary model:

* a large gain, :math:`g = 64`, and a refractory period of 5 ms: any unit whose
  field exceeds about 0.02 fires between 0.48 and 1.03 :math:`\nu_{\mathrm{on}}`
  (the rate saturates at :math:`1/\tau_{\mathrm{ref}}` = 200 Hz), so
  :math:`r_j` is close to 0 or 1. With :math:`g = 2` and 2 ms the rates of "on"
  units spread from 0 to 1.8 :math:`\nu_{\mathrm{on}}` and recall at
  :math:`P = 10` collapsed to mixtures (measured: 0 to 60% of cues recalled);
* a floor :math:`v_{\mathrm{floor}} = 0` on the membrane potential (a
  reflecting barrier, as in Fusi & Mattia 1999): with a large gain a silent
  unit would otherwise sit far below threshold and switch on much more slowly
  than a firing unit switches off, biasing recall towards spurious states
  (at P = 20, 30% cue noise, g = 16: 15-25% of cues recalled without the
  floor, 35-65% with it, 65-85% for the reference);
* random initial phases: :math:`v_i(0)` uniform in [0, 1) and a random
  refractory phase (``lastspike`` uniform in :math:`[-\tau_{\mathrm{ref}}, 0]`),
  both from ``numpy.random.default_rng(seed)``; strongly driven units would
  otherwise fire in lockstep, and the pulsed synaptic input drove some cues
  into spurious states (at P = 10, 1 in 80 cues before, 0 after).

.. rubric:: Recall protocol and decoding

During the first ``cue_duration_s`` the cue current :math:`\pm g a` forces each
unit to the sign of its cue (:math:`a = 2`, twice the field of a perfectly
recalled pattern, overrides the recurrent input); then the cue is switched off
and the network recalls freely for ``recall_duration_s``. Both are integer
multiples of ``window_s``, itself a multiple of ``dt_s``. Time is continuous
here, so ``HopfieldParams.update`` and ``max_sweeps`` do not apply; the run
length is ``cue_duration_s + recall_duration_s`` (0.24 s at the defaults).
Storage rule, asymmetry and thresholds enter through ``W`` and ``U``.

The state is decoded from spike counts in consecutive windows of ``window_s``
from t = 0: :math:`s_i = +1` if unit :math:`i` spiked **at least**
``min_spikes`` times in the window, else -1 (with the defaults, 1 spike in
20 ms: a unit counts as +1 at a rate of 50 Hz or more). The trace ``state`` has
one row per window, ``t`` the window end times in seconds. ``converged`` is True
when the decoded state of every cue is identical over the last
``CONVERGED_WINDOWS`` = 3 windows (``converged_cues``: per cue).
``mean_rate_hz`` is the mean over all neurons and the whole run.

.. rubric:: Temperature

``temperature`` :math:`T > 0` is supported: a noise current
:math:`I^{\mathrm{noise}}_i` is added to the membrane equation, an
Ornstein-Uhlenbeck process with the synaptic time constant,

.. math:: \tau_s \frac{dI^{\mathrm{noise}}_i}{dt} = -I^{\mathrm{noise}}_i
          + \sigma \sqrt{2 \tau_s}\, \xi_i(t), \qquad \sigma = 0.8\, g\, T,

started from its stationary distribution. In units of the field it is a
Gaussian noise of standard deviation :math:`0.8\,T` on :math:`h_i - U_i`, so a
unit fires roughly when :math:`h_i - U_i + \eta > 0`: 0.8 T is the standard
deviation of the Gaussian that best matches the logistic of the reference's
Glauber rule :math:`P(s_i = +1) = 1 / (1 + e^{-2 (h_i - U_i) / T})`
(:math:`\sigma(x) \approx \Phi(x \sqrt{\pi / 8})`). Close up to T = 0.4 and not
beyond: at N = 200, P = 10 (10 cues, 32 seeds) the median final overlaps differ by
-0.005 to +0.035 at T = 0.4, but at T = 0.5 the network keeps 0.865-0.955 where the
reference falls to 0.27-0.955 (below 0.8 on 6 seeds), and the network loses half its
overlap near T = 0.7 against 0.55 for the reference: the spiking network at T acts like
Glauber dynamics at a lower temperature (docs/models/hopfield.rst). (White noise on the
membrane potential would not do: at the floor
:math:`v_{\mathrm{floor}}` every noise kick close to threshold fires the unit.)
The noise is drawn by Brian2, seeded with ``brian2.seed(seed)``; its initial
values come from ``numpy.random.default_rng(seed)``. Integration is Euler
(Euler-Maruyama with noise) in every case.

.. rubric:: Devices and the two phases

The realization has two phases (:class:`HopfieldBrian2`): ``build`` makes the
network once, ``run`` simulates it for a set of cues and may be called again on
the same built network with other cues of the same shape (``n_cues`` x
``n_units``); a sweep over cue settings then pays for one build. What ``run``
changes is only the cue signs (``neurons.cue``); the initial state (``v``,
``lastspike``, ``I_noise``) and the noise seed come from the build's seed, so a
re-run on the same cues gives the same spikes.

``device="runtime"`` (default) runs in the Python process with the ``numpy``
code-generation target (no compilation); the same seed gives identical spikes.
``build`` ``store()``\ s the network and ``run`` ``restore()``\ s it (with the
random state), sets the cues and runs: a run on a built network gives the same
Result, bit for bit, as a fresh build on the same cues.
``codegen_target="cython"`` compiles the runtime code instead (cached after the
first use; the simulation ran about 2x faster here, with identical spikes) and
needs a C++ compiler.
``device="cpp_standalone"`` generates and compiles a C++ project once, in
``build`` (a device of its own, so built networks do not disturb each other or
later runtime runs), in ``build_dir`` or, when None, in a fresh temporary folder
that is removed when the built network is closed (``close()``) or garbage
collected; a ``build_dir`` you give is kept. Each ``run`` executes the compiled
binary with the cues as ``device.run(run_args={neurons.cue: ...})``, without
recompiling (measured in ``benchmarks/bench_sweep_builds.py``). It needs a C++
compiler and ``make`` on PATH, checked before any work.
``openmp_threads`` (``cpp_standalone`` only, at most ``os.cpu_count()``) compiles the
project for that many OpenMP threads (recorded in provenance); at T = 0 the spikes are
the same for any count (``tests/hopfield/test_hopfield_brian2.py``), with noise they
depend on it (one random generator per thread; ``spiking/_brian2.py``).
The shared cue current (``neurons.cue_current`` = g a) and the bias
(``neurons.I_bias``) are group variables too, so a standalone build can also be
re-run with other values of them (``benchmarks/bench_brian2_devices.py``).

.. rubric:: Checks

The membrane potential is sampled once per window and at the end; a non-finite
value raises :class:`~neurotwin.errors.SimulationError` naming ``v``, the sample
and the time. A window whose mean rate over all neurons exceeds
``0.9 / max(tau_ref_s, dt_s)`` (180 Hz at the defaults: nearly every unit
firing flat out, which no ±1 state of unbiased patterns comes near; the
measured mean rate is about 100 Hz) raises ``SimulationError`` naming ``rate``,
the window and its time span.

References
----------
Hopfield, J. J. (1982). Neural networks and physical systems with emergent
collective computational abilities. PNAS 79, 2554-2558.
Hopfield, J. J. (1984). Neurons with graded response have collective
computational properties like those of two-state neurons. PNAS 81, 3088-3092.
Fusi, S. & Mattia, M. (1999). Collective behavior of networks with linear
(VLSI) integrate-and-fire neurons. Neural Computation 11, 633-652.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.errors import SimulationError
from neurotwin.harness import check_finite
from neurotwin.rate_models.hopfield.hopfield import HopfieldParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _mismatch
from neurotwin.spiking._brian2 import (
    OpenMPOptions,
    _b2,
    device_check,
    run_report,
    runtime_target,
    standalone,
)
from neurotwin.spiking.hopfield.recall import (
    NOISE_PER_TEMPERATURE,
    SpikingRecallOptions,
    check_runaway,
    converged_cues,
    on_rate_hz,
    runaway_rate_hz,
)


class Brian2HopfieldOptions(SpikingRecallOptions, OpenMPOptions, _mismatch.MismatchOptions):
    """Options of the Brian2 realization (times in seconds, currents in threshold units);
    ``openmp_threads`` for ``cpp_standalone`` (``spiking._brian2.OpenMPOptions``); device
    mismatch ``mismatch_threshold_cv``, ``mismatch_tau_cv`` (``spiking._mismatch``)."""

    device: Literal["runtime", "cpp_standalone"] = Field(
        "runtime", description="Brian2 device: in-process runtime or generated C++"
    )
    codegen_target: Literal["numpy", "cython"] = Field(
        "numpy", description="code-generation target of the runtime device"
    )
    dt_s: float = Field(1e-4, gt=0, le=1e-3, description="integration time step")
    tau_m_s: float = Field(0.01, gt=0, description="membrane time constant")
    v_floor: float = Field(
        0.0, lt=1, description="lower bound of the membrane potential (reset = 0, threshold = 1)"
    )
    build_dir: str | None = Field(
        None, description="cpp_standalone project folder (None: a fresh temporary one)"
    )

    @pydantic.model_validator(mode="after")
    def _device_settings_apply(self):
        if self.device == "cpp_standalone" and self.codegen_target != "numpy":
            raise ValueError(
                "codegen_target: must be 'numpy' with device='cpp_standalone', which "
                f"generates C++ itself (got {self.codegen_target!r})"
            )
        if self.device != "cpp_standalone" and self.build_dir is not None:
            raise ValueError(
                f"build_dir: must be None unless device='cpp_standalone' (got {self.build_dir!r})"
            )
        return self


# -- building ----------------------------------------------------------------------

_EQS = """
dv/dt = (1 + I_bias + I_syn + I_cue{noise} - v) / tau_m : 1 (unless refractory)
dI_syn/dt = -I_syn / tau_syn : 1
I_cue = cue_current * cue * int(t < t_cue) : 1
I_bias : 1 (constant)
cue : 1 (constant)
cue_current : 1 (shared, constant)
"""


@dataclass
class Brian2Hopfield:
    """The Brian2 objects of one realization, built by :func:`build_network`.

    ``neurons.cue`` (per neuron, ±1), ``neurons.cue_current`` (shared, g*a) and
    ``neurons.I_bias`` are the group variables to change between standalone runs
    with ``device.run(run_args={net.neurons.cue_current: ...})``.
    """

    network: Any
    neurons: Any
    synapses: Any
    spikes: Any
    voltage: Any
    namespace: dict
    n_units: int
    n_cues: int
    n_steps: int
    steps_per_window: int
    dt_s: float
    n_synapses: int

    def run(self) -> None:
        self.network.run(
            self.n_steps * self.dt_s * _b2().second, namespace=self.namespace, **run_report()
        )


def cue_current(options: Brian2HopfieldOptions) -> float:
    return options.gain * options.cue_strength


def build_network(
    params: HopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: Brian2HopfieldOptions,
) -> Brian2Hopfield:
    """Build (not run) the network on the current Brian2 device; see the module docstring.

    Calls ``brian2.seed(seed)``, so call it after ``set_device``.
    """
    b2 = _b2()
    n, n_cues = params.n_units, params.n_cues
    g = options.gain
    w = np.asarray(weights["W"], dtype=np.float64)
    u = np.asarray(weights["U"], dtype=np.float64)
    cues = np.asarray(inputs["cues"], dtype=np.float64)

    b2.seed(seed)
    rng = np.random.default_rng(seed)
    clock = b2.Clock(dt=options.dt_s * b2.second, name="hopfield_clock")

    noise_sd = NOISE_PER_TEMPERATURE * g * params.temperature
    eqs = _EQS.format(noise=" + I_noise" if noise_sd > 0 else "")
    if noise_sd > 0:
        eqs += "dI_noise/dt = -I_noise / tau_syn + sigma * sqrt(2 / tau_syn) * xi : 1\n"
    namespace = {
        "tau_m": options.tau_m_s * b2.second,
        "tau_syn": options.tau_syn_s * b2.second,
        "t_cue": options.cue_duration_s * b2.second,
        "sigma": noise_sd,
        "v_floor": options.v_floor,
    }
    threshold = "v >= 1"
    if _mismatch.active(options):
        eqs, threshold = _mismatch.brian2_equations(eqs, threshold)
    neurons = b2.NeuronGroup(
        n * n_cues,
        eqs,
        threshold=threshold,
        reset="v = 0",
        refractory=options.tau_ref_s * b2.second,
        method="euler",
        clock=clock,
        name="hopfield_units",
    )
    neurons.v = rng.random(n * n_cues)
    # a random refractory phase, so strongly driven copies do not fire in lockstep
    neurons.lastspike = -rng.random(n * n_cues) * options.tau_ref_s * b2.second
    neurons.I_bias = np.tile(-g * (w.sum(axis=1) + u), n_cues)
    neurons.cue = cues.reshape(-1)
    neurons.cue_current = cue_current(options)
    if _mismatch.active(options):
        theta, tau = _mismatch.draw(options, {"units": n}, seed)["units"]
        _mismatch.brian2_set(neurons, theta, tau, options.tau_m_s, n_cues)
    if noise_sd > 0:
        neurons.I_noise = rng.normal(0.0, noise_sd, n * n_cues)  # stationary start

    # block-diagonal: synapse pre j -> post i of every copy carries W[i, j]. Ordered by
    # pre, so that a spike's synapses lie together in memory (Brian2 walks a spiking
    # neuron's synapses; ordered by post they were N apart, and the network ran at 0.58 of
    # a CUBA peer's events/s, benchmarks/bench_brian2_events.py); each post still sums its
    # inputs in the order of the spiking pre neurons, so the spikes are the same
    pre, post = np.nonzero(w.T)
    scale = 2.0 * g / (on_rate_hz(options) * options.tau_syn_s)
    offsets = np.repeat(np.arange(n_cues) * n, len(pre))
    synapses = b2.Synapses(
        neurons,
        neurons,
        model="w : 1 (constant)",
        on_pre="I_syn_post += w",
        clock=clock,
        name="hopfield_recurrent",
    )
    synapses.connect(i=np.tile(pre, n_cues) + offsets, j=np.tile(post, n_cues) + offsets)
    synapses.w = np.tile(scale * w[post, pre], n_cues)

    neurons.run_regularly("v = clip(v, v_floor, inf)", when="after_groups", name="hopfield_floor")
    spikes = b2.SpikeMonitor(neurons, name="hopfield_spikes")
    window = options.window_s * b2.second
    voltage = b2.StateMonitor(neurons, "v", record=True, dt=window, when="end", name="hopfield_v")
    network = b2.Network(neurons, synapses, spikes, voltage, name="hopfield_network")
    steps_per_window = options.steps_per_window
    n_windows = options.n_windows
    return Brian2Hopfield(
        network=network,
        neurons=neurons,
        synapses=synapses,
        spikes=spikes,
        voltage=voltage,
        namespace=namespace,
        n_units=n,
        n_cues=n_cues,
        n_steps=n_windows * steps_per_window,
        steps_per_window=steps_per_window,
        dt_s=options.dt_s,
        n_synapses=len(pre) * n_cues,
    )


# -- decoding ----------------------------------------------------------------------


@dataclass
class Decoded:
    t: np.ndarray
    state: np.ndarray
    spike_times: np.ndarray
    spike_indices: np.ndarray
    mean_rate_hz: float
    converged_cues: np.ndarray


def decode(net: Brian2Hopfield, options: Brian2HopfieldOptions) -> Decoded:
    """Read the monitors (after a run), check for NaN/runaway, decode the ±1 states."""
    b2 = _b2()
    n_total = net.n_units * net.n_cues
    n_windows = net.n_steps // net.steps_per_window
    window = net.steps_per_window * net.dt_s

    v = np.asarray(net.voltage.v[:])  # (neurons, samples)
    v_t = np.asarray(net.voltage.t[:] / b2.second)
    check_finite("v", v.T, v_t, "s")
    t_end = np.array([net.n_steps * net.dt_s])
    check_finite("v", np.asarray(net.neurons.v[:])[None, :], t_end, "s")

    times = np.asarray(net.spikes.t[:] / b2.second, dtype=np.float64)
    idx = np.asarray(net.spikes.i[:], dtype=np.int64)
    step = np.rint(times / net.dt_s).astype(np.int64)
    win = np.minimum(step // net.steps_per_window, n_windows - 1)
    counts = np.bincount(win * n_total + idx, minlength=n_windows * n_total).reshape(
        n_windows, n_total
    )
    rates = counts.sum(axis=1) / (n_total * window)
    check_runaway(rates, runaway_rate_hz(options), window)
    state = np.where(counts >= options.min_spikes, 1, -1).astype(np.int8)
    state = state.reshape(n_windows, net.n_cues, net.n_units)
    return Decoded(
        t=(np.arange(n_windows) + 1) * window,
        state=state,
        spike_times=times,
        spike_indices=idx,
        mean_rate_hz=float(len(idx) / (n_total * n_windows * window)),
        converged_cues=converged_cues(state),
    )


class BuiltHopfield:
    """A network built by :meth:`HopfieldBrian2.build`, ready to run many times.

    Holds the Brian2 objects (:class:`Brian2Hopfield`), the parameters and options
    it was built with, and for ``cpp_standalone`` the compiled project's device and
    folder. ``close()`` removes a temporary build folder (a ``build_dir`` the user
    gave is kept); garbage collection does the same.
    """

    def __init__(
        self,
        net: Brian2Hopfield,
        params: HopfieldParams,
        options: Brian2HopfieldOptions,
        seed: int,
        build_time_s: float,
        device: Any = None,
        directory: str | None = None,
        own_dir: bool = False,
    ) -> None:
        self.net = net
        self.params = params
        self.options = options
        self.seed = seed
        self.build_time_s = build_time_s
        self.device = device
        self.directory = directory
        self._remove = weakref.finalize(self, shutil.rmtree, directory, True) if own_dir else None
        self.closed = False

    def close(self) -> None:
        """Forget the compiled project; remove its folder if it is a temporary one."""
        self.closed = True
        self.device = None
        if self._remove is not None:
            self._remove()

    def __enter__(self) -> BuiltHopfield:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _build(params, weights, inputs, seed, options) -> BuiltHopfield:
    if options.device == "runtime":
        with runtime_target(options.codegen_target):
            t0 = time.perf_counter()
            net = build_network(params, weights, inputs, seed, options)
            net.network.store()
        return BuiltHopfield(net, params, options, seed, time.perf_counter() - t0)
    own_dir = options.build_dir is None
    directory = tempfile.mkdtemp(prefix="neurotwin-brian2-") if own_dir else options.build_dir
    try:
        with standalone(directory, options.openmp_threads) as device:
            t0 = time.perf_counter()
            net = build_network(params, weights, inputs, seed, options)
            net.run()
            device.build(directory=directory, compile=True, run=False, with_output=False)
            build_time = time.perf_counter() - t0
    except BaseException:
        if own_dir:
            shutil.rmtree(directory, ignore_errors=True)
        raise
    return BuiltHopfield(net, params, options, seed, build_time, device, directory, own_dir)


def _run(built: BuiltHopfield, inputs: dict) -> Result:
    net, params, options = built.net, built.params, built.options
    if built.closed:
        raise SimulationError(
            "network: this built hopfield/brian2 network is closed; build it again"
        )
    cues = np.asarray(inputs["cues"], dtype=np.float64).reshape(-1)
    if options.device == "runtime":
        with runtime_target(options.codegen_target):
            t0 = time.perf_counter()
            net.network.restore(restore_random_state=True)
            net.neurons.cue = cues
            net.run()
            run_time = time.perf_counter() - t0
            dec = decode(net, options)
        target = options.codegen_target
    else:
        t0 = time.perf_counter()
        built.device.run(
            directory=built.directory, run_args={net.neurons.cue: cues}, with_output=False
        )
        run_time = time.perf_counter() - t0
        dec = decode(net, options)
        target = "cpp"

    return recall_result(
        "hopfield",
        params,
        built.seed,
        dec,
        {
            "device": options.device,
            "codegen_target": target,
            "build_time_s": float(built.build_time_s),
            "run_time_s": float(run_time),
            "build_dir": options.build_dir if options.device == "cpp_standalone" else None,
            "openmp_threads": options.openmp_threads,
            "n_neurons": int(params.n_units * params.n_cues),
            "n_synapses": int(net.n_synapses),
            "on_rate_hz": float(on_rate_hz(options)),
        },
    )


def recall_result(model: str, params, seed: int, dec: Decoded, provenance: dict) -> Result:
    """The Result of a decoded recall network: states, spikes, convergence and rate (the
    observables the model's ``observe`` completes), for every model recalled this way."""
    return Result(
        model=model,
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=dec.t,
        t_unit="s",
        traces={"state": dec.state},
        spikes={"units": (dec.spike_times, dec.spike_indices)},
        observables={
            "converged": bool(dec.converged_cues.all()),
            "converged_cues": dec.converged_cues,
            "mean_rate_hz": dec.mean_rate_hz,
        },
        provenance=provenance,
    )


@realization(
    "hopfield",
    "brian2",
    options=Brian2HopfieldOptions,
    requires=("brian2",),
    check=device_check("hopfield/brian2"),
)
class HopfieldBrian2:
    """LIF neurons in Brian2, one block-diagonal copy per cue; states decoded from spike
    counts. Two phases: built (compiled, for cpp_standalone) once, run once per set of cues."""

    @staticmethod
    def build(
        params: HopfieldParams,
        weights: dict,
        inputs: dict,
        seed: int,
        options: Brian2HopfieldOptions | None,
    ) -> BuiltHopfield:
        """Build the network (generate and compile it for ``cpp_standalone``)."""
        if options is None:
            options = Brian2HopfieldOptions.create()
        return _build(params, weights, inputs, seed, options)

    @staticmethod
    def run(built: BuiltHopfield, inputs: dict) -> Result:
        """Run the built network from its initial state with the cues ``inputs["cues"]``."""
        return _run(built, inputs)
