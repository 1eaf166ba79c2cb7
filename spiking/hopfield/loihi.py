r"""The Loihi-emulator realization of the Hopfield network (``loihi-emulator``).

The network of the Nengo realization (``spiking/hopfield/nengo.py``: one LIF
population per cue, variant ``neurons`` or ``nef``), run on
``nengo_loihi.Simulator(target="sim")``, the chip's fixed-point arithmetic
emulated. Copy ``c`` (cue ``c``) is its own ensemble ``cue{c}`` and its own block of
cores on the chip.

Before anything is built, :func:`chip_preflight` checks that the populations fit
``max_chips`` chips (cores, axons, synaptic memory; ``spiking/_loihi``) and
raises a :class:`~neurotwin.errors.ParamError` naming ``HopfieldParams.n_units``
if they do not.

``residual_weights=True`` is a mitigation of the weight rounding: the rounding
residual of the recurrent weights goes into a second connection with its own,
finer weight exponent (twice the synapses and synaptic operations; about one bit
gained, see ``tests/hopfield/test_hopfield_nengo.py``).

The Result carries the chip report (:class:`neurotwin.capabilities.ChipReport`) in
``provenance["chip"]``, for one recall network (one cue's copy): its resources
(``per_network``, ``all_copies`` for every cue), the quantization of its recurrent
weights (connection ``cue0``) and bias, and the spikes, synaptic operations and
energy estimate per recall (``per_run``, the run's totals divided by ``n_cues``);
``extra["decode_tau_s"]`` is the synaptic time constant through which the state is
read.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from pydantic import Field

from neurotwin.rate_models.hopfield.hopfield import HopfieldParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _loihi as loihi
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking.hopfield.nengo import (
    NengoHopfieldOptions,
    populations,
    simulate_hopfield,
)

#: what the chip report counts as one copy of the network
PER = "recall (one cue)"


class LoihiHopfieldOptions(NengoHopfieldOptions):
    """Options of the Loihi-emulator realization: the Nengo options and the chip budget."""

    max_chips: int = Field(1, ge=1, description="Loihi chips (128 cores each) the network may use")
    residual_weights: bool = Field(
        False,
        description="mitigation: store the rounding residual of the recurrent weights in a "
        "second connection with its own, finer weight exponent",
    )


def chip_preflight(
    params: HopfieldParams, weights: dict, inputs: dict, seed: int, options: LoihiHopfieldOptions
) -> loihi.ChipPlan:
    """Map onto LIF populations and check they fit ``options.max_chips`` chips; raise if not.

    Runs before anything is built (also from :func:`neurotwin.deploy.deploy`, before
    any simulation).
    """
    pops, ins, _ = populations(params, weights, inputs, seed, options, "loihi-emulator")
    if options.residual_weights:  # the residual's values do not change what it occupies
        pops = [replace(p, recurrent_residual=np.zeros_like(p.recurrent)) for p in pops]
    return loihi.check_fits(pops, ins, what="HopfieldParams.n_units", max_chips=options.max_chips)


@realization(
    "hopfield",
    "loihi-emulator",
    options=LoihiHopfieldOptions,
    requires=("nengo", "nengo_loihi"),
    check=nc.check_loihi_numpy,
    preflight=chip_preflight,
    capabilities=("chip",),
    # deploy measures what the chip's rounding of W costs by re-running float Nengo with it
    hooks={"chip_weights": loihi.float_with_chip_weights},
)
def run_loihi_emulator(
    params: HopfieldParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """The Nengo network on nengo_loihi.Simulator(target="sim"): the chip's fixed point."""
    options = options or LoihiHopfieldOptions.create()

    def fit(pops: list, ins: list) -> list:
        if options.residual_weights:
            pops = nc.with_chip_residuals(pops, ins, options.dt_s, seed)
        loihi.check_fits(pops, ins, what="HopfieldParams.n_units", max_chips=options.max_chips)
        return pops

    result, out = simulate_hopfield(
        params, weights, inputs, seed, options, "loihi-emulator", fit=fit
    )
    result.provenance["chip"] = loihi.chip_report(
        out.chip,
        connection="cue0",
        copies=params.n_cues,
        group="cue0",
        per=PER,
        extra={"decode_tau_s": float(options.tau_syn_s)},
    )
    return result
