r"""A Hebbian Hopfield memory with damaged synapses (``damage.py``): recall against damage.

Patterns and the Hebbian W as in ``neurotwin.rate_models.hopfield`` (:math:`W = \frac1N
\sum_\mu \xi^\mu\xi^{\mu\top}`, zero diagonal), then one kind of damage (``damage``, with
``level`` and ``bits``), then recall from a cue of every pattern (asynchronous or
synchronous, T = 0). Overlaps are measured over the surviving units.

Published numbers this reproduces (``experiments/memory.py``, ``tests/memory``):
the classical capacity :math:`\alpha_c \approx 0.138` (Amit, Gutfreund & Sompolinsky 1985);
clipped synapses lower it (Sompolinsky 1986; the value the issue quotes is about 0.1, the
search tool found no text of the paper to check it); extremely diluted asymmetric networks
store :math:`P = (2/\pi) K` patterns with K inputs per unit (Derrida, Gardner & Zippelius
1987, in the limit :math:`K \ll \ln N`, which finite N only approaches).

References
----------
Sompolinsky, H. (1986). Neural networks with nonlinear synapses and a static noise.
Phys. Rev. A 34, 2571.
Derrida, B., Gardner, E. & Zippelius, A. (1987). An exactly solvable asymmetric neural
network model. Europhys. Lett. 4, 167.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from neurotwin.errors import InputError, ParamError
from neurotwin.rate_models.hopfield.hopfield import (
    HopfieldParams,
    hebbian,
    make_cues,
    random_patterns,
)
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result

from ._damaged import delegate
from .cue_recall import recall_result
from .damage import DamageParams, damage

RECALL_THRESHOLD = 0.95


class DamagedHopfieldParams(DamageParams):
    """A Hebbian memory, one kind of damage, and recall of every pattern."""

    n_units: int = Field(200, ge=2, description="number of binary units N")
    n_patterns: int = Field(10, ge=1, description="number of stored random patterns P")
    cue_noise: float = Field(0.1, ge=0, le=1, description="fraction of flipped bits in each cue")
    update: Literal["async", "sync"] = Field("async", description="update schedule")
    max_sweeps: int = Field(50, ge=1, description="upper bound on sweeps per recall")


def weights(params: DamagedHopfieldParams, rng: np.random.Generator) -> dict:
    patterns = random_patterns(params.n_patterns, params.n_units, rng)
    w, alive = damage(hebbian(patterns), params.damage, params.level, params.bits, rng)
    return {"W": w, "patterns": patterns, "U": np.zeros(params.n_units), "alive": alive}


def make_inputs(params: DamagedHopfieldParams, weights: dict, rng: np.random.Generator) -> dict:
    targets = np.arange(params.n_patterns)
    return {
        "cues": make_cues(weights["patterns"], targets, params.cue_noise, rng),
        "targets": targets,
    }


def validate(params: DamagedHopfieldParams, weights: dict, inputs: dict) -> None:
    n, p = params.n_units, params.n_patterns
    for kind, mapping, key, shape in (
        ("weights", weights, "W", (n, n)),
        ("weights", weights, "patterns", (p, n)),
        ("weights", weights, "alive", (n,)),
        ("inputs", inputs, "cues", (p, n)),
    ):
        if key not in mapping:
            raise InputError(
                f"damaged-hopfield {kind}[{key!r}]: is missing (got {sorted(mapping)})"
            )
        if np.shape(mapping[key]) != shape:
            raise InputError(
                f"damaged-hopfield {kind}[{key!r}]: must have shape {shape} "
                f"(got {np.shape(mapping[key])})"
            )


def observe(result: Result, params: DamagedHopfieldParams, weights: dict, inputs: dict) -> dict:
    alive = np.asarray(weights["alive"], dtype=bool)
    final = result.traces["state"][-1][:, alive].astype(np.float64)
    target = weights["patterns"][np.asarray(inputs["targets"])][:, alive].astype(np.float64)
    m = np.einsum("cn,cn->c", final, target) / max(int(alive.sum()), 1)
    return {
        "final_overlaps": m,
        "final_overlap": float(m.mean()),
        "recall_fraction": float((m >= RECALL_THRESHOLD).mean()),
    }


@realization("damaged-hopfield", "reference")
def run_reference(
    params: DamagedHopfieldParams, weights: dict, inputs: dict, seed: int, options=None
):
    """T = 0 recall of every cue from the damaged W (asynchronous numba kernel or sync)."""
    return recall_result(
        "damaged-hopfield",
        params,
        weights,
        inputs,
        seed,
        params.update,
        {"damage": params.damage, "update": params.update},
    )


SPEC = register_model(
    ModelSpec(
        name="damaged-hopfield",
        observable_units={
            "final_overlap": "1",
            "converged": "1",
            # the spiking realizations (hopfield's) report it too
            "converged_cues": "1",
        },
        params=DamagedHopfieldParams,
        weights=weights,
        make_inputs=make_inputs,
        validate=validate,
        observe=observe,
        key_observable="final_overlap",
        compare_runs=[("reference", "reference", {})],
        input_params=("cue_noise",),
        quick_params={"n_units": 40, "n_patterns": 3, "max_sweeps": 20},
        doc="Hebbian Hopfield memory with damaged synapses: dilution, deleted neurons, "
        "synaptic noise, clipping, b-bit quantization.",
    )
)


def hopfield_params(params: DamagedHopfieldParams) -> HopfieldParams:
    """The ``hopfield`` parameters of the spiking realizations: one cue per pattern.

    The spiking networks have their own dynamics (no update schedule, no sweep count):
    ``update='sync'`` is refused there; ``max_sweeps`` bounds the reference only.
    """
    if params.update != "async":
        raise ParamError(
            "DamagedHopfieldParams.update: must be 'async' on a spiking realization, whose "
            f"neurons are not updated in sweeps (got {params.update!r})"
        )
    return HopfieldParams(
        n_units=params.n_units,
        n_patterns=params.n_patterns,
        n_cues=params.n_patterns,
        cue_noise=params.cue_noise,
    )


# the spiking realizations of ``hopfield`` on the damaged W (their defaults are hopfield's)
delegate(
    "damaged-hopfield",
    "hopfield",
    ("brian2", "nengo", "loihi-emulator"),
    to_base=hopfield_params,
    copy_defaults=False,
)
