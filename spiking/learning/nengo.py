r"""Nengo realizations of the learning family: Oja and BCM reading spike-derived pre and post
activity, and the PES digits readout.

Oja and BCM
===========

Realizations ``nengo`` of the models ``oja`` (both rules) and ``bcm``
(:mod:`neurotwin.rate_models.learning.oja`, :mod:`~neurotwin.rate_models.learning.bcm`),
on the same samples, presentation order, initial weights and learning rate as the
reference.

Network
-------
Each input sample (``x[order[k]]`` for ``oja``, ``patterns[order[k]]`` for ``bcm``) is
presented for ``present_s`` (:math:`S` = ``present_s / dt_s`` steps; a
``nengo.processes.PresentInput`` node, ``synapse=None``) to

* **pre**: an ``nengo.networks.EnsembleArray``, one 1-d ensemble of ``neurons_per_dim``
  LIF neurons per input dimension, radius :math:`R_x` = the largest :math:`|x_j|` in the
  data set. Its decoded spikes (``LstsqL2`` decoders :math:`D`, ``synapse=None``) are the
  per-step estimate :math:`\hat x(t) = D\,\delta_{pre}(t)` (spikes of amplitude 1/dt).
* **the synapses**: a ``nengo.Node`` that holds the weights :math:`w` and outputs the
  synaptic input of the unit, every step,

  .. math:: u(t) = w \cdot \hat x(t),

* **post**: a 1-d ``nengo.Ensemble`` of ``post_neurons`` LIF neurons (nengo defaults: max
  rates U(200, 400) Hz, intercepts U(-1, 1), random initial voltages) driven by
  :math:`u` through ``nengo.Lowpass(post_synapse_s)`` (``post_synapse_s = 0``: no filter,
  a pure one-step delay), radius :math:`R_y`. Its decoded spikes
  :math:`\hat y(t) = D_{post}\,\delta_{post}(t)` go back to the synapses (``synapse=None``).

Per presentation :math:`k` the synapses form box averages of both spike estimates,

.. math:: \hat x_k = \frac{1}{S} \sum_{n \in W_k} \hat x(n), \qquad
          \hat y_k = \frac{1}{S - s_0} \sum_{n \in W_k + 1,\ n \ge kS + 1 + s_0} \hat y(n),

(:math:`W_k = \{kS, \dots, kS + S - 1\}` the window's steps, counted from 0;
:math:`s_0` = ``floor(post_average_from * S)``)
and apply the reference's own update once, with the post's spike estimate as the
post-synaptic activity:

* ``oja``: :func:`~neurotwin.rate_models.learning.rules.oja_update`,
  :math:`\Delta w = \eta\, \hat y_k\,(\hat x_k - \hat y_k\, w)` (or
  :func:`~neurotwin.rate_models.learning.rules.hebb_normalized_update`),
* ``bcm``: :func:`~neurotwin.rate_models.learning.rules.bcm_update`,
  :math:`\Delta w = \eta\, \hat x_k\, \hat y_k\,(\hat y_k - \theta)`,
  :math:`\theta \leftarrow \theta + (\hat y_k^2 - \theta)/\tau_\theta` (:math:`\tau_\theta` in
  presentations, as in the reference, i.e. :math:`\tau_\theta \cdot` ``present_s`` seconds).

What spikes and what does not: pre and post activity are spike trains of LIF neurons and
the rule reads only their decoded spike counts; the synaptic input :math:`u(t)` is the
product of the weights and the decoded pre spikes, formed on the host each step, and the
weight update (the arithmetic of the rule, once per window) runs on the host too. So the
mapping to the reference is exact except for :math:`x \to \hat x_k` (spike-count noise and
decoder error of the pre encoding, ``decode_rmse``) and :math:`w \cdot x \to \hat y_k` (the
post's error, ``post_decode_rmse`` and ``post_gain`` in the provenance: the rms and the
least-squares slope of :math:`\hat y_k` against :math:`w \cdot \hat x_k`). The recorded
``w`` (oja) and the ``responses`` to the clean patterns ``patterns @ w`` (bcm) are taken at
the reference's checkpoints, so the reference's observers (``pc_cosine``, ``selectivity``,
...) apply unchanged.

Radius of post
    The decoders are fit on :math:`[-R_y, R_y]`, so :math:`R_y` must bound
    :math:`|w \cdot \hat x|`. ``oja``: :math:`|w \cdot x| \le |w|\,|x|`, Oja's rule drives
    :math:`|w|` to 1 (normalised Hebb keeps it at 1) from :math:`|w_0|`, so
    :math:`R_y = 1.1 \max_k |x_k| \max(1, |w_0|)`, the 10 % for the encoding error of
    :math:`\hat x`. ``bcm``: the selective fixed point answers :math:`1/p = K` (``n_patterns``)
    to the preferred pattern; on the way the response overshoots, in the reference (seeds
    0-7) by up to 1.94 K at the tests' :math:`\eta = 0.05,\ \tau_\theta = 10` and 1.22 K at
    the defaults, so :math:`R_y` = ``bcm_radius_factor`` :math:`\cdot K` with factor 2.
    ``post_saturated_fraction`` (windows with :math:`|w \cdot \hat x_k| > R_y`) and
    ``post_peak_fraction`` (:math:`\max_k |w \cdot \hat x_k| / R_y`) report how close it came.

Latency
    Post answers :math:`u` late: any synapse on a connection from a Node delays by one step
    (and the loop synapses -> post -> synapses needs one), so the post window is
    :math:`W_k + 1`, and :math:`w` is updated at its last step, the first of window
    :math:`k+1`, before that step's :math:`u` is formed: every step of window :math:`k` drives
    post through the same :math:`w_k`, and :math:`\hat y_k` answers exactly the input whose
    mean is :math:`w_k \cdot \hat x_k`. What remains are transients at each switch of the
    sample, so errors of relative size :math:`\propto` 1/``present_s``. Measured by
    ``post_gain`` (seed 0, 200 post neurons, 1000 ``oja`` samples / 1500 ``bcm`` steps at the
    tests' rates, oja / bcm):

    * no filter (``post_synapse_s = 0``): post *leads*, gain 1.037 / 1.026 at 10 ms per
      sample, 1.020 / 1.012 at 20 ms. The excess is in the first two steps after a switch:
      driven by a piecewise-constant :math:`u` (no pre spikes) the window-aligned
      :math:`\hat y / u` is 1.21, 1.17 there and 0.91-1.04 after (gain 1.028): a
      transient of the LIF population after a step of its input (its voltages at the
      switch come from the previous input, not from the steady state of the new one).
    * a lowpass *lags*: about :math:`a/(1-a)` steps (:math:`a = e^{-dt/\tau}`) of each
      sample's input move into the next window, gain 0.964 / 0.994 at :math:`\tau` = 1 ms.
      Skipping the start of the window (``post_average_from`` = 0.2) drops the previous
      sample's tail but not the current one's loss, and counts fewer spikes: gain
      0.941 / 0.966, post rmse 0.113 / 0.170 instead of 0.073 / 0.114.
    * the default :math:`\tau` = 0.75 ms lags by :math:`a/(1-a)` = 0.36 steps, 3.6 % of a
      10 ms window, about the lead without filter (2.6-3.7 %), and both scale as
      1/``present_s``: gain 0.991 / 1.008 at 10 ms, 0.993 / 1.001 at 20 ms (0.990-1.009 on
      seeds 0-5 in the agreement runs).

    A gain :math:`g \ne 1` moves Oja's fixed point to :math:`|w| = g^{-1/2}` and BCM's peak
    response to :math:`K/g`; the post's noise (rmse ~1.5 % of :math:`R_y`) adds to
    :math:`\langle \hat y^2 \rangle`, which shrinks :math:`|w|` and raises :math:`\theta`.

Why not ``nengo.Oja`` / ``nengo.BCM``: both act on neuron activities, which are
nonnegative rates, while the reference unit is linear and signed (the ``oja`` data are
zero-mean Gaussian; the BCM unit's selective state needs negative weights and gives
:math:`y = 0` to the other patterns through cancellation). nengo's BCM threshold is a
lowpass of the post activity itself, :math:`\theta = h * a_{post}`, not of its square
(``nengo/builder/learning_rules.py``, ``build_bcm``): with :math:`\theta = \langle y \rangle`
a selective response :math:`y > \langle y\rangle` only grows, so it has no stable selective
fixed point and cannot reproduce the reference. Both built-ins also integrate
:math:`\kappa\,dt` per step on filtered spike trains, which would mix consecutive samples.

Agreement with the reference (``tests/learning/test_learning_nengo.py``) is stated there
with the measured numbers.

PES readout
===========

Realization ``nengo`` of ``pes-readout`` (:func:`pes_network`): a population of LIF neurons
whose currents are the rate reference's, ``J = W_in x + b``, and a decoded readout whose
decoders start at 0 and are learned online by ``nengo.PES``; each epoch shows the training
images (learning on) and then every test image (learning off), ``present_s`` each. The
simulator settings (``dt_s``, ``tau_syn_s``) are :class:`NengoPesOptions`; the same network
runs on the Loihi emulator in :mod:`neurotwin.spiking.learning.loihi`.
"""

from __future__ import annotations

import time

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.errors import ParamError, SimulationError
from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models.learning.bcm import BcmParams
from neurotwin.rate_models.learning.datasets import N_CLASSES, N_PIXELS
from neurotwin.rate_models.learning.oja import OjaParams
from neurotwin.rate_models.learning.pes_readout import LIF_TAU_RC, LIF_TAU_REF, PesParams
from neurotwin.rate_models.learning.rules import (
    bcm_update,
    checkpoints,
    hebb_normalized_update,
    oja_update,
)
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking import _nengo as nc
from neurotwin.spiking._nengo.simulation import run_errors


class NengoLearningOptions(Params):
    """Spiking pre encoding and post unit (times in seconds)."""

    neurons_per_dim: int = Field(50, ge=1, description="LIF neurons per input dimension")
    post_neurons: int = Field(200, ge=1, description="LIF neurons of the post-synaptic unit")
    post_synapse_s: float = Field(
        0.00075, ge=0, le=0.1, description="lowpass on u -> post (0: a one-step delay)"
    )
    post_average_from: float = Field(
        0.0, ge=0, lt=1, description="fraction of each window skipped before averaging post"
    )
    bcm_radius_factor: float = Field(
        2.0, gt=0, description="bcm post radius in units of the selective response K"
    )
    present_s: float = Field(0.01, gt=0, le=1, description="presentation time per sample")
    dt_s: float = Field(0.001, gt=0, le=0.001, description="simulator time step")

    @pydantic.model_validator(mode="after")
    def _whole_steps(self):
        steps = int(round(self.present_s / self.dt_s))
        if abs(steps * self.dt_s - self.present_s) > 1e-9 * self.present_s:
            raise ValueError(
                f"present_s: must be an integer multiple of dt_s = {self.dt_s} "
                f"(got {self.present_s})"
            )
        return self


class _Synapses:
    """Node function of the synapses: input ``[x_hat(t), y_hat(t)]``, output
    ``u(t) = w . x_hat(t)`` with ``w = state["w"]``. ``y_hat(n)`` answers ``u(n - 1)``
    (one-step delay), so the post window of sample k is shifted by one step; when it ends,
    at the first step of window k + 1, ``update(k, x_hat_k, y_hat_k)`` changes
    ``state["w"]`` before this step's ``u``. Called every step, so kept lean."""

    def __init__(self, steps: int, skip: int, n_dims: int, state: dict, update) -> None:
        self.steps, self.skip, self.state, self.update = steps, skip, state, update
        self.j = 0  # position of this step in its pre window
        self.k = -1  # the sample whose post window is open (-1: before the first step)
        self.acc = np.zeros(n_dims)
        self.x_k = self.acc
        self.y_sum = 0.0
        self.u = np.zeros(1)

    def __call__(self, t: float, inp: np.ndarray) -> np.ndarray:
        if t <= 0:  # nengo may probe the function at build time; no step has happened
            return self.u
        j = self.j
        if j == 0:  # last step of the previous post window (position steps - 1 >= skip)
            if self.k >= 0:
                self.y_sum += inp[-1]
                self.update(self.k, self.x_k, self.y_sum / (self.steps - self.skip))
                self.y_sum = 0.0
            self.k += 1
            self.acc = inp[:-1].copy()
        else:
            if j > self.skip:  # post window position j - 1 >= skip
                self.y_sum += inp[-1]
            self.acc += inp[:-1]
        if j == self.steps - 1:
            self.x_k = self.acc / self.steps
            self.j = 0
        else:
            self.j = j + 1
        self.u[0] = self.state["w"] @ inp[:-1]
        return self.u


def _simulate(
    samples: np.ndarray,
    state: dict,
    learner_update,
    opts: NengoLearningOptions,
    seed: int,
    r_y,
    model_name: str = "",
) -> dict:
    """Present ``samples`` (n, N) one per window to pre, drive post through the synapses
    in ``state["w"]`` and call ``learner_update(k, x_hat_k, y_hat_k)`` per window.
    Returns the provenance.

    A learned value (``state``'s entries) that stops being finite ends the run at once
    with a :class:`~neurotwin.errors.SimulationError` naming ``model_name``, the variable, the
    sample and the time (nengo steps with ``seterr(invalid="raise")``, so the rule itself
    runs with numpy's errors off and is checked after each update); a value that overflows
    inside nengo ends there as a SimulationError too (:func:`run_errors`), without
    numpy's overflow warnings on the way."""
    import nengo

    n, dims = samples.shape
    steps = int(round(opts.present_s / opts.dt_s))  # whole: NengoLearningOptions checks it
    radius = float(np.max(np.abs(samples)))
    rec = {"x": np.zeros((n, dims)), "y": np.zeros(n), "u": np.zeros(n)}

    def update(k: int, x_hat: np.ndarray, y_hat: float) -> None:
        # u: the mean synaptic input of the window, which y_hat estimates
        rec["x"][k], rec["y"][k], rec["u"][k] = x_hat, y_hat, state["w"] @ x_hat
        with np.errstate(all="ignore"):
            learner_update(k, x_hat, y_hat)
        for name, value in state.items():
            if not np.all(np.isfinite(value)):
                raise SimulationError(
                    f"{model_name}/nengo {name}: non-finite value after sample {k + 1} "
                    f"(t = {(k + 1) * steps * opts.dt_s:g} s)"
                )

    skip = int(np.floor(opts.post_average_from * steps))
    t0 = time.perf_counter()
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(nengo.processes.PresentInput(samples, steps * opts.dt_s))
        arr = nengo.networks.EnsembleArray(opts.neurons_per_dim, dims, radius=radius)
        nengo.Connection(stim, arr.input, synapse=None)
        post = nengo.Ensemble(opts.post_neurons, 1, radius=r_y)
        syn = nengo.Node(_Synapses(steps, skip, dims, state, update), size_in=dims + 1, size_out=1)
        nengo.Connection(arr.output, syn[:dims], synapse=None)
        nengo.Connection(post, syn[dims], synapse=None)
        if opts.post_synapse_s > 0:
            nengo.Connection(syn, post, synapse=nengo.Lowpass(opts.post_synapse_s))
        else:  # z^-1: the one-step delay the loop needs, no filter
            nengo.Connection(syn, post, synapse=nengo.LinearFilter([1], [1, 0], analog=False))
    model = nengo.builder.Model(dt=opts.dt_s, decoder_cache=nengo.cache.NoDecoderCache())
    sim = nengo.Simulator(net, dt=opts.dt_s, seed=seed, model=model, progress_bar=nc.progress_bar())
    t1 = time.perf_counter()
    with sim, run_errors(sim, "nengo", model_name), np.errstate(over="ignore"):
        sim.run_steps(n * steps + 1)  # + 1: the last post window ends one step later
    t2 = time.perf_counter()
    u, y = rec["u"], rec["y"]
    return {
        "simulator": "nengo.Simulator",
        "encoding": "EnsembleArray of LIF (pre) and LIF ensemble (post), spike counts "
        "decoded per presentation",
        "build_time_s": float(t1 - t0),
        "run_time_s": float(t2 - t1),
        "n_neurons": int(sum(e.n_neurons for e in arr.all_ensembles) + opts.post_neurons),
        "decode_rmse": float(np.sqrt(np.mean((rec["x"] - samples) ** 2))),
        "radius": radius,
        "post_decode_rmse": float(np.sqrt(np.mean((y - u) ** 2))),
        "post_gain": float(u @ y / (u @ u)) if u @ u > 0 else 1.0,
        "post_radius": float(r_y),
        "post_saturated_fraction": float(np.mean(np.abs(u) > r_y)),
        "post_peak_fraction": float(np.max(np.abs(u)) / r_y),
    }


@realization("oja", "nengo", options=NengoLearningOptions, requires=("nengo",))
def run_oja_nengo(params: OjaParams, weights: dict, inputs: dict, seed: int, options=None):
    """Oja (or normalised Hebb) on the spiking pre and post estimates; one update per
    presentation (t = samples seen)."""
    opts = options or NengoLearningOptions()
    x = np.asarray(inputs["x"], dtype=float)
    order = np.asarray(inputs["order"]).astype(np.int64)
    rule = oja_update if params.rule == "oja" else hebb_normalized_update
    state = {"w": np.array(weights["w0"], dtype=float)[0]}
    marks = set(checkpoints(len(order), params.n_checkpoints).tolist())
    history = [state["w"].copy()]

    def update(k: int, x_hat: np.ndarray, y_hat: float) -> None:
        state["w"] = rule(state["w"], x_hat, y_hat, params.learning_rate)
        if k + 1 in marks:
            history.append(state["w"].copy())

    # |w . x| <= |w| |x|, |w| -> 1; 10 % for the encoding error of x_hat
    r_y = 1.1 * float(np.max(np.linalg.norm(x, axis=1))) * max(1.0, np.linalg.norm(state["w"]))
    prov = _simulate(x[order], state, update, opts, seed, float(r_y), "oja")
    t = checkpoints(len(order), params.n_checkpoints).astype(float)
    hist = np.stack(history)[:, None, :]
    check_finite("oja/nengo w", hist, t, "sample")
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
    """BCM on the spiking pre and post estimates; one update per presentation. Traces: the
    responses ``patterns @ w`` to the clean patterns and theta at the checkpoints."""
    opts = options or NengoLearningOptions()
    pats = np.asarray(inputs["patterns"], dtype=float)
    order = np.asarray(inputs["order"]).astype(np.int64)
    state = {"w": np.array(weights["w0"], dtype=float), "theta": float(weights["theta0"][0])}
    marks = set(checkpoints(len(order), params.n_checkpoints).tolist())
    resp, thetas = [pats @ state["w"]], [state["theta"]]

    def update(k: int, x_hat: np.ndarray, y_hat: float) -> None:
        state["w"], state["theta"] = bcm_update(
            state["w"], x_hat, y_hat, state["theta"], params.learning_rate, params.tau_theta, 1.0
        )
        if k + 1 in marks:
            resp.append(pats @ state["w"])
            thetas.append(state["theta"])

    # the selective response 1/p = K, with room for the transient overshoot
    r_y = opts.bcm_radius_factor * params.n_patterns
    prov = _simulate(pats[order], state, update, opts, seed, float(r_y), "bcm")
    t = checkpoints(len(order), params.n_checkpoints).astype(float)
    responses = np.stack(resp)
    check_finite("bcm/nengo responses", responses, t, "step")
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


# -- PES readout of digits ------------------------------------------------------------------


class NengoPesOptions(Params):
    """Simulator settings of the PES readout in Nengo (times in seconds)."""

    tau_syn_s: float = Field(0.005, gt=0, description="readout and PES filters")
    dt_s: float = Field(0.001, gt=0, le=0.01, description="time step")
    tau_ref_s: float = Field(
        LIF_TAU_REF,
        ge=0,
        description="refractory period of the population (the rate reference's); 0 gives "
        "the network NIR can express (neurotwin export)",
    )
    voltage_floor: bool = Field(
        True,
        description="clip the voltage at 0 (nengo.LIF's min_voltage); False gives the "
        "network NIR can express (neurotwin export)",
    )
    image_delay_steps: int = Field(
        0,
        ge=0,
        le=1000,
        description="the images reach the population this many time steps late (a "
        "control: the chip's input latency, reproduced off the chip)",
    )
    label_delay_steps: int = Field(
        0,
        ge=0,
        le=1000,
        description="the labels and the learning gate reach the error node this many time "
        "steps late (a control: lines the label up with a readout that answers late)",
    )


def pes_check_steps(params: PesParams, weights: dict, inputs: dict, seed: int, options) -> None:
    """``preflight``: each image is shown for a whole number of time steps. The rule joins a
    model parameter (``present_s``, which the rate reference integrates over) and an
    option (``dt_s``), so it is checked here, before any simulation, and not on either
    class alone."""
    opts = options or NengoPesOptions()
    dt = opts.dt_s
    steps = params.present_s / dt
    if abs(steps - round(steps)) > 1e-9 * steps:
        raise ParamError(
            f"PesParams.present_s: must be an integer multiple of dt_s = {dt} "
            f"(got {params.present_s})"
        )
    # a shift of a whole presentation would pair each image with another image's label
    for name in ("image_delay_steps", "label_delay_steps"):
        if getattr(opts, name) >= round(steps):
            raise ParamError(
                f"{type(opts).__name__}.{name}: must be less than the {round(steps)} steps of "
                f"one presentation (present_s / dt_s; got {getattr(opts, name)})"
            )


def pes_schedule(params: PesParams, inputs: dict) -> tuple:
    """Images, targets and learning gate, one row per presentation: each epoch shows the
    training images in that epoch's order (gate 1: learning on) and then every test
    image (gate 0: learning off), so accuracy is measured after each epoch as in the
    reference."""
    x_tr, x_te = np.asarray(inputs["x_train"], float), np.asarray(inputs["x_test"], float)
    onehot = np.eye(N_CLASSES)[np.asarray(inputs["y_train"]).astype(int)]
    images, targets, gate = [], [], []
    for order in np.asarray(inputs["order"]).astype(np.int64):
        images += [x_tr[order], x_te]
        targets += [onehot[order], np.zeros((len(x_te), N_CLASSES))]
        gate += [np.ones(len(order)), np.zeros(len(x_te))]
    return np.vstack(images), np.vstack(targets), np.concatenate(gate)


def presented(rows: np.ndarray, present_s: float, dt_s: float, delay_steps: int):
    """The output function of a Node that shows ``rows[k]`` during presentation k, as
    ``nengo.processes.PresentInput`` does, ``delay_steps`` time steps late (zeros before
    the first row arrives). Nengo calls it at t = dt, 2 dt, ...: step index
    ``round(t / dt) - 1``."""
    steps = int(round(present_s / dt_s))
    zeros = np.zeros(rows.shape[1])

    def output(t: float) -> np.ndarray:
        k = int(round(t / dt_s)) - 1 - delay_steps
        return rows[k // steps] if 0 <= k < len(rows) * steps else zeros

    return output


#: label of the PES population (the chip report's resource group and learned connection)
PES_POPULATION = "pes_population"


def pes_network(
    nengo, params: PesParams, opts: NengoPesOptions, weights: dict, inputs: dict, seed: int
) -> dict:
    """The PES digits network; returns its handles: ``network``, ``probe`` (the readout),
    ``ensemble`` (the population), ``connection`` (the learned readout) and ``duration_s``.

    Images enter through the encoders: the 64-d ensemble has encoders ``W_in`` row-
    normalised and gains ``|W_in row|``, so its currents are ``J = W_in x + b``, the rate
    reference's (``synapse=None``); the readout is a decoded connection whose decoders
    start at 0 (function 0) and are learned by PES with ``pre_synapse = tau_syn_s``
    (decoders on activities: the same as a learned neuron-to-node transform in float
    Nengo, and the form nengo-loihi can learn on chip); the error node passes
    ``readout - label`` while training images are shown and 0 while test images are
    (:func:`pes_schedule`). The options ``image_delay_steps`` and ``label_delay_steps``
    (default 0) present the images, or the labels with the gate, that many steps late:
    the controls of the chip's I/O latency (``docs/models/learning.rst``).
    """
    images, targets, gate = pes_schedule(params, inputs)
    n = params.n_neurons
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(
            presented(images, params.present_s, opts.dt_s, opts.image_delay_steps),
            size_out=N_PIXELS,
        )
        # targets with the gate as the last entry: the error node multiplies by it
        labels = np.hstack([targets, gate[:, None]])
        target = nengo.Node(
            presented(labels, params.present_s, opts.dt_s, opts.label_delay_steps),
            size_out=N_CLASSES + 1,
        )
        w_in = np.asarray(weights["w_in"], float)
        gain = np.linalg.norm(w_in, axis=1)
        pop = nengo.Ensemble(
            n,
            N_PIXELS,
            neuron_type=nengo.LIF(
                tau_rc=LIF_TAU_RC,
                tau_ref=opts.tau_ref_s,
                min_voltage=0 if opts.voltage_floor else -np.inf,
            ),
            encoders=w_in / gain[:, None],
            gain=gain,
            bias=np.asarray(weights["bias"], float),
            label=PES_POPULATION,
        )
        nengo.Connection(stim, pop, synapse=None)
        readout = nengo.Node(size_in=N_CLASSES)
        conn = nengo.Connection(
            pop,
            readout,
            function=lambda x: np.zeros(N_CLASSES),
            synapse=opts.tau_syn_s,
            learning_rule_type=nengo.PES(
                learning_rate=params.learning_rate, pre_synapse=opts.tau_syn_s
            ),
        )
        error = nengo.Node(
            lambda t, v: (v[:N_CLASSES] - v[N_CLASSES:-1]) * v[-1], size_in=2 * N_CLASSES + 1
        )
        nengo.Connection(readout, error[:N_CLASSES], synapse=None)
        nengo.Connection(target, error[N_CLASSES:], synapse=None)
        nengo.Connection(error, conn.learning_rule, synapse=None)
        probe = nengo.Probe(readout, synapse=None)
    return {
        "network": net,
        "probe": probe,
        "ensemble": pop,
        "connection": conn,
        "duration_s": len(images) * params.present_s,
    }


def pes_accuracy(
    out: np.ndarray, params: PesParams, opts: NengoPesOptions, inputs: dict
) -> np.ndarray:
    """Test accuracy after each epoch: argmax of the readout averaged over the second half
    of each test image's window."""
    steps = int(round(params.present_s / opts.dt_s))
    n_train, n_test = np.asarray(inputs["order"]).shape[1], len(inputs["x_test"])
    y_test = np.asarray(inputs["y_test"]).astype(int)
    per_epoch = (n_train + n_test) * steps
    curve = []
    for epoch in range(params.n_epochs):
        start = epoch * per_epoch + n_train * steps
        windows = out[start : start + n_test * steps].reshape(n_test, steps, N_CLASSES)
        pred = np.argmax(windows[:, steps // 2 :].mean(axis=1), axis=1)
        curve.append(float(np.mean(pred == y_test)))
    return np.array(curve)


def pes_result(
    params: PesParams,
    opts: NengoPesOptions,
    inputs: dict,
    seed: int,
    backend: str,
    out: np.ndarray,
    trange: np.ndarray,
    prov: dict,
) -> Result:
    """The Result of a PES run from the readout ``out`` (n_steps, 10)."""
    check_finite(f"pes-readout/{backend} readout", out, trange, "s")
    return Result(
        model="pes-readout",
        realization=backend,
        params=params.model_dump(),
        seed=seed,
        t=np.arange(1, params.n_epochs + 1, dtype=float),
        t_unit="sweep",
        traces={"test_accuracy_curve": pes_accuracy(out, params, opts, inputs)},
        provenance=prov,
    )


#: how the images and the readout map onto the network (provenance)
PES_WEIGHTS_IN = "encoders and gains = W_in; readout: learned decoders (PES)"


@realization(
    "pes-readout",
    "nengo",
    options=NengoPesOptions,
    requires=("nengo",),
    preflight=pes_check_steps,
)
def run_pes_nengo(params: PesParams, weights: dict, inputs: dict, seed: int, options=None):
    """Float Nengo (reference simulator): spiking LIF population, online PES readout."""
    opts = options or NengoPesOptions()
    pes_check_steps(params, weights, inputs, seed, opts)
    import nengo

    t0 = time.perf_counter()
    handles = pes_network(nengo, params, opts, weights, inputs, seed)
    prov: dict = {"weights_in": PES_WEIGHTS_IN}
    # nengo's warnings (e.g. max_rates undefined for explicit gains) are recorded, not printed
    log = nc.WarningLog()
    with nc.capture_warnings(log):
        # no shared decoder cache: it breaks across numpy majors (see _nengo.simulation)
        model = nengo.builder.Model(dt=opts.dt_s, decoder_cache=nengo.cache.NoDecoderCache())
        sim = nengo.Simulator(
            handles["network"], dt=opts.dt_s, progress_bar=nc.progress_bar(), seed=seed, model=model
        )
        prov["simulator"] = "nengo.Simulator"
        with sim:
            t1 = time.perf_counter()
            with run_errors(sim, "nengo", "pes-readout"):
                sim.run(handles["duration_s"])
            t2 = time.perf_counter()
            out = np.asarray(sim.data[handles["probe"]])
            trange = np.asarray(sim.trange())
    prov.update(
        build_time_s=float(t1 - t0),
        run_time_s=float(t2 - t1),
        warnings=[w.to_dict() for w in log.records()],
    )
    return pes_result(params, opts, inputs, seed, "nengo", out, trange, prov)
