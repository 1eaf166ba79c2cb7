"""``pes-readout``: a linear readout of digits from a fixed LIF population, learned
online by PES (MacNeil & Eliasmith 2011); the rate counterpart (exact per-image PES)
of the Nengo and Loihi-emulator realizations (:mod:`neurotwin.spiking.learning.nengo`,
:mod:`neurotwin.spiking.learning.loihi`).

References
----------
MacNeil, D. & Eliasmith, C. (2011). Fine-tuning and the stability of recurrent neural
networks. PLoS ONE 6(9), e22885.
"""

from __future__ import annotations

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, Terms, cost, driver
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

from .datasets import N_CLASSES, N_DIGITS, N_PIXELS, check_digits_inputs, digits
from .rules import diverged

#: LIF time constants of the PES population (nengo.LIF defaults), s
LIF_TAU_RC, LIF_TAU_REF = 0.02, 0.002


def lif_rate(current: np.ndarray) -> np.ndarray:
    """Steady LIF rate (Hz) for input current J in threshold units (nengo.LIF):
    ``1 / (tau_ref + tau_rc log(1 + 1/(J - 1)))`` for J > 1, else 0."""
    j = np.asarray(current, dtype=float)
    out = np.zeros_like(j)
    on = j > 1
    out[on] = 1.0 / (LIF_TAU_REF + LIF_TAU_RC * np.log1p(1.0 / (j[on] - 1.0)))
    return out


class PesParams(Params):
    """A population of LIF neurons with fixed random input weights encodes each digit
    image; a linear readout to 10 classes learns online by PES (MacNeil & Eliasmith
    2011), error = readout - one-hot label, each training image shown for
    ``present_s``; then the test images are classified (argmax of the readout) with
    learning off. The spiking realizations' simulator settings (time step, synaptic
    filter) are their options (:class:`~neurotwin.spiking.learning.nengo.NengoPesOptions`)."""

    n_neurons: int = Field(500, ge=10, description="LIF neurons n")
    present_s: float = Field(0.02, gt=0, le=1, description="presentation time per image")
    learning_rate: float = Field(0.01, gt=0, le=10, description="PES kappa (nengo units)")
    n_epochs: int = Field(1, ge=1, description="passes over the training images")
    subsample: float = Field(1.0, gt=0, le=1, description="fraction of load_digits used")
    test_fraction: float = Field(0.25, gt=0, lt=1, description="held-out fraction")

    @pydantic.model_validator(mode="after")
    def _both_sets_used(self):
        n = int(round(self.subsample * N_DIGITS))
        if n < 2:
            raise ValueError(
                f"subsample: must keep at least 2 of the {N_DIGITS} digits (one to train, one "
                f"to test; got {self.subsample!r})"
            )
        if n - max(1, int(round(self.test_fraction * n))) < 1:
            raise ValueError(
                f"test_fraction: must keep at least one of the {n} digits for training "
                f"(got {self.test_fraction!r})"
            )
        return self


def pes_weights(params: PesParams, rng: np.random.Generator) -> dict:
    """Input weights ``w_in`` (n, 64) and biases ``bias`` (n,): random unit encoders,
    scaled so each neuron's current over the digit set has unit spread, with thresholds
    at random points of it, ``J = (e . x - m) / s - c + 1``, c ~ U(-1, 1), so about half
    of the images drive each neuron (the data set is fixed, so this draws nothing but
    the encoders and c)."""
    x, _ = digits()
    enc = rng.standard_normal((params.n_neurons, N_PIXELS))
    enc /= np.linalg.norm(enc, axis=1, keepdims=True)
    proj = x @ enc.T
    mean, sd = proj.mean(axis=0), proj.std(axis=0)
    shift = rng.uniform(-1, 1, params.n_neurons)
    return {"w_in": enc / sd[:, None], "bias": 1.0 - mean / sd - shift}


def pes_inputs(params: PesParams, weights: dict, rng: np.random.Generator) -> dict:
    """A random subsample and split of ``load_digits`` and the training order."""
    x, y = digits()
    perm = rng.permutation(len(x))[: int(round(params.subsample * len(x)))]
    n_test = max(1, int(round(params.test_fraction * len(perm))))
    test, train = perm[:n_test], perm[n_test:]
    order = np.stack([rng.permutation(len(train)) for _ in range(params.n_epochs)])
    return {
        "x_train": x[train],
        "y_train": y[train],
        "x_test": x[test],
        "y_test": y[test],
        "order": order,
    }


def pes_validate(params: PesParams, weights: dict, inputs: dict) -> None:
    n, m = params.n_neurons, "pes-readout"
    check_array(m, "weights", weights, "w_in", (n, N_PIXELS), "(n_neurons, 64)")
    check_array(m, "weights", weights, "bias", (n,), "(n_neurons,)")
    check_digits_inputs(m, inputs, params.n_epochs)


def pes_update(d: np.ndarray, pre: np.ndarray, err: np.ndarray, rate: float, t: float):
    """PES, ``dD/dt = -(kappa / n) e a^T`` with ``e = D a - y``, integrated exactly over a
    presentation of length ``t`` with the activities ``a`` (pre) held fixed: the error
    decays as ``exp(-lambda t)``, ``lambda = kappa |a|^2 / n``, and
    ``D <- D - e0 a^T (1 - exp(-lambda t)) / |a|^2`` (a normalised delta rule)."""
    norm2 = float(pre @ pre)
    if norm2 == 0:
        return d
    lam = rate * norm2 / len(pre)
    return d - np.outer(err, pre) * (1 - np.exp(-lam * t)) / norm2


@realization("pes-readout", "reference")
def run_pes_reference(params: PesParams, weights: dict, inputs: dict, seed: int, options=None):
    """LIF rates of the population, the readout trained by :func:`pes_update` image by
    image; traces per epoch (t = epoch): ``test_accuracy_curve``."""
    w_in, bias = np.asarray(weights["w_in"], float), np.asarray(weights["bias"], float)
    a_tr = lif_rate(np.asarray(inputs["x_train"], float) @ w_in.T + bias)
    a_te = lif_rate(np.asarray(inputs["x_test"], float) @ w_in.T + bias)
    onehot = np.eye(N_CLASSES)[np.asarray(inputs["y_train"]).astype(int)]
    y_te = np.asarray(inputs["y_test"]).astype(int)
    d = np.zeros((N_CLASSES, params.n_neurons))
    curve = []
    for order in np.asarray(inputs["order"]).astype(np.int64):
        for k in order:
            d = pes_update(
                d, a_tr[k], d @ a_tr[k] - onehot[k], params.learning_rate, params.present_s
            )
        curve.append(float(np.mean(np.argmax(a_te @ d.T, axis=1) == y_te)))
        if not np.isfinite(d).all():  # argmax would still give an accuracy
            raise diverged("pes-readout/reference", "decoders", len(curve), "epoch")
    t = np.arange(1, len(curve) + 1, dtype=float)
    return Result(
        model="pes-readout",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="sweep",
        traces={"test_accuracy_curve": np.array(curve)},
        observables={"mean_rate_hz": float(a_tr.mean())},
    )


def pes_observe(result: Result, params: PesParams, weights: dict, inputs: dict) -> dict:
    """``test_accuracy`` after the last epoch."""
    return {"test_accuracy": float(np.asarray(result.traces["test_accuracy_curve"])[-1])}


def pes_estimate(params: PesParams, options, realization: str):
    """Memory: the encoders' projection of every image (1797 x n), the rates of the
    training and test images, the decoders; Nengo adds its probe of the readout (10
    values and a list entry per time step) and the presented images and labels per
    presentation, the Loihi emulator the population's spikes (n per time step). Steps:
    epochs x training images x neurons (reference); Nengo: time steps x neurons."""
    n, e = params.n_neurons, params.n_epochs
    n_img = N_DIGITS * params.subsample
    n_test = max(1.0, params.test_fraction * n_img)
    n_train = max(0.0, n_img - n_test)
    mem = Terms(
        ("n_neurons", F8 * n * (2 * N_DIGITS + 2 * n_img + 3 * N_PIXELS + N_CLASSES)),
        ("n_epochs", F8 * e * n_train),
    )
    steps = Terms((driver(params, ("n_neurons", "n_epochs", "subsample")), float(e) * n_train * n))
    if options is not None and realization != "reference":
        shown = e * (n_train + n_test)
        t_steps = shown * params.present_s / options.dt_s
        who = driver(params, ("n_epochs", "subsample", "present_s"))
        mem.add(who, F8 * shown * (N_PIXELS + 2 * N_CLASSES + 1) * 2)
        mem.add(who, 240 * t_steps)  # probe: 10 floats and a list entry per step
        if realization == "loihi-emulator":
            mem.add(who, (F8 + 4) * t_steps * n + 100 * t_steps)
        steps = Terms(
            (driver(params, ("n_neurons", "n_epochs", "subsample", "present_s")), t_steps * n)
        )
    return cost(mem, steps)


register_model(
    ModelSpec(
        name="pes-readout",
        params=PesParams,
        weights=pes_weights,
        make_inputs=pes_inputs,
        validate=pes_validate,
        observe=pes_observe,
        key_observable="test_accuracy",
        # rate vs spiking (tests/learning/test_learning_spiking.py): float Nengo's test
        # accuracy within 0.05 of the rate reference (defaults); the Loihi emulator is
        # tested against float Nengo (0.15 at 100 neurons), not against the reference.
        agreement=[{"observable": "test_accuracy", "atol": 0.05, "rtol": 0.0}],
        estimate=pes_estimate,
        compare_runs=[
            ("rate", "reference", {}),
            ("nengo", "nengo", {}),
            ("loihi emulator", "loihi-emulator", {}),
        ],
        quick_params={"n_neurons": 50, "subsample": 0.05, "present_s": 0.01},
        doc="Online PES readout of load_digits from a fixed LIF population: the rate "
        "counterpart (exact per-image PES), Nengo and the Loihi emulator.",
    )
)
