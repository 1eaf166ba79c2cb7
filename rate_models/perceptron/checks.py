"""Value checks shared by the threshold-unit models (and the learning family's).

:func:`check_values` refuses an input array with an entry outside an allowed set
(0/1 truth tables, -1/+1 labels, class indices), naming the model, the array, the
rule, the value and its index.
"""

from __future__ import annotations

import numpy as np

from neurotwin.errors import InputError


def check_values(model: str, kind: str, key: str, arr: np.ndarray, allowed, rule: str) -> None:
    """:class:`InputError` at the first entry of ``arr`` not in ``allowed``."""
    arr = np.asarray(arr)
    real = np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    if isinstance(allowed, range) and allowed.step == 1 and real:
        # indices: two comparisons instead of a sort of the array (isin); NaN fails both
        with np.errstate(invalid="ignore"):
            ok = (arr >= allowed.start) & (arr < allowed.stop)
            if not np.issubdtype(arr.dtype, np.integer):
                ok &= np.mod(arr, 1) == 0
        bad = ~ok
    else:
        bad = ~np.isin(arr, np.asarray(list(allowed), dtype=float))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        value = arr[idx].item()
        value = int(value) if float(value).is_integer() else value
        raise InputError(f"{model} {kind}[{key!r}]: {rule} (got {value} at index {idx})")
