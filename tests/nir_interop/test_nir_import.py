"""NIR -> Brian2 (spiking/nir_import.py) on hand-built graphs; bad graphs refused by name.

Needs only ``nir`` (the [loihi] or [nir] extra); skipped without it.
"""

from __future__ import annotations

import numpy as np
import pytest

nir = pytest.importorskip("nir", reason="needs nir: pip install 'neurotwin[nir]'")

from neurotwin.errors import InputError  # noqa: E402
from neurotwin.spiking import nir_import as ni  # noqa: E402


def _lif(n, tau=0.01, r=1.0):
    return nir.LIF(
        tau=np.full(n, tau), r=np.full(n, r), v_leak=np.zeros(n),
        v_threshold=np.ones(n), v_reset=np.zeros(n),
    )  # fmt: skip


def _graph(nodes, edges):
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def test_if_neuron_counts_match_euler():
    """IF with a constant Affine bias: v += dt * r * b per step, a spike when v > 1."""
    g = _graph(
        {
            "input": nir.Input(input_type={"input": np.array([1])}),
            "fc": nir.Affine(weight=np.zeros((2, 1)), bias=np.array([45.0, 17.0])),
            "if": nir.IF(r=np.ones(2), v_threshold=np.ones(2), v_reset=np.zeros(2)),
            "output": nir.Output(output_type={"output": np.array([2])}),
        },
        [("input", "fc"), ("fc", "if"), ("if", "output")],
    )
    res = ni.run_graph(g, np.zeros((1000, 1)), dt_s=1e-3)
    t, i = res.spikes["if"]
    counts = np.bincount(i, minlength=2)
    # 45/s: v crosses 1 after 23 steps (+0.045 each); 17/s: after 59 steps
    assert counts.tolist() == [1000 // 23, 1000 // 59]
    assert res.traces["output"].sum(axis=0).tolist() == counts.tolist()


def test_recurrent_and_voltage_output():
    n = 3
    g = _graph(
        {
            "input": nir.Input(input_type={"input": np.array([2])}),
            "fc": nir.Affine(weight=np.full((n, 2), 0.5), bias=np.array([0.1, 0.2, 0.3])),
            "lif": _lif(n, r=100.0),
            "rec": nir.Linear(weight=np.full((n, n), 0.1)),
            "li": nir.LI(tau=np.full(n, 0.005), r=np.ones(n), v_leak=np.zeros(n)),
            "out": nir.Output(output_type={"output": np.array([n])}),
        },
        [("input", "fc"), ("fc", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "li"),
         ("li", "out")],
    )  # fmt: skip
    x = (np.random.default_rng(0).random((500, 2)) < 0.2).astype(float)
    res = ni.run_graph(g, x, spike_area=1e-4)
    assert len(res.spikes["lif"][0]) > 0
    assert res.traces["out"].shape == (500, n) and res.traces["li.v"].max() > 0


@pytest.mark.parametrize(
    "nodes, edges, match",
    [
        ({"input": "Delay", "output": None}, [], "type Delay is not supported"),
        ({"fc": "Linear(3,2)", "lif": "LIF(2)"}, [("fc", "lif")], "shapes do not match"),
        ({"lif": "LIF(2)"}, [("lif", "nowhere")], "no node named 'nowhere'"),
        (
            {"a": "Linear(2,2)", "b": "Linear(2,2)"},
            [("input", "a"), ("a", "b"), ("b", "a")],
            "algebraic loop",
        ),
    ],
)
def test_bad_graphs_refused_by_name(nodes, edges, match):
    made = {}
    for name, spec in nodes.items():
        if spec == "Delay":
            made[name] = nir.Delay(delay=np.ones(2))
        elif spec is None:
            made[name] = nir.Output(output_type={"output": np.array([2])})
        elif spec.startswith("Linear"):
            o, i = map(int, spec[7:-1].split(","))
            made[name] = nir.Linear(weight=np.ones((o, i)))
        else:
            made[name] = _lif(int(spec[4:-1]))
    made.setdefault("input", nir.Input(input_type={"input": np.array([2])}))
    with pytest.raises(InputError, match=match):
        ni.plan(_graph(made, edges))


def test_not_a_nir_file(tmp_path):
    bad = tmp_path / "bad.nir"
    bad.write_text("hello")
    with pytest.raises(InputError, match="is not a NIR file"):
        ni.read(bad)


def test_cli_import(tmp_path):
    from typer.testing import CliRunner

    from neurotwin.cli import app

    g = _graph(
        {
            "input": nir.Input(input_type={"input": np.array([1])}),
            "fc": nir.Affine(weight=np.zeros((1, 1)), bias=np.array([45.0])),
            "if": nir.IF(r=np.ones(1), v_threshold=np.ones(1), v_reset=np.zeros(1)),
            "output": nir.Output(output_type={"output": np.array([1])}),
        },
        [("input", "fc"), ("fc", "if"), ("if", "output")],
    )
    f = tmp_path / "g.nir"
    nir.write(str(f), g)
    runner = CliRunner()
    out = runner.invoke(app, ["import", str(f), "--steps", "1000", "--dt-s", "1e-3", "--json"])
    assert out.exit_code == 0, out.output
    assert '"if": 43' in out.output
    bad = tmp_path / "bad.nir"
    bad.write_text("x")
    out = runner.invoke(app, ["import", str(bad)])
    assert out.exit_code == 2 and "is not a NIR file" in out.output
    assert len(out.output.strip().splitlines()) == 1


def test_ring_round_trip_reproduces_nengo():
    """neurotwin -> NIR -> Brian2: the ring's bump speed as in the nengo realization."""
    from neurotwin.spiking.nir_clients import check

    rep = check("ring-attractor", "brian2", None, 1, tau_ref_s=0, gamma=0.05, duration_s=0.5)
    assert rep["agree"], rep
