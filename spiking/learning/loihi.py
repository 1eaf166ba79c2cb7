r"""The PES digits readout on the Loihi emulator: ``pes-readout`` / ``loihi-emulator``.

The network of :func:`neurotwin.spiking.learning.nengo.pes_network` on
``nengo_loihi.Simulator(target="sim")``: the population and the learned readout run on
the emulated chip (fixed-point weights, PES learning on chip with stochastic rounding),
the images arrive from the host as spikes, the error reaches the learning rule from the
host every step and the readout leaves through a chip-to-host probe.

nengo-loihi filters every Node -> Ensemble input on the chip with ``Model.decode_tau``
(5 ms by default) whatever the Connection's synapse; the images enter with
``synapse=None`` in float Nengo, so :class:`LoihiPesOptions` sets it to 0
(``decode_tau_s``; with 5 ms the first runs lost 0.15-0.31 test accuracy, see
``docs/chips.rst``).

nengo-loihi applies PES once every ``learn_epoch`` steps (4 here), with the error of
that step: a label shifted by fewer steps than that (``label_delay_steps``) changes
nothing when the presentations are a multiple of 4 steps long; one of 4 steps closes most
of the gap to float Nengo (measured in ``docs/models/learning.rst``).

Chip report
-----------
The learned connection is not a recurrent connection of a population, so the report
is assembled here from the built model (:func:`pes_chip`) with the same pieces as
:func:`neurotwin.spiking._nengo.simulate` (resources, event counts, bias) and, for the
weights, :func:`learned_weight_quantization`: the readout's decoders as the chip holds
them after learning, read back in float units from the learning synapse. They have no
float counterpart (they are learned on the chip, in fixed point), so the errors are
those of the chip's grid, stated as such: every update is rounded stochastically to a
multiple of the weight step, so a stored weight is within one step of the value it was
rounded from (``error_max`` = step / largest weight) with rms step / sqrt(6) for a
uniformly distributed remainder (``error_rms``); ``saturated`` counts the weights at
the largest magnitude the learning exponent allows.
"""

from __future__ import annotations

import time

import numpy as np
from pydantic import Field

from neurotwin.rate_models.learning.pes_readout import PesParams
from neurotwin.registry import realization
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking._loihi import chip_report
from neurotwin.spiking._loihi.energy import count_input_spikes, event_counts
from neurotwin.spiking._loihi.quantization import bias_quantization
from neurotwin.spiking._loihi.resources import resource_report
from neurotwin.spiking._nengo.simulation import run_errors

from .nengo import (
    PES_POPULATION,
    PES_WEIGHTS_IN,
    NengoPesOptions,
    pes_check_steps,
    pes_network,
    pes_result,
)


class LoihiPesOptions(NengoPesOptions):
    """:class:`NengoPesOptions` plus the emulator's own setting (times in seconds)."""

    decode_tau_s: float = Field(
        0.0,
        ge=0,
        description="nengo-loihi's on-chip filter of host inputs (Model.decode_tau); "
        "0: the images enter unfiltered, as in float Nengo",
    )


def learned_weight_quantization(model) -> dict:
    """The chip's learned weights (the only learning synapse of ``model``) in float units,
    and what the chip's format does to them (see the module docstring).

    The synapse stores the decoders twice, for the on and off decode neurons
    (``[D^T, -D^T]`` scaled by 1/radius); the integer weights are read back as
    ``w_int / (w_scale 2^(6 + w_exp))`` of their block, as
    :func:`~neurotwin.spiking._loihi.quantization.chip_weights` does, so in nengo-loihi's
    float synapse units: decoders / ``dt_s`` (measured, 50 neurons, 66 training images:
    chip [-0.73, 0.85], float Nengo's learned decoders / dt [-0.40, 0.93]).
    """
    found = [(block, syn) for block in model.blocks for syn in block.synapses if syn.learning]
    if len(found) != 1:  # pragma: no cover - nengo-loihi internals changed
        raise RuntimeError(f"expected one learning synapse, found {len(found)}")
    block, syn = found[0]
    info = block.compartment.discretize_info
    scale = float(np.ravel(info["w_scale"])[0]) * 2.0 ** (6 + int(np.ravel(info["w_exp"])[0]))
    w = np.vstack(
        [np.asarray(syn.axon_weights_indices(a)[0], dtype=float) for a in range(syn.n_axons)]
    )
    w = w / scale
    cfg = syn.synapse_cfg
    # learned weights are multiples of 2**(weight_exp + shift_bits), at most
    # 2**(8 - shift_bits) - 1 of them (nengo_loihi.emulator.interface, weight_update)
    step = 2.0 ** (6 + max(cfg.shift_bits + cfg.weight_exp, 0)) / scale
    top = (2 ** (8 - cfg.shift_bits) - 1) * step
    full = float(np.abs(w).max()) if w.size else 0.0
    return {
        "weight_bits": int(cfg.real_weight_bits),
        "format_bits": int(cfg.real_weight_bits),
        "weight_exp": [int(cfg.weight_exp)],
        "lost_bits": 0,
        "range": [float(w.min()), float(w.max())],
        "largest_representable": float(top),
        "levels": int(len(np.unique(w))),
        "resolution": float(step),
        "error_max": float(step / full) if full > 0 else 0.0,
        "error_rms": float(step / np.sqrt(6) / full) if full > 0 else 0.0,
        "error_basis": "learned on chip, no float counterpart: stochastic rounding of each "
        "update to the weight step (error_max: one step, error_rms: step / sqrt(6), "
        "relative to the largest learned weight)",
        "saturated": int(np.sum(np.abs(w) >= top * (1 - 1e-9))),
        "n_weights": int(w.size),
        "learning": {
            "learning_rate": float(syn.learning_rate),
            "tracing_tau_steps": int(syn.tracing_tau),
            "learn_epoch_steps": int(syn.learn_epoch),
        },
    }


class _Population:
    """What :func:`~neurotwin.spiking._loihi.energy.event_counts` and
    :func:`~neurotwin.spiking._loihi.quantization.bias_quantization` read of a population."""

    def __init__(self, label: str, bias: np.ndarray) -> None:
        self.label, self.bias = label, bias
        self.n = len(bias)


class _Handles:
    def __init__(self, population: _Population, ensemble) -> None:
        self.populations = [population]
        self.ensembles = {population.label: ensemble}


def pes_chip(sim, handles: dict, bias: np.ndarray, spikes: np.ndarray, input_spikes, n_steps):
    """The ``chip`` dict of :class:`~neurotwin.spiking._nengo.SimOutput` for the PES network:
    resources (the population is the one resource group), the learned readout's
    quantization under the population's label, event counts and the bias."""
    built = _Handles(_Population(PES_POPULATION, bias), handles["ensemble"])
    return {
        "resources": resource_report(sim.model, built.ensembles),
        "quantization": {PES_POPULATION: learned_weight_quantization(sim.model)},
        "events": event_counts(sim.model, built, {PES_POPULATION: spikes}, input_spikes, n_steps),
        "bias": bias_quantization(sim.model, built),
    }


@realization(
    "pes-readout",
    "loihi-emulator",
    options=LoihiPesOptions,
    requires=("nengo", "nengo_loihi"),
    check=nc.check_loihi_numpy,
    preflight=pes_check_steps,
    capabilities=("chip",),
)
def run_pes_loihi(params: PesParams, weights: dict, inputs: dict, seed: int, options=None):
    """The same network on nengo_loihi.Simulator(target="sim"): PES learned on the
    emulated chip (fixed-point weights and learning), images sent from the host as
    spikes. Slow: about 6.5 ms per time step at 100 neurons (measured)."""
    opts = options or LoihiPesOptions()
    pes_check_steps(params, weights, inputs, seed, opts)
    import nengo

    t0 = time.perf_counter()
    handles = pes_network(nengo, params, opts, weights, inputs, seed)
    with handles["network"]:
        # spikes of the population, for the event counts (probes draw no seeds and do
        # not change the run)
        spike_probe = nengo.Probe(handles["ensemble"].neurons, "output", synapse=None)
    prov: dict = {"weights_in": PES_WEIGHTS_IN}
    log = nc.WarningLog()
    with nc.capture_warnings(log):
        nengo_loihi = nc.import_nengo_loihi(log)
        # the only Node -> Ensemble input are the images (see the module docstring); the
        # readout leaves through a probe filtered by tau_syn_s, the PES error through the
        # learning channel
        model = nengo_loihi.builder.Model(dt=opts.dt_s, label="pes-readout")
        model.decode_tau = opts.decode_tau_s
        sim = nengo_loihi.Simulator(
            handles["network"],
            dt=opts.dt_s,
            target="sim",
            progress_bar=nc.progress_bar(),
            seed=seed,
            model=model,
        )
        prov["simulator"] = 'nengo_loihi.Simulator(target="sim")'
        input_spikes = count_input_spikes(sim.model)
        with sim:
            t1 = time.perf_counter()
            with run_errors(sim, "loihi-emulator", "pes-readout"):
                sim.run(handles["duration_s"])
            t2 = time.perf_counter()
            out = np.asarray(sim.data[handles["probe"]])
            trange = np.asarray(sim.trange())
            spikes = np.rint(np.asarray(sim.data[spike_probe]) * opts.dt_s).astype(np.int32)
            chip = pes_chip(
                sim, handles, np.asarray(weights["bias"], float), spikes, input_spikes, len(trange)
            )
    prov.update(
        build_time_s=float(t1 - t0),
        run_time_s=float(t2 - t1),
        warnings=[w.to_dict() for w in log.records()],
    )
    prov["chip"] = chip_report(
        chip,
        connection=PES_POPULATION,
        per="run",
        extra={
            "learned_connection": f"{PES_POPULATION} -> readout (decoders learned by PES on chip)",
            "host_to_chip": "images as spikes of on/off input neurons (input_spikes); the "
            "PES error every step through the learning channel (not counted as spikes)",
        },
    )
    return pes_result(params, opts, inputs, seed, "loihi-emulator", out, trange, prov)
