"""
Learning: Oja's and Sanger's rules find the principal components (Oja 1982)
===========================================================================

A linear neuron with Oja's Hebbian rule converges to the first principal component of
its input; Sanger's generalized Hebbian algorithm (1989) finds the first k. The angle
between the learned weights and scikit-learn's PCA, during learning.

Full size: ``neurotwin sweep hebbian-pca`` (:doc:`/models/learning`).
"""

import tempfile

from neurotwin.sweep import get_experiment, run_sweep

exp = get_experiment("hebbian-pca", quick=True)
ds = run_sweep(exp, tempfile.mkdtemp(), scheduler="synchronous", progress=False)
print(exp.summary(ds))

# %%
fig = exp.figure(ds, None)
