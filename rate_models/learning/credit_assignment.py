r"""``credit-assignment``: a two-hidden-layer tanh network on scikit-learn's
``load_digits``, trained with backprop, feedback alignment, direct feedback alignment
or a delta-rule readout of fixed random features.

=====================  =========================================================================
rule                   error of the hidden layers (third factor in brackets)
=====================  =========================================================================
delta rule             :math:`\Delta W_{ij} = \eta\, [e_i]\, h_j`, :math:`e = t - y` (readout only)
feedback alignment     :math:`\Delta W = \eta\,\delta h\,x^\top`, :math:`\delta h = [B e] \odot f'`
backprop               :math:`\delta h = (W_2^\top e) \odot f'(a)` (needs the forward weights)
=====================  =========================================================================

References
----------
Lillicrap, T. P., Cownden, D., Tweed, D. B. & Akerman, C. J. (2016). Nat. Commun. 7, 13276.
Nøkland, A. (2016). Direct feedback alignment provides learning in deep neural networks.
NIPS 29.
Lillicrap, T. P., Santoro, A., Marris, L., Akerman, C. J. & Hinton, G. (2020). Nat. Rev.
Neurosci. 21, 335-346.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, cost, driver
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

from .datasets import N_CLASSES, N_DIGITS, N_PIXELS, check_digits_inputs, digits


class CreditParams(Params):
    """A 64-h-h-10 tanh/softmax network on ``load_digits`` (random 75/25 split from the
    seed), trained by SGD with cross-entropy; ``rule`` sets how the hidden layers get
    their error signal."""

    rule: Literal[
        "backprop", "feedback-alignment", "direct-feedback-alignment", "delta-readout"
    ] = Field("backprop", description="credit-assignment rule")
    n_hidden: int = Field(100, ge=1, description="units in each of the two hidden layers")
    n_epochs: int = Field(20, ge=1, description="passes over the training set")
    batch_size: int = Field(16, ge=1, description="mini-batch size")
    learning_rate: float = Field(0.05, gt=0, le=10, description="SGD step eta")
    test_fraction: float = Field(0.25, gt=0, lt=1, description="held-out fraction")

    @pydantic.model_validator(mode="after")
    def _both_sets_used(self):
        n_test = int(round(self.test_fraction * N_DIGITS))
        if not 1 <= n_test <= N_DIGITS - 1:
            raise ValueError(
                f"test_fraction: must hold out at least one and keep at least one of the "
                f"{N_DIGITS} digits (got {self.test_fraction!r})"
            )
        return self


def credit_weights(params: CreditParams, rng: np.random.Generator) -> dict:
    """Forward weights (scaled 1/sqrt(fan-in)), zero biases, and the fixed random
    feedback matrices: ``b2`` (h, 10) replaces W3^T, ``b1`` (h, h) replaces W2^T in
    feedback alignment; ``d1``, ``d2`` (h, 10) carry the output error straight to each
    hidden layer in direct feedback alignment."""
    h = params.n_hidden

    def init(n_in, n_out):
        return rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)

    return {
        "w1": init(N_PIXELS, h),
        "w2": init(h, h),
        "w3": init(h, N_CLASSES),
        "b1": rng.standard_normal((h, h)) / np.sqrt(h),
        "b2": rng.standard_normal((h, N_CLASSES)) / np.sqrt(N_CLASSES),
        "d1": rng.standard_normal((h, N_CLASSES)) / np.sqrt(N_CLASSES),
        "d2": rng.standard_normal((h, N_CLASSES)) / np.sqrt(N_CLASSES),
    }


def credit_inputs(params: CreditParams, weights: dict, rng: np.random.Generator) -> dict:
    """A random split of ``load_digits`` and the mini-batch order of every epoch."""
    x, y = digits()
    perm = rng.permutation(len(x))
    n_test = int(round(params.test_fraction * len(x)))
    test, train = perm[:n_test], perm[n_test:]
    order = np.stack([rng.permutation(len(train)) for _ in range(params.n_epochs)])
    return {
        "x_train": x[train],
        "y_train": y[train],
        "x_test": x[test],
        "y_test": y[test],
        "order": order,
    }


def credit_validate(params: CreditParams, weights: dict, inputs: dict) -> None:
    h = params.n_hidden
    for key, shape, name in [
        ("w1", (h, N_PIXELS), "(n_hidden, 64)"),
        ("w2", (h, h), "(n_hidden, n_hidden)"),
        ("w3", (N_CLASSES, h), "(10, n_hidden)"),
        ("b1", (h, h), "(n_hidden, n_hidden)"),
        ("b2", (h, N_CLASSES), "(n_hidden, 10)"),
        ("d1", (h, N_CLASSES), "(n_hidden, 10)"),
        ("d2", (h, N_CLASSES), "(n_hidden, 10)"),
    ]:
        check_array("credit-assignment", "weights", weights, key, shape, name)
    check_digits_inputs("credit-assignment", inputs, params.n_epochs)


def _forward(w: dict, x: np.ndarray) -> tuple:
    h1 = np.tanh(x @ w["w1"].T + w["c1"])
    h2 = np.tanh(h1 @ w["w2"].T + w["c2"])
    z = h2 @ w["w3"].T + w["c3"]
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return h1, h2, p / p.sum(axis=1, keepdims=True)


def hidden_errors(rule: str, w: dict, e: np.ndarray, h1: np.ndarray, h2: np.ndarray) -> tuple:
    """The error each hidden layer receives (rows: samples), from the output error
    ``e = p - onehot``: backprop sends it back through the transposed forward weights;
    feedback alignment through fixed random ``b2``, ``b1``; direct feedback alignment
    straight from the output through ``d2``, ``d1``; ``delta-readout``: none (the
    hidden layers stay random, only the readout learns, by the delta rule)."""
    if rule == "delta-readout":
        return None, None
    if rule == "backprop":
        d2 = (e @ w["w3"]) * (1 - h2**2)
        return (d2 @ w["w2"]) * (1 - h1**2), d2
    if rule == "feedback-alignment":
        d2 = (e @ w["b2"].T) * (1 - h2**2)
        return (d2 @ w["b1"].T) * (1 - h1**2), d2
    return (e @ w["d1"].T) * (1 - h1**2), (e @ w["d2"].T) * (1 - h2**2)


def local_update(w: np.ndarray, pre: np.ndarray, err: np.ndarray, eta: float) -> np.ndarray:
    """Every layer's update is the same local product: ``dW = -eta <err pre^T>`` over
    the mini-batch (err: the postsynaptic error signal, the third factor)."""
    return w - eta * err.T @ pre / len(pre)


def accuracy(w: dict, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(_forward(w, x)[2], axis=1) == y))


def update_angle_deg(rule: str, w: dict, x: np.ndarray, onehot: np.ndarray) -> float:
    """Angle (degrees) between the last hidden layer's error signal under ``rule`` and
    under backprop, over the samples ``x`` (both flattened): Lillicrap et al. (2016),
    Fig. 2, measure of alignment (below 90 degrees: the rule's hidden updates point,
    on average, the way backprop's do; 0 for backprop itself). NaN for
    ``delta-readout``, whose hidden layers get no error signal."""
    if rule == "delta-readout":
        return float("nan")
    h1, h2, p = _forward(w, x)
    e = p - onehot
    ours = hidden_errors(rule, w, e, h1, h2)[1].ravel()
    bp = hidden_errors("backprop", w, e, h1, h2)[1].ravel()
    cos = ours @ bp / (np.linalg.norm(ours) * np.linalg.norm(bp))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


@realization("credit-assignment", "reference")
def run_credit(params: CreditParams, weights: dict, inputs: dict, seed: int, options=None):
    """Mini-batch SGD; traces per epoch (t = epoch, from 1): ``test_accuracy_curve``,
    ``train_accuracy_curve``, ``train_loss`` (mean cross-entropy over the epoch),
    ``hidden_update_angle_deg`` (:func:`update_angle_deg` on the training set at the
    epoch's end)."""
    h = params.n_hidden
    w = {k: np.array(v, dtype=float) for k, v in weights.items()}
    w.update(c1=np.zeros(h), c2=np.zeros(h), c3=np.zeros(N_CLASSES))
    xtr, ytr = np.asarray(inputs["x_train"], float), np.asarray(inputs["y_train"]).astype(int)
    xte, yte = np.asarray(inputs["x_test"], float), np.asarray(inputs["y_test"]).astype(int)
    onehot = np.eye(N_CLASSES)[ytr]
    eta, bs = params.learning_rate, params.batch_size
    test_acc, train_acc, loss, angle = [], [], [], []
    for order in np.asarray(inputs["order"]).astype(np.int64):
        total = 0.0
        for start in range(0, len(order), bs):
            idx = order[start : start + bs]
            x = xtr[idx]
            h1, h2, p = _forward(w, x)
            total += -np.log(p[np.arange(len(idx)), ytr[idx]] + 1e-12).sum()
            e = p - onehot[idx]
            d1, d2 = hidden_errors(params.rule, w, e, h1, h2)
            w["w3"] = local_update(w["w3"], h2, e, eta)
            w["c3"] -= eta * e.mean(axis=0)
            if d1 is not None:
                w["w2"] = local_update(w["w2"], h1, d2, eta)
                w["c2"] -= eta * d2.mean(axis=0)
                w["w1"] = local_update(w["w1"], x, d1, eta)
                w["c1"] -= eta * d1.mean(axis=0)
        loss.append(total / len(order))
        test_acc.append(accuracy(w, xte, yte))
        train_acc.append(accuracy(w, xtr, ytr))
        angle.append(update_angle_deg(params.rule, w, xtr, onehot))
    t = np.arange(1, len(loss) + 1, dtype=float)
    check_finite("credit-assignment/reference train_loss", np.array(loss), t, "epoch")
    return Result(
        model="credit-assignment",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="sweep",
        traces={
            "test_accuracy_curve": np.array(test_acc),
            "train_accuracy_curve": np.array(train_acc),
            "train_loss": np.array(loss),
            "hidden_update_angle_deg": np.array(angle),
        },
    )


def credit_observe(result: Result, params: CreditParams, weights: dict, inputs: dict) -> dict:
    """``test_accuracy`` / ``train_accuracy`` / ``hidden_update_angle_deg`` after the
    last epoch (the angle is NaN for ``delta-readout``)."""
    return {
        "test_accuracy": float(np.asarray(result.traces["test_accuracy_curve"])[-1]),
        "train_accuracy": float(np.asarray(result.traces["train_accuracy_curve"])[-1]),
        "hidden_update_angle_deg": float(np.asarray(result.traces["hidden_update_angle_deg"])[-1]),
    }


def credit_estimate(params: CreditParams, options, realization: str):
    """Memory: the weights, feedback matrices and their updates (h x h and h x 64
    matrices, a few copies each), the hidden activities of the whole training and test
    sets (each epoch's accuracies), the epochs' orders. Steps: epochs x training
    images x units."""
    h, e = params.n_hidden, params.n_epochs
    n_img = N_DIGITS
    return cost(
        {
            "n_hidden": 6 * F8 * (h * h + (N_PIXELS + 3 * N_CLASSES) * h) + 3 * F8 * n_img * h,
            "n_epochs": F8 * e * n_img,
        },
        {driver(params, ("n_epochs", "n_hidden")): float(e) * n_img * (2 * h + N_CLASSES)},
    )


register_model(
    ModelSpec(
        name="credit-assignment",
        params=CreditParams,
        weights=credit_weights,
        make_inputs=credit_inputs,
        validate=credit_validate,
        observe=credit_observe,
        key_observable="test_accuracy",
        estimate=credit_estimate,
        compare_runs=[
            (rule, "reference", {"rule": rule})
            for rule in (
                "backprop",
                "feedback-alignment",
                "direct-feedback-alignment",
                "delta-readout",
            )
        ],
        quick_params={"n_hidden": 32, "n_epochs": 2},
        doc="Backprop vs feedback alignment (Lillicrap et al. 2016), direct feedback "
        "alignment (Nøkland 2016) and a delta-rule readout on scikit-learn's digits.",
    )
)
