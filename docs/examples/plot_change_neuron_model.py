"""
Change the neuron model of a Brian2 realization
===============================================

A Brian2 realization holds its neuron model as equations in its ``build`` phase. The
parameters of those equations (time constants, refractory period, gain, time step) are
options of the realization, set like any parameter
(``neurotwin params hopfield --realization brian2`` lists them;
``neurotwin.run("hopfield", "brian2", tau_m_s=0.02)``). The equations themselves are not
an option: to change them, write a realization with new equations, here a subclass of an
existing one, registered under a new name. Everything else (the harness, ``compare``,
the observables, the conformance suite) then works for it unchanged.

The example uses the LIF-rate model of :doc:`/design` (see also the "Add a model"
example), whose Brian2 realization is short enough to read at once. Its two modules are
laid out as a family in a temporary folder, as a project of your own would hold them,
and found by the registry there. The new realization adds spike-frequency adaptation
(an adaptation current :math:`a` that jumps by :math:`\\Delta a` at each spike and
decays with :math:`\\tau_a`), which lowers the rate below the LIF f-I curve, most for
strong drives.
"""

import re
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import neurotwin
import neurotwin.rate_models
import neurotwin.spiking
from neurotwin.registry import realization
from neurotwin.results import Result
from neurotwin.spiking._brian2 import runtime_target

# %%
# The LIF-rate family from docs/design.md, in a folder of its own
# ----------------------------------------------------------------
# (``rate_models/lif_rate/lif_rate.py`` and ``spiking/lif_rate/brian2.py``; the folders
# join the package paths, so ``from neurotwin.rate_models.lif_rate import ...`` works)
docs = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path("..")
design = (docs / "design.md").read_text()
blocks = re.findall(r"`([\w/]+\.py)`[^`]*?\n\n```python\n(.*?)```", design, flags=re.S)
root = Path(tempfile.mkdtemp())
for rel, code in blocks:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / "__init__.py").write_text('"""The lif_rate family."""\n')
    path.write_text(code)
neurotwin.rate_models.__path__.append(str(root / "rate_models"))
neurotwin.spiking.__path__.append(str(root / "spiking"))

from neurotwin.spiking.lif_rate.brian2 import MODEL, LifRateBrian2  # noqa: E402

print(neurotwin.models()["lif-rate"])

# %%
# A realization with other equations
# ----------------------------------
# ``build`` is the only phase that knows the equations; ``run`` (inherited) restores the
# network, sets the drives and counts the spikes, so it works unchanged.
ADAPTING = """
dv/dt = (I - v - a) / tau_m : 1 (unless refractory)
da/dt = -a / tau_a : 1
I : 1
"""


@realization(MODEL, "brian2-adapting", requires=("brian2",))
class LifRateAdapting(LifRateBrian2):
    """LIF neurons with spike-frequency adaptation (tau_a = 100 ms, jump 0.2)."""

    @staticmethod
    def build(params, weights, inputs, seed, options):
        import brian2 as b2

        with runtime_target("numpy"):
            group = b2.NeuronGroup(
                params.n_neurons,
                ADAPTING,
                threshold="v > 1",
                reset="v = 0\na += delta_a",
                refractory=params.tau_ref_s * b2.second,
                method="exact",
                namespace={
                    "tau_m": params.tau_m_s * b2.second,
                    "tau_a": 0.1 * b2.second,
                    "delta_a": 0.2,
                },
            )
            spikes = b2.SpikeMonitor(group)
            net = b2.Network(group, spikes)
            net.store()
        return params, net, group, spikes

    @staticmethod
    def run(built, inputs):
        result = LifRateBrian2.run(built, inputs)
        return Result(**{**vars(result), "realization": "brian2-adapting"})


# %%
# The same drives (seed 1) through the three realizations
# --------------------------------------------------------
results = {
    name: neurotwin.run("lif-rate", name, seed=1, n_neurons=12)
    for name in ("reference", "brian2", "brian2-adapting")
}
for name, r in results.items():
    print(f"{name:16s} mean rate {r.observables['mean_rate_hz']:6.1f} Hz")

drive = np.asarray(neurotwin.harness.prepare("lif-rate", seed=1, n_neurons=12).inputs["drive"])
order = np.argsort(drive)
fig, ax = plt.subplots(figsize=(6, 4))
styles = {"reference": "k-", "brian2": "o", "brian2-adapting": "s"}
for name, r in results.items():
    ax.plot(drive[order], r.traces["rate_hz"][-1][order], styles[name], label=name)
ax.set_xlabel("drive I (threshold units)")
ax.set_ylabel("firing rate (Hz)")
ax.legend()
ax.grid(alpha=0.3)
