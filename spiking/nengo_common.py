r"""Shared helpers for the Nengo and Loihi-emulator realizations of every model.

A realization describes its network as :class:`LIFPopulation` s (LIF neurons,
a constant bias current and, optionally, recurrent weights) and
:class:`WindowedInput` s (a constant vector switched on for a time window), then
calls :func:`check_fits` (Loihi only), :func:`build_network` and
:func:`simulate`. Everything model-specific (how the reference's weights map to
currents, how the state is decoded) stays in the realization; everything about
Nengo and nengo-loihi (how to build, what the chip did to the network, what it
costs) is here, written once.

Weights enter as neuron-to-neuron transforms
--------------------------------------------
Recurrent weights are a ``nengo.Connection(ens.neurons, ens.neurons,
transform=R)``: no encoders, no decoders, ``gain = 1`` on every neuron, so the
input current of neuron :math:`i` is

.. math:: J_i(t) = b_i + \sum_j R_{ij}\, (h * \rho_j)(t) + \sum_k g_{ik} x_k(t)

with :math:`\rho_j` the spike train of neuron :math:`j` (spikes of area 1, so a
neuron firing at :math:`\nu` Hz contributes :math:`R_{ij} \nu` in the mean),
:math:`h` the Lowpass filter of time constant ``tau_syn_s`` and :math:`x_k` the
windowed inputs. Currents are in units of the LIF threshold (``v`` runs from
0 at reset to 1 at threshold; ``tau_rc dv/dt = J - v``; the voltage is clipped
at ``min_voltage``, 0 or ``-inf``). The alternative, a decoded (NEF) connection, puts
decoders and encoders between the neurons and behaves differently (it
represents a vector, with the decoding error of a finite ensemble); a
realization that uses it says so.

The Loihi emulator
------------------
``nengo_loihi.Simulator(target="sim")`` runs the network as the chip would:
weights, biases, thresholds and decays in fixed point, every input to a block of
compartments through one synaptic filter, inputs from the host as spikes of
on/off neurons, initial voltages zero. Settings that make the network build on
the chip target, applied per network so nothing global changes:

* ``nengo_loihi.set_defaults()`` is **not** called: it changes nengo's class
  defaults (``nengo.LIF.state["voltage"]``, Ensemble ``max_rates`` and
  ``intercepts``) for the whole process, which would silently change every
  later float-Nengo run. Populations here have explicit gains and biases, so
  those defaults do not matter; a decoded variant sets ``max_rates`` and
  ``intercepts`` on its own ensembles (:data:`LOIHI_ENSEMBLE_DEFAULTS`).
* ``Model.decode_tau`` is set to the populations' ``tau_syn_s`` and the host
  side of each input connection gets no filter, so an input is filtered once,
  on chip, with the same time constant as in float Nengo (nengo-loihi would
  otherwise filter it on the host with the connection's synapse *and* on the
  chip with ``decode_tau``, and overwrite the block's ``tau_s``).

Warnings
--------
nengo-loihi reports what it changed about a model as Python warnings (the nengo
version is untested; non-zero initial voltages are unsupported; a block's
``tau_s`` was overwritten; bits were lost in weight rounding; ...). They are
captured during import, build and run (:func:`capture_warnings`), classified
(:data:`KNOWN_WARNINGS`) and returned as :class:`CapturedWarning` records, so a
caller can report each with its measured effect instead of printing it.

Chip limits
-----------
Per neuromorphic core (Davies et al. 2018, IEEE Micro 38(1), p. 89, mapping
constraints 1-4; the same numbers are nengo-loihi 1.1.0's
``nengo_loihi.block.MAX_COMPARTMENTS``, ``MAX_IN_AXONS``, ``MAX_OUT_AXONS`` and
``MAX_SYNAPSE_BITS``):

* 1024 compartments ("The total number of neurons assigned to any core may not
  exceed 1,024");
* 4096 input axons (distribution lists, the fan-in);
* 4096 output axons (core-to-core fan-out edges);
* 16384 x 64 bits of synaptic memory (128 KB of synaptic state).

A chip has 128 neuromorphic cores (Davies et al. 2018, p. 86; nengo-loihi's
``hardware.allocators.Greedy(cores_per_chip=128)``). nengo-loihi puts every
block on its own core and splits a block that exceeds a limit by
compartments; splitting cannot reduce a dense connection's fan-in, so a
population whose inputs need more than 4096 axons per core cannot be mapped at
all. :func:`check_fits` computes this before anything is built and raises
:class:`~neurotwin.errors.ParamError` — the parameters ask for a network the
target cannot hold, which is a property of the input, known before any
simulation (``SimulationError`` is for what goes wrong while simulating).

Energy
------
:func:`energy_estimate` multiplies event counts by the per-event energies of
Davies et al. (2018), Table 2 ("Loihi pre-silicon performance and energy
measurements", from SDF/SPICE simulation, "consistent with early post-silicon
characterization"): 23.6 pJ per synaptic spike operation (min), 81 pJ / 52 pJ
per neuron update (active / inactive) and 1.7 pJ per spike delivered within a
tile. It is an **estimate**: no static (leakage) power, no host I/O, no tile
hops between cores, and the per-event figures are the paper's, not measured on
this network.

References
----------
Davies, M. et al. (2018). Loihi: a neuromorphic manycore processor with on-chip
learning. IEEE Micro 38(1), 82-99. doi:10.1109/MM.2018.112130359
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import re
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from neurotwin.errors import BackendUnavailable, ParamError, SimulationError

Backend = Literal["nengo", "loihi-emulator"]

# -- chip limits and energy figures ---------------------------------------------------

#: per-core limits, Davies et al. 2018 p. 89 = nengo_loihi.block.MAX_* (1.1.0)
MAX_COMPARTMENTS = 1024
MAX_IN_AXONS = 4096
MAX_OUT_AXONS = 4096
MAX_SYNAPSE_BITS = 16384 * 64
#: neuromorphic cores per Loihi chip (Davies et al. 2018 p. 86)
CORES_PER_CHIP = 128

#: Davies et al. 2018, Table 2, in joules
ENERGY_PER_SYNAPTIC_OP_J = 23.6e-12
ENERGY_PER_NEURON_UPDATE_ACTIVE_J = 81e-12
ENERGY_PER_NEURON_UPDATE_INACTIVE_J = 52e-12
ENERGY_PER_SPIKE_WITHIN_TILE_J = 1.7e-12

#: what a decoded (NEF) variant sets on its own ensembles for the chip, instead
#: of nengo_loihi.set_defaults() (which changes nengo's defaults process-wide)
LOIHI_ENSEMBLE_DEFAULTS = {"max_rates": (100.0, 120.0), "intercepts": (-1.0, 0.5)}

# nengo-loihi's synapse format for set_weights(): 8-bit weights, 64 weights per
# synapse list entry, mixed sign (nengo_loihi.block.Synapse._set_weights_indices)
_WEIGHT_BITS = 8
_SYNAPSES_PER_LIST = 64
_LIST_HEADER_BITS = 4 + 6  # synapse_idx_bits + n_synapses_bits
_MEMORY_UNIT_BITS = 64


# -- network description ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LIFPopulation:
    r"""``n`` LIF neurons with a bias current and, optionally, recurrent weights.

    Attributes
    ----------
    label : str
        Unique name; blocks and synapses on the chip are traced back by it.
    bias : (n,) array
        Constant input current :math:`b_i`, in threshold units.
    recurrent : (n, n) array or None
        :math:`R_{ij}` (post i, pre j): current per unit of presynaptic rate in
        Hz, i.e. the area of the filtered current one spike of j adds to i.
    tau_rc_s, tau_ref_s : float
        Membrane time constant and refractory period, in seconds.
    tau_syn_s : float
        Lowpass time constant of the recurrent and input synapses, in seconds.
    initial_voltage : (n,) array or None
        Initial membrane voltages in [0, 1); None: all zero. The chip ignores
        non-zero values (nengo-loihi warns and starts from zero).
    min_voltage : float
        Lower bound of the voltage (0: a reflecting floor at reset; ``-inf``: none).
    delay_steps : int
        Transmission delay of the recurrent synapses in simulator steps (float Nengo
        only: a discrete filter :math:`(1 - a) z^{-k} / (1 - a z^{-1})`,
        :math:`a = e^{-\Delta t / \tau}`, the Lowpass delayed by ``k`` steps;
        nengo-loihi 1.1 maps only Lowpass synapses, so the chip target needs 0).
    recurrent_residual : (n, n) array or None
        A second recurrent connection (same synapse) added to ``recurrent``. On the
        chip each connection has its own weight exponent, so the rounding error of
        the first can be stored, at a finer scale, in the second
        (:func:`with_chip_residuals`, a mitigation of weight quantization).
    """

    label: str
    bias: np.ndarray
    recurrent: np.ndarray | None
    tau_rc_s: float
    tau_ref_s: float
    tau_syn_s: float
    initial_voltage: np.ndarray | None = None
    min_voltage: float = 0.0
    delay_steps: int = 0
    recurrent_residual: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.bias)


@dataclass(frozen=True, eq=False)
class WindowedInput:
    """``gain * values`` added to the input current of a population while
    ``t_start_s <= t < t_stop_s`` (zero otherwise).

    ``values`` must lie in [-1, 1]: on the chip they are sent from the host as
    spikes of on/off neurons that saturate at magnitude 1; the strength goes in
    ``gain`` (one per neuron, a diagonal transform held on chip).
    """

    target: str
    values: np.ndarray
    gain: np.ndarray
    t_start_s: float
    t_stop_s: float


@dataclass
class BuiltNetwork:
    """A nengo.Network built by :func:`build_network`, with its handles."""

    network: Any
    populations: list[LIFPopulation]
    inputs: list[WindowedInput]
    ensembles: dict[str, Any]
    recurrent: dict[str, Any]
    spike_probes: dict[str, Any]
    residual: dict[str, Any]


def build_network(
    populations: Sequence[LIFPopulation],
    inputs: Sequence[WindowedInput],
    backend: Backend,
    dt_s: float | None = None,
) -> BuiltNetwork:
    """One ``nengo.Ensemble`` per population (explicit gain 1 and bias), its
    recurrent neuron-to-neuron connection, a Node per input and spike probes.

    The input's Lowpass sits on the Nengo connection for ``backend="nengo"``;
    for ``"loihi-emulator"`` the connection has none and the chip applies it
    (``Model.decode_tau``, see :func:`simulate`), so both filter it once.
    ``dt_s`` (the simulator step) is needed only by populations with delays.
    """
    import nengo

    labels = [p.label for p in populations]
    if len(set(labels)) != len(labels):
        raise ValueError(f"population labels must be unique (got {labels})")
    delayed = [p.label for p in populations if p.delay_steps]
    if delayed and (backend != "nengo" or dt_s is None):
        raise ValueError(
            f"synaptic delays need backend 'nengo' and dt_s (got {backend!r}, {dt_s!r} "
            f"for {delayed})"
        )
    ensembles, recurrent, probes, residual = {}, {}, {}, {}
    with nengo.Network(label="neurotwin") as net:
        for pop in populations:
            # explicit zeros, not None: nengo 4.1's LIF default is Uniform(0, 1)
            v0 = np.zeros(pop.n) if pop.initial_voltage is None else pop.initial_voltage
            state = {"voltage": np.asarray(v0, dtype=float)}
            neuron = nengo.LIF(
                tau_rc=pop.tau_rc_s,
                tau_ref=pop.tau_ref_s,
                min_voltage=pop.min_voltage,
                initial_state=state,
            )
            ens = nengo.Ensemble(
                pop.n,
                1,
                neuron_type=neuron,
                gain=np.ones(pop.n),
                bias=np.asarray(pop.bias, dtype=float),
                label=pop.label,
            )
            ensembles[pop.label] = ens
            if pop.recurrent is not None:
                recurrent[pop.label] = nengo.Connection(
                    ens.neurons,
                    ens.neurons,
                    transform=np.asarray(pop.recurrent, dtype=float),
                    synapse=_recurrent_synapse(pop, dt_s),
                    label=f"{pop.label}:recurrent",
                )
            if pop.recurrent_residual is not None:
                residual[pop.label] = nengo.Connection(
                    ens.neurons,
                    ens.neurons,
                    transform=np.asarray(pop.recurrent_residual, dtype=float),
                    synapse=nengo.Lowpass(pop.tau_syn_s),
                    label=f"{pop.label}:residual",
                )
            probes[pop.label] = nengo.Probe(ens.neurons, "output", synapse=None)
        for k, inp in enumerate(inputs):
            pop = populations[labels.index(inp.target)]
            node = nengo.Node(
                _window(np.asarray(inp.values, dtype=float), inp.t_start_s, inp.t_stop_s),
                size_out=pop.n,
                label=f"{inp.target}:input{k}",
            )
            nengo.Connection(
                node,
                ensembles[inp.target].neurons,
                transform=np.broadcast_to(np.asarray(inp.gain, dtype=float), (pop.n,)).copy(),
                synapse=nengo.Lowpass(pop.tau_syn_s) if backend == "nengo" else None,
                label=f"{inp.target}:input{k}",
            )
    return BuiltNetwork(
        net, list(populations), list(inputs), ensembles, recurrent, probes, residual
    )


def _recurrent_synapse(pop: LIFPopulation, dt_s: float | None):
    import nengo

    if not pop.delay_steps:
        return nengo.Lowpass(pop.tau_syn_s)
    a = math.exp(-dt_s / pop.tau_syn_s)
    # zero-order-hold Lowpass (nengo's own discretisation) times z^-k
    return nengo.LinearFilter([1.0 - a], [1.0, -a] + [0.0] * pop.delay_steps, analog=False)


def _window(values: np.ndarray, t_start: float, t_stop: float):
    zero = np.zeros_like(values)

    def output(t):
        # nengo calls this at the end of each step; half a step of slack makes the
        # window cover exactly round((t_stop - t_start) / dt) steps
        return values if t_start < t <= t_stop + 1e-9 else zero

    return output


# -- warnings -------------------------------------------------------------------------


@dataclass
class CapturedWarning:
    """One kind of warning raised by Nengo / nengo-loihi, with how often it came."""

    name: str
    category: str
    message: str
    source: str
    count: int = 1
    meaning: str = ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "category": self.category,
            "message": self.message,
            "source": self.source,
            "count": self.count,
            "meaning": self.meaning,
        }


#: (name, pattern in the message, what it means for the model)
KNOWN_WARNINGS = (
    (
        "untested-nengo-version",
        r"has not been tested with your `nengo` version",
        "nengo-loihi's test suite was not run against this nengo; no separate effect can "
        "be isolated, the emulator-vs-float agreement bounds it",
    ),
    (
        "nonzero-initial-state",
        r"does not support initial values for .* being non-zero",
        "the chip starts every voltage at zero instead of the requested initial state",
    ),
    (
        "tau_s-overwritten",
        r"tau_s is (already set|currently)",
        "all inputs to a block share one synaptic filter; one input gets another's tau",
    ),
    (
        "weight-bits-lost",
        r"Lost \d+ extra bits in weight rounding",
        "a weight exponent below the format's range dropped low-order weight bits",
    ),
    (
        "intercepts-clipped",
        r"Intercepts are larger than intercept limit",
        "ensemble intercepts were clipped to the chip's limit",
    ),
    (
        "undefined-max-rates",
        r"Non-finite values detected in `max_rates`|invalid value encountered in log1p",
        "harmless: nengo derives max_rates/intercepts from the explicit gains and biases for "
        "information only; a neuron that never fires at x = 1 has none; neuron-to-neuron "
        "transforms do not use them",
    ),
    (
        "emulator-nan-init",
        r"invalid value encountered in cast",
        "harmless: the emulator fills integer state arrays with NaN placeholders "
        "before copying every block's values in (nengo_loihi/emulator/interface.py)",
    ),
)


def classify_warning(message: str) -> tuple[str, str]:
    for name, pattern, meaning in KNOWN_WARNINGS:
        if re.search(pattern, message):
            return name, meaning
    return "other", "not classified by neurotwin; see the message"


class WarningLog:
    """Collects warnings by (name, message), counting repeats."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], CapturedWarning] = {}

    def add(self, w: warnings.WarningMessage) -> None:
        message = str(w.message)
        name, meaning = classify_warning(message)
        key = (name, message)
        if key in self._records:
            self._records[key].count += 1
        else:
            source = f"{_short_path(w.filename)}:{w.lineno}"
            self._records[key] = CapturedWarning(
                name, w.category.__name__, message, source, 1, meaning
            )

    def records(self) -> list[CapturedWarning]:
        return list(self._records.values())


def _short_path(path: str) -> str:
    parts = path.replace("\\", "/").split("/")
    for anchor in ("nengo_loihi", "nengo", "numpy"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor) :])
    return parts[-1]


@contextlib.contextmanager
def capture_warnings(log: WarningLog) -> Iterator[WarningLog]:
    """Record every warning raised inside the block into ``log`` instead of printing it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield log
        finally:
            for w in caught:
                log.add(w)


def import_nengo_loihi(log: WarningLog | None = None):
    """Import nengo_loihi (lazily), recording its version warning into ``log``.

    The version check runs once per process at import; it is re-run here so
    every caller's log gets the warning, not only the first one.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import nengo_loihi
    except ImportError as exc:  # pragma: no cover - guarded by the registry's `requires`
        raise BackendUnavailable(
            f'nengo_loihi cannot be imported; install it with: pip install -e ".[loihi]" ({exc})'
        ) from exc
    if log is not None:
        with capture_warnings(log):
            nengo_loihi.version.check_nengo_version()
    return nengo_loihi


# -- fitting on the chip ----------------------------------------------------------------


def check_loihi_numpy(options=None) -> None:
    """Availability check of every ``loihi-emulator`` realization: nengo-loihi 1.1.0
    needs numpy < 2 (its build calls ``np.array(w, copy=False)``, which numpy 2 rejects
    with ``ValueError: Unable to avoid copy``)."""
    if int(np.__version__.split(".")[0]) >= 2:
        raise BackendUnavailable(
            f"the loihi-emulator realizations need numpy < 2 (nengo-loihi 1.1.0 fails to "
            f"build under numpy 2; numpy {np.__version__} is installed); install the extra, "
            f'which pins it, into its own environment: pip install -e ".[loihi]"'
        )


def synapse_list_bits(n_weights: int) -> int:
    """Synaptic memory for one input axon with ``n_weights`` stored weights.

    nengo-loihi's format for ``set_weights`` (``SynapseConfig.bits_per_axon``
    with 8-bit weights, no index bits, no delays): lists of up to 64 weights,
    each list ``8 n + 10`` bits rounded up to whole 64-bit words.
    """
    bits = 0
    for start in range(0, n_weights, _SYNAPSES_PER_LIST):
        n = min(n_weights - start, _SYNAPSES_PER_LIST)
        raw = n * _WEIGHT_BITS + _LIST_HEADER_BITS
        bits += -(-raw // _MEMORY_UNIT_BITS) * _MEMORY_UNIT_BITS
    return bits


@dataclass
class ChipPlan:
    """Cores a set of populations needs, computed before building (see :func:`check_fits`)."""

    cores: int
    cores_per_population: dict[str, int]
    chips: int


def check_fits(
    populations: Sequence[LIFPopulation],
    inputs: Sequence[WindowedInput],
    *,
    what: str,
    max_chips: int = 1,
) -> ChipPlan:
    """Check that the populations map onto ``max_chips`` Loihi chips; raise if not.

    For each population, as nengo-loihi would place it: the block is split into
    ``k`` cores, the most any per-core limit needs (compartments, input axons,
    output axons, synaptic memory); then on every one of the ``k`` cores the
    dense recurrent fan-in (``n`` axons) plus the input's on/off axons
    (``2 * n / k``) must stay within 4096 input axons, and each neuron's
    ``k`` output axons within 4096 output axons per core. The cores of all
    populations must fit ``max_chips * 128``.

    Parameters
    ----------
    what : str
        Names the parameter that sets the size, e.g. ``"HopfieldParams.n_units"``,
        the start of the error message.

    Raises
    ------
    ParamError
        ``<what>: network too large for the Loihi chip: <limit> ... exceeded by <n>``.
    """
    per_pop = {}
    for pop in populations:
        n = pop.n
        n_in = 2 * n * sum(1 for inp in inputs if inp.target == pop.label)
        # one set of n axons per recurrent connection (a residual is a second one)
        rec_axons = n * ((pop.recurrent is not None) + (pop.recurrent_residual is not None))
        bits = rec_axons * synapse_list_bits(n) + n_in * synapse_list_bits(1)
        k = max(
            math.ceil(n / MAX_COMPARTMENTS),
            math.ceil((rec_axons + n_in) / MAX_IN_AXONS),
            math.ceil(bits / MAX_SYNAPSE_BITS),
            1,
        )
        piece = math.ceil(n / k)
        fan_in = rec_axons + math.ceil(n_in / k)
        if fan_in > MAX_IN_AXONS:
            raise ParamError(
                f"{what}: network too large for the Loihi chip: population {pop.label!r} of "
                f"{n} neurons needs {fan_in} input axons per core (dense recurrent fan-in "
                f"{rec_axons} + {fan_in - rec_axons} input axons), over the limit of "
                f"{MAX_IN_AXONS} per core by {fan_in - MAX_IN_AXONS} (got {n})"
            )
        fan_out = piece * (k if pop.recurrent is not None else 0)
        if fan_out > MAX_OUT_AXONS:
            raise ParamError(
                f"{what}: network too large for the Loihi chip: population {pop.label!r} of "
                f"{n} neurons on {k} cores needs {fan_out} output axons per core, over the "
                f"limit of {MAX_OUT_AXONS} per core by {fan_out - MAX_OUT_AXONS} (got {n})"
            )
        per_pop[pop.label] = k
    cores = sum(per_pop.values())
    available = max_chips * CORES_PER_CHIP
    if cores > available:
        sizes = sorted({p.n for p in populations})
        got = sizes[0] if len(sizes) == 1 else sizes
        raise ParamError(
            f"{what}: network too large for the Loihi chip: {len(populations)} populations need "
            f"{cores} cores, over the {available} cores of {max_chips} chip(s) "
            f"({CORES_PER_CHIP} per chip) by {cores - available} (got {got})"
        )
    return ChipPlan(cores, per_pop, math.ceil(cores / CORES_PER_CHIP))


# -- simulation -----------------------------------------------------------------------


@dataclass
class SimOutput:
    """What :func:`simulate` returns: spikes, timing, warnings, and the chip report."""

    dt_s: float
    n_steps: int
    #: population label -> (n_steps, n) spike counts per time step
    spikes: dict[str, np.ndarray]
    warnings: list[CapturedWarning]
    build_time_s: float
    run_time_s: float
    #: Loihi only: resources, weight quantization, event counts
    chip: dict | None = None

    def filtered(self, label: str, tau_s: float) -> np.ndarray:
        """Lowpass-filtered activity in Hz, (n_steps, n): the same zero-order-hold
        exponential filter as ``nengo.Lowpass`` applied to the spike trains."""
        return lowpass(self.spikes[label] / self.dt_s, tau_s, self.dt_s)


def lowpass(x: np.ndarray, tau_s: float, dt_s: float) -> np.ndarray:
    a = math.exp(-dt_s / tau_s)
    out = np.empty(x.shape, dtype=float)
    y = np.zeros(x.shape[1:], dtype=float)
    for k in range(len(x)):
        y = a * y + (1 - a) * x[k]
        out[k] = y
    return out


def simulate(
    built: BuiltNetwork, backend: Backend, n_steps: int, dt_s: float, seed: int
) -> SimOutput:
    """Build and run ``built`` for ``n_steps`` on Nengo or on the Loihi emulator.

    For the emulator the result's ``chip`` holds :func:`resource_report`,
    :func:`weight_quantization` per recurrent population and the event counts
    (spikes, synaptic operations, compartment updates) for :func:`energy_estimate`.
    """
    import nengo

    log = WarningLog()
    seed = int(seed) % 2**32
    chip = None
    if backend == "nengo":
        t0 = time.perf_counter()
        # no decoder cache: the shared on-disk cache breaks across numpy majors (the
        # default and [loihi] environments differ) and a run must not depend on it
        model = nengo.builder.Model(dt=dt_s, decoder_cache=nengo.cache.NoDecoderCache())
        with capture_warnings(log), _build_errors("nengo"):
            sim = nengo.Simulator(
                built.network, dt=dt_s, seed=seed, model=model, progress_bar=False
            )
        t1 = time.perf_counter()
        with capture_warnings(log), sim:
            sim.run_steps(n_steps)
            spikes = _collect_spikes(sim, built, dt_s)
        t2 = time.perf_counter()
    elif backend == "loihi-emulator":
        nengo_loihi = import_nengo_loihi(log)
        model = _loihi_model(nengo_loihi, built, dt_s)
        t0 = time.perf_counter()
        with capture_warnings(log), _build_errors("loihi-emulator"):
            sim = nengo_loihi.Simulator(
                built.network, dt=dt_s, seed=seed, target="sim", model=model, precompute=True
            )
        input_spikes = _count_input_spikes(sim.model)
        t1 = time.perf_counter()
        with capture_warnings(log), sim:
            sim.run_steps(n_steps)
            spikes = _collect_spikes(sim, built, dt_s)
        t2 = time.perf_counter()
        chip = {
            "resources": resource_report(sim.model, built.ensembles),
            "quantization": {
                pop.label: weight_quantization(
                    sim.model, conn, _full_recurrent(pop).T / dt_s, built.residual.get(pop.label)
                )
                for pop in built.populations
                if (conn := built.recurrent.get(pop.label)) is not None
            },
            "events": _event_counts(sim.model, built, spikes, input_spikes, n_steps),
            "bias": _bias_quantization(sim.model, built),
        }
    else:
        raise ValueError(f"backend must be 'nengo' or 'loihi-emulator' (got {backend!r})")
    return SimOutput(dt_s, n_steps, spikes, log.records(), t1 - t0, t2 - t1, chip)


@contextlib.contextmanager
def _build_errors(backend: str) -> Iterator[None]:
    """A network the backend cannot build (e.g. the chip finds no weight exponent for
    the given weights and biases) -> :class:`~neurotwin.errors.SimulationError` naming
    the backend and nengo's reason, instead of an exception from deep inside nengo."""
    import nengo

    try:
        yield
    except nengo.exceptions.BuildError as exc:
        raise SimulationError(f"{backend}: the network could not be built: {exc}") from exc


def _loihi_model(nengo_loihi, built: BuiltNetwork, dt_s: float):
    taus = {p.tau_syn_s for p in built.populations}
    model = nengo_loihi.builder.Model(dt=dt_s, label="neurotwin")
    # inputs share the populations' filter (see the module docstring)
    model.decode_tau = max(taus) if taus else model.decode_tau
    model.build_callback = _LabelSynapses(model, built)
    return model


def _full_recurrent(pop: LIFPopulation) -> np.ndarray:
    """The float recurrent weights a population means: the first connection plus its residual."""
    if pop.recurrent_residual is None:
        return pop.recurrent
    return pop.recurrent + pop.recurrent_residual


def with_chip_residuals(
    populations: Sequence[LIFPopulation],
    inputs: Sequence[WindowedInput],
    dt_s: float,
    seed: int,
) -> list[LIFPopulation]:
    """Mitigate weight rounding: add to each recurrent population the residual
    :math:`R - Q(R)` of its weights as a second connection.

    The chip stores 8-bit weights with one exponent per connection, set by the
    largest weight; small weights lose relative precision or round to zero. The
    residual of that rounding is about 1/255 of the largest weight, so its own
    exponent is lower and it is stored with finer steps (a few bits: the chip's
    shift drops low bits below exponent -1). :math:`Q(R)` is read back from a
    first build of the same network (nothing is run), so the residual is exact for
    the chip's own rounding. Costs: a second build, twice the recurrent synapses,
    input axons and synaptic operations.
    """
    nengo_loihi = import_nengo_loihi()
    built = build_network(populations, inputs, "loihi-emulator")
    model = _loihi_model(nengo_loihi, built, dt_s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the real build reports them
        sim = nengo_loihi.Simulator(
            built.network, dt=dt_s, seed=int(seed) % 2**32, target="sim", model=model
        )
    out = []
    with sim:
        for pop in populations:
            conn = built.recurrent.get(pop.label)
            if conn is None:
                out.append(pop)
                continue
            stored = chip_weights(sim.model, conn).T * dt_s  # back to transform units
            out.append(dataclasses.replace(pop, recurrent_residual=pop.recurrent - stored))
    return out


def _collect_spikes(sim, built: BuiltNetwork, dt_s: float) -> dict[str, np.ndarray]:
    out = {}
    for label, probe in built.spike_probes.items():
        data = np.asarray(sim.data[probe])
        out[label] = np.rint(data * dt_s).astype(np.int32)
    return out


class _LabelSynapses:
    """build_callback: give each recurrent connection's chip synapse a unique label,
    so its pieces can be found again after nengo-loihi splits the block."""

    def __init__(self, model, built: BuiltNetwork) -> None:
        self.model = model
        self.conns = {conn: label for label, conn in built.recurrent.items()}
        self.conns.update({conn: f"{label}:residual" for label, conn in built.residual.items()})

    def __call__(self, obj) -> None:
        label = self.conns.get(obj)
        if label is not None:
            self.model.objs[obj]["weights"].label = f"neurotwin:{label}:recurrent"


def _count_input_spikes(model) -> dict:
    """Wrap each host-to-chip SpikeInput so the spikes it receives are counted."""
    counts: dict = {}
    for inp in model.inputs:
        counts[inp] = np.zeros(getattr(inp, "n_neurons", 0), dtype=np.int64)
        original = inp.add_spikes

        def add_spikes(ti, spike_idxs, permanent=False, _orig=original, _c=counts[inp]):
            np.add.at(_c, np.asarray(spike_idxs, dtype=np.int64), 1)
            return _orig(ti, spike_idxs, permanent=permanent)

        inp.add_spikes = add_spikes
    return counts


# -- what the chip did: resources, quantization, events ------------------------------------


def _blocks_of(model, ensemble) -> list:
    obj = model.objs[ensemble]["in"]
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


_RESOURCE_KEYS = ("compartments", "in_axons", "out_axons", "synapses", "synapse_bits")


def resource_report(model, groups: dict | None = None) -> dict:
    """Cores, compartments, axons and synaptic memory of a built nengo-loihi model.

    Every block is one core (nengo-loihi's allocators place each block on its
    own core). Per block: ``compartments``, ``in_axons`` (sum of the input
    synapses' axons), ``out_axons`` (axon slots of the block's outgoing
    axons), ``synapses`` (stored weights, zeros of dense rows included),
    ``synapse_bits``; and whether each is within :data:`MAX_COMPARTMENTS`,
    :data:`MAX_IN_AXONS`, :data:`MAX_OUT_AXONS`, :data:`MAX_SYNAPSE_BITS`.
    ``groups`` (name -> nengo Ensemble) adds the same totals per ensemble,
    over the blocks (cores) it was split into, under ``"groups"``.
    """
    blocks = []
    group_of = {}
    for name, ens in (groups or {}).items():
        for block in _blocks_of(model, ens):
            group_of[block] = name
    for block in model.blocks:
        row = {
            "label": str(block.label),
            "group": group_of.get(block),
            "compartments": int(block.compartment.n_compartments),
            "in_axons": int(sum(s.n_axons for s in block.synapses)),
            "out_axons": int(sum(a.axon_slots() for a in block.axons)),
            "synapses": int(sum(s.size() for s in block.synapses)),
            "synapse_bits": int(sum(s.bits() for s in block.synapses)),
        }
        row["within_limits"] = bool(
            row["compartments"] <= MAX_COMPARTMENTS
            and row["in_axons"] <= MAX_IN_AXONS
            and row["out_axons"] <= MAX_OUT_AXONS
            and row["synapse_bits"] <= MAX_SYNAPSE_BITS
        )
        blocks.append(row)
    cores = len(blocks)
    totals = {key: int(sum(b[key] for b in blocks)) for key in _RESOURCE_KEYS}
    by_group = {}
    for name in groups or {}:
        rows = [b for b in blocks if b["group"] == name]
        by_group[name] = {
            "cores": len(rows),
            **{key: int(sum(b[key] for b in rows)) for key in _RESOURCE_KEYS},
            "within_limits": all(b["within_limits"] for b in rows),
        }
    n_input_axons = sum(int(getattr(inp, "n_neurons", 0)) for inp in model.inputs)
    return {
        "cores": cores,
        "chips": max(1, math.ceil(cores / CORES_PER_CHIP)),
        "fits_one_chip": bool(cores <= CORES_PER_CHIP and all(b["within_limits"] for b in blocks)),
        **totals,
        "host_input_neurons": n_input_axons,
        "limits_per_core": {
            "compartments": MAX_COMPARTMENTS,
            "in_axons": MAX_IN_AXONS,
            "out_axons": MAX_OUT_AXONS,
            "synapse_bits": MAX_SYNAPSE_BITS,
            "cores_per_chip": CORES_PER_CHIP,
        },
        "groups": by_group,
        "blocks": blocks,
    }


def chip_weights(model, conn) -> np.ndarray:
    """The weights of ``conn`` as the chip holds them, back in float units.

    Returns a (pre, post) array in the units of nengo-loihi's float synapse
    weights (the neuron-to-neuron transform, transposed, divided by ``dt``).
    Each block stores integer weights :math:`w_{\\mathrm{int}}` already shifted
    by its synapse's weight exponent; the block's discretization (``w_scale``,
    ``w_exp`` in ``compartment.discretize_info``) maps a float weight :math:`w`
    to :math:`w\\, w_{\\mathrm{scale}}\\, 2^{6 + w_{\\mathrm{exp}}}`, so the
    chip's weight in float units is :math:`w_{\\mathrm{int}} /
    (w_{\\mathrm{scale}}\\, 2^{6 + w_{\\mathrm{exp}}})`. Works on split blocks
    (pieces found by the label :class:`_LabelSynapses` gave the synapse).
    """
    old = model.objs[conn]["weights"]
    n_pre = old.n_axons
    n_post = conn.post_obj.size_in
    out = np.zeros((n_pre, n_post))
    found = False
    for block in _blocks_of(model, conn.post_obj.ensemble):
        comp_ids = np.array(list(model.block_comp_map[block]), dtype=np.int64)
        info = block.compartment.discretize_info
        scale = _weight_scale(info)
        for syn in block.synapses:
            if syn is old:
                axon_ids = np.arange(n_pre)
            elif isinstance(syn.label, str) and syn.label.startswith(f"{old.label}["):
                axon_ids = _split_axon_ids(old, set(comp_ids.tolist()))
            else:
                continue
            found = True
            for a_new, a_old in enumerate(axon_ids):
                w, idx = syn.axon_weights_indices(a_new)
                out[a_old, comp_ids[idx]] = np.asarray(w, dtype=float) / scale
    if not found:  # pragma: no cover - nengo-loihi internals changed
        raise RuntimeError(f"no chip synapse found for {conn}")
    return out


def quantization_summary(q: dict) -> dict:
    """A :func:`weight_quantization` report without the rounded matrix: plain JSON, for a
    Result's provenance."""
    return {k: v for k, v in q.items() if k != "quantized"}


def _weight_scale(info: dict) -> float:
    """Float weight -> stored integer weight factor of a block: w_scale 2^(6 + w_exp).
    One scale per block (nengo-loihi asserts it), sometimes held as an array."""
    return float(np.ravel(info["w_scale"])[0]) * 2.0 ** (6 + int(np.ravel(info["w_exp"])[0]))


def _split_axon_ids(old, block_comps: set) -> list[int]:
    # split_synapse keeps, in order, the old axons that reach any compartment of the block
    ids = []
    for a in range(old.n_axons):
        _, idx = old.axon_weights_indices(a)
        if block_comps.intersection(np.asarray(idx).tolist()):
            ids.append(a)
    return ids


def weight_quantization(model, conn, float_weights: np.ndarray, residual=None) -> dict:
    """Compare the chip's weights of ``conn`` (plus those of its ``residual``
    connection, if any) with the float weights (pre, post).

    Errors are relative to the full scale :math:`\\max |w|` (so a zero weight
    has a defined error): ``error_max`` = :math:`\\max |w_q - w| / \\max|w|`,
    ``error_rms`` = RMS of the same over all entries; ``error_max_nonzero_rel``
    is the largest elementwise :math:`|w_q - w| / |w|` over non-zero weights.
    ``weight_bits`` is the signed width actually used: the format's 8 bits
    (7 bits of magnitude in steps of 2 for mixed-sign weights, plus the sign),
    less any ``lost_bits`` (weight exponent below the format's range);
    ``resolution`` is the coarsest weight step (one least significant bit of the
    stored weights, in float units) over the connection's pieces.
    """
    wq = chip_weights(model, conn)
    if residual is not None:
        wq = wq + chip_weights(model, residual)
    w = np.asarray(float_weights, dtype=float)
    full = float(np.abs(w).max()) if w.size else 0.0
    err = (wq - w) / full if full > 0 else np.zeros_like(w)
    nz = w != 0
    rel_nz = np.abs(wq[nz] - w[nz]) / np.abs(w[nz]) if nz.any() else np.zeros(0)
    old = model.objs[conn]["weights"]
    cfgs, resolution, pieces = [], 0.0, []
    for block in _blocks_of(model, conn.post_obj.ensemble):
        info = block.compartment.discretize_info
        comps = sorted(model.block_comp_map[block])
        for syn in block.synapses:
            if syn is old or (isinstance(syn.label, str) and syn.label.startswith(f"{old.label}[")):
                cfg = syn.synapse_cfg
                cfgs.append(cfg)
                pieces.append(
                    {
                        "post": [int(comps[0]), int(comps[-1]) + 1],
                        "block_w_max": float(info["w_max"]),
                        "block_w_exp": int(info["w_exp"]),
                    }
                )
                # integer weights are multiples of 2**(6 + max(shift + weight_exp, 0))
                grain = 2.0 ** (6 + max(cfg.shift_bits + cfg.weight_exp, 0))
                lsb = grain / _weight_scale(info)
                resolution = max(resolution, lsb)
    lost = max(max(0, -(c.shift_bits + c.weight_exp)) for c in cfgs)
    return {
        "weight_bits": int(cfgs[0].real_weight_bits - lost),
        "format_bits": int(cfgs[0].real_weight_bits),
        "weight_exp": sorted({int(c.weight_exp) for c in cfgs}),
        "lost_bits": int(lost),
        "range": [float(wq.min()), float(wq.max())],
        "float_range": [float(w.min()), float(w.max())],
        "levels": int(len(np.unique(wq))),
        "resolution": resolution,
        "error_max": float(np.abs(err).max()) if err.size else 0.0,
        "error_rms": float(np.sqrt(np.mean(err**2))) if err.size else 0.0,
        "error_max_nonzero_rel": float(rel_nz.max()) if rel_nz.size else 0.0,
        "zeroed": int(((wq == 0) & nz).sum()),
        "pieces": pieces,
        "residual_connection": residual is not None,
        "quantized": wq,
    }


def loihi_quantize(
    w: np.ndarray, block_w_max: float, block_w_exp: int = 0, lossy_shift: bool = True
) -> np.ndarray:
    r"""A numpy model of how nengo-loihi stores one synapse's float weights.

    The block's largest weight ``block_w_max`` maps to 255; a synapse whose own
    largest weight is :math:`2^{\Delta}` times smaller (:math:`\Delta =
    \lfloor\log_2(w_{\max,\mathrm{block}}/w_{\max})\rfloor`) gets a weight
    exponent :math:`\Delta` lower and so uses the full range too (the exponent
    is clamped at -6, and nengo-loihi then stores the weight
    :math:`2^{\Delta - e_b - 6}` times too large, which this model reproduces).
    Mixed-sign 8-bit weights keep 7 bits of magnitude: :math:`q =
    \operatorname{clip}(\operatorname{round}(x / 2), -127, 127)` with
    :math:`x = w \cdot 255 / w_{\max,\mathrm{block}} \cdot 2^{\Delta}`.
    When the weight exponent is below -1 the chip's two-part shift drops
    :math:`-(1 + e)` more low bits (``lossy_shift``; nengo-loihi warns "Lost
    ... bits in weight rounding"): :math:`q` is rounded again to a multiple of
    :math:`2^{-(1+e)}`. Returns the stored weights in float units,
    :math:`2 q\, 2^{e - e_b} / (255 / w_{\max,\mathrm{block}})` with :math:`e =
    \max(e_b - \Delta, -6)` (:math:`= 2 q / (255 / w_{\max,\mathrm{block}}
    \cdot 2^{\Delta})` when not clamped).
    (nengo-loihi computes in float32; this model in float64, so a value within
    float32 round-off of half-way between two steps, or a ratio of maxima within
    1e-6 of a power of 2, can come out the other way.)
    """
    w = np.asarray(w, dtype=float)
    w_max = float(np.abs(w).max()) if w.size else 0.0
    if w_max <= 1e-16:
        return np.zeros_like(w)
    w_scale = 255.0 / block_w_max
    # nengo-loihi takes both maxima from the same float32 weights; allow for float64 round-off
    dw = max(0, int(np.floor(np.log2(block_w_max / w_max) + 1e-6)))
    w_exp = max(block_w_exp - dw, -6)
    q = np.clip(np.round(w * w_scale * 2.0**dw / 2.0), -127, 127)
    s2 = 1 + w_exp
    if lossy_shift and s2 < 0:
        q = np.clip(np.round(q * 2.0**s2) / 2.0**s2, -127, 127)
    # stored as q * 2**(1 + w_exp + 6); equals 2 q / (w_scale 2**dw) unless w_exp was clamped
    return 2.0 * q * 2.0 ** (w_exp - block_w_exp) / w_scale


def _bias_quantization(model, built: BuiltNetwork) -> dict:
    """Relative error of the chip's biases (12-bit mantissa, 3-bit exponent) per population."""
    out = {}
    for pop in built.populations:
        b_float = np.asarray(pop.bias, dtype=float)
        b_chip = np.zeros_like(b_float)
        for block in _blocks_of(model, built.ensembles[pop.label]):
            comp_ids = np.array(list(model.block_comp_map[block]), dtype=np.int64)
            b_scale = np.asarray(block.compartment.discretize_info["b_scale"], dtype=float)
            b_chip[comp_ids] = np.asarray(block.compartment.bias, dtype=float) / b_scale
        full = float(np.abs(b_float).max()) or 1.0
        out[pop.label] = {
            "error_max": float(np.abs(b_chip - b_float).max() / full),
            "error_rms": float(np.sqrt(np.mean(((b_chip - b_float) / full) ** 2))),
        }
    return out


def _event_counts(model, built: BuiltNetwork, spikes: dict, input_spikes: dict, n_steps: int):
    """Spikes, synaptic operations and compartment updates of one emulator run.

    A spike of a compartment costs one synaptic operation per weight stored in
    the synapse lists its axons point to (dense rows: zeros included, as the
    chip reads them); a host input spike likewise. Every compartment is updated
    every time step: "active" when it spiked in that step, "inactive" otherwise.
    """
    per_pop = {}
    for pop in built.populations:
        fanout = np.zeros(pop.n, dtype=np.int64)
        for block in _blocks_of(model, built.ensembles[pop.label]):
            comp_ids = np.array(list(model.block_comp_map[block]), dtype=np.int64)
            for axon in block.axons:
                for local, comp in enumerate(comp_ids):
                    a = axon.map_axon(np.array([local]))[0]
                    if a >= 0:
                        w, _ = axon.target.axon_weights_indices(int(a))
                        fanout[comp] += w.size
        counts = spikes[pop.label].sum(axis=0)
        per_pop[pop.label] = {
            "spikes": int(counts.sum()),
            "synaptic_ops": int((counts * fanout).sum()),
            "compartment_updates": int(pop.n * n_steps),
        }
    in_spikes = 0
    in_ops = 0
    for inp, c in input_spikes.items():
        fan = np.zeros(len(c), dtype=np.int64)
        for axon in inp.axons:
            for i in range(len(c)):
                a = axon.map_axon(np.array([i]))[0]
                if a >= 0:
                    w, _ = axon.target.axon_weights_indices(int(a))
                    fan[i] += w.size
        in_spikes += int(c.sum())
        in_ops += int((c * fan).sum())
    return {"populations": per_pop, "input_spikes": in_spikes, "input_synaptic_ops": in_ops}


def energy_estimate(
    spikes: int, synaptic_ops: int, compartment_updates: int, input_synaptic_ops: int = 0
) -> dict:
    """Energy of one run from event counts and Davies et al. (2018) Table 2 (an estimate).

    .. math:: E \\approx 23.6\\,\\mathrm{pJ}\\,(n_{\\mathrm{syn}} + n_{\\mathrm{syn,in}})
              + 81\\,\\mathrm{pJ}\\, n_{\\mathrm{spk}}
              + 52\\,\\mathrm{pJ}\\,(n_{\\mathrm{upd}} - n_{\\mathrm{spk}})
              + 1.7\\,\\mathrm{pJ}\\, n_{\\mathrm{spk}}

    (a compartment update is "active", 81 pJ, in the step it spikes; 52 pJ
    otherwise). No static power, host I/O or inter-tile hops; the per-event
    figures are pre-silicon simulations reported by the paper.
    """
    parts = {
        "synaptic_ops_j": (synaptic_ops + input_synaptic_ops) * ENERGY_PER_SYNAPTIC_OP_J,
        "neuron_updates_j": spikes * ENERGY_PER_NEURON_UPDATE_ACTIVE_J
        + (compartment_updates - spikes) * ENERGY_PER_NEURON_UPDATE_INACTIVE_J,
        "spike_delivery_j": spikes * ENERGY_PER_SPIKE_WITHIN_TILE_J,
    }
    return {
        "energy_estimate_j": float(sum(parts.values())),
        "breakdown": {k: float(v) for k, v in parts.items()},
        "figures_pj": {
            "synaptic_op": ENERGY_PER_SYNAPTIC_OP_J * 1e12,
            "neuron_update_active": ENERGY_PER_NEURON_UPDATE_ACTIVE_J * 1e12,
            "neuron_update_inactive": ENERGY_PER_NEURON_UPDATE_INACTIVE_J * 1e12,
            "spike_within_tile": ENERGY_PER_SPIKE_WITHIN_TILE_J * 1e12,
        },
        "source": "Davies et al. 2018, IEEE Micro 38(1), Table 2 (pre-silicon estimates)",
        "is_estimate": True,
    }


__all__ = [
    "CORES_PER_CHIP",
    "MAX_COMPARTMENTS",
    "MAX_IN_AXONS",
    "MAX_OUT_AXONS",
    "MAX_SYNAPSE_BITS",
    "BuiltNetwork",
    "CapturedWarning",
    "ChipPlan",
    "LIFPopulation",
    "SimOutput",
    "WarningLog",
    "WindowedInput",
    "build_network",
    "capture_warnings",
    "check_fits",
    "chip_weights",
    "classify_warning",
    "energy_estimate",
    "import_nengo_loihi",
    "loihi_quantize",
    "lowpass",
    "resource_report",
    "simulate",
    "synapse_list_bits",
    "weight_quantization",
]
