"""
Hopfield network: storage capacity (Amit, Gutfreund & Sompolinsky 1985)
========================================================================

A Hebbian Hopfield network of N binary units recalls its P random patterns up to a load
:math:`\\alpha = P/N \\approx 0.138` and loses them above it. Each stored pattern is
used as its own cue; the figure shows the mean final overlap with it, against the load,
for two small networks. The transition sharpens with N towards
:math:`\\alpha_c = 0.138` (the dashed line).

This is the experiment ``neurotwin sweep hopfield-capacity`` (N up to 2000, 10 seeds:
:doc:`/models/hopfield`) on a smaller grid.
"""

import dataclasses
import tempfile

from neurotwin.sweep import get_experiment, run_sweep

# %%
# The registered experiment, on a small grid: N = 100 and 400, five loads, three seeds.
exp = dataclasses.replace(
    get_experiment("hopfield-capacity"),
    name="hopfield-capacity-gallery",
    grid={"n_units": [100, 400], "alpha": [0.05, 0.1, 0.14, 0.18, 0.25]},
    seeds=(0, 1, 2),
    quick=None,
)
ds = run_sweep(exp, tempfile.mkdtemp(), scheduler="synchronous", progress=False)
print(ds["final_overlap"].mean("seed").round(3).to_pandas())

# %%
# The experiment's own figure.
fig = exp.figure(ds, None)
