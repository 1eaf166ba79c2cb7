"""Exception hierarchy: every error neurotwin raises on purpose derives from NeurotwinError."""


class NeurotwinError(Exception):
    """Base class for all neurotwin errors."""


class ParamError(NeurotwinError, ValueError):
    """A parameter is missing, unknown, of the wrong type or out of range.

    The message reads ``Class.field: rule (got value)``.
    """


class InputError(NeurotwinError, ValueError):
    """An array handed to a model (weights, cues) has the wrong shape or contents."""


class SimulationError(NeurotwinError, RuntimeError):
    """A simulation produced NaN/inf or runaway activity."""


class BackendUnavailable(NeurotwinError, ImportError):
    """An optional simulator or tool (a package, a C++ compiler) is missing here."""


class ExportUnsupported(NeurotwinError, ValueError):
    """The model (with these parameters) has features the export format cannot express."""
