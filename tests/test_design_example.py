"""The "Adding a model" example of docs/design.md is complete and needs no edit elsewhere.

Its two code blocks are copied into a temporary family (``rate_models/lif_rate/`` and
``spiking/lif_rate/``) that the registry finds by its place alone; the model then runs
through the harness, the CLI's ``compare`` path and the conformance checks, and its
Brian2 realization matches the exact LIF rate it is compared with.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import neurotwin
import neurotwin.rate_models
import neurotwin.spiking
from neurotwin import ParamError, registry

DOC = Path(__file__).resolve().parents[1] / "docs" / "design.md"


def _blocks() -> dict[str, str]:
    """The python blocks of the doc that follow a line naming their file."""
    text = DOC.read_text()
    found = re.findall(r"`([\w/]+\.py)`[^`]*?\n\n```python\n(.*?)```", text, flags=re.S)
    return dict(found)


@pytest.fixture
def lif_rate_family(tmp_path, monkeypatch):
    blocks = _blocks()
    assert set(blocks) == {"rate_models/lif_rate/lif_rate.py", "spiking/lif_rate/brian2.py"}
    for rel, code in blocks.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").write_text('"""The lif_rate family."""\n')
        path.write_text(code)
    monkeypatch.setattr(
        neurotwin.rate_models,
        "__path__",
        [*neurotwin.rate_models.__path__, str(tmp_path / "rate_models")],
    )
    monkeypatch.setattr(
        neurotwin.spiking, "__path__", [*neurotwin.spiking.__path__, str(tmp_path / "spiking")]
    )
    yield
    registry._MODELS.pop("lif-rate", None)
    registry._loaded_families.discard("lif_rate")
    registry._all_loaded = False
    import sys

    for name in [m for m in sys.modules if ".lif_rate" in m]:
        del sys.modules[name]


def test_the_documented_model_runs_and_agrees(lif_rate_family):
    assert "lif_rate" in registry.families()
    ref = neurotwin.run("lif-rate", seed=3)
    spk = neurotwin.run("lif-rate", "brian2", seed=3)
    # Brian2's count over T = 2 s is within one spike (1/T) of the exact rate, plus the
    # time grid's delay of each spike by at most dt = 0.1 ms (Brian2's default), which
    # lowers a rate r by at most r^2 dt / (1 + r dt)
    exact = ref.traces["rate_hz"][-1]
    dt = 1e-4
    bound = 1.0 / 2.0 + exact**2 * dt / (1 + exact * dt)
    assert np.all(np.abs(spk.traces["rate_hz"][-1] - exact) <= bound)
    assert spk.provenance["network_build_s"] >= 0
    with pytest.raises(ParamError, match=r"^LifRateParams.n_neurons: must be an integer >= 1"):
        neurotwin.run("lif-rate", n_neurons=0)
    comp = neurotwin.compare("lif-rate", realizations=["reference", "brian2"], seed=1)
    assert set(comp.results) == {"reference", "brian2"}


def test_two_phases_rerun_the_built_network(lif_rate_family):
    from neurotwin.harness import build, prepare, run_built

    plan = prepare("lif-rate", "brian2", seed=0, n_neurons=4, duration_s=1.0)
    built = build(plan)
    first = run_built(built)
    again = run_built(built, {"drive": np.full(4, 2.0)})
    expected = 1.0 / (0.002 + 0.02 * np.log(2.0))
    assert np.abs(again.traces["rate_hz"][-1] - expected).max() <= 1.0 + expected**2 * 1e-4
    np.testing.assert_array_equal(run_built(built).traces["rate_hz"], first.traces["rate_hz"])
