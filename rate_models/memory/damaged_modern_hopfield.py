r"""The modern Hopfield network with damaged synapses: recall against damage.

Its synapses are the stored patterns :math:`\xi^\mu_j` (the feature-to-memory and
memory-to-feature weights of the two-layer form, ``spiking/modern_hopfield/wta.py``, and the
rows of the reference's :math:`X`). ``damage.py`` deletes entries (``dilute``), deletes
feature units (``delete_neurons``: every synapse of a deleted feature, both directions), or
adds Gaussian noise of ``level`` times the synapses' standard deviation (``noise``); ``clip``
and ``quantize`` leave the ±1 synapses unchanged (they are already one bit each). Recall is
measured against the stored, undamaged patterns (``_damaged.py``), on every realization.
"""

from __future__ import annotations

from neurotwin.rate_models.modern_hopfield.modern_hopfield import ModernHopfieldParams
from neurotwin.registry import register_model

from ._damaged import damaged_spec, delegate
from .damage import DamageParams

MODEL = "damaged-modern-hopfield"
REALIZATIONS = ("reference", "brian2", "nengo", "loihi-emulator")


class DamagedModernHopfieldParams(ModernHopfieldParams, DamageParams):
    """The modern Hopfield network's parameters and one kind of damage to its patterns."""


SPEC = register_model(
    damaged_spec(
        MODEL,
        "modern-hopfield",
        DamagedModernHopfieldParams,
        keys=("patterns",),
        square=False,
        doc="Modern Hopfield network with damaged synapses (the stored patterns): dilution, "
        "deleted feature units, synaptic noise; every realization of the modern Hopfield.",
    )
)
delegate(MODEL, "modern-hopfield", REALIZATIONS)
