"""What nengo-loihi changed about a model, recorded instead of printed; importing it.

Warnings
--------
nengo-loihi reports what it changed about a model as Python warnings (the nengo
version is untested; non-zero initial voltages are unsupported; a block's
``tau_s`` was overwritten; bits were lost in weight rounding; ...). They are
captured during import, build and run (:func:`capture_warnings`), classified
(:data:`KNOWN_WARNINGS`) and returned as :class:`CapturedWarning` records, so a
caller can report each with its measured effect instead of printing it.

Importing nengo-loihi
---------------------
:func:`import_nengo_loihi` imports it lazily (it is an optional extra) and
records its nengo-version warning into every caller's log.
:func:`check_loihi_numpy` is the availability check of every ``loihi-emulator``
realization: nengo-loihi 1.1.0 fails to build any network under numpy 2.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from neurotwin.errors import BackendUnavailable


@dataclass
class CapturedWarning:
    """One kind of warning raised by Nengo / nengo-loihi, with how often it came."""

    name: str
    category: str
    message: str
    source: str
    count: int = 1
    meaning: str = ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "category": self.category,
            "message": self.message,
            "source": self.source,
            "count": self.count,
            "meaning": self.meaning,
        }


#: (name, pattern in the message, what it means for the model)
KNOWN_WARNINGS = (
    (
        "untested-nengo-version",
        r"has not been tested with your `nengo` version",
        "nengo-loihi's test suite was not run against this nengo; no separate effect can "
        "be isolated, the emulator-vs-float agreement bounds it",
    ),
    (
        "nonzero-initial-state",
        r"does not support initial values for .* being non-zero",
        "the chip starts every voltage at zero instead of the requested initial state",
    ),
    (
        "tau_s-overwritten",
        r"tau_s is (already set|currently)",
        "all inputs to a block share one synaptic filter; one input gets another's tau",
    ),
    (
        "weight-bits-lost",
        r"Lost \d+ extra bits in weight rounding",
        "a weight exponent below the format's range dropped low-order weight bits",
    ),
    (
        "intercepts-clipped",
        r"Intercepts are larger than intercept limit",
        "ensemble intercepts were clipped to the chip's limit",
    ),
    (
        "undefined-max-rates",
        r"Non-finite values detected in `max_rates`|invalid value encountered in log1p",
        "harmless: nengo derives max_rates/intercepts from the explicit gains and biases for "
        "information only; a neuron that never fires at x = 1 has none; neuron-to-neuron "
        "transforms do not use them",
    ),
    (
        "emulator-nan-init",
        r"invalid value encountered in cast",
        "harmless: the emulator fills integer state arrays with NaN placeholders "
        "before copying every block's values in (nengo_loihi/emulator/interface.py)",
    ),
)


def classify_warning(message: str) -> tuple[str, str]:
    for name, pattern, meaning in KNOWN_WARNINGS:
        if re.search(pattern, message):
            return name, meaning
    return "other", "not classified by neurotwin; see the message"


class WarningLog:
    """Collects warnings by (name, message), counting repeats."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], CapturedWarning] = {}

    def add(self, w: warnings.WarningMessage) -> None:
        message = str(w.message)
        name, meaning = classify_warning(message)
        key = (name, message)
        if key in self._records:
            self._records[key].count += 1
        else:
            source = f"{_short_path(w.filename)}:{w.lineno}"
            self._records[key] = CapturedWarning(
                name, w.category.__name__, message, source, 1, meaning
            )

    def records(self) -> list[CapturedWarning]:
        return list(self._records.values())


def _short_path(path: str) -> str:
    parts = path.replace("\\", "/").split("/")
    for anchor in ("nengo_loihi", "nengo", "numpy"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor) :])
    return parts[-1]


@contextlib.contextmanager
def capture_warnings(log: WarningLog) -> Iterator[WarningLog]:
    """Record every warning raised inside the block into ``log`` instead of printing it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield log
        finally:
            for w in caught:
                log.add(w)


def import_nengo_loihi(log: WarningLog | None = None):
    """Import nengo_loihi (lazily), recording its version warning into ``log``.

    The version check runs once per process at import; it is re-run here so
    every caller's log gets the warning, not only the first one.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import nengo_loihi
    except ImportError as exc:  # pragma: no cover - guarded by the registry's `requires`
        raise BackendUnavailable(
            f'nengo_loihi cannot be imported; install it with: pip install -e ".[loihi]" ({exc})'
        ) from exc
    if log is not None:
        with capture_warnings(log):
            nengo_loihi.version.check_nengo_version()
    return nengo_loihi


def check_loihi_numpy(options=None) -> None:
    """Availability check of every ``loihi-emulator`` realization: nengo-loihi 1.1.0
    needs numpy < 2 (its build calls ``np.array(w, copy=False)``, which numpy 2 rejects
    with ``ValueError: Unable to avoid copy``)."""
    if int(np.__version__.split(".")[0]) >= 2:
        raise BackendUnavailable(
            f"the loihi-emulator realizations need numpy < 2 (nengo-loihi 1.1.0 fails to "
            f"build under numpy 2; numpy {np.__version__} is installed); install the extra, "
            f'which pins it, into its own environment: pip install -e ".[loihi]"'
        )


__all__ = [
    "KNOWN_WARNINGS",
    "CapturedWarning",
    "WarningLog",
    "capture_warnings",
    "check_loihi_numpy",
    "classify_warning",
    "import_nengo_loihi",
]
