"""Every observable of every model's runs (reference and the available spiking
realizations, at ``quick_params``) has a declared unit (:func:`neurotwin.results.unit_of`)."""

from __future__ import annotations

import pytest

import neurotwin
from neurotwin.registry import all_models
from neurotwin.results import unit_of

#: observables whose unit depends on the realization, not on the model: a model-wide
#: ``observable_units`` entry cannot state it. ``kl_curve_t`` is ``result.t`` at the KL
#: read-outs: sweeps in the reference (``t_unit="sweep"``), seconds in Brian2.
REALIZATION_DEPENDENT = {
    ("boltzmann", "kl_curve_t"),
    ("rbm", "kl_curve_t"),
}

CASES = [
    (model, real)
    for model, spec in sorted(all_models().items())
    for real in spec.realizations
    if spec.realizations[real].available()
]


@pytest.mark.parametrize(("model", "realization"), CASES, ids=[f"{m}-{r}" for m, r in CASES])
def test_every_observable_has_a_unit(model, realization):
    spec = all_models()[model]
    result = neurotwin.run(model, realization, **spec.quick_params)
    missing = [
        k
        for k in result.observables
        if unit_of(k, model) is None and (model, k) not in REALIZATION_DEPENDENT
    ]
    assert not missing, f"{model}/{realization}: no unit for {missing}"


@pytest.mark.parametrize("model", sorted(all_models()))
def test_declared_units_are_nonempty_strings(model):
    for name, unit in all_models()[model].observable_units.items():
        assert isinstance(unit, str) and unit, (model, name, unit)
