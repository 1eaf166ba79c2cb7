r"""Pulse-coupled oscillators (Mirollo & Strogatz 1990): the ``pulse-coupled`` model.

Mirollo & Strogatz (1990): identical oscillators with state :math:`x = f(\phi)`,
:math:`f` concave; when one fires, every other :math:`x_j` jumps by
:math:`\varepsilon / N` (firing too, and being absorbed, if it reaches 1).
Here :math:`f` is the leaky integrate-and-fire charging curve
:math:`f(\phi) = I (1 - (1 - 1/I)^\phi)` (MS 1990, their example of a concave
:math:`f`), so the Brian2 LIF realization is the same system. The reference is
exact and event-driven: between firings every phase advances at the same rate.

References
----------
Mirollo, R. E. & Strogatz, S. H. (1990). SIAM J. Appl. Math. 50, 1645-1662.
"""

from __future__ import annotations

import math

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.errors import InputError
from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models._cost import F8, SPIKE_BYTES, SYNAPSE_BYTES, Terms, cost, driver
from neurotwin.rate_models.synchronization.phases import after_error
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array


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
            raise after_error("record_dt_s", "duration_s", self.duration_s, self.record_dt_s)
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
    check_finite("pulse-coupled/reference phase", phases, sample_t, "s")
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


def pulse_estimate(params: PulseCoupledParams, options, realization: str):
    """Memory: the sampled phases (records x N), the spikes (at most N per period: the
    exact map fires each oscillator once per cycle, keeping two small arrays per event);
    Brian2 adds its voltage monitor (growing by doubling) and the N^2 synapses. Steps:
    the exact map's events x N (at most N per period, each updating N phases); Brian2:
    time steps x neurons."""
    n, dur = params.n_oscillators, params.duration_s
    n_rec = dur / params.record_dt_s + 1
    cycles = dur / params.period_s + 1
    mem = Terms(
        (driver(params, ("duration_s",), ("record_dt_s",)), 2 * F8 * n_rec * n),
        (
            driver(params, ("duration_s", "n_oscillators"), ("tau_s",)),
            (SPIKE_BYTES + 450) * cycles * n,
        ),
        ("n_oscillators", 16 * F8 * n),
    )
    if realization == "reference":
        steps = Terms((driver(params, ("duration_s", "n_oscillators"), ("tau_s",)), cycles * n * n))
    else:
        mem.add(driver(params, ("duration_s",), ("record_dt_s",)), 2 * F8 * n_rec * n)
        mem.add("n_oscillators", SYNAPSE_BYTES * n * n)
        steps = Terms(
            (driver(params, ("duration_s", "n_oscillators"), ("dt_s",)), dur / params.dt_s * n)
        )
    return cost(mem, steps)


PULSE = register_model(
    ModelSpec(
        name="pulse-coupled",
        observable_units={
            "final_cluster_fraction": "1",
            "synchronized": "1",
            "n_spikes": "1",
        },
        params=PulseCoupledParams,
        weights=pulse_weights,
        make_inputs=pulse_inputs,
        validate=pulse_validate,
        observe=pulse_observe,
        key_observable="final_cluster_fraction",
        # rate vs spiking (tests/synchronization/test_synchronization_brian2.py, which
        # reads this): both end in one cluster at eps = 0.2 (N = 20, 0.5 s); the time to
        # synchrony within a factor 5 (the test's ratio bound 0.2-5, upper side).
        # Default compare: the default N and duration.
        agreement=[
            {"observable": "final_cluster_fraction", "atol": 0.0, "rtol": 0.0},
            {"observable": "time_to_sync_s", "atol": 0.0, "rtol": 4.0},
        ],
        estimate=pulse_estimate,
        compare_runs=[("reference", "reference", {}), ("brian2", "brian2", {})],
        quick_params={"n_oscillators": 8, "duration_s": 0.1},
        doc="Mirollo & Strogatz (1990) pulse-coupled oscillators (LIF charging curve): "
        "excitatory pulses synchronize identical oscillators.",
    )
)
