"""T = 0 recall of every cue from a given coupling matrix, as a Result: what the memory
family's references share (the learned couplings of a palimpsest, a damaged W)."""

from __future__ import annotations

import numpy as np

from neurotwin.rate_models.hopfield import recall
from neurotwin.rate_models.hopfield.recall import DenseFields
from neurotwin.results import Result


def recall_result(
    model: str,
    params,
    weights: dict,
    inputs: dict,
    seed: int,
    update: str,
    provenance: dict,
) -> Result:
    """Recall ``inputs["cues"]`` on ``weights["W"]``, ``weights["U"]`` at T = 0 with the
    Hopfield reference's kernels (``update``: ``"async"`` numba or ``"sync"``)."""
    rng = np.random.default_rng(seed)
    run = recall.asynchronous if update == "async" else recall.sync
    out = run(
        DenseFields(np.asarray(weights["W"], dtype=np.float64)),
        np.asarray(weights["U"], dtype=np.float64),
        np.asarray(inputs["cues"]),
        rng,
        0.0,
        params.max_sweeps,
    )
    return Result(
        model=model,
        realization="reference",
        params=params.model_dump(),
        seed=seed,
        t=np.arange(len(out.states), dtype=float),
        t_unit="sweep",
        traces={"state": out.states},
        observables={"converged": bool((out.converged_at >= 0).all())},
        provenance=provenance,
    )
