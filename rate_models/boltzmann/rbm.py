r"""The restricted Boltzmann machine (``rbm``): training, exact likelihood, Gibbs sampling.

Visible :math:`v` and hidden :math:`h` binary units,
:math:`E(v, h) = -v^\top W h - b^\top v - c^\top h` (Smolensky 1986; Hinton 2002).
Trained (in :func:`rbm_weights`, at :math:`T = 1`) by contrastive divergence CD-k
(Hinton 2002) or persistent CD (Tieleman 2008) with mini-batches, on binarized 8x8
digits (scikit-learn's bundled ``load_digits``, pixel > 8 of 16 -> 1) or on
bars-and-stripes (MacKay 2003; both in
:mod:`neurotwin.rate_models.boltzmann.datasets`). Metrics at epoch 0, every
``score_every`` epochs and the last:
reconstruction error, the exact pseudo-likelihood :math:`\sum_i \log p(v_i \mid
v_{-i})` and, when :math:`\min(n_v, n_h) \le 20`, the exact log-likelihood via the
free energy :math:`F(v) = -b^\top v - \sum_j \operatorname{softplus}(c_j + v^\top
W_{:j})` and :math:`\log Z` summed over the hidden (or visible) states. Sampling (the
reference realization) runs blocked Gibbs :math:`h \mid v`, :math:`v \mid h` at
temperature :math:`T` (all energies divided by :math:`T`); the neural sampler is in
``spiking/boltzmann/brian2.py``.

References
----------
Hinton, G. E. (2002). Training products of experts by minimizing contrastive
divergence. Neural Computation 14, 1771-1800.
Tieleman, T. (2008). Training restricted Boltzmann machines using approximations to the
likelihood gradient. ICML.
Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines.
UTML TR 2010-003.
MacKay, D. J. C. (2003). Information Theory, Inference, and Learning Algorithms.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np
import pydantic
from pydantic import Field
from scipy.special import expit, logsumexp

from neurotwin.errors import InputError, SimulationError
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, Terms, cost, driver
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

from .datasets import bars_and_stripes, binary_digits, check_binary_data
from .exact import MAX_EXACT_UNITS, all_states, sample_observables
from .sampling import check_sampler_times, sampler_cost


def softplus(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|), stable for any x; about 4x faster than
    ``np.logaddexp(0, x)`` (measured 6 vs 23 ns per element), which the exact scores
    spend most of their time in."""
    x = np.asarray(x, dtype=np.float64)
    tail = np.negative(np.abs(x))
    np.exp(tail, out=tail)
    np.log1p(tail, out=tail)
    out = np.maximum(x, 0.0, out=out)
    out += tail
    return out


def free_energy(v: np.ndarray, w: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """F(v) = -b.v - sum_j softplus(c_j + v W_:j), so p(v) = exp(-F(v)) / Z."""
    v = np.asarray(v, dtype=np.float64)
    hidden = v @ w
    hidden += c
    return -v @ b - softplus(hidden, out=hidden).sum(axis=-1)


#: hidden units enumerated together by :func:`rbm_log_z`: their 2^12 states' visible
#: fields are computed once, the other units' states only shift them by one row
_LOG_Z_LOW_BITS = 12


def _bits(n: int) -> np.ndarray:
    """All 2^n binary states of n units, (2^n, n) float64."""
    return ((np.arange(2**n, dtype=np.int64)[:, None] >> np.arange(n)) & 1).astype(np.float64)


def rbm_log_z(w: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """log Z by summing out the smaller layer exactly (enumerating the other one);
    remembered for the last few parameter sets (a run scores its final weights twice:
    the training curve's last point and the observables).

    Summing out the visible layer: log Z = logsumexp over h of c.h + sum_i
    softplus(b_i + (W h)_i); the hidden states are split into the low
    ``_LOG_Z_LOW_BITS`` units (their fields computed once) and the rest (one row added
    per state), so no matrix product is repeated per block."""
    w, b, c = (np.ascontiguousarray(a, dtype=np.float64) for a in (w, b, c))
    if min(w.shape) > MAX_EXACT_UNITS:
        raise InputError(
            f"exact enumeration: must have at most {MAX_EXACT_UNITS} units in the smaller "
            f"layer (got {min(w.shape)})"
        )
    return _log_z(w.tobytes(), b.tobytes(), c.tobytes(), w.shape)


@lru_cache(maxsize=4)
def _log_z(w_key: bytes, b_key: bytes, c_key: bytes, shape: tuple) -> float:
    w = np.frombuffer(w_key).reshape(shape)
    b, c = np.frombuffer(b_key), np.frombuffer(c_key)
    nv, nh = shape
    if nh > nv:
        return float(logsumexp(-free_energy(all_states(nv), w, b, c)))
    lo = min(nh, _LOG_Z_LOW_BITS)
    low, high = _bits(lo), _bits(nh - lo)
    base, base_c = low @ w[:, :lo].T + b, low @ c[:lo]
    shift, shift_c = high @ w[:, lo:].T, high @ c[lo:]
    parts = np.empty((len(high), len(low)))
    field = np.empty_like(base)
    # sum_i softplus(x_i) = log prod_i (1 + e^x_i), with e^x_i = e^base_i e^shift_i: a
    # product per element instead of exp and log1p (2.4x less time); a product that
    # overflows (sum of the positive x_i above ~709) is redone term by term
    with np.errstate(over="ignore", invalid="ignore"):
        e_base, e_shift = np.exp(base), np.exp(shift)
        for m in range(len(high)):
            np.multiply(e_base, e_shift[m], out=field)
            field += 1.0
            parts[m] = base_c + shift_c[m] + np.log(field.prod(axis=1))
    for m in np.flatnonzero(~np.isfinite(parts).all(axis=1)):
        np.add(base, shift[m], out=field)
        parts[m] = base_c + shift_c[m] + softplus(field, out=field).sum(axis=1)
    return float(logsumexp(parts))


def rbm_log_likelihood(data, w, b, c) -> float:
    """Mean exact log p(v) over ``data`` (nats per example)."""
    return float(-free_energy(data, w, b, c).mean() - rbm_log_z(w, b, c))


def pseudo_likelihood(data, w, b, c) -> float:
    """Mean exact pseudo-log-likelihood sum_i log p(v_i | v_-i) (nats per example):
    ``log sigma(F(v with v_i flipped) - F(v))`` summed over all pixels i. Flipping
    pixel i moves the hidden fields by ``(1 - 2 v_i) W_i:``, so no product is redone."""
    v = np.asarray(data, dtype=np.float64)
    w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
    hidden = v @ w + c
    vb = v @ b
    f0 = -vb - softplus(hidden).sum(axis=-1)
    sign = 1.0 - 2.0 * v
    total = np.zeros(len(v))
    field = np.empty_like(hidden)
    for i in range(v.shape[1]):
        np.multiply(sign[:, i : i + 1], w[i], out=field)
        field += hidden
        flipped = -(vb + sign[:, i] * b[i]) - softplus(field, out=field).sum(axis=-1)
        total -= softplus(f0 - flipped)
    return float(total.mean())


def reconstruction_error(data, w, b, c) -> float:
    """Mean squared error of the mean-field reconstruction sigma(b + W sigma(c + v W))."""
    v = np.asarray(data, dtype=np.float64)
    recon = expit(expit(v @ w + c) @ w.T + b)
    return float(((v - recon) ** 2).mean())


class RBMParams(Params):
    """A restricted Boltzmann machine, its training and one sampling run.

    Training (always at T = 1) happens when the harness draws the weights; sampling
    uses ``temperature``. The reference samples ``n_samples`` sweeps of blocked Gibbs;
    the Brian2 neural sampler runs for ``duration_s`` (see ``spiking/boltzmann/brian2.py``).
    """

    dataset: Literal["digits", "bars-and-stripes"] = Field("digits")
    n_visible: int = Field(64, ge=1, description="64 for digits, k^2 for bars-and-stripes")
    n_hidden: int = Field(16, ge=1, description="number of hidden units")
    temperature: float = Field(1.0, gt=0, description="sampling temperature T")
    training: Literal["cd", "pcd"] = Field("cd", description="CD-k or persistent CD-k")
    cd_k: int = Field(1, ge=1, description="Gibbs steps per gradient estimate")
    learning_rate: float = Field(0.1, gt=0)
    n_epochs: int = Field(20, ge=0)
    batch_size: int = Field(20, ge=1)
    n_train: int = Field(1797, ge=1, description="training examples (a random subset)")
    n_eval: int = Field(300, ge=1, description="training examples scored per scored epoch")
    #: 10: the default run (20 epochs) scores epochs 0, 10 and 20, and trains within
    #: about 2x scikit-learn's BernoulliRBM (``benchmarks/bench_peers.py``); scoring
    #: every epoch (1) costs more than the training itself
    score_every: int = Field(
        10,
        ge=1,
        description="score the training curves every k epochs (epoch 0 and the last always)",
    )
    weight_decay: float = Field(0.0, ge=0)
    init_scale: float = Field(0.01, ge=0, description="s.d. of the initial weights")
    n_chains: int = Field(16, ge=1, description="independent sampling chains")
    n_samples: int = Field(1000, ge=1, description="recorded Gibbs sweeps per chain (reference)")
    burn_in: int = Field(0, ge=0, description="sweeps discarded first (reference)")
    tau_s: float = Field(0.02, gt=0, description="refractory period tau (neural sampler)")
    dt_s: float = Field(0.001, gt=0, description="time step (neural sampler)")
    duration_s: float = Field(2.0, gt=0, description="recorded sampling time (neural sampler)")
    burn_in_s: float = Field(0.0, ge=0, description="time discarded first (neural sampler)")
    sample_dt_s: float = Field(0.02, gt=0, description="interval between read-outs of z")
    spike_rule: Literal["sigmoid", "exponential"] = Field("sigmoid")

    @pydantic.model_validator(mode="after")
    def _consistent(self):
        if self.dataset == "digits" and self.n_visible != 64:
            raise ValueError(f"n_visible: must be 64 for dataset 'digits' (got {self.n_visible})")
        if self.dataset == "bars-and-stripes":
            k = int(round(self.n_visible**0.5))
            if k * k != self.n_visible or k < 2:
                raise ValueError(
                    "n_visible: must be a square k^2 >= 4 for dataset 'bars-and-stripes' "
                    f"(got {self.n_visible})"
                )
        check_sampler_times(self)
        return self


@lru_cache(maxsize=1)
def _digits() -> np.ndarray:
    """:func:`binary_digits`, read once per process (``load_digits`` parses its
    compressed CSV at every call: about 50-75 ms, as long as a third of a default run's
    training) and read-only (:func:`rbm_dataset` returns a copy)."""
    digits = binary_digits()
    digits.flags.writeable = False
    return digits


def rbm_dataset(params: RBMParams, rng: np.random.Generator) -> np.ndarray:
    """The training set: ``n_train`` examples drawn without replacement (all if fewer)."""
    if params.dataset == "digits":
        full = _digits()
    else:
        full = bars_and_stripes(int(round(params.n_visible**0.5)))
    keep = rng.permutation(len(full))[: min(params.n_train, len(full))]
    return full[np.sort(keep)]


def _bernoulli(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return (rng.random(p.shape) < p).astype(np.float64)


def rbm_metrics(data, w, b, c) -> tuple[float, float, float]:
    """(reconstruction error, pseudo-likelihood, exact log-likelihood or NaN)."""
    ll = rbm_log_likelihood(data, w, b, c) if min(w.shape) <= MAX_EXACT_UNITS else float("nan")
    return reconstruction_error(data, w, b, c), pseudo_likelihood(data, w, b, c), ll


def scored_epochs(n_epochs: int, every: int) -> np.ndarray:
    """The epochs at which the training curves are scored: 0, every ``every``-th, and
    the last."""
    return np.unique(np.append(np.arange(0, n_epochs + 1, every), n_epochs)).astype(np.int64)


def train_rbm(data, params: RBMParams, rng: np.random.Generator) -> dict:
    r"""CD-k / PCD-k with mini-batches (Hinton 2002; Tieleman 2008; Hinton 2010).

    Per batch :math:`V` (size B): :math:`\Delta W = \eta\,(V^\top P(h|V) -
    V_k^\top P(h|V_k)) / B - \eta \lambda W`, the same for the biases, where :math:`V_k`
    is the visible state after k alternating Gibbs steps started at the data (CD) or at
    persistent chains (PCD, ``batch_size`` chains started from random bits). The
    positive-phase and last-step hidden statistics use probabilities, the chain uses
    binary samples. Initial ``W ~ N(0, init_scale^2)``, ``c = 0``, ``b`` the log-odds
    of the pixel means (clipped to [0.01, 0.99]).

    Returns ``W, b, c`` and the training curves at the epochs of :func:`scored_epochs`
    (``curve_epoch``; 0 = before training), scored on the first ``n_eval`` training
    examples. Scoring (the exact log-likelihood enumerates 2^min(n_v, n_h) states)
    costs more than an epoch of training, hence ``score_every``; it draws no random
    numbers, so the trained weights do not depend on it.
    """
    data = check_binary_data(data, params.n_visible).astype(np.float64)
    nv, nh = params.n_visible, params.n_hidden
    w = rng.normal(0.0, params.init_scale, (nv, nh))
    mean = np.clip(data.mean(axis=0), 0.01, 0.99)
    b = np.log(mean / (1.0 - mean))
    c = np.zeros(nh)
    persistent = (rng.random((params.batch_size, nv)) < 0.5).astype(np.float64)
    lr, bs = params.learning_rate, params.batch_size
    scored = data[: params.n_eval]
    epochs = scored_epochs(params.n_epochs, params.score_every)
    hist = [rbm_metrics(scored, w, b, c)]
    for epoch in range(1, params.n_epochs + 1):
        order = rng.permutation(len(data))
        for start in range(0, len(data), bs):
            v0 = data[order[start : start + bs]]
            ph0 = expit(v0 @ w + c)
            if params.training == "cd":
                h = _bernoulli(ph0, rng)
            else:
                h = _bernoulli(expit(persistent @ w + c), rng)
            for _k in range(params.cd_k):
                vk = _bernoulli(expit(h @ w.T + b), rng)
                phk = expit(vk @ w + c)
                h = _bernoulli(phk, rng)
            if params.training == "pcd":
                persistent = vk
            m = len(v0)
            neg_n = len(vk)
            w += lr * ((v0.T @ ph0) / m - (vk.T @ phk) / neg_n - params.weight_decay * w)
            # sum / n is what ndarray.mean computes, without its per-call overhead (a
            # third of the training time on 20-image batches)
            b += lr * (v0.sum(axis=0) / m - vk.sum(axis=0) / neg_n)
            c += lr * (ph0.sum(axis=0) / m - phk.sum(axis=0) / neg_n)
        if not (np.isfinite(w).all() and np.isfinite(b).all() and np.isfinite(c).all()):
            # expit of NaN is NaN and the samples would silently be all zero
            raise SimulationError(
                f"rbm/training W: non-finite value at time step {epoch} (t = {epoch} epoch)"
            )
        if epoch in epochs:
            hist.append(rbm_metrics(scored, w, b, c))
    recon, pl, ll = (np.array(x) for x in zip(*hist, strict=True))
    return {
        "W": w,
        "b": b,
        "c": c,
        "curve_epoch": epochs,
        "curve_reconstruction_error": recon,
        "curve_pseudo_likelihood": pl,
        "curve_log_likelihood": ll,
    }


def rbm_weights(params: RBMParams, rng: np.random.Generator) -> dict:
    """Load the data and train: ``{"W": (nv, nh), "b": (nv,), "c": (nh,), "data", curves}``."""
    data = rbm_dataset(params, rng)
    return {**train_rbm(data, params, rng), "data": data}


def rbm_inputs(params: RBMParams, weights: dict, rng: np.random.Generator) -> dict:
    """Initial visible states of the sampling chains, uniform random bits ``v0`` (C, nv)."""
    return {"v0": (rng.random((params.n_chains, params.n_visible)) < 0.5).astype(np.int8)}


def rbm_validate(params: RBMParams, weights: dict, inputs: dict) -> None:
    nv, nh = params.n_visible, params.n_hidden
    check_array("rbm", "weights", weights, "W", (nv, nh), "(n_visible, n_hidden)")
    check_array("rbm", "weights", weights, "b", (nv,), "(n_visible,)")
    check_array("rbm", "weights", weights, "c", (nh,), "(n_hidden,)")
    if not isinstance(weights, dict) or "data" not in weights:
        raise InputError(f"rbm weights['data']: is missing (got {sorted(weights)})")
    check_binary_data(weights["data"], nv, "rbm weights['data']")
    check_array(
        "rbm", "inputs", inputs, "v0", (params.n_chains, nv), "(n_chains, n_visible)", (0, 1)
    )


def rbm_gibbs(w, b, c, v0, n_sweeps: int, rng: np.random.Generator, temperature: float = 1.0):
    """Blocked Gibbs h ~ p(h|v), v ~ p(v|h) at temperature T; returns (visible, hidden)
    after every sweep, shapes (S, C, nv) and (S, C, nh), int8."""
    v = np.asarray(v0, dtype=np.float64)
    vis = np.empty((n_sweeps,) + v.shape, dtype=np.int8)
    hid = np.empty((n_sweeps, v.shape[0], w.shape[1]), dtype=np.int8)
    for s in range(n_sweeps):
        h = _bernoulli(expit((v @ w + c) / temperature), rng)
        v = _bernoulli(expit((h @ w.T + b) / temperature), rng)
        vis[s], hid[s] = v, h
    return vis, hid


def rbm_visible_log_probs(w, b, c, temperature: float) -> np.ndarray:
    """Exact log p_T(v) over all 2^nv visible states (p_T(v,h) ∝ exp(-E/T))."""
    t = temperature
    logits = -free_energy(all_states(w.shape[0]), w / t, b / t, c / t)
    return logits - logsumexp(logits)


def rbm_observe(result: Result, params: RBMParams, weights: dict, inputs: dict) -> dict:
    """Training curves and final metrics (from the weights), and sample statistics from
    the ``visible`` trace (T, C, nv): ``kl_to_exact`` of the visible distribution when
    n_visible <= 20, the pixel means of the samples, ``final_visible`` (the sample grid),
    and ``sample_free_energy`` (mean F(v) at T = 1 of the samples; the data's is
    ``data_free_energy``)."""
    w = np.asarray(weights["W"], float)
    b, c = np.asarray(weights["b"], float), np.asarray(weights["c"], float)
    data = np.asarray(weights["data"])
    vis = np.asarray(result.traces["visible"])
    out: dict = {}
    if "curve_epoch" in weights:
        for key in ("epoch", "reconstruction_error", "pseudo_likelihood", "log_likelihood"):
            out[f"curve_{key}"] = np.asarray(weights[f"curve_{key}"])
    recon, pl, ll = rbm_metrics(data, w, b, c)
    out.update(
        reconstruction_error=recon,
        pseudo_likelihood=pl,
        log_likelihood=ll,
        sample_mean_pixel=vis.reshape(-1, params.n_visible).mean(axis=0),
        data_mean_pixel=data.mean(axis=0),
        final_visible=vis[-1],
        sample_free_energy=float(free_energy(vis.reshape(-1, params.n_visible), w, b, c).mean()),
        data_free_energy=float(free_energy(data, w, b, c).mean()),
    )
    if params.n_visible <= MAX_EXACT_UNITS:
        log_p = rbm_visible_log_probs(w, b, c, params.temperature)
        out.update(sample_observables(vis, result.t, log_p, result.seed))
    return out


@realization("rbm", "reference")
def run_rbm_reference(
    params: RBMParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Blocked Gibbs sampling (h | v, v | h) of the trained RBM from random bits."""
    rng = np.random.default_rng(seed)
    w = np.asarray(weights["W"], float)
    b, c = np.asarray(weights["b"], float), np.asarray(weights["c"], float)
    v0 = np.asarray(inputs["v0"])
    if params.burn_in:
        v0 = rbm_gibbs(w, b, c, v0, params.burn_in, rng, params.temperature)[0][-1]
    vis, hid = rbm_gibbs(w, b, c, v0, params.n_samples, rng, params.temperature)
    return Result(
        model="rbm",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=np.arange(params.burn_in + 1, params.burn_in + params.n_samples + 1, dtype=float),
        t_unit="sweep",
        traces={"visible": vis, "hidden": hid},
        provenance={"sampler": "blocked Gibbs (h|v, v|h)"},
    )


def rbm_estimate(params: RBMParams, options, realization: str):
    """Training (done when the weights are drawn, for every realization): the data set
    (digits: 1797 images; bars-and-stripes: all 2^(k+1) - 2 images of k x k, k^2 =
    n_visible, and the 2^k states they are built from), W and its updates, the scores
    at the scored epochs on ``n_eval`` images (pseudo-likelihood, and the exact log-likelihood by
    enumerating the smaller layer when it has at most 20 units; its blocks of 2^12
    states); the sampling run
    (:func:`~neurotwin.rate_models.boltzmann.sampling.sampler_cost`) and, for at most 20
    visible units, the exact visible distribution. Steps: epochs x images x units x
    (cd_k + 1) of training, the scores' unit evaluations, the sampling."""
    nv, nh, e = params.n_visible, params.n_hidden, params.n_epochs
    if params.dataset == "digits":
        n_data, data_bytes = 1797.0, 4 * F8 * 1797 * 64
    else:
        k = round(nv**0.5)
        n_data = 2.0 ** (k + 1)
        data_bytes = (3 + 2 * F8) * n_data * k * k
    n_train = min(params.n_train, n_data)
    n_eval = min(params.n_eval, n_train)
    small = min(nv, nh)
    mem = Terms(
        ("n_visible", data_bytes + 3 * F8 * n_train * nv),
        ("n_hidden", 6 * F8 * nv * nh + 6 * F8 * n_eval * (nv + nh)),
    )
    who = driver(params, ("n_epochs", "n_train", "n_visible", "n_hidden", "cd_k"))
    n_scored = e // params.score_every + 1 + (e % params.score_every > 0)  # scored_epochs
    steps = Terms((who, e * n_train * (nv + nh) * (params.cd_k + 1) + n_scored * n_eval * nv * nh))
    if small <= MAX_EXACT_UNITS:
        mem.add("n_hidden", F8 * min(2.0**small, 2**16) * (3 * max(nv, nh) + 2 * small))
        who = driver(params, ("n_epochs", "n_visible", "n_hidden"), ("score_every",))
        steps.add(who, n_scored * 2.0**small * max(nv, nh))
    if nv <= MAX_EXACT_UNITS:
        mem.add("n_visible", (1 + 3 * F8) * 2.0**nv * (nv + nh))
    sampler_cost(params, nv + nh, nv * nh, mem, steps, realization)
    return cost(mem, steps)


RBM = register_model(
    ModelSpec(
        name="rbm",
        observable_units={
            "curve_epoch": "1",
            "curve_reconstruction_error": "1",
            "curve_pseudo_likelihood": "nat",
            "curve_log_likelihood": "nat",
            "reconstruction_error": "1",
            "pseudo_likelihood": "nat",
            "log_likelihood": "nat",
            "sample_mean_pixel": "1",
            "data_mean_pixel": "1",
            "final_visible": "1",
            "sample_free_energy": "1",
            "data_free_energy": "1",
            "kl_curve": "nat",
            "kl_curve_steps": "1",
            "n_draws": "1",
            "n_states_visited": "1",
            "mean_state": "1",
            "exact_mean_state": "1",
            "max_marginal_error": "1",
        },
        params=RBMParams,
        weights=rbm_weights,
        make_inputs=rbm_inputs,
        validate=rbm_validate,
        observe=rbm_observe,
        key_observable="pseudo_likelihood",
        # rate vs spiking (tests/boltzmann/test_boltzmann_brian2.py, which reads this):
        # the spiking sampler's KL of the visible distribution within 1.5x that of as
        # many independent exact draws (trained 3x3 bars-and-stripes, 8 chains, 5 s);
        # the test compares with kl_iid (measured 0.144 iid, 0.135 Gibbs reference).
        # The default compare uses the default data set and sizes.
        agreement=[{"observable": "kl_to_exact", "atol": 0.0, "rtol": 0.5}],
        estimate=rbm_estimate,
        compare_runs=[("gibbs", "reference", {}), ("neural sampling", "brian2", {})],
        quick_params={
            "dataset": "bars-and-stripes",
            "n_visible": 9,
            "n_hidden": 4,
            "n_epochs": 3,
            "n_chains": 4,
            "n_samples": 100,
            "duration_s": 0.3,
        },
        doc="Restricted Boltzmann machine: CD-k / PCD training on binarized digits or "
        "bars-and-stripes, exact likelihood, Gibbs and neural sampling.",
    )
)


def sklearn_peer(params: RBMParams, seed: int = 0) -> dict:
    """scikit-learn's ``BernoulliRBM`` (PCD-1) on the same data and budget (hidden units,
    epochs, batch size, learning rate) against this module's PCD-1, both scored by the
    exact pseudo-likelihood (and sklearn's own one-pixel stochastic estimate, scaled to
    all pixels as sklearn does) on the training data."""
    from sklearn.neural_network import BernoulliRBM

    ours_params = RBMParams.create(params, training="pcd", cd_k=1)
    rng = np.random.default_rng(seed)
    data = rbm_dataset(ours_params, rng)
    ours = train_rbm(data, ours_params, rng)
    peer = BernoulliRBM(
        n_components=params.n_hidden,
        learning_rate=params.learning_rate,
        batch_size=params.batch_size,
        n_iter=params.n_epochs,
        random_state=seed,
    ).fit(data.astype(np.float64))
    pw, pb, pc = peer.components_.T, peer.intercept_visible_, peer.intercept_hidden_
    return {
        "n_train": int(len(data)),
        "ours_pseudo_likelihood": pseudo_likelihood(data, ours["W"], ours["b"], ours["c"]),
        "sklearn_pseudo_likelihood": pseudo_likelihood(data, pw, pb, pc),
        "sklearn_score_samples_mean": float(peer.score_samples(data.astype(np.float64)).mean()),
        "ours_reconstruction_error": reconstruction_error(data, ours["W"], ours["b"], ours["c"]),
        "sklearn_reconstruction_error": reconstruction_error(data, pw, pb, pc),
    }
