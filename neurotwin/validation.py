"""Checks of the arrays a model is given (weights, inputs), shared by every model.

Each raises :class:`~neurotwin.errors.InputError` naming the model, the array, the
rule and the offending value, e.g. ``kuramoto inputs['theta0']: must be finite (got
nan at index (3,))``, before any simulation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import InputError


def check_array(
    model: str,
    kind: str,
    mapping,
    key: str,
    shape: tuple,
    shape_name: str,
    values: Sequence | None = None,
) -> np.ndarray:
    """``mapping[key]`` as float64, or :class:`InputError` naming the array and the rule.

    ``kind`` is ``"weights"`` or ``"inputs"``; ``shape`` entries that are ``None``
    accept any length on that axis; ``values``, if given, are the only values allowed.
    """
    where = f"{model} {kind}[{key!r}]"
    if not isinstance(mapping, dict) or key not in mapping:
        got = sorted(mapping) if isinstance(mapping, dict) else type(mapping).__name__
        raise InputError(f"{where}: is missing (got {got})")
    arr = np.asarray(mapping[key])
    if arr.ndim != len(shape) or any(
        s is not None and a != s for a, s in zip(arr.shape, shape, strict=True)
    ):
        raise InputError(f"{where}: must have shape {shape_name} = {shape} (got {arr.shape})")
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise InputError(f"{where}: must be real numbers (got dtype {arr.dtype})")
    bad = ~np.isfinite(arr.astype(np.float64))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"{where}: must be finite (got {arr[idx]} at index {idx})")
    if values is not None and not np.isin(arr, values).all():
        idx = tuple(int(i) for i in np.argwhere(~np.isin(arr, values))[0])
        allowed = " and ".join(str(v) for v in values)
        raise InputError(f"{where}: must contain only {allowed} (got {arr[idx]} at index {idx})")
    return arr.astype(np.float64)
