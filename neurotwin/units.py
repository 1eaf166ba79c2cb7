"""Units of parameters: declared once, from the names, and checked at the boundary.

Convention: a dimensional field says its unit in its name (``tau_m_s``, ``dt_s`` in
seconds, ``rate_hz`` in Hz, ``freq_sd_rad_s`` in rad/s, ``mass_kg``, ...), see
:data:`SUFFIXES`. A field whose unit its name does not say declares it explicitly,
``Field(..., json_schema_extra={"unit": "rad/s"})``; ``{"unit": None}`` declares a
field dimensionless whatever its name ends with. :func:`field_unit` is the one place
that reads either.

At the boundary (``--set``, ``neurotwin.run(**values)``, ``Params.create``) a value may
carry a unit: a text quantity (``"20ms"``, ``"20 ms"``, ``"1.5 kHz"``, ``"2 rad/s"``) or
a Brian2 ``Quantity`` (``20*ms``; Brian2 is imported by nobody here: a Quantity is
recognised by its type's module). It is converted to the field's declared unit; a bare
number is read in the declared unit; a wrong dimension is a one-line error. A name
without its unit suffix is accepted when the value carries a unit (``tau_m=20ms`` sets
``tau_m_s``).

Plausibility: a few quantity kinds, derived conservatively from the names
(:data:`KINDS`: membrane and synaptic time constants, refractory periods, time steps),
have a physically plausible range; a value outside it is refused with a one-line error
naming the unit and, where one fits, the value probably meant
(``20 s is not a plausible membrane time constant (1e-4..1 s); did you mean 20 ms?``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

#: base dimensions; ``rad`` is kept apart so that rad/s is never read as Hz (a factor 2 pi)
BASES = ("s", "m", "kg", "A", "rad")

#: unit suffixes of field names, longest first where one ends another (``_rad_s``)
SUFFIXES: dict[str, str] = {
    "_rad_s": "rad/s",
    "_kg_s": "kg/s",
    "_n_m": "N/m",
    "_s": "s",
    "_hz": "Hz",
    "_rad": "rad",
    "_deg": "deg",
    "_kg": "kg",
    "_n": "N",
    "_m": "m",
}


@dataclass(frozen=True)
class Kind:
    """A quantity kind with a physically plausible range, in the field's unit."""

    label: str
    low: float
    high: float
    unit: str = "s"


#: kinds by the field's name without its unit suffix; conservative on purpose: ``tau_s``
#: (ring attractor, neural sampler), learning time scales and durations are not checked
KINDS: dict[str, Kind] = {
    "tau_m": Kind("membrane time constant", 1e-4, 1.0),
    "tau_rc": Kind("membrane time constant", 1e-4, 1.0),
    "tau_syn": Kind("synaptic time constant", 1e-5, 1.0),
    "tau_ref": Kind("refractory period", 0.0, 0.1),
    "dt": Kind("time step", 1e-8, 1.0),
}

_PREFIX = {"n": 1e-9, "u": 1e-6, "µ": 1e-6, "μ": 1e-6, "m": 1e-3, "c": 1e-2, "k": 1e3, "M": 1e6}
#: symbol -> (factor to SI, exponents over BASES); prefixes are allowed on these
_SYMBOLS: dict[str, tuple[float, tuple[int, ...]]] = {
    "s": (1.0, (1, 0, 0, 0, 0)),
    "Hz": (1.0, (-1, 0, 0, 0, 0)),
    "m": (1.0, (0, 1, 0, 0, 0)),
    "g": (1e-3, (0, 0, 1, 0, 0)),
    "N": (1.0, (-2, 1, 1, 0, 0)),
    "A": (1.0, (0, 0, 0, 1, 0)),
    "V": (1.0, (-3, 2, 1, -1, 0)),
    "rad": (1.0, (0, 0, 0, 0, 1)),
}
#: whole words (no prefix)
_WORDS: dict[str, tuple[float, tuple[int, ...]]] = {
    "deg": (math.pi / 180, (0, 0, 0, 0, 1)),
    "min": (60.0, (1, 0, 0, 0, 0)),
    "h": (3600.0, (1, 0, 0, 0, 0)),
    "second": (1.0, (1, 0, 0, 0, 0)),
    "msecond": (1e-3, (1, 0, 0, 0, 0)),
    "usecond": (1e-6, (1, 0, 0, 0, 0)),
    "hertz": (1.0, (-1, 0, 0, 0, 0)),
    "1": (1.0, (0, 0, 0, 0, 0)),
}

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*\*?\s*([^\d\s.+*-].*?)\s*$")
_DIM_NAMES = {
    (1, 0, 0, 0, 0): "a time",
    (-1, 0, 0, 0, 0): "a frequency",
    (0, 1, 0, 0, 0): "a length",
    (0, 0, 1, 0, 0): "a mass",
    (-2, 1, 1, 0, 0): "a force",
    (-3, 2, 1, -1, 0): "a voltage",
    (0, 0, 0, 1, 0): "a current",
    (0, 0, 0, 0, 1): "an angle",
    (-1, 0, 0, 0, 1): "an angular frequency",
    (0, 0, 0, 0, 0): "a plain number",
}


class UnitError(ValueError):
    """A unit that cannot be read, or a quantity of the wrong dimension (message: one line)."""


@dataclass(frozen=True)
class Unit:
    """A unit as a factor to SI and exponents over :data:`BASES`."""

    text: str
    factor: float
    dims: tuple[int, ...]

    def what(self) -> str:
        return _DIM_NAMES.get(self.dims, f"a quantity in {self.text}")


def _symbol(sym: str) -> tuple[float, tuple[int, ...]]:
    if sym in _WORDS:
        return _WORDS[sym]
    if sym in _SYMBOLS:
        return _SYMBOLS[sym]
    if sym == "kg":
        return _SYMBOLS["g"][0] * 1e3, _SYMBOLS["g"][1]
    if len(sym) > 1 and sym[0] in _PREFIX and sym[1:] in _SYMBOLS:
        factor, dims = _SYMBOLS[sym[1:]]
        return _PREFIX[sym[0]] * factor, dims
    if sym.lower() in ("hz", "khz", "mhz") and sym not in _SYMBOLS:
        raise UnitError(f"unknown unit {sym!r} (write Hz, kHz, MHz)")
    raise UnitError(f"unknown unit {sym!r}")


def parse_unit(text: str) -> Unit:
    """``"ms"``, ``"kHz"``, ``"rad/s"``, ``"N/m"``, ``"kg/s"``, ``"rad^2/s"``, ``"m s^-1"``."""
    factor, dims = 1.0, [0] * len(BASES)
    tokens = re.findall(r"[*/·]|[^\s*/·]+", text.strip())
    if not tokens:
        raise UnitError(f"empty unit (got {text!r})")
    sign = 1
    expect_term = True
    for tok in tokens:
        if tok in ("*", "/", "·"):
            if expect_term:
                raise UnitError(f"cannot read the unit {text!r}")
            sign = -1 if tok == "/" else 1
            expect_term = True
            continue
        m = re.fullmatch(r"([^\^]+?)(?:(?:\^|\*\*)([-+]?\d+))?", tok)
        if m is None:
            raise UnitError(f"cannot read the unit {text!r}")
        f, d = _symbol(m.group(1))
        power = sign * int(m.group(2) or 1)
        factor *= f**power
        dims = [a + power * b for a, b in zip(dims, d, strict=True)]
        expect_term = False
        sign = 1
    if expect_term:
        raise UnitError(f"cannot read the unit {text!r}")
    return Unit(text.strip(), factor, tuple(dims))


def parse_quantity(text: str) -> tuple[float, Unit] | None:
    """``"20ms"`` -> (20.0, Unit ms); None where ``text`` is not a number with a unit."""
    m = _QUANTITY.match(text)
    if m is None:
        return None
    return float(m.group(1)), parse_unit(m.group(2))


def split_suffix(name: str) -> tuple[str, str | None]:
    """``"tau_m_s"`` -> ``("tau_m", "s")``; ``"gain"`` -> ``("gain", None)``."""
    for suffix, unit in SUFFIXES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], unit
    return name, None


def field_unit(cls: Any, name: str) -> str | None:
    """The declared unit of field ``name`` of Params class ``cls`` (None: dimensionless)."""
    info = cls.model_fields[name]
    extra = info.json_schema_extra
    if isinstance(extra, dict) and "unit" in extra:
        return extra["unit"]
    if not _numeric(info.annotation):
        return None
    return split_suffix(name)[1]


def field_kind(cls: Any, name: str) -> Kind | None:
    """The plausibility kind of field ``name`` (declared as ``{"kind": None}`` to opt out)."""
    info = cls.model_fields[name]
    extra = info.json_schema_extra
    if isinstance(extra, dict) and "kind" in extra:
        return KINDS.get(extra["kind"]) if extra["kind"] is not None else None
    base, unit = split_suffix(name)
    kind = KINDS.get(base)
    if kind is None or field_unit(cls, name) != kind.unit:
        return None
    return kind


def _numeric(annotation: Any) -> bool:
    import typing

    if annotation in (int, float):
        return True
    args = typing.get_args(annotation)
    return any(a in (int, float) for a in args)


# -- values ----------------------------------------------------------------------------------


def is_brian2_quantity(value: Any) -> bool:
    """A Brian2 Quantity, recognised without importing Brian2."""
    return type(value).__module__.split(".")[0] == "brian2" and hasattr(value, "dim")


def carries_unit(value: Any) -> bool:
    """True for a Brian2 Quantity or a text quantity such as ``"20 ms"``."""
    if is_brian2_quantity(value):
        return True
    if isinstance(value, str):
        try:
            return parse_quantity(value) is not None
        except UnitError:
            return True
    return False


def _brian2_value(value: Any) -> tuple[float, tuple[int, ...], str]:
    """(number in SI, exponents over BASES without rad, text) of a Brian2 Quantity."""
    import numpy as np
    from brian2.units.fundamentalunits import get_dimensions  # only for a Quantity

    dim = get_dimensions(value)
    # Brian2's order: length, mass, time, current, temperature, amount, luminosity
    length, mass, time, current, *rest = dim._dims
    if any(rest) or any(float(x) != int(x) for x in (length, mass, time, current)):
        raise UnitError(f"{value} has no unit a parameter here takes")
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise UnitError(f"must be one value, not an array (got {value})")
    return float(arr), (int(time), int(length), int(mass), int(current), 0), str(value)


def convert(value: Any, unit: str | None) -> Any:
    """``value`` (of a numeric field) in the field's declared ``unit`` (None: dimensionless).

    A value without a unit is returned as given (read in the declared unit). Raises
    :class:`UnitError` with a one-line message (without the ``where`` prefix) for an
    unreadable unit or a wrong dimension.
    """
    if is_brian2_quantity(value):
        number, dims, text = _brian2_value(value)
        if unit is None:
            if any(dims):
                raise UnitError(f"takes a plain number, without a unit (got {text})")
            return number
        target = parse_unit(unit)
        if target.dims[4] and target.dims[:4] == dims[:4] and any(dims[:4]):
            # Brian2 counts rad as 1: 2*Hz and 2*rad/second are the same Quantity
            raise UnitError(
                f"is in {unit}, and a Brian2 quantity cannot tell {unit} from "
                f"{_without_rad(target)}; give a number in {unit} (got {text})"
            )
        if target.dims[:4] != dims[:4]:
            raise UnitError(f"is {target.what()} in {unit}, not {_what(dims)} (got {text})")
        return number / target.factor
    if isinstance(value, str):
        try:
            q = parse_quantity(value)
        except UnitError as exc:
            raise UnitError(f"{exc} (got {value!r})") from None
        if q is None:
            return value
        number, given = q
        if unit is None:
            raise UnitError(f"takes a plain number, without a unit (got {value!r})")
        target = parse_unit(unit)
        if given.dims != target.dims:
            raise UnitError(f"is {target.what()} in {unit}, not {given.what()} (got {value!r})")
        return _clean(number * given.factor / target.factor)
    return value


def _clean(x: float) -> float:
    """20 * 1e-3 is 0.020000000000000004: round to 15 significant digits."""
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.15g}")


def _without_rad(unit: Unit) -> str:
    return "Hz" if unit.dims[:4] == (-1, 0, 0, 0) else "a plain number"


def _what(dims: tuple[int, ...]) -> str:
    return _DIM_NAMES.get(tuple(dims), "another quantity")


def resolve(classes: list[Any], values: dict) -> dict:
    """``values`` with names resolved and quantities converted to the declared units.

    ``classes``: the Params classes whose fields the names may be (a model's parameters
    and a realization's options). A name that is a field keeps it; a name without its
    unit suffix (``tau_m``) becomes the field ``tau_m_s`` when its value carries a unit
    of that field's dimension. Names found nowhere are returned as given (the caller
    refuses them). Raises :class:`neurotwin.errors.ParamError` naming class and field.
    """
    from .errors import ParamError

    owners: dict[str, Any] = {}
    for cls in classes:
        if cls is None:
            continue
        for name in cls.model_fields:
            owners.setdefault(name, cls)
    out: dict[str, Any] = {}
    for name, value in values.items():
        target = name
        if name not in owners and carries_unit(value):
            target = _alias(owners, name, value) or name
        cls = owners.get(target)
        if cls is not None and _numeric(cls.model_fields[target].annotation):
            try:
                value = convert(value, field_unit(cls, target))
            except UnitError as exc:
                raise ParamError(f"{cls.__name__}.{target}: {exc}") from None
        if target in out and target != name:
            raise ParamError(
                f"{cls.__name__}.{target}: set twice, as {target} and as {name} (got {value!r})"
            )
        out[target] = value
    return out


def _alias(owners: dict[str, Any], name: str, value: Any) -> str | None:
    """The field that ``name`` + a unit suffix names, where the value's dimension fits."""
    found = [
        field
        for field, cls in owners.items()
        if split_suffix(field)[0] == name and field_unit(cls, field) is not None
    ]
    for field in found:
        try:
            convert(value, field_unit(owners[field], field))
        except UnitError:
            continue
        return field
    return found[0] if found else None


# -- plausibility ----------------------------------------------------------------------------


def fmt(x: float) -> str:
    """A short number: ``1e-4``, ``0.02``, ``20``, ``2.5e6``."""
    if x == 0:
        return "0"
    if abs(x) < 1e-3 or abs(x) >= 1e5:
        mant, exp = f"{x:.2e}".split("e")
        return f"{mant.rstrip('0').rstrip('.')}e{int(exp)}"
    return f"{x:g}"


def shown(value: Any) -> str:
    """``value`` as the user probably typed it: 20.0 -> ``20``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def implausible(cls: Any, name: str, value: Any) -> str | None:
    """Why ``value`` of field ``name`` is not plausible, as ``name: rule (got value)``;
    None where it is (or the field has no plausibility kind)."""
    kind = field_kind(cls, name)
    if kind is None or not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    if kind.low <= value <= kind.high:
        return None
    text = (
        f"{name}: {fmt(value)} {kind.unit} is not a plausible {kind.label} "
        f"({fmt(kind.low)}..{fmt(kind.high)} {kind.unit})"
    )
    if value > kind.high:
        for symbol, factor in (("ms", 1e-3), ("us", 1e-6)):
            if kind.low <= value * factor <= kind.high and _allowed(cls, name, value * factor):
                text += f"; did you mean {fmt(value)} {symbol}?"
                break
    return f"{text} (got {shown(value)})"


def _allowed(cls: Any, name: str, value: float) -> bool:
    """Whether ``value`` meets the field's declared bounds."""
    import annotated_types as at

    for meta in cls.model_fields[name].metadata:
        for attr, ok in (
            ("ge", lambda b: value >= b),
            ("gt", lambda b: value > b),
            ("le", lambda b: value <= b),
            ("lt", lambda b: value < b),
        ):
            bound = getattr(meta, attr, None)
            if bound is not None and isinstance(meta, (at.Ge, at.Gt, at.Le, at.Lt, at.Interval)):
                if not ok(bound):
                    return False
    return True
