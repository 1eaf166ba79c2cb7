"""
Perceptron: Cover's function counting theorem (Cover 1965)
==========================================================

P points in general position in N dimensions with random labels are linearly separable
with probability :math:`C(P, N) = 2^{1-P} \\sum_{k=0}^{N-1} \\binom{P-1}{k}` (Cover 1965):
1 up to P = N, 1/2 at P = 2N, 0 beyond. Rosenblatt's perceptron finds a separating
plane whenever there is one (Novikoff 1962), so the fraction of random dichotomies it
learns follows Cover's curve. Each point is one data set: separable when the perceptron
converged within its epoch limit.
"""

import matplotlib.pyplot as plt
import numpy as np

import neurotwin

n = 10
loads = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
seeds = range(20)
learned, cover = [], []
for load in loads:
    runs = [
        neurotwin.run(
            "perceptron",
            task="dichotomy",
            n_features=n,
            n_samples=int(load * n),
            max_epochs=200,
            seed=s,
        )
        for s in seeds
    ]
    learned.append(np.mean([r.observables["converged"] for r in runs]))
    cover.append(runs[0].observables["cover_probability"])
    print(f"P/N = {load}: learned {learned[-1]:.2f}, Cover {cover[-1]:.3f}")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(loads, cover, "k--", label="Cover (1965), N = 10")
ax.plot(loads, learned, "o-", label="perceptron converged (20 data sets)")
ax.set_xlabel("load P / N (points per input dimension)")
ax.set_ylabel("fraction of dichotomies learned")
ax.legend()
ax.grid(alpha=0.3)
