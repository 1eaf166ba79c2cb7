r"""The Nengo realization of ``lif-sync`` (LIF neurons that lock).

The network of the Brian2 realization (``spiking/synchronization/brian2.py``), built
through the shared helpers of :mod:`neurotwin.spiking._nengo`: one population of
:math:`N` LIF neurons, neuron-to-neuron coupling (no encoders or decoders), so that

.. math:: \tau_m \dot v_i = I_i - v_i + \tau_m \sum_{j \ne i} \frac{K}{N}
          (h * \rho_j)(t - d),

with :math:`I_i` the drive of
:func:`~neurotwin.rate_models.synchronization.lif_sync.lif_drive` (the population's
bias, gain 1), :math:`\rho_j` the spike train of neuron :math:`j`
(spikes of area 1) and :math:`h` the Lowpass of ``tau_syn_s``: the transform
:math:`R_{ij} = \tau_m K / N` makes one spike deliver the charge :math:`K/N` in
threshold units, as in the Brian2 network. Reset 0, threshold 1, no refractory
period; with ``initial_voltage="phase"`` (the default) the initial potentials are
those the initial phases ``theta0`` imply on the uncoupled limit cycle, with
``"zero"`` every neuron starts at phase 0, as on the chip. The phase trace is
interpolated between spikes by the same
:func:`~neurotwin.spiking.synchronization.brian2.spike_phases`, so every realization is
measured by the same code. The Loihi-emulator realization
(``spiking/synchronization/loihi.py``) runs this network on the chip's fixed point.

The simulator step ``dt_s``, the time constants and the delay stay model parameters
(:class:`~neurotwin.rate_models.synchronization.lif_sync.LifSyncParams`): Brian2 and
Nengo run the same network with them, and ``record_dt_s >= dt_s`` is checked there.

Differences that matter, stated rather than hidden:

* Nengo's LIF places the spike inside the step (sub-step threshold crossing) and
  its recurrent connection acts one step later; Brian2 thresholds on the grid. Both
  use ``dt_s``.
* The delay ``delay_s`` is ``round(delay_s / dt_s)`` steps of a discrete delay on
  the synapse in float Nengo.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models.synchronization.lif_sync import LifSyncParams
from neurotwin.rate_models.synchronization.phases import TWO_PI
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking.synchronization.brian2 import spike_phases

#: label of the LIF population (its recurrent connection is the network's coupling)
LABEL = "neurons"


class NengoLifSyncOptions(Params):
    """Options of the Nengo realization (the step and time constants are model parameters)."""

    initial_voltage: Literal["phase", "zero"] = Field(
        "phase",
        description="initial membrane voltages: those the initial phases theta0 imply on the "
        "uncoupled limit cycle, or zero (every neuron at phase 0, as on the chip)",
    )


def lif_sync_population(
    params: LifSyncParams,
    weights: dict,
    inputs: dict,
    options: NengoLifSyncOptions,
    backend: nc.Backend,
) -> nc.LIFPopulation:
    """The coupled LIF population (module docstring) for ``backend``."""
    n = params.n_neurons
    drive = np.asarray(weights["drive"], dtype=np.float64)
    rate = np.asarray(weights["rate_hz"], dtype=np.float64)
    recurrent = np.full((n, n), params.tau_m_s * params.coupling / n)
    np.fill_diagonal(recurrent, 0.0)
    v0 = None
    if options.initial_voltage == "phase":
        theta0 = np.asarray(inputs["theta0"], dtype=np.float64)
        v0 = drive * (1.0 - np.exp(-(theta0 / TWO_PI) / (rate * params.tau_m_s)))
    return nc.LIFPopulation(
        LABEL,
        drive,
        recurrent,
        tau_rc_s=params.tau_m_s,
        tau_ref_s=0.0,
        tau_syn_s=params.tau_syn_s,
        initial_voltage=v0,
        min_voltage=0.0,
        delay_steps=round(params.delay_s / params.dt_s) if backend == "nengo" else 0,
    )


def simulate_lif_sync(
    params: LifSyncParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: NengoLifSyncOptions,
    backend: nc.Backend,
) -> tuple[Result, nc.SimOutput]:
    """Build and run the network on ``backend`` (nengo or loihi-emulator); the Result and
    the simulator's output (its ``chip`` holds the emulator's measurements)."""
    pop = lif_sync_population(params, weights, inputs, options, backend)
    built = nc.build_network([pop], [], backend, dt_s=params.dt_s)
    n_steps = round(params.duration_s / params.dt_s)
    out = nc.simulate(built, backend, n_steps, params.dt_s, seed)
    counts = out.spikes[LABEL]
    step, idx = np.nonzero(counts)
    times = (step + 1) * params.dt_s  # nengo's first step ends at t = dt
    t = np.arange(1, round(params.duration_s / params.record_dt_s) + 1) * params.record_dt_s
    rate = np.asarray(weights["rate_hz"], dtype=np.float64)
    theta = spike_phases(times, idx.astype(np.int64), params.n_neurons, t, 1.0 / rate)
    check_finite(f"lif-sync/{backend} theta", theta, t, "s")
    provenance = {
        "simulator": "nengo.Simulator" if backend == "nengo" else 'nengo_loihi.Simulator("sim")',
        "build_time_s": out.build_time_s,
        "run_time_s": out.run_time_s,
        "weights": "neuron-to-neuron transform (no decoders)",
        "warnings": [w.to_dict() for w in out.warnings],
    }
    result = Result(
        model="lif-sync",
        realization=backend,
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"theta": theta},
        spikes={"neurons": (times, idx.astype(np.int64))},
        observables={"mean_rate_hz": float(len(times) / (params.n_neurons * params.duration_s))},
        provenance=provenance,
    )
    return result, out


@realization("lif-sync", "nengo", options=NengoLifSyncOptions, requires=("nengo",))
def run_lif_sync_nengo(
    params: LifSyncParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Coupled LIF neurons in the Nengo reference simulator (neuron-to-neuron weights)."""
    options = options or NengoLifSyncOptions.create()
    return simulate_lif_sync(params, weights, inputs, seed, options, "nengo")[0]
