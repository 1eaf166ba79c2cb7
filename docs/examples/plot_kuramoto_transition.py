"""
Synchronization: the Kuramoto transition (Kuramoto 1975)
========================================================

N phase oscillators with Lorentzian natural frequencies of half-width :math:`\\gamma`
synchronize above the critical coupling :math:`K_c = 2\\gamma`, with the order
parameter :math:`r = \\sqrt{1 - K_c/K}` (Kuramoto 1975; Strogatz 2000). The simulated
order parameter against the theory, for two sizes.

Full size: ``neurotwin sweep kuramoto-transition`` (:doc:`/models/synchronization`).
"""

import dataclasses
import tempfile

from neurotwin.sweep import get_experiment, run_sweep

exp = dataclasses.replace(
    get_experiment("kuramoto-transition", quick=True),
    name="kuramoto-transition-gallery",
    grid={"n_oscillators": [100, 1000], "coupling": [0.5, 1.0, 1.5, 2.0, 3.0]},
    quick=None,
)
ds = run_sweep(exp, tempfile.mkdtemp(), scheduler="synchronous", progress=False)

# %%
fig = exp.figure(ds, None)
