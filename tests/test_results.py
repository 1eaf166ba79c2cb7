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


def test_plain_xarray_sees_named_dims_units_and_versions(tmp_path):
    import xarray as xr

    res = neurotwin.run("hopfield", "reference", None, 1, n_units=40, n_patterns=3, n_cues=2)
    path = res.save(tmp_path / "h.nc")
    with xr.open_dataset(path) as ds:
        assert ds.trace_state.dims == ("time", "cue", "unit")
        assert ds.obs_overlap.dims == ("time", "cue", "pattern")
        assert ds.obs_final_overlap.attrs["units"] == "1"
        assert ds["time"].attrs["long_name"].startswith("time in sweeps")
        assert list(ds["cue"].values) == [0, 1]
        for name, var in ds.variables.items():
            assert "long_name" in var.attrs, name
        assert ds.attrs["Conventions"] == "CF-1.8"
        assert ds.attrs["neurotwin_version"] and ds.attrs["git_revision"]
    back = Result.load(path)
    assert back.scalars() == res.scalars()
    np.testing.assert_array_equal(back.traces["state"], res.traces["state"])


def test_seconds_unit_and_fallback_dim_names(tmp_path):
    import xarray as xr

    r = _result(traces={"lif.v": np.zeros((4, 3))}, observables={"mean_rate_hz": 2.0})
    with xr.open_dataset(r.save(tmp_path / "r.nc")) as ds:
        assert ds["time"].attrs["units"] == "s"
        assert ds.trace_lif_v.dims == ("time", "lif_v_dim1")
        assert ds.obs_mean_rate_hz.attrs["units"] == "Hz"
        assert "units" not in ds.spikes_pop_i.attrs and ds.spikes_pop_t.attrs["units"] == "s"
    assert set(Result.load(tmp_path / "r.nc").traces) == {"lif.v"}


def test_first_layout_still_loads(tmp_path):
    import xarray as xr

    ds = xr.Dataset(
        {
            "trace.x": (("t", "x_dim1"), np.arange(8.0).reshape(4, 2)),
            "obs.score": ((), 0.5),
            "spikes.pop.t": ("spikes_pop", [0.1]),
            "spikes.pop.i": ("spikes_pop", [0]),
        },
        coords={"t": np.arange(4.0)},
        attrs={"model": "m", "realization": "r", "seed": 3, "t_unit": "s", "params": "{}",
               "options": "{}", "provenance": "{}", "schema_version": 1},
    )  # fmt: skip
    ds.to_netcdf(tmp_path / "old.nc")
    back = Result.load(tmp_path / "old.nc")
    assert back.scalars() == {"score": 0.5} and back.traces["x"].shape == (4, 2)
    assert list(back.spikes) == ["pop"] and len(back.t) == 4


def test_sweep_point_and_sweep_dataset(tmp_path):
    import xarray as xr

    from neurotwin.sweep import Experiment, run_sweep

    exp = Experiment(name="tiny", model="hopfield", realizations=("reference",),
                     grid={"n_patterns": [2]}, seeds=(0,), fixed={"n_units": 20, "n_cues": 2},
                     observables=("final_overlap",))  # fmt: skip
    run_sweep(exp, tmp_path, workers=1, progress=False)
    point = next((tmp_path / "points").glob("*.nc"))
    res = Result.load(point)
    assert res.model == "hopfield" and "final_overlap" in res.scalars()
    assert res.provenance["git_revision"]
    for path in (point, tmp_path / "tiny.nc"):
        with xr.open_dataset(path) as ds:
            assert ds.attrs["neurotwin_version"] and "numpy" in ds.attrs["versions"]
    with pytest.raises(neurotwin.InputError, match=r"^Result.load: .*tiny\.nc is the combined "):
        Result.load(tmp_path / "tiny.nc")


def test_short_repr_and_plot(tmp_path):
    from matplotlib.figure import Figure

    r = _result()
    text = repr(r)
    assert text.startswith("<Result m/r seed=3") and "score=0.5" in text and "[" not in text
    assert len(text) < 300
    fig = r.plot()
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_xlabel() == "time (ms)"  # no 1-D trace: the raster
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert _result(traces={"v": np.arange(4.0)}).plot(ax=ax) is fig
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == "v"
    path = _result().plot(path=tmp_path / "r.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
