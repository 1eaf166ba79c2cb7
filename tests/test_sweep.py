"""Parameter sweeps on Dask: combining, resuming, failures, validation, refusal."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import neurotwin
from neurotwin import ParamError, SimulationError
from neurotwin import sweep as sw
from neurotwin.budget import usable_cores
from neurotwin.sweep import Experiment, run_sweep

KEPT = ("final_overlap", "recall_fraction", "converged")


def _figure(ds, path):
    from neurotwin import plotting

    return plotting.sweep_lines(ds, "final_overlap", "cue_noise", path, hue="n_patterns")


def _summary(ds):
    return {"mean_final_overlap": float(ds["final_overlap"].mean())}


def tiny(**changes) -> Experiment:
    """2 x 2 grid x 2 seeds of a 30-unit reference network: 8 points, well under a second."""
    kw = dict(
        name="tiny",
        model="hopfield",
        realizations=("reference",),
        grid={"n_patterns": [2, 4], "cue_noise": [0.0, 0.3]},
        seeds=(0, 1),
        fixed={"n_units": 30, "n_cues": 3, "max_sweeps": 20},
        observables=KEPT,
        figure=_figure,
        summary=_summary,
    )
    kw.update(changes)
    return Experiment(**kw)


def point_files(out: Path) -> list[Path]:
    return sorted((out / "points").glob("*.nc"))


def stats(paths):
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in paths}


def observables(ds: xr.Dataset) -> xr.Dataset:
    return ds[list(KEPT) + ["error"]]


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory) -> xr.Dataset:
    """The tiny sweep, uninterrupted, in this process."""
    out = tmp_path_factory.mktemp("reference")
    return run_sweep(tiny(), out, scheduler="synchronous", progress=False)


def test_small_sweep_combines_into_the_expected_dataset(reference_run, tmp_path):
    ds = reference_run
    assert ds[KEPT[0]].dims == ("n_patterns", "cue_noise", "seed")
    assert ds.sizes == {"n_patterns": 2, "cue_noise": 2, "seed": 2}
    assert ds["n_patterns"].values.tolist() == [2, 4]
    assert ds["cue_noise"].values.tolist() == [0.0, 0.3]
    assert ds["seed"].values.tolist() == [0, 1]
    assert str(ds["realization"].values) == "reference"
    assert (ds["error"].values == "").all()
    assert ds.attrs["n_failed"] == 0 and ds.attrs["complete"] == 1
    for n_patterns, noise, seed in [(4, 0.3, 1), (2, 0.0, 0), (4, 0.0, 1)]:
        r = neurotwin.run(
            "hopfield",
            "reference",
            n_units=30,
            n_patterns=n_patterns,
            cue_noise=noise,
            n_cues=3,
            max_sweeps=20,
            seed=seed,
        )
        point = ds.sel(n_patterns=n_patterns, cue_noise=noise, seed=seed)
        for name in KEPT:
            assert float(point[name]) == float(r.observables[name]), name


def test_outputs_are_written(tmp_path):
    out = tmp_path / "sweep"
    ds = run_sweep(tiny(), out, scheduler="synchronous", progress=False)
    assert len(point_files(out)) == 8
    on_disk = xr.load_dataset(out / "tiny.nc")
    xr.testing.assert_equal(observables(on_disk), observables(ds))
    assert (out / "tiny.png").stat().st_size > 1000
    summary = json.loads((out / "tiny.summary.json").read_text())
    assert summary["mean_final_overlap"] == pytest.approx(float(ds["final_overlap"].mean()))
    assert summary["sweep"]["points"] == 8 and summary["sweep"]["failed"] == 0
    manifest = json.loads((out / "sweep.json").read_text())
    assert manifest["experiment"] == "tiny"
    assert manifest["grid"] == {"n_patterns": [2, 4], "cue_noise": [0.0, 0.3]}
    # one point file: its kept scalars and its params, no traces
    with xr.open_dataset(point_files(out)[0]) as p:
        assert set(p.data_vars) == set(KEPT)
        assert all(p[v].ndim == 0 for v in p.data_vars)
        assert json.loads(p.attrs["params"])["n_units"] == 30
        assert p.attrs["error"] == ""


def test_interrupted_sweep_on_a_local_cluster_resumes(reference_run, tmp_path, capsys):
    """A real LocalCluster with worker processes computes 3 points and stops; the
    re-run computes the 5 others, leaves the first 3 files alone and equals an
    uninterrupted run."""
    out = tmp_path / "sweep"
    partial = run_sweep(tiny(), out, workers=2, progress=False, max_points=3)
    # the user's --workers is honoured even for points too small to pay a cluster's start
    assert "on a local cluster of 2 workers (processes; --workers 2)" in capsys.readouterr().err
    first = point_files(out)
    assert len(first) == 3
    assert partial.attrs["complete"] == 0
    assert int((partial["error"] == "not run").sum()) == 5
    assert not (out / "tiny.nc").exists() and not (out / "tiny.png").exists()
    # a half-written temp file left by a killed write never counts as a point
    (out / "points" / f".{first[0].name}.x1y2.tmp").write_bytes(b"CDF\x01half")
    before = stats(first)

    ds = run_sweep(tiny(), out, scheduler="synchronous", progress=True)
    err = capsys.readouterr().err
    assert "3/8" in err and "8/8" in err  # points found on disk count as done up front
    files = point_files(out)
    assert len(files) == 8 and len({f.name for f in files}) == 8
    assert {k: v for k, v in stats(files).items() if k in before} == before
    xr.testing.assert_equal(observables(ds), observables(reference_run))

    # a third run finds everything and computes nothing
    again = stats(files)
    run_sweep(tiny(), out, scheduler="synchronous", progress=False)
    assert stats(point_files(out)) == again


def test_sweep_killed_by_an_exception_keeps_what_it_wrote(reference_run, tmp_path):
    out = tmp_path / "sweep"
    seen = []

    def stop_after_two(point, record):
        seen.append(point.key)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(tiny(), out, scheduler="synchronous", progress=False, on_point=stop_after_two)
    assert sorted(f.stem for f in point_files(out)) == sorted(seen)
    ds = run_sweep(tiny(), out, scheduler="synchronous", progress=False)
    xr.testing.assert_equal(observables(ds), observables(reference_run))


def test_corrupt_point_file_is_recomputed(reference_run, tmp_path):
    out = tmp_path / "sweep"
    run_sweep(tiny(), out, scheduler="synchronous", progress=False)
    files = point_files(out)
    files[0].write_bytes(b"not a netCDF file")
    files[1].write_bytes(files[1].read_bytes()[:100])  # truncated
    untouched = stats(files[2:])
    ds = run_sweep(tiny(), out, scheduler="synchronous", progress=False)
    assert stats(point_files(out)[2:]) == untouched
    for f in files[:2]:
        assert sw.read_point(f, f.stem, KEPT) is not None
    xr.testing.assert_equal(observables(ds), observables(reference_run))


def test_failed_point_is_recorded_and_the_sweep_goes_on(reference_run, tmp_path, monkeypatch):
    real_execute = sw.points.execute

    def flaky(plan):
        if plan.params.n_patterns == 4 and plan.params.cue_noise == 0.3:
            raise SimulationError("state: non-finite value at time step 3 (t = 3 sweep)")
        return real_execute(plan)

    monkeypatch.setattr(sw.points, "execute", flaky)
    out = tmp_path / "sweep"
    ds = run_sweep(tiny(), out, scheduler="synchronous", progress=False)
    bad = ds.sel(n_patterns=4, cue_noise=0.3)
    assert (
        bad["error"].values == "SimulationError: state: non-finite value at time step 3 "
        "(t = 3 sweep)"
    ).all()
    assert np.isnan(bad["final_overlap"].values).all()
    good = ds.drop_sel(n_patterns=4)
    assert (good["error"].values == "").all()
    xr.testing.assert_equal(observables(good), observables(reference_run.drop_sel(n_patterns=4)))
    assert ds.attrs["n_failed"] == 2
    summary = json.loads((out / "tiny.summary.json").read_text())
    assert summary["sweep"]["failed"] == 2
    assert summary["sweep"]["failures"][0]["error"].startswith("SimulationError: state:")
    assert (out / "tiny.png").exists()
    on_disk = xr.load_dataset(out / "tiny.nc")
    assert (on_disk["error"].sel(n_patterns=4, cue_noise=0.3).values != "").all()

    # a failure is a result: re-running keeps it, retry_failed recomputes it
    monkeypatch.setattr(sw.points, "execute", real_execute)
    again = run_sweep(tiny(), out, scheduler="synchronous", progress=False)
    assert again.attrs["n_failed"] == 2
    fixed = run_sweep(tiny(), out, scheduler="synchronous", progress=False, retry_failed=True)
    xr.testing.assert_equal(observables(fixed), observables(reference_run))


def test_bad_grid_value_fails_before_anything_is_written(tmp_path):
    out = tmp_path / "sweep"
    exp = tiny(grid={"n_units": [30, 1]}, fixed={"n_patterns": 2})
    with pytest.raises(ParamError) as info:
        run_sweep(exp, out, scheduler="synchronous", progress=False)
    assert str(info.value) == "HopfieldParams.n_units: must be an integer >= 2 (got 1)"
    assert not out.exists()

    with pytest.raises(ParamError) as info:
        run_sweep(tiny(fixed={"n_units": 30, "bogus": 1}), out, progress=False)
    assert str(info.value).startswith("HopfieldParams.bogus: unknown parameter")
    assert not out.exists()


def test_numpy_grid_values_are_made_plain(tmp_path, reference_run):
    exp = tiny(
        grid={"n_patterns": np.array([2, 4]), "cue_noise": np.array([0.0, 0.3])},
        seeds=tuple(np.arange(2)),
    )
    ds = run_sweep(exp, tmp_path / "sweep", scheduler="synchronous", progress=False)
    xr.testing.assert_equal(observables(ds), observables(reference_run))


def test_a_different_sweep_in_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "sweep"
    run_sweep(tiny(), out, scheduler="synchronous", progress=False)
    manifest = (out / "sweep.json").read_bytes()
    other = tiny(name="other", grid={"n_patterns": [2, 3], "cue_noise": [0.0]})
    with pytest.raises(ParamError) as info:
        run_sweep(other, out, scheduler="synchronous", progress=False)
    assert str(info.value) == (
        f"out_dir: must be a new folder or hold the same sweep; {out} holds experiment 'tiny' "
        f"(see {out / 'sweep.json'}); use another folder or remove it (got experiment 'other')"
    )
    assert (out / "sweep.json").read_bytes() == manifest
    assert len(point_files(out)) == 8
    # same name, another grid: refused too
    with pytest.raises(ParamError, match="holds experiment 'tiny' with another grid"):
        run_sweep(tiny(seeds=(0, 1, 2)), out, scheduler="synchronous", progress=False)


def test_several_realizations_add_a_dimension():
    assert tiny().dims == ("n_patterns", "cue_noise", "seed")
    two = tiny(realizations=("reference", "brian2"))
    assert two.dims == ("realization", "n_patterns", "cue_noise", "seed")


def test_variants_run_one_realization_twice_under_their_own_labels(reference_run, tmp_path):
    """A variant label runs another realization with its own settings (here the async
    reference as ``sync``, with synchronous updates) on the same patterns and cues."""
    exp = tiny(
        realizations=("reference", "sync"),
        variants={"sync": "reference"},
        per_realization={"sync": {"update": "sync"}},
        figure=None,
    )
    ds = run_sweep(exp, tmp_path / "v", scheduler="synchronous", progress=False)
    assert list(ds["realization"].values) == ["reference", "sync"]
    for name in [*KEPT, "error"]:
        np.testing.assert_array_equal(
            ds[name].sel(realization="reference").values, reference_run[name].values
        )
    assert (ds["update"].sel(realization="sync") == "sync").all()
    with pytest.raises(ParamError) as info:
        run_sweep(tiny(variants={"nope": "reference"}), tmp_path / "w", progress=False)
    assert str(info.value) == (
        "tiny.variants: labels must be among the realizations ['reference'] (got ['nope'])"
    )
    assert not (tmp_path / "w").exists()


def test_a_label_can_run_another_model_on_the_same_axis(tmp_path):
    """``models``: the ``oja`` label runs model ``oja`` beside ``sanger``; ``fixed`` holds
    the parameters both have, ``per_realization`` the others; each point equals a plain
    run of its own model."""
    exp = Experiment(
        name="pair",
        model="sanger",
        realizations=("sanger-3", "oja"),
        variants={"sanger-3": "reference", "oja": "reference"},
        models={"oja": "oja"},
        per_realization={"sanger-3": {"n_components": 3}},
        grid={},
        seeds=(0, 1),
        fixed={"n_samples": 200, "n_epochs": 1},
        observables=("pc_cosine",),
    )
    points = sw.expand(exp)
    assert [(pt.model, pt.label) for pt in points] == [
        ("sanger", "sanger-3"),
        ("sanger", "sanger-3"),
        ("oja", "oja"),
        ("oja", "oja"),
    ]
    ds = run_sweep(exp, tmp_path / "p", scheduler="synchronous", progress=False)
    assert ds["pc_cosine"].dims == ("realization", "seed")
    for seed in (0, 1):
        alone = neurotwin.run("oja", seed=seed, n_samples=200, n_epochs=1)
        got = float(ds["pc_cosine"].sel(realization="oja", seed=seed))
        assert got == alone.observables["pc_cosine"]
    oja_files = [
        p for p in point_files(tmp_path / "p") if xr.open_dataset(p).attrs["model"] == "oja"
    ]
    assert len(oja_files) == 2
    with pytest.raises(ParamError) as info:
        run_sweep(tiny(models={"nope": "oja"}), tmp_path / "w", progress=False)
    assert str(info.value) == (
        "tiny.models: labels must be among the realizations ['reference'] (got ['nope'])"
    )
    with pytest.raises(ParamError) as info:
        sw.expand(dataclasses.replace(exp, fixed={"n_samples": 200, "n_components": 3}))
    assert str(info.value) == (
        "OjaParams.n_components: unknown parameter for realization 'reference' (allowed: "
        "n_features, n_samples, spectrum_decay, n_epochs, learning_rate, n_checkpoints, "
        "rule) (got 3)"
    )


def test_available_part_drops_labels_that_cannot_run_here(monkeypatch):
    """The CLI's --skip-unavailable: a label whose backend is missing is left out with
    the reason; the rest of the experiment is unchanged."""
    from neurotwin.registry import get_realization

    exp = tiny(
        realizations=("reference", "chip"),
        variants={"chip": "brian2"},
        per_realization={"chip": {"device": "runtime"}},
    )
    assert sw.available_part(tiny()) == (tiny(), {})
    brian2 = get_realization("hopfield", "brian2")
    monkeypatch.setattr(brian2, "why_unavailable", lambda: "no brian2 here")
    monkeypatch.setattr(brian2, "available", lambda: False)
    reduced, dropped = sw.available_part(exp)
    assert dropped == {"chip": "no brian2 here"}
    assert reduced.realizations == ("reference",)
    assert reduced.variants == {} and reduced.per_realization == {}
    assert reduced.grid == exp.grid and reduced.seeds == exp.seeds


def test_unknown_experiment_and_bad_arguments(tmp_path):
    with pytest.raises(
        ParamError,
        match=r"^experiment: must be one of .*hopfield-capacity.* "
        r"\(got 'nope'\)$",
    ):
        sw.get_experiment("nope")
    with pytest.raises(ParamError, match=r"^max_points: must be an integer >= 0 or None"):
        run_sweep(tiny(), tmp_path / "x", max_points=-1, progress=False)
    with pytest.raises(ParamError, match=r"^tiny.grid: 'seed' is an axis of its own"):
        run_sweep(tiny(grid={"seed": [1, 2]}), tmp_path / "x", progress=False)
    assert not (tmp_path / "x").exists()


def test_point_key_is_stable():
    params = {"n_units": 30, "n_patterns": 2}
    k1 = sw.point_key("hopfield", "reference", params, {}, 3)
    k2 = sw.point_key("hopfield", "reference", dict(reversed(params.items())), {}, 3)
    assert k1 == k2 and len(k1) == 24
    assert sw.point_key("hopfield", "reference", params, {}, 4) != k1
    assert sw.point_key("hopfield", "brian2", params, {}, 3) != k1


def test_point_file_write_is_atomic(tmp_path, monkeypatch):
    """A point file is written to a temp file and renamed: a crash mid-write (here after
    its values, at its attributes) leaves nothing under the point's name."""
    import netCDF4

    out = tmp_path / "sweep"

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(netCDF4.Dataset, "setncatts", boom)
    with pytest.raises(OSError, match="disk full"):
        run_sweep(tiny(), out, scheduler="synchronous", progress=False)
    assert point_files(out) == []
    leftovers = list((out / "points").iterdir()) if (out / "points").exists() else []
    assert leftovers == []
    assert os.path.exists(out / "sweep.json")


def pyplot_imported(result) -> float:
    """1.0 where matplotlib.pyplot is imported in the process that ran the point."""
    import sys

    return float("matplotlib.pyplot" in sys.modules)


def test_brian2_points_run_on_worker_processes(tmp_path, monkeypatch):
    """Brian2 sets a SIGINT handler on import, allowed only in a main thread; Dask runs
    tasks in worker threads, so the sweep imports each realization's packages in every
    worker's main thread first. Without that, every Brian2 point fails. The sweep's own
    workers import Brian2 without pylab (no matplotlib.pyplot: 0.3-0.7 s less per worker
    start) and give the same observables as a run in this process."""
    from neurotwin.registry import get_model

    real = get_model("hopfield").realizations.get("brian2")
    if real is None or not real.available():
        pytest.skip("the brian2 realization is not available here")
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    exp = tiny(
        name="tiny-brian2",
        realizations=("brian2",),
        derived={"pyplot": pyplot_imported},
        grid={"n_patterns": [2]},
        seeds=(0,),
        figure=None,
        summary=None,
    )
    ds = run_sweep(exp, tmp_path, workers=1, progress=False)
    assert (ds["error"].values == "").all(), ds["error"].values
    r = neurotwin.run(
        "hopfield", "brian2", n_units=30, n_patterns=2, n_cues=3, max_sweeps=20, seed=0
    )
    assert float(ds["final_overlap"].sel(n_patterns=2, seed=0)) == r.observables["final_overlap"]
    assert set(ds["pyplot"].values.ravel()) == {0.0}


def malloc_trim(result) -> float:
    """The worker's MALLOC_TRIM_THRESHOLD_ (-1: not set), read in the worker."""
    return float(os.environ.get("MALLOC_TRIM_THRESHOLD_", "-1"))


def tick_interval(result) -> float:
    """Seconds between the event-loop ticks of the worker's Dask config, read in it."""
    import dask
    from dask.utils import parse_timedelta

    return float(parse_timedelta(dask.config.get("distributed.admin.tick.interval")))


def test_local_workers_keep_glibc_trimming_and_are_gone_when_the_sweep_returns(
    tmp_path, monkeypatch
):
    """Dask's own MALLOC_TRIM_THRESHOLD_=65536 is not given to the sweep's local workers
    (it made a Brian2 point take ten times the page faults, issue 16); what this process's
    environment sets still reaches them, and so does the sweep's Dask config (its slower
    monitor ticks). The workers are stopped, in a thread that overlaps the combined
    dataset's writing, before run_sweep returns."""
    import psutil

    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    exp = tiny(
        derived={"trim": malloc_trim, "tick": tick_interval},
        seeds=(0,),
        grid={"n_patterns": [2]},
        figure=None,
    )
    ds = run_sweep(exp, tmp_path / "dask", workers=1, progress=False)
    assert (ds["error"].values == "").all(), ds["error"].values
    assert set(ds["trim"].values.ravel()) == {-1.0}
    assert set(ds["tick"].values.ravel()) == {1.0}  # MONITOR_INTERVALS, not Dask's 20 ms
    workers = [  # spawned worker processes (multiprocessing's resource tracker stays)
        p
        for p in psutil.Process().children(recursive=True)
        if p.is_running() and "spawn_main" in " ".join(p.cmdline())
    ]
    assert not workers
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1048576")
    ds = run_sweep(exp, tmp_path / "env", workers=1, progress=False)
    assert set(ds["trim"].values.ravel()) == {1048576.0}


def test_local_cluster_config_drops_only_dasks_own_malloc_trim():
    from neurotwin.sweep.tasks import DASK_MALLOC_TRIM, local_cluster_config

    key = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
    assert local_cluster_config(lambda k, d: DASK_MALLOC_TRIM) == {key: None}
    assert local_cluster_config(lambda k, d: str(DASK_MALLOC_TRIM)) == {key: None}
    assert local_cluster_config(lambda k, d: 1 << 20) == {}  # the user's own value
    assert local_cluster_config(lambda k, d: d) == {}  # none set
    assert local_cluster_config(lambda k, d: "64k") == {}  # not Dask's: left to glibc


def test_local_cluster_config_slows_only_dasks_own_monitor_intervals():
    """Dask's shipped monitor intervals are replaced by MONITOR_INTERVALS (spelled any
    way Dask reads them); an interval the user's Dask config sets is kept."""
    from neurotwin.sweep.tasks import MONITOR_INTERVALS, local_cluster_config

    shipped = {k: dask for k, (dask, _) in MONITOR_INTERVALS.items()}
    ours = {k: mine for k, (_, mine) in MONITOR_INTERVALS.items()}
    assert local_cluster_config(lambda k, d: shipped.get(k, d)) == ours
    assert local_cluster_config(
        lambda k, d: {"distributed.admin.tick.interval": 0.02}.get(k, d)
    ) == {"distributed.admin.tick.interval": "1s"}
    user = {k: "250ms" for k in MONITOR_INTERVALS}
    assert local_cluster_config(lambda k, d: user.get(k, d)) == {}
    assert (
        local_cluster_config(lambda k, d: {"distributed.admin.tick.interval": "soon"}.get(k, d))
        == {}
    )


def test_worker_setup_freezes_the_heap_at_exit_of_its_own_workers_only(tmp_path):
    """The plugin's teardown freezes a worker's heap (its exit then skips Python's final
    collections) only on workers of the sweep's own local processes; a threads cluster
    (workers in this process) leaves this process's heap as it was."""
    import gc

    from neurotwin.sweep.run import _worker_setup

    assert gc.get_freeze_count() == 0
    try:
        _worker_setup([], own_cluster=False).teardown(None)
        assert gc.get_freeze_count() == 0
        _worker_setup([], own_cluster=True).teardown(None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    run_sweep(tiny(figure=None), tmp_path, scheduler="threads", progress=False)
    assert gc.get_freeze_count() == 0


# -- where the points run: in-process or on a cluster, batches, BLAS threads -----------


def test_mode_rule_is_the_cluster_start_against_the_work_saved():
    """In-process unless n t > start + n t / k (issue 16: a local cluster costs ~5 s to
    start, so 100 points of 20 ms must not pay it)."""
    from neurotwin.sweep import tasks

    start = tasks.CLUSTER_START_S
    assert tasks.choose_mode(100, 0.02, 5, 2).in_process
    assert not tasks.choose_mode(40, 1.0, 1, 2).in_process
    assert tasks.choose_mode(10_000, 10.0, 1, 1).in_process  # one worker never gains
    # either side of the boundary n t (1 - 1/k) = start
    assert tasks.choose_mode(10, 0.99 * 2 * start / 10, 3, 2).in_process
    assert not tasks.choose_mode(10, 1.01 * 2 * start / 10, 3, 2).in_process
    said = tasks.choose_mode(100, 0.02, 5, 2).reason
    assert said.startswith("100 more points of ~20 ms each (measured on 5): in-process")


def test_batch_size_aims_at_half_a_second_per_task_and_keeps_workers_busy():
    from neurotwin.sweep.tasks import IN_FLIGHT_PER_WORKER, TASK_S, batch_size

    assert batch_size(None, 1000, 2) == 1  # cost unknown: one point per task
    assert batch_size(TASK_S / 25, 10_000, 2) == 25
    assert batch_size(2 * TASK_S, 10_000, 2) == 1
    n_left = 10 * IN_FLIGHT_PER_WORKER * 2
    assert batch_size(TASK_S / 1000, n_left, 2) == 10  # balance: enough tasks per worker


@pytest.mark.parametrize(
    ("cores", "threads", "blas"), [(2, 2, 1), (2, 1, 2), (16, 3, 5), (1, 4, 1), (8, 0, 8)]
)
def test_blas_limit_is_cores_over_worker_threads(cores, threads, blas):
    from neurotwin.sweep.tasks import blas_limit

    assert blas_limit(cores, threads) == blas


def blas_threads(result) -> float:
    """The BLAS threads the process computing this point allows (read in that process)."""
    from threadpoolctl import threadpool_info

    return float(max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"))


def test_small_points_run_in_process_and_say_so(reference_run, tmp_path, capsys):
    """Nothing chosen and 8 points of a few ms: no cluster is started; the progress output
    and the summary say so and why; the BLAS threads are this process's."""
    from threadpoolctl import threadpool_info

    exp = tiny(derived={"blas": blas_threads})
    ds = run_sweep(exp, tmp_path, progress=False)
    err = capsys.readouterr().err
    assert "every point ran in the pilot (8 points of ~" in err
    assert "each): in-process, no cluster started" in err
    xr.testing.assert_equal(ds[list(KEPT)], reference_run[list(KEPT)])
    summary = json.loads((tmp_path / "tiny.summary.json").read_text())["sweep"]
    assert summary["scheduler"] == "in-process" and summary["cluster_start_s"] is None
    assert "in-process" in summary["mode"]
    here = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
    assert set(ds["blas"].values.ravel()) == {here}


def test_points_worth_a_cluster_go_to_one_in_batches_with_limited_blas(
    tmp_path, monkeypatch, capsys
):
    """With a cluster that costs nothing to start and a pilot of one point, the rest of 24
    points goes to a local cluster of 2 workers, in batches once their cost is measured;
    each worker limits BLAS to max(1, cores // 2) threads; the values equal an
    in-process run of the same points."""
    from threadpoolctl import threadpool_info

    from neurotwin.sweep import tasks

    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    monkeypatch.setattr(tasks, "CLUSTER_START_S", 0.0)
    monkeypatch.setattr(sw.run, "CLUSTER_START_S", 0.0)
    monkeypatch.setattr(sw.run, "PILOT_S", 0.0)
    exp = tiny(derived={"blas": blas_threads}, seeds=tuple(range(6)), figure=None)
    here = run_sweep(exp, tmp_path / "here", scheduler="synchronous", progress=False)
    ds = run_sweep(exp, tmp_path / "there", progress=False)
    err = capsys.readouterr().err
    assert "23 more points of ~" in err and "a local cluster of 2 workers" in err
    assert "batches of up to " in err
    xr.testing.assert_equal(ds[list(KEPT)], here[list(KEPT)])
    summary = json.loads((tmp_path / "there" / "tiny.summary.json").read_text())["sweep"]
    assert summary["scheduler"] == "processes" and summary["cluster_start_s"] > 0
    default = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
    limit = tasks.blas_limit(usable_cores(), 2)
    # the pilot's one point ran here, with this process's threads; 23 on the workers
    assert sorted(ds["blas"].values.ravel().tolist()) == sorted([default] + [limit] * 23)
