r"""Local learning rules (Hebb, Oja, Sanger, BCM, nonlinear Hebbian ICA) against backprop.

Every rule below is written as a function of the presynaptic activity ``pre``, the
postsynaptic activity ``post`` and, where the rule needs it, one local third factor
(a postsynaptic threshold, a top-down feedback, an error broadcast to the synapse):

=====================  =========================================================================
rule                   update (pre :math:`x_j`, post :math:`y_i`, third factor in brackets)
=====================  =========================================================================
Hebb, normalised       :math:`w \leftarrow (w + \eta\, y x) / \|w + \eta\, y x\|`
Oja (1982)             :math:`\Delta w_j = \eta\, y\,(x_j - y\, w_j)`
Sanger / GHA (1989)    :math:`\Delta W_{ij} = \eta\, y_i\,(x_j - \sum_{k \le i} y_k W_{kj})`
BCM (1982)             :math:`\Delta w_j = \eta\, x_j\, y\,(y - [\theta])`,
                       :math:`\tau_\theta \dot\theta = y^2 - \theta`
ICA, natural gradient  :math:`\Delta W_{ij} = \eta\,(W_{ij} - \tanh(y_i)\,[u_j])`,
                       :math:`u = W^\top y` (Amari, Cichocki & Yang 1996)
delta rule / PES       :math:`\Delta W_{ij} = \eta\, [e_i]\, h_j`, :math:`e = t - y`
feedback alignment     :math:`\Delta W = \eta\,\delta h\,x^\top`, :math:`\delta h = [B e] \odot f'`
backprop               :math:`\delta h = (W_2^\top e) \odot f'(a)` (needs the forward weights)
=====================  =========================================================================

Models registered here (reference realizations): ``oja`` (Oja or normalised Hebb on a
Gaussian with a stated spectrum; ``pc_cosine`` = the absolute cosine to scikit-learn's first
principal component), ``sanger`` (top-k subspace angle to scikit-learn's PCA), ``bcm`` (selectivity
with a sliding threshold; for :math:`K` patterns shown with probability :math:`p = 1/K` the
selective fixed point answers :math:`y = 1/p` to one pattern and 0 to the others),
``hebbian-ica`` (Amari index against scikit-learn's FastICA on mixed Laplacian sources) and
``credit-assignment`` (a two-hidden-layer tanh network on scikit-learn's ``load_digits``,
trained with backprop, feedback alignment, direct feedback alignment or a delta-rule
readout of fixed random features).

References
----------
Oja, E. (1982). J. Math. Biol. 15, 267-273.
Sanger, T. D. (1989). Neural Networks 2, 459-473.
Bienenstock, E. L., Cooper, L. N. & Munro, P. W. (1982). J. Neurosci. 2, 32-48.
Intrator, N. & Cooper, L. N. (1992). Neural Networks 5, 3-17.
Bell, A. J. & Sejnowski, T. J. (1995). Neural Comput. 7, 1129-1159.
Amari, S., Cichocki, A. & Yang, H. H. (1996). NIPS 8, 757-763.
Lillicrap, T. P., Cownden, D., Tweed, D. B. & Akerman, C. J. (2016). Nat. Commun. 7, 13276.
Nøkland, A. (2016). Direct feedback alignment provides learning in deep neural networks.
NIPS 29.
Lillicrap, T. P., Santoro, A., Marris, L., Akerman, C. J. & Hinton, G. (2020). Nat. Rev.
Neurosci. 21, 335-346.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np
from pydantic import Field
from scipy import linalg

from neurotwin.errors import InputError
from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models.perceptron.perceptron import check_values
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

# =====================================================================================
# the rules: functions of pre, post and one local third factor
# =====================================================================================


def hebb_normalized_update(w: np.ndarray, pre: np.ndarray, post: float, eta: float):
    """Hebb's product ``eta * post * pre``, then divisive normalisation to |w| = 1."""
    w = w + eta * post * pre
    return w / np.linalg.norm(w)


def oja_update(w: np.ndarray, pre: np.ndarray, post: float, eta: float) -> np.ndarray:
    """Oja (1982): ``dw = eta * post * (pre - post * w)``; the decay is the first-order
    expansion of Hebb plus normalisation, and uses only the synapse's own weight."""
    return w + eta * post * (pre - post * w)


def sanger_update(w: np.ndarray, pre: np.ndarray, post: np.ndarray, eta: float) -> np.ndarray:
    """Sanger's GHA: ``dW = eta * (post pre^T - LT(post post^T) W)``; unit i subtracts
    the reconstruction by units k <= i (a lateral third factor)."""
    return w + eta * (np.outer(post, pre) - np.tril(np.outer(post, post)) @ w)


def bcm_update(w, pre, post: float, theta: float, eta: float, tau_theta: float, dt: float):
    """BCM: ``dw = eta * pre * post * (post - theta)``; the threshold slides,
    ``tau_theta dtheta/dt = post^2 - theta`` (Intrator & Cooper 1992)."""
    w = w + eta * pre * post * (post - theta)
    theta = theta + dt / tau_theta * (post**2 - theta)
    return w, theta


def ica_update(w: np.ndarray, pre: np.ndarray, post: np.ndarray, eta: float) -> np.ndarray:
    """Natural-gradient infomax: ``dW = eta * (W - tanh(post) u^T)``, ``u = W^T post``
    the top-down feedback each input receives (the same kind of term as Oja's
    ``post * w``); tanh suits super-Gaussian sources. ``pre`` enters only through
    ``post = W pre``."""
    u = w.T @ post
    return w + eta * (w - np.outer(np.tanh(post), u))


# =====================================================================================
# shared helpers
# =====================================================================================


def subspace_angle_deg(w: np.ndarray, components: np.ndarray) -> float:
    """Largest principal angle (degrees) between the row spaces of ``w`` and ``components``."""
    return float(np.degrees(np.max(linalg.subspace_angles(w.T, components.T))))


def amari_index(p: np.ndarray) -> float:
    """Amari, Cichocki & Yang (1996) performance index of ``P = W A``, scaled to [0, 1]:
    0 iff ``P`` is a scaled permutation (perfect separation)."""
    p = np.abs(np.asarray(p, dtype=float))
    n = p.shape[0]
    rows = (p / p.max(axis=1, keepdims=True)).sum(axis=1) - 1
    cols = (p / p.max(axis=0, keepdims=True)).sum(axis=0) - 1
    return float((rows.sum() + cols.sum()) / (2 * n * (n - 1)))


def gaussian_data(n_samples: int, n_features: int, decay: float, rng) -> np.ndarray:
    """Zero-mean Gaussian samples whose covariance has eigenvalues ``decay**k``
    (k = 0..N-1) along a random orthonormal basis."""
    q, _ = np.linalg.qr(rng.standard_normal((n_features, n_features)))
    scales = np.sqrt(decay ** np.arange(n_features))
    return (rng.standard_normal((n_samples, n_features)) * scales) @ q.T


def _pca_components(x: np.ndarray, k: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    return PCA(n_components=k, svd_solver="full").fit(x).components_


def _checkpoints(total: int, n_points: int) -> np.ndarray:
    return np.unique(np.linspace(0, total, n_points + 1).round().astype(int))


# =====================================================================================
# Oja / normalised Hebb, and Sanger's GHA
# =====================================================================================


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


class OjaParams(PcaParams):
    """:class:`PcaParams` plus the choice of rule."""

    rule: Literal["oja", "hebb-normalized"] = Field("oja", description="which Hebbian rule")


class SangerParams(PcaParams):
    n_epochs: int = Field(10, ge=1, description="passes over the samples")
    n_components: int = Field(3, ge=1, description="number of output units k (<= N)")


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


def _validate_order(model: str, inputs: dict, n_samples: int, n_steps: int) -> None:
    order = check_array(model, "inputs", inputs, "order", (n_steps,), "(n_epochs * n_samples,)")
    check_values(
        model, "inputs", "order", order, range(n_samples), f"must be indices in 0..{n_samples - 1}"
    )


def _pca_validate(model: str):
    def validate(params: PcaParams, weights: dict, inputs: dict) -> None:
        k = getattr(params, "n_components", 1)
        n = params.n_features
        if k > n:
            from neurotwin.errors import ParamError

            raise ParamError(f"SangerParams.n_components: must be <= n_features = {n} (got {k})")
        check_array(model, "weights", weights, "w0", (k, n), "(n_components, n_features)")
        shape = (params.n_samples, n)
        check_array(model, "inputs", inputs, "x", shape, "(n_samples, n_features)")
        _validate_order(model, inputs, params.n_samples, params.n_samples * params.n_epochs)

    return validate


def _train_pca(params: PcaParams, weights: dict, inputs: dict, update) -> tuple:
    x = np.asarray(inputs["x"], dtype=float)
    order = np.asarray(inputs["order"]).astype(np.int64)
    w = np.array(weights["w0"], dtype=float)
    marks = _checkpoints(len(order), params.n_checkpoints)
    history = [w.copy()]
    eta = params.learning_rate
    for step, idx in enumerate(order, start=1):
        pre = x[idx]
        post = w @ pre
        w = update(w, pre, post, eta)
        if step in marks:
            history.append(w.copy())
    return marks.astype(float), np.stack(history)


def _pca_result(model: str, params: PcaParams, t, history, seed: int) -> Result:
    check_finite("w", history, t, "sample")
    return Result(
        model=model,
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="sweep",
        traces={"w": history},
    )


@realization("oja", "reference")
def run_oja(params: OjaParams, weights: dict, inputs: dict, seed: int, options=None) -> Result:
    """One linear unit ``y = w . x`` trained online by Oja's rule or normalised Hebb
    (t = samples seen)."""
    if params.rule == "oja":

        def update(w, pre, post, eta):
            return oja_update(w[0], pre, post[0], eta)[None]
    else:

        def update(w, pre, post, eta):
            return hebb_normalized_update(w[0], pre, post[0], eta)[None]

    t, history = _train_pca(params, weights, inputs, update)
    return _pca_result("oja", params, t, history, seed)


def oja_observe(result: Result, params: OjaParams, weights: dict, inputs: dict) -> dict:
    """``pc_cosine``: |cos| between the final w and scikit-learn's first PC;
    ``pc_cosine_curve`` over the checkpoints; ``weight_norm`` (Oja: tends to 1)."""
    pc1 = _pca_components(np.asarray(inputs["x"], dtype=float), 1)[0]
    w = np.asarray(result.traces["w"])[:, 0, :]
    cos = np.abs(w @ pc1) / np.linalg.norm(w, axis=1)
    return {
        "pc_cosine": float(cos[-1]),
        "pc_cosine_curve": cos,
        "weight_norm": float(np.linalg.norm(w[-1])),
    }


@realization("sanger", "reference")
def run_sanger(params: SangerParams, weights: dict, inputs: dict, seed: int, options=None):
    """k linear units ``y = W x`` trained online by Sanger's rule (t = samples seen)."""
    t, history = _train_pca(params, weights, inputs, sanger_update)
    return _pca_result("sanger", params, t, history, seed)


def sanger_observe(result: Result, params: SangerParams, weights: dict, inputs: dict) -> dict:
    """``subspace_angle_deg``: largest principal angle between the learned rows and the
    top-k PCA components (scikit-learn); ``subspace_angle_curve``; ``component_cosines``:
    |cos| of row i with PC i; ``pc_cosine``: that of row 0 (Sanger's unit 0 is Oja's)."""
    comps = _pca_components(np.asarray(inputs["x"], dtype=float), params.n_components)
    hist = np.asarray(result.traces["w"])
    curve = np.array([subspace_angle_deg(w, comps) for w in hist])
    w = hist[-1]
    cos = np.abs(np.sum(w * comps, axis=1)) / np.linalg.norm(w, axis=1)
    return {
        "subspace_angle_deg": float(curve[-1]),
        "subspace_angle_curve": curve,
        "component_cosines": cos,
        "pc_cosine": float(cos[0]),
    }


_PCA_QUICK = {"n_samples": 500, "n_epochs": 2, "learning_rate": 0.01}

register_model(
    ModelSpec(
        name="oja",
        params=OjaParams,
        weights=pca_weights,
        make_inputs=pca_inputs,
        validate=_pca_validate("oja"),
        observe=oja_observe,
        key_observable="pc_cosine",
        compare_runs=[("reference", "reference", {}), ("nengo", "nengo", {})],
        quick_params=_PCA_QUICK,
        doc="Oja's (1982) rule (or normalised Hebb): one unit finds the first principal "
        "component; |cos| to scikit-learn's PCA.",
    )
)
register_model(
    ModelSpec(
        name="sanger",
        params=SangerParams,
        weights=pca_weights,
        make_inputs=pca_inputs,
        validate=_pca_validate("sanger"),
        observe=sanger_observe,
        key_observable="subspace_angle_deg",
        compare_runs=[("reference", "reference", {})],
        quick_params=_PCA_QUICK,
        doc="Sanger's (1989) generalized Hebbian algorithm: the top-k principal components; "
        "subspace angle to scikit-learn's PCA.",
    )
)


# =====================================================================================
# BCM
# =====================================================================================


class BcmParams(Params):
    """One linear BCM unit ``y = w . x`` shown one of K random nonnegative patterns per
    step, each with probability 1/K (times in steps; ``dt`` = 1 step)."""

    n_features: int = Field(20, ge=2, description="input dimension N")
    n_patterns: int = Field(4, ge=2, description="number of patterns K (<= N)")
    n_steps: int = Field(40000, ge=1, description="training steps")
    learning_rate: float = Field(0.005, gt=0, le=1, description="eta")
    tau_theta: float = Field(50.0, ge=1, description="threshold time constant (steps)")
    n_checkpoints: int = Field(50, ge=1, description="recorded points of the learning curve")


def bcm_weights(params: BcmParams, rng: np.random.Generator) -> dict:
    """Initial weights ``w0`` (uniform [0, 0.1)) and threshold ``theta0`` = 0."""
    return {"w0": rng.uniform(0, 0.1, params.n_features), "theta0": np.zeros(1)}


def bcm_inputs(params: BcmParams, weights: dict, rng: np.random.Generator) -> dict:
    """``patterns`` (K, N): uniform [0, 1) rows normalised to unit length; ``order``."""
    pats = rng.uniform(0, 1, (params.n_patterns, params.n_features))
    pats /= np.linalg.norm(pats, axis=1, keepdims=True)
    return {"patterns": pats, "order": rng.integers(0, params.n_patterns, params.n_steps)}


def bcm_validate(params: BcmParams, weights: dict, inputs: dict) -> None:
    n, k = params.n_features, params.n_patterns
    if k > n:
        from neurotwin.errors import ParamError

        raise ParamError(f"BcmParams.n_patterns: must be <= n_features = {n} (got {k})")
    check_array("bcm", "weights", weights, "w0", (n,), "(n_features,)")
    check_array("bcm", "weights", weights, "theta0", (1,), "(1,)")
    check_array("bcm", "inputs", inputs, "patterns", (k, n), "(n_patterns, n_features)")
    order = check_array("bcm", "inputs", inputs, "order", (params.n_steps,), "(n_steps,)")
    check_values("bcm", "inputs", "order", order, range(k), f"must be indices in 0..{k - 1}")


@realization("bcm", "reference")
def run_bcm(params: BcmParams, weights: dict, inputs: dict, seed: int, options=None) -> Result:
    """Online BCM; traces: the responses to every pattern and theta at checkpoints."""
    pats = np.asarray(inputs["patterns"], dtype=float)
    order = np.asarray(inputs["order"]).astype(np.int64)
    w = np.array(weights["w0"], dtype=float)
    theta = float(weights["theta0"][0])
    marks = _checkpoints(len(order), params.n_checkpoints)
    resp, thetas = [pats @ w], [theta]
    for step, idx in enumerate(order, start=1):
        pre = pats[idx]
        post = float(w @ pre)
        w, theta = bcm_update(w, pre, post, theta, params.learning_rate, params.tau_theta, 1.0)
        if step in marks:
            resp.append(pats @ w)
            thetas.append(theta)
    t = marks.astype(float)
    responses = np.stack(resp)
    check_finite("responses", responses, t, "step")
    return Result(
        model="bcm",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="sweep",
        traces={"responses": responses, "theta": np.array(thetas)},
        observables={"w": w},
    )


def bcm_observe(result: Result, params: BcmParams, weights: dict, inputs: dict) -> dict:
    """``selectivity`` = 1 - mean/max response (Bienenstock et al. 1982; 1 - 1/K when
    only one pattern drives the unit); ``max_response`` against ``selective_fixed_point``
    = K (= 1/p); ``other_responses_max``: the largest |response| to the other patterns."""
    r = np.asarray(result.traces["responses"])[-1]
    top = int(np.argmax(r))
    others = np.delete(r, top)
    peak = float(r[top])
    return {
        "selectivity": float(1 - r.mean() / peak) if peak > 0 else 0.0,
        "max_response": peak,
        "selective_fixed_point": float(params.n_patterns),
        "other_responses_max": float(np.max(np.abs(others))),
        "preferred_pattern": top,
    }


register_model(
    ModelSpec(
        name="bcm",
        params=BcmParams,
        weights=bcm_weights,
        make_inputs=bcm_inputs,
        validate=bcm_validate,
        observe=bcm_observe,
        key_observable="selectivity",
        compare_runs=[("reference", "reference", {}), ("nengo", "nengo", {})],
        quick_params={"n_steps": 2000},
        doc="BCM (1982) rule with a sliding threshold: the unit becomes selective to one "
        "of K patterns, answering 1/p = K to it and 0 to the others.",
    )
)


# =====================================================================================
# nonlinear Hebbian ICA
# =====================================================================================


class IcaParams(Params):
    """Natural-gradient infomax ICA on a random mixture of unit-variance Laplacian
    sources, after whitening (as scikit-learn's FastICA does); constant learning rate."""

    n_sources: int = Field(3, ge=2, description="number of sources = sensors")
    n_samples: int = Field(5000, ge=10, description="number of samples")
    n_epochs: int = Field(3, ge=1, description="passes over the samples")
    learning_rate: float = Field(0.002, gt=0, le=1, description="eta")
    n_checkpoints: int = Field(20, ge=1, description="recorded points of the learning curve")


def ica_weights(params: IcaParams, rng: np.random.Generator) -> dict:
    """``mixing`` A (n, n), entries N(0, 1); ``w0`` = identity (the unmixing start)."""
    n = params.n_sources
    return {"mixing": rng.standard_normal((n, n)), "w0": np.eye(n)}


def ica_inputs(params: IcaParams, weights: dict, rng: np.random.Generator) -> dict:
    """``x`` = s A^T: Laplacian sources (variance 1) mixed; ``order``."""
    s = rng.laplace(0.0, 1 / np.sqrt(2), (params.n_samples, params.n_sources))
    order = np.concatenate([rng.permutation(params.n_samples) for _ in range(params.n_epochs)])
    return {"x": s @ np.asarray(weights["mixing"]).T, "order": order}


def ica_validate(params: IcaParams, weights: dict, inputs: dict) -> None:
    n = params.n_sources
    check_array("hebbian-ica", "weights", weights, "mixing", (n, n), "(n_sources, n_sources)")
    check_array("hebbian-ica", "weights", weights, "w0", (n, n), "(n_sources, n_sources)")
    check_array(
        "hebbian-ica", "inputs", inputs, "x", (params.n_samples, n), "(n_samples, n_sources)"
    )
    _validate_order("hebbian-ica", inputs, params.n_samples, params.n_samples * params.n_epochs)


def whitening(x: np.ndarray) -> np.ndarray:
    """PCA whitening matrix V with ``cov(x V^T) = I``."""
    vals, vecs = np.linalg.eigh(np.cov(x, rowvar=False))
    return (vecs / np.sqrt(vals)).T


@realization("hebbian-ica", "reference")
def run_ica(params: IcaParams, weights: dict, inputs: dict, seed: int, options=None) -> Result:
    """Whiten, then online natural-gradient infomax; trace: the total unmixing W V."""
    x = np.asarray(inputs["x"], dtype=float)
    x = x - x.mean(axis=0)
    v = whitening(x)
    z = x @ v.T
    order = np.asarray(inputs["order"]).astype(np.int64)
    w = np.array(weights["w0"], dtype=float)
    marks = _checkpoints(len(order), params.n_checkpoints)
    history = [w @ v]
    for step, idx in enumerate(order, start=1):
        pre = z[idx]
        w = ica_update(w, pre, w @ pre, params.learning_rate)
        if step in marks:
            history.append(w @ v)
    t = marks.astype(float)
    unmixing = np.stack(history)
    check_finite("unmixing", unmixing, t, "sample")
    return Result(
        model="hebbian-ica",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="sweep",
        traces={"unmixing": unmixing},
    )


@lru_cache(maxsize=8)
def _fastica_amari(key: bytes, shape: tuple, mixing_key: bytes, n: int) -> float:
    from sklearn.decomposition import FastICA

    x = np.frombuffer(key).reshape(shape)
    a = np.frombuffer(mixing_key).reshape(n, n)
    ica = FastICA(n_components=n, whiten="unit-variance", random_state=0, max_iter=1000)
    ica.fit(x)
    return amari_index(ica.components_ @ a)


def ica_observe(result: Result, params: IcaParams, weights: dict, inputs: dict) -> dict:
    """``amari_index`` of (W V) A (0 = perfect separation), its curve, and
    ``fastica_amari_index``: scikit-learn's FastICA (logcosh, random_state=0) on the
    same samples."""
    a = np.asarray(weights["mixing"], dtype=float)
    curve = np.array([amari_index(w @ a) for w in np.asarray(result.traces["unmixing"])])
    x = np.ascontiguousarray(inputs["x"], dtype=float)
    fast = _fastica_amari(x.tobytes(), x.shape, np.ascontiguousarray(a).tobytes(), len(a))
    return {"amari_index": float(curve[-1]), "amari_curve": curve, "fastica_amari_index": fast}


register_model(
    ModelSpec(
        name="hebbian-ica",
        params=IcaParams,
        weights=ica_weights,
        make_inputs=ica_inputs,
        validate=ica_validate,
        observe=ica_observe,
        key_observable="amari_index",
        compare_runs=[("reference", "reference", {})],
        quick_params={"n_samples": 1000, "n_epochs": 2, "learning_rate": 0.005},
        doc="Nonlinear Hebbian ICA (natural-gradient infomax, tanh) on mixed Laplacian "
        "sources; Amari index against scikit-learn's FastICA.",
    )
)


# =====================================================================================
# credit assignment on load_digits
# =====================================================================================

N_CLASSES = 10
N_PIXELS = 64


@lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits (1797 images), pixels scaled to [0, 1]."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data / 16.0, data.target.astype(np.int64)


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


@realization("credit-assignment", "reference")
def run_credit(params: CreditParams, weights: dict, inputs: dict, seed: int, options=None):
    """Mini-batch SGD; traces per epoch (t = epoch, from 1): ``test_accuracy_curve``,
    ``train_accuracy_curve``, ``train_loss`` (mean cross-entropy over the epoch)."""
    h = params.n_hidden
    w = {k: np.array(v, dtype=float) for k, v in weights.items()}
    w.update(c1=np.zeros(h), c2=np.zeros(h), c3=np.zeros(N_CLASSES))
    xtr, ytr = np.asarray(inputs["x_train"], float), np.asarray(inputs["y_train"]).astype(int)
    xte, yte = np.asarray(inputs["x_test"], float), np.asarray(inputs["y_test"]).astype(int)
    onehot = np.eye(N_CLASSES)[ytr]
    eta, bs = params.learning_rate, params.batch_size
    test_acc, train_acc, loss = [], [], []
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
    t = np.arange(1, len(loss) + 1, dtype=float)
    check_finite("train_loss", np.array(loss), t, "epoch")
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
        },
    )


def credit_observe(result: Result, params: CreditParams, weights: dict, inputs: dict) -> dict:
    """``test_accuracy`` / ``train_accuracy`` after the last epoch."""
    return {
        "test_accuracy": float(np.asarray(result.traces["test_accuracy_curve"])[-1]),
        "train_accuracy": float(np.asarray(result.traces["train_accuracy_curve"])[-1]),
    }


register_model(
    ModelSpec(
        name="credit-assignment",
        params=CreditParams,
        weights=credit_weights,
        make_inputs=credit_inputs,
        validate=credit_validate,
        observe=credit_observe,
        key_observable="test_accuracy",
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


# =====================================================================================
# STDP: the rate-based reduction (Kempter, Gerstner & van Hemmen 1999)
# =====================================================================================


#: largest Euler step of the rate reduction (s); its fastest time scale,
#: 1 / (gain c nu (N/2) a_plus), is ~60 s at the defaults
ODE_STEP_S = 0.01


class StdpParams(Params):
    """Pair-based additive STDP (Song, Miller & Abbott 2000) on one neuron driven by a
    correlated and an uncorrelated group of Poisson inputs (times in s, rates in Hz).

    Window, for a post spike ``s = t_post - t_pre`` after a pre spike:
    ``W(s) = a_plus exp(-s / tau_plus_s)`` (s > 0), ``-a_minus_ratio * a_plus exp(s /
    tau_minus_s)`` (s < 0); weights clipped to [0, w_max] (w_max = 1: weights in units
    of the maximal synaptic strength). The first ``n_inputs // 2`` inputs share a
    Poisson "mother" train of rate ``rate_hz / correlation``, each keeping a mother spike
    with probability ``correlation`` (pairwise correlation coefficient c); the others
    fire independently at ``rate_hz``.

    ``neuron``: ``"poisson"``, a linear Poisson neuron with rate ``nu0_hz + gain_hz *
    sum_j w_j * (eps * S_j)(t)``, ``eps(s) = exp(-s / tau_epsp_s) / tau_epsp_s`` (for which
    the reduction is exact up to the bounds), or ``"lif"``, a conductance-based LIF
    neuron as in Song et al. (2000) (tau_m = 20 ms, rest -70 mV, threshold -54 mV, reset
    -60 mV, E_exc = 0 mV, tau_exc = 5 ms, each spike raising g by g_max * w in units of
    the leak), run in Brian2 only.
    """

    neuron: Literal["poisson", "lif"] = Field("poisson", description="postsynaptic neuron")
    n_inputs: int = Field(200, ge=2, description="inputs; the first half are correlated")
    rate_hz: float = Field(10.0, gt=0, le=100, description="rate of every input")
    correlation: float = Field(0.2, gt=0, le=1, description="c of the correlated group")
    duration_s: float = Field(10.0, gt=0, le=1000, description="simulated time")
    dt_s: float = Field(5e-4, gt=0, le=1e-3, description="time step (and spike-time grid)")
    a_plus: float = Field(0.01, gt=0, le=1, description="potentiation step A+ (units of w_max)")
    a_minus_ratio: float = Field(1.05, gt=0, description="A- / A+")
    tau_plus_s: float = Field(0.02, gt=0, description="potentiation window")
    tau_minus_s: float = Field(0.02, gt=0, description="depression window")
    w_init: float = Field(0.5, ge=0, le=1, description="initial weights (units of w_max)")
    nu0_hz: float = Field(0.0, ge=0, description="poisson neuron: spontaneous rate")
    gain_hz: float = Field(0.02, gt=0, description="poisson neuron: rate per unit w*input")
    tau_epsp_s: float = Field(0.005, gt=0, description="poisson neuron: EPSP kernel time")
    g_max: float = Field(0.05, gt=0, description="lif neuron: peak conductance at w = 1")
    record_dt_s: float = Field(0.5, gt=0, description="weights recorded this often")


def stdp_weights(params: StdpParams, rng: np.random.Generator) -> dict:
    """Initial weights ``{"w0": (n_inputs,)}``, all ``w_init``."""
    return {"w0": np.full(params.n_inputs, params.w_init)}


def stdp_inputs(params: StdpParams, weights: dict, rng: np.random.Generator) -> dict:
    """Input spikes on the ``dt_s`` grid: ``spike_times`` (s), ``spike_indices`` (at most
    one spike per input and step)."""
    n, dur, dt = params.n_inputs, params.duration_s, params.dt_s
    n_corr = n // 2
    mother_rate = params.rate_hz / params.correlation
    mother = np.sort(rng.uniform(0, dur, rng.poisson(mother_rate * dur)))
    keep = rng.random((len(mother), n_corr)) < params.correlation
    m_idx, i_corr = np.nonzero(keep)
    times = [mother[m_idx]]
    idx = [i_corr]
    n_ind = rng.poisson(params.rate_hz * dur * (n - n_corr))
    times.append(rng.uniform(0, dur, n_ind))
    idx.append(rng.integers(n_corr, n, n_ind))
    steps = np.floor(np.concatenate(times) / dt).astype(np.int64)
    idx = np.concatenate(idx)
    key = np.unique(steps * n + idx)  # drop repeats within one step; sorted by time
    return {"spike_times": (key // n) * dt, "spike_indices": key % n}


def stdp_validate(params: StdpParams, weights: dict, inputs: dict) -> None:
    n = params.n_inputs
    w0 = check_array("stdp", "weights", weights, "w0", (n,), "(n_inputs,)")
    bad = (w0 < 0) | (w0 > 1)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"stdp weights['w0']: must lie in [0, 1] (got {w0[i]} at index ({i},))")
    t = check_array("stdp", "inputs", inputs, "spike_times", (None,), "(n_spikes,)")
    i = check_array("stdp", "inputs", inputs, "spike_indices", (len(t),), "(n_spikes,)")
    check_values("stdp", "inputs", "spike_indices", i, range(n), f"must be indices in 0..{n - 1}")
    out = (t < 0) | (t >= params.duration_s)
    if out.any():
        k = int(np.argmax(out))
        raise InputError(
            f"stdp inputs['spike_times']: must lie in [0, duration_s) (got {t[k]} at index ({k},))"
        )


def window_integral(params: StdpParams, on_grid: bool = True) -> float:
    """Integral of the STDP window (s); negative here, so uncorrelated inputs are
    depressed on average.

    ``on_grid=False``: ``a_plus tau_plus - a_minus tau_minus`` (continuous time).
    ``on_grid=True``: the sum the simulation on the ``dt_s`` grid realises, ``dt
    [a_plus / (1 - e^{-dt/tau_plus}) - a_minus e^{-dt/tau_minus} / (1 - e^{-dt/tau_minus})]``:
    a pre and a post spike in the same step count as a causal pair (Brian2 runs
    ``on_pre`` before ``on_post``), which adds about ``dt (a_plus + a_minus) / 2``, half of
    the continuous integral at the defaults (dt = 0.5 ms), so it is not left out.
    """
    a_plus, a_minus = params.a_plus, params.a_plus * params.a_minus_ratio
    if not on_grid:
        return a_plus * params.tau_plus_s - a_minus * params.tau_minus_s
    dt = params.dt_s
    qp, qm = np.exp(-dt / params.tau_plus_s), np.exp(-dt / params.tau_minus_s)
    return float(dt * (a_plus / (1 - qp) - a_minus * qm / (1 - qm)))


def causal_gain(params: StdpParams) -> float:
    """Potentiation per input spike per unit weight and unit gain: the causal half of W
    weighted by the EPSP kernel, ``a_plus int_0^inf e^{-s/tau_plus} eps(s) ds``, on the
    ``dt_s`` grid (an input spike raises the rate from the next step on):
    ``a_plus (dt / tau_epsp) q / (1 - q)``, ``q = exp(-dt (1/tau_plus + 1/tau_epsp))``
    (``a_plus tau_plus / (tau_plus + tau_epsp)`` for dt -> 0)."""
    dt = params.dt_s
    q = np.exp(-dt * (1 / params.tau_plus_s + 1 / params.tau_epsp_s))
    return float(params.a_plus * dt / params.tau_epsp_s * q / (1 - q))


def stated_statistics(params: StdpParams) -> tuple[np.ndarray, np.ndarray]:
    """Input rates ``nu`` (Hz) and zero-lag covariance rates ``C`` (Hz; ``C_ij dt`` is
    the excess probability of a spike of i and j in the same step) the parameters state:
    ``nu_i = rate_hz``, ``C_ij = c nu`` within the correlated group, 0 otherwise."""
    n, n_corr = params.n_inputs, params.n_inputs // 2
    cov = np.zeros((n, n))
    cov[:n_corr, :n_corr] = params.correlation * params.rate_hz
    np.fill_diagonal(cov, 0.0)
    return np.full(n, params.rate_hz), cov


def measured_statistics(params: StdpParams, inputs: dict) -> tuple[np.ndarray, np.ndarray]:
    """The same statistics estimated from the input spikes themselves: rates = counts /
    duration, ``C_ij`` = (same-step coincidences - nu_i nu_j dt T) / T (chance removed)."""
    from scipy import sparse

    n, dur, dt = params.n_inputs, params.duration_s, params.dt_s
    steps = np.floor(np.asarray(inputs["spike_times"]) / dt + 0.5).astype(np.int64)
    idx = np.asarray(inputs["spike_indices"]).astype(np.int64)
    b = sparse.csr_matrix(
        (np.ones(len(idx)), (steps, idx)), shape=(int(steps.max(initial=0)) + 1, n)
    )
    nu = np.asarray(b.sum(axis=0)).ravel() / dur
    coinc = (b.T @ b).toarray() / dur
    cov = coinc - np.outer(nu, nu) * dt
    np.fill_diagonal(cov, 0.0)
    return nu, cov


def stdp_drift(
    params: StdpParams, w: np.ndarray, stats: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, float]:
    """Kempter et al. (1999) mean drift ``dw_i/dt`` (1/s) for the linear Poisson neuron,
    and its rate ``nu_post = nu0 + gain sum_j w_j nu_j``:

    ``dw_i/dt = nu_i nu_post int W + gain K (w_i nu_i + sum_{j != i} C_ij w_j)``,
    ``K`` = :func:`causal_gain`,

    the first term from chance pairings, the second from the input's own spikes and
    the spikes correlated with them (zero-lag covariance rates ``C``, ``stats`` =
    ``(nu, C)``; default :func:`stated_statistics`: ``c nu`` within the correlated
    group) raising the postsynaptic rate through the causal half of W. Both are
    evaluated on the simulation's time grid.
    """
    nu, cov = stated_statistics(params) if stats is None else stats
    nu_post = params.nu0_hz + params.gain_hz * float(nu @ w)
    drift = nu * nu_post * window_integral(params) + params.gain_hz * causal_gain(params) * (
        w * nu + cov @ w
    )
    return drift, float(nu_post)


def stdp_record_times(params: StdpParams) -> np.ndarray:
    n_rec = int(np.floor(params.duration_s / params.record_dt_s + 1e-9))
    return np.arange(n_rec + 1) * params.record_dt_s


@realization("stdp", "reference")
def run_stdp_reduction(params: StdpParams, weights: dict, inputs: dict, seed: int, options=None):
    """Euler integration (step <= 10 ms; the drift is slow) of the mean drift
    :func:`stdp_drift` with the rates and correlations measured on the very input
    spikes Brian2 replays (:func:`measured_statistics`), clipped to [0, 1]; needs
    ``neuron="poisson"`` (for the LIF neuron no such reduction is exact)."""
    if params.neuron != "poisson":
        from neurotwin.errors import ParamError

        raise ParamError(
            "StdpParams.neuron: must be 'poisson' for the reference (rate) reduction; "
            "'lif' runs in Brian2 only (got 'lif')"
        )
    w = np.array(weights["w0"], dtype=float)
    stats = measured_statistics(params, inputs)
    t_rec = stdp_record_times(params)
    every = max(1, int(np.ceil(params.record_dt_s / ODE_STEP_S)))
    h = params.record_dt_s / every
    hist, rates = [w.copy()], []
    for _k in range(1, len(t_rec)):
        for _ in range(every):
            drift, nu_post = stdp_drift(params, w, stats)
            w = np.clip(w + h * drift, 0.0, 1.0)
        hist.append(w.copy())
        rates.append(nu_post)
    rates.insert(0, stdp_drift(params, np.asarray(weights["w0"], float), stats)[1])
    return Result(
        model="stdp",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t_rec,
        t_unit="s",
        traces={"weights": np.stack(hist), "post_rate_hz": np.array(rates)},
    )


def stdp_observe(result: Result, params: StdpParams, weights: dict, inputs: dict) -> dict:
    """Group means of the final weights, ``weight_difference`` (correlated minus
    uncorrelated), the group-mean curves, each group's mean drift over the run
    ``(final - initial) / duration`` (1/s), and the reduction's drift at the initial
    weights (``initial_drift_*_theory``)."""
    w = np.asarray(result.traces["weights"])
    n_corr = params.n_inputs // 2
    corr, unc = w[:, :n_corr].mean(axis=1), w[:, n_corr:].mean(axis=1)
    drift, _ = stdp_drift(params, np.asarray(weights["w0"], float))
    span = float(result.t[-1] - result.t[0]) or 1.0
    return {
        "mean_w_correlated": float(corr[-1]),
        "mean_w_uncorrelated": float(unc[-1]),
        "weight_difference": float(corr[-1] - unc[-1]),
        "w_correlated_curve": corr,
        "w_uncorrelated_curve": unc,
        "drift_correlated": float((corr[-1] - corr[0]) / span),
        "drift_uncorrelated": float((unc[-1] - unc[0]) / span),
        "initial_drift_correlated_theory": float(drift[:n_corr].mean()),
        "initial_drift_uncorrelated_theory": float(drift[n_corr:].mean()),
    }


register_model(
    ModelSpec(
        name="stdp",
        params=StdpParams,
        weights=stdp_weights,
        make_inputs=stdp_inputs,
        validate=stdp_validate,
        observe=stdp_observe,
        key_observable="weight_difference",
        compare_runs=[("rate reduction", "reference", {}), ("brian2", "brian2", {})],
        quick_params={"n_inputs": 40, "duration_s": 1.0},
        doc="Pair-based additive STDP (Song, Miller & Abbott 2000): correlated inputs win; "
        "the Kempter et al. (1999) rate reduction as the reference.",
    )
)


# =====================================================================================
# PES readout of digits (rate counterpart of the Nengo realization)
# =====================================================================================

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
    learning off."""

    n_neurons: int = Field(500, ge=10, description="LIF neurons n")
    present_s: float = Field(0.02, gt=0, le=1, description="presentation time per image")
    learning_rate: float = Field(0.01, gt=0, le=10, description="PES kappa (nengo units)")
    n_epochs: int = Field(1, ge=1, description="passes over the training images")
    subsample: float = Field(1.0, gt=0, le=1, description="fraction of load_digits used")
    test_fraction: float = Field(0.25, gt=0, lt=1, description="held-out fraction")
    tau_syn_s: float = Field(0.005, gt=0, description="nengo: readout and PES filters")
    dt_s: float = Field(0.001, gt=0, le=0.01, description="nengo: time step")


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


register_model(
    ModelSpec(
        name="pes-readout",
        params=PesParams,
        weights=pes_weights,
        make_inputs=pes_inputs,
        validate=pes_validate,
        observe=pes_observe,
        key_observable="test_accuracy",
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
