"""
Deploy to the Loihi emulator
============================

``neurotwin deploy MODEL --target loihi-emulator`` maps a model's spiking network onto
Loihi as nengo-loihi emulates it (``nengo_loihi.Simulator(target="sim")``): the cores,
compartments, axons and synapses it uses, the weight quantization, the recall accuracy
of the reference, of float Nengo and of the chip, and spikes, synaptic operations and
an energy estimate per recall. The Hopfield network of 64 units, 4 patterns, 4 cues::

    neurotwin deploy hopfield --target loihi-emulator \\
        --set n_units=64 --set n_patterns=4 --set n_cues=4

nengo-loihi 1.1.0 needs numpy < 2, so it lives in its own environment
(``pip install -e ".[loihi]"``, see :doc:`/chips`). Where it is installed this example
runs the deployment; where it is not (the default environment, in which these docs are
built) it shows a report stored from a run in the ``[loihi]`` environment, and says so.
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt

import neurotwin
from neurotwin.deploy import deploy, report_rows

settings = dict(n_units=64, n_patterns=4, n_cues=4)
if neurotwin.models()["hopfield"]["loihi-emulator"]:
    report = deploy("hopfield", "loihi-emulator", None, 0, **settings)
    print("deployed now, in this environment")
else:
    here = Path(__file__).parent if "__file__" in globals() else Path(".")
    report = json.loads((here / "stored" / "hopfield-deploy-loihi.json").read_text())
    print(
        "nengo-loihi is not installed here: this is a STORED report of the same command, "
        "run in the [loihi] environment (numpy 1.26.4, nengo-loihi 1.1.0)"
    )
assert {k: report["params"][k] for k in settings} == settings
for name, value in report_rows(report):
    print(f"{name:32s} {value}")

# %%
# Accuracy on and off the chip: the final overlap with the cued pattern of the reference,
# float Nengo and the emulated chip, on the same cues.
acc = report["accuracy"]
print(json.dumps(acc, indent=1))

# %%
# How much of one core a recall network uses, per limit.
limits = report["limits_per_core"]
used = {
    "compartments": report["compartments"] / limits["compartments"],
    "input axons": report["axons"] / limits["in_axons"],
    "output axons": report["out_axons"] / limits["out_axons"],
    "synapse memory": report["synapse_bits"] / limits["synapse_bits"],
}
fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(list(used), [100 * v for v in used.values()])
ax.set_xlabel("share of one Loihi core's limit used (%)")
ax.set_title(f"hopfield, N = {report['params']['n_units']}: one recall (one cue)")
fig.tight_layout()
