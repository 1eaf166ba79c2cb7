"""Training data of the ``rbm`` model: binarized 8x8 digits and bars-and-stripes.

References
----------
MacKay, D. J. C. (2003). Information Theory, Inference, and Learning Algorithms.
"""

from __future__ import annotations

import numpy as np

from neurotwin.errors import InputError

from .exact import all_states


def binary_digits() -> np.ndarray:
    """scikit-learn's bundled 8x8 digits (1797 images), binarized: pixel > 8 (of 16) -> 1."""
    from sklearn.datasets import load_digits

    return (load_digits().data > 8).astype(np.uint8)


def bars_and_stripes(k: int) -> np.ndarray:
    """All distinct k x k bars-and-stripes images (MacKay 2003): 2^(k+1) - 2 rows of k^2."""
    rows = all_states(k)
    horiz = np.repeat(rows, k, axis=1)  # each row's bit fills a whole image row
    vert = np.tile(rows, (1, k))  # each bit fills a column
    return np.unique(np.vstack([horiz, vert]), axis=0).astype(np.uint8)


def check_binary_data(data, n_visible: int, name: str = "rbm data") -> np.ndarray:
    """The training data as uint8; InputError for a wrong shape or a value not 0/1."""
    arr = np.asarray(data)
    if arr.ndim != 2 or arr.shape[1] != n_visible:
        raise InputError(
            f"{name}: must have shape (n_examples, n_visible) = (*, {n_visible}) (got {arr.shape})"
        )
    if not np.issubdtype(arr.dtype, np.number):
        raise InputError(f"{name}: must be numeric (got dtype {arr.dtype})")
    bad = ~np.isin(arr, (0, 1))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"{name}: must contain only 0 and 1 (got {arr[idx]} at index {idx})")
    return arr.astype(np.uint8)
