r"""Shared math of the synchronization family: phases, frequencies, Kuramoto theory.

Used by every model of the family (:mod:`.kuramoto`, :mod:`.millennium_bridge`,
:mod:`.pulse_coupled`, :mod:`.lif_sync`) and by their spiking realizations:

* measures of synchrony: the Kuramoto order parameter :func:`order_parameter`
  (:math:`r e^{i\psi} = \frac1N \sum_j e^{i\theta_j}`), Golomb's :math:`\chi`
  (:func:`chi_synchrony`), time averages after a transient (:func:`time_average`);
* natural frequencies drawn or placed at quantiles (:func:`frequencies`);
* the infinite-N theory of the all-to-all Kuramoto(-Sakaguchi) model
  (:func:`kuramoto_kc`, :func:`kuramoto_r_theory`);
* the fixed-step phase integrator (:func:`phase_drift`, :func:`integrate_phases`);
* the rules on run times the models' Params share (:func:`check_record_times`).

References
----------
Kuramoto, Y. (1975). Lecture Notes in Physics 39, 420. Kuramoto, Y. (1984).
Chemical Oscillations, Waves, and Turbulence. Springer.
Strogatz, S. H. (2000). From Kuramoto to Crawford. Physica D 143, 1-20.
Strogatz, S. H. & Mirollo, R. E. (1991). J. Stat. Phys. 63, 613-635.
Ott, E. & Antonsen, T. M. (2008). Chaos 18, 037113.
Sakaguchi, H. & Kuramoto, Y. (1986). Prog. Theor. Phys. 76, 576.
Pazo, D. (2005). Phys. Rev. E 72, 046211.
Golomb, D. & Rinzel, J. (1993). Phys. Rev. E 48, 4810. Golomb, D. (2007).
Scholarpedia 2, 1347.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, optimize, sparse, stats

TWO_PI = 2.0 * np.pi


# -- measures and frequencies ------------------------------------------------------------


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
        if not val > 0:  # a density too narrow for quad to find: integrate in units of width
            val, _ = integrate.quad(
                lambda u: stats.norm.pdf(u) * noise / (noise**2 + (width * u) ** 2),
                -np.inf,
                np.inf,
            )
        kc = 2.0 / val if val > 0 else float("nan")
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


def chi_synchrony(signals: np.ndarray) -> float:
    r"""Golomb's synchrony measure :math:`\chi` of signals (T, N) (Golomb & Rinzel 1993;
    Golomb 2007, Scholarpedia 2, 1347): :math:`\chi^2 = \mathrm{Var}_t(\bar V) /
    \frac1N\sum_i \mathrm{Var}_t(V_i)`; 1 for identical signals, ~1/sqrt(N) for
    independent ones."""
    s = np.asarray(signals, dtype=float)
    den = s.var(axis=0).mean()
    return float(math.sqrt(s.mean(axis=1).var() / den)) if den > 0 else float("nan")


# -- the phase integrator ------------------------------------------------------------------


def phase_drift(omega, coupling, phase_lag, adjacency):
    r"""The deterministic right-hand side f(theta) of the Kuramoto(-Sakaguchi) model.

    ``adjacency`` None: the mean field, O(N). A network (a dense array or a
    ``scipy.sparse`` matrix; a dense one with at most :data:`SPARSE_MAX_DENSITY` of its
    entries non-zero is converted to CSR once, here, not at every call) couples through
    real arithmetic: with :math:`C = A\cos\theta`, :math:`S = A\sin\theta` (one
    product of A with the (N, 2) array of cosines and sines),
    :math:`\sum_j A_{ij}\sin(\theta_j - \theta_i - \alpha) = S_i\cos(\theta_i + \alpha)
    - C_i\sin(\theta_i + \alpha)`. A complex ``A @ exp(i theta)`` would cast the float
    A to complex at every call (3-4x slower at N = 4000, ``benchmarks/bench_peers.py``).
    """
    lag = np.exp(-1j * phase_lag)
    if adjacency is None:

        def f(theta):
            z = np.exp(1j * theta)
            return omega + coupling * np.imag(z.mean() * lag * np.conj(z))

        return f
    adjacency = coupling_matrix(adjacency)
    kbar = float(adjacency.sum()) / len(omega)
    scale = coupling / kbar if kbar > 0 else 0.0
    cos_a, sin_a = math.cos(phase_lag), math.sin(phase_lag)
    trig = np.empty((len(omega), 2))

    def f(theta):
        np.cos(theta, out=trig[:, 0])
        np.sin(theta, out=trig[:, 1])
        field = adjacency @ trig  # (A cos theta, A sin theta)
        cos_t, sin_t = trig[:, 0], trig[:, 1]
        cos_l = cos_t * cos_a - sin_t * sin_a  # cos(theta + alpha)
        sin_l = sin_t * cos_a + cos_t * sin_a  # sin(theta + alpha)
        return omega + scale * (field[:, 1] * cos_l - field[:, 0] * sin_l)

    return f


#: a dense adjacency with at most this fraction of non-zero entries is coupled through
#: CSR: at N = 4000 a CSR product with (N, 2) took 0.4x the dense one at density 0.1 and
#: about 1x at 0.3 (measured while writing this; ``benchmarks/bench_peers.py``)
SPARSE_MAX_DENSITY = 0.25


def coupling_matrix(adjacency):
    """``adjacency`` as the product will use it: a ``scipy.sparse`` matrix as CSR, a dense
    one as float64, converted to CSR when at most :data:`SPARSE_MAX_DENSITY` is non-zero.
    """
    if sparse.issparse(adjacency):
        return sparse.csr_array(adjacency, dtype=np.float64)
    adjacency = np.asarray(adjacency, dtype=np.float64)
    if np.count_nonzero(adjacency) <= SPARSE_MAX_DENSITY * adjacency.size:
        return sparse.csr_array(adjacency)
    return adjacency


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


# -- rules on run times, shared by the models' Params ---------------------------------------


def after_error(field: str, bound_name: str, bound, value) -> ValueError:
    """The error of a model validator for ``field`` not below ``bound_name``; the Params
    formatter prefixes the class name."""
    return ValueError(f"{field}: must be < {bound_name} = {bound!r} (got {value!r})")


def check_record_times(p) -> None:
    """Shared by the bridge and LIF-sync params: a transient shorter than the run, and a
    record interval no finer than the integration step."""
    if p.transient_s >= p.duration_s:
        raise after_error("transient_s", "duration_s", p.duration_s, p.transient_s)
    if p.record_dt_s < p.dt_s:
        raise ValueError(f"record_dt_s: must be >= dt_s = {p.dt_s!r} (got {p.record_dt_s!r})")
