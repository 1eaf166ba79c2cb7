"""A damaged twin of a registered model: its parameters plus ``damage``, ``level``, ``bits``,
its synapses damaged where its weights are built, and every realization of the original.

Why parameters and not user weights: damage as a model parameter is drawn from the run's
weights stream like every other random array, so a registered sweep (``experiments/``) can
put ``damage`` and ``level`` on its axes, every realization of one point runs the same
damaged synapses, and the Result records what was damaged. The damaged model's realizations
are the original model's, run on the damaged weights (same options, checks, preflights and
realization defaults), so a spiking network, Nengo and the Loihi emulator each see exactly
the synapses the reference sees.

The original weights are kept beside the damaged ones under ``<key>_undamaged``: the cues
(``make_inputs``), the input checks (``validate``) and the observables (``observe``) use
them (e.g. recall is measured against the stored patterns, not against their damaged copy),
the realizations use the damaged ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from neurotwin.params import Params
from neurotwin.registry import ModelSpec, get_model, realization
from neurotwin.results import Result

from .damage import damage_arrays

UNDAMAGED = "_undamaged"


def undamaged(weights: dict) -> dict:
    """The original weights (each ``<key>_undamaged`` under its own key again)."""
    out = {k: v for k, v in weights.items() if not k.endswith(UNDAMAGED)}
    for k, v in weights.items():
        if k.endswith(UNDAMAGED):
            out[k[: -len(UNDAMAGED)]] = v
    return out


def damaged_weights(base: ModelSpec, keys: Sequence[str], square: bool) -> Callable:
    """``weights(params, rng)``: the original model's, then ``keys`` damaged together."""

    def weights(params, rng: np.random.Generator) -> dict:
        w = base.weights(params, rng)
        if params.damage == "none":
            return w
        out = dict(w)
        hit = damage_arrays([w[k] for k in keys], params.damage, params.level, params.bits,
                            rng, square)  # fmt: skip
        for k, a in zip(keys, hit, strict=True):
            out[k] = a
            out[k + UNDAMAGED] = w[k]
        return out

    return weights


def delegate(
    model: str,
    base_model: str,
    names: Sequence[str],
    to_base: Callable[[Params], Params] | None = None,
    copy_defaults: bool = True,
) -> None:
    """Register, for ``model``, the realizations ``names`` of ``base_model`` that exist.

    Each builds and runs the original realization on ``to_base(params)`` (default: the
    damaged model's parameters themselves, a subclass of the original's) and the damaged
    weights, and labels the Result with ``model``. ``to_base`` is also called in the
    preflight, so a setting the original realization cannot honour is refused there (a
    ``ParamError``) before anything is built.
    """
    base = get_model(base_model)
    convert = to_base or (lambda p: p)
    for name in names:
        if name not in base.realizations:
            continue
        real = base.realizations[name]

        def preflight(params, weights, inputs, seed, options=None, _real=real):
            # ``to_base`` refuses what the original realization cannot honour, before any work
            base_params = convert(params)
            if _real.preflight is not None:
                _real.preflight(base_params, weights, inputs, seed, options)

        class Delegated:
            __doc__ = f"{real.doc or name} (on the damaged synapses of {model})"

            @staticmethod
            def build(params, weights, inputs, seed, options, _real=real):
                return params, _real.build(convert(params), weights, inputs, seed, options)

            @staticmethod
            def run(built, inputs, _real=real) -> Result:
                params, inner = built
                result = _real.run(inner, inputs)
                result.model = model
                result.params = params.model_dump()
                return result

        realization(
            model,
            name,
            options=real.options,
            requires=real.requires,
            check=real.check,
            preflight=preflight,
            capabilities=real.capabilities,
            defaults=real.defaults if copy_defaults else None,
            hooks=real.hooks,
        )(Delegated)


def damaged_spec(
    name: str, base_model: str, params: type[Params], keys: Sequence[str], square: bool, doc: str
) -> ModelSpec:
    """The ModelSpec of ``name``: ``base_model``'s, with ``keys`` of its weights damaged."""
    base = get_model(base_model)

    def make_inputs(p, weights: dict, rng: np.random.Generator) -> dict:
        return base.make_inputs(p, undamaged(weights), rng)

    def validate(p, weights: dict, inputs: dict) -> None:
        base.validate(p, undamaged(weights), inputs)

    def observe(result: Result, p, weights: dict, inputs: dict) -> dict:
        return base.observe(result, p, undamaged(weights), inputs)

    return ModelSpec(
        name=name,
        params=params,
        weights=damaged_weights(base, keys, square),
        make_inputs=make_inputs,
        validate=validate,
        observe=observe,
        key_observable=base.key_observable,
        compare_runs=list(base.compare_runs),
        quick_params=dict(base.quick_params),
        doc=doc,
        estimate=base.estimate,
        input_params=tuple(base.input_params),
        observable_units=dict(base.observable_units),
    )
