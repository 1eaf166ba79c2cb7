r"""The Millennium Bridge: a lateral deck mode and the crowd walking on it.

Strogatz, Abrams, McRobie, Eckhardt & Ott (2005): the bridge's lateral mode
:math:`M \ddot X + B \dot X + K X = G \sum_i \sin\Theta_i`, walkers
:math:`\dot\Theta_i = \Omega_i + C A \sin(\Psi - \Theta_i + \alpha)` with
:math:`X = A \sin\Psi`, :math:`\dot X = A \Omega_0 \cos\Psi`,
:math:`\Omega_0 = \sqrt{K/M}`. See :func:`critical_crowd_size` for the
threshold. A second crowd model (``crowd_model="foot_force"``, after Belykh et
al. 2021): inverted-pendulum walkers placing their feet by Hof's rule (Macdonald
2009), no phase coupling at all; they damp the deck negatively on average, so it
goes unstable at ``N_crit = B / (-sigma)`` (:func:`pedestrian_damping`) with an
incoherent crowd. A third, ``"van_der_pol"`` (Belykh, Jeter & Belykh 2017, model 1),
is a control that damps the deck at the parameters tried. See :func:`_bridge_rhs`.

References
----------
Strogatz, S. H., Abrams, D. M., McRobie, A., Eckhardt, B. & Ott, E. (2005).
Crowd synchrony on the Millennium Bridge. Nature 438, 43-44.
Belykh, I., Jeter, R. & Belykh, V. (2017). Science Advances 3, e1701512.
Belykh, I. et al. (2021). Nature Communications 12, 7223.
Macdonald, J. H. G. (2009). Proc. R. Soc. A 465, 1055-1073.
Hof, A. L., van Bockel, R. M., Schoppen, T. & Postema, K. (2007). Gait Posture 25, 250.
"""

from __future__ import annotations

import math
from typing import Literal

import numba
import numpy as np
import pydantic
from pydantic import Field
from scipy import stats

from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, Terms, cost, driver
from neurotwin.rate_models.synchronization.phases import (
    TWO_PI,
    check_record_times,
    frequencies,
    order_parameter,
    time_average,
)
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

#: gravitational acceleration (m/s^2), for the inverted-pendulum walkers
GRAVITY = 9.81


class BridgeParams(Params):
    """Bridge lateral mode and crowd (SI units: kg, s, m, N, rad/s).

    Defaults: the Millennium Bridge values quoted for the model of Strogatz et al.
    (2005) (from memory of the paper's figure; not re-checked against it here):
    M = 1.13e5 kg, B = 1.10e4 kg/s, K = 4.73e6 kg/s^2 (Omega_0 = 6.47 rad/s,
    1.03 Hz), G = 30 N, C = 16 /(m s), alpha = pi/2, walker frequencies Gaussian
    with s.d. 0.63 rad/s centred on Omega_0. The tests compare the simulation with
    the closed form for whatever values are set, so they do not depend on these.
    Of these, only C = 16 was found in a source (a public reading note of the paper:
    fitted by the authors to the bridge's crowd tests); the others were searched for
    and not found (``docs/models/synchronization.rst``). The real bridge's measured
    onset, 156-166 walkers (Arup's December 2000 crowd test), is 4-10 % above the
    default model's N_c = 149.

    Foot-force walkers (``crowd_model="foot_force"``): the experiments and tests set
    the gait to Belykh et al. (2021)'s 5.655 rad/s (0.9 Hz, ``freq_offset_rad_s =
    5.655 - Omega_0``) with s.d. 0.3 rad/s; their average damping depends on the
    bridge/gait frequency ratio (measured negative, -180 to -290 kg/s, for ratios
    1.1-1.5 and -46 at 0.9; near 1:1 too noisy to call), see :func:`pedestrian_damping`.
    """

    n_pedestrians: int = Field(150, ge=1, description="crowd size N")
    crowd_model: Literal["phase", "foot_force", "van_der_pol"] = Field(
        "phase",
        description="phase walkers (Strogatz et al. 2005), inverted pendulums with foot "
        "placement (Macdonald 2009; Belykh et al. 2021), or van der Pol gaits (Belykh 2017)",
    )
    mass_kg: float = Field(1.13e5, gt=0, description="modal mass M")
    damping_kg_s: float = Field(1.10e4, ge=0, description="modal damping B")
    stiffness_n_m: float = Field(4.73e6, gt=0, description="modal stiffness K")
    force_n: float = Field(30.0, ge=0, description="G: lateral force amplitude per walker")
    sensitivity: float = Field(16.0, ge=0, description="C: walkers' phase sensitivity, 1/(m s)")
    phase_lag_rad: float = Field(np.pi / 2, description="alpha in the walkers' equation")
    freq_sd_rad_s: float = Field(0.63, gt=0, description="s.d. of walker frequencies Omega_i")
    freq_offset_rad_s: float = Field(
        0.0, description="mean walker frequency minus the bridge's Omega_0"
    )
    freq_sampling: Literal["quantile", "random"] = Field("quantile")
    initial_amplitude_m: float = Field(1e-3, ge=0, description="bridge amplitude at t = 0")
    duration_s: float = Field(600.0, gt=0, description="simulated time")
    transient_s: float = Field(400.0, ge=0, description="left out of time averages")
    dt_s: float = Field(0.01, gt=0, le=0.05, description="RK4 step")
    record_dt_s: float = Field(0.5, gt=0, description="sampling interval of the traces")
    max_amplitude_m: float = Field(
        0.5, gt=0, description="the run stops once the deck amplitude exceeds this"
    )
    # foot-force crowds (crowd_model "foot_force" and "van_der_pol")
    walker_mass_kg: float = Field(76.9, gt=0, description="pedestrian mass m")
    leg_length_m: float = Field(
        1.17, gt=0, description="L: inverted-pendulum length, lam_p = sqrt(g/L) (foot_force)"
    )
    step_margin_m: float = Field(
        0.0157, ge=0, description="b_min: foot placement beyond the extrapolated CoM (foot_force)"
    )
    sway_m: float = Field(0.01, gt=0, description="a: lateral sway amplitude (van_der_pol)")
    vdp_lambda: float = Field(
        2.0, gt=0, description="lambda: limit-cycle attraction of the gait, 1/s (van_der_pol)"
    )

    @pydantic.model_validator(mode="after")
    def _times(self):
        check_record_times(self)
        return self

    @pydantic.model_validator(mode="after")
    def _frequencies(self):
        # every walker and the deck's amplitude divide by these frequencies
        if not self.omega0 > 0:
            raise ValueError(
                f"stiffness_n_m: must give the deck a natural frequency sqrt(stiffness_n_m / "
                f"mass_kg) > 0 rad/s (got {self.stiffness_n_m!r} with mass_kg = "
                f"{self.mass_kg!r})"
            )
        if not self.omega0 + self.freq_offset_rad_s > 0:
            raise ValueError(
                f"freq_offset_rad_s: must leave the walkers' mean frequency Omega_0 + "
                f"offset > 0, Omega_0 = {self.omega0:.4g} rad/s (got {self.freq_offset_rad_s!r})"
            )
        return self

    @property
    def omega0(self) -> float:
        return math.sqrt(self.stiffness_n_m / self.mass_kg)


def critical_crowd_size(params: BridgeParams) -> float:
    r"""Onset crowd size of the phase-walker model, from averaging at small amplitude.

    With :math:`X = A\sin\Psi` the averaged bridge equation is
    :math:`\dot A = -\frac{B}{2M} A + \frac{G}{2 M \Omega_0} \sum_i \sin(\Theta_i - \Psi)`.
    A walker with :math:`|\Omega_i - \Omega_0| < CA` locks to the bridge at
    :math:`\sin(\Theta_i - \Psi) = \sqrt{1 - ((\Omega_i - \Omega_0)/CA)^2}`
    (for :math:`\alpha = \pi/2`), drifting walkers average out, so for small
    :math:`A` the crowd contributes :math:`N \tfrac{\pi}{2} C A\, P(\Omega_0)` and
    the bridge grows iff :math:`N > N_c` with

    .. math:: N_c = \frac{2 B \Omega_0}{\pi G C\, P(\Omega_0)}
              = \frac{2 B}{\pi G C} \sqrt{\frac{K}{M}}\, \frac{1}{P(\Omega_0)},

    the closed form of Strogatz et al. (2005) up to the constant in front: the
    brief for this work quoted it as :math:`4B/(\pi G C)\ldots`; the averaging of
    the equations as written gives 2, and the simulation agrees with 2 (onset
    between 1.00 and 1.05 :math:`N_c` = 149-157 walkers, where the factor 4 would put
    it at 298).
    For :math:`\alpha \neq \pi/2` the locked walkers push with
    :math:`\sin\alpha` of their weight, so :math:`N_c` is divided by
    :math:`\sin\alpha`. ``P`` is the Gaussian density of the walkers' frequencies
    at the bridge frequency (``freq_offset_rad_s`` shifts its centre).
    """
    p0 = stats.norm(loc=params.freq_offset_rad_s, scale=params.freq_sd_rad_s).pdf(0.0)
    s = math.sin(params.phase_lag_rad)
    if params.force_n == 0 or params.sensitivity == 0 or s <= 0:
        return float("inf")
    return (
        2.0
        * params.damping_kg_s
        * params.omega0
        / (np.pi * params.force_n * params.sensitivity * p0 * s)
    )


def bridge_weights(params: BridgeParams, rng: np.random.Generator) -> dict:
    """Walkers' natural frequencies ``{"omega": (N,)}`` in rad/s (Gaussian around Omega_0)."""
    omega = frequencies(
        "gaussian",
        params.n_pedestrians,
        params.freq_sd_rad_s,
        params.omega0 + params.freq_offset_rad_s,
        params.freq_sampling,
        rng,
    )
    return {"omega": omega}


def bridge_inputs(params: BridgeParams, weights: dict, rng: np.random.Generator) -> dict:
    """Walkers' initial phases, uniform: ``{"theta0": (N,)}``; the bridge starts at
    ``X = initial_amplitude_m``, at rest."""
    return {"theta0": rng.uniform(0.0, TWO_PI, params.n_pedestrians)}


def bridge_validate(params: BridgeParams, weights: dict, inputs: dict) -> None:
    n = params.n_pedestrians
    check_array("millennium-bridge", "weights", weights, "omega", (n,), "(n_pedestrians,)")
    check_array("millennium-bridge", "inputs", inputs, "theta0", (n,), "(n_pedestrians,)")


MODES = {"phase": 0, "van_der_pol": 1, "foot_force": 2}


@numba.njit(cache=True)
def _bridge_rhs(
    y, out, omega, p, m_b, b_b, k_b, g, c, alpha, mode, m_w, a_w, lam
):  # pragma: no cover
    """Right-hand side; state y = [X, V, walkers...].

    mode 0, phase walkers (Strogatz et al. 2005): y[2 + i] = Theta_i.

    mode 1, van der Pol gait (Belykh, Jeter & Belykh 2017, model 1): y[2 + 2i] = y_i,
    y[3 + 2i] = y_i', the lateral centre of mass relative to the deck,
    y_i'' + lam (y_i'^2 / (a w_i)^2 + y_i^2 / a^2 - 1) y_i' + w_i^2 y_i = -X''
    (limit cycle y_i = a sin(w_i t)); the walker pushes the deck with the reaction to
    its absolute acceleration, -m (y_i'' + X'') = m (w_i^2 y_i + lam (...) y_i').

    mode 2, inverted pendulum with foot placement (Macdonald 2009; model 2 of Belykh et
    al. 2021): u_i'' = lam_p^2 (u_i - p_i) - X'' with lam_p = sqrt(g / L) (passed as
    ``lam``) and the foot position p_i (deck frame) set at each step by the stepper;
    force on the deck -m lam_p^2 (u_i - p_i).
    """
    x = y[0]
    v = y[1]
    n = omega.shape[0]
    force = 0.0
    if mode == 0:
        w0 = math.sqrt(k_b / m_b)
        amp = math.sqrt(x * x + (v / w0) ** 2)
        psi = math.atan2(x, v / w0)
        for i in range(n):
            th = y[2 + i]
            force += g * math.sin(th)
            out[2 + i] = omega[i] + c * amp * math.sin(psi - th + alpha)
        out[0] = v
        out[1] = (force - b_b * v - k_b * x) / m_b
        return
    for i in range(n):
        yi = y[2 + 2 * i]
        ui = y[3 + 2 * i]
        if mode == 1:
            w = omega[i]
            h = lam * ((ui / (a_w * w)) ** 2 + (yi / a_w) ** 2 - 1.0) * ui
            force += m_w * (h + w * w * yi)
            acc_rel = -h - w * w * yi
        else:
            acc_rel = lam * lam * (yi - p[i])
            force -= m_w * acc_rel
        out[2 + 2 * i] = ui
        out[3 + 2 * i] = acc_rel  # minus X'' added below
    acc = (force - b_b * v - k_b * x) / m_b
    out[0] = v
    out[1] = acc
    for i in range(n):
        out[3 + 2 * i] -= acc


@numba.njit(cache=True)
def _bridge_rk4(
    y0,
    dt,
    n_steps,
    every,
    omega,
    step_t0,
    m_b,
    b_b,
    k_b,
    g,
    c,
    alpha,
    mode,
    m_w,
    a_w,
    lam,
    margin,
    cap,
):  # pragma: no cover
    """Fixed-step RK4; for mode 2 also the foot placement at each walker's steps.

    Stops (returning the samples so far) once the deck amplitude
    sqrt(X^2 + (X'/Omega_0)^2) exceeds ``cap``.

    Walker i steps every pi / omega_i (two steps per lateral gait cycle), first at
    ``step_t0[i]``, placing its foot at its extrapolated centre of mass plus the
    margin on alternating sides (Hof et al. 2007): p = u + u' / lam_p +/- margin.
    Returns the recorded states and the gait phases (mode 2: pi per step).
    """
    n = omega.shape[0]
    n_rec = n_steps // every + 1
    rec = np.empty((n_rec, y0.shape[0]))
    phase = np.zeros((n_rec, n))
    y = y0.copy()
    k1 = np.empty_like(y)
    k2 = np.empty_like(y)
    k3 = np.empty_like(y)
    k4 = np.empty_like(y)
    p = np.zeros(n)
    side = np.ones(n)
    nxt = step_t0.copy()
    period = np.pi / omega
    count = np.zeros(n)
    for i in range(n):
        if i % 2 == 1:
            side[i] = -1.0
        p[i] = -side[i] * margin
    rec[0] = y
    for i in range(n):
        phase[0, i] = np.pi * (count[i] - (nxt[i] - 0.0) / period[i])
    r = 1
    for step in range(1, n_steps + 1):
        _bridge_rhs(y, k1, omega, p, m_b, b_b, k_b, g, c, alpha, mode, m_w, a_w, lam)
        _bridge_rhs(
            y + 0.5 * dt * k1, k2, omega, p, m_b, b_b, k_b, g, c, alpha, mode, m_w, a_w, lam
        )
        _bridge_rhs(
            y + 0.5 * dt * k2, k3, omega, p, m_b, b_b, k_b, g, c, alpha, mode, m_w, a_w, lam
        )
        _bridge_rhs(y + dt * k3, k4, omega, p, m_b, b_b, k_b, g, c, alpha, mode, m_w, a_w, lam)
        y = y + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        t = step * dt
        if mode == 2:
            for i in range(n):
                if t >= nxt[i]:
                    p[i] = y[2 + 2 * i] + y[3 + 2 * i] / lam + side[i] * margin
                    side[i] = -side[i]
                    nxt[i] += period[i]
                    count[i] += 1.0
        if step % every == 0:
            rec[r] = y
            for i in range(n):
                phase[r, i] = np.pi * (count[i] - (nxt[i] - t) / period[i])
            r += 1
            if y[0] * y[0] + y[1] * y[1] * m_b / k_b > cap * cap:
                break
    return rec[:r], phase[:r]


def _lam(params: BridgeParams) -> float:
    if params.crowd_model == "foot_force":
        return math.sqrt(GRAVITY / params.leg_length_m)
    return params.vdp_lambda


def pedestrian_damping(
    params: BridgeParams, omega: np.ndarray, amplitude_m: float = 2e-3, duration_s: float = 150.0
) -> float:
    r"""Average damping a foot-force walker adds to the deck, :math:`\bar\sigma` (kg/s).

    Belykh et al. (2021): with the deck moving as :math:`X = A\sin\Omega_0 t`
    (prescribed), each walker's force :math:`F_i` has a part in phase with the deck
    velocity; :math:`\sigma_i = -\langle F_i \dot X\rangle / \langle\dot X^2\rangle`
    (time averages after 50 s), averaged over the walkers ``omega`` with their own
    random step phases. Negative: the crowd feeds energy into the deck on average,
    without any synchrony, and the deck goes unstable once
    :math:`N > N_\mathrm{crit} = B / (-\bar\sigma)`. Same stepper as the simulation
    (RK4 with ``dt_s``); the deck is simply not integrated.
    """
    w0 = params.omega0
    rng = np.random.default_rng(12345)
    n = len(omega)
    step_t0 = rng.uniform(0.0, 1.0, n) * np.pi / omega
    # a deck so stiff and heavy that it follows X = A sin(w0 t) regardless of the walkers
    big = 1e12
    dt = params.dt_s
    n_steps = int(round(duration_s / dt))
    y0 = np.concatenate([[0.0, amplitude_m * w0], np.zeros(2 * n)])
    rec, _ = _bridge_rk4(
        y0,
        dt,
        n_steps,
        1,
        np.asarray(omega, dtype=np.float64),
        step_t0,
        big,
        0.0,
        big * w0 * w0,
        0.0,
        0.0,
        0.0,
        MODES[params.crowd_model],
        params.walker_mass_kg,
        params.sway_m,
        _lam(params),
        params.step_margin_m,
        np.inf,
    )
    t = np.arange(len(rec)) * dt
    keep = t >= 50.0
    u = rec[keep, 2::2]
    xdot = rec[keep, 1]
    lam = _lam(params)
    if params.crowd_model == "foot_force":
        # the force needs p: recover it from u'' = lam^2 (u - p) - X'' (X'' = -w0^2 X)
        udot = rec[keep, 3::2]
        uddot = np.gradient(udot, dt, axis=0)
        force = -params.walker_mass_kg * (uddot - w0 * w0 * rec[keep, 0][:, None])
    else:
        y_, v_ = u, rec[keep, 3::2]
        w = np.asarray(omega)[None, :]
        h = lam * ((v_ / (params.sway_m * w)) ** 2 + (y_ / params.sway_m) ** 2 - 1.0) * v_
        force = params.walker_mass_kg * (h + w * w * y_)
    sigma = -(force * xdot[:, None]).mean(axis=0) / (xdot**2).mean()
    return float(sigma.mean())


def bridge_observe(result: Result, params: BridgeParams, weights: dict, inputs: dict) -> dict:
    """``wobble_amplitude`` (m): time-averaged bridge amplitude
    ``sqrt(X^2 + (X'/Omega_0)^2)`` after the transient (a run stopped at
    ``max_amplitude_m`` counts at that amplitude from the stop on, ``stopped_at_s``);
    ``order_parameter``: the time-averaged crowd order parameter (a stopped run: over
    its last fifth); ``critical_crowd_size``: the phase model's
    closed form (:func:`critical_crowd_size`) for ``crowd_model="phase"``, else
    ``B / (-sigma)`` with the measured :func:`pedestrian_damping` (inf if sigma >= 0)."""
    amp = np.asarray(result.traces["amplitude"], dtype=float)
    r = np.asarray(result.traces["r"], dtype=float)
    t = np.asarray(result.t, dtype=float)
    stopped = bool(t[-1] < params.duration_s - params.record_dt_s)
    if stopped:
        # the deck passed max_amplitude_m at t[-1]: count the rest of the run at the cap
        grid = np.arange(0.0, params.duration_s, params.record_dt_s)
        held = np.concatenate([amp, np.full(max(len(grid) - len(amp), 0), params.max_amplitude_m)])
        wobble = time_average(grid, held[: len(grid)], params.transient_s)
        order = float(r[-max(1, len(r) // 5) :].mean())
    else:
        wobble = time_average(t, amp, params.transient_s)
        order = time_average(t, r, params.transient_s)
    out = {
        "wobble_amplitude": wobble,
        "order_parameter": order,
        "final_amplitude": float(amp[-1]),
        "stopped_at_s": float(t[-1]) if stopped else float("nan"),
    }
    if params.crowd_model == "phase":
        out["critical_crowd_size"] = critical_crowd_size(params)
    else:
        sigma = pedestrian_damping(params, np.asarray(weights["omega"], dtype=float))
        out["pedestrian_damping_kg_s"] = sigma
        out["critical_crowd_size"] = params.damping_kg_s / -sigma if sigma < 0 else float("inf")
    return out


@realization("millennium-bridge", "reference")
def run_bridge(params: BridgeParams, weights: dict, inputs: dict, seed: int, options=None):
    """Fixed-step RK4 (numba) of the bridge mode and every walker (N + 2 or 2N + 2 ODEs)."""
    omega = np.asarray(weights["omega"], dtype=np.float64)
    theta0 = np.asarray(inputs["theta0"], dtype=np.float64)
    mode = MODES[params.crowd_model]
    if mode == 1:
        # gait oscillators start on their limit cycle (y = a sin theta, y' = a w cos theta)
        walkers = np.empty(2 * len(omega))
        walkers[0::2] = params.sway_m * np.sin(theta0)
        walkers[1::2] = params.sway_m * omega * np.cos(theta0)
    elif mode == 2:
        walkers = np.zeros(2 * len(omega))  # centred over the feet; gait set by the steps
    else:
        walkers = theta0.copy()
    # first step of walker i at the fraction theta0 / 2 pi of its step interval
    step_t0 = theta0 / TWO_PI * np.pi / omega
    y0 = np.concatenate([[params.initial_amplitude_m, 0.0], walkers])
    every = max(1, int(round(params.record_dt_s / params.dt_s)))
    n_steps = int(round(params.duration_s / params.dt_s))
    rec, phase = _bridge_rk4(
        y0,
        params.dt_s,
        n_steps,
        every,
        omega,
        step_t0,
        params.mass_kg,
        params.damping_kg_s,
        params.stiffness_n_m,
        params.force_n,
        params.sensitivity,
        params.phase_lag_rad,
        mode,
        params.walker_mass_kg,
        params.sway_m,
        _lam(params),
        params.step_margin_m,
        params.max_amplitude_m,
    )
    t = np.arange(len(rec)) * every * params.dt_s
    check_finite("millennium-bridge/reference state", rec, t, "s")
    x, v = rec[:, 0], rec[:, 1]
    amp = np.hypot(x, v / params.omega0)
    if mode == 0:
        theta = rec[:, 2:]
    elif mode == 1:
        theta = np.arctan2(rec[:, 2::2], rec[:, 3::2] / omega)  # gait phase
    else:
        theta = phase  # pi per step: one lateral cycle every two steps
    return Result(
        model="millennium-bridge",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"x": x, "amplitude": amp, "r": np.abs(order_parameter(theta))},
        provenance={"integrator": "rk4 (numba), fixed step"},
    )


def bridge_estimate(params: BridgeParams, options, realization: str):
    """Memory: the recorded states (records x (2N + 2)), the gait phases and the walkers'
    phases derived from them, with the observables' complex copies (about 8 arrays of
    records x N). Steps: time steps x walkers."""
    n = params.n_pedestrians
    n_steps = params.duration_s / params.dt_s
    every = max(1, round(params.record_dt_s / params.dt_s))
    n_rec = n_steps / every + 1
    return cost(
        Terms(
            (driver(params, ("duration_s",), ("record_dt_s",)), 8 * F8 * n_rec * (n + 1)),
            ("n_pedestrians", 20 * F8 * n),
        ),
        Terms((driver(params, ("duration_s", "n_pedestrians"), ("dt_s",)), n_steps * (n + 1))),
    )


BRIDGE = register_model(
    ModelSpec(
        name="millennium-bridge",
        params=BridgeParams,
        weights=bridge_weights,
        make_inputs=bridge_inputs,
        validate=bridge_validate,
        observe=bridge_observe,
        key_observable="wobble_amplitude",
        estimate=bridge_estimate,
        compare_runs=[
            ("phase walkers", "reference", {"crowd_model": "phase"}),
            (
                "foot force (0.9 Hz gait)",
                "reference",
                {
                    "crowd_model": "foot_force",
                    "freq_offset_rad_s": 5.655 - math.sqrt(4.73e6 / 1.13e5),
                    "freq_sd_rad_s": 0.3,
                },
            ),
        ],
        quick_params={"n_pedestrians": 20, "duration_s": 20.0, "transient_s": 10.0},
        doc="Strogatz et al. (2005) Millennium Bridge: lateral mode + phase walkers "
        "(or foot-force walkers, Belykh et al. 2021); wobble onset at a critical crowd size.",
    )
)
