"""
Ring attractor: a bump that moves with the velocity input (Zhang 1996)
======================================================================

A ring of neurons holds a bump of activity; adding :math:`\\gamma W'` (the derivative of
the recurrent kernel) to the weights moves the bump at a speed proportional to
:math:`\\gamma` (Zhang 1996). The rate reference, Brian2 and Nengo, against the theory
line.

Full size: ``neurotwin sweep ring-speed`` (:doc:`/models/ring_attractor`).
"""

import tempfile

from neurotwin.sweep import get_experiment, run_sweep

exp = get_experiment("ring-speed", quick=True)
ds = run_sweep(exp, tempfile.mkdtemp(), scheduler="synchronous", progress=False)
print(exp.summary(ds))

# %%
fig = exp.figure(ds, None)
