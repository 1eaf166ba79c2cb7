"""The command line: JSON output for scripts, one-line errors, nothing written on bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from neurotwin.cli import app, parse_sets

runner = CliRunner()


def test_parse_sets():
    assert parse_sets(["n_units=100", "update=sync", "cue_noise=0.1", "x=true"]) == {
        "n_units": 100,
        "update": "sync",
        "cue_noise": 0.1,
        "x": True,
    }


def test_list_shows_models_and_availability():
    res = runner.invoke(app, ["list"])
    assert res.exit_code == 0
    assert "hopfield" in res.output and "reference" in res.output and "yes" in res.output


def test_list_prints_install_commands_verbatim(monkeypatch):
    """Reasons are printed as text, not rich markup: the extra's brackets survive."""
    from neurotwin import registry

    real = registry.get_realization("hopfield", "loihi-emulator")
    monkeypatch.setattr(real, "requires", ("no_such_package_xyz",))
    monkeypatch.setitem(registry.INSTALL_HINT, "no_such_package_xyz", 'pip install -e ".[loihi]"')
    from neurotwin import cli

    monkeypatch.setattr(cli.console, "width", 400)  # one line per row, whatever the terminal
    res = runner.invoke(app, ["list"])
    assert res.exit_code == 0
    assert 'install it with: pip install -e ".[loihi]"' in res.output


def test_run_json_and_out(tmp_path):
    out = tmp_path / "r.nc"
    res = runner.invoke(
        app,
        [
            "run",
            "hopfield",
            "--set",
            "n_units=60",
            "--set",
            "n_patterns=3",
            "--seed",
            "2",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert set(payload) == {"model", "realization", "params", "seed", "observables"}
    assert payload["params"]["n_units"] == 60 and payload["seed"] == 2
    assert 0.0 <= payload["observables"]["final_overlap"] <= 1.0
    assert isinstance(payload["observables"]["converged"], bool)
    assert out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "n_units=1"], "error: HopfieldParams.n_units: must be an integer >= 2 (got 1)"),
        (["--set", "n_units"], "error: --set: must be KEY=VALUE (got 'n_units')"),
        (
            ["--realization", "loihi"],
            "error: realization: must be one of reference, brian2, nengo, loihi-emulator "
            "for model 'hopfield' (got 'loihi')",
        ),
        (["--seed", "-3"], "error: seed: must be an integer >= 0 (got -3)"),
    ],
)
def test_bad_input_one_line_no_file(tmp_path, args, message):
    out = tmp_path / "r.nc"
    res = runner.invoke(app, ["run", "hopfield", *args, "--out", str(out)])
    assert res.exit_code == 2
    assert res.stderr.strip() == message
    assert "Traceback" not in res.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_compare_json_writes_results_and_figure(tmp_path):
    res = runner.invoke(
        app,
        [
            "compare",
            "hopfield",
            "--realization",
            "reference",
            "--set",
            "n_units=60",
            "--set",
            "n_patterns=3",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert set(payload) >= {"model", "params", "seed", "realizations", "agreement"}
    assert "final_overlap" in payload["realizations"]["reference"]
    assert (tmp_path / "reference.nc").exists() and (tmp_path / "comparison.png").exists()


def test_compare_bad_param_writes_nothing(tmp_path):
    res = runner.invoke(
        app, ["compare", "hopfield", "--set", "bogus=1", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2
    assert res.stderr.startswith("error: HopfieldParams.bogus: unknown parameter")
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_compare_standalone_builds_under_output_folder(tmp_path):
    """`--set device=cpp_standalone` compiles into OUT/brian2-standalone-build."""
    res = runner.invoke(
        app,
        [
            "compare",
            "hopfield",
            "--realization",
            "brian2",
            "--set",
            "device=cpp_standalone",
            "--set",
            "n_units=40",
            "--set",
            "n_patterns=2",
            "--set",
            "n_cues=2",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "brian2-standalone-build").is_dir()
    assert json.loads(res.stdout)["realizations"]["brian2"]["final_overlap"] == 1.0


def test_sweep_skip_unavailable_leaves_out_labels_it_cannot_run(tmp_path, monkeypatch):
    """Without the flag a sweep that needs a missing backend stops before any work, with
    the install command; with --skip-unavailable it runs the rest and says what it left
    out (here the Loihi-emulator PES row of backprop-vs-local, made unavailable)."""
    from neurotwin import cli, registry

    real = registry.get_realization("pes-readout", "loihi-emulator")
    monkeypatch.setattr(real, "requires", ("no_such_package_xyz",))
    monkeypatch.setattr(cli.console, "width", 400)
    out = tmp_path / "bvl"
    res = runner.invoke(app, ["sweep", "backprop-vs-local", "--quick", "--out", str(out)])
    assert res.exit_code == 2
    assert "realization pes-readout/loihi-emulator needs the package 'no_such_package_xyz'" in (
        res.output
    )
    assert not out.exists()
    args = ["sweep", "backprop-vs-local", "--quick", "--skip-unavailable", "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "skipped pes-loihi: realization pes-readout/loihi-emulator needs" in res.output
    summary = json.loads((out / "backprop-vs-local-quick.summary.json").read_text())
    assert "pes-loihi" not in summary["final_test_accuracy_mean"]
    assert summary["final_test_accuracy_mean"]["pes-nengo"] is not None
