"""What the three spiking ring realizations share: the decoding of spikes into the
``activity`` trace and its options.

Spike counts of each neuron in windows of ``window_s`` centred on the sample times
(every ``record_dt_s``; truncated at the ends), divided by the window length: the
``activity`` trace (Hz) from which the reference's
:func:`~neurotwin.rate_models.ring_attractor.ring_attractor.ring_observe` computes the
population-vector position, speed, width and the rest, exactly as for the rate model.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from neurotwin.harness import check_finite
from neurotwin.params import Params
from neurotwin.rate_models.ring_attractor.ring_attractor import RingAttractorParams
from neurotwin.results import Result


class RingSpikingOptions(Params):
    """Decoding of the spiking realizations (seconds)."""

    window_s: float = Field(0.04, gt=0, le=0.5, description="spike-count window")


def windowed_rates(
    times: np.ndarray, idx: np.ndarray, n: int, t_grid: np.ndarray, window: float, t_end: float
) -> np.ndarray:
    """Spike counts (len(t_grid), n) in [t - w/2, t + w/2) clipped to [0, t_end), in Hz."""
    order = np.argsort(times, kind="stable")
    times, idx = np.asarray(times)[order], np.asarray(idx)[order]
    lo = np.clip(t_grid - window / 2, 0.0, t_end)
    hi = np.clip(t_grid + window / 2, 0.0, t_end)
    out = np.zeros((len(t_grid), n))
    for i in range(n):
        s = times[idx == i]
        out[:, i] = np.searchsorted(s, hi) - np.searchsorted(s, lo)
    return out / np.maximum(hi - lo, 1e-12)[:, None]


def ring_result(params, seed, t, activity, times, idx, name, prov) -> Result:
    """The Result of a spiking ring: the decoded ``activity`` and the ``ring`` spikes."""
    check_finite(f"ring-attractor/{name} activity", activity, t, "s")
    return Result(
        model="ring-attractor",
        realization=name,
        params=params.model_dump(),
        seed=seed,
        t=t,
        t_unit="s",
        traces={"activity": activity},
        spikes={"ring": (np.asarray(times, np.float64), np.asarray(idx, np.int64))},
        provenance=prov,
    )


def sample_times(params: RingAttractorParams) -> np.ndarray:
    """The read-out times: every ``record_dt_s`` from t = 0, as the reference records."""
    every = max(1, int(round(params.record_dt_s / params.dt_s)))
    return np.arange(params.n_steps // every) * every * params.dt_s
