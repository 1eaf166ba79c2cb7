"""A sweep on a Dask cluster reached by address: a real ``dask scheduler`` and two
``dask worker`` processes on 127.0.0.1, one of them killed (SIGKILL) mid-sweep.

The faults of a single worker and of a lost scheduler are in ``tests/test_faults.py``;
this file builds on its helpers (free ports, waiting for a port, starting a process in
its own session).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
import xarray as xr
from test_faults import _start, free_port, wait_for_port
from typer.testing import CliRunner

from neurotwin import sweep as sw
from neurotwin.cli import app

HERE = Path(__file__).parent
EXPERIMENT = "hopfield-capacity-large"


@pytest.fixture
def dask_cluster():
    """``dask scheduler`` and workers ``w0``, ``w1`` (one thread each, no nanny, so a
    killed worker stays dead) on 127.0.0.1 at a free port; all killed at teardown."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path])}
    dask_cli = str(Path(sys.executable).with_name("dask"))
    procs: dict[str, object] = {}
    client = None
    try:
        procs["scheduler"] = _start(
            [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env,
        )
        wait_for_port(port)
        for name in ("w0", "w1"):
            procs[name] = _start(
                [dask_cli, "worker", address, "--name", name, "--nthreads", "1"]
                + ["--no-dashboard", "--no-nanny", "--host", "127.0.0.1"],
                env,
            )
        client = Client(address, timeout="30s", set_as_default=False)
        client.wait_for_workers(2, timeout=120)
        yield address, client, procs
    finally:
        if client is not None:
            client.close()
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.slow
def test_cluster_by_address_with_a_worker_killed_mid_sweep(tmp_path, monkeypatch, dask_cluster):
    """``neurotwin sweep hopfield-capacity-large --quick --scheduler tcp://...``: after 4
    points are written, the worker computing a task is killed (SIGKILL). Dask gives its
    task to the other worker; every point is written exactly once and the combined
    dataset is complete, with no failed point."""
    address, client, procs = dask_cluster
    exp = sw.get_experiment(EXPERIMENT, quick=True)
    keys = sorted({pt.key for pt in sw.expand(exp)})
    out = tmp_path / "sweep"
    written: list[str] = []
    killed: dict[str, object] = {}
    real_write = sw.run.write_point

    def write_and_kill(path, *args):
        done = real_write(path, *args)
        written.append(Path(path).stem)
        if len(written) >= 4 and not killed:
            kill_a_busy_worker()
        return done

    def kill_a_busy_worker():
        names = {a: w["name"] for a, w in client.scheduler_info(n_workers=-1)["workers"].items()}
        end = time.monotonic() + 10
        while time.monotonic() < end:  # a worker that is computing (not between tasks)
            busy = {a: ks for a, ks in client.processing().items() if ks}
            if busy:
                addr = sorted(busy)[0]
                os.killpg(procs[names[addr]].pid, signal.SIGKILL)
                killed.update(name=names[addr], tasks=len(busy[addr]), written=len(written))
                return
            time.sleep(0.01)

    monkeypatch.setattr(sw.run, "write_point", write_and_kill)
    res = CliRunner().invoke(
        app, ["sweep", EXPERIMENT, "--quick", "--scheduler", address, "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert killed and killed["tasks"] >= 1 and killed["written"] < len(keys), killed
    assert procs[killed["name"]].poll() is not None  # it stayed dead
    assert sorted(written) == keys  # every point written, none twice
    assert sorted(p.stem for p in (out / "points").glob("*.nc")) == keys
    ds = xr.load_dataset(out / f"{exp.name}.nc")
    assert ds.attrs["complete"] == 1 and ds.attrs["n_failed"] == 0
    assert (ds["error"].values == "").all()
    assert not ds["final_overlap"].isnull().any()
