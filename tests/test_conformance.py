"""Checks every registered model x realization passes, like scikit-learn's check_estimator.

A new model or realization gets these by registering: Result schema, determinism,
save/load round trip, every Params field rejected out of range with the exact
text, and unknown names rejected.
"""

from __future__ import annotations

import typing

import annotated_types as at
import numpy as np
import pytest

import neurotwin
from neurotwin import ParamError
from neurotwin.registry import get_model, models

CASES = [
    pytest.param(m, r, marks=[] if ok else pytest.mark.skip(reason=f"{r} backend not installed"))
    for m, reals in models().items()
    for r, ok in reals.items()
]


def _quick(model: str, realization: str, seed: int = 0):
    return neurotwin.run(model, realization, seed=seed, **get_model(model).quick_params)


@pytest.fixture(scope="module")
def quick_results():
    cache = {}

    def get(model, realization):
        if (model, realization) not in cache:
            cache[model, realization] = (_quick(model, realization), _quick(model, realization))
        return cache[model, realization]

    return get


@pytest.mark.parametrize(("model", "realization"), CASES)
def test_result_schema(model, realization, quick_results):
    r, _ = quick_results(model, realization)
    spec = get_model(model)
    assert (r.model, r.realization) == (model, realization)
    assert r.params == spec.params.create(**spec.quick_params).model_dump()
    assert r.t.ndim == 1 and len(r.t) >= 1 and np.all(np.diff(r.t) > 0)
    assert r.t_unit in {"s", "sweep"}
    for name, arr in r.traces.items():
        assert arr.shape[0] == len(r.t), name
    key = r.observables[spec.key_observable]
    assert np.ndim(key) == 0 and np.isfinite(key)
    for field in ("versions", "backend", "wall_time_s", "python"):
        assert field in r.provenance


@pytest.mark.parametrize(("model", "realization"), CASES)
def test_determinism(model, realization, quick_results):
    a, b = quick_results(model, realization)
    assert a.traces.keys() == b.traces.keys()
    for name in a.traces:
        np.testing.assert_array_equal(a.traces[name], b.traces[name])
    for name in a.spikes:
        np.testing.assert_array_equal(a.spikes[name][0], b.spikes[name][0])
        np.testing.assert_array_equal(a.spikes[name][1], b.spikes[name][1])
    for name in a.observables:
        np.testing.assert_array_equal(a.observables[name], b.observables[name])


@pytest.mark.parametrize(("model", "realization"), CASES)
def test_save_load_round_trip(model, realization, quick_results, tmp_path):
    r, _ = quick_results(model, realization)
    path = r.save(tmp_path / "result.nc")
    assert [p.name for p in tmp_path.iterdir()] == ["result.nc"]  # no temp file left
    back = neurotwin.Result.load(path)
    for attr in ("model", "realization", "params", "seed", "t_unit", "options", "provenance"):
        assert getattr(back, attr) == getattr(r, attr), attr
    np.testing.assert_array_equal(back.t, r.t)
    for name, arr in r.traces.items():
        np.testing.assert_array_equal(back.traces[name], arr)
        assert back.traces[name].dtype == arr.dtype
    for name, value in r.observables.items():
        np.testing.assert_array_equal(back.observables[name], value)
    for name, (times, idx) in r.spikes.items():
        np.testing.assert_array_equal(back.spikes[name][0], times)
        np.testing.assert_array_equal(back.spikes[name][1], idx)


def _bad_values(cls, field):
    """Values that break ``field``'s declared rule: beyond each bound, wrong type, NaN."""
    info = cls.model_fields[field]
    ann = info.annotation
    if typing.get_origin(ann) is typing.Literal:
        return ["not-a-choice", 1]
    if ann is str or str in typing.get_args(ann):
        return [1]
    bad = ["text"]
    if ann is float:
        bad.append(float("nan"))
    if ann is int:
        bad.append(1.5)
    for meta in info.metadata:
        if isinstance(meta, at.Ge):
            bad.append(meta.ge - 1)
        if isinstance(meta, at.Gt):
            bad.append(meta.gt)
        if isinstance(meta, at.Le):
            bad.append(meta.le + 1)
        if isinstance(meta, at.Lt):
            bad.append(meta.lt)
    return bad


PARAM_CASES = []
for _m, _reals in models().items():
    _spec = get_model(_m)
    for _cls in [_spec.params] + [
        r.options for r in _spec.realizations.values() if r.options is not None
    ]:
        for _field in _cls.model_fields:
            for _value in _bad_values(_cls, _field):
                PARAM_CASES.append(
                    pytest.param(_cls, _field, _value, id=f"{_cls.__name__}.{_field}={_value!r}")
                )


@pytest.mark.parametrize(("cls", "field", "value"), PARAM_CASES)
def test_every_param_rejects_out_of_range(cls, field, value):
    with pytest.raises(ParamError) as info:
        cls.create(**{field: value})
    assert str(info.value) == f"{cls.__name__}.{field}: {cls.constraint(field)} (got {value!r})"


@pytest.mark.parametrize("model", list(models()))
def test_unknown_realization_and_param(model):
    reals = ", ".join(get_model(model).realizations)
    with pytest.raises(ParamError) as info:
        neurotwin.run(model, "no-such-backend")
    assert str(info.value) == (
        f"realization: must be one of {reals} for model {model!r} (got 'no-such-backend')"
    )
    with pytest.raises(ParamError, match=r"\.no_such_param: unknown parameter"):
        neurotwin.run(model, "reference", no_such_param=1)


def test_models_lists_every_realization():
    listing = models()
    assert listing["hopfield"].keys() >= {"reference", "brian2"}
    assert listing["hopfield"]["reference"] is True
