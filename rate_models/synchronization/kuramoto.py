r"""Kuramoto phase oscillators (the ``kuramoto`` model and its reference).

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
(:math:`2(\gamma + D)` for the Lorentzian). The theory is in
:mod:`~neurotwin.rate_models.synchronization.phases`.

Integration: classic fixed-step RK4 without noise, the stochastic Heun scheme
(predictor-corrector, strong order 1 for additive noise) with noise; both
vectorised over oscillators, the all-to-all coupling through the mean field
(:math:`O(N)` per step), a network through one matrix-vector product
(:func:`~neurotwin.rate_models.synchronization.phases.integrate_phases`).

References
----------
Kuramoto, Y. (1975). Lecture Notes in Physics 39, 420. Kuramoto, Y. (1984).
Chemical Oscillations, Waves, and Turbulence. Springer.
Strogatz, S. H. (2000). From Kuramoto to Crawford. Physica D 143, 1-20.
Strogatz, S. H. & Mirollo, R. E. (1991). J. Stat. Phys. 63, 613-635.
Ott, E. & Antonsen, T. M. (2008). Chaos 18, 037113.
Sakaguchi, H. & Kuramoto, Y. (1986). Prog. Theor. Phys. 76, 576.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, Terms, cost, driver
from neurotwin.rate_models.synchronization.phases import (
    TWO_PI,
    after_error,
    frequencies,
    integrate_phases,
    kuramoto_kc,
    kuramoto_r_theory,
    phase_drift,
    time_average,
)
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array


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
            raise after_error("transient_s", "duration_s", self.duration_s, self.transient_s)
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
    f = phase_drift(
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
    check_finite("kuramoto/reference order parameter", z.real, t, "s")
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


def kuramoto_estimate(params: KuramotoParams, options, realization: str):
    """Memory: the recorded order parameter (a complex per record, held in a list of
    numpy scalars first, then r, psi and t: about 320 bytes per record, measured), the
    integrator's arrays (a dozen of N), and for ``erdos-renyi`` the adjacency (N^2
    random draws, masks and the float matrix) and the coupling's N x N temporaries.
    Steps: time steps x oscillators (x N for a network: every pair's sine)."""
    n = params.n_oscillators
    n_steps = params.duration_s / params.dt_s
    mem = Terms(
        (
            driver(params, ("duration_s",), ("dt_s", "record_every")),
            320 * (n_steps / params.record_every + 1),
        ),
        ("n_oscillators", 16 * F8 * n),
    )
    if params.topology == "erdos-renyi":
        mem.add("n_oscillators", 26 * n * n + 3 * F8 * n * n)
    pairs = n if params.topology == "erdos-renyi" else 1
    who = driver(params, ("duration_s", "n_oscillators"), ("dt_s",))
    return cost(mem, Terms((who, n_steps * n * pairs)))


KURAMOTO = register_model(
    ModelSpec(
        name="kuramoto",
        params=KuramotoParams,
        weights=kuramoto_weights,
        make_inputs=kuramoto_inputs,
        validate=kuramoto_validate,
        observe=kuramoto_observe,
        key_observable="order_parameter",
        estimate=kuramoto_estimate,
        compare_runs=[("reference", "reference", {})],
        quick_params={"n_oscillators": 50, "duration_s": 10.0, "transient_s": 5.0},
        doc="Kuramoto (1975) phase oscillators: r vs K, Lorentzian/Gaussian frequencies, "
        "all-to-all or networked coupling, optional noise and phase lag.",
    )
)
