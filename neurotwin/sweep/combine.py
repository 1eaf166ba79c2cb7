"""Combining the points of a sweep into one dataset, and reading it back."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import xarray as xr

from ..results import version_attrs
from .experiment import Experiment
from .points import Point
from .values import _plain

# -- combining ----------------------------------------------------------------------


def summary_value(value: Any, digits: int = 6) -> float | None:
    """A number for a summary JSON: rounded to ``digits``, None if not finite (JSON has
    no NaN)."""
    v = float(value)
    return round(v, digits) if math.isfinite(v) else None


def sweep_param(ds: xr.Dataset, name: str) -> Any:
    """A model parameter of a combined sweep: its coordinate values if it varies over the
    grid, else the constant value (from the ``constant_params`` attribute)."""
    if name in ds.coords:
        return ds.coords[name].values
    constant = json.loads(ds.attrs.get("constant_params", "{}"))
    if name in constant:
        return constant[name]
    raise KeyError(f"parameter {name!r} is neither a coordinate nor a constant of this sweep")


def combine(exp: Experiment, points: list[Point], records: dict[str, dict]) -> xr.Dataset:
    """Points -> one Dataset with dims :attr:`Experiment.dims` (NaN and ``error`` where missing)."""
    reals = list(exp.realizations)
    grid = {k: [_plain(v) for v in vs] for k, vs in exp.grid.items()}
    seeds = [int(_plain(s)) for s in exp.seeds]
    axes = {"realization": reals, **grid, "seed": seeds}
    full_dims = ("realization", *grid, "seed")
    shape = tuple(len(v) for v in axes.values())
    index = {d: {json.dumps(v): i for i, v in enumerate(vals)} for d, vals in axes.items()}
    data = {name: np.full(shape, np.nan) for name in exp.kept}
    wall = np.full(shape, np.nan)
    errors = np.full(shape, "not run", dtype=object)
    # parameters that vary over the grid become coordinates (e.g. n_patterns(n_units, alpha))
    param_vals: dict[str, dict[tuple, Any]] = {}
    for pt in points:
        idx = tuple(index[d][json.dumps(v)] for d, v in zip(full_dims, pt.index, strict=True))
        for pname, pval in pt.params.items():
            param_vals.setdefault(pname, {})[idx[:-1]] = pval
        rec = records.get(pt.key)
        if rec is None:
            continue
        for name in exp.kept:
            data[name][idx] = rec["values"].get(name, np.nan)
        wall[idx] = rec.get("wall_time_s", np.nan)
        errors[idx] = rec["error"]

    squeeze = len(reals) == 1
    dims = exp.dims

    def shaped(arr):
        return arr[0] if squeeze else arr

    data_vars = {name: (dims, shaped(arr)) for name, arr in data.items()}
    data_vars["error"] = (dims, shaped(errors).astype(str))
    data_vars["wall_time_s"] = (dims, shaped(wall), {"units": "s"})
    coords: dict[str, Any] = {d: axes[d] for d in dims}
    if squeeze:
        coords["realization"] = reals[0]
    # the realization's own params are the same over realizations for the model fields
    varying_dims = dims[:-1]
    for pname, by_idx in param_vals.items():
        if pname in grid:
            continue
        values = list(by_idx.values())
        if all(json.dumps(v) == json.dumps(values[0]) for v in values):
            continue
        arr = np.empty(shape[:-1], dtype=object)
        for idx, v in by_idx.items():
            arr[idx] = v
        arr = arr[0] if squeeze else arr
        try:
            arr = np.asarray(arr.tolist())
        except ValueError:
            arr = arr.astype(str)
        if arr.dtype == object:  # e.g. None among the values: netCDF needs one type
            arr = arr.astype(str)
        coords[pname] = (varying_dims, arr)
    first = points[0]
    constant = {k: v for k, v in first.params.items() if k not in coords and k not in grid}
    attrs = {
        "experiment": exp.name,
        "model": exp.model,
        "realizations": json.dumps(reals),
        "description": exp.description,
        "constant_params": json.dumps(constant, sort_keys=True),
        "manifest": json.dumps(exp.manifest(), sort_keys=True),
        "n_failed": int(sum(1 for pt in points if records.get(pt.key, {}).get("error"))),
        "n_missing": int(sum(1 for pt in points if pt.key not in records)),
        **version_attrs(),
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)
