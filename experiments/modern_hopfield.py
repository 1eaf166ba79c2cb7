"""Dense associative memory and modern Hopfield experiments: capacity, softmax vs WTA,
metastable states.

* ``dense-capacity``: final overlap and recall vs the number of stored patterns P at
  N = 64 (10% cue noise) for the classical network (the polynomial DAM with n = 2,
  identical to it), n = 3 and 4 (Krotov & Hopfield 2016), the exponential DAM
  (Demircigil et al. 2017, beta = 1), the softmax network at beta = 1/sqrt(N) (the
  attention scaling; Ramsauer et al. 2020) and at beta = 1, and the Brian2 circuit, on
  the same patterns and cues per seed.
* ``softmax-vs-wta``: the Brian2 circuit's effective beta (fitted to its memory
  layer's firing, see ``spiking/modern_hopfield/wta.py``) vs its lateral inhibition J,
  and retrieval vs beta for the circuit and for the reference run at the circuit's
  measured beta on the same patterns and cues (``reference_*`` columns).
* ``metastable-states``: correlated patterns (c = 0.6); weak inhibition / low beta
  ends in averages of patterns (mixture sizes > 1), strong inhibition / high beta in
  one pattern; circuit vs reference at the same (measured) beta.

Each has a ``-quick`` variant.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np
import xarray as xr

from neurotwin.results import Result
from neurotwin.sweep import Experiment, register_experiment, summary_value, sweep_param

MODEL = "modern-hopfield"

#: realization-axis labels of dense-capacity -> (realization, settings)
CAPACITY_VARIANTS = {
    "classical (n=2)": ("reference", {"interaction": "polynomial", "degree": 2}),
    "polynomial n=3": ("reference", {"interaction": "polynomial", "degree": 3}),
    "polynomial n=4": ("reference", {"interaction": "polynomial", "degree": 4}),
    "exponential (beta=1)": ("reference", {"interaction": "exponential", "beta": 1.0}),
    "softmax (beta=1/sqrt N)": ("reference", {"interaction": "softmax"}),
    "softmax (beta=1)": ("reference", {"interaction": "softmax", "beta": 1.0}),
    "spiking (Brian2)": ("brian2", {"interaction": "softmax"}),
}


def _stats(da: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    n = da.count("seed")
    mean = da.mean("seed", skipna=True)
    sem = da.std("seed", skipna=True, ddof=1) / np.sqrt(n.where(n > 1))
    return mean, sem.fillna(0.0)


def _r(v) -> float | None:
    return summary_value(v, 4)


def _table(da: xr.DataArray, dim: str) -> dict:
    return {f"{dim}={_fmt(v)}": _r(da.sel({dim: v})) for v in da[dim].values}


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v)


# -- dense-capacity ----------------------------------------------------------------------


def capacity_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import modern_hopfield as plot

    return plot.dense_capacity(ds, path)


def capacity_summary(ds: xr.Dataset) -> dict:
    """Mean final overlap / recall fraction per variant and P; the largest P recalled."""
    overlap, _ = _stats(ds["final_overlap"])
    recall, _ = _stats(ds["recall_fraction"])
    out: dict = {
        "source": "Krotov & Hopfield (2016) NeurIPS: capacity ~ N^(n-1) for F = x^n; "
        "Demircigil et al. (2017) J. Stat. Phys. 168, 288: exponential in N for F = exp; "
        "Ramsauer et al. (2020) arXiv:2008.02217: the softmax update",
        "n_units": int(np.asarray(sweep_param(ds, "n_units"))),
        "n_seeds": int(ds.sizes["seed"]),
        "cues_per_seed": int(np.asarray(sweep_param(ds, "n_cues"))),
        "mean_final_overlap": {},
        "mean_recall_fraction": {},
        "largest_P_with_recall_ge_0.9": {},
    }
    ps = [int(p) for p in ds["n_patterns"].values]
    for real in ds["realization"].values:
        r = str(real)
        out["mean_final_overlap"][r] = _table(overlap.sel(realization=real), "n_patterns")
        out["mean_recall_fraction"][r] = _table(recall.sel(realization=real), "n_patterns")
        ok = [p for p in ps if float(recall.sel(realization=real, n_patterns=p)) >= 0.9]
        out["largest_P_with_recall_ge_0.9"][r] = max(ok) if ok else None
    return out


def _dense_capacity(quick: bool = False) -> Experiment:
    if quick:
        n, ps, seeds, n_cues = 32, [4, 32], (0,), 4
        spiking = {"recall_duration_s": 0.06, "cue_duration_s": 0.04}
    else:
        n, ps, seeds, n_cues = 64, [8, 16, 32, 64, 128, 256], (0, 1, 2), 10
        spiking = {}
    settings = {label: dict(kw) for label, (_, kw) in CAPACITY_VARIANTS.items()}
    settings["softmax (beta=1/sqrt N)"]["beta"] = 1 / math.sqrt(n)
    settings["spiking (Brian2)"].update(spiking)
    return Experiment(
        name="dense-capacity" + ("-quick" if quick else ""),
        model=MODEL,
        realizations=tuple(CAPACITY_VARIANTS),
        variants={label: real for label, (real, _) in CAPACITY_VARIANTS.items()},
        per_realization=settings,
        grid={"n_patterns": ps},
        seeds=seeds,
        fixed={"n_units": n, "n_cues": n_cues, "cue_noise": 0.1, "max_steps": 50},
        observables=("final_overlap", "recall_fraction", "retrieval_error"),
        figure=capacity_figure,
        summary=capacity_summary,
        description=f"Retrieval vs number of stored patterns P at N = {n} from cues with 10% "
        "of the bits flipped: the classical Hopfield network (the n = 2 DAM), the polynomial "
        "DAM with n = 3, 4 (Krotov & Hopfield 2016), the exponential DAM (Demircigil et al. "
        "2017), the softmax network at beta = 1/sqrt(N) and 1 (Ramsauer et al. 2020) and "
        "the spiking circuit in Brian2, on the same patterns and cues.",
        quick=None if quick else partial(_dense_capacity, quick=True),
    )


# -- softmax-vs-wta and metastable-states ------------------------------------------------


def _reference_at_beta(result: Result) -> Result:
    """The reference softmax network at the circuit's measured beta, same params and seed
    (so the same patterns and cues)."""
    import neurotwin

    beta = float(result.observables["effective_beta"])
    params = dict(result.params, beta=beta if math.isfinite(beta) else 1.0)
    return neurotwin.run(MODEL, "reference", params=params, seed=result.seed)


def reference_final_overlap(result: Result) -> float:
    """Final overlap of the reference softmax network at the circuit's effective beta."""
    return float(_reference_at_beta(result).observables["final_overlap"])


def reference_recall_fraction(result: Result) -> float:
    return float(_reference_at_beta(result).observables["recall_fraction"])


def reference_mixture_size(result: Result) -> float:
    """Participation ratio of the reference's final softmax weights at the circuit's beta."""
    return float(_reference_at_beta(result).observables["mixture_size"])


def lower_bound(result: Result) -> float:
    """1.0 when the circuit's effective beta is only a lower bound (no runner-up spike)."""
    return float(result.observables["effective_beta_is_lower_bound"])


WTA_DERIVED = {
    "reference_final_overlap": reference_final_overlap,
    "reference_recall_fraction": reference_recall_fraction,
    "reference_mixture_size": reference_mixture_size,
    "beta_is_lower_bound": lower_bound,
}
WTA_OBSERVABLES = (
    "effective_beta",
    "final_overlap",
    "recall_fraction",
    "memory_participation",
    "mixture_size",
)


def wta_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import modern_hopfield as plot

    return plot.softmax_vs_wta(ds, path)


def metastable_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import modern_hopfield as plot

    return plot.metastable_states(ds, path)


def wta_summary(ds: xr.Dataset) -> dict:
    """Per inhibition J: the circuit's effective beta and retrieval, the reference's at it."""
    out: dict = {
        "source": "Ramsauer et al. (2020): xi <- X softmax(beta X^T xi); effective beta "
        "fitted by maximum likelihood to the memory layer's spike counts during the cue",
        "n_seeds": int(ds.sizes["seed"]),
        "pattern_correlation": _r(np.asarray(sweep_param(ds, "pattern_correlation"))),
    }
    for var in (*WTA_OBSERVABLES, *WTA_DERIVED):
        out[f"mean_{var}"] = _table(_stats(ds[var])[0], "inhibition")
    gap = ds["final_overlap"] - ds["reference_final_overlap"]
    out["max_abs_mean_overlap_gap_spiking_minus_reference"] = _r(
        np.abs(_stats(gap)[0]).max(skipna=True)
    )
    return out


def _wta_experiment(name: str, quick: bool, correlation: float, cue_noise: float) -> Experiment:
    if quick:
        js, seeds, n, p, n_cues = [0.5, 4.0], (0,), 32, 8, 4
        timing = {"cue_duration_s": 0.06, "recall_duration_s": 0.06}
    else:
        js, seeds, n, p, n_cues = [0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0], (0, 1, 2), 64, 16, 16
        timing = {"cue_duration_s": 0.1, "recall_duration_s": 0.1}
    builder = _softmax_vs_wta if correlation == 0 else _metastable_states
    what = (
        "the Brian2 circuit's effective beta (maximum-likelihood softmax fit to its memory "
        "layer's spikes during the cue) vs its lateral inhibition J, and retrieval vs beta "
        "for the circuit and for the reference at the same beta, patterns and cues"
        if correlation == 0
        else "correlated patterns (each bit equals a prototype's with probability "
        f"(1 + {correlation})/2): weak inhibition (low beta) ends in averages of patterns, "
        "strong inhibition in one; the circuit's memory-layer participation ratio and the "
        "reference's softmax participation ratio at the circuit's measured beta"
    )
    return Experiment(
        name=name + ("-quick" if quick else ""),
        model=MODEL,
        realizations=("brian2",),
        grid={"inhibition": js},
        seeds=seeds,
        fixed={
            "n_units": n,
            "n_patterns": p,
            "n_cues": n_cues,
            "cue_noise": cue_noise,
            "interaction": "softmax",
            "pattern_correlation": correlation,
            **timing,
        },
        observables=WTA_OBSERVABLES,
        derived=WTA_DERIVED,
        figure=wta_figure if correlation == 0 else metastable_figure,
        summary=wta_summary,
        description=f"N = {n}, P = {p}, {cue_noise:.0%} cue noise: {what}.",
        quick=None if quick else partial(builder, quick=True),
    )


def _softmax_vs_wta(quick: bool = False) -> Experiment:
    return _wta_experiment("softmax-vs-wta", quick, correlation=0.0, cue_noise=0.2)


def _metastable_states(quick: bool = False) -> Experiment:
    return _wta_experiment("metastable-states", quick, correlation=0.6, cue_noise=0.1)


for _factory in (_dense_capacity, _softmax_vs_wta, _metastable_states):
    register_experiment(_factory())
