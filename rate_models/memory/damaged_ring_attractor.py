r"""The ring attractor with damaged synapses: bump stability and path integration against
damage (``damage.py``, applied to :math:`W` and :math:`W'` together, see ``_damaged.py``).

The ring's couplings :math:`W_{ij} = w(\theta_i - \theta_j)/N` and the velocity couplings
:math:`W'_{ij} = w'(\theta_i - \theta_j)/N` (``neurotwin.rate_models.ring_attractor``) lose
the same synapses (``dilute``) or units (``delete_neurons``), get noise of ``level`` times
their own standard deviation (``noise``), are clipped to their sign (``clip``) or quantized to
``bits`` bits (``quantize``). Every damage breaks the ring's continuous symmetry, so the bump
drifts (``drift_rad``) and path integration errs (``bump_speed`` against ``gamma``); the
observables are the ring's own, on every realization of the ring.
"""

from __future__ import annotations

from neurotwin.rate_models.ring_attractor.ring_attractor import RingAttractorParams
from neurotwin.registry import register_model

from ._damaged import damaged_spec, delegate
from .damage import DamageParams

MODEL = "damaged-ring-attractor"
REALIZATIONS = ("reference", "brian2", "nengo", "loihi-emulator")


class DamagedRingAttractorParams(RingAttractorParams, DamageParams):
    """The ring attractor's parameters and one kind of damage to its W and W'."""


SPEC = register_model(
    damaged_spec(
        MODEL,
        "ring-attractor",
        DamagedRingAttractorParams,
        keys=("W", "dW"),
        square=True,
        doc="Ring attractor with damaged synapses (W and W'): dilution, deleted neurons, "
        "synaptic noise, clipping, b-bit quantization; every realization of the ring.",
    )
)
delegate(MODEL, "ring-attractor", REALIZATIONS)
