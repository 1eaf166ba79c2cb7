"""
Modern Hopfield networks: dense associative memory (Krotov & Hopfield 2016)
============================================================================

Polynomial and exponential interaction functions store many more patterns than the
classical quadratic energy; the softmax update is the attention of Ramsauer et al.
(2021); the spiking soft winner-take-all circuit (Brian2) realizes the softmax update.
Final overlap with the cued pattern against the number of stored patterns, N = 32
units.

Full size: ``neurotwin sweep dense-capacity`` (:doc:`/models/modern_hopfield`).
"""

import dataclasses
import tempfile

from neurotwin.sweep import get_experiment, run_sweep

exp = dataclasses.replace(
    get_experiment("dense-capacity"),
    name="dense-capacity-gallery",
    grid={"n_patterns": [4, 16, 32]},
    seeds=(0,),
    quick=None,
)
exp = dataclasses.replace(exp, fixed={**exp.fixed, "n_units": 32, "n_cues": 4})
ds = run_sweep(exp, tempfile.mkdtemp(), scheduler="synchronous", progress=False)
print(ds["final_overlap"].mean("seed").round(3).to_pandas())

# %%
fig = exp.figure(ds, None)
