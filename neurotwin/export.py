"""Export a model's spiking network in an exchange format, through the model's own hook.

A model family offers a format by registering an exporter
(``@neurotwin.registry.exporter("hopfield", "nir")`` in ``spiking/<family>/``); this
module validates the run exactly as :func:`neurotwin.run` does, asks the hook for the
graph, and writes it atomically. It knows no model.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from . import files
from .errors import BackendUnavailable, ExportUnsupported, ParamError
from .harness import prepare
from .params import Params
from .registry import INSTALL_HINT, all_models, get_model

#: format -> (package it needs, file suffix)
FORMATS = {"nir": ("nir", ".nir")}


def exportable(fmt: str = "nir") -> list[str]:
    """The models that can be exported as ``fmt``."""
    return [name for name, spec in all_models().items() if fmt in spec.exporters]


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ParamError(f"--format: must be one of {', '.join(map(repr, FORMATS))} (got {fmt!r})")
    pkg = FORMATS[fmt][0]
    if importlib.util.find_spec(pkg) is None:
        raise BackendUnavailable(
            f"export as {fmt} needs the package {pkg!r}, which is not installed; "
            f"install it with: {INSTALL_HINT.get(pkg, f'pip install {pkg}')}"
        )


def build_graph(
    model: str,
    fmt: str = "nir",
    params: Params | dict | None = None,
    seed: int = 0,
    **overrides: Any,
):
    """The exported object (e.g. a ``nir.NIRGraph``), validated; nothing is written."""
    spec = get_model(model)
    if fmt not in FORMATS:
        check_format(fmt)
    if fmt not in spec.exporters:
        raise ExportUnsupported(
            f"model {model!r} has no {fmt} export; models that have one: "
            f"{', '.join(exportable(fmt)) or 'none'}"
        )
    check_format(fmt)
    hook = spec.exporters[fmt]
    plan = prepare(model, hook.realization, params, seed, **overrides)
    # the hook gets the simulator seed, as a realization does; the file records the user's
    graph = hook.func(plan.params, plan.weights, plan.inputs, plan.sim_seed, plan.options)
    if isinstance(getattr(graph, "metadata", None), dict):
        graph.metadata.update(generator="neurotwin", model=model, seed=int(plan.seed))
    return graph


def export(
    model: str,
    path: str | os.PathLike,
    fmt: str = "nir",
    params: Params | dict | None = None,
    seed: int = 0,
    **overrides: Any,
) -> Path:
    """Write ``model``'s spiking network to ``path`` as ``fmt``.

    Everything (format, package, parameters, what the format can express) is checked
    before anything is written; the file goes to a temporary name in the same folder
    and is renamed into place, so no partial file is ever left.

    Raises
    ------
    ExportUnsupported
        The model has no such export, or its network has features the format cannot
        express (each named, with settings that avoid them).
    BackendUnavailable
        The format's package is not installed (with the install command).
    ParamError
        As for :func:`neurotwin.run`.
    """
    graph = build_graph(model, fmt, params, seed, **overrides)
    return _write_atomic(graph, Path(path))


def _write_atomic(graph, path: Path) -> Path:
    import nir

    return files.atomic_write(path, lambda tmp: nir.write(tmp, graph))
