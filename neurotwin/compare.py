"""The same parameters, inputs and seed through several realizations, and how far they agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import router
from .errors import BackendUnavailable, ParamError
from .harness import Plan, execute, prepare
from .params import Params
from .registry import get_model, get_realization
from .results import Result


@dataclass
class Comparison:
    """Results per row label, their scalar observables, and agreement with the first row."""

    model: str
    params: dict
    seed: int
    results: dict[str, Result]
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def baseline(self) -> str:
        return next(iter(self.results))

    def table(self) -> dict[str, dict[str, Any]]:
        return {label: r.scalars() for label, r in self.results.items()}

    def agreement(self) -> dict[str, dict[str, float]]:
        """Per row: |difference| of each shared scalar observable from the baseline row,
        and, where both have a ``state`` trace, the fraction of final unit states that match
        in sign (equality for binary states; for a continuous reference state, e.g. the
        softmax update of ``modern-hopfield``, the sign is the binary state it reads out)."""
        base = self.results[self.baseline]
        base_scalars = base.scalars()
        out = {}
        for label, res in self.results.items():
            if label == self.baseline:
                continue
            row = {}
            for name, value in res.scalars().items():
                ref = base_scalars.get(name)
                numeric = (int, float)
                if (
                    isinstance(value, numeric)
                    and isinstance(ref, numeric)
                    and not isinstance(value, bool)
                    and not isinstance(ref, bool)
                ):
                    row[f"abs_diff_{name}"] = abs(float(value) - float(ref))
            if "state" in res.traces and "state" in base.traces:
                a, b = np.sign(res.traces["state"][-1]), np.sign(base.traces["state"][-1])
                row["final_state_agreement"] = float(np.mean(a == b))
            out[label] = row
        return out

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "params": self.params,
            "seed": self.seed,
            "realizations": self.table(),
            "agreement": self.agreement(),
            "skipped": self.skipped,
        }


def compare(
    model: str,
    params: Params | dict | None = None,
    seed: int = 0,
    realizations: list[str] | None = None,
    **overrides: Any,
) -> Comparison:
    """Run every realization of ``model`` on the same parameters, inputs and seed.

    ``realizations=None`` runs the model's default rows (for Hopfield: reference
    with async updates, reference with sync updates, Brian2); a default row whose
    backend is missing here is skipped and reported in ``Comparison.skipped``. A
    realization named explicitly must be available.

    ``overrides`` go to every row that accepts them (model parameters, or a
    realization's options such as ``device``); a name no row accepts is an error, and
    so is a value that a row would replace with its own setting (e.g. ``update`` for
    Hopfield's async and sync rows). All rows are validated before the first one runs.
    """
    plans, skipped = plan_comparison(model, params, seed, realizations, **overrides)
    results = {label: execute(plan) for label, plan in plans.items()}
    first = next(iter(plans.values()))
    return Comparison(model, first.params.model_dump(), first.seed, results, skipped)


def plan_comparison(
    model: str,
    params: Params | dict | None = None,
    seed: int = 0,
    realizations: list[str] | None = None,
    **overrides: Any,
) -> tuple[dict[str, Plan], dict[str, str]]:
    """The validated plan of every row of :func:`compare` (nothing runs), and the rows
    skipped because their backend is missing here."""
    spec = get_model(model)
    explicit = realizations is not None
    if explicit:
        if isinstance(realizations, str) or not all(isinstance(r, str) for r in realizations):
            raise ParamError(f"realizations: must be a list of names (got {realizations!r})")
        rows = [(name, name, {}) for name in realizations]
    else:
        rows = spec.compare_runs or [(n, n, {}) for n in spec.realizations]
    reals = [get_realization(model, real_name) for _, real_name, _ in rows]
    router.check_names(spec, reals, overrides)
    # a realization's own defaults (e.g. the chip's zero delay) go to every row
    overrides = {**router.shared_defaults(spec, reals, overrides), **overrides}

    plans: dict[str, Plan] = {}
    skipped: dict[str, str] = {}
    for (label, _, row_overrides), real in zip(rows, reals, strict=True):
        kw = router.row_values(spec, real, label, row_overrides, overrides)
        try:
            plans[label] = prepare(model, real.name, params, seed, **kw)
        except BackendUnavailable as exc:
            if explicit:
                raise
            skipped[label] = str(exc)
    if not plans:
        raise BackendUnavailable(f"no realization of {model!r} is available here: {skipped}")
    return plans, skipped
