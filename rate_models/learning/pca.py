"""Online PCA by a Hebbian rule, shared by ``oja`` and ``sanger``: the parameters, the
stated data set, the training loop and the comparison with scikit-learn's PCA."""

from __future__ import annotations

import numpy as np
from pydantic import Field
from scipy import linalg

from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, Terms, cost, driver
from neurotwin.results import Result
from neurotwin.validation import check_array

from .datasets import gaussian_data, validate_order
from .rules import checkpoints, diverged


def subspace_angle_deg(w: np.ndarray, components: np.ndarray) -> float:
    """Largest principal angle (degrees) between the row spaces of ``w`` and ``components``."""
    return float(np.degrees(np.max(linalg.subspace_angles(w.T, components.T))))


def pca_components(x: np.ndarray, k: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    return PCA(n_components=k, svd_solver="full").fit(x).components_


class PcaParams(Params):
    """Online PCA by a Hebbian rule on zero-mean Gaussian data.

    The stated data set: ``n_samples`` draws of an ``n_features``-dimensional Gaussian
    whose covariance eigenvalues are ``spectrum_decay**k`` along a random basis (defaults:
    10 dimensions, eigenvalues 1, 0.6, 0.36, ...), presented ``n_epochs`` times in a fresh
    random order. Learning rate constant.
    """

    n_features: int = Field(10, ge=2, description="input dimension N")
    n_samples: int = Field(2000, ge=10, description="number of samples")
    spectrum_decay: float = Field(
        0.6, gt=0, lt=1, description="eigenvalue ratio lambda_k+1/lambda_k"
    )
    n_epochs: int = Field(5, ge=1, description="passes over the samples")
    learning_rate: float = Field(0.005, gt=0, le=1, description="eta")
    n_checkpoints: int = Field(20, ge=1, description="recorded points of the learning curve")


def pca_weights(params: PcaParams, rng: np.random.Generator) -> dict:
    """Initial weights ``{"w0": (k, N)}``, small random rows of norm 0.1."""
    k = getattr(params, "n_components", 1)
    w = rng.standard_normal((k, params.n_features))
    return {"w0": 0.1 * w / np.linalg.norm(w, axis=1, keepdims=True)}


def pca_inputs(params: PcaParams, weights: dict, rng: np.random.Generator) -> dict:
    """``{"x": (n_samples, N)}`` centred, and ``order``: the presentation order."""
    x = gaussian_data(params.n_samples, params.n_features, params.spectrum_decay, rng)
    order = np.concatenate([rng.permutation(params.n_samples) for _ in range(params.n_epochs)])
    return {"x": x - x.mean(axis=0), "order": order}


def pca_validate(model: str):
    def validate(params: PcaParams, weights: dict, inputs: dict) -> None:
        k = getattr(params, "n_components", 1)
        n = params.n_features
        if k > n:
            from neurotwin.errors import ParamError

            raise ParamError(f"SangerParams.n_components: must be <= n_features = {n} (got {k})")
        check_array(model, "weights", weights, "w0", (k, n), "(n_components, n_features)")
        shape = (params.n_samples, n)
        check_array(model, "inputs", inputs, "x", shape, "(n_samples, n_features)")
        validate_order(model, inputs, params.n_samples, params.n_samples * params.n_epochs)

    return validate


def train_pca(params: PcaParams, weights: dict, inputs: dict, update, model: str = "") -> tuple:
    x = np.asarray(inputs["x"], dtype=float)
    order = np.asarray(inputs["order"]).astype(np.int64)
    w = np.array(weights["w0"], dtype=float)
    marks = checkpoints(len(order), params.n_checkpoints)
    history = [w.copy()]
    eta = params.learning_rate
    # a learning rate too large for the data makes w run away: stopped at the first
    # step where w is not finite (said there, so numpy's warnings on the way are left out)
    with np.errstate(all="ignore"):
        for step, idx in enumerate(order, start=1):
            pre = x[idx]
            post = w @ pre
            w = update(w, pre, post, eta)
            if not np.isfinite(w).all():
                raise diverged(f"{model}/reference", "w", step, "sample")
            if step in marks:
                history.append(w.copy())
    return marks.astype(float), np.stack(history)


def pca_result(model: str, params: PcaParams, t, history, seed: int) -> Result:
    check_finite(f"{model}/reference w", history, t, "sample")
    return Result(
        model=model,
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="sweep",
        traces={"w": history},
    )


def pca_estimate(params: PcaParams, options, realization: str):
    """Memory: the data (n_samples x N, with the draw's and the centring's copies and
    scikit-learn's PCA of it), the presentation order (int64, and its copy), the recorded
    weights; Nengo adds the presented samples and their decoded estimates
    (n_samples * n_epochs x N each) and its decoder solves. Steps: samples seen x units
    (reference); Nengo: time steps x neurons."""
    k = getattr(params, "n_components", 1)
    n, s, e = params.n_features, params.n_samples, params.n_epochs
    mem = Terms(
        ("n_samples", 6 * F8 * s * n),
        ("n_features", 4 * F8 * n * n),
        ("n_epochs", 2 * F8 * s * e),
        ("n_checkpoints", F8 * (params.n_checkpoints + 1) * k * n),
    )
    who = driver(params, ("n_samples", "n_epochs"))
    steps = Terms((who, float(s) * e * k * n))
    if options is not None and realization != "reference":
        per = round(options.present_s / options.dt_s)
        neurons = options.neurons_per_dim * n + options.post_neurons
        mem.add(who, 2 * F8 * s * e * n + 4 * F8 * s * e)
        mem.add("n_features", 750 * F8 * neurons)  # nengo's decoder solves
        steps = Terms((who, float(s) * e * per * neurons))
    return cost(mem, steps)


#: small parameters for the conformance suite
PCA_QUICK = {"n_samples": 500, "n_epochs": 2, "learning_rate": 0.01}
