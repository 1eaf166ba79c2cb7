"""Faults a user meets: file-system errors, sweep and cluster faults, small input edge cases.

Each ends in one line (``error: ...``, exit 2 through the CLI), leaves no partial
target, and a sweep loses no point it wrote.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from neurotwin import InputError, files
from neurotwin import sweep as sw
from neurotwin.cli import app
from neurotwin.errors import FileError, SweepError
from neurotwin.results import Result
from neurotwin.sweep import Experiment, run_sweep

runner = CliRunner()
HERE = Path(__file__).parent
KEPT = ("final_overlap", "recall_fraction")


def tiny(**changes) -> Experiment:
    """4 points of a 30-unit reference network."""
    kw = dict(
        name="faults-tiny",
        model="hopfield",
        grid={"n_patterns": [2, 4]},
        seeds=(0, 1),
        fixed={"n_units": 30, "n_cues": 3, "max_sweeps": 20},
        observables=KEPT,
    )
    kw.update(changes)
    return Experiment(**kw)


def one_line_error(res, start: str) -> str:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    # a sweep's progress bar is not an error line
    lines = [line for line in res.stderr.strip().splitlines() if "%|" not in line]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(start), lines[0]
    return lines[0]


def no_temp_files(folder: Path) -> bool:
    return not any(p.name.endswith(".tmp") for p in folder.rglob("*"))


def wait_for_port(port: int, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def registered(monkeypatch):
    """``tiny()`` registered under its name, so the CLI can run it."""
    sw.experiments()
    monkeypatch.setitem(sw.EXPERIMENTS, "faults-tiny", tiny())
    return "faults-tiny"


# -- file-system faults through the CLI ------------------------------------------------


def test_run_into_a_read_only_folder(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    if os.access(ro, os.W_OK):  # root writes anywhere: let the file system refuse instead
        real = files.tempfile.mkstemp

        def refuse(*args, dir=None, **kwargs):
            if Path(dir) == ro:
                raise PermissionError(errno.EACCES, "Permission denied", str(dir))
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    res = runner.invoke(app, ["run", "hopfield", "--set", "n_units=30", "--out", str(ro / "r.nc")])
    line = one_line_error(res, f"error: cannot write {ro / 'r.nc'}: permission denied")
    assert "r.nc" in line
    ro.chmod(0o755)
    assert list(ro.iterdir()) == []


def test_run_where_a_parent_is_a_file_or_the_target_a_folder(tmp_path):
    (tmp_path / "f").write_text("x")
    res = runner.invoke(app, ["run", "hopfield", "--out", str(tmp_path / "f" / "r.nc")])
    one_line_error(
        res, f"error: cannot write {tmp_path / 'f' / 'r.nc'}: {tmp_path / 'f'} is a file"
    )
    (tmp_path / "d.nc").mkdir()
    res = runner.invoke(app, ["run", "hopfield", "--out", str(tmp_path / "d.nc")])
    one_line_error(res, f"error: cannot write {tmp_path / 'd.nc'}: it is a folder")
    res = runner.invoke(app, ["compare", "hopfield", "--out", str(tmp_path / "f")])
    one_line_error(res, f"error: cannot write into {tmp_path / 'f'}: it is a file, not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.nc", "f"]


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (errno.ENOSPC, "disk full (no space left on device)"),
        (errno.EDQUOT, "disk full (disk quota exceeded)"),
    ],
)
def test_run_on_a_full_disk_keeps_the_old_file(tmp_path, monkeypatch, code, said):
    out = tmp_path / "r.nc"
    out.write_bytes(b"the previous result")

    def full(self, path, *args, **kwargs):
        Path(path).write_bytes(b"CDF\x01 half")  # a partial write, then the disk is full
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(xr.Dataset, "to_netcdf", full)
    res = runner.invoke(app, ["run", "hopfield", "--set", "n_units=30", "--out", str(out)])
    one_line_error(res, f"error: cannot write {out}: {said}")
    assert out.read_bytes() == b"the previous result"
    assert [p.name for p in tmp_path.iterdir()] == ["r.nc"]


def test_netcdf_hdf_error_on_a_full_disk_is_said_as_such(tmp_path, monkeypatch):
    """netCDF4 reports a full disk as ``RuntimeError: NetCDF: HDF error``."""

    def hdf(self, path, *args, **kwargs):
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", hdf)
    monkeypatch.setattr(
        files.shutil, "disk_usage", lambda p: types.SimpleNamespace(total=1, used=1, free=0)
    )
    with pytest.raises(FileError) as info:
        Result(model="m", realization="r", params={}, seed=0, t=np.arange(2.0), t_unit="s").save(
            tmp_path / "r.nc"
        )
    assert str(info.value) == (
        f"cannot write {tmp_path / 'r.nc'}: disk full (no space left on device; NetCDF: HDF error)"
    )
    assert list(tmp_path.iterdir()) == []


def test_sweep_on_a_full_disk_stops_in_one_line_and_keeps_its_points(
    tmp_path, monkeypatch, registered
):
    import netCDF4

    out = tmp_path / "s"
    real = netCDF4.Dataset
    calls = []

    def fills_up(path, mode="r", *args, **kwargs):
        # every netCDF file written, point files and xarray's alike, is created here
        if mode == "w":
            calls.append(path)
            if len(calls) > 2:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(netCDF4, "Dataset", fills_up)
    args = ["sweep", registered, "--scheduler", "synchronous", "--out", str(out)]
    res = runner.invoke(app, args)
    one_line_error(res, "error: cannot write ")
    assert res.stderr.strip().endswith(": disk full (no space left on device)")
    assert len(list((out / "points").glob("*.nc"))) == 2 and no_temp_files(out)
    monkeypatch.setattr(netCDF4, "Dataset", real)
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    summary = json.loads((out / f"{registered}.summary.json").read_text())
    assert summary["sweep"]["found_on_disk"] == 2 and summary["sweep"]["computed_now"] == 2


def test_sweep_out_is_a_file(tmp_path, registered):
    (tmp_path / "f").write_text("x")
    res = runner.invoke(app, ["sweep", registered, "--out", str(tmp_path / "f")])
    one_line_error(res, f"error: cannot write into {tmp_path / 'f'}: it is a file, not a folder")


def test_raw_os_error_in_any_command_is_one_line(monkeypatch):
    """The command group turns any OSError a command lets through (e.g. from a library)
    into one line naming the file."""
    from neurotwin import harness

    def broken(*args, **kwargs):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", "/some/where")

    monkeypatch.setattr(harness, "prepare", broken)
    res = runner.invoke(app, ["run", "hopfield"])
    one_line_error(res, "error: cannot use /some/where: it is a folder")


# -- JSON output -------------------------------------------------------------------


def test_json_output_writes_non_finite_numbers_as_null(monkeypatch):
    from neurotwin import harness

    real = harness.execute

    def nan_result(plan):
        result = real(plan)
        result.observables["final_overlap"] = float("nan")
        result.observables["energy_min"] = np.float64(-np.inf)
        return result

    monkeypatch.setattr(harness, "execute", nan_result)
    res = runner.invoke(app, ["run", "hopfield", "--set", "n_units=30", "--json"])
    assert res.exit_code == 0, res.output
    assert "NaN" not in res.stdout and "Infinity" not in res.stdout
    obs = json.loads(res.stdout)["observables"]
    assert obs["final_overlap"] is None and obs["energy_min"] is None
    assert files.json_text({"a": np.float32("nan"), "b": (np.int64(3),)}) == '{"a": null, "b": [3]}'


# -- sweeps --------------------------------------------------------------------------


def test_retry_failed_on_resume(tmp_path, monkeypatch, registered):
    real = sw.points.execute

    def flaky(plan):
        if plan.params.n_patterns == 4:
            raise RuntimeError("flaky")
        return real(plan)

    monkeypatch.setattr(sw.points, "execute", flaky)
    out = tmp_path / "s"
    args = ["sweep", registered, "--scheduler", "synchronous", "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    assert json.loads((out / f"{registered}.summary.json").read_text())["sweep"]["failed"] == 2
    monkeypatch.setattr(sw.points, "execute", real)
    assert runner.invoke(app, args).exit_code == 0  # a failure is a result: kept
    assert json.loads((out / f"{registered}.summary.json").read_text())["sweep"]["failed"] == 2
    res = runner.invoke(app, [*args, "--retry-failed"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / f"{registered}.summary.json").read_text())["sweep"]
    assert summary["failed"] == 0 and summary["computed_now"] == 2


def test_stale_temp_files_are_removed_at_start(tmp_path):
    out = tmp_path / "s"
    run_sweep(tiny(), out, scheduler="synchronous", progress=False, max_points=1)
    stale = [out / "points" / ".abc.nc.x1y2.tmp", out / ".sweep.json.q9.tmp"]
    for path in stale:
        path.write_bytes(b"CDF\x01half")
    keep = out / "points" / "notes.txt"
    keep.write_text("mine")
    run_sweep(tiny(), out, scheduler="synchronous", progress=False)
    assert not any(p.exists() for p in stale) and keep.exists()
    assert len(list((out / "points").glob("*.nc"))) == 4


HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, f"pid {os.getpid()} on elsewhere".encode())
print("locked", flush=True)
time.sleep(60)
"""


def test_a_second_sweep_into_the_same_folder_is_refused(tmp_path, registered):
    out = tmp_path / "s"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(out / sw.LOCK_NAME)], stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline().strip() == b"locked"
        args = ["sweep", registered, "--scheduler", "synchronous", "--out", str(out)]
        res = runner.invoke(app, args)
        one_line_error(
            res, f"error: out_dir: another sweep (pid {holder.pid} on elsewhere) is writing into"
        )
        assert sorted(p.name for p in out.iterdir()) == [sw.LOCK_NAME]  # nothing computed
    finally:
        holder.kill()
        holder.wait()
    # the holder died without cleaning up: its lock file is stale and taken over
    assert (out / sw.LOCK_NAME).exists()
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert len(list((out / "points").glob("*.nc"))) == 4
    assert not (out / sw.LOCK_NAME).exists()


def test_lock_in_one_process(tmp_path):
    with sw.run._lock(tmp_path):
        with pytest.raises(SweepError, match=r"^out_dir: another sweep \(pid \d+ on "):
            run_sweep(tiny(), tmp_path, scheduler="synchronous", progress=False)
    run_sweep(tiny(), tmp_path, scheduler="synchronous", progress=False)


def test_bad_scheduler_address_writes_nothing(tmp_path, monkeypatch, registered):
    monkeypatch.setattr(sw.run, "CONNECT_TIMEOUT_S", 2)
    out = tmp_path / "s"
    address = f"tcp://127.0.0.1:{free_port()}"
    res = runner.invoke(app, ["sweep", registered, "--scheduler", address, "--out", str(out)])
    one_line_error(res, "error: scheduler: must be 'processes', 'threads', 'synchronous' or")
    assert f"(got '{address}')" in res.stderr
    assert not out.exists()


def test_cluster_without_workers_warns_then_stops(tmp_path, registered):
    """A scheduler on 127.0.0.1 with no worker: a warning, then one line after the
    configured time, saying the sweep can be resumed."""
    import logging

    from distributed import LocalCluster

    with LocalCluster(
        n_workers=0,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as cluster:
        out = tmp_path / "s"
        t0 = time.monotonic()
        res = runner.invoke(
            app,
            [
                "sweep",
                registered,
                "--scheduler",
                cluster.scheduler_address,
                "--worker-timeout",
                "2",
                "--out",
                str(out),
            ],
        )
        took = time.monotonic() - t0
    assert res.exit_code == 2, res.output
    assert "warning: the Dask cluster at tcp://127.0.0.1:" in res.stderr
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the Dask cluster at tcp://127.0.0.1:")
    assert re.search(r"has had no worker for [23] s \(limit 2 s\); 0 of 4 points are written", last)
    assert last.endswith("run the same command again to resume")
    assert took < 30
    assert not list(out.glob("points/*.nc")) and not (out / sw.LOCK_NAME).exists()


def die_once(result) -> float:
    """A derived value whose first computation kills its worker process (the test's marker
    file says whether it already did)."""
    marker = Path(os.environ["NEUROTWIN_TEST_DIE_ONCE"])
    if result.params["n_patterns"] == 4 and not marker.exists():
        marker.write_text("died")
        os._exit(1)
    return 1.0


def always_die(result) -> float:
    if result.params["n_patterns"] == 4:
        os._exit(1)
    return 1.0


def test_worker_deaths_are_retried_up_to_a_limit(tmp_path, monkeypatch):
    """Dask gives up on a task after its worker died (allowed-failures 0 here): the sweep
    submits it again, up to ``worker_retries`` times; a point that kills every worker is
    then stored as failed, and the others are unaffected."""
    import dask

    monkeypatch.setenv("NEUROTWIN_TEST_DIE_ONCE", str(tmp_path / "marker"))
    monkeypatch.syspath_prepend(str(HERE))
    reference = run_sweep(tiny(), tmp_path / "ref", scheduler="synchronous", progress=False)
    config = {
        "distributed.scheduler.allowed-failures": 0,
        "distributed.scheduler.worker-saturation": 1.0,
    }
    with dask.config.set(config):
        exp = tiny(derived={"one": die_once})
        ds = run_sweep(exp, tmp_path / "a", workers=1, progress=False)
        assert (ds["error"].values == "").all(), ds["error"].values
        xr.testing.assert_equal(ds[list(KEPT)], reference[list(KEPT)])
        summary = json.loads((tmp_path / "a" / f"{exp.name}.summary.json").read_text())
        assert summary["sweep"]["worker_deaths"] >= 1 and summary["sweep"]["workers"] == 1

        exp = tiny(derived={"one": always_die}, grid={"n_patterns": [4]}, seeds=(0,))
        ds = run_sweep(exp, tmp_path / "b", workers=1, progress=False, worker_retries=1)
        bad = str(ds["error"].sel(n_patterns=4, seed=0).values)
        assert bad.startswith("KilledWorker: ") and bad.endswith("(its worker died 2 times)")


def _start(cmd: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def slow_one(result) -> float:
    time.sleep(0.3)
    return 1.0


def test_external_cluster_worker_count_and_scheduler_loss(tmp_path, monkeypatch):
    """A real scheduler and one worker on 127.0.0.1 (separate processes): the summary
    records 1 worker; killing the scheduler mid-sweep is one SweepError saying the sweep
    can be resumed; the points written stay and the resumed sweep equals an
    uninterrupted one."""
    monkeypatch.setattr(sw.run, "CONNECT_TIMEOUT_S", 3)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path])}
    dask_cli = str(Path(sys.executable).with_name("dask"))
    scheduler = _start(
        [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], env
    )
    worker = None
    try:
        wait_for_port(port)
        worker = _start(
            [dask_cli, "worker", address, "--nthreads", "1", "--no-dashboard", "--no-nanny"], env
        )
        reference = run_sweep(tiny(), tmp_path / "ref", scheduler="synchronous", progress=False)
        exp = tiny(derived={"slow": slow_one})
        run_sweep(exp, tmp_path / "one", scheduler=address, progress=False, worker_timeout_s=60)
        summary = json.loads((tmp_path / "one" / f"{exp.name}.summary.json").read_text())
        assert summary["sweep"]["workers"] == 1 and summary["sweep"]["scheduler"] == address

        out = tmp_path / "lost"
        written = []

        def kill_scheduler(point, record):
            written.append(point.key)
            if len(written) == 1:
                os.killpg(scheduler.pid, signal.SIGKILL)

        with pytest.raises(SweepError) as info:
            run_sweep(exp, out, scheduler=address, progress=False, on_point=kill_scheduler)
        text = str(info.value)
        assert "\n" not in text
        assert text.startswith(f"lost the Dask scheduler at {address} (")
        assert text.endswith(
            f"{len(written)} of 4 points are written in {out}: run the same command again to resume"
        )
        assert sorted(p.stem for p in (out / "points").glob("*.nc")) == sorted(written)
        assert not (out / sw.LOCK_NAME).exists()
    finally:
        for proc in (worker, scheduler):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            if proc is not None:
                proc.wait()
    ds = run_sweep(exp, out, scheduler="synchronous", progress=False)
    xr.testing.assert_equal(ds[list(KEPT)], reference[list(KEPT)])


# -- small ones ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ("abc", "error: seed: must be an integer >= 0 (got 'abc')"),
        ("1.5", "error: seed: must be an integer >= 0 (got '1.5')"),
        (str(2**64), f"error: seed: must be an integer >= 0 and < 2**64 (got {2**64})"),
    ],
)
def test_bad_seed_is_one_line(tmp_path, seed, message):
    out = tmp_path / "r.nc"
    res = runner.invoke(app, ["run", "hopfield", "--seed", seed, "--out", str(out)])
    assert one_line_error(res, "error: seed:") == message
    assert list(tmp_path.iterdir()) == []


def test_largest_seed_runs_and_saves(tmp_path):
    out = tmp_path / "r.nc"
    seed = 2**64 - 1
    res = runner.invoke(
        app, ["run", "hopfield", "--set", "n_units=30", "--seed", str(seed), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert Result.load(out).seed == seed


def test_result_load_faults(tmp_path):
    with pytest.raises(FileError, match=r"^cannot read .*nope\.nc: no such file$"):
        Result.load(tmp_path / "nope.nc")
    with pytest.raises(FileError, match=r"^cannot read .*: it is a folder$"):
        Result.load(tmp_path)
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"not a netCDF file")
    with pytest.raises(InputError, match=r"^Result.load: .*bad\.nc is not a readable netCDF"):
        Result.load(bad)
    plain = tmp_path / "plain.nc"
    xr.Dataset({"x": ("t", [1.0])}).to_netcdf(plain)
    with pytest.raises(InputError, match=r"is not a neurotwin Result file \(KeyError: 'model'\)"):
        Result.load(plain)
    good = Result(model="m", realization="r", params={}, seed=1, t=np.arange(2.0), t_unit="s")
    ds = good.to_dataset()
    ds.attrs["params"] = "{not json"
    broken = tmp_path / "broken.nc"
    ds.to_netcdf(broken)
    with pytest.raises(InputError, match=r"is not a neurotwin Result file \(JSONDecodeError: "):
        Result.load(broken)


def test_standalone_device_on_the_reference_does_not_name_build_dir(tmp_path):
    res = runner.invoke(
        app, ["run", "hopfield", "--set", "device=cpp_standalone", "--out", str(tmp_path / "r.nc")]
    )
    line = one_line_error(res, "error: HopfieldParams.device: unknown parameter")
    assert "build_dir" not in line
    assert list(tmp_path.iterdir()) == []


def test_broken_compiler_is_one_line_and_leaves_no_build_folder(tmp_path, monkeypatch):
    from neurotwin.registry import get_realization

    real = get_realization("hopfield", "brian2")
    if not real.available() or shutil.which("make") is None:
        pytest.skip("brian2 or make is not available here")
    monkeypatch.setenv("CXX", "false")
    out = tmp_path / "res" / "r.nc"
    res = runner.invoke(
        app,
        [
            "run",
            "hopfield",
            "--realization",
            "brian2",
            *("--set", "device=cpp_standalone", "--set", "n_units=20"),
            *("--set", "n_patterns=2", "--set", "n_cues=1", "--out", str(out)),
        ],
    )
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "error: device='cpp_standalone': the C++ compiler ('false', via make) failed to build "
        "the network (Project compilation failed (error code: "
    )
    assert last.endswith("check the compiler and $CXX, or use device='runtime'")
    assert not (tmp_path / "res").exists()


def test_numpy_scalars_are_the_values_they_hold():
    """n_units=np.int64(50) was refused as "not an integer" (strict validation)."""
    import neurotwin

    r = neurotwin.run("hopfield", n_units=np.int64(50), cue_noise=np.float64(0.1))
    assert r.params["n_units"] == 50 and type(r.params["n_units"]) is int


def test_seed_of_2_64_refused_by_the_python_api_before_any_work():
    import neurotwin
    from neurotwin import ParamError

    with pytest.raises(ParamError) as info:
        neurotwin.run("hopfield", seed=2**64)
    assert str(info.value) == (
        "seed: must be an integer >= 0 and < 2**64 (got 18446744073709551616)"
    )
