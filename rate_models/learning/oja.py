"""``oja``: one linear unit trained online by Oja's (1982) rule or normalised Hebb finds
the first principal component (``pc_cosine``: the absolute cosine to scikit-learn's
first principal component).

References
----------
Oja, E. (1982). J. Math. Biol. 15, 267-273.
"""

from __future__ import annotations

from typing import Literal

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
    train_pca,
)
from .rules import hebb_normalized_update, oja_update


class OjaParams(PcaParams):
    """:class:`PcaParams` plus the choice of rule."""

    rule: Literal["oja", "hebb-normalized"] = Field("oja", description="which Hebbian rule")


@realization("oja", "reference")
def run_oja(params: OjaParams, weights: dict, inputs: dict, seed: int, options=None) -> Result:
    """One linear unit ``y = w . x`` trained online by Oja's rule or normalised Hebb
    (t = samples seen)."""
    if params.rule == "oja":

        def update(w, pre, post, eta):
            return oja_update(w[0], pre, post[0], eta)[None]
    else:

        def update(w, pre, post, eta):
            return hebb_normalized_update(w[0], pre, post[0], eta)[None]

    t, history = train_pca(params, weights, inputs, update, "oja")
    return pca_result("oja", params, t, history, seed)


def oja_observe(result: Result, params: OjaParams, weights: dict, inputs: dict) -> dict:
    """``pc_cosine``: |cos| between the final w and scikit-learn's first PC;
    ``pc_cosine_curve`` over the checkpoints; ``weight_norm`` (Oja: tends to 1)."""
    pc1 = pca_components(np.asarray(inputs["x"], dtype=float), 1)[0]
    w = np.asarray(result.traces["w"])[:, 0, :]
    cos = np.abs(w @ pc1) / np.linalg.norm(w, axis=1)
    return {
        "pc_cosine": float(cos[-1]),
        "pc_cosine_curve": cos,
        "weight_norm": float(np.linalg.norm(w[-1])),
    }


register_model(
    ModelSpec(
        name="oja",
        observable_units={
            "pc_cosine": "1",
            "pc_cosine_curve": "1",
            "weight_norm": "1",
        },
        params=OjaParams,
        weights=pca_weights,
        make_inputs=pca_inputs,
        validate=pca_validate("oja"),
        observe=oja_observe,
        key_observable="pc_cosine",
        # rate vs spiking (tests/learning/test_learning_nengo.py): PC cosine within 0.01.
        agreement=[{"observable": "pc_cosine", "atol": 0.01, "rtol": 0.0}],
        estimate=pca_estimate,
        compare_runs=[("reference", "reference", {}), ("nengo", "nengo", {})],
        quick_params=PCA_QUICK,
        doc="Oja's (1982) rule (or normalised Hebb): one unit finds the first principal "
        "component; |cos| to scikit-learn's PCA.",
    )
)
