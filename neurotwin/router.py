"""One router for user values: which is a model parameter, which a realization option.

``run``, ``compare``, ``sweep`` and ``deploy`` all go through :func:`route`, so a name
means the same thing everywhere, and a value the user set is never replaced: a
comparison row or a realization that cannot honour it stops the command with a
one-line error naming the parameter, the row and why (:func:`row_values`).

Every function here first reads the values through :func:`canonical`: a quantity with a
unit (``"20 ms"``, a Brian2 ``20*ms``) becomes a number in the field's declared unit,
and a name without its unit suffix (``tau_m`` with a unit) the field's name (``tau_m_s``).
"""

from __future__ import annotations

from typing import Any

from . import units
from .errors import ParamError
from .params import Params
from .registry import ModelSpec, Realization, get_model


def canonical(spec: ModelSpec, reals: list[Realization], values: dict) -> dict:
    """``values`` with quantities in their fields' declared units and names resolved
    (see :func:`neurotwin.units.resolve`) against the model's parameters and the options
    of ``reals``; names that are none of these are kept for the caller to refuse."""
    return units.resolve([spec.params, *(r.options for r in reals)], values)


def option_fields(real: Realization) -> set[str]:
    return set(real.options.model_fields) if real.options else set()


def accepted(spec: ModelSpec, real: Realization) -> set[str]:
    """Every name a run of ``real`` accepts: the model's parameters and the options."""
    return set(spec.params.model_fields) | option_fields(real)


def split(spec: ModelSpec, real: Realization, values: dict) -> tuple[dict, dict]:
    """``values`` -> (model parameter values, realization option values); unknown names raise."""
    values = canonical(spec, [real], values)
    opts = option_fields(real)
    model_kw = {k: v for k, v in values.items() if k not in opts}
    opt_kw = {k: v for k, v in values.items() if k in opts}
    unknown = sorted(set(model_kw) - set(spec.params.model_fields))
    if unknown:
        allowed = list(spec.params.model_fields) + sorted(opts)
        raise ParamError(
            f"{spec.params.__name__}.{unknown[0]}: unknown parameter for realization "
            f"{real.name!r} (allowed: {', '.join(allowed)}) (got {model_kw[unknown[0]]!r})"
        )
    return model_kw, opt_kw


def given_values(params: Params | dict | None) -> dict:
    """The values a caller set: a dict as given; of a Params object only the fields set
    explicitly when it was made (its defaults are not the caller's choice)."""
    if isinstance(params, Params):
        return {k: getattr(params, k) for k in params.model_fields_set}
    return dict(params or {})


def route(
    spec: ModelSpec,
    real: Realization,
    params: Params | dict | None,
    values: dict,
    implied: dict | None = None,
) -> tuple[Params, Params | None]:
    """Validated model parameters and realization options from the user's ``values``.

    Where the user set no value, the realization's own ``defaults`` come before the
    model's (recorded in the Result's provenance). ``implied`` holds parameter values
    that the user's own arrays imply (e.g. ``n_units`` from the patterns' shape); one
    that contradicts a value the user set is refused.
    """
    model_kw, opt_kw = split(spec, real, values)
    base = canonical(spec, [], given_values(params))
    explicit = {**base, **model_kw}
    for name, value in (implied or {}).items():
        if name in explicit and explicit[name] != value:
            raise ParamError(
                f"{spec.params.__name__}.{name}: the given arrays imply {value!r}, which "
                f"contradicts the value set (got {explicit[name]!r})"
            )
    if not isinstance(params, (Params, dict, type(None))):
        spec.params.create(params)  # raises the class's own error for a wrong type
    own = {k: v for k, v in real.defaults.items() if k not in explicit and k not in (implied or {})}
    p = spec.params.create(None, **{**own, **(implied or {}), **explicit})
    opts = real.options.create(None, **opt_kw) if real.options else None
    return p, opts


def defaults_used(
    real: Realization, params: Params | dict | None, values: dict, implied: dict | None
) -> dict:
    """The realization's own defaults that :func:`route` applied (the user set none of them)."""
    spec = get_model(real.model)
    values = canonical(spec, [real], values)
    base = canonical(spec, [], given_values(params))
    return {
        k: v
        for k, v in real.defaults.items()
        if k not in values and k not in base and k not in (implied or {})
    }


def shared_defaults(spec: ModelSpec, reals: list[Realization], values: dict) -> dict:
    """The realizations' own defaults (where the user set none) that runs side by side
    (``compare``, ``deploy``) all take, so every run simulates the same model; two
    realizations that need different values cannot be compared on their defaults."""
    values = canonical(spec, reals, values)
    out: dict[str, Any] = {}
    for real in reals:
        for name, value in real.defaults.items():
            if name in values:
                continue
            if name in out and out[name] != value:
                raise ParamError(
                    f"{spec.params.__name__}.{name}: the realizations need different values "
                    f"({out[name]!r} and {value!r} for {real.name!r}); set it (got none)"
                )
            out[name] = value
    return out


def check_names(spec: ModelSpec, reals: list[Realization], values: dict) -> None:
    """Refuse a name that no realization in ``reals`` (nor the model) accepts."""
    values = canonical(spec, reals, values)
    names = set(spec.params.model_fields)
    for real in reals:
        names |= option_fields(real)
    unknown = sorted(set(values) - names)
    if unknown:
        raise ParamError(
            f"{spec.params.__name__}.{unknown[0]}: unknown parameter "
            f"(allowed: {', '.join(sorted(names))}) (got {values[unknown[0]]!r})"
        )


def row_values(
    spec: ModelSpec, real: Realization, label: str, row: dict, user: dict
) -> dict[str, Any]:
    """The values one comparison row runs with: the user's, plus the row's own settings.

    A row's setting (e.g. ``update='sync'``) never overrides a value the user set: if
    they differ, the comparison is refused, naming the parameter and the row.
    """
    user = canonical(spec, [real], user)
    mine = accepted(spec, real)
    kw = {k: v for k, v in user.items() if k in mine}
    for name, value in row.items():
        if name in user and user[name] != value:
            raise ParamError(
                f"{spec.params.__name__}.{name}: comparison row {label!r} runs with "
                f"{name}={value!r}, which would replace the value set; compare chosen "
                f"realizations instead (--realization) (got {user[name]!r})"
            )
        kw[name] = value
    return kw
