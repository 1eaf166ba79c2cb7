"""Running a built network on float Nengo or on the Loihi emulator.

:func:`simulate` builds and runs a :class:`~neurotwin.spiking._nengo.build.BuiltNetwork`
on either backend and returns a :class:`SimOutput`: spike counts per step, build and
run times, the captured warnings and, for the emulator, what the chip did
(resources, weight and bias quantization, event counts;
:mod:`neurotwin.spiking._loihi`). :func:`with_chip_residuals` mitigates weight
rounding by a second, residual recurrent connection.

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
  ``intercepts`` on its own ensembles
  (:data:`~neurotwin.spiking._loihi.limits.LOIHI_ENSEMBLE_DEFAULTS`).
* ``Model.decode_tau`` is set to the populations' ``tau_syn_s`` and the host
  side of each input connection gets no filter, so an input is filtered once,
  on chip, with the same time constant as in float Nengo (nengo-loihi would
  otherwise filter it on the host with the connection's synapse *and* on the
  chip with ``decode_tau``, and overwrite the block's ``tau_s``).

Float Nengo runs without a decoder cache: the shared on-disk cache breaks across
numpy majors (the default and ``[loihi]`` environments differ) and a run must not
depend on it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import re
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from neurotwin.errors import SimulationError
from neurotwin.spiking._loihi.energy import count_input_spikes, event_counts
from neurotwin.spiking._loihi.quantization import (
    bias_quantization,
    chip_weights,
    weight_quantization,
)
from neurotwin.spiking._loihi.resources import resource_report

from .build import Backend, BuiltNetwork, LIFPopulation, WindowedInput, build_network
from .warnings import CapturedWarning, WarningLog, capture_warnings, import_nengo_loihi


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

    For the emulator the result's ``chip`` holds
    :func:`~neurotwin.spiking._loihi.resources.resource_report`,
    :func:`~neurotwin.spiking._loihi.quantization.weight_quantization` per recurrent
    population and the event counts (spikes, synaptic operations, compartment updates)
    for :func:`~neurotwin.spiking._loihi.energy.energy_estimate`.
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
        with capture_warnings(log), _build_errors("nengo"), _bar_on_stderr():
            sim = nengo.Simulator(
                built.network, dt=dt_s, seed=seed, model=model, progress_bar=progress_bar()
            )
        t1 = time.perf_counter()
        with capture_warnings(log), sim:
            with run_errors(sim, "nengo", built.network.label), _bar_on_stderr():
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
        input_spikes = count_input_spikes(sim.model)
        t1 = time.perf_counter()
        with capture_warnings(log), sim:
            with run_errors(sim, "loihi-emulator", built.network.label):
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
            "events": event_counts(sim.model, built, spikes, input_spikes, n_steps),
            "bias": bias_quantization(sim.model, built),
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


def progress_bar() -> bool:
    """Nengo's own progress bar where :func:`neurotwin.progress.enabled`."""
    from neurotwin import progress

    return progress.enabled()


@contextlib.contextmanager
def _bar_on_stderr() -> Iterator[None]:
    """Nengo's terminal bar writes to stdout: send it to stderr (stdout may hold JSON)."""
    from neurotwin import progress

    if not progress.enabled():
        yield
        return
    with contextlib.redirect_stdout(sys.stderr):
        yield


@contextlib.contextmanager
def run_errors(sim, backend: str, model: str | None = None) -> Iterator[None]:
    """A run that goes numerically wrong inside the simulator -> one-line
    :class:`~neurotwin.errors.SimulationError` naming the model, the variable, the step
    and the time.

    Nengo steps with ``numpy.seterr(invalid="raise")``, so a NaN reaching a neuron (e.g.
    from weights a too-large learning rate made infinite) ends as a ``FloatingPointError``
    deep inside its LIF step; the variable named is the first of the simulator's signals
    that is not finite (nengo's own name for it), else numpy's message.
    """
    try:
        yield
    except FloatingPointError as exc:
        step = int(getattr(sim, "n_steps", 0)) + 1  # the step in progress
        t = step * float(sim.dt)
        where = f"{model}/{backend}" if model else backend
        raise SimulationError(
            f"{where} {_first_non_finite(sim) or 'a value'}: non-finite value at time step "
            f"{step} (t = {t:g} s; numpy: {exc})"
        ) from exc


def _first_non_finite(sim) -> str | None:
    """nengo's name of the first simulator signal holding NaN or inf (None if none does)."""
    signals = getattr(sim, "signals", None)
    if not signals:
        return None
    for sig, value in signals.items():
        try:
            arr = np.asarray(value)
            if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
                # nengo names a signal after its object's repr, address included
                name = re.sub(r" at 0x[0-9a-fA-F]+", "", str(getattr(sig, "name", sig)))
                return f"signal {name!r}"
        except (TypeError, ValueError):  # pragma: no cover - a signal numpy cannot read
            continue
    return None


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


__all__ = [
    "SimOutput",
    "lowpass",
    "run_errors",
    "simulate",
    "with_chip_residuals",
]
