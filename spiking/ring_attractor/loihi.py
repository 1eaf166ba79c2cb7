r"""The Nengo ring attractor (``nengo.py``) on the Loihi emulator,
``nengo_loihi.Simulator(target="sim")``: 8-bit weights, voltages start at zero.

:func:`chip_preflight` checks that the ring fits ``max_chips`` chips (and refuses a
velocity) before anything is built. The chip report is the common one
(:func:`neurotwin.spiking._loihi.chip_report`) for the ring population's recurrent
connection, one copy, per run: ``provenance["chip"]``, which ``neurotwin deploy``
reads.

Measured (tests/ring_attractor/test_ring_attractor_spiking.py, N = 32): mean turning
speed at gamma = +-0.1 1.028 times float Nengo's.
"""

from __future__ import annotations

from pydantic import Field

from neurotwin.rate_models.ring_attractor.ring_attractor import RingAttractorParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _loihi as loihi
from neurotwin.spiking import _nengo as nc

from .nengo import RING, check_constant_gamma, ring_population, simulate_ring
from .readout import RingSpikingOptions


class LoihiRingOptions(RingSpikingOptions):
    """Options of the Loihi-emulator realization: the decoding window and the chip budget."""

    max_chips: int = Field(1, ge=1, description="Loihi chips (128 cores each) the ring may use")


def chip_preflight(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options=None
) -> loihi.ChipPlan:
    """Check the ring fits ``options.max_chips`` Loihi chips before anything is built."""
    check_constant_gamma(params, inputs, "loihi-emulator")
    options = options or LoihiRingOptions.create()
    pop, cue = ring_population(params, weights, inputs)
    return loihi.check_fits(
        [pop], [cue], what="RingAttractorParams.n_units", max_chips=options.max_chips
    )


@realization(
    "ring-attractor",
    "loihi-emulator",
    options=LoihiRingOptions,
    requires=("nengo", "nengo_loihi"),
    check=nc.check_loihi_numpy,
    preflight=chip_preflight,
    capabilities=("chip",),
)
def run_loihi_emulator(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """The Nengo ring on nengo_loihi.Simulator(target="sim"): the chip's fixed point."""
    options = options or LoihiRingOptions.create()
    chip_preflight(params, weights, inputs, seed, options)
    result, out = simulate_ring(params, weights, inputs, seed, options, "loihi-emulator")
    result.provenance["chip"] = loihi.chip_report(out.chip, connection=RING, per="run")
    return result
