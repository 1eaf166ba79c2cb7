"""A reduced sweep (``--quick``) says in its summary, dataset and figure that it is a smoke run."""

from __future__ import annotations

import dataclasses
import json

import matplotlib.image as mpimg
import xarray as xr

from neurotwin.sweep import SMOKE_NOTE, get_experiment, run_sweep


def tiny(exp, name):
    """``exp`` on two small points, renamed."""
    return dataclasses.replace(
        exp, name=name, grid={"n_units": [40], "alpha": [0.05, 0.1]}, seeds=(0,), quick=None
    )


def test_quick_sweep_is_marked_as_a_smoke_run(tmp_path):
    exp = get_experiment("hopfield-capacity", quick=True)
    assert exp.name.endswith("-quick")
    smoke = tiny(exp, "capacity-check-quick")
    ds = run_sweep(smoke, tmp_path / "smoke", scheduler="synchronous", progress=False)
    full = tiny(exp, "capacity-check")
    run_sweep(full, tmp_path / "full", scheduler="synchronous", progress=False)

    summary = json.loads((tmp_path / "smoke" / "capacity-check-quick.summary.json").read_text())
    assert next(iter(summary)) == "smoke_run" and summary["smoke_run"] == SMOKE_NOTE
    assert ds.attrs["smoke_run"] == SMOKE_NOTE
    on_disk = xr.load_dataset(tmp_path / "smoke" / "capacity-check-quick.nc")
    assert on_disk.attrs["smoke_run"] == SMOKE_NOTE

    # the full run's summary, dataset and figure carry no such note; the smoke figure
    # is the same picture with a banner above it
    plain = json.loads((tmp_path / "full" / "capacity-check.summary.json").read_text())
    assert "smoke_run" not in plain
    assert "smoke_run" not in xr.load_dataset(tmp_path / "full" / "capacity-check.nc").attrs
    marked = mpimg.imread(tmp_path / "smoke" / "capacity-check-quick.png")
    unmarked = mpimg.imread(tmp_path / "full" / "capacity-check.png")
    assert marked.shape[1] == unmarked.shape[1]
    assert marked.shape[0] == unmarked.shape[0] + 40
    assert (marked[40:, :, :3] == unmarked[:, :, :3]).all()
