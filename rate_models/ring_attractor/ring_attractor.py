r"""Zhang's (1996) ring attractor for head direction: a bump that integrates angular velocity.

Model
-----
:math:`N` units at angles :math:`\theta_i = 2\pi i / N` on a ring, each with a
synaptic drive :math:`u_i` (threshold units) and a firing rate :math:`f(u_i)` (Hz):

.. math::

    \tau \frac{du_i}{dt} = -u_i + \sum_j \bigl(W_{ij} - \gamma(t)\, W'_{ij}\bigr) f(u_j)
    + b + c_i(t) + \sigma \sqrt{\tau}\, \xi_i(t),

with the distance-dependent profile :math:`W_{ij} = w(\theta_i - \theta_j)` and its
derivative :math:`W'_{ij} = w'(\theta_i - \theta_j)` (analytic):

* ``profile="cosine"``: :math:`w(\Delta) = (J_0 + J_1 \cos\Delta) / N`,
* ``profile="von-mises"``: :math:`w(\Delta) = (J_0 + J_1 e^{\kappa(\cos\Delta - 1)}) / N`,

:math:`J_0 \le 0` the global inhibition, :math:`J_1 > 0` the local excitation,
:math:`b` a constant drive, :math:`c_i(t) = a \cos(\theta_i - \theta_c)` a cue for
:math:`t <` ``cue_duration_s`` and :math:`\xi_i` white noise (``noise_sd`` :math:`=
\sigma`). The rate function is the leaky integrate-and-fire neuron's own f-I curve
(threshold 1, reset 0, membrane time constant :math:`\tau_m`, refractory period
:math:`\tau_{ref}`),

.. math:: f(u) = \bigl[\tau_{ref} + \tau_m \ln\tfrac{u}{u - 1}\bigr]^{-1}
          \ (u > 1), \qquad f(u) = 0\ (u \le 1),

so the spiking realizations (LIF neurons whose synaptic current, filtered with
:math:`\tau`, is :math:`s_j \approx f(u_j)`) have the same fixed points: a bump
:math:`U` of this model and :math:`S = f(U)` of the spiking one's rate equation
:math:`\tau \dot s = -s + f(W s + b)` are the same state, :math:`U = W S + b`.

Velocity: the speed theory
--------------------------
With :math:`\gamma = 0` the symmetric weights hold a bump :math:`U(\theta)` at any
position (a continuous attractor, :math:`U = W * f(U) + b`, :math:`*` the circular
convolution). Try a bump moving at speed :math:`v`, :math:`u(\theta, t) = U(\theta -
v t)`. Since the convolution commutes with the derivative, :math:`W' * f(U) = (W *
f(U))' = U'`, so the right-hand side (no cue, no noise) is

.. math:: -U + W * f(U) + b - \gamma\, W' * f(U) = -\gamma U'(\theta - vt),

and the left-hand side is :math:`\tau \partial_t U(\theta - vt) = -\tau v U'`. The
travelling bump is an exact solution (of the continuum model, for any
:math:`\gamma`) with

.. math:: v = \gamma / \tau .

Sign convention: :math:`W - \gamma W' \approx w(\Delta - \gamma)`, the weights
shifted towards increasing angle, so :math:`\gamma > 0` moves the bump towards
increasing :math:`\theta` (counter-clockwise) and ``bump_speed`` is positive.
This is Zhang's (1996) result that adding :math:`\gamma W'` to the weights moves the
bump at a speed proportional to :math:`\gamma`. On the lattice of :math:`N` units the
relation holds to the lattice's discretization error (measured: 0.4 % at N = 64,
:math:`\gamma/\tau` = 5 rad/s, see ``tests/ring_attractor/test_ring_attractor.py``).

Path integration: the asymmetric part is gain-modulated by the angular velocity,
:math:`\gamma(t) = \gamma + \tau\, \omega(t)` for :math:`t \ge` ``cue_duration_s``
(zero during the cue, which pins the bump), so the bump turns at
:math:`\gamma/\tau + \omega(t)` and its position integrates the head's angular
velocity :math:`\omega`. With ``velocity="ou"``, :math:`\omega` is an
Ornstein-Uhlenbeck process (s.d. ``velocity_sd_rad_s``, correlation time
``velocity_tau_s``) drawn by :func:`ring_inputs` from the seed, exactly
discretized on the ``dt_s`` grid (the ``inputs["velocity"]`` trace, in rad/s).

Integration: classic fixed-step RK4 with step ``dt_s`` (no noise) or Euler-Maruyama
(``noise_sd > 0``), the weights as a dense matrix-vector product per stage.

Observables (:func:`ring_observe`, the same for every realization; from the
``activity`` trace, rates in Hz, one row per ``record_dt_s``):

* ``bump_position`` (trace, rad): the population-vector angle
  :math:`\arg \sum_i a_i e^{i\theta_i}`.
* ``bump_speed`` (rad/s, signed): slope of a least-squares line through the
  unwrapped position for :math:`t \ge t_0 =` ``cue_duration_s + settle_s``.
* ``bump_width`` (rad): full width at half maximum of the time-averaged bump after
  :math:`t_0`, each sample first centred on its position.
* ``bump_amplitude`` (Hz): max - min of that averaged bump; ``bump_strength``: the
  mean resultant length :math:`|\sum a_i e^{i\theta_i}| / \sum a_i` after :math:`t_0`.
* ``bump_persists``: over the last tenth of the samples after :math:`t_0` the
  strength is >= 0.3 and the amplitude >= 5 Hz.
* ``drift_rad``: the displacement from :math:`t_0` to the end minus what
  :math:`\gamma` and :math:`\omega` predict; ``cue_error_rad``: the position at
  :math:`t_0` minus the cue angle (wrapped).
* ``integration_error`` (trace, rad, only with a velocity trace): wrapped
  difference between the position and :math:`\phi(t_0) + \int_{t_0}^{t}
  (\gamma/\tau + \omega) ds`, zero before :math:`t_0`; ``final_integration_error_rad``
  its absolute value at the end.

A second model of the family, ``torus-attractor`` (the 2D continuous attractor of grid
cells after Burak & Fiete 2009), is in ``torus_attractor.py``.

References
----------
Zhang, K. (1996). Representation of spatial orientation by the intrinsic dynamics of
the head-direction cell ensemble: a theory. J. Neurosci. 16(6), 2112-2126.
Skaggs, W. E., Knierim, J. J., Kudrimoti, H. S. & McNaughton, B. L. (1995). A model of
the neural basis of the rat's sense of direction. NIPS 7, 173-180.
Ben-Yishai, R., Bar-Or, R. L. & Sompolinsky, H. (1995). Theory of orientation tuning in
visual cortex. PNAS 92, 3844-3848.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, SPIKE_BYTES, SYNAPSE_BYTES, Terms, cost, driver
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

TWO_PI = 2.0 * np.pi
#: bump criteria of ``bump_persists`` (resultant length, Hz)
BUMP_MIN_STRENGTH = 0.3
BUMP_MIN_AMPLITUDE_HZ = 5.0


class RingAttractorParams(Params):
    """Ring attractor parameters (times in s, currents in threshold units, rates in Hz)."""

    n_units: int = Field(64, ge=16, description="units on the ring N (>= 16 to hold a bump)")
    tau_s: float = Field(0.02, gt=0, description="tau: synaptic time constant")
    tau_m_s: float = Field(0.01, gt=0, description="LIF membrane time constant of f")
    tau_ref_s: float = Field(0.002, ge=0, description="LIF refractory period of f")
    profile: Literal["cosine", "von-mises"] = Field("cosine", description="weight profile w")
    j0: float = Field(-0.08, le=0, description="J0: global inhibition (threshold units / Hz)")
    j1: float = Field(0.12, gt=0, description="J1: local excitation (threshold units / Hz)")
    kappa: float = Field(2.0, gt=0, description="von Mises concentration (profile von-mises)")
    bias: float = Field(1.05, ge=0, description="b: constant drive")
    gamma: float = Field(0.0, ge=-0.5, le=0.5, description="gamma: asymmetric gain (rad)")
    cue_strength: float = Field(1.0, ge=0, description="a: cue amplitude (0: start from noise)")
    cue_duration_s: float = Field(0.1, gt=0, description="cue window from t = 0")
    settle_s: float = Field(0.1, ge=0, description="left out after the cue before measuring")
    duration_s: float = Field(1.0, gt=0, description="simulated time")
    dt_s: float = Field(2e-4, gt=0, le=1e-3, description="integration step")
    record_dt_s: float = Field(1e-3, gt=0, le=0.01, description="sampling of the activity")
    noise_sd: float = Field(0.0, ge=0, description="sigma: white-noise drive")
    weight_jitter: float = Field(
        0.0, ge=0, le=1, description="s.d. of multiplicative Gaussian jitter on the weights"
    )
    velocity: Literal["none", "ou"] = Field("none", description="angular-velocity input")
    velocity_sd_rad_s: float = Field(2.0, gt=0, description="s.d. of the OU velocity")
    velocity_tau_s: float = Field(0.2, gt=0, description="correlation time of the OU velocity")

    @pydantic.model_validator(mode="after")
    def _times(self):
        start = self.cue_duration_s + self.settle_s
        if start + 2 * self.record_dt_s > self.duration_s:
            raise ValueError(
                f"duration_s: must be >= cue_duration_s + settle_s + 2 record_dt_s = "
                f"{start + 2 * self.record_dt_s!r} (got {self.duration_s!r})"
            )
        if self.record_dt_s < self.dt_s:
            raise ValueError(
                f"record_dt_s: must be >= dt_s = {self.dt_s!r} (got {self.record_dt_s!r})"
            )
        return self

    @property
    def n_steps(self) -> int:
        return int(round(self.duration_s / self.dt_s))

    @property
    def t0_s(self) -> float:
        """Start of the measurement: the end of the cue plus the settling time."""
        return self.cue_duration_s + self.settle_s


# -- weights and inputs -------------------------------------------------------------------


def angles(n: int) -> np.ndarray:
    """The units' preferred directions 2 pi i / n (rad)."""
    return np.arange(n) * TWO_PI / n


def profile(params: RingAttractorParams, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """w(delta) and its derivative w'(delta), both / N."""
    n = params.n_units
    if params.profile == "cosine":
        w = params.j0 + params.j1 * np.cos(delta)
        dw = -params.j1 * np.sin(delta)
    else:
        bump = np.exp(params.kappa * (np.cos(delta) - 1.0))
        w = params.j0 + params.j1 * bump
        dw = -params.j1 * params.kappa * np.sin(delta) * bump
    return w / n, dw / n


def ring_weights(params: RingAttractorParams, rng: np.random.Generator) -> dict:
    """``{"W": (N, N), "dW": (N, N)}``: W_ij = w(theta_i - theta_j), dW_ij = w'(...).

    With ``weight_jitter`` both are multiplied by the same symmetric factor
    ``1 + jitter * xi_ij`` (xi standard normal): heterogeneous synapses, which break
    the continuous symmetry and make the bump drift.
    """
    th = angles(params.n_units)
    w, dw = profile(params, th[:, None] - th[None, :])
    if params.weight_jitter > 0:
        xi = rng.standard_normal(w.shape)
        factor = 1.0 + params.weight_jitter * (np.triu(xi) + np.triu(xi, 1).T)
        w, dw = w * factor, dw * factor
    return {"W": w, "dW": dw}


def ou_velocity(
    n_steps: int, dt: float, sd: float, tau: float, rng: np.random.Generator
) -> np.ndarray:
    """Ornstein-Uhlenbeck angular velocity (rad/s), exact on the dt grid, stationary start."""
    a = math.exp(-dt / tau)
    kick = sd * math.sqrt(1.0 - a * a)
    z = rng.standard_normal(n_steps)
    out = np.empty(n_steps)
    x = sd * z[0]
    for k in range(n_steps):
        if k:
            x = a * x + kick * z[k]
        out[k] = x
    return out


def ring_inputs(params: RingAttractorParams, weights: dict, rng: np.random.Generator) -> dict:
    """The cue and initial state, and the velocity trace when ``velocity="ou"``.

    ``cue_angle`` (shape (1,), rad, uniform), ``cue`` (N,) = cos(theta_i - cue_angle)
    (times ``cue_strength`` it is the cue current), ``u0`` (N,) = b + 0.01 x normal
    (reference), ``v0`` (N,) uniform in [0, 1) (initial LIF voltages of the spiking
    realizations), ``velocity`` (n_steps,) in rad/s.
    """
    n = params.n_units
    cue_angle = rng.uniform(0.0, TWO_PI)
    out = {
        "cue_angle": np.array([cue_angle]),
        "cue": np.cos(angles(n) - cue_angle),
        "u0": params.bias + 0.01 * rng.standard_normal(n),
        "v0": rng.random(n),
    }
    if params.velocity == "ou":
        out["velocity"] = ou_velocity(
            params.n_steps, params.dt_s, params.velocity_sd_rad_s, params.velocity_tau_s, rng
        )
    return out


def ring_validate(params: RingAttractorParams, weights: dict, inputs: dict) -> None:
    """Shapes and finiteness of every array; the velocity trace is required with
    ``velocity="ou"`` and, when given, must have one value per step (``n_steps``)."""
    n = params.n_units
    check_array("ring-attractor", "weights", weights, "W", (n, n), "(n_units, n_units)")
    check_array("ring-attractor", "weights", weights, "dW", (n, n), "(n_units, n_units)")
    for key in ("cue", "u0", "v0"):
        check_array("ring-attractor", "inputs", inputs, key, (n,), "(n_units,)")
    check_array("ring-attractor", "inputs", inputs, "cue_angle", (1,), "(1,)")
    if params.velocity != "none" or (isinstance(inputs, dict) and "velocity" in inputs):
        check_array("ring-attractor", "inputs", inputs, "velocity", (params.n_steps,), "(n_steps,)")


# -- rate function and integration -------------------------------------------------------


def lif_rate(u: np.ndarray, tau_m_s: float, tau_ref_s: float) -> np.ndarray:
    """f(u): the LIF f-I curve in Hz (threshold 1, reset 0); 0 at or below threshold."""
    u = np.asarray(u, dtype=np.float64)
    above = u > 1.0
    safe = np.where(above, u, 2.0)
    return np.where(above, 1.0 / (tau_ref_s + tau_m_s * np.log(safe / (safe - 1.0))), 0.0)


def gamma_trace(params: RingAttractorParams, velocity: np.ndarray | None) -> np.ndarray:
    """gamma(t) per step: 0 during the cue, gamma + tau * omega(t) after (rad)."""
    t = np.arange(params.n_steps) * params.dt_s
    g = np.full(params.n_steps, params.gamma)
    if velocity is not None:
        g = g + params.tau_s * np.asarray(velocity, dtype=np.float64)
    return np.where(t < params.cue_duration_s - 1e-12, 0.0, g)


def integrate_ring(
    params: RingAttractorParams, weights: dict, inputs: dict, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Integrate the rate model; returns (t, activity (T, N) in Hz) sampled every
    ``record_dt_s`` from t = 0. RK4 without noise, Euler-Maruyama with noise."""
    w = np.asarray(weights["W"], dtype=np.float64)
    dw = np.asarray(weights["dW"], dtype=np.float64)
    cue = params.cue_strength * np.asarray(inputs["cue"], dtype=np.float64)
    gam = gamma_trace(params, inputs.get("velocity"))
    dt, tau = params.dt_s, params.tau_s
    every = max(1, int(round(params.record_dt_s / dt)))
    n_rec = params.n_steps // every
    u = np.array(inputs["u0"], dtype=np.float64)
    out = np.empty((n_rec, params.n_units))
    noise_scale = params.noise_sd * math.sqrt(dt / tau)

    def f(x):
        return lif_rate(x, params.tau_m_s, params.tau_ref_s)

    for k in range(params.n_steps):
        if k % every == 0 and k // every < n_rec:
            out[k // every] = f(u)
        drive = params.bias + (cue if k * dt < params.cue_duration_s - 1e-12 else 0.0)
        m = w - gam[k] * dw if gam[k] != 0.0 else w

        def rhs(x, m=m, drive=drive):
            return (-x + m @ f(x) + drive) / tau

        if params.noise_sd > 0:
            u = u + dt * rhs(u) + noise_scale * rng.standard_normal(u.shape)
        else:
            k1 = rhs(u)
            k2 = rhs(u + 0.5 * dt * k1)
            k3 = rhs(u + 0.5 * dt * k2)
            k4 = rhs(u + dt * k3)
            u = u + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    t = np.arange(n_rec) * every * dt
    return t, out


# -- observables ---------------------------------------------------------------------------


def population_vector(activity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Angle (rad, in (-pi, pi]) and resultant length (0 where silent) of each row."""
    a = np.asarray(activity, dtype=np.float64)
    z = a @ np.exp(1j * angles(a.shape[1]))
    total = a.sum(axis=1)
    strength = np.where(total > 0, np.abs(z) / np.where(total > 0, total, 1.0), 0.0)
    return np.angle(z), strength


def wrap(x):
    """Angle(s) wrapped into [-pi, pi)."""
    return (np.asarray(x) + np.pi) % TWO_PI - np.pi


def centred_profile(activity: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Mean of the rows, each rolled so its position sits on unit N // 2."""
    n = activity.shape[1]
    shift = n // 2 - np.round(np.mod(position, TWO_PI) * n / TWO_PI).astype(int)
    rows = np.arange(n)[None, :] - shift[:, None]
    return np.take_along_axis(activity, rows % n, axis=1).mean(axis=0)


def fwhm(profile_: np.ndarray) -> float:
    """Full width at half maximum (rad) of a ring profile: units above (max + min) / 2."""
    half = 0.5 * (profile_.max() + profile_.min())
    if profile_.max() <= profile_.min():
        return float("nan")
    return float((profile_ > half).sum() * TWO_PI / len(profile_))


def expected_turn(params: RingAttractorParams, t: np.ndarray, velocity) -> np.ndarray:
    """Predicted displacement since t0 (rad): int_{t0}^{t} (gamma/tau + omega) ds."""
    steps = np.arange(params.n_steps) * params.dt_s
    speed = np.where(steps < params.cue_duration_s - 1e-12, 0.0, params.gamma / params.tau_s)
    if velocity is not None:
        speed = speed + np.where(steps < params.cue_duration_s - 1e-12, 0.0, velocity)
    cum = np.concatenate([[0.0], np.cumsum(speed) * params.dt_s])

    def at(time):
        return np.interp(time, np.arange(params.n_steps + 1) * params.dt_s, cum)

    return at(t) - at(params.t0_s)


def ring_observe(result: Result, params: RingAttractorParams, weights: dict, inputs: dict) -> dict:
    """The shared observables (module docstring) from ``traces["activity"]`` (T, N, Hz)."""
    a = np.asarray(result.traces["activity"], dtype=np.float64)
    t = np.asarray(result.t, dtype=np.float64)
    pos, strength = population_vector(a)
    keep = t >= params.t0_s - 1e-9
    tk = t[keep]
    unwrapped = np.unwrap(pos[keep])
    speed = float(np.polyfit(tk - tk[0], unwrapped, 1)[0])
    prof = centred_profile(a[keep], pos[keep])
    tail = max(1, len(tk) // 10)
    last = centred_profile(a[keep][-tail:], pos[keep][-tail:])
    velocity = inputs.get("velocity")
    turn = expected_turn(params, tk, velocity)
    out = {
        "bump_position": pos,
        "bump_speed": speed,
        "bump_speed_theory": params.gamma / params.tau_s,
        "bump_width": fwhm(prof),
        "bump_amplitude": float(prof.max() - prof.min()),
        "bump_strength": float(strength[keep].mean()),
        "bump_persists": bool(
            strength[keep][-tail:].mean() >= BUMP_MIN_STRENGTH
            and last.max() - last.min() >= BUMP_MIN_AMPLITUDE_HZ
        ),
        "drift_rad": float(unwrapped[-1] - unwrapped[0] - turn[-1]),
        "cue_error_rad": float(wrap(pos[keep][0] - inputs["cue_angle"][0])),
        "mean_rate_hz": float(a[keep].mean()),
    }
    if velocity is not None:
        err = np.zeros(len(t))
        err[keep] = wrap(unwrapped - unwrapped[0] - turn)
        out["integration_error"] = err
        out["final_integration_error_rad"] = float(abs(err[-1]))
    return out


# -- the reference realization ---------------------------------------------------------------


@realization("ring-attractor", "reference")
def run_reference(
    params: RingAttractorParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Rate model, RK4 with step dt_s (Euler-Maruyama with noise), dense weights."""
    t, activity = integrate_ring(params, weights, inputs, np.random.default_rng(seed))
    check_finite("ring-attractor/reference activity", activity, t, "s")
    return Result(
        model="ring-attractor",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"activity": activity},
        provenance={
            "integrator": "rk4" if params.noise_sd == 0 else "euler-maruyama",
            "dt_s": params.dt_s,
        },
    )


def ring_estimate(params: RingAttractorParams, options, realization: str):
    """Memory: W and dW (N^2, with the velocity-shifted matrix of each step and the
    jitter's draws), the recorded activity (records x N, with the observables' copies),
    the velocity trace (one value per step); Brian2 adds its N^2 synapses and the spikes
    (up to 200 Hz per neuron), Nengo and the Loihi emulator the spike counts of every
    time step (N per step, probed, copied and rounded) and the dense recurrent weights.
    Steps: time steps x N^2 (the reference's dense product; spiking: x N)."""
    n, n_steps = params.n_units, params.n_steps
    n_rec = params.duration_s / params.record_dt_s + 1
    mem = Terms(
        ("n_units", 6 * F8 * n * n),
        (driver(params, ("duration_s",), ("record_dt_s",)), 4 * F8 * n_rec * n),
        (driver(params, ("duration_s",), ("dt_s",)), 3 * F8 * n_steps),
    )
    if realization == "reference":
        return cost(
            mem, Terms((driver(params, ("duration_s", "n_units"), ("dt_s",)), n_steps * n * n))
        )
    spikes = driver(params, ("duration_s", "n_units"))
    mem.add(spikes, SPIKE_BYTES * 200 * params.duration_s * n)
    if realization == "brian2":
        mem.add("n_units", SYNAPSE_BYTES * n * n)
    else:
        per_step = driver(params, ("duration_s",), ("dt_s",))
        mem.add(per_step, 3 * F8 * n_steps * n + 120 * n_steps)
    return cost(mem, Terms((driver(params, ("duration_s", "n_units"), ("dt_s",)), n_steps * n)))


RING = register_model(
    ModelSpec(
        name="ring-attractor",
        observable_units={
            "bump_speed": "rad/s",
            "bump_amplitude": "Hz",
            "bump_strength": "1",
            "bump_persists": "1",
        },
        params=RingAttractorParams,
        weights=ring_weights,
        make_inputs=ring_inputs,
        validate=ring_validate,
        observe=ring_observe,
        key_observable="bump_speed",
        # rate vs spiking (tests/ring_attractor/test_ring_attractor_spiking.py): bump
        # amplitude within 10 %, width within 2 bins (2 x 2 pi / 64); speed slope
        # ratio within [0.9, 1.35] (its upper side: rtol 0.35; the default tau_m / tau
        # gives about +22 %, a LIF effect). The width test is at 64 neurons (default).
        agreement=[
            {"observable": "bump_amplitude", "atol": 0.0, "rtol": 0.1},
            {"observable": "bump_width", "atol": 0.19634954084936207, "rtol": 0.0},
            {"observable": "bump_speed", "atol": 0.0, "rtol": 0.35},
        ],
        estimate=ring_estimate,
        # the rows differ only in the realization: every model value (gamma too) is the
        # user's, or the model's default
        compare_runs=[
            ("reference", "reference", {}),
            ("brian2", "brian2", {}),
            ("nengo", "nengo", {}),
        ],
        quick_params={"n_units": 32, "duration_s": 0.3, "gamma": 0.05},
        doc="Zhang (1996) head-direction ring attractor: a bump held by symmetric weights, "
        "moved at gamma/tau by an asymmetric gamma W' component; path integration.",
    )
)
