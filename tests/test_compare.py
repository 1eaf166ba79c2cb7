"""compare: cost per realization, declared tolerance and verdict, trivial rows left out,
a note for a lone reference, and output folders that never overwrite another comparison."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import neurotwin
from neurotwin.cli import app, compare_folder
from neurotwin.compare import ONLY_REFERENCE, Comparison, Tolerance, tolerances
from neurotwin.results import Result

runner = CliRunner()


def _res(real, speed, theory=1.0, **kw):
    return Result(
        model="ring-attractor", realization=real, params={}, seed=0, t=np.arange(3.0),
        t_unit="s", observables={"bump_speed": speed, "bump_speed_theory": theory}, **kw,
    )  # fmt: skip


def test_theory_rows_left_out_and_verdict_by_default_tolerance(monkeypatch):
    from neurotwin.registry import get_model

    # a model that declares no tolerance gets the default one on its key observable
    monkeypatch.setattr(get_model("ring-attractor"), "agreement", [])
    comp = Comparison(
        "ring-attractor", {}, 0, {"reference": _res("reference", 1.0), "b": _res("b", 1.5)}
    )
    assert comp.agreement() == {"b": {"abs_diff_bump_speed": 0.5}}
    assert tolerances("ring-attractor") == [Tolerance("bump_speed", atol=0.05, rtol=0.1)]
    v = comp.verdicts()["b"]
    assert v["verdict"] == "fail" and v["bump_speed"]["tolerance"] == 0.15000000000000002
    comp.results["b"].observables["bump_speed"] = 1.1
    assert comp.verdicts()["b"]["verdict"] == "pass"
    assert comp.note is None


def test_declared_tolerances_are_the_models_own():
    from neurotwin.registry import get_model

    declared = get_model("hopfield").agreement
    if not declared:
        pytest.skip("hopfield declares no tolerance")
    assert tolerances("hopfield") == [
        t if isinstance(t, Tolerance) else Tolerance(**t) for t in declared
    ]


def test_cost_counts_synaptic_events_from_the_weights_fan_out():
    w = np.ones((3, 3)) - np.eye(3)  # 2 synapses out of every neuron
    spikes = {"n": (np.array([0.1, 0.2, 0.3]), np.array([0, 1, 1]))}
    r = _res("b", 1.0, spikes=spikes, provenance={"wall_time_s": 2.0, "build_time_s": 1.5})
    comp = Comparison("ring-attractor", {}, 0, {"b": r}, weights={"b": {"W": w}})
    cost = comp.cost()["b"]
    assert cost["spikes"] == 3 and cost["synaptic_events"] == 6
    assert cost["wall_time_s"] == 2.0 and cost["build_time_s"] == 1.5
    assert cost["mean_rate_hz"] == 3 / (3 * 2.0)
    assert comp.note == "nothing to compare: only b ran"


def test_real_comparison_has_cost_verdict_and_json():
    comp = neurotwin.compare(
        "hopfield", None, 1, ["reference", "nengo"], n_units=40, n_patterns=3, n_cues=2
    )
    cost = comp.cost()
    assert cost["reference"]["peak_memory_mib"] > 0 and cost["reference"]["spikes"] is None
    assert cost["nengo"]["spikes"] > 0 and cost["nengo"]["build_time_s"] > 0
    payload = comp.to_json()
    assert payload["verdict"]["nengo"]["verdict"] in ("pass", "fail")
    # the model's declared tolerances (ModelSpec.agreement), or the default one
    assert payload["tolerance"] == [
        {"observable": t.observable, "atol": t.atol, "rtol": t.rtol} for t in tolerances("hopfield")
    ]
    assert set(payload["cost"]) == {"reference", "nengo"}


def test_reference_only_is_said(tmp_path):
    out = tmp_path / "c"
    res = runner.invoke(
        app, ["compare", "hopfield", "--realization", "reference", "--set", "n_units=30",
              "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert ONLY_REFERENCE in res.output
    assert json.loads((out / "comparison.json").read_text())["note"] == ONLY_REFERENCE
    assert (out / "comparison.png").read_bytes()[:4] == b"\x89PNG"


def test_folder_names_hold_what_the_user_set(tmp_path, monkeypatch):
    assert compare_folder("hopfield", 0, {}, None) == "compare-hopfield-seed0"
    assert (
        compare_folder("hopfield", 0, {"n_units": 40}, None) == "compare-hopfield-seed0-n_units=40"
    )
    long = compare_folder("hopfield", 0, {"n_units": 40}, ["reference", "brian2"])
    assert long.startswith("compare-hopfield-seed0-") and long != "compare-hopfield-seed0"
    monkeypatch.chdir(tmp_path)
    for n in (30, 40):
        res = runner.invoke(
            app, ["compare", "hopfield", "--realization", "reference", "--set", f"n_units={n}",
                  "--json"],
        )  # fmt: skip
        assert res.exit_code == 0, res.output
        json.loads(res.stdout)  # only JSON on stdout
    folders = sorted(p.name for p in (tmp_path / "neurotwin-out").iterdir())
    assert len(folders) == 2
