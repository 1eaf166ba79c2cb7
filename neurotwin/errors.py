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


class FileError(NeurotwinError, OSError):
    """A file or folder cannot be read or written.

    The message is one line naming the path and the cause, e.g.
    ``cannot write out/r.nc: disk full (no space left on device)``; the target is
    left as it was (no partial file).
    """


class SweepError(NeurotwinError, RuntimeError):
    """A sweep cannot go on: its folder is held by another sweep, or its Dask cluster
    lost its scheduler or has had no worker for too long.

    The points written so far stay; the message says how to resume.
    """
