"""describe(): every parameter and option of every model, one source for the CLI and the docs."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import neurotwin
from neurotwin import ParamError
from neurotwin.cli import app
from neurotwin.registry import all_models, get_model

runner = CliRunner()
MODELS = list(all_models())


def _wide(monkeypatch):
    from neurotwin import cli

    monkeypatch.setattr(cli.console, "width", 400)  # one line per row, whatever the terminal


@pytest.mark.parametrize("model", MODELS)
def test_describe_covers_every_field(model):
    spec = get_model(model)
    d = neurotwin.describe(model)
    assert [f.name for f in d.params] == list(spec.params.model_fields)
    for f in d.params:
        info = spec.params.model_fields[f.name]
        assert f.default == info.get_default(call_default_factory=True)
        assert f.unit == spec.params.field_unit(f.name)
        assert f.allowed.startswith(spec.params.constraint(f.name).removeprefix("must be "))
        assert f.meaning == (info.description or "")
    assert set(d.options) == set(spec.realizations)
    for name, real in spec.realizations.items():
        expected = list(real.options.model_fields) if real.options else []
        assert [f.name for f in d.options[name]] == expected
    assert any(o.key and o.name == spec.key_observable for o in d.observables)
    assert d.summary and "\n" not in d.summary
    json.dumps(d.to_dict())  # JSON as it is
    text = str(d)
    for f in d.params:
        assert f.name in text


def test_describe_one_realization_shows_its_own_defaults():
    d = neurotwin.describe("lif-sync", "loihi-emulator")
    assert list(d.options) == ["loihi-emulator"]
    f = d.field("delay_s")
    assert (f.default, f.model_default, f.realization_default) == (0.0, 0.0005, True)
    assert d.field("tau_m_s").unit == "s"
    assert "plausible 1e-4..1 s (membrane time constant)" in d.field("tau_m_s").allowed


def test_describe_refuses_unknown_names():
    with pytest.raises(ParamError, match=r"^model: must be one of"):
        neurotwin.describe("no-such-model")
    with pytest.raises(ParamError, match=r"^realization: must be one of"):
        neurotwin.describe("hopfield", "no-such-backend")


def test_observable_units_are_read_where_declared(monkeypatch):
    spec = get_model("ring-attractor")
    monkeypatch.setattr(
        spec, "observable_units", {"bump_speed": "rad/s", "bump_amplitude": None}, raising=False
    )
    obs = {o.name: o.unit for o in neurotwin.describe("ring-attractor").observables}
    assert obs == {"bump_speed": "rad/s", "bump_amplitude": None}


def test_undeclared_observables_say_so(monkeypatch):
    monkeypatch.setattr(get_model("hopfield"), "observable_units", {})
    d = neurotwin.describe("hopfield")
    assert [(o.name, o.unit) for o in d.observables] == [("final_overlap", "?")]


# -- CLI --------------------------------------------------------------------------


def test_cli_params_table(monkeypatch):
    _wide(monkeypatch)
    res = runner.invoke(app, ["params", "hopfield"])
    assert res.exit_code == 0, res.output
    assert "n_units" in res.output and "an integer >= 2" in res.output
    assert "number of binary units N" in res.output
    assert "Brian2HopfieldOptions" in res.output and "tau_m_s" in res.output


def test_cli_params_json_one_realization():
    res = runner.invoke(app, ["params", "lif-sync", "--realization", "brian2", "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["model"] == "lif-sync" and list(payload["options"]) == ["brian2"]
    tau = next(f for f in payload["params"] if f["name"] == "tau_m_s")
    assert (tau["default"], tau["unit"]) == (0.02, "s")


def test_cli_params_unknown_model_is_one_line():
    res = runner.invoke(app, ["params", "no-such-model"])
    assert res.exit_code == 2
    assert res.stderr.startswith("error: model: must be one of")
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("model", ["hopfield", "kuramoto", "ring-attractor", "stdp"])
def test_run_model_help_lists_its_parameters(model, monkeypatch):
    _wide(monkeypatch)
    res = runner.invoke(app, ["run", model, "--help"])
    assert res.exit_code == 0, res.output
    assert "--realization" in res.output  # the usual help first
    for name in get_model(model).params.model_fields:
        assert name in res.output


def test_run_help_differs_per_model(monkeypatch):
    _wide(monkeypatch)
    a = runner.invoke(app, ["run", "hopfield", "--help"]).output
    b = runner.invoke(app, ["run", "kuramoto", "--help"]).output
    assert a != b and "coupling" in b and "coupling" not in a


def test_run_help_with_a_realization_shows_its_options(monkeypatch):
    _wide(monkeypatch)
    res = runner.invoke(app, ["run", "hopfield", "--realization", "brian2", "--help"])
    assert res.exit_code == 0
    assert "Brian2HopfieldOptions" in res.output and "NengoHopfieldOptions" not in res.output


def test_run_help_without_a_model_and_with_an_unknown_one():
    res = runner.invoke(app, ["run", "--help"])
    assert res.exit_code == 0 and "MODEL" in res.output
    res = runner.invoke(app, ["run", "no-such-model", "--help"])
    assert res.exit_code == 0 and "no parameters to show" in res.output


def test_list_shows_descriptions_and_experiments(monkeypatch):
    _wide(monkeypatch)
    res = runner.invoke(app, ["list"])
    assert res.exit_code == 0, res.output
    assert "Hopfield (1982) associative memory" in res.output
    assert "Kuramoto (1975) phase oscillators" in res.output
    assert "hopfield-capacity" in res.output and "experiments" in res.output
    assert "hopfield-capacity-quick" not in res.output  # said once, as a variant
