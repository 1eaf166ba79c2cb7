"""One result type for every realization, saved without pickle.

A :class:`Result` maps onto an :class:`xarray.Dataset` that an xarray user
recognises (CF conventions):

* variables ``trace_<name>``, ``obs_<name>`` and ``spikes_<name>_t`` / ``_i``, so
  ``ds.trace_state`` and ``ds.obs_final_overlap`` work (a name's dots and other
  characters not allowed in a Python name become ``_``; the original name is kept in
  the variable's ``neurotwin_name`` attribute);
* named dimensions with integer coordinates (``time``, ``cue``, ``unit``,
  ``pattern``, ``neuron`` ...), declared per trace or observable name in
  :data:`DIMS` (the one place that says which axis is which), falling back to
  ``<name>_dim<k>`` for names without a declaration or whose shape does not fit it;
* ``units`` and ``long_name`` on every variable: the time axis in the result's
  ``t_unit``, the rest from :data:`UNITS` and from the name's suffix (``_s``, ``_hz``,
  ``_rad`` ...); a quantity whose unit is not known has a ``long_name`` and no
  ``units``;
* the metadata (params, options, provenance) as JSON attributes, and the versions
  and git revision as attributes of their own.

Files are netCDF4, written through :mod:`neurotwin.files` (a temporary file in the
target folder renamed into place), so a reader never sees half a file, an
interrupted write leaves the previous file intact, and a failed one is a one-line
:class:`~neurotwin.errors.FileError` naming the path and the cause.
:meth:`Result.load` also reads files of the first layout (``trace.state``,
dimension ``t``) and a sweep's point files.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import FileError, InputError
from .files import atomic_write, write_text

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr
    from matplotlib.figure import Figure

#: netCDF attributes hold at most a signed 64-bit integer; larger seeds are stored as text
_INT64_MAX = 2**63 - 1

#: 2: CF names, units and named dimensions (1: ``trace.<name>``, dimension ``t``)
SCHEMA_VERSION = 2

#: the dimensions of a trace (after ``time``) or an observable, by name; a key
#: ``(model, name)`` wins over ``name``. An observable whose first declared dimension is
#: ``time`` shares the time axis (its first axis must have the length of ``t``).
DIMS: dict[str | tuple[str, str], tuple[str, ...]] = {
    # memories (hopfield, modern-hopfield): traces (T, cues, units)
    "state": ("cue", "unit"),
    "overlap": ("time", "cue", "pattern"),
    "energy": ("time", "cue"),
    "final_overlaps": ("cue",),
    "sweeps_to_converge": ("cue",),
    "two_cycle": ("cue",),
    "steps": ("cue",),
    "rate": ("cue", "unit"),
    ("boltzmann", "state"): ("chain", "unit"),
    ("rbm", "visible"): ("chain", "visible_unit"),
    ("rbm", "hidden"): ("chain", "hidden_unit"),
    "final_visible": ("chain", "visible_unit"),
    "mean_state": ("unit",),
    "exact_mean_state": ("unit",),
    "sample_mean_pixel": ("visible_unit",),
    "data_mean_pixel": ("visible_unit",),
    "kl_curve": ("kl_sample",),
    "kl_curve_steps": ("kl_sample",),
    "kl_curve_t": ("kl_sample",),
    "curve_epoch": ("epoch",),
    "curve_reconstruction_error": ("epoch",),
    "curve_pseudo_likelihood": ("epoch",),
    "curve_log_likelihood": ("epoch",),
    # attractors and oscillators
    "activity": ("neuron",),
    ("torus-attractor", "activity"): ("neuron_y", "neuron_x"),
    "bump_position": ("time",),
    "r": ("time",),
    "psi": (),
    ("lif-sync", "theta"): ("neuron",),
    "phase": ("oscillator",),
    # learning
    "w": ("component", "input"),
    ("perceptron", "w"): ("input",),
    ("bcm", "w"): ("input",),
    "responses": ("pattern",),
    "unmixing": ("source", "mixture"),
    "weights": ("synapse",),
    "component_cosines": ("component",),
    ("mcculloch-pitts", "hidden"): ("hidden_unit",),
    "amari_curve": ("time",),
    "pc_cosine_curve": ("time",),
    "subspace_angle_curve": ("time",),
    "w_correlated_curve": ("time",),
    "w_uncorrelated_curve": ("time",),
}

#: units of quantities by name (UDUNITS strings; ``"1"``: dimensionless). A name not
#: here takes its unit from its suffix (:data:`SUFFIX_UNITS`), else it has none.
UNITS: dict[str | tuple[str, str], str] = {
    "overlap": "1",
    "final_overlap": "1",
    "final_overlaps": "1",
    "recall_fraction": "1",
    "retrieval_error": "1",
    "order_parameter": "1",
    "order_parameter_sd": "1",
    "r": "1",
    "r_theory": "1",
    "chi": "1",
    "psi": "rad",
    "bump_speed": "rad/s",
    "bump_speed_theory": "rad/s",
    "bump_position": "rad",
    "bump_width": "rad",
    "pattern_speed": "1/s",
    "pattern_velocity_x": "1/s",
    "pattern_velocity_y": "1/s",
    "pattern_period": "1",
    "pattern_period_theory": "1",
    "wobble_amplitude": "m",
    "final_amplitude": "m",
    ("millennium-bridge", "amplitude"): "m",
    ("millennium-bridge", "x"): "m",
    "kc_theory": "rad/s",
    "critical_crowd_size": "1",
    "final_cluster_fraction": "1",
    "truth_table_accuracy": "1",
    "test_accuracy": "1",
    "train_accuracy": "1",
    "training_accuracy": "1",
    "kl_to_exact": "nat",
    "kl_iid": "nat",
    "amari_index": "1",
    "fastica_amari_index": "1",
    "pc_cosine": "1",
    "time_to_sync_periods": "1",
}

#: a name's suffix -> its unit (``mean_rate_hz`` -> Hz)
SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_rad_s", "rad/s"),
    ("_hz", "Hz"),
    ("_rad", "rad"),
    ("_deg", "degree"),
    ("_ms", "ms"),
    ("_s", "s"),
)

#: ``t_unit`` -> the time coordinate's ``units`` and ``long_name``
TIME_UNITS: dict[str, tuple[str | None, str]] = {
    "s": ("s", "time"),
    "ms": ("ms", "time"),
    "sweep": ("1", "time in sweeps (N single-unit updates each)"),
    "step": ("1", "time in steps"),
    "epoch": ("1", "time in training epochs"),
}

_KINDS = {"trace": "trace", "obs": "observable"}
_NOT_NAME = re.compile(r"[^0-9A-Za-z_]")


def var_name(kind: str, name: str) -> str:
    """The dataset variable of a trace (``kind="trace"``), an observable (``"obs"``) or a
    spike train's times/indices (``"spikes"``, then ``name + "_t"``): a Python name."""
    return f"{kind}_{_NOT_NAME.sub('_', name)}"


def unit_of(name: str, model: str = "") -> str | None:
    """The declared unit of a quantity named ``name`` of ``model``: the model's own
    ``ModelSpec.observable_units``, then :data:`UNITS` by ``(model, name)`` then
    ``name``, then the name's suffix; None: not known."""
    if model:
        from .registry import _MODELS  # registered models only: a unit lookup loads nothing

        declared = getattr(_MODELS.get(model), "observable_units", {})
        if name in declared:
            return declared[name]
    for key in ((model, name), name):
        if key in UNITS:
            return UNITS[key]
    for suffix, unit in SUFFIX_UNITS:
        if name.endswith(suffix):
            return unit
    return None


def dims_of(model: str, name: str, shape: tuple[int, ...]) -> tuple[str, ...] | None:
    """Declared dimension names for ``shape`` (None: no declaration that fits)."""
    dims = DIMS.get((model, name), DIMS.get(name))
    if dims is None or len(dims) != len(shape):
        return None
    return dims


def version_attrs() -> dict[str, str]:
    """``neurotwin_version``, ``git_revision`` and the versions of the scientific stack, as
    netCDF attributes (text; ``"unknown"`` where not found)."""
    from .harness import _git_revision, _versions

    versions = dict(_versions(("neurotwin", "numpy", "scipy", "xarray")))
    return {
        "neurotwin_version": versions.get("neurotwin") or "unknown",
        "git_revision": _git_revision() or "unknown",
        "versions": json.dumps(versions, sort_keys=True),
    }


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

    def __repr__(self) -> str:
        sizes = {"t": len(self.t)} if len(self.t) else {}
        for name, arr in self.traces.items():
            sizes[name] = tuple(np.shape(arr))
        for name, (times, _) in self.spikes.items():
            sizes[f"spikes {name}"] = len(times)
        keys = list(self.scalars().items())[:6]
        scalars = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in keys)
        more = len(self.scalars()) - len(keys)
        return (
            f"<Result {self.model}/{self.realization} seed={self.seed} "
            f"t={len(self.t)} {self.t_unit}; sizes {sizes}; "
            f"{scalars}{f' (+{more} more)' if more > 0 else ''}>"
        )

    def plot(self, ax: Any = None, path: str | os.PathLike | None = None) -> Figure:
        """The model's dynamics on ``ax`` (a new figure if None): the key trace over time
        (overlap with the cued pattern, bump position, order parameter ...) with its theory
        line where the result has one, else a spike raster; returns the Figure (and saves
        it as PNG at ``path`` if given)."""
        from .plotting import result as plot_result

        return plot_result(self, ax=ax, path=path)

    # -- xarray mapping ---------------------------------------------------
    def to_dataset(self) -> xr.Dataset:
        """The CF-style dataset (see the module docstring)."""
        t = np.asarray(self.t, dtype=float)
        sizes: dict[str, int] = {"time": len(t)}
        declared: set[str] = set()
        data_vars: dict[str, Any] = {}

        def named(model_dims, shape, fallback):
            # declared names, unless one is already used with another length
            if model_dims is not None and all(
                sizes.get(d, n) == n for d, n in zip(model_dims, shape, strict=True)
            ):
                sizes.update(zip(model_dims, shape, strict=True))
                declared.update(model_dims)
                return tuple(model_dims)
            return fallback

        for name, arr in self.traces.items():
            arr = np.asarray(arr)
            if arr.shape[:1] != t.shape:
                raise InputError(
                    f"Result.traces[{name!r}]: first axis must match t, length {len(t)} "
                    f"(got shape {arr.shape})"
                )
            fallback = tuple(f"{_NOT_NAME.sub('_', name)}_dim{k}" for k in range(1, arr.ndim))
            dims = (
                "time",
                *named(dims_of(self.model, name, arr.shape[1:]), arr.shape[1:], fallback),
            )
            data_vars[var_name("trace", name)] = (
                dims, _storable(arr), self._attrs("trace", name, arr)
            )  # fmt: skip
        for name, value in self.observables.items():
            arr = np.asarray(value)
            fallback = tuple(f"{_NOT_NAME.sub('_', name)}_dim{k}" for k in range(arr.ndim))
            dims = named(dims_of(self.model, name, arr.shape), arr.shape, fallback)
            data_vars[var_name("obs", name)] = (dims, _storable(arr), self._attrs("obs", name, arr))
        for name, (times, idx) in self.spikes.items():
            dim = f"spike_{_NOT_NAME.sub('_', name)}"
            base = {"neurotwin_kind": "spikes", "neurotwin_name": name}
            data_vars[var_name("spikes", name) + "_t"] = (
                dim,
                np.asarray(times, dtype=float),
                {
                    **base,
                    "neurotwin_part": "t",
                    "units": "s",
                    "long_name": f"spike times of {name}",
                },
            )
            data_vars[var_name("spikes", name) + "_i"] = (
                dim,
                np.asarray(idx, dtype=np.int64),
                {**base, "neurotwin_part": "i", "long_name": f"neuron of {name} that spiked"},
            )  # fmt: skip
        t_units, t_long = TIME_UNITS.get(self.t_unit, (self.t_unit or None, "time"))
        coords: dict[str, Any] = {
            "time": ("time", t, {"long_name": t_long, **({"units": t_units} if t_units else {})})
        }
        for dim, n in sizes.items():
            if dim in declared and dim != "time":
                coords[dim] = (dim, np.arange(n), {"long_name": f"{dim.replace('_', ' ')} index"})
        prov = self.provenance
        versions = prov.get("versions") or {}
        attrs = {
            "Conventions": "CF-1.8",
            "title": f"neurotwin {self.model} / {self.realization}, seed {self.seed}",
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "realization": self.realization,
            "seed": int(self.seed) if int(self.seed) <= _INT64_MAX else str(int(self.seed)),
            "t_unit": self.t_unit,
            "params": json.dumps(self.params, sort_keys=True),
            "options": json.dumps(self.options, sort_keys=True),
            "provenance": json.dumps(prov, sort_keys=True, default=str),
            **version_attrs(),
        }
        # the run's own record wins over this process's (a result saved elsewhere)
        if versions.get("neurotwin"):
            attrs["neurotwin_version"] = str(versions["neurotwin"])
        if prov.get("git_revision"):
            attrs["git_revision"] = str(prov["git_revision"])
        if versions:
            attrs["versions"] = json.dumps(versions, sort_keys=True, default=str)
        import xarray as xr  # on use: xarray and pandas take about half a second to import

        return xr.Dataset(data_vars, coords=coords, attrs=attrs)

    def _attrs(self, kind: str, name: str, arr: np.ndarray) -> dict:
        attrs = {
            "neurotwin_kind": kind,
            "neurotwin_name": name,
            "long_name": f"{name.replace('_', ' ')} ({_KINDS[kind]})",
            **_bool_attr(arr),
        }
        unit = unit_of(name, self.model)
        if unit is not None and arr.dtype != bool:
            attrs["units"] = unit
        return attrs

    @classmethod
    def from_dataset(cls, ds: xr.Dataset) -> Result:
        traces, observables, spikes = {}, {}, {}
        for key, var in ds.data_vars.items():
            kind = var.attrs.get("neurotwin_kind")
            if kind is not None:
                name, part = var.attrs["neurotwin_name"], var.attrs.get("neurotwin_part", "")
            else:  # the first layout: trace.<name>, obs.<name>, spikes.<name>.t
                kind, _, name = key.partition(".")
                if kind == "spikes":
                    name, _, part = name.rpartition(".")
            arr = _restore(var)
            if kind == "trace":
                traces[name] = arr
            elif kind == "obs":
                observables[name] = arr if arr.ndim else arr[()]
            elif kind == "spikes":
                pair = spikes.setdefault(name, [None, None])
                pair[0 if part == "t" else 1] = arr
        time = "time" if "time" in ds.coords else "t"
        return cls(
            model=ds.attrs["model"],
            realization=ds.attrs["realization"],
            params=json.loads(ds.attrs["params"]),
            seed=int(ds.attrs["seed"]),
            t=ds[time].values if time in ds.variables else np.zeros(0),
            t_unit=ds.attrs["t_unit"],
            traces=traces,
            spikes={k: (v[0], v[1]) for k, v in spikes.items()},
            observables=observables,
            options=json.loads(ds.attrs["options"]),
            provenance=json.loads(ds.attrs["provenance"]),
        )

    @classmethod
    def from_sweep_point(cls, ds: xr.Dataset) -> Result:
        """A sweep's point file as a Result: its kept scalars as observables, no traces."""
        prov = {
            k: ds.attrs[k]
            for k in ("experiment", "key", "error", "wall_time_s", "sim_wall_time_s")
            if k in ds.attrs
        }
        for k in ("neurotwin_version", "git_revision"):
            if k in ds.attrs:
                prov[k] = ds.attrs[k]
        return cls(
            model=ds.attrs["model"],
            realization=ds.attrs["realization"],
            params=json.loads(ds.attrs["params"]),
            seed=int(ds.attrs["seed"]),
            t=np.zeros(0),
            t_unit="",
            observables={k: v.values[()] for k, v in ds.data_vars.items() if v.ndim == 0},
            options=json.loads(ds.attrs.get("options", "{}")),
            provenance=prov,
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write to netCDF atomically; returns the path written."""
        return write_dataset(self.to_dataset(), path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Result:
        """Read a file written by :meth:`save` (either layout) or a sweep's point file.

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
            import xarray as xr

            with xr.open_dataset(path, engine="netcdf4") as ds:
                ds = ds.load()
        except PermissionError as exc:
            raise FileError(f"cannot read {path}: {exc.strerror or exc}") from None
        except Exception as exc:  # noqa: BLE001 - netCDF4/HDF5 raise many types for bad files
            raise InputError(
                f"Result.load: {path} is not a readable netCDF file ({_first_line(exc)})"
            ) from None
        attrs = ds.attrs
        if "experiment" in attrs and "key" not in attrs:
            raise InputError(
                f"Result.load: {path} is the combined dataset of sweep "
                f"{attrs['experiment']!r}, not one run; open it with xarray.open_dataset"
            )
        try:
            if "experiment" in attrs:
                return cls.from_sweep_point(ds)
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


__all__ = [
    "DIMS",
    "SCHEMA_VERSION",
    "UNITS",
    "Result",
    "atomic_write",
    "dims_of",
    "unit_of",
    "var_name",
    "version_attrs",
    "write_dataset",
    "write_text",
]
