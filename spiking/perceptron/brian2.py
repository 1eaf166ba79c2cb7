r"""A spiking perceptron in Brian2 (the ``perceptron`` model's ``brian2`` realization).

One LIF output neuron learns its input weights with Rosenblatt's rule from its own
spike / no-spike decision, on the reference's data set (``inputs["x"]``, ``inputs["y"]``),
in the reference's cyclic order, from :math:`w = 0`.

Presentation
    Pattern :math:`k` occupies the window :math:`[kT, (k+1)T)`, :math:`T` = ``present_s``.
    Input channel :math:`j` (a group of ``n_features`` carriers) holds the constant value
    :math:`x_j` during the window; each carrier reaches the output through a synapse of
    weight :math:`w_j` (a summed variable), so the output receives the current
    :math:`I = \sum_j w_j x_j = w \cdot x`. At the start of each window the membrane is
    reset to 0.

Output neuron (dimensionless, threshold 1, reset 0, exact integration)
    :math:`\tau_m \dot v = b + I - v`, with the bias
    :math:`b = (1 - 10^{-9}) / (1 - e^{-T/\tau_m})`, so that from :math:`v = 0` the
    neuron reaches threshold within the window iff :math:`(b + I)(1 - e^{-T/\tau_m}) > 1`,
    i.e. iff :math:`I > 10^{-9} b` (essentially :math:`w \cdot x > 0`).

Decision and learning
    :math:`\hat y = +1` if the neuron spiked at least once in the window, else -1. At the
    start of the next window (before the reset) each synapse applies
    :math:`\Delta w_j = \eta\, y\, x_j` if :math:`\hat y \ne y` (Rosenblatt's rule with the
    neuron's own decision; pre value times the teaching label, gated by the mistake).
    Mistakes are counted per epoch; training stops after an epoch without mistakes or
    after ``max_epochs``.

The one difference from the reference's decision: at :math:`w \cdot x = 0` (every pattern
while :math:`w = 0`) the reference counts a mistake for either label
(:math:`y\, w \cdot x \le 0`), the neuron stays silent (:math:`\hat y = -1`), which is
correct for :math:`y = -1`. The runs then take different paths, so ``mistakes`` differ
somewhat while both reach training accuracy 1 on separable data
(``tests/perceptron/test_perceptron_brian2.py`` states the measured numbers). No cycle
detection: on non-separable data (``xor``, ``dichotomy`` beyond capacity) it runs all
``max_epochs``.

Runtime device, numpy target, explicit ``Network`` and ``namespace``, ``brian2.seed``
(nothing here is random, the seed is set for form).
"""

from __future__ import annotations

import time

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.params import Params
from neurotwin.rate_models.perceptron.perceptron import PerceptronParams
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking._brian2 import run_report, runtime_target


class SpikingPerceptronOptions(Params):
    """LIF output neuron and presentation (times in seconds)."""

    present_s: float = Field(0.01, gt=0, le=1, description="presentation window T per pattern")
    tau_m_s: float = Field(0.005, gt=0, description="membrane time constant")
    dt_s: float = Field(0.001, gt=0, le=0.001, description="simulation time step")

    @pydantic.model_validator(mode="after")
    def _whole_steps(self):
        steps = int(round(self.present_s / self.dt_s))
        if steps < 1 or abs(steps * self.dt_s - self.present_s) > 1e-9 * self.present_s:
            raise ValueError(
                f"present_s: must be an integer multiple of dt_s = {self.dt_s} "
                f"(got {self.present_s})"
            )
        return self


@realization("perceptron", "brian2", options=SpikingPerceptronOptions, requires=("brian2",))
def run_perceptron_brian2(
    params: PerceptronParams, weights: dict, inputs: dict, seed: int, options=None
) -> Result:
    """LIF perceptron, spike/no-spike decision, Rosenblatt's rule (runtime, numpy target);
    trace ``mistakes`` per epoch (t = epoch, from 1)."""
    import brian2 as b2

    opts = options or SpikingPerceptronOptions.create()
    b2.seed(seed)
    t0 = time.perf_counter()
    x = np.asarray(inputs["x"], dtype=float)
    y = np.asarray(inputs["y"], dtype=float)
    n_pat, n_in = x.shape
    window = opts.present_s * b2.second
    clock = b2.Clock(dt=opts.dt_s * b2.second, name="perceptron_clock")
    # patterns and labels indexed by pattern number: TimedArrays with a 1 s "step"
    pat = b2.TimedArray(x, dt=1 * b2.second, name="perceptron_x")
    lab = b2.TimedArray(y, dt=1 * b2.second, name="perceptron_y")
    # index of the window that has just ended (-1 at t = 0) and of its pattern
    prev = "kp = int(t / Tw + 0.5) - 1\nvalid = int(kp >= 0)\npidx = (kp + P) % P\n"
    carriers = b2.NeuronGroup(n_in, "x : 1", clock=clock, name="perceptron_inputs")
    carriers.run_regularly(
        "x = Xp(((int(t / Tw + 0.5)) % P) * second, i)", dt=window, when="start", order=2
    )
    out = b2.NeuronGroup(
        1,
        """
        dv/dt = (b + I - v) / tau_m : 1
        I : 1
        spiked : 1
        mistakes : 1
        """,
        threshold="v > 1",
        reset="v = 0\nspiked = 1",
        method="exact",
        clock=clock,
        name="perceptron_out",
    )
    out.run_regularly(
        prev + "mistakes += valid * int((2 * spiked - 1) != Yl(pidx * second))\nv = 0\nspiked = 0",
        dt=window,
        when="start",
        order=1,
    )
    syn = b2.Synapses(
        carriers,
        out,
        "w : 1\nI_post = w * x_pre : 1 (summed)",
        clock=clock,
        name="perceptron_synapses",
    )
    syn.connect(i=np.arange(n_in), j=0)
    syn.w = 0.0
    syn.run_regularly(
        prev + "target = Yl(pidx * second)\n"
        "w += valid * eta * int((2 * spiked_post - 1) != target) * target"
        " * Xp(pidx * second, i)",
        dt=window,
        when="start",
        order=0,
    )
    spikes = b2.SpikeMonitor(out, name="perceptron_spikes")
    net = b2.Network(carriers, out, syn, spikes, name="perceptron_network")
    namespace = {
        "Tw": window,
        "P": n_pat,
        "Xp": pat,
        "Yl": lab,
        "eta": params.learning_rate,
        "tau_m": opts.tau_m_s * b2.second,
        "b": (1 - 1e-9) / (1 - np.exp(-opts.present_s / opts.tau_m_s)),
    }
    t1 = time.perf_counter()
    per_epoch: list[int] = []
    total = 0.0
    with runtime_target("numpy"):
        for epoch in range(params.max_epochs):
            # one step past the epoch, so that its last window's decision is scored
            extra = clock.dt if epoch == 0 else 0 * b2.second
            net.run(n_pat * window + extra, namespace=namespace, **run_report())
            count = float(out.mistakes[0])
            per_epoch.append(int(round(count - total)))
            total = count
            if per_epoch[-1] == 0:
                break
    t2 = time.perf_counter()
    w = np.asarray(syn.w[:], dtype=float)
    post_t = np.asarray(spikes.t[:] / b2.second, dtype=np.float64)
    return Result(
        model="perceptron",
        realization="brian2",
        params=params.model_dump(),
        seed=seed,
        t=np.arange(1, len(per_epoch) + 1, dtype=float),
        t_unit="sweep",
        traces={"mistakes": np.array(per_epoch, dtype=np.int64)},
        spikes={"out": (post_t, np.zeros(len(post_t), dtype=np.int64))},
        observables={
            "w": w,
            "converged": per_epoch[-1] == 0,
            "cycle_detected": False,
            "epochs": len(per_epoch),
        },
        provenance={
            "device": "runtime",
            "codegen_target": "numpy",
            "build_time_s": float(t1 - t0),
            "run_time_s": float(t2 - t1),
            "n_neurons": int(n_in + 1),
            "n_synapses": int(n_in),
        },
    )
