r"""Synchronization: phase oscillators, the Millennium Bridge and pulse-coupled oscillators.

Four models are registered here, each with its reference realization:

``kuramoto``
    :math:`N` phase oscillators (Kuramoto 1975, 1984; review: Strogatz 2000),

    .. math:: \dot\theta_i = \omega_i + \frac{K}{\bar k} \sum_j A_{ij}
              \sin(\theta_j - \theta_i - \alpha) + \sqrt{2D}\,\xi_i(t),

    with all-to-all coupling :math:`A_{ij} = 1` (:math:`\bar k = N`, the classic
    :math:`K/N`) or a network :math:`A` (``weights["adjacency"]``, normalised by its
    mean degree :math:`\bar k = \sum_{ij} A_{ij} / N`); :math:`\alpha` is the
    Sakaguchi phase lag (0 by default), :math:`D` the phase diffusion (``noise``).
    Order parameter :math:`r e^{i\psi} = \frac1N \sum_j e^{i\theta_j}`. For a
    Lorentzian of half-width :math:`\gamma`, :math:`K_c = 2\gamma` and, exactly for
    :math:`N \to \infty` (Ott & Antonsen 2008), :math:`r = \sqrt{1 - K_c/K}` above
    :math:`K_c`; with a lag, :math:`r = \sqrt{1 - 2\gamma / (K\cos\alpha)}`. For a
    density :math:`g` in general :math:`K_c = 2 / (\pi g(0))` and :math:`r` solves
    Kuramoto's self-consistency :math:`1 = K \int_{-\pi/2}^{\pi/2} \cos^2\!\phi\,
    g(K r \sin\phi)\, d\phi`; with noise (Strogatz & Mirollo 1991)
    :math:`K_c = 2 / \int g(\omega) D / (D^2 + \omega^2) d\omega`
    (:math:`2(\gamma + D)` for the Lorentzian).

    Integration: classic fixed-step RK4 without noise, the stochastic Heun scheme
    (predictor-corrector, strong order 1 for additive noise) with noise; both
    vectorised over oscillators, the all-to-all coupling through the mean field
    (:math:`O(N)` per step), a network through one matrix-vector product.

``millennium-bridge``
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

``pulse-coupled``
    Mirollo & Strogatz (1990): identical oscillators with state :math:`x = f(\phi)`,
    :math:`f` concave; when one fires, every other :math:`x_j` jumps by
    :math:`\varepsilon / N` (firing too, and being absorbed, if it reaches 1).
    Here :math:`f` is the leaky integrate-and-fire charging curve
    :math:`f(\phi) = I (1 - (1 - 1/I)^\phi)` (MS 1990, their example of a concave
    :math:`f`), so the Brian2 LIF realization is the same system. The reference is
    exact and event-driven: between firings every phase advances at the same rate.

``lif-sync``
    The reference for the LIF network of ``spiking/synchronization.py``: the
    Kuramoto-Sakaguchi model on the LIF neurons' own natural frequencies, with the
    effective coupling and lag from phase reduction (see :func:`lif_phase_coupling`).

References
----------
Kuramoto, Y. (1975). Lecture Notes in Physics 39, 420. Kuramoto, Y. (1984).
Chemical Oscillations, Waves, and Turbulence. Springer.
Strogatz, S. H. (2000). From Kuramoto to Crawford. Physica D 143, 1-20.
Strogatz, S. H. & Mirollo, R. E. (1991). J. Stat. Phys. 63, 613-635.
Ott, E. & Antonsen, T. M. (2008). Chaos 18, 037113.
Sakaguchi, H. & Kuramoto, Y. (1986). Prog. Theor. Phys. 76, 576.
Mirollo, R. E. & Strogatz, S. H. (1990). SIAM J. Appl. Math. 50, 1645-1662.
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
from scipy import integrate, optimize, stats

from neurotwin.errors import InputError
from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

TWO_PI = 2.0 * np.pi
#: gravitational acceleration (m/s^2), for the inverted-pendulum walkers
GRAVITY = 9.81


# =====================================================================================
# shared helpers
# =====================================================================================


def order_parameter(theta: np.ndarray) -> np.ndarray:
    """Complex Kuramoto order parameter ``mean_j exp(i theta_j)`` along the last axis."""
    return np.exp(1j * np.asarray(theta, dtype=float)).mean(axis=-1)


def time_average(t: np.ndarray, x: np.ndarray, transient_s: float) -> float:
    """Mean of ``x`` over the samples with ``t >= transient_s`` (all samples if none)."""
    keep = np.asarray(t) >= transient_s
    x = np.asarray(x, dtype=float)
    return float(x[keep].mean()) if keep.any() else float(x.mean())


def frequencies(
    dist: str, n: int, width: float, mean: float, sampling: str, rng: np.random.Generator
) -> np.ndarray:
    """Natural frequencies: ``n`` draws (``sampling="random"``, from ``rng``) or the
    ``n`` midpoint quantiles ``F^{-1}((k + 1/2)/n)`` (``"quantile"``, deterministic,
    returned in a random order), of a Lorentzian (half-width ``width``) or a Gaussian
    (standard deviation ``width``) centred on ``mean``.

    Quantiles remove the sample-to-sample scatter of the finite-N frequency density
    (Pazó 2005), which otherwise shifts the finite-N transition by O(1/sqrt(N)).
    """
    law = stats.cauchy if dist == "lorentzian" else stats.norm
    if sampling == "quantile":
        q = (np.arange(n) + 0.5) / n
        return mean + width * law.ppf(q)[rng.permutation(n)]
    if dist == "lorentzian":
        return mean + width * rng.standard_cauchy(n)
    return mean + width * rng.standard_normal(n)


def density_at_center(dist: str, width: float) -> float:
    """g(mean): the frequency density at its centre."""
    return 1.0 / (np.pi * width) if dist == "lorentzian" else 1.0 / (width * math.sqrt(TWO_PI))


def kuramoto_kc(dist: str, width: float, noise: float = 0.0, phase_lag: float = 0.0) -> float:
    """Critical coupling of the infinite all-to-all Kuramoto(-Sakaguchi) model.

    ``2 / (pi g(0))`` without noise (Kuramoto 1975), ``2 / int g(w) D/(D^2+w^2) dw``
    with phase diffusion D (Strogatz & Mirollo 1991), divided by ``cos(alpha)``
    with a phase lag (Sakaguchi & Kuramoto 1986; exact for the Lorentzian).
    """
    if noise == 0:
        kc = 2.0 / (np.pi * density_at_center(dist, width))
    elif dist == "lorentzian":
        kc = 2.0 * (width + noise)
    else:
        dens = stats.norm(scale=width).pdf
        val, _ = integrate.quad(lambda w: dens(w) * noise / (noise**2 + w**2), -np.inf, np.inf)
        kc = 2.0 / val
    return kc / math.cos(phase_lag)


def kuramoto_r_theory(dist: str, width: float, coupling: float, phase_lag: float = 0.0) -> float:
    """Stationary r of the infinite all-to-all model without noise (NaN where not known).

    Lorentzian: ``sqrt(1 - 2 gamma / (K cos alpha))`` (exact, Ott & Antonsen 2008).
    Gaussian (no lag): the root of Kuramoto's self-consistency equation.
    """
    kc = kuramoto_kc(dist, width, 0.0, phase_lag)
    if coupling <= kc:
        return 0.0
    if dist == "lorentzian":
        return math.sqrt(1.0 - kc / coupling)
    if phase_lag != 0:
        return float("nan")
    dens = stats.norm(scale=width).pdf

    def excess(r):
        val, _ = integrate.quad(
            lambda p: np.cos(p) ** 2 * dens(coupling * r * np.sin(p)), -np.pi / 2, np.pi / 2
        )
        return coupling * val - 1.0

    return float(optimize.brentq(excess, 1e-9, 1.0))


def _after(field: str, bound_name: str, bound, value) -> ValueError:
    return ValueError(f"{field}: must be < {bound_name} = {bound!r} (got {value!r})")


def _check_record_times(p) -> None:
    """Shared by the bridge and LIF-sync params: a transient shorter than the run, and a
    record interval no finer than the integration step."""
    if p.transient_s >= p.duration_s:
        raise _after("transient_s", "duration_s", p.duration_s, p.transient_s)
    if p.record_dt_s < p.dt_s:
        raise ValueError(f"record_dt_s: must be >= dt_s = {p.dt_s!r} (got {p.record_dt_s!r})")


# =====================================================================================
# Kuramoto
# =====================================================================================


class KuramotoParams(Params):
    """Kuramoto model and run parameters (times in s, frequencies in rad/s)."""

    n_oscillators: int = Field(1000, ge=2, description="number of oscillators N")
    coupling: float = Field(2.0, ge=0, description="coupling strength K (rad/s)")
    freq_dist: Literal["lorentzian", "gaussian"] = Field(
        "lorentzian", description="natural-frequency distribution g"
    )
    freq_width: float = Field(
        0.5, gt=0, description="Lorentzian half-width gamma or Gaussian s.d. sigma (rad/s)"
    )
    mean_freq_rad_s: float = Field(0.0, description="centre of g (rad/s)")
    freq_sampling: Literal["quantile", "random"] = Field(
        "quantile", description="frequencies: deterministic quantiles or random draws"
    )
    phase_lag_rad: float = Field(
        0.0, gt=-np.pi / 2, lt=np.pi / 2, description="Sakaguchi phase lag alpha (rad)"
    )
    noise: float = Field(0.0, ge=0, description="phase diffusion D (rad^2/s)")
    topology: Literal["all-to-all", "erdos-renyi"] = Field(
        "all-to-all", description="coupling graph drawn by weights(): complete or G(N, p)"
    )
    edge_prob: float = Field(0.1, gt=0, le=1, description="edge probability p of erdos-renyi")
    duration_s: float = Field(100.0, gt=0, description="simulated time")
    transient_s: float = Field(50.0, ge=0, description="time left out of time averages")
    dt_s: float = Field(0.05, gt=0, le=1, description="integration step")
    record_every: int = Field(1, ge=1, description="record r, psi every this many steps")

    @pydantic.model_validator(mode="after")
    def _times(self):
        if self.transient_s >= self.duration_s:
            raise _after("transient_s", "duration_s", self.duration_s, self.transient_s)
        if self.dt_s > self.duration_s:
            raise ValueError(
                f"dt_s: must be <= duration_s = {self.duration_s!r} (got {self.dt_s!r})"
            )
        return self


def kuramoto_weights(params: KuramotoParams, rng: np.random.Generator) -> dict:
    """``{"omega": (N,)}`` and, for ``topology="erdos-renyi"``, ``"adjacency": (N, N)``
    (symmetric 0/1, no self-loops)."""
    n = params.n_oscillators
    omega = frequencies(
        params.freq_dist, n, params.freq_width, params.mean_freq_rad_s, params.freq_sampling, rng
    )
    out = {"omega": omega}
    if params.topology == "erdos-renyi":
        upper = np.triu(rng.random((n, n)) < params.edge_prob, k=1)
        out["adjacency"] = (upper | upper.T).astype(np.float64)
    return out


def kuramoto_inputs(params: KuramotoParams, weights: dict, rng: np.random.Generator) -> dict:
    """Initial phases uniform on [0, 2 pi): ``{"theta0": (N,)}``."""
    return {"theta0": rng.uniform(0.0, TWO_PI, params.n_oscillators)}


def kuramoto_validate(params: KuramotoParams, weights: dict, inputs: dict) -> None:
    n = params.n_oscillators
    check_array("kuramoto", "weights", weights, "omega", (n,), "(n_oscillators,)")
    if isinstance(weights, dict) and "adjacency" in weights:
        check_array(
            "kuramoto", "weights", weights, "adjacency", (n, n), "(n_oscillators, n_oscillators)"
        )
    check_array("kuramoto", "inputs", inputs, "theta0", (n,), "(n_oscillators,)")


def _phase_drift(omega, coupling, phase_lag, adjacency):
    """The deterministic right-hand side f(theta) of the Kuramoto(-Sakaguchi) model."""
    lag = np.exp(-1j * phase_lag)
    if adjacency is None:

        def f(theta):
            z = np.exp(1j * theta)
            return omega + coupling * np.imag(z.mean() * lag * np.conj(z))

        return f
    kbar = adjacency.sum() / len(omega)
    scale = coupling / kbar if kbar > 0 else 0.0

    def f(theta):
        z = np.exp(1j * theta)
        return omega + scale * np.imag((adjacency @ z) * lag * np.conj(z))

    return f


def integrate_phases(
    f,
    theta0: np.ndarray,
    dt: float,
    n_steps: int,
    record_every: int = 1,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
    record=order_parameter,
) -> np.ndarray:
    """Fixed-step integration of ``dtheta = f(theta) dt + sqrt(2 D) dW``.

    RK4 when ``noise == 0``, stochastic Heun otherwise. Returns ``record(theta)`` at
    step 0 and every ``record_every`` steps after, stacked on a new first axis.
    """
    theta = np.array(theta0, dtype=np.float64)
    out = [record(theta)]
    sd = math.sqrt(2.0 * noise * dt)
    for step in range(1, n_steps + 1):
        if noise == 0:
            k1 = f(theta)
            k2 = f(theta + 0.5 * dt * k1)
            k3 = f(theta + 0.5 * dt * k2)
            k4 = f(theta + dt * k3)
            theta = theta + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        else:
            dw = sd * rng.standard_normal(theta.shape)
            k1 = f(theta)
            pred = theta + dt * k1 + dw
            theta = theta + 0.5 * dt * (k1 + f(pred)) + dw
        if step % record_every == 0:
            theta = np.mod(theta, TWO_PI)
            out.append(record(theta))
    return np.stack(out)


def kuramoto_observe(result: Result, params: KuramotoParams, weights: dict, inputs: dict) -> dict:
    """``order_parameter``: time-averaged r for t >= transient_s; ``r``: the trace."""
    r = np.asarray(result.traces["r"], dtype=float)
    keep = result.t >= params.transient_s
    return {
        "order_parameter": time_average(result.t, r, params.transient_s),
        "order_parameter_sd": float(r[keep].std()) if keep.any() else float(r.std()),
        "r": r,
    }


def kuramoto_theory(params: KuramotoParams, networked: bool) -> dict:
    """Infinite-N, all-to-all predictions (NaN for a network or where unknown)."""
    if networked:
        return {"kc_theory": float("nan"), "r_theory": float("nan")}
    kc = kuramoto_kc(params.freq_dist, params.freq_width, params.noise, params.phase_lag_rad)
    r_th = (
        kuramoto_r_theory(
            params.freq_dist, params.freq_width, params.coupling, params.phase_lag_rad
        )
        if params.noise == 0
        else float("nan")
    )
    return {"kc_theory": kc, "r_theory": r_th}


@realization("kuramoto", "reference")
def run_kuramoto(params: KuramotoParams, weights: dict, inputs: dict, seed: int, options=None):
    """RK4 (no noise) or stochastic Heun (noise), vectorised; mean-field or network coupling."""
    adjacency = weights.get("adjacency")
    adjacency = None if adjacency is None else np.asarray(adjacency, dtype=np.float64)
    f = _phase_drift(
        np.asarray(weights["omega"], dtype=np.float64),
        params.coupling,
        params.phase_lag_rad,
        adjacency,
    )
    n_steps = int(round(params.duration_s / params.dt_s))
    z = integrate_phases(
        f,
        inputs["theta0"],
        params.dt_s,
        n_steps,
        params.record_every,
        params.noise,
        np.random.default_rng(seed),
    )
    t = np.arange(len(z)) * params.dt_s * params.record_every
    check_finite("theta", z.real, t, "s")
    return Result(
        model="kuramoto",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"r": np.abs(z), "psi": np.angle(z)},
        observables=kuramoto_theory(params, adjacency is not None),
        provenance={
            "integrator": "rk4" if params.noise == 0 else "stochastic-heun",
            "coupling_graph": "mean-field" if adjacency is None else "adjacency",
        },
    )


KURAMOTO = register_model(
    ModelSpec(
        name="kuramoto",
        params=KuramotoParams,
        weights=kuramoto_weights,
        make_inputs=kuramoto_inputs,
        validate=kuramoto_validate,
        observe=kuramoto_observe,
        key_observable="order_parameter",
        compare_runs=[("reference", "reference", {})],
        quick_params={"n_oscillators": 50, "duration_s": 10.0, "transient_s": 5.0},
        doc="Kuramoto (1975) phase oscillators: r vs K, Lorentzian/Gaussian frequencies, "
        "all-to-all or networked coupling, optional noise and phase lag.",
    )
)


# =====================================================================================
# Millennium Bridge
# =====================================================================================


class BridgeParams(Params):
    """Bridge lateral mode and crowd (SI units: kg, s, m, N, rad/s).

    Defaults: the Millennium Bridge values quoted for the model of Strogatz et al.
    (2005) (from memory of the paper's figure; not re-checked against it here):
    M = 1.13e5 kg, B = 1.10e4 kg/s, K = 4.73e6 kg/s^2 (Omega_0 = 6.47 rad/s,
    1.03 Hz), G = 30 N, C = 16 /(m s), alpha = pi/2, walker frequencies Gaussian
    with s.d. 0.63 rad/s centred on Omega_0. The tests compare the simulation with
    the closed form for whatever values are set, so they do not depend on these.

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
        _check_record_times(self)
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
    check_finite("state", rec, t, "s")
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


BRIDGE = register_model(
    ModelSpec(
        name="millennium-bridge",
        params=BridgeParams,
        weights=bridge_weights,
        make_inputs=bridge_inputs,
        validate=bridge_validate,
        observe=bridge_observe,
        key_observable="wobble_amplitude",
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


# =====================================================================================
# pulse-coupled oscillators (Mirollo & Strogatz 1990)
# =====================================================================================


class PulseCoupledParams(Params):
    """Identical pulse-coupled LIF oscillators (times in s; state in threshold units)."""

    n_oscillators: int = Field(20, ge=2, description="number of oscillators N")
    coupling: float = Field(0.2, ge=0, description="epsilon: a spike raises others by eps/N")
    drive: float = Field(
        2.0, gt=1, description="I: constant drive (threshold 1); sets the concavity of f"
    )
    tau_s: float = Field(0.01, gt=0, description="membrane time constant tau")
    duration_s: float = Field(0.5, gt=0, description="simulated time")
    dt_s: float = Field(
        1e-4, gt=0, le=1e-3, description="Brian2 step; 'one time step' of the sync criterion"
    )
    record_dt_s: float = Field(1e-3, gt=0, description="sampling interval of the phase trace")

    @pydantic.model_validator(mode="after")
    def _times(self):
        if self.record_dt_s >= self.duration_s:
            raise _after("record_dt_s", "duration_s", self.duration_s, self.record_dt_s)
        return self

    @property
    def period_s(self) -> float:
        """T = tau ln(I / (I - 1)): the uncoupled period."""
        return self.tau_s * math.log(self.drive / (self.drive - 1.0))


def lif_charge(phi: np.ndarray, drive: float) -> np.ndarray:
    """f(phi) = I (1 - (1 - 1/I)^phi): the LIF state at phase phi (f(0) = 0, f(1) = 1)."""
    return drive * (1.0 - (1.0 - 1.0 / drive) ** np.asarray(phi, dtype=float))


def lif_phase(x: np.ndarray, drive: float) -> np.ndarray:
    """The inverse of :func:`lif_charge`."""
    return np.log1p(-np.asarray(x, dtype=float) / drive) / math.log1p(-1.0 / drive)


def pulse_inputs(params: PulseCoupledParams, weights: dict, rng: np.random.Generator) -> dict:
    """Random initial phases in [0, 1): ``{"phase0": (N,)}``."""
    return {"phase0": rng.random(params.n_oscillators)}


def pulse_weights(params: PulseCoupledParams, rng: np.random.Generator) -> dict:
    """All-to-all coupling, the same for every pair: nothing to draw."""
    return {}


def pulse_validate(params: PulseCoupledParams, weights: dict, inputs: dict) -> None:
    n = params.n_oscillators
    p = check_array("pulse-coupled", "inputs", inputs, "phase0", (n,), "(n_oscillators,)")
    if (p < 0).any() or (p >= 1).any():
        idx = int(np.argwhere((p < 0) | (p >= 1))[0, 0])
        raise InputError(
            f"pulse-coupled inputs['phase0']: must be in [0, 1) (got {p[idx]} at index ({idx},))"
        )


def mirollo_strogatz(
    phase0: np.ndarray,
    coupling: float,
    drive: float,
    period: float,
    duration: float,
    sample_times: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact event-driven simulation; returns spike times, spike indices, sampled phases.

    Between firings all phases grow at 1/T. When the most advanced reaches 1 it fires;
    every other state x = f(phi) jumps by eps/N per firing oscillator; those reaching 1
    fire in the same event (absorption, MS 1990) and do not receive the event's pulses.
    All firers restart at phase 0.
    """
    phi = np.array(phase0, dtype=np.float64)
    n = len(phi)
    jump = coupling / n
    t = 0.0
    times, idx = [], []
    samples = np.empty((len(sample_times), n))
    k = 0
    while True:
        dt_next = (1.0 - phi.max()) * period
        t_next = t + dt_next
        while k < len(sample_times) and sample_times[k] < min(t_next, duration + 1e-15):
            samples[k] = phi + (sample_times[k] - t) / period
            k += 1
        if t_next > duration:
            break
        phi = phi + dt_next / period
        t = t_next
        fired = phi >= 1.0 - 1e-12
        x = lif_charge(np.minimum(phi, 1.0), drive)
        n_fired = int(fired.sum())
        while True:
            new = ~fired & (x + jump * n_fired >= 1.0)
            if not new.any():
                break
            fired |= new
            n_fired = int(fired.sum())
        rest = ~fired
        phi[rest] = lif_phase(x[rest] + jump * n_fired, drive)
        phi[fired] = 0.0
        f_idx = np.flatnonzero(fired)
        times.append(np.full(len(f_idx), t))
        idx.append(f_idx)
    while k < len(sample_times):
        samples[k] = phi + (sample_times[k] - t) / period
        k += 1

    def cat(a, dt):
        return np.concatenate(a).astype(dt) if a else np.zeros(0, dt)

    return cat(times, np.float64), cat(idx, np.int64), samples


def volleys(times: np.ndarray, idx: np.ndarray, tol: float) -> list[tuple[float, np.ndarray]]:
    """Group spikes into volleys: a volley starts at a spike and takes every spike up to
    ``tol`` after that first spike. Returns (start time, indices) per volley."""
    order = np.argsort(times, kind="stable")
    times, idx = np.asarray(times)[order], np.asarray(idx)[order]
    out = []
    i = 0
    while i < len(times):
        j = int(np.searchsorted(times, times[i] + tol, side="right"))
        out.append((float(times[i]), idx[i:j]))
        i = j
    return out


#: the run counts as synchronized when at least this many final volleys are full
SYNC_VOLLEYS = 3


def pulse_observe(result: Result, params: PulseCoupledParams, weights: dict, inputs: dict) -> dict:
    """Synchrony from the spikes, the same for both realizations.

    A volley is *full* when all N oscillators fire within one time step ``dt_s`` of
    its first spike. ``synchronized``: the last ``SYNC_VOLLEYS`` volleys (and all
    after the first full one from which on every volley is full) are full;
    ``time_to_sync_s``: the start of that first volley (NaN if not synchronized);
    ``final_cluster_fraction``: the largest volley of the last period, / N.
    """
    times, idx = result.spikes["oscillators"]
    n = params.n_oscillators
    vs = volleys(times, idx, params.dt_s * (1 + 1e-6))
    full = np.array([len(np.unique(v)) == n and len(v) == n for _, v in vs], dtype=bool)
    synced = len(full) >= SYNC_VOLLEYS and bool(full[-SYNC_VOLLEYS:].all())
    t_sync = float("nan")
    if synced:
        not_full = np.flatnonzero(~full)
        first = int(not_full[-1]) + 1 if not_full.size else 0
        t_sync = vs[first][0]
    t_end = float(np.max(times)) if len(times) else 0.0
    last = [len(np.unique(v)) for t0, v in vs if t0 > t_end - params.period_s * 1.01]
    return {
        "synchronized": synced,
        "time_to_sync_s": t_sync,
        "time_to_sync_periods": t_sync / params.period_s,
        "final_cluster_fraction": float(max(last) / n) if last else 0.0,
        "n_spikes": int(len(times)),
        "period_s": params.period_s,
    }


@realization("pulse-coupled", "reference")
def run_pulse(params: PulseCoupledParams, weights: dict, inputs: dict, seed: int, options=None):
    """Exact event-driven Mirollo-Strogatz map (no time step; spike times exact)."""
    sample_t = np.arange(int(round(params.duration_s / params.record_dt_s))) * params.record_dt_s
    times, idx, phases = mirollo_strogatz(
        inputs["phase0"],
        params.coupling,
        params.drive,
        params.period_s,
        params.duration_s,
        sample_t,
    )
    return Result(
        model="pulse-coupled",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=sample_t,
        t_unit="s",
        traces={"phase": phases},
        spikes={"oscillators": (times, idx)},
        provenance={"integrator": "exact event-driven map"},
    )


PULSE = register_model(
    ModelSpec(
        name="pulse-coupled",
        params=PulseCoupledParams,
        weights=pulse_weights,
        make_inputs=pulse_inputs,
        validate=pulse_validate,
        observe=pulse_observe,
        key_observable="final_cluster_fraction",
        compare_runs=[("reference", "reference", {}), ("brian2", "brian2", {})],
        quick_params={"n_oscillators": 8, "duration_s": 0.1},
        doc="Mirollo & Strogatz (1990) pulse-coupled oscillators (LIF charging curve): "
        "excitatory pulses synchronize identical oscillators.",
    )
)


# =====================================================================================
# LIF network <-> Kuramoto: the reference of the spiking synchronization transition
# =====================================================================================


class LifSyncParams(Params):
    """LIF neurons with heterogeneous constant drives and excitatory synaptic coupling.

    Times in s, rates in Hz, currents and potentials in threshold units (reset 0,
    threshold 1). The drives are set so the uncoupled neurons fire at rates drawn
    from ``freq_dist`` (centre ``mean_rate_hz``, width ``rate_width_hz``), clipped to
    [0.5, 1.5] x ``mean_rate_hz``.
    """

    n_neurons: int = Field(100, ge=2, description="number of neurons N")
    coupling: float = Field(
        0.2, ge=0, description="K: charge one full volley of N spikes delivers (threshold units)"
    )
    freq_dist: Literal["lorentzian", "gaussian"] = Field("lorentzian")
    mean_rate_hz: float = Field(25.0, gt=0, description="centre of the natural rates")
    rate_width_hz: float = Field(
        1.0, gt=0, description="half-width (lorentzian) or s.d. (gaussian) of natural rates"
    )
    freq_sampling: Literal["quantile", "random"] = Field("quantile")
    tau_m_s: float = Field(0.02, gt=0, description="membrane time constant")
    tau_syn_s: float = Field(0.002, gt=0, description="synaptic current time constant")
    delay_s: float = Field(0.0005, ge=0, description="synaptic delay")
    duration_s: float = Field(3.0, gt=0, description="simulated time")
    transient_s: float = Field(1.5, ge=0, description="left out of time averages")
    dt_s: float = Field(1e-4, gt=0, le=1e-3, description="Brian2 integration step")
    record_dt_s: float = Field(1e-3, gt=0, description="sampling interval of the phase trace")

    @pydantic.model_validator(mode="after")
    def _times(self):
        _check_record_times(self)
        return self


def lif_drive(rate_hz: np.ndarray, tau_m_s: float) -> np.ndarray:
    """Constant drive I that makes a LIF (reset 0, threshold 1) fire at ``rate_hz``:
    ``T = tau ln(I / (I - 1))``, i.e. ``I = 1 / (1 - exp(-T / tau))``."""
    return 1.0 / (1.0 - np.exp(-1.0 / (np.asarray(rate_hz, dtype=float) * tau_m_s)))


def lif_phase_coupling(
    rate_hz: float, tau_m_s: float, tau_syn_s: float, delay_s: float, n_grid: int = 4096
) -> dict:
    r"""Phase reduction of the LIF network: the coupling function and its first harmonic.

    For weak coupling each neuron is a phase oscillator (Kuramoto 1984; Ermentrout &
    Kopell 1991), :math:`\dot\theta_i = \omega_i + \frac1N\sum_j K H(\theta_j - \theta_i)`,
    with :math:`H(\phi) = \frac1T \int_0^T Z(t) P_\phi(t) dt`: :math:`Z` the LIF's
    phase response (:math:`Z(t) = \frac{\omega\tau_m}{I} e^{t/\tau_m}`, rad per unit
    of charge) and :math:`P_\phi` the synaptic input (unit charge per spike,
    exponential with ``tau_syn_s`` after ``delay_s``) of a neuron firing
    :math:`\phi` ahead. Its first harmonic
    :math:`a_1 \sin\phi + b_1 \cos\phi = \kappa \sin(\phi - \alpha)` gives the
    Kuramoto-Sakaguchi model with :math:`K_{\mathrm{eff}} = \kappa K` and
    lag :math:`\alpha`. Computed at the mean rate.

    Returns ``{"kappa": rad/s per unit K, "alpha": rad, "h0": rad/s per unit K,
    "phi": grid, "H": H on the grid}``.
    """
    period = 1.0 / rate_hz
    omega = TWO_PI / period
    drive = float(lif_drive(rate_hz, tau_m_s))
    t = np.arange(n_grid) * period / n_grid
    z = omega * tau_m_s / drive * np.exp(t / tau_m_s)
    phi = np.arange(n_grid) * TWO_PI / n_grid
    h = np.empty(n_grid)
    decay = 1.0 - math.exp(-period / tau_syn_s)
    for k, ph in enumerate(phi):
        t_fire = ((TWO_PI - ph) / omega) % period
        u = (t - t_fire - delay_s) % period  # time since the (periodic) arrival
        p = np.exp(-u / tau_syn_s) / (tau_syn_s * decay)
        h[k] = np.mean(z * p)
    a1 = 2.0 * np.mean(h * np.sin(phi))
    b1 = 2.0 * np.mean(h * np.cos(phi))
    return {
        "kappa": float(math.hypot(a1, b1)),
        "alpha": float(math.atan2(-b1, a1)),
        "h0": float(h.mean()),
        "phi": phi,
        "H": h,
    }


def lif_sync_weights(params: LifSyncParams, rng: np.random.Generator) -> dict:
    """Natural rates (Hz, clipped to [0.5, 1.5] x mean) and the drives that produce them:
    ``{"rate_hz": (N,), "drive": (N,)}``."""
    rates = frequencies(
        params.freq_dist,
        params.n_neurons,
        params.rate_width_hz,
        params.mean_rate_hz,
        params.freq_sampling,
        rng,
    )
    rates = np.clip(rates, 0.5 * params.mean_rate_hz, 1.5 * params.mean_rate_hz)
    return {"rate_hz": rates, "drive": lif_drive(rates, params.tau_m_s)}


def lif_sync_inputs(params: LifSyncParams, weights: dict, rng: np.random.Generator) -> dict:
    """Initial phases uniform on [0, 2 pi): ``{"theta0": (N,)}`` (the LIF starts at the
    potential its phase implies)."""
    return {"theta0": rng.uniform(0.0, TWO_PI, params.n_neurons)}


def lif_sync_validate(params: LifSyncParams, weights: dict, inputs: dict) -> None:
    n = params.n_neurons
    rate = check_array("lif-sync", "weights", weights, "rate_hz", (n,), "(n_neurons,)")
    drive = check_array("lif-sync", "weights", weights, "drive", (n,), "(n_neurons,)")
    if (rate <= 0).any():
        idx = int(np.argwhere(rate <= 0)[0, 0])
        raise InputError(
            f"lif-sync weights['rate_hz']: must be > 0 (got {rate[idx]} at index ({idx},))"
        )
    if (drive <= 1).any():
        idx = int(np.argwhere(drive <= 1)[0, 0])
        raise InputError(
            f"lif-sync weights['drive']: must be > 1, the threshold (got {drive[idx]} "
            f"at index ({idx},))"
        )
    check_array("lif-sync", "inputs", inputs, "theta0", (n,), "(n_neurons,)")


def chi_synchrony(signals: np.ndarray) -> float:
    r"""Golomb's synchrony measure :math:`\chi` of signals (T, N) (Golomb & Rinzel 1993;
    Golomb 2007, Scholarpedia 2, 1347): :math:`\chi^2 = \mathrm{Var}_t(\bar V) /
    \frac1N\sum_i \mathrm{Var}_t(V_i)`; 1 for identical signals, ~1/sqrt(N) for
    independent ones."""
    s = np.asarray(signals, dtype=float)
    den = s.var(axis=0).mean()
    return float(math.sqrt(s.mean(axis=1).var() / den)) if den > 0 else float("nan")


def lif_sync_observe(result: Result, params: LifSyncParams, weights: dict, inputs: dict) -> dict:
    """From the phase trace ``theta`` (T, N), the same for both realizations:
    ``r`` (trace), ``order_parameter`` (mean r after the transient) and ``chi``
    (Golomb's measure on cos(theta), after the transient)."""
    theta = np.asarray(result.traces["theta"], dtype=float)
    r = np.abs(order_parameter(theta))
    keep = result.t >= params.transient_s
    return {
        "r": r,
        "order_parameter": time_average(result.t, r, params.transient_s),
        "chi": chi_synchrony(np.cos(theta[keep] if keep.any() else theta)),
    }


def lif_sync_theory(params: LifSyncParams) -> dict:
    """The phase-reduced coupling and the Kuramoto predictions, in units of the LIF's K."""
    pc = lif_phase_coupling(params.mean_rate_hz, params.tau_m_s, params.tau_syn_s, params.delay_s)
    width = TWO_PI * params.rate_width_hz
    kc = kuramoto_kc(params.freq_dist, width) / (pc["kappa"] * math.cos(pc["alpha"]))
    r_th = (
        kuramoto_r_theory(params.freq_dist, width, params.coupling * pc["kappa"], pc["alpha"])
        if abs(pc["alpha"]) < np.pi / 2
        else float("nan")
    )
    return {
        "kappa_rad_s": pc["kappa"],
        "phase_lag_rad": pc["alpha"],
        "effective_coupling_rad_s": params.coupling * pc["kappa"],
        "kc_theory": kc,
        "r_theory": r_th,
    }


@realization("lif-sync", "reference")
def run_lif_sync(params: LifSyncParams, weights: dict, inputs: dict, seed: int, options=None):
    """Kuramoto-Sakaguchi on the neurons' natural frequencies (RK4, mean field), with
    K_eff = kappa K and lag alpha from :func:`lif_phase_coupling`."""
    theory = lif_sync_theory(params)
    omega = TWO_PI * np.asarray(weights["rate_hz"], dtype=np.float64)
    f = _phase_drift(omega, theory["effective_coupling_rad_s"], theory["phase_lag_rad"], None)
    n_steps = int(round(params.duration_s / params.record_dt_s))
    theta = integrate_phases(
        f, inputs["theta0"], params.record_dt_s, n_steps, record=lambda th: np.mod(th, TWO_PI)
    )
    t = np.arange(len(theta)) * params.record_dt_s
    check_finite("theta", theta, t, "s")
    return Result(
        model="lif-sync",
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"theta": theta},
        observables=theory,
        provenance={"integrator": "rk4, step record_dt_s", "mapping": "phase reduction"},
    )


LIF_SYNC = register_model(
    ModelSpec(
        name="lif-sync",
        params=LifSyncParams,
        weights=lif_sync_weights,
        make_inputs=lif_sync_inputs,
        validate=lif_sync_validate,
        observe=lif_sync_observe,
        key_observable="order_parameter",
        compare_runs=[
            ("reference", "reference", {}),
            ("brian2", "brian2", {}),
            ("nengo", "nengo", {}),
        ],
        # no delay: the loihi-emulator realization has none (tests cover the delay)
        quick_params={"n_neurons": 10, "duration_s": 0.2, "transient_s": 0.1, "delay_s": 0.0},
        doc="LIF neurons with heterogeneous drives and synaptic coupling vs the "
        "phase-reduced Kuramoto-Sakaguchi model on the same natural frequencies.",
    )
)
