"""Plotting: no backend switch on import, Figures returned, ``ax=``, saving to a path;
progress bars only where someone watches."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import xarray as xr

import neurotwin


def test_import_leaves_the_backend_alone():
    code = "import matplotlib, neurotwin.plotting; print(matplotlib.get_backend())"
    env = {**os.environ, "MPLBACKEND": "svg"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "svg", out.stderr


def _ds():
    return xr.Dataset(
        {"y": (("x", "seed"), np.arange(6.0).reshape(3, 2))},
        coords={"x": [1, 2, 3], "seed": [0, 1]},
    )


def test_functions_return_the_figure_take_ax_and_still_save(tmp_path):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from neurotwin import plotting

    fig = plotting.sweep_lines(_ds(), "y", "x", None)
    assert isinstance(fig, Figure)
    own, ax = plt.subplots()
    assert plotting.sweep_lines(_ds(), "y", "x", None, ax=ax) is own
    path = plotting.sweep_lines(_ds(), "y", "x", tmp_path / "s.png")
    assert path == tmp_path / "s.png" and path.read_bytes()[:4] == b"\x89PNG"


def test_comparison_figure_shows_dynamics_theory_and_units():
    from neurotwin import plotting

    comp = neurotwin.compare("hopfield", None, 1, ["reference", "nengo"], n_units=40,
                             n_patterns=3, n_cues=2)  # fmt: skip
    fig = plotting.comparison(comp)
    labels = [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes]
    assert ("time (sweeps)", "overlap m with the cued pattern (dimensionless)") in labels
    assert ("time (s)", "overlap m with the cued pattern (dimensionless)") in labels
    assert any(y == "wall time, build and run (s)" for _, y in labels)
    assert all(y for _, y in labels)


def test_ring_dynamics_has_the_theory_line():
    from neurotwin import plotting

    res = neurotwin.run("ring-attractor", "reference", None, 0)
    y, label, theory = plotting.dynamics_series(res)
    assert label == "bump position, unwrapped (rad)" and theory is not None
    assert theory.shape == y.shape


def test_progress_only_on_a_terminal(monkeypatch):
    from neurotwin import progress
    from neurotwin.spiking import _brian2

    assert progress.enabled() is False  # pytest captures stderr: not a terminal
    assert _brian2.run_report() == {}
    progress.set_enabled(True)
    try:
        assert _brian2.run_report()["report"] == "stderr"
    finally:
        progress.set_enabled(None)


def test_every_brian2_network_run_reports_progress():
    """Each Brian2 ``Network.run`` of a realization passes ``run_report()``, so a long run
    shows Brian2's progress on a terminal (and nothing otherwise)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "spiking"
    missing = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run"
                and any(k.arg == "namespace" for k in node.keywords)
            ):
                star = [k for k in node.keywords if k.arg is None]
                if not any("run_report" in ast.unparse(k.value) for k in star):
                    missing.append(f"{path.relative_to(root)}:{node.lineno}")
    assert missing == []
