r"""Oja and BCM in Nengo: the reference rules driven by a spiking LIF encoding of the inputs.

Realizations ``nengo`` of the models ``oja`` (both rules) and ``bcm``
(:mod:`neurotwin.rate_models.learning`), on the same samples, presentation order, initial
weights and learning rate as the reference.

Network
-------
Each input sample (``x[order[k]]`` for ``oja``, ``patterns[order[k]]`` for ``bcm``) is
presented for ``present_s`` (a ``nengo.processes.PresentInput`` node, ``synapse=None``) to
an ``nengo.networks.EnsembleArray``: one 1-d ensemble of ``neurons_per_dim`` LIF neurons
(nengo defaults: max rates U(200, 400) Hz, intercepts U(-1, 1)) per input dimension, radius
= the largest :math:`|x_j|` in the data set. The learning unit is a ``nengo.Node`` reading
the decoded spikes (``LstsqL2`` decoders, ``synapse=None``). At the end of presentation
:math:`k` it forms the spike-count estimate of the sample

.. math:: \hat x_k = \frac{1}{S} \sum_{s=1}^{S} D\, \delta(t_s),
          \qquad S = \mathrm{present\_s} / \mathrm{dt\_s},

(:math:`D` the decoders, :math:`\delta(t_s)` the spikes in step :math:`s`, amplitude
1/dt: a box filter over the window), the linear unit's response
:math:`y_k = w \cdot \hat x_k` and applies the reference's own update, once:

* ``oja``: :func:`~neurotwin.rate_models.learning.oja_update`,
  :math:`\Delta w = \eta\, y\,(\hat x - y\, w)` (or
  :func:`~neurotwin.rate_models.learning.hebb_normalized_update`),
* ``bcm``: :func:`~neurotwin.rate_models.learning.bcm_update`,
  :math:`\Delta w = \eta\, \hat x\, y\,(y - \theta)`,
  :math:`\theta \leftarrow \theta + (y^2 - \theta)/\tau_\theta` (:math:`\tau_\theta` in
  presentations, as in the reference, i.e. :math:`\tau_\theta \cdot` ``present_s`` seconds).

So the mapping to the reference is exact except for :math:`x \to \hat x`: one update per
presentation with the same :math:`\eta` and :math:`\tau_\theta`; the only difference is
the spiking encoding's error (spike-count noise and decoder error, a few % of the radius).
The recorded ``w`` (oja) and the ``responses`` to the clean patterns ``patterns @ w``
(bcm) are taken at the reference's checkpoints, so the reference's observers
(``pc_cosine``, ``selectivity``, ...) apply unchanged.

Why not ``nengo.Oja`` / ``nengo.BCM``: both act on neuron activities, which are
nonnegative rates, while the reference unit is linear and signed (the ``oja`` data are
zero-mean Gaussian; the BCM unit's selective state needs negative weights and gives
:math:`y = 0` to the other patterns through cancellation). nengo's BCM threshold is a
lowpass of the post activity itself, :math:`\theta = h * a_{post}`, not of its square
(``nengo/builder/learning_rules.py``, ``build_bcm``): with :math:`\theta = \langle y \rangle`
a selective response :math:`y > \langle y\rangle` only grows, so it has no stable selective
fixed point and cannot reproduce the reference. Both built-ins also integrate
:math:`\kappa\,dt` per step on filtered spike trains, which would mix consecutive samples.

Agreement with the reference (``tests/test_learning_nengo.py``) is stated there with the
measured numbers.
"""

from __future__ import annotations

import time

import numpy as np
from pydantic import Field

from neurotwin.errors import ParamError
from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models.learning import (
    BcmParams,
    OjaParams,
    _checkpoints,
    bcm_update,
    hebb_normalized_update,
    oja_update,
)
from neurotwin.registry import realization
from neurotwin.results import Result


class NengoLearningOptions(Params):
    """Spiking encoding of the inputs (times in seconds)."""

    neurons_per_dim: int = Field(50, ge=1, description="LIF neurons per input dimension")
    present_s: float = Field(0.01, gt=0, le=1, description="presentation time per sample")
    dt_s: float = Field(0.001, gt=0, le=0.001, description="simulator time step")


class _WindowLearner:
    """Node function: sums the decoded input over each presentation window and calls
    ``update(k, x_hat)`` at its end; outputs the unit's last response."""

    def __init__(self, steps_per_sample: int, n_dims: int, update) -> None:
        self.steps = steps_per_sample
        self.acc = np.zeros(n_dims)
        self.count = 0
        self.k = 0
        self.update = update
        self.y = 0.0

    def __call__(self, t: float, x: np.ndarray) -> np.ndarray:
        if t <= 0:  # nengo may probe the function at build time; no step has happened
            return np.array([self.y])
        self.acc += x
        self.count += 1
        if self.count == self.steps:
            self.y = self.update(self.k, self.acc / self.steps)
            self.k += 1
            self.acc[:] = 0.0
            self.count = 0
        return np.array([self.y])


def _simulate(samples: np.ndarray, learner_update, opts: NengoLearningOptions, seed: int):
    """Present ``samples`` (n, N) one per window to an EnsembleArray and run the learner.
    Returns (build_time_s, run_time_s, mean_rate_hz, decode_rmse)."""
    import nengo

    n, dims = samples.shape
    steps = int(round(opts.present_s / opts.dt_s))
    if abs(steps * opts.dt_s - opts.present_s) > 1e-9 * opts.present_s:
        raise ParamError(
            f"NengoLearningOptions.present_s: must be an integer multiple of dt_s = "
            f"{opts.dt_s} (got {opts.present_s})"
        )
    present = steps * opts.dt_s
    radius = float(np.max(np.abs(samples)))
    decoded = np.zeros((n, dims))

    def update(k: int, x_hat: np.ndarray) -> float:
        decoded[k] = x_hat
        return learner_update(k, x_hat)

    t0 = time.perf_counter()
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(nengo.processes.PresentInput(samples, present))
        arr = nengo.networks.EnsembleArray(opts.neurons_per_dim, dims, radius=radius)
        nengo.Connection(stim, arr.input, synapse=None)
        unit = nengo.Node(_WindowLearner(steps, dims, update), size_in=dims, size_out=1)
        nengo.Connection(arr.output, unit, synapse=None)
    model = nengo.builder.Model(dt=opts.dt_s, decoder_cache=nengo.cache.NoDecoderCache())
    sim = nengo.Simulator(net, dt=opts.dt_s, seed=seed, model=model, progress_bar=False)
    t1 = time.perf_counter()
    with sim:
        sim.run_steps(n * steps)
        n_neurons = sum(e.n_neurons for e in arr.all_ensembles)
    t2 = time.perf_counter()
    rmse = float(np.sqrt(np.mean((decoded - samples) ** 2)))
    return t1 - t0, t2 - t1, n_neurons, rmse, radius


def _provenance(build: float, run: float, n_neurons: int, rmse: float, radius: float) -> dict:
    return {
        "simulator": "nengo.Simulator",
        "encoding": "EnsembleArray of LIF, spike counts decoded per presentation",
        "build_time_s": float(build),
        "run_time_s": float(run),
        "n_neurons": int(n_neurons),
        "decode_rmse": rmse,
        "radius": radius,
    }


@realization("oja", "nengo", options=NengoLearningOptions, requires=("nengo",))
def run_oja_nengo(params: OjaParams, weights: dict, inputs: dict, seed: int, options=None):
    """Oja (or normalised Hebb) on the spiking-decoded samples; one update per
    presentation (t = samples seen)."""
    opts = options or NengoLearningOptions()
    x = np.asarray(inputs["x"], dtype=float)
    order = np.asarray(inputs["order"]).astype(np.int64)
    rule = oja_update if params.rule == "oja" else hebb_normalized_update
    state = {"w": np.array(weights["w0"], dtype=float)[0]}
    marks = set(_checkpoints(len(order), params.n_checkpoints).tolist())
    history = [state["w"].copy()]

    def update(k: int, x_hat: np.ndarray) -> float:
        y = float(state["w"] @ x_hat)
        state["w"] = rule(state["w"], x_hat, y, params.learning_rate)
        if k + 1 in marks:
            history.append(state["w"].copy())
        return y

    prov = _provenance(*_simulate(x[order], update, opts, seed))
    t = _checkpoints(len(order), params.n_checkpoints).astype(float)
    hist = np.stack(history)[:, None, :]
    check_finite("w", hist, t, "sample")
    return Result(
        model="oja",
        realization="nengo",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="sweep",
        traces={"w": hist},
        provenance=prov,
    )


@realization("bcm", "nengo", options=NengoLearningOptions, requires=("nengo",))
def run_bcm_nengo(params: BcmParams, weights: dict, inputs: dict, seed: int, options=None):
    """BCM on the spiking-decoded patterns; one update per presentation. Traces: the
    responses ``patterns @ w`` to the clean patterns and theta at the checkpoints."""
    opts = options or NengoLearningOptions()
    pats = np.asarray(inputs["patterns"], dtype=float)
    order = np.asarray(inputs["order"]).astype(np.int64)
    state = {"w": np.array(weights["w0"], dtype=float), "theta": float(weights["theta0"][0])}
    marks = set(_checkpoints(len(order), params.n_checkpoints).tolist())
    resp, thetas = [pats @ state["w"]], [state["theta"]]

    def update(k: int, x_hat: np.ndarray) -> float:
        y = float(state["w"] @ x_hat)
        state["w"], state["theta"] = bcm_update(
            state["w"], x_hat, y, state["theta"], params.learning_rate, params.tau_theta, 1.0
        )
        if k + 1 in marks:
            resp.append(pats @ state["w"])
            thetas.append(state["theta"])
        return y

    prov = _provenance(*_simulate(pats[order], update, opts, seed))
    t = _checkpoints(len(order), params.n_checkpoints).astype(float)
    responses = np.stack(resp)
    check_finite("responses", responses, t, "step")
    return Result(
        model="bcm",
        realization="nengo",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="sweep",
        traces={"responses": responses, "theta": np.array(thetas)},
        observables={"w": state["w"]},
        provenance=prov,
    )
