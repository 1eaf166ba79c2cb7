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
(:math:`O(N)` per step), a network through one real product of :math:`A` (dense or
CSR) with the cosines and sines
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
from scipy import sparse

from neurotwin.errors import InputError
from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, Terms, cost, driver
from neurotwin.rate_models.synchronization.phases import (
    SPARSE_MAX_DENSITY,
    TWO_PI,
    after_error,
    coupling_matrix,
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


#: up to this N, ``erdos-renyi`` draws one uniform per matrix entry (the graph of every
#: earlier version for the same seed); above it, geometric skipping (O(edges) draws)
STREAM_DRAW_MAX_N = 16_384
#: rows of uniforms drawn at a time by the entry-per-entry draw (about 32 MB)
_DRAW_BLOCK = 1 << 22


def erdos_renyi(n: int, p: float, rng: np.random.Generator):
    """G(n, p), symmetric 0/1, no self-loops: dense float64, or CSR when
    ``p <= SPARSE_MAX_DENSITY`` (the same graph either way).

    For ``n <= STREAM_DRAW_MAX_N`` the edge {i, j}, i < j, is present iff the (i, j)
    entry of ``rng.random((n, n))`` is below p (drawn in row blocks, memory O(edges));
    above, by geometric skipping over the upper-triangle pairs (Batagelj & Brandes 2005,
    Phys. Rev. E 71, 036113), which draws only O(edges) numbers."""
    if n <= STREAM_DRAW_MAX_N:
        rows_per = max(1, _DRAW_BLOCK // n)
        ii, jj = [], []
        for r0 in range(0, n, rows_per):
            block = rng.random((min(rows_per, n - r0), n)) < p
            i, j = np.nonzero(block)
            i += r0
            keep = j > i
            ii.append(i[keep])
            jj.append(j[keep])
        i, j = np.concatenate(ii), np.concatenate(jj)
    else:
        i, j = _geometric_pairs(n, p, rng)
    upper = sparse.coo_array((np.ones(len(i)), (i, j)), shape=(n, n))
    adjacency = sparse.csr_array(upper + upper.T)
    return adjacency if p <= SPARSE_MAX_DENSITY else adjacency.toarray()


def _geometric_pairs(n: int, p: float, rng: np.random.Generator):
    """Each of the n (n - 1) / 2 pairs i < j independently with probability p: the gaps
    between chosen pairs (in the order k = j (j - 1) / 2 + i) are geometric."""
    total = n * (n - 1) // 2
    chosen, last = [], -1
    while last < total:
        gaps = rng.geometric(p, size=max(1024, int(1.05 * p * (total - last))))
        k = last + np.cumsum(gaps)
        chosen.append(k[k < total])
        last = int(k[-1])
    k = np.concatenate(chosen)
    j = ((1 + np.sqrt(1 + 8 * k.astype(np.float64))) // 2).astype(np.int64)
    j -= j * (j - 1) // 2 > k  # float rounding of the root, either way
    j += (j + 1) * j // 2 <= k
    return k - j * (j - 1) // 2, j


def kuramoto_weights(params: KuramotoParams, rng: np.random.Generator) -> dict:
    """``{"omega": (N,)}`` and, for ``topology="erdos-renyi"``, ``"adjacency": (N, N)``
    (symmetric 0/1, no self-loops; :func:`erdos_renyi`: CSR when ``edge_prob`` <=
    ``SPARSE_MAX_DENSITY``, else dense)."""
    n = params.n_oscillators
    omega = frequencies(
        params.freq_dist, n, params.freq_width, params.mean_freq_rad_s, params.freq_sampling, rng
    )
    out = {"omega": omega}
    if params.topology == "erdos-renyi":
        out["adjacency"] = erdos_renyi(n, params.edge_prob, rng)
    return out


def kuramoto_inputs(params: KuramotoParams, weights: dict, rng: np.random.Generator) -> dict:
    """Initial phases uniform on [0, 2 pi): ``{"theta0": (N,)}``."""
    return {"theta0": rng.uniform(0.0, TWO_PI, params.n_oscillators)}


def kuramoto_validate(params: KuramotoParams, weights: dict, inputs: dict) -> None:
    n = params.n_oscillators
    check_array("kuramoto", "weights", weights, "omega", (n,), "(n_oscillators,)")
    if isinstance(weights, dict) and "adjacency" in weights:
        adjacency = weights["adjacency"]
        if sparse.issparse(adjacency):  # its stored entries are checked, never densified
            if adjacency.shape != (n, n):
                raise InputError(
                    "kuramoto weights['adjacency']: must have shape (n_oscillators, "
                    f"n_oscillators) = {(n, n)} (got {adjacency.shape})"
                )
            _check_stored_entries(sparse.coo_array(adjacency))
        else:
            check_array(
                "kuramoto",
                "weights",
                weights,
                "adjacency",
                (n, n),
                "(n_oscillators, n_oscillators)",
            )
    check_array("kuramoto", "inputs", inputs, "theta0", (n,), "(n_oscillators,)")


def _check_stored_entries(adjacency: sparse.coo_array) -> None:
    """A sparse adjacency's stored entries: real and finite (the same words as
    :func:`~neurotwin.validation.check_array`, the index as (row, column))."""
    where = "kuramoto weights['adjacency']"
    data = adjacency.data
    if not np.issubdtype(data.dtype, np.number) or np.iscomplexobj(data):
        raise InputError(f"{where}: must be real numbers (got dtype {data.dtype})")
    bad = np.flatnonzero(~np.isfinite(data))
    if len(bad):
        k = bad[0]
        idx = (int(adjacency.row[k]), int(adjacency.col[k]))
        raise InputError(f"{where}: must be finite (got {data[k]} at index {idx})")


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
    adjacency = None if adjacency is None else coupling_matrix(adjacency)
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
            "adjacency_format": "none"
            if adjacency is None
            else ("csr" if sparse.issparse(adjacency) else "dense"),
        },
    )


def kuramoto_estimate(params: KuramotoParams, options, realization: str):
    """Memory: the recorded order parameter (a complex per record, held in a list of
    numpy scalars first, then r, psi and t: about 320 bytes per record, measured), the
    integrator's arrays (a dozen of N), and for ``erdos-renyi`` the graph's draw (a
    block of uniforms and its mask, :func:`erdos_renyi`), its edges (COO indices, the
    symmetric sum and the CSR: about 64 bytes per stored entry) and, above
    ``SPARSE_MAX_DENSITY``, the dense float matrix. Steps: time steps x oscillators
    (x the mean degree for a CSR network, x N for a dense one)."""
    n = params.n_oscillators
    n_steps = params.duration_s / params.dt_s
    mem = Terms(
        (
            driver(params, ("duration_s",), ("dt_s", "record_every")),
            320 * (n_steps / params.record_every + 1),
        ),
        ("n_oscillators", 16 * F8 * n),
    )
    pairs = 1.0
    if params.topology == "erdos-renyi":
        p = params.edge_prob
        dense = p > SPARSE_MAX_DENSITY
        block = max(n, _DRAW_BLOCK) if n <= STREAM_DRAW_MAX_N else 0
        who = driver(params, ("n_oscillators", "edge_prob"))
        mem.add(who, 10.0 * block + 64.0 * p * n * n + (F8 * n * n if dense else 0))
        pairs = n if dense else max(1.0, p * n)
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
