"""Model -> realization -> builder, loaded lazily and strictly.

Layout: a model family is a package ``rate_models/<family>/`` with one registered
model per module, named after the model (``modern-hopfield`` ->
``modern_hopfield.py``), and its realizations in ``spiking/<family>/`` (one module
per backend). A model module calls :func:`register_model`; a realization is a
function (one phase) or a class with ``build`` and ``run`` (two phases) decorated
with :func:`realization`.

Loading is lazy: :func:`get_model` imports the model's own module and its family's
realization modules, nothing else; spiking modules import their simulator inside
the builder, so even that never imports Brian2 or Nengo. :func:`models` (``neurotwin
list``) imports every family.

Registration is strict: a duplicate model or realization name raises, and so does a
realization whose model its module never registers.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import BackendUnavailable, NeurotwinError, ParamError
from .params import Params

#: packages of model families (the math) and of their realizations
MODEL_PACKAGE = "neurotwin.rate_models"
REALIZATION_PACKAGE = "neurotwin.spiking"

INSTALL_HINT = {
    "brian2": 'pip install "brian2==2.9.0"',
    "nengo": 'pip install "nengo>=4.1,<4.2"',
    "nengo_loihi": 'pip install -e ".[loihi]"',
    "nir": 'pip install -e ".[loihi]"',
}


class RegistryError(NeurotwinError, RuntimeError):
    """A model or realization is registered twice, or a realization names no model."""


@dataclass
class OnePhase:
    """What :meth:`Realization.build` returns for a one-phase realization: its arguments."""

    params: Params
    weights: dict
    inputs: dict
    seed: int
    options: Params | None


@dataclass
class Realization:
    """One way of simulating a model (the reference, Brian2, Nengo, ...).

    Two phases: ``build(params, weights, inputs, seed, options) -> built`` makes the
    network (compiles it, for Brian2's ``cpp_standalone``); ``run(built, inputs) ->
    Result`` simulates it, and may be called again on the same ``built`` with other
    inputs of the same shapes (a sweep over cues compiles once). A one-phase
    realization (a plain function) builds nothing: its build step only keeps the
    arguments.
    """

    model: str
    name: str
    build: Callable[..., Any]
    run: Callable[[Any, dict], Any]
    options: type[Params] | None = None
    requires: tuple[str, ...] = ()
    #: extra availability check given the validated options (e.g. a C++ compiler);
    #: called with ``None`` it checks only the environment (e.g. the numpy version)
    check: Callable[[Params | None], None] | None = None
    #: ``preflight(params, weights, inputs, seed, options)``: does this concrete run fit
    #: the backend (e.g. the chip's cores and axons)? Raises before any simulation.
    preflight: Callable[..., None] | None = None
    #: True when ``build`` does real work that ``run`` can reuse
    two_phase: bool = False
    #: names of typed capabilities (``neurotwin.capabilities``) the Results carry
    capabilities: tuple[str, ...] = ()
    #: model parameter values this realization runs with where the user set none (e.g. the
    #: one interaction a spiking circuit realizes); recorded in the Result's provenance
    defaults: dict[str, Any] = field(default_factory=dict)
    doc: str = ""
    module: str = ""
    #: functions a capability needs from this realization, by name (e.g. ``chip_weights``:
    #: the float weights as the chip stores them, so ``deploy`` can measure what rounding costs)
    hooks: dict[str, Callable[..., Any]] = field(default_factory=dict)

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
class Exporter:
    """``func(params, weights, inputs, seed, options) -> object`` writes ``model`` as a format,
    built from the network of ``realization`` (whose options it takes)."""

    realization: str
    func: Callable[..., Any]


@dataclass
class ModelSpec:
    """What the harness needs to know about a model.

    ``weights(params, rng) -> dict`` and ``make_inputs(params, weights, rng) -> dict``
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
    #: ``exporters[format]``: how to write the model's network in an exchange format (e.g.
    #: NIR); filled by :func:`exporter` in the family's spiking package
    exporters: dict[str, Exporter] = field(default_factory=dict)
    #: ``adopt(weights, inputs) -> dict``: the parameter values that arrays a user hands in
    #: imply (e.g. ``n_units`` from the patterns' shape, ``storage='given'`` for a given W)
    adopt: Callable[[dict | None, dict | None], dict] | None = None
    #: ``complete_weights(params, given) -> dict``: the full weights from a partial set the
    #: user gave (e.g. W by the storage rule from the user's patterns); None: all or nothing
    complete_weights: Callable[[Params, dict], dict] | None = None
    #: ``estimate(params, options, realization) -> neurotwin.budget.Cost``: memory and
    #: simulated steps of a run, checked before any work (None: not estimated)
    estimate: Callable[..., Any] | None = None
    #: model parameters that change only what ``make_inputs`` draws, never the network (e.g.
    #: Hopfield's ``cue_noise``): a sweep over them runs one built network
    input_params: tuple[str, ...] = ()
    #: declared rate-vs-spiking tolerances of ``compare`` (``neurotwin.compare.Tolerance``
    #: or dicts of its fields); empty: the default tolerance on the key observable
    agreement: list = field(default_factory=list)
    #: the unit of each observable (``"1"`` for dimensionless, e.g. ``{"bump_speed":
    #: "rad/s"}``); read first by the Result files' ``units`` attributes and ``describe``
    observable_units: dict[str, str] = field(default_factory=dict)
    #: the family package (``hopfield`` for ``neurotwin.rate_models.hopfield.*``)
    family: str = ""


_MODELS: dict[str, ModelSpec] = {}
#: realizations decorated before their model's ``register_model`` in the same module
_PENDING: list[Realization] = []
_loaded_families: set[str] = set()
_all_loaded = False


def register_model(spec: ModelSpec) -> ModelSpec:
    if spec.name in _MODELS:
        raise RegistryError(
            f"model {spec.name!r} is registered twice ({_MODELS[spec.name].params.__module__} "
            f"and {spec.params.__module__})"
        )
    if not spec.family:
        spec.family = _family_of(spec.params.__module__)
    _MODELS[spec.name] = spec
    for real in [r for r in _PENDING if r.model == spec.name]:
        _add(spec, real)
        _PENDING.remove(real)
    return spec


def _family_of(module: str) -> str:
    parts = module.split(".")
    prefix = MODEL_PACKAGE.split(".")
    if parts[: len(prefix)] == prefix and len(parts) > len(prefix) + 1:
        return parts[len(prefix)]
    return ""


def _add(spec: ModelSpec, real: Realization) -> None:
    if real.name in spec.realizations:
        raise RegistryError(
            f"realization {spec.name}/{real.name} is registered twice "
            f"({spec.realizations[real.name].module} and {real.module})"
        )
    spec.realizations[real.name] = real


def realization(
    model: str,
    name: str,
    *,
    options: type[Params] | None = None,
    requires: tuple[str, ...] = (),
    check: Callable[[Params | None], None] | None = None,
    preflight: Callable[..., None] | None = None,
    capabilities: tuple[str, ...] = (),
    defaults: dict[str, Any] | None = None,
    hooks: dict[str, Callable[..., Any]] | None = None,
):
    """Decorator: register a realization of ``model`` called ``name``.

    On a function ``func(params, weights, inputs, seed, options) -> Result``: one
    phase. On a class with static ``build(params, weights, inputs, seed, options)``
    and ``run(built, inputs) -> Result``: two phases (see :class:`Realization`).
    """

    def deco(target):
        if isinstance(target, type):
            build, run, two = target.build, target.run, True
        else:
            build, run, two = OnePhase, _run_one_phase(target), False
        real = Realization(
            model,
            name,
            build,
            run,
            options,
            tuple(requires),
            check,
            preflight,
            two,
            tuple(capabilities),
            dict(defaults or {}),
            (target.__doc__ or "").strip(),
            target.__module__,
            dict(hooks or {}),
        )
        if model in _MODELS:
            _add(_MODELS[model], real)
        else:
            _PENDING.append(real)
        return target

    return deco


def _run_one_phase(func: Callable[..., Any]) -> Callable[[OnePhase, dict], Any]:
    def run(built: OnePhase, inputs: dict) -> Any:
        return func(built.params, built.weights, inputs, built.seed, built.options)

    run.__wrapped__ = func  # type: ignore[attr-defined]
    return run


def exporter(model: str, fmt: str, *, realization: str = "nengo"):
    """Decorator: ``func(params, weights, inputs, seed, options)`` exports ``model`` as ``fmt``
    (e.g. a ``nir.NIRGraph``), from the network of ``realization``."""

    def deco(func):
        spec = _MODELS.get(model)
        if spec is None:
            raise RegistryError(f"exporter {fmt!r} names model {model!r}, which is not registered")
        if fmt in spec.exporters:
            raise RegistryError(f"exporter {model}/{fmt} is registered twice")
        spec.exporters[fmt] = Exporter(realization, func)
        return func

    return deco


# -- tools beside the realizations ------------------------------------------------------------

_TOOLS: dict[str, Any] = {}


def register_tool(name: str, obj: Any) -> Any:
    """Register a backend tool that is not a realization (e.g. ``nir-import``: run any NIR
    graph in Brian2), so generic code reaches it by name and never imports ``spiking``."""
    if name in _TOOLS and _TOOLS[name] is not obj:
        raise RegistryError(f"tool {name!r} is registered twice")
    _TOOLS[name] = obj
    return obj


def get_tool(name: str) -> Any:
    """The tool ``name``; the plain (non-family, non-private) modules of the realization
    package register tools when imported, so they are loaded on first request."""
    if name not in _TOOLS:
        for module in submodules(REALIZATION_PACKAGE):
            spec = importlib.util.find_spec(module)
            if not _private(module) and spec is not None and not spec.submodule_search_locations:
                _import(module)
    if name not in _TOOLS:
        raise ParamError(f"tool: must be one of {', '.join(sorted(_TOOLS))} (got {name!r})")
    return _TOOLS[name]


# -- lazy loading ----------------------------------------------------------------------------


def _import(module: str) -> None:
    """Import ``module`` and hold it to the rule that its realizations name a model."""
    importlib.import_module(module)
    orphans = [r for r in _PENDING if r.module == module]
    if orphans:
        for r in orphans:
            _PENDING.remove(r)
        r = orphans[0]
        raise RegistryError(
            f"realization {r.model}/{r.name} in {module} names model {r.model!r}, "
            f"which no module registers"
        )


def submodules(package: str) -> list[str]:
    """Modules directly in ``package`` (sorted), without importing them; [] if it is absent.

    Imports the package itself (its ``__init__`` is light by rule) and reads its
    ``__path__``.
    """
    try:
        path = importlib.import_module(package).__path__
    except ModuleNotFoundError:
        return []
    except AttributeError:  # a module, not a package
        return []
    found = pkgutil.iter_modules(path)
    return [f"{package}.{m.name}" for m in sorted(found, key=lambda m: m.name)]


def families() -> list[str]:
    """Every model family (a subpackage of ``rate_models``)."""
    return [m.rsplit(".", 1)[1] for m in submodules(MODEL_PACKAGE) if not _private(m)]


def _private(module: str) -> bool:
    return module.rsplit(".", 1)[1].startswith("_")


def _load_family(family: str) -> None:
    """Import every model module of ``family``, then its realization modules."""
    if family in _loaded_families:
        return
    _loaded_families.add(family)
    for package in (f"{MODEL_PACKAGE}.{family}", f"{REALIZATION_PACKAGE}.{family}"):
        for module in submodules(package):
            if not _private(module):
                _import(module)


def _load_model(name: str) -> None:
    """Import the module holding model ``name`` (by the naming rule), then its family."""
    module_name = name.replace("-", "_")
    for family in families():
        module = f"{MODEL_PACKAGE}.{family}.{module_name}"
        if module in submodules(f"{MODEL_PACKAGE}.{family}"):
            _import(module)
            _load_family(family)
            return
    _load_all()  # a model whose module breaks the naming rule is still found


def _load_all() -> None:
    global _all_loaded
    if not _all_loaded:
        for family in families():
            _load_family(family)
        _all_loaded = True


def get_model(name: str) -> ModelSpec:
    if isinstance(name, str) and name not in _MODELS:
        _load_model(name)
    if not isinstance(name, str) or name not in _MODELS:
        _load_all()
        raise ParamError(f"model: must be one of {', '.join(sorted(_MODELS))} (got {name!r})")
    spec = _MODELS[name]
    if spec.family:
        _load_family(spec.family)
    else:
        _load_all()
    return spec


def get_realization(model: str, name: str) -> Realization:
    spec = get_model(model)
    if name not in spec.realizations:
        raise ParamError(
            f"realization: must be one of {', '.join(spec.realizations)} for model "
            f"{model!r} (got {name!r})"
        )
    return spec.realizations[name]


def all_models() -> dict[str, ModelSpec]:
    """Every registered model (imports every family), by name."""
    _load_all()
    return dict(sorted(_MODELS.items()))


def models() -> dict[str, dict[str, bool]]:
    """Every model with its realizations and whether each is available here."""
    return {
        m: {r: real.available() for r, real in spec.realizations.items()}
        for m, spec in all_models().items()
    }
