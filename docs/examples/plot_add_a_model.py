"""
Add a model: LIF neurons under a constant drive, reference and Brian2
=====================================================================

The complete example of :doc:`/design` ("Adding a model"): a model is two modules, the
math in ``rate_models/<family>/<model>.py`` and its realizations in
``spiking/<family>/<backend>.py`` (plus an ``__init__.py`` with a docstring in each
folder); the registry finds them by their place, and ``neurotwin run``, ``compare``,
``list`` and the conformance suite work for it without an edit anywhere else.

Here the two modules run inline, one after the other, so that the page shows and runs
the complete code (the only line left out is the Brian2 module's
``from neurotwin.rate_models.lif_rate.lif_rate import MODEL``: ``MODEL`` is already
defined above it). ``tests/test_gallery_code.py`` checks that this code is the code of
docs/design.md.

The reference is the exact firing rate of a LIF neuron with threshold 1 and reset 0
under a constant drive :math:`I > 1`,
:math:`r = 1 / (\\tau_{ref} + \\tau_m \\ln(I / (I - 1)))` (Gerstner et al. 2014,
*Neuronal Dynamics*, ch. 1).
"""

# %%
# ``rate_models/lif_rate/lif_rate.py``, the math
# ------------------------------------------------

"""LIF neurons under a constant drive: the exact firing rate."""

import numpy as np
from pydantic import Field

from neurotwin.params import Params
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result
from neurotwin.validation import check_array

MODEL = "lif-rate"


class LifRateParams(Params):
    n_neurons: int = Field(20, ge=1, le=100_000, description="neurons")
    drive_min: float = Field(1.2, gt=1, description="smallest drive (threshold units)")
    drive_max: float = Field(3.0, gt=1, description="largest drive (threshold units)")
    tau_m_s: float = Field(0.02, gt=0, description="membrane time constant")
    tau_ref_s: float = Field(0.002, ge=0, description="refractory period")
    duration_s: float = Field(2.0, gt=0, le=1000, description="simulated time")


def rate_hz(drive, params):
    """Exact rate of a LIF neuron with constant drive > 1 (threshold 1, reset 0)."""
    return 1.0 / (params.tau_ref_s + params.tau_m_s * np.log(drive / (drive - 1.0)))


def weights(params, rng):
    return {}


def make_inputs(params, weights, rng):
    return {"drive": rng.uniform(params.drive_min, params.drive_max, params.n_neurons)}


def validate(params, weights, inputs):
    drive = check_array(MODEL, "inputs", inputs, "drive", (params.n_neurons,), "(n_neurons,)")
    if (drive <= 1).any():
        raise ValueError("drive must exceed the threshold 1")


def observe(result, params, weights, inputs):
    expected = rate_hz(np.asarray(inputs["drive"]), params)
    rates = result.traces["rate_hz"][-1]
    return {
        "mean_rate_hz": float(rates.mean()),
        "rate_error": float(np.abs(rates - expected).max() / expected.max()),
    }


@realization(MODEL, "reference")
def run_reference(params, weights, inputs, seed, options=None):
    """The exact rate of every neuron."""
    rates = rate_hz(np.asarray(inputs["drive"]), params)
    return Result(
        MODEL,
        "reference",
        params.model_dump(),
        seed,
        np.array([params.duration_s]),
        "s",
        traces={"rate_hz": rates[None, :]},
    )


register_model(
    ModelSpec(
        name=MODEL,
        params=LifRateParams,
        weights=weights,
        make_inputs=make_inputs,
        validate=validate,
        observe=observe,
        key_observable="mean_rate_hz",
        quick_params={"n_neurons": 5, "duration_s": 0.5},
        doc="LIF neurons under a constant drive: the exact rate (Gerstner et al. 2014).",
    )
)

# %%
# ``spiking/lif_rate/brian2.py``, the realization, in two phases
# ---------------------------------------------------------------
# (the network is built once, then run for each set of drives)

"""Brian2: the same neurons, integrated with exact refractoriness; rate = spikes / time."""

import numpy as np

from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking._brian2 import runtime_target


@realization(MODEL, "brian2", requires=("brian2",))
class LifRateBrian2:
    """LIF neurons in Brian2 (numpy target), drive as a per-neuron constant."""

    @staticmethod
    def build(params, weights, inputs, seed, options):
        import brian2 as b2

        with runtime_target("numpy"):
            group = b2.NeuronGroup(
                params.n_neurons,
                "dv/dt = (I - v) / tau_m : 1 (unless refractory)\nI : 1",
                threshold="v > 1",
                reset="v = 0",
                refractory=params.tau_ref_s * b2.second,
                method="exact",
                namespace={"tau_m": params.tau_m_s * b2.second},
            )
            spikes = b2.SpikeMonitor(group)
            net = b2.Network(group, spikes)
            net.store()
        return params, net, group, spikes

    @staticmethod
    def run(built, inputs):
        import brian2 as b2

        params, net, group, spikes = built
        net.restore()
        group.I = np.asarray(inputs["drive"])
        with runtime_target("numpy"):
            net.run(params.duration_s * b2.second)
        counts = np.bincount(np.asarray(spikes.i), minlength=params.n_neurons)
        return Result(
            MODEL,
            "brian2",
            params.model_dump(),
            0,
            np.array([params.duration_s]),
            "s",
            traces={"rate_hz": counts[None, :] / params.duration_s},
        )


# %%
# Run it
# ------
# The model is registered: it runs through the same harness as every other model, on
# the same drives (the seed) for both realizations.
import matplotlib.pyplot as plt

import neurotwin
from neurotwin.harness import prepare

ref = neurotwin.run("lif-rate", "reference", seed=1)
spk = neurotwin.run("lif-rate", "brian2", seed=1)
for r in (ref, spk):
    print(r.realization, r.observables)

# %%
# The f-I curve: Brian2's spike counts over 2 s against the exact rate.
drive = np.asarray(prepare("lif-rate", seed=1).inputs["drive"])
order = np.argsort(drive)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(drive[order], ref.traces["rate_hz"][-1][order], "k-", label="reference (exact)")
ax.plot(drive[order], spk.traces["rate_hz"][-1][order], "o", label="Brian2 (spikes / 2 s)")
ax.set_xlabel("drive I (threshold units)")
ax.set_ylabel("firing rate (Hz)")
ax.legend()
ax.grid(alpha=0.3)
