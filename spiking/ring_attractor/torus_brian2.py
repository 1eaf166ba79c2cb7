r"""Burak & Fiete's (2009) grid-cell torus as spiking neurons in Brian2
(``torus-attractor``/``brian2``).

The reference (``rate_models/ring_attractor/torus_attractor.py``) integrates the rate
equation :math:`\tau \dot s = -s + [\sum_j W_{ij} s_j + 1 + \alpha\, e_{d(i)} \cdot
v]_+`. Here, as in the stochastic spiking network of Burak & Fiete (2009), each neuron
fires as a point process whose rate is that rectified input, and :math:`s_j` is its
spike train filtered with the same :math:`\tau`:

.. math::

    \lambda_i(t) = r_0 \Bigl[I_i + 1 + \alpha\, e_{d(i)} \cdot v(t)\Bigr]_+, \qquad
    \tau \dot I_i = -I_i + \frac{1}{r_0} \sum_j W_{ij} \sum_k \delta(t - t_j^k),

so :math:`I_i = \sum_j W_{ij} s_j` with :math:`\tau \dot s_j = -s_j + r_0^{-1} \sum_k
\delta(t - t_j^k)`, whose mean is :math:`\lambda_j / r_0`: in the mean the reference's
equation. :math:`r_0` (``rate_scale_hz``, spikes per second per unit of :math:`s`) sets
the spiking noise: the variance of :math:`s` is :math:`\approx \bar s / (2 r_0 \tau)`,
so the noise falls as :math:`1/r_0` (Burak & Fiete vary it with the spike-count CV
instead; their diffusion grows as CV^2, i.e. as the variance).

Same connectivity: every pair, :math:`W_{ij} = W_0(x_i - x_j - l\, e_{d(j)})` on the
periodic sheet, from the reference's ``W0`` and ``direction`` (n_side^4 synapses; one
spike of :math:`j` adds :math:`W_{ij}/(r_0 \tau)` to :math:`I_i`). Same velocity input:
the drive :math:`1 + \alpha e_d \cdot v(t)` with :math:`v = 0` for the first
``settle_s`` and then the constant (``velocity_x``, ``velocity_y``) or the reference's
random trajectory (``TimedArray`` on the ``dt_s`` grid). Same start: :math:`I(0) = W
s_0`. A spike in step :math:`[t, t + dt)` with probability :math:`\lambda_i dt` (clipped
at 1), drawn by Brian2 from ``brian2.seed(seed)``; forward Euler with the reference's
``dt_s``; runtime device, numpy target.

Decoding: the ``activity`` trace is each neuron's spike count in a window of
``window_s`` centred on the reference's sample times, divided by :math:`r_0` times the
window (:func:`~neurotwin.spiking.ring_attractor.readout.windowed_rates`), so it is in
the units of :math:`s`; the model's ``torus_observe`` then measures period,
orientation, velocity, drift and path integration exactly as for the reference.
"""

from __future__ import annotations

import time

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models.ring_attractor.torus_attractor import (
    TORUS_DIRECTIONS,
    TorusParams,
    n_steps,
    velocity_trace,
)
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking._brian2 import run_report, runtime_target

from .readout import windowed_rates


class TorusSpikingOptions(Params):
    """Spiking noise and decoding (rates in Hz, times in s)."""

    rate_scale_hz: float = Field(
        1000.0, gt=0, le=5000, description="r0: firing rate per unit of s (sets the noise)"
    )
    window_s: float = Field(0.03, gt=0, le=0.5, description="spike-count window of the read-out")

    @pydantic.model_validator(mode="after")
    def _window(self):
        if self.window_s * self.rate_scale_hz < 1:
            raise ValueError(
                f"window_s: must hold at least one spike at rate_scale_hz = "
                f"{self.rate_scale_hz!r} (window_s * rate_scale_hz >= 1; got {self.window_s!r})"
            )
        return self


def torus_matrix(params: TorusParams, w0: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """(N, N) weights, ``W[i, j] = W0(x_i - x_j - l e_d(j))`` on the periodic sheet
    (neurons numbered row-major: ``i = a * n_side + b`` for position (a, b))."""
    n = params.n_side
    a, b = np.divmod(np.arange(n * n), n)
    e = TORUS_DIRECTIONS[np.asarray(direction).ravel()]
    da = (a[:, None] - a[None, :] - params.shift * e[None, :, 0]) % n
    db = (b[:, None] - b[None, :] - params.shift * e[None, :, 1]) % n
    return np.asarray(w0, dtype=np.float64)[da, db]


def sample_times(params: TorusParams) -> np.ndarray:
    """The reference's sample times: every ``record_dt_s`` from 0, before the last step."""
    every = max(1, int(round(params.record_dt_s / params.dt_s)))
    return np.arange(0, n_steps(params), every) * params.dt_s


@realization("torus-attractor", "brian2", options=TorusSpikingOptions, requires=("brian2",))
def run_torus_brian2(
    params: TorusParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """Point-process neurons at rate r0 [W s + 1 + alpha e.v]_+, all-to-all shifted
    kernels on the torus (runtime, numpy target); ``activity`` decoded from spike counts."""
    import brian2 as b2

    opts = options or TorusSpikingOptions.create()
    b2.seed(seed)
    t0 = time.perf_counter()
    n = params.n_side
    n_neurons = n * n
    direction = np.asarray(weights["direction"]).ravel()
    e = TORUS_DIRECTIONS[direction].astype(np.float64)
    w = torus_matrix(params, weights["W0"], weights["direction"])
    dt = params.dt_s * b2.second
    clock = b2.Clock(dt=dt, name="torus_clock")
    v = velocity_trace(params, inputs)
    vel_x = b2.TimedArray(v[:, 0], dt=dt, name="torus_vx")
    vel_y = b2.TimedArray(v[:, 1], dt=dt, name="torus_vy")
    neurons = b2.NeuronGroup(
        n_neurons,
        """
        dI/dt = -I / tau : 1
        lam = r0 * clip(I + 1 + alpha * (ex * vel_x(t) + ey * vel_y(t)), 0, inf) : Hz
        ex : 1 (constant)
        ey : 1 (constant)
        """,
        threshold="rand() < lam * dt",
        method="euler",
        clock=clock,
        name="torus_neurons",
    )
    neurons.ex, neurons.ey = e[:, 0], e[:, 1]
    s0 = np.asarray(inputs["s0"], dtype=np.float64).ravel()
    neurons.I = w @ s0
    syn = b2.Synapses(
        neurons, neurons, "q : 1", on_pre="I_post += q", clock=clock, name="torus_synapses"
    )
    pre = np.tile(np.arange(n_neurons), n_neurons)
    post = np.repeat(np.arange(n_neurons), n_neurons)
    syn.connect(i=pre, j=post)
    syn.q = w[post, pre] / (opts.rate_scale_hz * params.tau_s)
    spikes = b2.SpikeMonitor(neurons, name="torus_spikes")
    net = b2.Network(neurons, syn, spikes, name="torus_network")
    namespace = {
        "tau": params.tau_s * b2.second,
        "r0": opts.rate_scale_hz * b2.Hz,
        "alpha": params.alpha,
        "vel_x": vel_x,
        "vel_y": vel_y,
    }
    t1 = time.perf_counter()
    with runtime_target("numpy"):
        net.run(n_steps(params) * dt, namespace=namespace, **run_report())
    t2 = time.perf_counter()
    times = np.asarray(spikes.t[:] / b2.second, dtype=np.float64)
    idx = np.asarray(spikes.i[:], dtype=np.int64)
    t = sample_times(params)
    rates = windowed_rates(times, idx, n_neurons, t, opts.window_s, params.duration_s)
    activity = (rates / opts.rate_scale_hz).reshape(len(t), n, n)
    check_finite("activity", activity, t, "s")
    return Result(
        model="torus-attractor",
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"activity": activity},
        spikes={"grid": (times, idx)},
        observables={"mean_rate_hz": float(len(times) / (n_neurons * params.duration_s))},
        provenance={
            "device": "runtime",
            "codegen_target": "numpy",
            "integrator": "euler",
            "build_time_s": float(t1 - t0),
            "run_time_s": float(t2 - t1),
            "n_neurons": int(n_neurons),
            "n_synapses": int(len(syn)),
            "neuron": "point process, rate r0 [input]_+ (Bernoulli per step)",
        },
    )
