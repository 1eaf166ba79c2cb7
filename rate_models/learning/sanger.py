"""``sanger``: k linear units trained online by Sanger's (1989) generalized Hebbian
algorithm find the top-k principal components (``subspace_angle_deg`` to
scikit-learn's PCA).

References
----------
Sanger, T. D. (1989). Neural Networks 2, 459-473.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result

from .pca import (
    PCA_QUICK,
    PcaParams,
    pca_components,
    pca_estimate,
    pca_inputs,
    pca_result,
    pca_validate,
    pca_weights,
    subspace_angle_deg,
    train_pca,
)
from .rules import sanger_update


class SangerParams(PcaParams):
    n_epochs: int = Field(10, ge=1, description="passes over the samples")
    n_components: int = Field(3, ge=1, description="number of output units k (<= N)")


@realization("sanger", "reference")
def run_sanger(params: SangerParams, weights: dict, inputs: dict, seed: int, options=None):
    """k linear units ``y = W x`` trained online by Sanger's rule (t = samples seen)."""
    t, history = train_pca(params, weights, inputs, sanger_update, "sanger")
    return pca_result("sanger", params, t, history, seed)


def sanger_observe(result: Result, params: SangerParams, weights: dict, inputs: dict) -> dict:
    """``subspace_angle_deg``: largest principal angle between the learned rows and the
    top-k PCA components (scikit-learn); ``subspace_angle_curve``; ``component_cosines``:
    |cos| of row i with PC i; ``pc_cosine``: that of row 0 (Sanger's unit 0 is Oja's)."""
    comps = pca_components(np.asarray(inputs["x"], dtype=float), params.n_components)
    hist = np.asarray(result.traces["w"])
    curve = np.array([subspace_angle_deg(w, comps) for w in hist])
    w = hist[-1]
    cos = np.abs(np.sum(w * comps, axis=1)) / np.linalg.norm(w, axis=1)
    return {
        "subspace_angle_deg": float(curve[-1]),
        "subspace_angle_curve": curve,
        "component_cosines": cos,
        "pc_cosine": float(cos[0]),
    }


register_model(
    ModelSpec(
        name="sanger",
        observable_units={
            "subspace_angle_deg": "degree",
            "subspace_angle_curve": "degree",
            "component_cosines": "1",
        },
        params=SangerParams,
        weights=pca_weights,
        make_inputs=pca_inputs,
        validate=pca_validate("sanger"),
        observe=sanger_observe,
        key_observable="subspace_angle_deg",
        estimate=pca_estimate,
        compare_runs=[("reference", "reference", {})],
        quick_params=PCA_QUICK,
        doc="Sanger's (1989) generalized Hebbian algorithm: the top-k principal components; "
        "subspace angle to scikit-learn's PCA.",
    )
)
