"""Plain JSON-able values of sweep coordinates, canonical forms for keys, one-line error texts."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

# -- helpers ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars (Params are strict: np.int64 is not an int)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


def _canonical(obj: Any) -> Any:
    """JSON round trip with numpy values made plain: the form compared and hashed."""
    return json.loads(json.dumps(obj, sort_keys=True, default=_plain))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
