r"""The ring attractor as a NIR graph, and how a NIR client's run of it is decoded.

:func:`to_nir` (the model's ``"nir"`` exporter) writes the network of the ``nengo``
realization (``nengo.py``: one LIF population ``ring``, recurrent neuron-to-neuron
weights :math:`W - \gamma W'`, Lowpass(:math:`\tau`) synapses, the cue through the
same synapse) as::

    input --> cue (Linear) --> ring (CubaLIF) --> output
                                 ^      |
                                 +------+ recurrent (Linear)

with ``CubaLIF(tau_syn = tau_s, tau_mem = tau_m_s, r = 1, v_leak = bias,
v_threshold = 1, v_reset = 0, w_in = 1)``, ``recurrent = Linear(W - gamma W')``
(current per unit of presynaptic rate in Hz: a spike is a Dirac of area 1) and
``cue = Linear(diag(cue_strength))``; the input is the cue :math:`\cos(\theta_i -
\theta_{cue})` during ``[0, cue_duration_s)``, then 0 (:func:`input_signal`). This is
the ``nengo`` realization's network exactly, except that NIR has no initial state:
every voltage starts at 0 (the realization draws ``v0`` uniform in [0, 1)).

NIR 1.0 cannot express, and the export refuses naming each: a refractory period
(``tau_ref_s > 0``, the default 0.002 s: export with ``--set tau_ref_s=0``), a
white-noise drive (``noise_sd > 0``) and a velocity input (``velocity='ou'``).

Clients that accept only part of NIR (snnTorch: ``v_leak = 0``, :math:`R = \tau/\Delta
t`) get the equivalent graph of :func:`neurotwin.spiking.nir_clients.for_client`.
:func:`decode` turns per-step spike counts (any simulator) into the ring's
observables with the same read-out as the spiking realizations.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from neurotwin.errors import ExportUnsupported
from neurotwin.rate_models.ring_attractor.ring_attractor import (
    RingAttractorParams,
    ring_observe,
)
from neurotwin.registry import exporter
from neurotwin.results import Result

from .readout import RingSpikingOptions, sample_times, windowed_rates

if TYPE_CHECKING:
    import nir

#: the observables a client's run is compared on, with the tolerance (absolute) and why
COMPARE = {
    "bump_speed": (
        0.25,
        "rad/s; the bump's drift speed, fitted after the cue (nengo's own run at dt_s "
        "vs the client's Euler steps of 1e-4 s and zero initial voltages)",
    ),
    "bump_persists": (0, "the bump survives the cue (must agree)"),
}


def unsupported(params: RingAttractorParams) -> list[str]:
    """What of this network NIR 1.0 cannot express, in words ([] if nothing)."""
    why = []
    if params.tau_ref_s > 0:
        why.append(
            f"a refractory period (tau_ref_s = {params.tau_ref_s!r} > 0): NIR 1.0's LIF and "
            "CubaLIF have none"
        )
    if params.noise_sd > 0:
        why.append(f"a white-noise drive (noise_sd = {params.noise_sd!r}): NIR has no noise source")
    if params.velocity != "none":
        why.append(
            f"a velocity input (velocity = {params.velocity!r}): the weights W - gamma W' of a "
            "NIR Linear are fixed"
        )
    return why


@exporter("ring-attractor", "nir", realization="nengo")
def to_nir(
    params: RingAttractorParams,
    weights: dict,
    inputs: dict,
    seed: int,
    options: RingSpikingOptions,
) -> nir.NIRGraph:
    """The ``nengo`` realization's ring as a NIR graph (see the module docstring).

    Raises
    ------
    ExportUnsupported
        Naming every feature NIR 1.0 cannot express and the settings that avoid them.
    """
    why = unsupported(params)
    if why:
        raise ExportUnsupported(
            "ring-attractor: NIR 1.0 cannot express "
            + "; ".join(why)
            + ". Export a network without them, e.g. --set tau_ref_s=0 (the nengo realization "
            "runs the same network)"
        )
    import nir

    from .nengo import ring_population

    pop, cue = ring_population(params, weights, inputs)
    n = pop.n
    meta = {
        "generator": "neurotwin",
        "model": "ring-attractor",
        "realization": "nengo",
        "seed": int(seed),
        "params": json.dumps(params.model_dump(), sort_keys=True),
        "options": json.dumps(options.model_dump(), sort_keys=True),
        "protocol": (
            f"input_i = cue_i = cos(theta_i - cue_angle) for 0 <= t < {params.cue_duration_s} "
            f"s, then 0; run {params.duration_s} s; all voltages start at 0"
        ),
        "cue": np.asarray(cue.values, dtype=np.float64),
        "cue_angle": float(np.asarray(inputs["cue_angle"]).reshape(-1)[0]),
        "spike_area": 1.0,
        "units": "currents in units of the LIF threshold; time in seconds",
    }
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type={"input": np.array([n])}),
            "cue": nir.Linear(weight=np.diag(np.asarray(cue.gain, dtype=np.float64))),
            "ring": nir.CubaLIF(
                tau_syn=np.full(n, pop.tau_syn_s),
                tau_mem=np.full(n, pop.tau_rc_s),
                r=np.ones(n),
                v_leak=np.asarray(pop.bias, dtype=np.float64),
                v_threshold=np.ones(n),
                v_reset=np.zeros(n),
                w_in=np.ones(n),
            ),
            "recurrent": nir.Linear(weight=np.asarray(pop.recurrent, dtype=np.float64)),
            "output": nir.Output(output_type={"output": np.array([n])}),
        },
        edges=[
            ("input", "cue"),
            ("cue", "ring"),
            ("ring", "recurrent"),
            ("recurrent", "ring"),
            ("ring", "output"),
        ],
        metadata=meta,
    )


def input_signal(params: RingAttractorParams, inputs: dict, dt_s: float) -> np.ndarray:
    """The graph's input for a run of ``duration_s`` in steps of ``dt_s``: (steps, N)."""
    steps = int(round(params.duration_s / dt_s))
    x = np.zeros((steps, params.n_units))
    on = int(round(params.cue_duration_s / dt_s))
    x[:on] = np.asarray(inputs["cue"], dtype=np.float64)
    return x


def decode(
    params: RingAttractorParams,
    weights: dict,
    inputs: dict,
    options: RingSpikingOptions,
    counts: np.ndarray,
    dt_s: float,
) -> dict:
    """The ring's observables from per-step spike counts (steps, N) of any simulator."""
    steps, idx = np.nonzero(counts)
    reps = np.asarray(counts[steps, idx], dtype=np.int64)
    times = np.repeat((steps + 1) * dt_s, reps)
    idx = np.repeat(idx, reps)
    t = sample_times(params)
    activity = windowed_rates(times, idx, params.n_units, t, options.window_s, params.duration_s)
    res = Result(
        model="ring-attractor",
        realization="nir",
        params=params.model_dump(),
        seed=0,
        t=t,
        t_unit="s",
        traces={"activity": activity},
    )
    return ring_observe(res, params, weights, inputs)
