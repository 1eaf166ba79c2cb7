"""``neurotwin compare ring-attractor`` through the command line: the user's gamma is the
one every realization runs with (the default comparison rows set nothing of their own;
they once set gamma = 0.1 and replaced the user's value)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from neurotwin.cli import app

runner = CliRunner()


@pytest.mark.parametrize("gamma", [0.0, -0.05])
def test_compare_honours_the_users_gamma(gamma, tmp_path):
    pytest.importorskip("brian2")
    pytest.importorskip("nengo")
    res = runner.invoke(
        app,
        [
            "compare",
            "ring-attractor",
            "--set",
            f"gamma={gamma}",
            "--set",
            "n_units=32",
            "--set",
            "duration_s=0.3",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["params"]["gamma"] == gamma
    rows = payload["realizations"]
    assert sorted(rows) == ["brian2", "nengo", "reference"]
    for label, row in rows.items():
        # gamma / tau, computed from each row's own parameters
        assert row["bump_speed_theory"] == pytest.approx(gamma / 0.02), label
    saved = json.loads((tmp_path / "comparison.json").read_text())
    assert saved["params"]["gamma"] == gamma
