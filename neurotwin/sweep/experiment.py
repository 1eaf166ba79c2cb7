"""Named experiments: a grid over parameters, seeds and realizations, and their registry."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr

from ..errors import ParamError
from ..registry import get_realization, submodules
from ..results import Result
from .values import _canonical

#: version of the manifest and point-file layout
SWEEP_SCHEMA = 1
#: every module of this package registers experiments; imported on first use
EXPERIMENT_PACKAGE = "neurotwin.experiments"
#: the name suffix of an experiment's reduced variant (``--quick``)
QUICK_SUFFIX = "-quick"
#: what a reduced variant's summary, dataset and figure say about its numbers
SMOKE_NOTE = (
    "a reduced grid that checks the pipeline runs end to end; its numbers are not "
    "the experiment's result (run without --quick for that)"
)


@dataclass(frozen=True)
class Experiment:
    """A named parameter sweep, its figure and its measured numbers.

    Attributes
    ----------
    name : str
        Registry name; also the stem of the output files.
    model : str
        Registry model name, e.g. ``"hopfield"``.
    realizations : tuple of str
        Realizations run at every point (the same params, inputs and seed each):
        the labels of the ``realization`` axis.
    variants : dict of str -> str
        Labels of ``realizations`` that run another realization (label ->
        realization name) with their own ``per_realization`` settings: the same
        backend twice, e.g. the chip with and without a mitigation.
    models : dict of str -> str
        Labels of ``realizations`` that run a realization of another registered
        model (label -> model name), e.g. a baseline from another family on the
        same axis. ``fixed`` must then hold only parameters every model has; put
        the others in ``per_realization``.
    grid : dict of str -> list
        One axis per entry, in order; every combination is a point. Keys are
        model parameters, or any names ``point_params`` turns into parameters.
    seeds : tuple of int
        The ``"seed"`` axis: independent trials (patterns, cues, noise).
    fixed : dict
        Parameters shared by every point.
    observables : tuple of str
        Scalar observables of the Result kept per point.
    derived : dict of str -> callable(Result) -> float
        Extra scalars computed from each Result in the worker (e.g. the fraction
        of cues in a 2-cycle from an array observable). Must be importable
        (module-level functions) when the sweep runs on separate processes.
    per_realization : dict of str -> dict
        Parameters or realization options for one realization only.
    point_params : callable(dict) -> dict, optional
        Grid point (without the seed) -> parameters; default: the point itself.
        Lets a grid run over a derived quantity, e.g. load ``alpha`` ->
        ``n_patterns = round(alpha * n_units)``.
    figure : callable(Dataset, Path), optional
        Draws the combined dataset to the given PNG path.
    summary : callable(Dataset) -> dict, optional
        The measured numbers, written to the summary JSON.
    description : str
        One paragraph: what the experiment shows and its source.
    quick : callable() -> Experiment, optional
        A reduced variant (small grid) for tests and ``--quick``.
    """

    name: str
    model: str
    grid: dict[str, list]
    realizations: tuple[str, ...] = ("reference",)
    seeds: tuple[int, ...] = (0,)
    fixed: dict[str, Any] = field(default_factory=dict)
    observables: tuple[str, ...] = ()
    derived: dict[str, Callable[[Result], float]] = field(default_factory=dict)
    per_realization: dict[str, dict[str, Any]] = field(default_factory=dict)
    variants: dict[str, str] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    point_params: Callable[[dict], dict] | None = None
    figure: Callable[[xr.Dataset, Path], Any] | None = None
    summary: Callable[[xr.Dataset], dict] | None = None
    description: str = ""
    quick: Callable[[], Experiment] | None = None

    @property
    def dims(self) -> tuple[str, ...]:
        """Dimensions of the combined dataset, in order."""
        lead = ("realization",) if len(self.realizations) > 1 else ()
        return lead + tuple(self.grid) + ("seed",)

    @property
    def kept(self) -> tuple[str, ...]:
        """Names of the variables each point keeps: observables, then derived."""
        return tuple(self.observables) + tuple(self.derived)

    def manifest(self) -> dict:
        """What identifies this sweep: a folder holding a different one is refused."""
        return _canonical(
            {
                "schema": SWEEP_SCHEMA,
                "experiment": self.name,
                "model": self.model,
                "realizations": list(self.realizations),
                "grid": {k: list(v) for k, v in self.grid.items()},
                "seeds": list(self.seeds),
                "fixed": self.fixed,
                "per_realization": self.per_realization,
                "observables": list(self.kept),
                # only when used, so manifests of earlier sweeps stay valid
                **({"variants": self.variants} if self.variants else {}),
                **({"models": self.models} if self.models else {}),
            }
        )


# -- registry ---------------------------------------------------------------------

EXPERIMENTS: dict[str, Experiment] = {}
_loaded = False


def register_experiment(exp: Experiment) -> Experiment:
    """Register ``exp`` and, if it has one, its reduced variant (``<name>-quick``)."""
    if exp.name in EXPERIMENTS:
        raise ParamError(f"experiment: {exp.name!r} is registered twice (got {exp.name!r})")
    EXPERIMENTS[exp.name] = exp
    if exp.quick is not None:
        quick = exp.quick()
        EXPERIMENTS[quick.name] = quick
    return exp


def _load() -> None:
    global _loaded
    if not _loaded:
        for mod in submodules(EXPERIMENT_PACKAGE):
            importlib.import_module(mod)
        _loaded = True


def experiments() -> dict[str, Experiment]:
    """Every registered experiment by name."""
    _load()
    return dict(sorted(EXPERIMENTS.items()))


def get_experiment(name: str, quick: bool = False) -> Experiment:
    """The experiment registered as ``name`` (its reduced variant with ``quick=True``)."""
    _load()
    if not isinstance(name, str) or name not in EXPERIMENTS:
        raise ParamError(
            f"experiment: must be one of {', '.join(sorted(EXPERIMENTS))} (got {name!r})"
        )
    exp = EXPERIMENTS[name]
    if quick:
        if exp.quick is None:
            raise ParamError(f"experiment {name!r}: has no quick variant (got quick=True)")
        exp = exp.quick()
    return exp


def available_part(exp: Experiment) -> tuple[Experiment, dict[str, str]]:
    """``exp`` without the realization labels whose backend cannot run here, and why
    each was dropped (label -> reason). The reduced sweep has its own manifest."""
    keep, dropped = [], {}
    for label in exp.realizations:
        model = exp.models.get(label, exp.model)
        real = get_realization(model, exp.variants.get(label, label))
        if real.available():
            keep.append(label)
        else:
            dropped[label] = real.why_unavailable()
    if not dropped:
        return exp, {}

    def only(d: dict) -> dict:
        return {k: v for k, v in d.items() if k in keep}

    reduced = dataclasses.replace(
        exp,
        realizations=tuple(keep),
        variants=only(exp.variants),
        models=only(exp.models),
        per_realization=only(exp.per_realization),
        quick=None,
    )
    return reduced, dropped
