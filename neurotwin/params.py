"""Validated, frozen, JSON-serialisable parameter sets.

Each model declares one subclass of :class:`Params` whose fields carry their
constraints (``Field(ge=2)``, ``Literal[...]``). Whatever goes wrong with a value,
the error names the class, the field, the whole rule and the value::

    HopfieldParams.n_units: must be an integer >= 2 (got 1)

Validation is strict (``"3"`` is not an integer, ``True`` is not a number) and
rejects NaN/inf, so a parameter set that exists is a usable one.

Units (:mod:`neurotwin.units`): a dimensional field says its unit in its name
(``tau_m_s``) or declares it (``json_schema_extra={"unit": "rad/s"}``); :meth:`Params.field_unit`
reads it. :meth:`Params.create` takes quantities with units (``"20 ms"``, a Brian2
``20*ms``) and converts them to the declared unit, and every instance refuses values
outside a physically plausible range for their kind (one line)::

    LifSyncParams.tau_m_s: 20 s is not a plausible membrane time constant
    (1e-4..1 s); did you mean 20 ms? (got 20)
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any, Literal

import annotated_types as at
import numpy as np
import pydantic

from . import units
from .errors import ParamError

_MISSING = object()


class Params(pydantic.BaseModel):
    """Base class for every model's (and realization's) parameters."""

    model_config = pydantic.ConfigDict(
        frozen=True, extra="forbid", strict=True, allow_inf_nan=False, validate_default=True
    )

    @classmethod
    def create(cls, base: Params | dict | None = None, **overrides: Any) -> typing.Self:
        """Build a validated instance from defaults, ``base`` and ``overrides``.

        Raises
        ------
        ParamError
            For the first invalid, unknown or wrongly typed field.
        """
        if isinstance(base, Params):
            if type(base) is not cls:
                raise ParamError(
                    f"{cls.__name__}: expected {cls.__name__} (got {type(base).__name__})"
                )
            values = base.model_dump()
        elif base is None:
            values = {}
        elif isinstance(base, dict):
            values = dict(base)
        else:
            raise ParamError(
                f"{cls.__name__}: params must be a {cls.__name__}, a dict or None "
                f"(got {type(base).__name__})"
            )
        values.update(overrides)
        values = units.resolve([cls], {k: _plain(v) for k, v in values.items()})
        cls.check_known(values)
        try:
            return cls(**values)
        except pydantic.ValidationError as exc:
            raise _to_param_error(cls, exc, values) from None

    @classmethod
    def check_known(cls, values: dict) -> None:
        unknown = sorted(set(values) - set(cls.model_fields))
        if unknown:
            name = unknown[0]
            raise ParamError(
                f"{cls.__name__}.{name}: unknown parameter "
                f"(allowed: {', '.join(cls.model_fields)}) (got {values[name]!r})"
            )

    @classmethod
    def constraint(cls, field: str) -> str:
        """The human-readable constraint on ``field``, e.g. ``must be an integer >= 2``."""
        info = cls.model_fields[field]
        parts = [_type_phrase(info.annotation)]
        for meta in info.metadata:
            for attr, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
                bound = getattr(meta, attr, None)
                if bound is not None and isinstance(
                    meta, (at.Ge, at.Gt, at.Le, at.Lt, at.Interval)
                ):
                    parts.append(f"{op} {bound}")
        text = parts[0] + (" " + " and ".join(parts[1:]) if len(parts) > 1 else "")
        return "must be " + text

    @classmethod
    def field_unit(cls, field: str) -> str | None:
        """The declared unit of ``field`` (``"s"`` for ``tau_m_s``); None: dimensionless."""
        return units.field_unit(cls, field)

    @classmethod
    def field_description(cls, field: str) -> str:
        """The one-line meaning of ``field`` (its ``Field(description=...)``)."""
        return cls.model_fields[field].description or ""

    @pydantic.model_validator(mode="after")
    def _plausible_values(self) -> typing.Self:
        for name in type(self).model_fields:
            why = units.implausible(type(self), name, getattr(self, name))
            if why is not None:
                raise ValueError(why)
        return self

    def to_json(self) -> str:
        return json.dumps(self.model_dump(), sort_keys=True)


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (``np.int64(50)`` is the integer 50);
    strict validation would otherwise refuse it as "not an integer"."""
    if isinstance(value, np.generic) and value.ndim == 0:
        return value.item()
    return value


def _type_phrase(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(repr(v) for v in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(_type_phrase(a) for a in args) + " or None"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a finite number",
        str: "a string",
    }.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _to_param_error(cls: type[Params], exc: pydantic.ValidationError, values: dict) -> ParamError:
    err = exc.errors()[0]
    loc = err["loc"]
    field = str(loc[0]) if loc else "?"
    if field in cls.model_fields:
        got = values.get(field, err.get("input"))
        return ParamError(f"{cls.__name__}.{field}: {cls.constraint(field)} (got {got!r})")
    # model-level validators raise ValueError("field: rule (got value)")
    return ParamError(f"{cls.__name__}.{err['msg'].removeprefix('Value error, ')}")
