r"""A Hopfield network that never stops learning: palimpsest synapses.

A stream of random patterns :math:`\xi^{(1)}, \dots, \xi^{(L)}` (``n_stream`` = L, rows of
``patterns`` in presentation order) is learned one pattern at a time, with no separate
training phase; after the stream the network recalls the pattern of **age** :math:`k` (the
:math:`k`-th most recent, :math:`k = 0` the last one) from a cue. Learning rules
(``rule``), with :math:`J` the couplings before and :math:`J'` after one pattern:

* ``hebbian`` (the classical network, Hopfield 1982): :math:`J' = J + \xi\xi^\top / N`.
  Every pattern has the same weight, so past :math:`L \approx 0.138 N` (Amit, Gutfreund &
  Sompolinsky 1985) **no** pattern is retrieved: the catastrophic blackout.
* ``marginalist`` (exponential forgetting; Nadal, Toulouse, Changeux & Dehaene 1986;
  Mezard, Nadal & Toulouse 1986): :math:`J' = J / \sqrt{1 + \varepsilon^2/N} +
  \varepsilon\, \xi\xi^\top / N`. Pattern :math:`k` keeps the weight
  :math:`\lambda^k \varepsilon` with :math:`\lambda = (1 + \varepsilon^2/N)^{-1/2} \approx
  e^{-\varepsilon^2 / 2N}`, so the couplings stay bounded in variance and only the most
  recent patterns are retrieved: a stationary span, for every stream length. ``epsilon`` =
  :math:`\varepsilon`, the forgetting rate (the span is largest near
  :math:`\varepsilon \approx 4` here, measured: ``experiments/memory.py``).
* ``bounded`` (learning within bounds, Parisi 1986): :math:`J' = \operatorname{clip}(J +
  \xi\xi^\top/\sqrt N,\, -A,\, A)`, ``bound`` = :math:`A`; the bounds erase old patterns.

The diagonal is zero. Recall is the reference Hopfield dynamics (asynchronous, T = 0,
``neurotwin.rate_models.hopfield.recall``) from the cue of every probed age.

Recall while learning (``mid_cue_at``): after the first ``mid_cue_at`` patterns of the
stream a cue of the pattern of age ``mid_cue_age`` (at that time), with ``mid_cue_noise`` of
its bits flipped, is completed by the same T = 0 dynamics on the couplings learned so far;
learning does not stop, so the completed state is written into the couplings by the rule
like one pattern of the stream, and the stream goes on. Observables then add
``mid_cue_overlap`` (the completed state's overlap with the cued pattern) and
``mid_cued_final_overlap`` (the final recall of the cued pattern, at its final age
``n_stream - mid_cue_at + mid_cue_age``; the same run with ``mid_cue_at=None`` is the
control: how much the cue itself was learned, and whether it helped). With a mid-stream cue
the couplings are learned from ``patterns`` by the reference itself; a given W is refused.

Observables: ``overlap_vs_age`` (final overlap with the target, per probed age),
``recalled`` (per age: final overlap >= 0.95), ``n_retrieved`` (how many of the probed
patterns are retrieved), ``span_fraction`` (``n_retrieved / N``, the key observable: the
papers' capacity per neuron) and ``span`` (the largest age :math:`k` such that at least 90%
of the ages :math:`0..k` are retrieved, +1; 0 if age 0 is not retrieved).

References
----------
Amit, D. J., Gutfreund, H. & Sompolinsky, H. (1985). Storing infinite numbers of patterns in
a spin-glass model of neural networks. PRL 55, 1530.
Parisi, G. (1986). A memory which forgets. J. Phys. A 19, L617.
Nadal, J.-P., Toulouse, G., Changeux, J.-P. & Dehaene, S. (1986). Networks of formal
neurons and memory palimpsests. Europhys. Lett. 1, 535.
Mezard, M., Nadal, J.-P. & Toulouse, G. (1986). Solvable models of working memories.
J. Physique 47, 1457.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pydantic
from pydantic import Field

from neurotwin.errors import InputError
from neurotwin.params import Params
from neurotwin.rate_models.hopfield import recall
from neurotwin.rate_models.hopfield.hopfield import make_cues, random_patterns
from neurotwin.rate_models.hopfield.recall import DenseFields
from neurotwin.registry import ModelSpec, realization, register_model
from neurotwin.results import Result

from .cue_recall import recall_result

#: a probe counts as recalled when its final overlap with the target reaches this
RECALL_THRESHOLD = 0.95
#: ``span``: the largest age up to which at least this fraction of the ages is recalled
SPAN_FRACTION_RECALLED = 0.9


class PalimpsestParams(Params):
    """A stream of patterns learned online, then recall of the most recent ones."""

    n_units: int = Field(200, ge=2, description="number of binary units N")
    n_stream: int = Field(200, ge=1, description="patterns presented, one after another (L)")
    n_probes: int | None = Field(
        None, ge=1, description="most recent patterns probed (ages 0..n_probes-1); None: all"
    )
    rule: Literal["hebbian", "marginalist", "bounded"] = Field(
        "marginalist", description="learning rule of the stream (see the module docstring)"
    )
    epsilon: float = Field(
        4.0, gt=0, description="marginalist forgetting rate epsilon (weight decay 1/sqrt(1+e^2/N))"
    )
    bound: float = Field(0.4, gt=0, description="bounded rule: |J_ij| <= bound (steps 1/sqrt(N))")
    cue_noise: float = Field(0.0, ge=0, le=1, description="fraction of flipped bits in each cue")
    max_sweeps: int = Field(50, ge=1, description="upper bound on sweeps per recall")
    mid_cue_at: int | None = Field(
        None,
        ge=1,
        description="a cue completed (learning on) after this many stream patterns; None: none",
    )
    mid_cue_age: int = Field(
        0, ge=0, description="age of the mid-stream cue's pattern at the cue (0: the last one)"
    )
    mid_cue_noise: float = Field(
        0.2, ge=0, le=1, description="fraction of flipped bits in the mid-stream cue"
    )

    @pydantic.model_validator(mode="after")
    def _probes_in_stream(self):
        if self.n_probes is not None and self.n_probes > self.n_stream:
            raise ValueError(
                f"n_probes: must be at most n_stream = {self.n_stream} (got {self.n_probes})"
            )
        if self.mid_cue_at is not None:
            if self.mid_cue_at > self.n_stream:
                raise ValueError(
                    f"mid_cue_at: must be at most n_stream = {self.n_stream} "
                    f"(got {self.mid_cue_at})"
                )
            if self.mid_cue_age >= self.mid_cue_at:
                raise ValueError(
                    f"mid_cue_age: must be below mid_cue_at = {self.mid_cue_at}, the patterns "
                    f"presented before the cue (got {self.mid_cue_age})"
                )
            if self.mid_cue_final_age >= self.probes:
                raise ValueError(
                    f"mid_cue_at: the cued pattern's final age n_stream - mid_cue_at + "
                    f"mid_cue_age = {self.mid_cue_final_age} must be probed, below "
                    f"n_probes = {self.probes} (got {self.mid_cue_at})"
                )
        return self

    @property
    def mid_cue_target(self) -> int:
        """Row of ``patterns`` cued in the middle of the stream."""
        return self.mid_cue_at - 1 - self.mid_cue_age

    @property
    def mid_cue_final_age(self) -> int:
        """Age of the mid-stream cue's pattern at the end of the stream."""
        return self.n_stream - self.mid_cue_at + self.mid_cue_age

    @property
    def probes(self) -> int:
        return self.n_stream if self.n_probes is None else self.n_probes


def learn_stream(
    params: PalimpsestParams, patterns: np.ndarray, w: np.ndarray | None = None
) -> np.ndarray:
    """The couplings after the whole stream (rows of ``patterns`` in presentation order),
    starting from ``w`` (default zero)."""
    n = patterns.shape[1]
    w = np.zeros((n, n)) if w is None else np.array(w, dtype=np.float64)
    decay = 1.0 / np.sqrt(1.0 + params.epsilon**2 / n)
    for x in patterns.astype(np.float64):
        outer = np.outer(x, x)
        if params.rule == "hebbian":
            w += outer / n
        elif params.rule == "marginalist":
            w *= decay
            w += params.epsilon * outer / n
        else:
            w += outer / np.sqrt(n)
            np.clip(w, -params.bound, params.bound, out=w)
    np.fill_diagonal(w, 0.0)
    return w


def weights(params: PalimpsestParams, rng: np.random.Generator) -> dict:
    """Draw the stream and learn it: ``{"W", "patterns", "U"}``."""
    patterns = random_patterns(params.n_stream, params.n_units, rng)
    return {
        "W": learn_stream(params, patterns),
        "patterns": patterns,
        "U": np.zeros(params.n_units),
    }


def ages_targets(params: PalimpsestParams) -> tuple[np.ndarray, np.ndarray]:
    """Probed ages 0..n_probes-1 and their rows in ``patterns`` (age 0 = the last row)."""
    ages = np.arange(params.probes)
    return ages, params.n_stream - 1 - ages


def make_inputs(params: PalimpsestParams, weights: dict, rng: np.random.Generator) -> dict:
    ages, targets = ages_targets(params)
    out = {
        "cues": make_cues(weights["patterns"], targets, params.cue_noise, rng),
        "targets": targets,
        "ages": ages,
    }
    if params.mid_cue_at is not None:  # drawn after the probes' cues, which it leaves alone
        target = np.array([params.mid_cue_target])
        out["mid_cue"] = make_cues(weights["patterns"], target, params.mid_cue_noise, rng)[0]
    return out


def adopt(weights: dict | None, inputs: dict | None) -> dict:
    """``patterns`` (L, N) imply ``n_units`` and ``n_stream``."""
    shape = np.shape((weights or {}).get("patterns", ()))
    return {"n_units": int(shape[1]), "n_stream": int(shape[0])} if len(shape) == 2 else {}


def complete_weights(params: PalimpsestParams, given: dict) -> dict:
    """``patterns`` alone: W learned by the rule; with ``W`` (e.g. damaged): taken as given."""
    given = dict(given)
    if "patterns" not in given:
        raise InputError(
            f"palimpsest-hopfield weights['patterns']: is missing, the observables need the "
            f"stream (got {sorted(given)})"
        )
    given.setdefault("U", np.zeros(params.n_units))
    if "W" not in given:
        given["W"] = learn_stream(params, np.asarray(given["patterns"]))
    return given


def _check(kind: str, mapping: dict, key: str, shape: tuple, name: str, pm1=False) -> None:
    where = f"palimpsest-hopfield {kind}[{key!r}]"
    if key not in mapping:
        raise InputError(f"{where}: is missing (got {sorted(mapping)})")
    arr = np.asarray(mapping[key])
    if arr.shape != shape:
        raise InputError(f"{where}: must have shape {name} = {shape} (got {arr.shape})")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{where}: must be finite (got a non-finite entry)")
    if pm1 and not np.all(np.abs(arr) == 1):
        raise InputError(f"{where}: must contain only -1 and +1 (got other values)")


def validate(params: PalimpsestParams, weights: dict, inputs: dict) -> None:
    n, ell, c = params.n_units, params.n_stream, params.probes
    _check("weights", weights, "W", (n, n), "(n_units, n_units)")
    _check("weights", weights, "patterns", (ell, n), "(n_stream, n_units)", pm1=True)
    _check("weights", weights, "U", (n,), "(n_units,)")
    _check("inputs", inputs, "cues", (c, n), "(n_probes, n_units)", pm1=True)
    _check("inputs", inputs, "targets", (c,), "(n_probes,)")
    if params.mid_cue_at is not None:
        _check("inputs", inputs, "mid_cue", (n,), "(n_units,)", pm1=True)
    t = np.asarray(inputs["targets"])
    if not np.issubdtype(t.dtype, np.integer) or t.min() < 0 or t.max() >= ell:
        raise InputError(
            f"palimpsest-hopfield inputs['targets']: must be integers in [0, n_stream) = "
            f"[0, {ell}) (got {t.tolist()[:10]})"
        )


def span_of(recalled: np.ndarray) -> int:
    """The largest k + 1 such that >= 90% of ages 0..k are recalled (0 if age 0 is not)."""
    r = np.asarray(recalled, dtype=float)
    if len(r) == 0 or r[0] == 0:
        return 0
    frac = np.cumsum(r) / np.arange(1, len(r) + 1)
    ok = np.flatnonzero(frac >= SPAN_FRACTION_RECALLED)
    return int(ok[-1] + 1)


def observe(result: Result, params: PalimpsestParams, weights: dict, inputs: dict) -> dict:
    """Observables from the ±1 ``state`` trace (the same for every realization)."""
    final = result.traces["state"][-1].astype(np.float64)
    targets = np.asarray(inputs["targets"])
    m = np.einsum("cn,cn->c", final, weights["patterns"][targets].astype(np.float64))
    m /= final.shape[-1]
    recalled = m >= RECALL_THRESHOLD
    n_ret = int(recalled.sum())
    out = {
        "overlap_vs_age": m,
        "recalled": recalled,
        "n_retrieved": n_ret,
        "span_fraction": n_ret / params.n_units,
        "span": span_of(recalled),
        "final_overlap": float(m.mean()),
    }
    if params.mid_cue_at is not None:
        mid = np.asarray(result.observables["mid_cue_state"], dtype=np.float64)
        xi = weights["patterns"][params.mid_cue_target].astype(np.float64)
        out["mid_cue_overlap"] = float(mid @ xi / len(xi))
        out["mid_cued_final_overlap"] = float(m[params.mid_cue_final_age])
    return out


def learn_with_mid_cue(params: PalimpsestParams, weights: dict, inputs: dict, seed: int):
    """The couplings of a stream with a mid-stream cue, and the cue's completed state: the
    stream up to ``mid_cue_at``, the T = 0 recall of the cue, that state learned as one
    pattern, then the rest of the stream."""
    patterns = np.asarray(weights["patterns"])
    if not np.array_equal(np.asarray(weights["W"]), learn_stream(params, patterns)):
        raise InputError(
            "palimpsest-hopfield weights['W']: a mid-stream cue changes the couplings, so "
            "they are learned from weights['patterns']; a given W cannot be used with "
            f"mid_cue_at (got mid_cue_at = {params.mid_cue_at} and a W not learned from them)"
        )
    at = params.mid_cue_at
    w = learn_stream(params, patterns[:at])
    out = recall.asynchronous(
        DenseFields(w), np.asarray(weights["U"], dtype=np.float64),
        np.asarray(inputs["mid_cue"])[None], np.random.default_rng([seed, 1]), 0.0,
        params.max_sweeps,
    )  # fmt: skip
    mid = out.states[-1][0]
    return learn_stream(params, np.vstack([mid[None], patterns[at:]]), w), mid


@realization("palimpsest-hopfield", "reference")
def run_reference(params: PalimpsestParams, weights: dict, inputs: dict, seed: int, options=None):
    """Asynchronous T = 0 recall of every probe from the learned couplings (numba kernel);
    with ``mid_cue_at``, the stream is learned again with the mid-stream cue's recall."""
    if params.mid_cue_at is None:
        return recall_result(
            "palimpsest-hopfield", params, weights, inputs, seed, "async",
            {"rule": params.rule, "kernel": "numba"},
        )  # fmt: skip
    w, mid = learn_with_mid_cue(params, weights, inputs, seed)
    res = recall_result(
        "palimpsest-hopfield", params, {**weights, "W": w}, inputs, seed, "async",
        {"rule": params.rule, "kernel": "numba"},
    )  # fmt: skip
    res.observables["mid_cue_state"] = mid
    return res


SPEC = register_model(
    ModelSpec(
        name="palimpsest-hopfield",
        observable_units={
            "overlap_vs_age": "1",
            "recalled": "1",
            "n_retrieved": "1",
            "span_fraction": "1",
            "span": "1",
            "converged": "1",
            "stream_fidelity": "1",
            "learned_overlap": "1",
            "mid_cue_state": "1",
            "mid_cue_overlap": "1",
            "mid_cued_final_overlap": "1",
        },
        params=PalimpsestParams,
        weights=weights,
        make_inputs=make_inputs,
        validate=validate,
        observe=observe,
        key_observable="span_fraction",
        compare_runs=[("reference", "reference", {})],
        adopt=adopt,
        complete_weights=complete_weights,
        input_params=("cue_noise",),
        quick_params={"n_units": 40, "n_stream": 20, "max_sweeps": 20},
        doc="Hopfield network learning a stream of patterns online with palimpsest synapses "
        "(marginalist forgetting, learning within bounds) or classical Hebbian sums.",
    )
)
