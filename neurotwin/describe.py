"""What a model takes and gives: every parameter and option, with default, unit, range, meaning.

One source of truth, generated from the typed fields (:class:`neurotwin.params.Params`)
and the registry: ``neurotwin params MODEL``, ``neurotwin run MODEL --help`` and the
docs' parameter tables all print :func:`describe`.

>>> import neurotwin
>>> d = neurotwin.describe("lif-sync")
>>> f = d.field("tau_m_s")
>>> (f.default, f.unit, f.allowed)
(0.02, 's', 'a finite number > 0; plausible 1e-4..1 s (membrane time constant)')

Observables' units: a model may declare ``spec.observable_units`` (observable name ->
unit, None for a plain number); where it does not, the key observable is listed with
the unit its name says (``period_s``) or ``?``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from . import units
from .params import Params
from .registry import ModelSpec, get_model, get_realization

#: a unit nobody declared (for observables; a field's unit is always known)
UNKNOWN = "?"


@dataclass(frozen=True)
class FieldDoc:
    """One parameter or option."""

    name: str
    #: the Params class that holds it (``HopfieldParams``, ``Brian2HopfieldOptions``)
    owner: str
    default: Any
    #: declared unit (``"s"``, ``"Hz"``, ``"rad/s"``); None: a plain number or not a number
    unit: str | None
    #: the allowed values, from the declared constraint (and the plausible range)
    allowed: str
    meaning: str
    #: the model's own default where the realization runs with another (``defaults=``)
    model_default: Any = None
    realization_default: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ObservableDoc:
    name: str
    #: declared unit, None for a plain number, ``"?"`` where the model declares none
    unit: str | None
    key: bool = False


@dataclass
class Description:
    """Everything :func:`describe` found; ``str()`` is a plain-text table."""

    model: str
    summary: str
    family: str
    params_class: str
    params: list[FieldDoc]
    #: realization -> its options (empty where it has none)
    options: dict[str, list[FieldDoc]]
    #: realization -> model parameter values it runs with where the user set none
    realization_defaults: dict[str, dict[str, Any]]
    observables: list[ObservableDoc]
    #: the realization asked for (None: all of them)
    realization: str | None = None
    #: realization -> its options class name (None: no options)
    options_class: dict[str, str | None] = field(default_factory=dict)

    def field(self, name: str, realization: str | None = None) -> FieldDoc:
        """The parameter or option ``name`` (of ``realization``, or of any)."""
        for f in self.params:
            if f.name == name:
                return f
        for real, fields in self.options.items():
            if realization in (None, real):
                for f in fields:
                    if f.name == name:
                        return f
        raise KeyError(name)

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "summary": self.summary,
            "family": self.family,
            "realization": self.realization,
            "params_class": self.params_class,
            "params": [f.to_dict() for f in self.params],
            "options": {r: [f.to_dict() for f in fs] for r, fs in self.options.items()},
            "options_class": dict(self.options_class),
            "realization_defaults": self.realization_defaults,
            "observables": [asdict(o) for o in self.observables],
        }

    def sections(self) -> list[tuple[str, list[FieldDoc]]]:
        """(title, fields): the model's parameters, then each distinct options class once."""
        out = [(f"{self.model} parameters ({self.params_class})", self.params)]
        seen: dict[str, list[str]] = {}
        for real, cls in self.options_class.items():
            if cls is not None:
                seen.setdefault(cls, []).append(real)
        for cls, reals in seen.items():
            out.append((f"options of {', '.join(reals)} ({cls})", self.options[reals[0]]))
        return out

    def __str__(self) -> str:
        lines = [f"{self.model}: {self.summary}"]
        for title, fields in self.sections():
            lines += ["", title]
            lines += _text_table(
                ("name", "default", "unit", "allowed", "meaning"),
                [(f.name, default_text(f), f.unit or "-", f.allowed, f.meaning) for f in fields],
            )
        lines += ["", "observables"]
        lines += _text_table(
            ("name", "unit"),
            [(o.name + (" (key)" if o.key else ""), o.unit or "-") for o in self.observables],
        )
        return "\n".join(lines)


def default_text(f: FieldDoc) -> str:
    """The default as shown: the realization's own where it has one (and the model's)."""
    if f.realization_default:
        return f"{f.default!r} (this realization; model: {f.model_default!r})"
    return repr(f.default)


def _text_table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    widths[-1] = 0  # the last column runs to the end of the line
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*head).rstrip()] + [fmt.format(*r).rstrip() for r in rows]


def fields(cls: type[Params], defaults: dict[str, Any] | None = None) -> list[FieldDoc]:
    """Every field of ``cls``; ``defaults``: values a realization uses instead of the model's."""
    out = []
    for name, info in cls.model_fields.items():
        default = info.get_default(call_default_factory=True)
        own = defaults is not None and name in defaults
        out.append(
            FieldDoc(
                name=name,
                owner=cls.__name__,
                default=defaults[name] if own else default,
                unit=units.field_unit(cls, name),
                allowed=allowed(cls, name),
                meaning=cls.field_description(name),
                model_default=default if own else None,
                realization_default=own,
            )
        )
    return out


def allowed(cls: type[Params], name: str) -> str:
    """``cls.constraint(name)`` without "must be ", plus the plausible range of its kind."""
    text = cls.constraint(name).removeprefix("must be ")
    kind = units.field_kind(cls, name)
    if kind is not None:
        text += (
            f"; plausible {units.fmt(kind.low)}..{units.fmt(kind.high)} {kind.unit} ({kind.label})"
        )
    return text


def summary(spec: ModelSpec, limit: int = 120) -> str:
    """The model's one-line description: its ``doc`` up to the first ``: `` or ``; ``
    outside parentheses (cut at a word near ``limit`` characters)."""
    doc = " ".join((spec.doc or "").split())
    depth = 0
    for i, ch in enumerate(doc):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and doc[i : i + 2] in (": ", "; "):
            doc = doc[:i]
            break
    if len(doc) > limit:
        doc = doc[: doc.rfind(" ", 0, limit - 4)] + " ..."
    return doc


def observables(spec: ModelSpec) -> list[ObservableDoc]:
    """The model's observables with their units: those declared in ``spec.observable_units``;
    where none are declared, the key observable with the unit its name says, else ``?``."""
    declared = getattr(spec, "observable_units", None)
    if declared:
        return [ObservableDoc(n, u, n == spec.key_observable) for n, u in declared.items()]
    name = spec.key_observable
    unit = units.split_suffix(name)[1] or UNKNOWN
    return [ObservableDoc(name, unit, True)]


def describe(model: str, realization: str | None = None) -> Description:
    """Every parameter of ``model`` and option of its realizations (only of ``realization``
    if given), with default, unit, allowed values and meaning, and its observables.

    Raises
    ------
    ParamError
        For an unknown model or realization.
    """
    spec = get_model(model)
    names = list(spec.realizations) if realization is None else [realization]
    reals = [get_realization(model, n) for n in names]
    own = reals[0].defaults if realization is not None else None
    return Description(
        model=spec.name,
        summary=summary(spec),
        family=spec.family,
        params_class=spec.params.__name__,
        params=fields(spec.params, own),
        options={r.name: fields(r.options) if r.options else [] for r in reals},
        realization_defaults={r.name: dict(r.defaults) for r in reals if r.defaults},
        observables=observables(spec),
        realization=realization,
        options_class={r.name: r.options.__name__ if r.options else None for r in reals},
    )
