"""Result storage: atomic writes, no pickle, failures leave old files intact."""

from __future__ import annotations

import numpy as np
import pytest

import neurotwin
from neurotwin.results import Result


def _result(**kw):
    base = dict(
        model="m",
        realization="r",
        params={"a": 1},
        seed=3,
        t=np.arange(4.0),
        t_unit="s",
        traces={"x": np.arange(8).reshape(4, 2), "flag": np.array([True, False, True, True])},
        spikes={"pop": (np.array([0.1, 0.2]), np.array([0, 1]))},
        observables={"score": 0.5, "ok": True, "vec": np.array([1.0, 2.0])},
    )
    base.update(kw)
    return Result(**base)


def test_round_trip_keeps_dtypes_and_bools(tmp_path):
    r = _result()
    back = Result.load(r.save(tmp_path / "r.nc"))
    assert back.traces["flag"].dtype == bool
    assert back.observables["ok"] is True or back.observables["ok"] == True  # noqa: E712
    assert back.scalars() == {"score": 0.5, "ok": True}


def test_failed_write_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "r.nc"
    _result().save(path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("xarray.Dataset.to_netcdf", boom)
    with pytest.raises(OSError, match="disk full"):
        _result(seed=4).save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.nc"]


def test_trace_must_match_time_axis():
    with pytest.raises(neurotwin.InputError) as info:
        _result(traces={"x": np.zeros(3)}).to_dataset()
    assert (
        str(info.value) == "Result.traces['x']: first axis must match t, length 4 (got shape (3,))"
    )


def test_saved_file_is_plain_netcdf_without_pickle(tmp_path):
    import netCDF4

    path = _result().save(tmp_path / "r.nc")
    with netCDF4.Dataset(path) as nc:
        assert nc.getncattr("model") == "m"
        assert "trace_x" in nc.variables
