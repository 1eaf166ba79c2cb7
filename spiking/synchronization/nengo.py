r"""Nengo and Loihi-emulator realizations of ``lif-sync`` (LIF neurons that lock).

The network of ``spiking/synchronization.py`` (Brian2), built through the shared
helpers of :mod:`neurotwin.spiking._nengo`: one population of :math:`N` LIF
neurons, neuron-to-neuron coupling (no encoders or decoders), so that

.. math:: \tau_m \dot v_i = I_i - v_i + \tau_m \sum_{j \ne i} \frac{K}{N}
          (h * \rho_j)(t - d),

with :math:`I_i` the drive of
:func:`~neurotwin.rate_models.synchronization.synchronization.lif_drive` (the population's
bias, gain 1), :math:`\rho_j` the spike train of neuron :math:`j`
(spikes of area 1) and :math:`h` the Lowpass of ``tau_syn_s``: the transform
:math:`R_{ij} = \tau_m K / N` makes one spike deliver the charge :math:`K/N` in
threshold units, as in the Brian2 network. Reset 0, threshold 1, no refractory
period; the initial potentials are those the initial phases ``theta0`` imply on the
uncoupled limit cycle. The phase trace is interpolated between spikes by the same
:func:`~neurotwin.spiking.synchronization.brian2.spike_phases`, so every realization is
measured by the same code.

Differences that matter, stated rather than hidden:

* Nengo's LIF places the spike inside the step (sub-step threshold crossing) and
  its recurrent connection acts one step later; Brian2 thresholds on the grid. Both
  use ``dt_s``.
* The delay ``delay_s`` is ``round(delay_s / dt_s)`` steps of a discrete delay on
  the synapse in float Nengo. nengo-loihi 1.1 maps only Lowpass synapses, so the
  ``loihi-emulator`` realization requires ``delay_s = 0``.
* On the chip target the initial voltages are zero (nengo-loihi does not support
  others): every neuron starts at phase 0, whatever ``theta0`` says. The captured
  warnings and the chip report (resources, weight quantization) are in
  ``provenance["chip"]``.
"""

from __future__ import annotations

import numpy as np

from neurotwin.errors import ParamError
from neurotwin.harness import check_finite
from neurotwin.rate_models.synchronization.synchronization import TWO_PI, LifSyncParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _loihi as loihi
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking.synchronization.brian2 import spike_phases


def lif_sync_population(
    params: LifSyncParams, weights: dict, inputs: dict, backend: nc.Backend
) -> nc.LIFPopulation:
    """The coupled LIF population (module docstring) for ``backend``."""
    n = params.n_neurons
    drive = np.asarray(weights["drive"], dtype=np.float64)
    rate = np.asarray(weights["rate_hz"], dtype=np.float64)
    recurrent = np.full((n, n), params.tau_m_s * params.coupling / n)
    np.fill_diagonal(recurrent, 0.0)
    theta0 = np.asarray(inputs["theta0"], dtype=np.float64)
    v0 = drive * (1.0 - np.exp(-(theta0 / TWO_PI) / (rate * params.tau_m_s)))
    return nc.LIFPopulation(
        "neurons",
        drive,
        recurrent,
        tau_rc_s=params.tau_m_s,
        tau_ref_s=0.0,
        tau_syn_s=params.tau_syn_s,
        initial_voltage=v0 if backend == "nengo" else None,
        min_voltage=0.0,
        delay_steps=round(params.delay_s / params.dt_s) if backend == "nengo" else 0,
    )


def _run(params: LifSyncParams, weights: dict, inputs: dict, seed: int, backend) -> Result:
    pop = lif_sync_population(params, weights, inputs, backend)
    built = nc.build_network([pop], [], backend, dt_s=params.dt_s)
    n_steps = round(params.duration_s / params.dt_s)
    out = nc.simulate(built, backend, n_steps, params.dt_s, seed)
    counts = out.spikes["neurons"]
    step, idx = np.nonzero(counts)
    times = (step + 1) * params.dt_s  # nengo's first step ends at t = dt
    t = np.arange(1, round(params.duration_s / params.record_dt_s) + 1) * params.record_dt_s
    rate = np.asarray(weights["rate_hz"], dtype=np.float64)
    theta = spike_phases(times, idx.astype(np.int64), params.n_neurons, t, 1.0 / rate)
    check_finite("theta", theta, t, "s")
    provenance = {
        "simulator": "nengo.Simulator" if backend == "nengo" else 'nengo_loihi.Simulator("sim")',
        "build_time_s": out.build_time_s,
        "run_time_s": out.run_time_s,
        "weights": "neuron-to-neuron transform (no decoders)",
        "warnings": [w.to_dict() for w in out.warnings],
    }
    if out.chip is not None:
        provenance["chip"] = {
            "resources": out.chip["resources"],
            "quantization": {
                label: loihi.quantization_summary(q)
                for label, q in out.chip["quantization"].items()
            },
        }
    return Result(
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


@realization("lif-sync", "nengo", requires=("nengo",))
def run_lif_sync_nengo(
    params: LifSyncParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Coupled LIF neurons in the Nengo reference simulator (neuron-to-neuron weights)."""
    return _run(params, weights, inputs, seed, "nengo")


def loihi_preflight(params: LifSyncParams, weights, inputs, seed, options) -> None:
    """The chip target has no synaptic delays (nengo-loihi 1.1: Lowpass synapses only)."""
    if params.delay_s != 0:
        raise ParamError(
            "LifSyncParams.delay_s: must be 0 for realization 'loihi-emulator' "
            f"(nengo-loihi maps no synaptic delays) (got {params.delay_s!r})"
        )
    pop = lif_sync_population(params, weights, inputs, "loihi-emulator")
    loihi.check_fits([pop], [], what="LifSyncParams.n_neurons")


@realization(
    "lif-sync",
    "loihi-emulator",
    requires=("nengo", "nengo_loihi"),
    check=nc.check_loihi_numpy,
    preflight=loihi_preflight,
)
def run_lif_sync_loihi(
    params: LifSyncParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """The same network on nengo-loihi's chip emulator (fixed point, zero initial voltages)."""
    return _run(params, weights, inputs, seed, "loihi-emulator")
