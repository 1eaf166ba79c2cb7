"""neurotwin: every network model built twice, as math and as spikes, and compared.

>>> import neurotwin
>>> r = neurotwin.run("hopfield", "reference", n_units=100, n_patterns=5, seed=1)
>>> r.observables["final_overlap"] > 0.9
True
>>> neurotwin.describe("hopfield").field("n_units").allowed
'an integer >= 2'
"""

from .compare import Comparison, compare
from .describe import describe
from .errors import (
    BackendUnavailable,
    ExportUnsupported,
    InputError,
    NeurotwinError,
    ParamError,
    SimulationError,
)
from .harness import run
from .registry import models
from .results import Result

__all__ = [
    "BackendUnavailable",
    "Comparison",
    "ExportUnsupported",
    "InputError",
    "NeurotwinError",
    "ParamError",
    "Result",
    "SimulationError",
    "compare",
    "describe",
    "models",
    "run",
]
