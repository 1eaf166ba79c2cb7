"""
Boltzmann machine: neural sampling (Buesing et al. 2011)
========================================================

A Boltzmann machine of five units small enough to enumerate exactly: Gibbs sampling
(the reference) and a Brian2 network of stochastic spiking neurons that samples by the
neural-sampling construction of Buesing, Bill, Nessler & Maass (2011) both approach the
exact distribution; the figure shows the KL divergence to it against the number of
samples, and the sampled against the exact marginals.

Full size: ``neurotwin sweep boltzmann-sampling`` (:doc:`/models/boltzmann`).
"""

import tempfile

from neurotwin.sweep import get_experiment, run_sweep

# %%
# The experiment's reduced grid (five units, four chains, 1 s of spiking).
exp = get_experiment("boltzmann-sampling", quick=True)
ds = run_sweep(exp, tempfile.mkdtemp(), scheduler="synchronous", progress=False)
print(exp.summary(ds))

# %%
fig = exp.figure(ds, None)
