r"""The Loihi-emulator realization of ``lif-sync`` (``loihi-emulator``).

The network of the Nengo realization (``spiking/synchronization/nengo.py``: one
population ``neurons`` of :math:`N` LIF neurons, neuron-to-neuron coupling) run on
``nengo_loihi.Simulator(target="sim")``, the chip's fixed-point arithmetic emulated.

What the chip changes, stated rather than hidden:

* No synaptic delays: nengo-loihi 1.1 maps only Lowpass synapses. This realization
  runs with ``delay_s = 0`` where the user set none (``defaults``, recorded in
  ``provenance["realization_defaults"]``), and refuses a non-zero ``delay_s`` set
  by the user before anything is built (:func:`chip_preflight`).
* The initial voltages are zero (nengo-loihi supports no others): every neuron
  starts at phase 0, whatever ``theta0`` says (``initial_voltage`` can only be
  ``"zero"``; float Nengo runs the same start with ``initial_voltage="zero"``).
* Weights and biases are rounded to the chip's fixed point; the population must fit
  ``max_chips`` chips (checked before building, naming ``LifSyncParams.n_neurons``).

The Result carries the chip report (:class:`neurotwin.capabilities.ChipReport`) in
``provenance["chip"]``: resources, the quantization of the coupling (connection
``neurons``), and the spikes, synaptic operations and energy estimate of the run.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from neurotwin.errors import ParamError
from neurotwin.rate_models.synchronization.lif_sync import LifSyncParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _loihi as loihi
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking.synchronization.nengo import (
    LABEL,
    NengoLifSyncOptions,
    lif_sync_population,
    simulate_lif_sync,
)


class LoihiLifSyncOptions(NengoLifSyncOptions):
    """Options of the Loihi-emulator realization: the Nengo options and the chip budget."""

    initial_voltage: Literal["zero"] = Field(
        "zero", description="initial membrane voltages: zero (the chip supports no others)"
    )
    max_chips: int = Field(1, ge=1, description="Loihi chips (128 cores each) the network may use")


def chip_preflight(
    params: LifSyncParams, weights: dict, inputs: dict, seed: int, options=None
) -> loihi.ChipPlan:
    """No synaptic delay (nengo-loihi 1.1: Lowpass synapses only), and the population fits
    ``options.max_chips`` chips; raises before anything is built."""
    options = options or LoihiLifSyncOptions.create()
    if params.delay_s != 0:
        raise ParamError(
            "LifSyncParams.delay_s: must be 0 for realization 'loihi-emulator' "
            f"(nengo-loihi maps no synaptic delays) (got {params.delay_s!r})"
        )
    pop = lif_sync_population(params, weights, inputs, options, "loihi-emulator")
    return loihi.check_fits([pop], [], what="LifSyncParams.n_neurons", max_chips=options.max_chips)


@realization(
    "lif-sync",
    "loihi-emulator",
    options=LoihiLifSyncOptions,
    requires=("nengo", "nengo_loihi"),
    check=nc.check_loihi_numpy,
    preflight=chip_preflight,
    capabilities=("chip",),
    defaults={"delay_s": 0.0},
)
def run_lif_sync_loihi(
    params: LifSyncParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """The Nengo network on nengo_loihi.Simulator(target="sim"): the chip's fixed point,
    no delay, zero initial voltages."""
    options = options or LoihiLifSyncOptions.create()
    result, out = simulate_lif_sync(params, weights, inputs, seed, options, "loihi-emulator")
    result.provenance["chip"] = loihi.chip_report(out.chip, connection=LABEL, per="run")
    return result
