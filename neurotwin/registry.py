"""Model -> realization -> builder, with lazy import of optional backends.

A model module (``rate_models/<m>.py``) calls :func:`register_model`; a
realization is any function decorated with :func:`realization`. Spiking
modules import their simulator inside the builder, so listing what exists never
imports Brian2 or Nengo; :func:`Realization.available` only asks whether the
packages are installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import BackendUnavailable, ParamError
from .params import Params

# Packages whose modules register models and realizations, imported on first use
# (references first). A new model registers by existing; no list to edit.
MODEL_PACKAGES = ("neurotwin.rate_models", "neurotwin.spiking")

INSTALL_HINT = {
    "brian2": 'pip install "brian2==2.9.0"',
    "nengo": 'pip install "nengo>=4.1,<4.2"',
    "nengo_loihi": 'pip install -e ".[loihi]"',
    "nir": 'pip install -e ".[loihi]"',
}


@dataclass
class Realization:
    """One way of simulating a model (the reference, Brian2, Nengo, ...)."""

    model: str
    name: str
    func: Callable[..., Any]
    options: type[Params] | None = None
    requires: tuple[str, ...] = ()
    #: extra availability check given the validated options (e.g. a C++ compiler);
    #: called with ``None`` it checks only the environment (e.g. the numpy version)
    check: Callable[[Params | None], None] | None = None
    #: ``preflight(params, weights, inputs, seed, options)``: does this concrete run fit
    #: the backend (e.g. the chip's cores and axons)? Raises before any simulation.
    preflight: Callable[..., None] | None = None
    doc: str = ""

    def missing(self) -> list[str]:
        return [pkg for pkg in self.requires if importlib.util.find_spec(pkg) is None]

    def why_unavailable(self) -> str | None:
        """None if this realization can run here, else the reason (with the install command)."""
        try:
            self.ensure_available(None)
        except BackendUnavailable as exc:
            return str(exc)
        return None

    def available(self) -> bool:
        return self.why_unavailable() is None

    def ensure_available(self, options: Params | None) -> None:
        """Raise :class:`BackendUnavailable` naming what is missing and how to install it."""
        missing = self.missing()
        if missing:
            pkg = missing[0]
            hint = INSTALL_HINT.get(pkg, f"pip install {pkg}")
            raise BackendUnavailable(
                f"realization {self.model}/{self.name} needs the package {pkg!r}, "
                f"which is not installed; install it with: {hint}"
            )
        if self.check is not None:
            self.check(options)


@dataclass
class ModelSpec:
    """What the harness needs to know about a model.

    ``weights(params, rng) -> dict`` and ``make_inputs(params, rng) -> dict``
    draw everything random; ``validate(params, weights, inputs)`` raises
    :class:`~neurotwin.errors.InputError` for arrays that do not fit;
    ``observe(result, params, weights, inputs) -> dict`` computes the shared
    observables from a realization's traces, so every realization is measured
    by the same code.
    """

    name: str
    params: type[Params]
    weights: Callable[..., dict]
    make_inputs: Callable[..., dict]
    validate: Callable[..., None]
    observe: Callable[..., dict]
    key_observable: str
    #: rows of the default comparison: (label, realization, param overrides)
    compare_runs: list[tuple[str, str, dict]] = field(default_factory=list)
    #: small parameters for the conformance suite's fast runs
    quick_params: dict = field(default_factory=dict)
    doc: str = ""
    realizations: dict[str, Realization] = field(default_factory=dict)


_MODELS: dict[str, ModelSpec] = {}
_PENDING: list[Realization] = []
_loaded = False


def register_model(spec: ModelSpec) -> ModelSpec:
    _MODELS[spec.name] = spec
    for real in [r for r in _PENDING if r.model == spec.name]:
        spec.realizations[real.name] = real
        _PENDING.remove(real)
    return spec


def realization(
    model: str,
    name: str,
    *,
    options: type[Params] | None = None,
    requires: tuple[str, ...] = (),
    check: Callable[[Params | None], None] | None = None,
    preflight: Callable[..., None] | None = None,
):
    """Decorator: register ``func(params, weights, inputs, seed, options) -> Result``."""

    def deco(func):
        real = Realization(
            model, name, func, options, tuple(requires), check, preflight, func.__doc__ or ""
        )
        if model in _MODELS:
            _MODELS[model].realizations[name] = real
        else:
            _PENDING.append(real)
        return func

    return deco


def _load() -> None:
    global _loaded
    if not _loaded:
        for mod in package_modules(*MODEL_PACKAGES):
            importlib.import_module(mod)
        _loaded = True


def package_modules(*packages: str) -> list[str]:
    """Every module of ``packages``, in order, sorted by name within each package."""
    names = []
    for pkg in packages:
        path = importlib.import_module(pkg).__path__
        names += [
            f"{pkg}.{m.name}" for m in sorted(pkgutil.iter_modules(path), key=lambda m: m.name)
        ]
    return names


def get_model(name: str) -> ModelSpec:
    _load()
    if not isinstance(name, str) or name not in _MODELS:
        raise ParamError(f"model: must be one of {', '.join(sorted(_MODELS))} (got {name!r})")
    return _MODELS[name]


def get_realization(model: str, name: str) -> Realization:
    spec = get_model(model)
    if name not in spec.realizations:
        raise ParamError(
            f"realization: must be one of {', '.join(spec.realizations)} for model "
            f"{model!r} (got {name!r})"
        )
    return spec.realizations[name]


def models() -> dict[str, dict[str, bool]]:
    """Every model with its realizations and whether each is available here."""
    _load()
    return {
        m: {r: real.available() for r, real in spec.realizations.items()}
        for m, spec in sorted(_MODELS.items())
    }
