"""The generic commands (run, compare, deploy, export) for every model they accept.

* every parameter of every model set for ``compare`` is honoured by every row, or the
  comparison is refused with one line naming the parameter (a row never replaces it);
* ``deploy`` refuses, before simulating, every model without a chip realization and
  names those that have one; ``export`` does the same for models without an exporter
  and names the package a missing format needs.

The runs of every pair on its defaults, and ``deploy`` of every chip model, are in
``test_defaults.py``.
"""

from __future__ import annotations

import importlib.util
import typing

import annotated_types as at
import pytest
from typer.testing import CliRunner

from neurotwin import ParamError
from neurotwin.cli import app
from neurotwin.compare import plan_comparison
from neurotwin.deploy import deployable
from neurotwin.export import exportable
from neurotwin.registry import all_models, get_model

runner = CliRunner()
MODELS = list(all_models())


def _other_values(cls, name):
    """Valid values of ``cls.name`` other than its default, nearest first."""
    info = cls.model_fields[name]
    default = info.default
    ann = info.annotation
    if typing.get_origin(ann) is typing.Literal:
        return [v for v in typing.get_args(ann) if v != default]
    if ann is bool:
        return [not default]
    lo = hi = None
    for meta in info.metadata:
        if isinstance(meta, (at.Ge, at.Gt)):
            lo = getattr(meta, "ge", getattr(meta, "gt", None))
        if isinstance(meta, (at.Le, at.Lt)):
            hi = getattr(meta, "le", getattr(meta, "lt", None))
    if ann is int and isinstance(default, int):
        return [v for v in (default + 1, default - 1) if (lo is None or v >= lo)]
    if ann is float and isinstance(default, float):
        cands = [default * 1.25, default * 0.8, default + 0.1, default - 0.1]
        return [v for v in cands if (lo is None or v > lo) and (hi is None or v < hi)]
    return []


def _cases():
    for model in MODELS:
        cls = get_model(model).params
        for name in cls.model_fields:
            for value in _other_values(cls, name):
                try:
                    cls.create(**{name: value})
                except ParamError:
                    continue  # not valid on its own (a cross-field rule): try the next value
                yield pytest.param(model, name, value, id=f"{model}-{name}")
                break


@pytest.mark.parametrize(("model", "name", "value"), list(_cases()))
def test_compare_honours_or_refuses_every_parameter(model, name, value):
    """Validation only (nothing simulated): every row that runs has the user's value."""
    try:
        plans, _ = plan_comparison(model, **{name: value})
    except ParamError as exc:
        assert f".{name}:" in str(exc) or f"{name}=" in str(exc), str(exc)
        assert "\n" not in str(exc)
        return
    for label, plan in plans.items():
        assert getattr(plan.params, name) == value, label


def test_compare_cli_refuses_a_row_setting_that_would_replace_a_user_value():
    res = runner.invoke(app, ["compare", "hopfield", "--set", "update=sync"])
    assert res.exit_code == 2
    assert res.output.strip() == (
        "error: HopfieldParams.update: comparison row 'reference-async' runs with "
        "update='async', which would replace the value set; compare chosen realizations "
        "instead (--realization) (got 'sync')"
    )


@pytest.mark.parametrize("model", [m for m in MODELS if m not in deployable()])
def test_deploy_refuses_models_without_a_chip_realization_up_front(model, monkeypatch):
    import neurotwin.harness as harness

    def boom(*a, **k):  # nothing may be simulated
        raise AssertionError("simulated before refusing")

    monkeypatch.setattr(harness, "execute", boom)
    res = runner.invoke(app, ["deploy", model])
    assert res.exit_code == 2
    assert res.output.strip() == (
        "error: model: must have a loihi-emulator realization with a chip report to deploy; "
        f"models that have one: {', '.join(deployable())} (got {model!r})"
    )


def test_the_chip_models():
    assert set(deployable()) == {
        "damaged-hopfield",
        "damaged-modern-hopfield",
        "damaged-ring-attractor",
        "hopfield",
        "lif-sync",
        "modern-hopfield",
        "pes-readout",
        "ring-attractor",
    }


@pytest.mark.parametrize("model", [m for m in MODELS if m not in exportable()])
def test_export_refuses_models_without_an_exporter(model, tmp_path):
    res = runner.invoke(app, ["export", model, "--out", str(tmp_path / "x.nir")])
    assert res.exit_code == 2
    assert res.output.strip() == (
        f"error: model {model!r} has no nir export; models that have one: "
        f"{', '.join(exportable()) or 'none'}"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(importlib.util.find_spec("nir") is not None, reason="nir is installed")
def test_export_without_nir_is_one_line_with_the_install_command(tmp_path):
    res = runner.invoke(app, ["export", "hopfield", "--out", str(tmp_path / "x.nir")])
    assert res.exit_code == 2
    assert res.output.strip() == (
        "error: export as nir needs the package 'nir', which is not installed; install it "
        'with: pip install -e ".[loihi]"'
    )
    assert list(tmp_path.iterdir()) == []
