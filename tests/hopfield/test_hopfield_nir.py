"""The Hopfield network as a NIR graph (``spiking/hopfield/nir.py``): its content, and
the refusal of what NIR 1.0 cannot express. Skipped without the ``nir`` package."""

from __future__ import annotations

import json

import numpy as np
import pytest

from neurotwin.errors import ExportUnsupported
from neurotwin.harness import prepare
from neurotwin.registry import get_model

nir = pytest.importorskip("nir", reason='nir not installed (pip install -e ".[loihi]")')
pytest.importorskip("nengo", reason="the nengo realization needs nengo (pip install nengo)")

from neurotwin.spiking.hopfield.nir import to_nir  # noqa: E402

EXPORTABLE = dict(tau_ref_s=0.0, voltage_floor=False, gain=1.0)


def _graph(seed=3, **kw):
    plan = prepare("hopfield", "nengo", None, seed, **kw)
    args = (plan.params, plan.weights, plan.inputs, plan.sim_seed, plan.options)
    return plan, to_nir(*args)


def test_to_nir_is_the_models_nir_exporter():
    ex = get_model("hopfield").exporters["nir"]
    assert ex.func is to_nir and ex.realization == "nengo"


def test_nir_round_trip_is_exact(tmp_path):
    """Weights and neuron parameters read back with nir equal the network's, bit for bit."""
    plan, graph = _graph(n_units=20, n_patterns=2, **EXPORTABLE)
    path = tmp_path / "hopfield.nir"
    nir.write(path, graph)
    g = nir.read(path)
    w, u = plan.weights["W"], plan.weights["U"]
    o = plan.options
    nu_on = 1.0 / (o.tau_rc_s * np.log1p(1.0 / o.gain))  # LIF rate at J = 1 + g, no tau_ref
    assert g.metadata["on_rate_hz"] == pytest.approx(nu_on, rel=1e-12)
    nu_on = g.metadata["on_rate_hz"]
    assert sorted(g.edges) == sorted(
        [("input", "cue"), ("cue", "units"), ("units", "recurrent"), ("recurrent", "units"),
         ("units", "output")]
    )  # fmt: skip
    units = g.nodes["units"]
    assert type(units).__name__ == "CubaLIF"
    np.testing.assert_array_equal(g.nodes["recurrent"].weight, 2.0 * o.gain * w / nu_on)
    np.testing.assert_array_equal(units.v_leak, 1.0 - o.gain * (w.sum(axis=1) + u))
    np.testing.assert_array_equal(units.tau_syn, np.full(20, o.tau_syn_s))
    np.testing.assert_array_equal(units.tau_mem, np.full(20, o.tau_rc_s))
    for name, value in (("r", 1.0), ("v_threshold", 1.0), ("v_reset", 0.0), ("w_in", 1.0)):
        np.testing.assert_array_equal(getattr(units, name), np.full(20, value))
    np.testing.assert_array_equal(
        g.nodes["cue"].weight, np.diag(np.full(20, o.gain * o.cue_strength))
    )
    np.testing.assert_array_equal(g.metadata["cue"], plan.inputs["cues"][0])
    assert json.loads(g.metadata["params"]) == plan.params.model_dump()
    assert json.loads(g.metadata["options"]) == plan.options.model_dump()
    assert g.metadata["seed"] == plan.sim_seed


def test_nir_unsupported_says_why():
    with pytest.raises(ExportUnsupported) as info:
        _graph(n_units=20)
    assert str(info.value) == (
        "hopfield: NIR 1.0 cannot express a refractory period (tau_ref_s = 0.005 > 0): NIR "
        "1.0's LIF and CubaLIF have none, so the exported units would fire faster and the "
        "weights, scaled by the on-rate, would be wrong; a lower bound on the voltage "
        "(voltage_floor = True): NIR has no such field. Export a network without them, e.g. "
        "--set tau_ref_s=0 --set voltage_floor=false --set gain=1 (the nengo realization runs "
        "the same network)"
    )
    with pytest.raises(ExportUnsupported, match=r"stochastic units \(temperature = 0.5 > 0\)"):
        _graph(n_units=20, temperature=0.5, **EXPORTABLE)
