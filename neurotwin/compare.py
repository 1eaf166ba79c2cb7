"""The same parameters, inputs and seed through several realizations, how far they agree,
and at what cost.

Agreement is judged against a declared tolerance per model: ``ModelSpec.agreement`` (a
list of :class:`Tolerance`) where a model declares one, else :data:`DEFAULT_TOLERANCE` on
the model's key observable. Cost per row: wall and build time, spikes, synaptic events,
mean rate, and the peak memory of the row's run as seen by :mod:`tracemalloc` (numpy and
Python allocations of this process; memory a compiled standalone binary or a simulator's
C code allocates itself is not seen).
"""

from __future__ import annotations

import re
import tracemalloc
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import router
from .errors import BackendUnavailable, ParamError
from .harness import Plan, execute, prepare
from .params import Params
from .registry import get_model, get_realization
from .results import Result


@dataclass(frozen=True)
class Tolerance:
    """A row agrees with the baseline on ``observable`` if
    ``|value - baseline| <= atol + rtol * |baseline|`` (booleans and texts: if equal)."""

    observable: str
    atol: float = 0.0
    rtol: float = 0.0

    def bound(self, ref: float) -> float:
        return self.atol + self.rtol * abs(ref)


#: the tolerance of a model that declares none (on its key observable)
DEFAULT_TOLERANCE = {"atol": 0.05, "rtol": 0.1}
#: observables that depend on the parameters only (a theory value): never compared
THEORY = re.compile(r"(^|_)(theory|predicted)($|_)|^critical_")
#: note of a comparison with a single row
ONLY_REFERENCE = "nothing to compare: only a reference"


def tolerances(model: str) -> list[Tolerance]:
    """The model's declared tolerances (``ModelSpec.agreement``), else the default one."""
    spec = get_model(model)
    declared = spec.agreement
    if declared:
        return [t if isinstance(t, Tolerance) else Tolerance(**t) for t in declared]
    return [Tolerance(spec.key_observable, **DEFAULT_TOLERANCE)]


@dataclass
class Comparison:
    """Results per row label, their scalar observables, agreement with the first row, and
    the cost of each row."""

    model: str
    params: dict
    seed: int
    results: dict[str, Result]
    skipped: dict[str, str] = field(default_factory=dict)
    #: per row: the weights it ran with (for the synaptic events of its spikes)
    weights: dict[str, dict] = field(default_factory=dict, repr=False)

    @property
    def note(self) -> str | None:
        """Why there is nothing to compare (one row), else None."""
        if len(self.results) > 1:
            return None
        if self.baseline == "reference":
            return ONLY_REFERENCE
        return f"nothing to compare: only {self.baseline} ran"

    def verdicts(self) -> dict[str, dict[str, Any]]:
        """Per row: for each declared tolerance, the difference from the baseline, the
        bound, and ``pass``; ``"verdict"``: ``"pass"`` if all pass, else ``"fail"``."""
        base = self.results[self.baseline].scalars()
        out = {}
        for label, res in self.results.items():
            if label == self.baseline:
                continue
            row: dict[str, Any] = {}
            ok = True
            for tol in tolerances(self.model):
                value, ref = res.scalars().get(tol.observable), base.get(tol.observable)
                if value is None or ref is None:
                    continue
                if isinstance(value, bool | str) or isinstance(ref, bool | str):
                    passed, diff, bound = value == ref, None, None
                else:
                    diff, bound = abs(float(value) - float(ref)), tol.bound(float(ref))
                    passed = bool(diff <= bound)  # NaN fails
                row[tol.observable] = {"difference": diff, "tolerance": bound, "pass": passed}
                ok = ok and passed
            row["verdict"] = "pass" if ok else "fail"
            out[label] = row
        return out

    def cost(self) -> dict[str, dict[str, Any]]:
        """Per row: ``wall_time_s`` (build and run), ``build_time_s``, ``spikes``,
        ``synaptic_events`` (each spike times its neuron's fan-out in the row's weights;
        else spikes times the mean fan-out ``n_synapses / n``; else the chip's count),
        ``mean_rate_hz``, ``peak_memory_mib`` (tracemalloc); None where not known."""
        return {
            label: _cost(res, self.weights.get(label) or {}) for label, res in self.results.items()
        }

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
                if THEORY.search(name):
                    continue  # a function of the parameters: the same in every row
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
            "tolerance": [vars(t) for t in tolerances(self.model)],
            "verdict": self.verdicts(),
            "cost": self.cost(),
            "note": self.note,
            "skipped": self.skipped,
        }


def compare(
    model: str,
    params: Params | dict | None = None,
    seed: int = 0,
    realizations: list[str] | None = None,
    *,
    step_budget: int | None = None,
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
    ``step_budget`` raises every row's budget of simulated steps (:mod:`neurotwin.budget`).
    """
    plans, skipped = plan_comparison(
        model, params, seed, realizations, step_budget=step_budget, **overrides
    )
    results = {label: _measured(plan) for label, plan in plans.items()}
    first = next(iter(plans.values()))
    weights = {label: plan.weights for label, plan in plans.items()}
    return Comparison(model, first.params.model_dump(), first.seed, results, skipped, weights)


def _measured(plan: Plan) -> Result:
    """``execute(plan)`` with the peak of its traced allocations in its provenance."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        result = execute(plan)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    result.provenance["peak_memory_mib"] = peak / 2**20
    result.provenance["peak_memory_measure"] = "tracemalloc"
    return result


def _cost(res: Result, weights: dict) -> dict[str, Any]:
    prov = res.provenance
    chip = (prov.get("chip") or {}).get("per_run") or {}
    build = prov.get("network_build_s", prov.get("build_time_s"))
    spikes = sum(len(times) for times, _ in res.spikes.values()) if res.spikes else None
    if spikes is None and "spikes" in chip:
        spikes = int(chip["spikes"])
    events, n_neurons = None, None
    if res.spikes:
        for _, idx in res.spikes.values():
            idx = np.asarray(idx, dtype=np.int64)
            n = int(idx.max()) + 1 if idx.size else 0
            fan = _fan_out(weights, n)
            if fan is not None:
                events = (events or 0) + int(fan[idx].sum())
            n_neurons = max(n_neurons or 0, n, len(fan) if fan is not None else 0)
    if events is None and spikes is not None and prov.get("n_synapses") and n_neurons:
        events = int(round(spikes * prov["n_synapses"] / n_neurons))
    if events is None and "synaptic_ops" in chip:
        events = int(chip["synaptic_ops"])
    rate = res.scalars().get("mean_rate_hz")
    duration = float(res.t[-1] - res.t[0]) if res.t_unit == "s" and len(res.t) > 1 else None
    if rate is None and spikes is not None and n_neurons and duration:
        rate = spikes / (n_neurons * duration)
    return {
        "wall_time_s": prov.get("wall_time_s"),
        "build_time_s": build,
        "spikes": spikes,
        "synaptic_events": events,
        "mean_rate_hz": rate,
        "peak_memory_mib": prov.get("peak_memory_mib"),
    }


def _fan_out(weights: dict, n: int) -> np.ndarray | None:
    """Synapses out of each of ``n`` neurons: the nonzero entries of its column in the one
    square (n, n) weight matrix of ``weights`` (None: none or several)."""
    square = [
        np.asarray(w)
        for w in weights.values()
        if np.ndim(w) == 2 and np.shape(w)[0] == np.shape(w)[1] and np.shape(w)[0] >= n > 0
    ]
    if len(square) != 1:
        return None
    return np.count_nonzero(square[0], axis=0)


def plan_comparison(
    model: str,
    params: Params | dict | None = None,
    seed: int = 0,
    realizations: list[str] | None = None,
    *,
    step_budget: int | None = None,
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
            plans[label] = prepare(model, real.name, params, seed, step_budget=step_budget, **kw)
        except BackendUnavailable as exc:
            if explicit:
                raise
            skipped[label] = str(exc)
    if not plans:
        raise BackendUnavailable(f"no realization of {model!r} is available here: {skipped}")
    return plans, skipped
