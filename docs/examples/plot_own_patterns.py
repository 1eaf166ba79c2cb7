"""
Your own patterns: images in a Hopfield network, rate vs spiking
=================================================================

Store your own images in a Hopfield network and recall them from corrupted cues, with
the binary reference and with the Brian2 network of LIF neurons, on the same cues.

The images are scikit-learn's handwritten digits (8 x 8 pixels, bundled with
scikit-learn, no download), binarized to +-1. Digits are correlated patterns, far
from the random patterns of Hopfield's capacity analysis, so they are stored with the
pseudo-inverse rule (Personnaz, Guyon & Dreyfus 1985), which stores any linearly
independent set exactly.

From the command line the same run is::

    python -c "import numpy as np; from sklearn.datasets import load_digits; \\
        im = load_digits().images[:5]; \\
        np.save('digits.npy', np.where(im > 7, 1, -1).reshape(5, 64))"
    neurotwin run hopfield --patterns digits.npy --set storage=pseudoinverse --set cue_noise=0.15
    neurotwin run hopfield --patterns digits.npy --set storage=pseudoinverse --set cue_noise=0.15 \\
        --realization brian2
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

import neurotwin

# %%
# The patterns: five digits, 64 pixels each, +1 where the pixel is dark.
digits = load_digits()
images = digits.images[[0, 1, 2, 3, 4]]  # one each of 0, 1, 2, 3, 4
patterns = np.where(images > 7, 1, -1).reshape(len(images), -1)
print(patterns.shape)

# %%
# Recall them: ``weights={"patterns": ...}`` stores your patterns (``n_units`` = 64 and
# ``n_patterns`` = 5 come from their shape) and draws the cues from them, 15 % of the
# pixels of each flipped. The same seed gives both realizations the same cues.
common = dict(weights={"patterns": patterns}, storage="pseudoinverse", cue_noise=0.15, seed=0)
ref = neurotwin.run("hopfield", "reference", n_cues=5, **common)
spk = neurotwin.run("hopfield", "brian2", n_cues=5, **common)
for r in (ref, spk):
    print(r.realization, "final overlap", round(r.observables["final_overlap"], 3))

# %%
# The cue is the state at the start of the reference's trace (sweep 0); the recalled
# image is the last state of each realization.
cues = ref.traces["state"][0]
rows = {
    "stored": patterns,
    "cue": cues,
    "reference": ref.traces["state"][-1],
    "Brian2 (LIF spikes)": spk.traces["state"][-1],
}
fig, axes = plt.subplots(len(rows), len(patterns), figsize=(7, 6))
for row, (label, states) in zip(axes, rows.items(), strict=True):
    for ax, state in zip(row, states, strict=True):
        ax.imshow(state.reshape(8, 8), cmap="gray_r", vmin=-1, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(label, rotation=0, ha="right", va="center")
fig.suptitle("digits stored by the pseudo-inverse rule, recalled from noisy cues")
fig.tight_layout()

# %%
# The overlap with the cued pattern over time, mean over the five cues (``Result.plot``):
# the reference counts time in sweeps, Brian2 in seconds (one decoded state per 20 ms
# window, after the 40 ms cue).
fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
ref.plot(ax=a)
spk.plot(ax=b)
fig.tight_layout()
