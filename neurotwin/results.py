"""One result type for every realization, saved without pickle.

A :class:`Result` maps onto an :class:`xarray.Dataset`: arrays become variables
(``trace.<name>``, ``obs.<name>``, ``spikes.<name>.t`` / ``.i``) and the
metadata (params, options, provenance) become JSON attributes. Files are
netCDF4, written through :mod:`neurotwin.files` (a temporary file in the target
folder renamed into place), so a reader never sees half a file, an interrupted
write leaves the previous file intact, and a failed one is a one-line
:class:`~neurotwin.errors.FileError` naming the path and the cause.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .errors import FileError, InputError
from .files import atomic_write, write_text

#: netCDF attributes hold at most a signed 64-bit integer; larger seeds are stored as text
_INT64_MAX = 2**63 - 1

SCHEMA_VERSION = 1


@dataclass
class Result:
    """What one realization of one model produced for one parameter set and seed.

    Attributes
    ----------
    model, realization : str
        Registry names, e.g. ``"hopfield"``, ``"brian2"``.
    params : dict
        The model's validated parameters (``Params.model_dump()``).
    options : dict
        The realization's own options (e.g. Brian2 ``device``); empty for the reference.
    seed : int
        The seed the run was derived from.
    t : ndarray
        Time base of every trace, in ``t_unit``.
    t_unit : str
        ``"s"`` for spiking realizations, ``"sweep"`` for the binary reference.
    traces : dict of str -> ndarray
        Arrays whose first axis is ``t``.
    spikes : dict of str -> (times_s, indices)
        Spike trains of a population.
    observables : dict of str -> scalar or ndarray
    provenance : dict
        Package versions, backend, codegen target, wall/build time, git revision.
    """

    model: str
    realization: str
    params: dict
    seed: int
    t: np.ndarray
    t_unit: str
    traces: dict[str, np.ndarray] = field(default_factory=dict)
    spikes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    observables: dict[str, Any] = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)

    def scalars(self) -> dict[str, float | int | bool]:
        """The scalar observables as plain Python values (for tables and JSON)."""
        out = {}
        for name, value in self.observables.items():
            arr = np.asarray(value)
            if arr.ndim == 0:
                out[name] = arr.item()
        return out

    # -- xarray mapping ---------------------------------------------------
    def to_dataset(self) -> xr.Dataset:
        data_vars = {}
        for name, arr in self.traces.items():
            arr = np.asarray(arr)
            if arr.shape[:1] != self.t.shape:
                raise InputError(
                    f"Result.traces[{name!r}]: first axis must match t, length {len(self.t)} "
                    f"(got shape {arr.shape})"
                )
            dims = ("t",) + tuple(f"{name}_dim{k}" for k in range(1, arr.ndim))
            data_vars[f"trace.{name}"] = (dims, _storable(arr), _bool_attr(arr))
        for name, value in self.observables.items():
            arr = np.asarray(value)
            dims = tuple(f"obs_{name}_dim{k}" for k in range(arr.ndim))
            data_vars[f"obs.{name}"] = (dims, _storable(arr), _bool_attr(arr))
        for name, (times, idx) in self.spikes.items():
            data_vars[f"spikes.{name}.t"] = (f"spikes_{name}", np.asarray(times, dtype=float))
            data_vars[f"spikes.{name}.i"] = (f"spikes_{name}", np.asarray(idx, dtype=np.int64))
        attrs = {
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "realization": self.realization,
            "seed": int(self.seed) if int(self.seed) <= _INT64_MAX else str(int(self.seed)),
            "t_unit": self.t_unit,
            "params": json.dumps(self.params, sort_keys=True),
            "options": json.dumps(self.options, sort_keys=True),
            "provenance": json.dumps(self.provenance, sort_keys=True, default=str),
        }
        return xr.Dataset(data_vars, coords={"t": np.asarray(self.t, dtype=float)}, attrs=attrs)

    @classmethod
    def from_dataset(cls, ds: xr.Dataset) -> Result:
        traces, observables, spikes = {}, {}, {}
        for key, var in ds.data_vars.items():
            kind, _, rest = key.partition(".")
            arr = _restore(var)
            if kind == "trace":
                traces[rest] = arr
            elif kind == "obs":
                observables[rest] = arr if arr.ndim else arr[()]
            elif kind == "spikes":
                name, _, part = rest.rpartition(".")
                pair = spikes.setdefault(name, [None, None])
                pair[0 if part == "t" else 1] = arr
        return cls(
            model=ds.attrs["model"],
            realization=ds.attrs["realization"],
            params=json.loads(ds.attrs["params"]),
            seed=int(ds.attrs["seed"]),
            t=ds["t"].values,
            t_unit=ds.attrs["t_unit"],
            traces=traces,
            spikes={k: (v[0], v[1]) for k, v in spikes.items()},
            observables=observables,
            options=json.loads(ds.attrs["options"]),
            provenance=json.loads(ds.attrs["provenance"]),
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write to netCDF atomically; returns the path written."""
        return write_dataset(self.to_dataset(), path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Result:
        """Read a file written by :meth:`save`.

        Raises
        ------
        FileError
            The file cannot be read (missing, permission denied).
        InputError
            It is not a netCDF file written by :meth:`save` (malformed, truncated, or
            missing the metadata).
        """
        path = Path(path)
        if not path.is_file():
            why = "it is a folder" if path.is_dir() else "no such file"
            raise FileError(f"cannot read {path}: {why}")
        try:
            with xr.open_dataset(path, engine="netcdf4") as ds:
                ds = ds.load()
        except PermissionError as exc:
            raise FileError(f"cannot read {path}: {exc.strerror or exc}") from None
        except Exception as exc:  # noqa: BLE001 - netCDF4/HDF5 raise many types for bad files
            raise InputError(
                f"Result.load: {path} is not a readable netCDF file ({_first_line(exc)})"
            ) from None
        try:
            return cls.from_dataset(ds)
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError(
                f"Result.load: {path} is not a neurotwin Result file "
                f"({type(exc).__name__}: {_first_line(exc)})"
            ) from None


def write_dataset(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write a dataset to netCDF atomically (a failure is one-line :class:`FileError`)."""
    return atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4"))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _storable(arr: np.ndarray) -> np.ndarray:
    # netCDF has no bool type: store as uint8 and mark it
    return arr.astype(np.uint8) if arr.dtype == bool else arr


def _bool_attr(arr: np.ndarray) -> dict:
    return {"neurotwin_dtype": "bool"} if arr.dtype == bool else {}


def _restore(var: xr.DataArray) -> np.ndarray:
    arr = var.values
    return arr.astype(bool) if var.attrs.get("neurotwin_dtype") == "bool" else arr


__all__ = ["SCHEMA_VERSION", "Result", "atomic_write", "write_dataset", "write_text"]
