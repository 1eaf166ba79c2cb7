"""Every exportable model: its NIR graph run in snnTorch, Norse and Brian2 (the round trip
neurotwin -> NIR -> Brian2), decoded with the model's own read-out and compared with
neurotwin's own spiking run within the tolerances of ``spiking/<family>/nir.py``
(``COMPARE``); refusals by primitive. Small networks: these run in CI's nir environment.

Needs the [nir] extra; skipped without it with the install command. Measured agreements
(default sizes) are in docs/nir.rst.
"""

from __future__ import annotations

import numpy as np
import pytest

INSTALL = "needs the [nir] extra: pip install 'neurotwin[nir]'"
pytest.importorskip("nir", reason=INSTALL)
pytest.importorskip("torch", reason=INSTALL)
pytest.importorskip("snntorch", reason=INSTALL)
pytest.importorskip("norse", reason=INSTALL)

from neurotwin.errors import ExportUnsupported  # noqa: E402
from neurotwin.export import build_graph  # noqa: E402
from neurotwin.spiking import nir_clients, nir_import  # noqa: E402

#: the NIR-expressible variant of each model, small
SMALL = {
    "hopfield": {
        "tau_ref_s": 0, "voltage_floor": False, "gain": 1, "n_units": 60, "n_patterns": 3,
        "n_cues": 1, "recall_duration_s": 0.1,
    },
    "lif-sync": {
        "delay_s": 0, "initial_voltage": "zero", "n_neurons": 20, "duration_s": 1.0,
        "transient_s": 0.5, "coupling": 0.5,
    },
    "modern-hopfield": {
        "tau_ref_s": 0, "voltage_floor": False, "memory_noise": 0, "n_units": 40,
        "n_patterns": 4, "n_cues": 1,
    },
    "pes-readout": {
        "tau_ref_s": 0, "voltage_floor": False, "n_neurons": 50, "subsample": 0.05,
        "present_s": 0.01,
    },
}  # fmt: skip


@pytest.mark.parametrize("client", ["snntorch", "norse", "brian2"])
@pytest.mark.parametrize("model", list(SMALL))
def test_export_runs_in_client_and_agrees(model, client):
    rep = nir_clients.check(model, client, None, 0, **SMALL[model])
    assert rep["agree"], rep
    for row in rep["observables"].values():
        assert row["difference"] <= row["tolerance"]


def test_same_step_reproduces_neurotwin_exactly():
    """At the client's step (dt_s = 1e-4, voltages from 0) the Nengo run and the client form in
    snnTorch decode to the same states: the tolerances are for the step, nothing else."""
    kw = dict(SMALL["hopfield"], dt_s=1e-4)
    rep = nir_clients.check("hopfield", "snntorch", None, 0, **kw)
    assert rep["neurotwin_run_sets"] == {"initial_voltage": "zero"}
    assert all(r["difference"] == 0 for r in rep["observables"].values()), rep


@pytest.mark.parametrize(
    "model, sets, match",
    [
        ("lif-sync", {}, "initial voltages .*NIR has no initial state"),
        (
            "modern-hopfield",
            {},
            "a refractory period .*noise current .*NIR has no noise source.*lower bound",
        ),
        ("pes-readout", {"voltage_floor": False}, "a refractory period .*LIF has none"),
        ("pes-readout", {"tau_ref_s": 0}, "lower bound on the voltage"),
    ],
)
def test_refused_by_primitive(model, sets, match):
    with pytest.raises(ExportUnsupported, match=match):
        build_graph(model, "nir", None, 0, **sets)


def test_lif_sync_delay_is_a_nir_delay_that_clients_refuse():
    """NIR 1.0 has a Delay node: the delay is exported; snnTorch/Norse cannot load it."""
    kw = dict(SMALL["lif-sync"], delay_s=0.0005)
    g = build_graph("lif-sync", "nir", None, 0, **kw)
    assert type(g.nodes["delay"]).__name__ == "Delay"
    assert np.allclose(g.nodes["delay"].delay, 0.0005)
    assert ("neurons", "delay") in g.edges and ("delay", "coupling") in g.edges
    for client in ("snntorch", "norse", "brian2"):
        # preflight: before any simulation (and before a caller writes the file)
        with pytest.raises(ExportUnsupported, match=f"--check {client}: .*node type.* Delay"):
            nir_clients.preflight("lif-sync", client, None, 0, **kw)
    with pytest.raises(ExportUnsupported, match="node type.* Delay"):
        nir_clients.check("lif-sync", "snntorch", None, 0, **kw)


def test_pes_full_graph_with_li_runs_in_brian2():
    """The exported file itself (with the readout's LI) in Brian2: its output is the Lowpass
    the client check applies in numpy to the client form's output."""
    from neurotwin.harness import prepare
    from neurotwin.spiking.learning import nir as pes_nir

    kw = SMALL["pes-readout"]
    g = build_graph("pes-readout", "nir", None, 0, **kw)
    assert [type(g.nodes[k]).__name__ for k in ("encode", "population", "readout", "filter")] == [
        "Affine", "LIF", "Linear", "LI",
    ]  # fmt: skip
    plan = prepare("pes-readout", "nengo", None, 0, **kw)
    x = pes_nir.input_signal(plan.params, plan.inputs, 1e-4)[:2000]
    full = nir_import.run_graph(nir_clients._copy(g), x, dt_s=1e-4)
    cg = pes_nir.client_graph(g, 1e-4)
    raw = nir_import.run_graph(cg, x, dt_s=1e-4).traces["output"]
    a = 1e-4 / plan.options.tau_syn_s
    y, filt = np.zeros(10), []
    for v in raw / 1e-4:
        y = y + a * (v - y)
        filt.append(y)
    np.testing.assert_allclose(
        full.traces["output"][1:], np.array(filt)[:-1], atol=1e-6 * np.abs(filt).max()
    )
