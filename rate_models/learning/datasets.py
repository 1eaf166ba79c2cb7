"""The data sets of the learning family, and the checks of their arrays.

:func:`gaussian_data` (zero-mean Gaussian with a stated spectrum, for ``oja`` and
``sanger``), :func:`digits` (scikit-learn's ``load_digits``, for ``credit-assignment``
and ``pes-readout``) with :func:`check_digits_inputs`, and :func:`validate_order` (a
presentation order over samples).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from neurotwin.rate_models.perceptron.checks import check_values
from neurotwin.validation import check_array

N_CLASSES = 10
N_PIXELS = 64
#: images in scikit-learn's digits
N_DIGITS = 1797


@lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits (1797 images), pixels scaled to [0, 1]."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data / 16.0, data.target.astype(np.int64)


def gaussian_data(n_samples: int, n_features: int, decay: float, rng) -> np.ndarray:
    """Zero-mean Gaussian samples whose covariance has eigenvalues ``decay**k``
    (k = 0..N-1) along a random orthonormal basis."""
    q, _ = np.linalg.qr(rng.standard_normal((n_features, n_features)))
    scales = np.sqrt(decay ** np.arange(n_features))
    return (rng.standard_normal((n_samples, n_features)) * scales) @ q.T


def check_digits_inputs(m: str, inputs: dict, n_epochs: int) -> None:
    """The digits split and presentation order shared by ``credit-assignment`` and
    ``pes-readout``: images (n, 64), labels in 0..9, an (n_epochs, n_train) index order."""
    xtr = check_array(m, "inputs", inputs, "x_train", (None, N_PIXELS), "(n_train, 64)")
    xte = check_array(m, "inputs", inputs, "x_test", (None, N_PIXELS), "(n_test, 64)")
    rule = "must be integer class labels in 0..9"
    for key, n in (("y_train", len(xtr)), ("y_test", len(xte))):
        lab = check_array(m, "inputs", inputs, key, (n,), f"({key.replace('y', 'n')},)")
        check_values(m, "inputs", key, lab, range(N_CLASSES), rule)
    order = check_array(m, "inputs", inputs, "order", (n_epochs, len(xtr)), "(n_epochs, n_train)")
    check_values(
        m, "inputs", "order", order, range(len(xtr)), f"must be indices in 0..{len(xtr) - 1}"
    )


def validate_order(model: str, inputs: dict, n_samples: int, n_steps: int) -> None:
    """``inputs["order"]``: ``n_steps`` indices into ``n_samples`` samples."""
    order = check_array(model, "inputs", inputs, "order", (n_steps,), "(n_epochs * n_samples,)")
    check_values(
        model, "inputs", "order", order, range(n_samples), f"must be indices in 0..{n_samples - 1}"
    )
