"""Memories that learn while they work, and what recurrent feedback buys.

* ``pattern-completion``: completion of a stored pattern from a cue giving a fraction f of
  its units (the rest unknown, 0), by the recurrent attractor, by one feed-forward pass
  through the same Hebbian W, and by one pass through the pseudo-inverse associator;
  final overlap against f. The summary gives, per mode, the cue fraction at which the
  mean final overlap reaches 0.95, beside the feed-forward theory f = 1.96^2 (P-1)/N
  (Gaussian cross-talk; no published basin size for this protocol was found).
* ``pattern-completion-spiking``: the same on the reference and Brian2 at N = 64, P = 3.
* ``recall-while-learning``: a cue presented in the middle of the palimpsest's stream is
  completed while the couplings keep learning; overlap of the completed state, and the
  final recall of the cued pattern with against without the mid-stream cue.

Each experiment has a ``-quick`` variant.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import xarray as xr

from neurotwin.sweep import Experiment, register_experiment, summary_value, sweep_param

#: the level of the mean final overlap whose cue fraction the summaries report
COMPLETION_LEVEL = 0.95
Z_975 = 1.959964  # the two-sided 95% point of the standard normal


def _r(v) -> float | None:
    return None if v is None else summary_value(v, 4)


def cue_fraction_at(x: np.ndarray, y: np.ndarray, level: float = COMPLETION_LEVEL) -> float:
    """First ``x`` at which ``y`` reaches ``level`` (linear interpolation; ``x[0]`` if it
    starts there, NaN if never)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    above = np.flatnonzero(y >= level)
    if len(above) == 0:
        return float("nan")
    i = above[0]
    if i == 0:
        return float(x[0])
    return float(x[i - 1] + (level - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1]))


def feedforward_theory(n_units: int, n_patterns: int) -> float:
    """Cue fraction at which one Hebbian pass reaches mean overlap 0.95 (zero fill):
    2 Phi(sqrt(f N / (P-1))) - 1 = 0.95."""
    return Z_975**2 * max(n_patterns - 1, 1) / n_units


# -- pattern completion: recurrent vs feed-forward -------------------------------------


def completion_summary(ds: xr.Dataset) -> dict:
    x = np.asarray(ds["cue_fraction"].values, dtype=float)
    n, p = int(sweep_param(ds, "n_units")), int(sweep_param(ds, "n_patterns"))
    reals = [str(r) for r in ds["realization"].values] if "realization" in ds.dims else [None]
    out: dict = {
        "source": "Hopfield 1982 (the network); feed-forward theory: one pass reaches 0.95 "
        "at f = 1.96^2 (P-1)/N (Gaussian cross-talk); no published basin size found",
        "n_units": n,
        "n_patterns": p,
        "n_seeds": int(ds.sizes["seed"]),
        "feedforward_theory_f95": _r(feedforward_theory(n, p)),
        "cue_fraction_at_0.95 [mean, min, max over seeds]": {},
        "final_overlap [mean over seeds]": {},
    }
    for real in reals:
        for mode in ds["mode"].values:
            da = ds["final_overlap"].sel(mode=mode)
            if real is not None:
                da = da.sel(realization=real)
            label = str(mode) if real is None else f"{real}/{mode}"
            per_seed = [cue_fraction_at(x, da.sel(seed=s).values) for s in ds["seed"].values]
            out["cue_fraction_at_0.95 [mean, min, max over seeds]"][label] = [
                _r(np.nanmean(per_seed)), _r(np.nanmin(per_seed)), _r(np.nanmax(per_seed))
            ]  # fmt: skip
            out["final_overlap [mean over seeds]"][label] = {
                f"f={f:g}": _r(da.sel(cue_fraction=f).mean("seed")) for f in x
            }
    return out


def completion_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import memory_learning as plot
    from neurotwin.plotting import save

    n, p = int(sweep_param(ds, "n_units")), int(sweep_param(ds, "n_patterns"))
    fig = plot.completion_curves(ds, theory_f95=feedforward_theory(n, p))
    fig.axes[0].set_title(
        f"Pattern completion from a partial cue, N = {n}, P = {p}, {ds.sizes['seed']} seeds"
    )
    return save(fig, path)


def _completion(quick: bool = False) -> Experiment:
    fractions = [0.05, 0.1, 0.2, 0.3] if quick else [round(0.02 * k, 2) for k in range(1, 21)]
    return Experiment(
        name="pattern-completion" + ("-quick" if quick else ""),
        model="pattern-completion",
        grid={"mode": ["recurrent", "feedforward", "associator"], "cue_fraction": fractions},
        seeds=(0, 1) if quick else tuple(range(10)),
        fixed={
            "n_units": 100 if quick else 200,
            "n_patterns": 5 if quick else 10,
            "n_cues": 20,
            "fill": "zero",
        },  # fmt: skip
        observables=("final_overlap", "missing_overlap", "recall_fraction"),
        figure=completion_figure,
        summary=completion_summary,
        description="Final overlap against the fraction of the pattern given in the cue: "
        "the recurrent attractor, one feed-forward pass through the same Hebbian W, and one "
        "pass through the pseudo-inverse associator.",
        quick=None if quick else partial(_completion, quick=True),
    )


def _completion_spiking(quick: bool = False) -> Experiment:
    fractions = [0.05, 0.2] if quick else [0.05, 0.1, 0.15, 0.2, 0.3, 0.5]
    return Experiment(
        name="pattern-completion-spiking" + ("-quick" if quick else ""),
        model="pattern-completion",
        realizations=("reference", "brian2"),
        grid={"mode": ["recurrent", "feedforward"], "cue_fraction": fractions},
        seeds=(0,) if quick else tuple(range(5)),
        fixed={"n_units": 64, "n_patterns": 3, "n_cues": 6, "fill": "zero"},
        observables=("final_overlap", "missing_overlap", "recall_fraction"),
        figure=completion_figure,
        summary=completion_summary,
        description="Pattern completion, recurrent vs feed-forward, on the reference and "
        "Brian2 (input layer -> LIF layer, with or without recurrent synapses).",
        quick=None if quick else partial(_completion_spiking, quick=True),
    )


# -- recall while learning: a cue in the middle of the stream ----------------------------


def _mid_cue(point: dict, at: int) -> dict:
    out = dict(point)
    out["mid_cue_at"] = at if out.pop("mid_cue") == "on" else None
    return out


def cued_final_overlap(result, after: int) -> float:
    """Final recall of the pattern cued (or, without the cue, that would have been cued):
    ``overlap_vs_age`` at age ``after + mid_cue_age``."""
    return float(result.observables["overlap_vs_age"][after + result.params["mid_cue_age"]])


def mid_overlap(result) -> float:
    """Overlap of the mid-stream cue's completed state (NaN without the cue)."""
    return float(result.observables.get("mid_cue_overlap", np.nan))


def rwl_summary(ds: xr.Dataset) -> dict:
    ages = [int(a) for a in ds["mid_cue_age"].values]
    real = [str(r) for r in ds["realization"].values] if "realization" in ds.dims else [None]
    out: dict = {
        "source": "no published value for recall during a palimpsest's stream was found; "
        "the stream is the marginalist palimpsest (Nadal et al. 1986, Mezard et al. 1986)",
        "n_units": int(sweep_param(ds, "n_units")),
        "n_seeds": int(ds.sizes["seed"]),
        "recalled (>= 0.95) fraction of seeds": {},
        "mean overlap": {},
    }
    for r in real:
        sel = {} if r is None else {"realization": r}
        tag = "" if r is None else f"{r}/"
        on, off = ds.sel(mid_cue="on", **sel), ds.sel(mid_cue="off", **sel)
        out["recalled (>= 0.95) fraction of seeds"][f"{tag}by age at the cue"] = {
            f"age={a}": {
                "completed_mid_stream": _r((on["mid_overlap"].sel(mid_cue_age=a) >= 0.95).mean()),
                "final_with_cue": _r((on["cued_final"].sel(mid_cue_age=a) >= 0.95).mean()),
                "final_without_cue": _r((off["cued_final"].sel(mid_cue_age=a) >= 0.95).mean()),
            }
            for a in ages
        }
        out["mean overlap"][f"{tag}by age at the cue"] = {
            f"age={a}": {
                "completed_mid_stream": _r(on["mid_overlap"].sel(mid_cue_age=a).mean()),
                "final_with_cue": _r(on["cued_final"].sel(mid_cue_age=a).mean()),
                "final_without_cue": _r(off["cued_final"].sel(mid_cue_age=a).mean()),
                "n_retrieved_with_minus_without": _r(
                    (on["n_retrieved"] - off["n_retrieved"]).sel(mid_cue_age=a).mean()
                ),
            }
            for a in ages
        }
    return out


def rwl_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import memory_learning as plot
    from neurotwin.plotting import save

    fig = plot.recall_while_learning(ds)
    fig.suptitle(
        f"Recall while learning: a cue completed mid-stream (marginalist, "
        f"N = {int(sweep_param(ds, 'n_units'))}, {ds.sizes['seed']} seeds)"
    )
    return save(fig, path)


def _rwl(quick: bool = False) -> Experiment:
    n, at, after = (100, 60, 3) if quick else (200, 150, 5)
    return Experiment(
        name="recall-while-learning" + ("-quick" if quick else ""),
        model="palimpsest-hopfield",
        grid={
            "mid_cue": ["on", "off"],
            "mid_cue_age": [0, 4, 8] if quick else [0, 3, 6, 8, 10, 12, 15],
        },  # fmt: skip
        seeds=(0, 1) if quick else tuple(range(20)),
        fixed={
            "n_units": n,
            "n_stream": at + after,
            "n_probes": 40,
            "mid_cue_noise": 0.2,
            "rule": "marginalist",
        },  # fmt: skip
        observables=("n_retrieved", "span_fraction"),
        derived={
            "cued_final": partial(cued_final_overlap, after=after),
            "mid_overlap": mid_overlap,
        },
        point_params=partial(_mid_cue, at=at),
        figure=rwl_figure,
        summary=rwl_summary,
        description="A cue (20% of its bits flipped) of the pattern of a given age is "
        "completed in the middle of the palimpsest's stream while the couplings keep "
        "learning; the completed state's overlap, and the cued pattern's final recall with "
        "against without the mid-stream cue.",
        quick=None if quick else partial(_rwl, quick=True),
    )


def _rwl_spiking(quick: bool = False) -> Experiment:
    return Experiment(
        name="recall-while-learning-spiking" + ("-quick" if quick else ""),
        model="palimpsest-hopfield",
        realizations=("reference", "brian2"),
        grid={"mid_cue": ["on", "off"], "mid_cue_age": [0, 2] if quick else [0, 2, 4]},
        seeds=(0,) if quick else (0, 1, 2),
        fixed={
            "n_units": 64,
            "n_stream": 40,
            "n_probes": 12,
            "cue_noise": 0.1,
            "mid_cue_noise": 0.2,
            "rule": "marginalist",
        },  # fmt: skip
        observables=("n_retrieved", "span_fraction"),
        derived={"cued_final": partial(cued_final_overlap, after=4), "mid_overlap": mid_overlap},
        point_params=partial(_mid_cue, at=36),
        figure=rwl_figure,
        summary=rwl_summary,
        description="Recall while learning on the reference and the online-learning Brian2 "
        "palimpsest (N = 64): a cue completed after 36 of 40 stream patterns.",
        quick=None if quick else partial(_rwl_spiking, quick=True),
    )


for _factory in (_completion, _completion_spiking, _rwl, _rwl_spiking):
    register_experiment(_factory())
