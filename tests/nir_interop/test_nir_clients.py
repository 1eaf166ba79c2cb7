"""Exports run in real NIR clients (snnTorch, Norse), and a client's graph run in Brian2.

Needs the [nir] extra (torch, snntorch, norse); skipped without it with the install
command. Measured agreements are in docs/nir.rst.
"""

from __future__ import annotations

import numpy as np
import pytest

INSTALL = "needs the [nir] extra: pip install 'neurotwin[nir]'"
pytest.importorskip("nir", reason=INSTALL)
torch = pytest.importorskip("torch", reason=INSTALL)
snn = pytest.importorskip("snntorch", reason=INSTALL)
pytest.importorskip("norse", reason=INSTALL)

from neurotwin.spiking import nir_clients, nir_import  # noqa: E402

RING = {"tau_ref_s": 0, "gamma": 0.05, "duration_s": 0.5}


@pytest.mark.parametrize("client", ["snntorch", "norse"])
def test_ring_export_runs_in_client(client):
    """ring-attractor: bump speed in the client within 0.25 rad/s of nengo's own run."""
    rep = nir_clients.check("ring-attractor", client, None, 1, **RING)
    assert rep["agree"], rep
    assert rep["observables"]["bump_speed"]["difference"] < 0.25


def test_client_form_is_what_snntorch_accepts():
    from neurotwin.export import build_graph

    g = nir_clients.for_client(build_graph("ring-attractor", "nir", None, 1, **RING))
    u = g.nodes["ring"]
    assert np.allclose(u.v_leak, 0) and np.allclose(u.r, u.tau_mem / 1e-4)
    assert type(g.nodes["cue"]).__name__ == "Affine"


def test_snntorch_export_runs_in_brian2(tmp_path):
    """A network built and exported by snnTorch (export_to_nir), simulated by snnTorch and by
    Brian2 from the same file: the hidden layer's spikes agree step for step, the output
    layer's within one step (Brian2 delivers a spike in the step after it was emitted)."""
    import nir
    from snntorch import utils
    from snntorch.export_nir import export_to_nir

    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        snn.Leaky(beta=torch.full((8,), 0.9), threshold=torch.ones(8), init_hidden=True,
                  reset_mechanism="zero"),
        torch.nn.Linear(8, 3),
        snn.Leaky(beta=torch.full((3,), 0.8), threshold=torch.ones(3), init_hidden=True,
                  output=True, reset_mechanism="zero"),
    )  # fmt: skip
    with torch.no_grad():
        net[0].weight.mul_(3)
    path = tmp_path / "snntorch.nir"
    nir.write(str(path), export_to_nir(net, torch.zeros(1, 4), ignore_dims=[0]))
    x = (np.random.default_rng(0).random((300, 4)) < 0.3).astype(np.float32)
    hidden, out = [], []
    net[1].register_forward_hook(lambda m, i, o: hidden.append(o.numpy().reshape(-1).copy()))
    utils.reset(net)
    with torch.no_grad():
        for t in range(len(x)):
            out.append(net(torch.tensor(x[t : t + 1]))[0].numpy().reshape(-1))
    hidden, out = np.array(hidden), np.array(out)
    res = nir_import.run_graph(path, x, dt_s=1e-4, spike_area=1e-4)

    def per_step(name, like):
        c = np.zeros_like(like)
        t, i = res.spikes[name]
        np.add.at(c, (np.round(t / 1e-4).astype(int), i), 1)
        return c

    assert hidden.sum() > 50
    np.testing.assert_array_equal(per_step("1", hidden), hidden)
    b2 = per_step("3", out)
    assert abs(b2.sum() - out.sum()) <= 1
    assert (np.roll(b2, -1, axis=0) == out).mean() > 0.99


def test_cli_check(tmp_path):
    from typer.testing import CliRunner

    from neurotwin.cli import app

    f = tmp_path / "ring.nir"
    sets = [a for k, v in RING.items() for a in ("--set", f"{k}={v}")]
    out = CliRunner().invoke(
        app, ["export", "ring-attractor", *sets, "--seed", "1", "--out", str(f),
              "--check", "snntorch", "--json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert f.exists() and '"agree": true' in out.output
