r"""The ring attractor as a Nengo LIF ring (``nengo.Simulator``), and the network the
Loihi-emulator realization (``loihi.py``) runs on the chip.

The same network as the Brian2 realization (``brian2.py``'s docstring: one LIF neuron
per unit, the reference's ``W`` and ``dW`` as neuron-to-neuron weights, a
Lowpass(:math:`\tau`) synapse), built through :mod:`~neurotwin.spiking._nengo`: one
:class:`~neurotwin.spiking._nengo.LIFPopulation` labelled ``ring`` with the recurrent
neuron-to-neuron transform :math:`W - \gamma W'`, and the cue as a
:class:`~neurotwin.spiking._nengo.WindowedInput`. A transform is fixed, so
:math:`\gamma` is constant and on from :math:`t = 0` (the cue pins the bump while it
is on); a velocity trace is refused before anything is built (``velocity`` must be
``"none"``). Spikes are decoded by :mod:`~neurotwin.spiking.ring_attractor.readout`.

Measured (tests/ring_attractor/test_ring_attractor_spiking.py, N = 64, seed 11):
speed linear in gamma (R^2 = 0.99990), slope 1.253 times the reference's; bump
amplitude 79.5 Hz (reference 80.7 Hz).
"""

from __future__ import annotations

import time

import numpy as np

from neurotwin.errors import InputError, ParamError
from neurotwin.rate_models.ring_attractor.ring_attractor import RingAttractorParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _mismatch
from neurotwin.spiking import _nengo as nc

from .readout import RingSpikingOptions, ring_result, sample_times, windowed_rates

#: label of the ring population (and of its recurrent connection on the chip)
RING = "ring"


def check_constant_gamma(params: RingAttractorParams, inputs: dict, name: str) -> None:
    """Refuse a velocity (parameter or trace): realization ``name`` holds gamma constant."""
    if params.velocity != "none":
        raise ParamError(
            f"RingAttractorParams.velocity: must be 'none' for realization {name!r} (a "
            f"neuron-to-neuron transform is fixed: constant gamma only) (got {params.velocity!r})"
        )
    if "velocity" in inputs:
        raise InputError(
            f"ring-attractor inputs['velocity']: not supported by realization {name!r} "
            f"(constant gamma only) (got shape {np.shape(inputs['velocity'])})"
        )


def ring_population(
    params: RingAttractorParams, weights: dict, inputs: dict
) -> tuple[nc.LIFPopulation, nc.WindowedInput]:
    """The ring as one LIF population with recurrent W - gamma W' and the cue window."""
    w = np.asarray(weights["W"], dtype=np.float64) - params.gamma * np.asarray(
        weights["dW"], dtype=np.float64
    )
    pop = nc.LIFPopulation(
        RING,
        np.full(params.n_units, params.bias),
        w,
        params.tau_m_s,
        params.tau_ref_s,
        params.tau_s,
        initial_voltage=np.asarray(inputs["v0"], dtype=np.float64),
        min_voltage=-np.inf,
    )
    cue = nc.WindowedInput(
        RING,
        np.asarray(inputs["cue"], dtype=np.float64),
        np.full(params.n_units, params.cue_strength),
        0.0,
        params.cue_duration_s,
    )
    return pop, cue


def simulate_ring(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options, backend
) -> tuple[Result, nc.SimOutput]:
    """Build, run and decode on ``backend`` (nengo or loihi-emulator); returns the
    Result and the simulator's output (the emulator's chip measurements)."""
    check_constant_gamma(params, inputs, backend)
    t0 = time.perf_counter()
    pop, cue = ring_population(params, weights, inputs)
    pops, cues = [pop], [cue]
    if _mismatch.active(options):
        theta = _mismatch.draw(options, {RING: params.n_units}, seed)[RING][0]
        pops, cues = _mismatch.nengo_threshold(pops, cues, {RING: theta})
    built = nc.build_network(pops, cues, backend)
    t_map = time.perf_counter() - t0
    out = nc.simulate(built, backend, params.n_steps, params.dt_s, seed)
    s = out.spikes[RING]  # (steps, n), spikes per step
    steps, idx = np.nonzero(s)
    reps = s[steps, idx].astype(np.int64)
    # nengo reports a spike at the end of the step it happened in
    times = np.repeat((steps + 1) * params.dt_s, reps)
    idx = np.repeat(idx, reps)
    order = np.lexsort((idx, times))
    times, idx = times[order], idx[order]
    t = sample_times(params)
    activity = windowed_rates(times, idx, params.n_units, t, options.window_s, params.duration_s)
    prov = {
        "simulator": "nengo.Simulator" if backend == "nengo" else 'nengo_loihi.Simulator("sim")',
        "weights_as": "neuron-to-neuron transform W - gamma W'",
        "map_time_s": float(t_map),
        "build_time_s": float(out.build_time_s),
        "run_time_s": float(out.run_time_s),
        "n_neurons": params.n_units,
        "n_synapses": int(np.count_nonzero(pop.recurrent)),
        "warnings": [w.to_dict() for w in out.warnings],
    }
    return ring_result(params, seed, t, activity, times, idx, backend, prov), out


def nengo_preflight(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options=None
) -> None:
    """Refuse a velocity before anything is built (a transform is fixed)."""
    check_constant_gamma(params, inputs, "nengo")


class RingNengoOptions(RingSpikingOptions, _mismatch.NengoMismatchOptions):
    """The spiking ring's decoding and threshold mismatch (``spiking._mismatch``)."""


@realization(
    "ring-attractor",
    "nengo",
    options=RingNengoOptions,
    requires=("nengo",),
    preflight=nengo_preflight,
)
def run_nengo(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """LIF ring in nengo.Simulator, W - gamma W' as a neuron-to-neuron transform."""
    options = options or RingNengoOptions.create()
    return simulate_ring(params, weights, inputs, seed, options, "nengo")[0]
