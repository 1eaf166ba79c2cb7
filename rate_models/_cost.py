"""Building a run's cost estimate (:class:`neurotwin.budget.Cost`) from named terms.

Every model's ``estimate(params, options, realization)`` lists the arrays a run
allocates and the simulated steps it takes as terms, each under the parameter that
drives it; :func:`cost` sums them and names, for the refusal, the parameter of the
largest term. :func:`driver` picks, among the parameters of one product (e.g.
``duration_s / dt_s * n_units``), the one set furthest from its default, so the
refusal names the value the user changed.

Conventions (the same for every model, so budgets compare):

* bytes: the peak of the run's arrays: weights, inputs, recorded traces and spikes,
  and the observables' temporaries, each with the copies its code makes (a Brian2
  monitor's dynamic arrays grow by doubling: x 2); not the simulators' own fixed
  overhead.
* steps: unit updates: time steps x units (neurons, oscillators), or epochs x samples
  x units for the online learners, or sweeps x units for samplers.
"""

from __future__ import annotations

import math

from neurotwin.budget import Cost
from neurotwin.params import Params

#: bytes of one float64 / int64
F8 = 8
#: bytes per recorded spike in Brian2 (time float64, index int32, the int64 and float64
#: copies the Result takes) and per synapse (indices, weight, delays, bookkeeping)
SPIKE_BYTES = 32
SYNAPSE_BYTES = 48


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 1e300


def cost(memory: dict[str, float], steps: dict[str, float]) -> Cost:
    """Total bytes and steps of the named terms; the refusal names each total's largest term.

    A term's key is a parameter name of the model (several terms may share one).
    """
    mem_total = sum(_finite(float(v)) for v in memory.values())
    step_total = sum(_finite(float(v)) for v in steps.values())
    return Cost(
        bytes=int(min(mem_total, 1e300)),
        steps=int(min(step_total, 1e300)),
        memory_param=max(memory, key=lambda k: _finite(float(memory[k]))),
        steps_param=max(steps, key=lambda k: _finite(float(steps[k]))),
    )


def driver(params: Params, up: tuple[str, ...] = (), down: tuple[str, ...] = ()) -> str:
    """The parameter among ``up`` (cost grows with it) and ``down`` (cost grows as it
    shrinks, e.g. ``dt_s``) that is furthest, by ratio, from its default."""
    fields = type(params).model_fields

    def factor(name: str, grows: bool) -> float:
        value, default = float(getattr(params, name)), fields[name].default
        try:
            default = float(default)
        except (TypeError, ValueError):
            return 1.0
        if value <= 0 or default <= 0:
            return 1.0
        return value / default if grows else default / value

    ranked = [(factor(n, True), n) for n in up] + [(factor(n, False), n) for n in down]
    return max(ranked, key=lambda r: r[0])[1]


class Terms(dict):
    """Named terms that add up: ``Terms((name, value), ...)`` and :meth:`add` sum the values
    given under one name (two terms :func:`driver` attributes to the same parameter)."""

    def __init__(self, *pairs: tuple[str, float]) -> None:
        super().__init__()
        for name, value in pairs:
            self.add(name, value)

    def add(self, name: str, value: float) -> None:
        self[name] = self.get(name, 0.0) + _finite(float(value))
