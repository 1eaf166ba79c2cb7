r"""The Loihi-emulator realization of the spiking modern Hopfield network
(``loihi-emulator``).

The network of the Nengo realization (``nengo.py``: one population of :math:`N + P`
neurons per cue), run on ``nengo_loihi.Simulator(target="sim")``, the chip's
fixed-point arithmetic emulated, without the memory noise (the host would have to send
it as spikes) and with every voltage starting at zero. Copy ``c`` (cue ``c``) is its
own ensemble ``cue{c}``: one block of :math:`N + P` compartments and a dense
:math:`(N + P)^2` synapse matrix, so the memory layer's size :math:`P` sets the
resources; :func:`chip_preflight` checks that the copies fit ``max_chips`` chips
before anything is built and raises a :class:`~neurotwin.errors.ParamError` naming
``ModernHopfieldParams.n_patterns`` if they do not.

The Result carries the chip report (:class:`neurotwin.capabilities.ChipReport`) in
``provenance["chip"]``, for one recall network (one cue's copy): its resources
(``per_network``; ``all_copies`` for every cue), the quantization of its weights
(connection ``cue0``: feed-forward, feedback and inhibition in one matrix) and bias,
and the spikes, synaptic operations and energy estimate per recall (``per_run``, the
run's totals divided by ``n_cues``); ``extra`` holds ``decode_tau_s`` (the synaptic
time constant) and the layer sizes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from neurotwin.rate_models.modern_hopfield.modern_hopfield import MODEL, ModernHopfieldParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _loihi as loihi
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking.modern_hopfield.nengo import (
    NengoModernHopfieldOptions,
    circuit_populations,
    simulate_circuit,
)
from neurotwin.spiking.modern_hopfield.wta import REALIZATION_DEFAULTS, check_interaction

#: what the chip report counts as one copy of the network
PER = "recall (one cue)"
#: the parameter whose size the chip budget limits (the memory layer's)
LIMITED = "ModernHopfieldParams.n_patterns"


class LoihiModernHopfieldOptions(NengoModernHopfieldOptions):
    """The Nengo options on the chip: no noise source (the host would have to send it as
    spikes), initial voltages zero as the chip starts, and the chip budget."""

    memory_noise: float = Field(0.0, ge=0, le=0, description="no noise source on the chip path")
    initial_voltage: Literal["uniform", "zero"] = Field(
        "zero", description="the chip starts every voltage at zero"
    )
    max_chips: int = Field(1, ge=1, description="Loihi chips (128 cores each) the network may use")


def chip_preflight(
    params: ModernHopfieldParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: LoihiModernHopfieldOptions,
) -> loihi.ChipPlan:
    """Refuse an interaction the circuit does not realize, then check that the copies fit
    ``options.max_chips`` chips; raise if not.

    Runs before anything is built (also from :func:`neurotwin.deploy.deploy`, before
    any simulation).
    """
    check_interaction(params, weights, inputs, seed, options)
    pops, ins, _ = circuit_populations(params, weights, inputs, seed, options, "loihi-emulator")
    return loihi.check_fits(pops, ins, what=LIMITED, max_chips=options.max_chips)


@realization(
    MODEL,
    "loihi-emulator",
    options=LoihiModernHopfieldOptions,
    requires=("nengo", "nengo_loihi"),
    check=nc.check_loihi_numpy,
    preflight=chip_preflight,
    capabilities=("chip",),
    defaults=REALIZATION_DEFAULTS,
)
def run_loihi_emulator(
    params: ModernHopfieldParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """The Nengo circuit on nengo_loihi.Simulator(target="sim"), without memory noise."""
    options = options or LoihiModernHopfieldOptions.create()

    def fit(pops: list, ins: list) -> None:
        loihi.check_fits(pops, ins, what=LIMITED, max_chips=options.max_chips)

    result, out = simulate_circuit(
        params, weights, inputs, seed, options, "loihi-emulator", fit=fit
    )
    result.provenance["chip"] = loihi.chip_report(
        out.chip,
        connection="cue0",
        copies=params.n_cues,
        group="cue0",
        per=PER,
        extra={
            "decode_tau_s": float(options.tau_syn_s),
            "features": params.n_units,
            "memories": params.n_patterns,
        },
    )
    return result
