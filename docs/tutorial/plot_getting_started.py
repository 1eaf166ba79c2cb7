"""
Getting started: from the install to your own patterns
======================================================

neurotwin builds every network model twice, as a numpy **reference** and as **spiking
realizations** (Brian2, Nengo, the Loihi emulator), runs them on the same parameters,
inputs and seed, and measures them with the same code. This page follows a first
session; each step shows the command line and the same thing in Python (the Python is
what runs when these docs are built, and draws the figures).

1. Install
----------

Python 3.11, from a clone of the repository::

    python3 -m venv .venv && . .venv/bin/activate
    pip install -e ".[test]"

The Loihi emulator needs numpy < 2 and so an environment of its own
(``pip install -e ".[loihi]"`` in a second venv; step 7).

2. What is there: ``neurotwin list``
------------------------------------

``neurotwin list`` prints every model with a one-line description, its realizations
and whether each can run here (a missing package is named with its install command),
then the experiments (``neurotwin sweep NAME``).
"""

import neurotwin

for model, realizations in neurotwin.models().items():
    print(
        f"{model:18s}", ", ".join(r if ok else f"({r}: not here)" for r, ok in realizations.items())
    )

# %%
# 3. A model's parameters: ``neurotwin params hopfield``
# ------------------------------------------------------
# Every parameter of the model and option of its realizations, with its default, unit,
# allowed values and meaning (``neurotwin params hopfield --realization brian2`` for one
# realization; ``neurotwin run hopfield --help`` lists the same). In Python:
print(neurotwin.describe("hopfield", realization="brian2"))

# %%
# Set any of them with ``--set NAME=VALUE`` (a value may carry a unit:
# ``--set tau_m=20ms``) or as keywords in Python. A bad value stops before any work, in
# one line naming the class, the parameter, the rule and the value:
try:
    neurotwin.run("hopfield", n_units=1)
except neurotwin.ParamError as err:
    print("error:", err)

# %%
# 4. Run the reference and Brian2
# -------------------------------
# ::
#
#     neurotwin run hopfield                          # the reference (binary units)
#     neurotwin run hopfield --realization brian2     # LIF neurons in Brian2
#     neurotwin run hopfield --realization brian2 --out r.nc --json
#
# The default network: N = 200 units, 10 stored random patterns, 10 cues with 20 % of
# their bits flipped. Both runs get the same patterns and cues from the seed.
ref = neurotwin.run("hopfield", "reference", seed=0)
spk = neurotwin.run("hopfield", "brian2", seed=0)
print(ref)
print(spk)

# %%
# A :class:`~neurotwin.results.Result` holds the traces, spikes, observables and
# provenance (versions, wall time, build time); ``Result.plot`` draws its main trace,
# ``Result.save`` writes netCDF that ``xarray.open_dataset`` reads with named dimensions
# and units.
import matplotlib.pyplot as plt

fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
ref.plot(ax=a)
spk.plot(ax=b)
fig.tight_layout()

# %%
# 5. Compare every realization
# ----------------------------
# ::
#
#     neurotwin compare hopfield
#
# runs all realizations that can run here on the same inputs, prints a table of the
# observables, their agreement and their cost, and writes the results, a
# ``comparison.json`` and the figure below to ``neurotwin-out/``. In Python:
from neurotwin import plotting

comp = neurotwin.compare("hopfield", seed=0)
for label, row in comp.table().items():
    print(f"{label:16s} final_overlap {row.get('final_overlap')}")
fig = plotting.comparison(comp)

# %%
# 6. Your own patterns
# --------------------
# Store your own ±1 patterns, one per row (here five handwritten digits of
# scikit-learn, 8 x 8 pixels, binarized), and recall them from noisy cues::
#
#     python -c "import numpy as np; from sklearn.datasets import load_digits; \
#         im = load_digits().images[:5]; \
#         np.save('digits.npy', np.where(im > 7, 1, -1).reshape(5, 64))"
#     neurotwin run hopfield --patterns digits.npy --set storage=pseudoinverse
#     neurotwin run hopfield --patterns digits.npy --set storage=pseudoinverse \
#         --realization brian2
#
# ``n_units`` and ``n_patterns`` come from the array's shape; digits are correlated, so
# the pseudo-inverse rule stores them (Hebbian storage would mix them). In Python the
# array goes in as ``weights={"patterns": ...}``:
import numpy as np
from sklearn.datasets import load_digits

images = load_digits().images[:5]
patterns = np.where(images > 7, 1, -1).reshape(5, 64)
mine = {
    name: neurotwin.run(
        "hopfield", name, weights={"patterns": patterns}, storage="pseudoinverse", seed=0
    )
    for name in ("reference", "brian2")
}
fig, axes = plt.subplots(3, 5, figsize=(6, 4))
rows = {
    "cue": mine["reference"].traces["state"][0],
    "reference": mine["reference"].traces["state"][-1],
    "Brian2": mine["brian2"].traces["state"][-1],
}
for row, (label, states) in zip(axes, rows.items(), strict=True):
    for ax, state in zip(row, states[:5], strict=True):  # cues 0-4 start from digits 0-4
        ax.imshow(state.reshape(8, 8), cmap="gray_r", vmin=-1, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(label)
for name, r in mine.items():
    print(name, "final overlap", round(r.observables["final_overlap"], 3))

# %%
# The gallery's ":ref:`sphx_glr_auto_examples_plot_own_patterns.py`" does the same with
# the overlap over time.
#
# 7. A sweep, and deployment to the Loihi emulator
# ------------------------------------------------
# A named experiment runs a parameter grid on Dask (two local workers by default) and
# writes ``NAME.nc``, ``NAME.png`` and ``NAME.summary.json``; rerunning into the same
# folder resumes::
#
#     neurotwin sweep hopfield-capacity --quick
#
# ``--quick`` runs a reduced grid: a smoke run that checks the pipeline, marked as such
# in its summary (``"smoke_run"``), its dataset and a banner on its figure; its numbers
# are not the experiment's result. The full grid (``neurotwin sweep hopfield-capacity``,
# about a minute on two cores) gives the figure of :doc:`/models/hopfield`. In Python:
import tempfile

from neurotwin.sweep import get_experiment, run_sweep

exp = get_experiment("hopfield-capacity", quick=True)
out = tempfile.mkdtemp()
ds = run_sweep(exp, out, scheduler="synchronous", progress=False)
print(exp.name, dict(ds.sizes))

# %%
# The figure as the sweep wrote it (``hopfield-capacity-quick.png``, with its banner):
import matplotlib.image as mpimg

img = mpimg.imread(f"{out}/{exp.name}.png")
fig = plt.figure(figsize=(img.shape[1] / 100, img.shape[0] / 100), dpi=100)
fig.figimage(img)

# %%
# In the ``[loihi]`` environment, the same network on the emulated chip, with its
# resources, weight quantization, accuracy on and off the chip and an energy estimate::
#
#     neurotwin deploy hopfield --target loihi-emulator
#
# (the gallery's ":ref:`sphx_glr_auto_examples_plot_deploy_loihi.py`" shows a report).
#
# Next: the gallery (one example per model family, your own neuron model, your own
# model), :doc:`/parameters`, the model pages and :doc:`/design`.
