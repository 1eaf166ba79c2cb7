"""Learning experiments: Hebbian PCA and ICA against scikit-learn, backprop against local
credit assignment on digits, and STDP competition between correlated and uncorrelated
inputs (Brian2 against its rate reduction).

Learning curves are kept as one scalar per checkpoint (``Experiment.derived``), so a
sweep point is one training run. Each experiment has a ``-quick`` variant.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import xarray as xr

from neurotwin.results import Result
from neurotwin.sweep import Experiment, register_experiment, summary_value, sweep_param


def curve_point(result: Result, name: str, k: int) -> float:
    """Entry ``k`` of the array observable ``name`` (a learning-curve checkpoint)."""
    return float(np.asarray(result.observables[name])[k])


def trace_point(result: Result, name: str, k: int) -> float:
    """Entry ``k`` of the trace ``name``; NaN past its end (a run with fewer checkpoints
    than the experiment's axis, e.g. the PES rows of ``backprop-vs-local``)."""
    trace = np.asarray(result.traces[name])
    return float(trace[k]) if k < len(trace) else float("nan")


def curve_derived(prefix: str, name: str, n: int, source=curve_point) -> dict:
    return {f"{prefix}{k}": partial(source, name=name, k=k) for k in range(n)}


def _r(v) -> float | None:
    return summary_value(v, 4)


def _checkpoint_x(ds: xr.Dataset, n_points: int) -> np.ndarray:
    total = int(sweep_param(ds, "n_samples")) * int(sweep_param(ds, "n_epochs"))
    return np.unique(np.linspace(0, total, n_points).round())


def _by_seed_mean(ds: xr.Dataset, name: str, **sel) -> float:
    return float(ds[name].sel(sel).mean("seed"))


# -- hebbian-pca ------------------------------------------------------------------------

PCA_POINTS = 21  # n_checkpoints + 1


def pca_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import learning

    return learning.curves_by(
        ds,
        path,
        "angle_",
        _checkpoint_x(ds, PCA_POINTS),
        "n_components",
        xlabel="samples presented",
        ylabel="largest angle to sklearn PCA subspace (deg)",
        title="Sanger's GHA (k = 1: Oja's rule) vs scikit-learn PCA",
        logy=True,
    )


def pca_summary(ds: xr.Dataset) -> dict:
    return {
        "source": "Oja (1982) J. Math. Biol. 15, 267; Sanger (1989) Neural Networks 2, 459; "
        "reference components from sklearn.decomposition.PCA on the same samples",
        "n_seeds": int(ds.sizes["seed"]),
        "final_subspace_angle_deg": {
            f"k={k}": _r(_by_seed_mean(ds, "subspace_angle_deg", n_components=k))
            for k in ds["n_components"].values
        },
        "final_subspace_angle_deg_max_over_seeds": {
            f"k={k}": _r(ds["subspace_angle_deg"].sel(n_components=k).max())
            for k in ds["n_components"].values
        },
        "pc1_cosine_min_over_seeds": _r(ds["pc_cosine"].min()),
    }


def _hebbian_pca(quick: bool = False) -> Experiment:
    fixed = {"n_checkpoints": PCA_POINTS - 1}
    if quick:
        fixed.update(n_samples=400, n_epochs=2, learning_rate=0.01)
    return Experiment(
        name="hebbian-pca" + ("-quick" if quick else ""),
        model="sanger",
        grid={"n_components": [1, 3]},
        seeds=(0,) if quick else (0, 1, 2, 3, 4),
        fixed=fixed,
        observables=("subspace_angle_deg", "pc_cosine"),
        derived=curve_derived("angle_", "subspace_angle_curve", PCA_POINTS),
        figure=pca_figure,
        summary=pca_summary,
        description="Largest principal angle between the rows learned online by Sanger's "
        "rule (k = 1 is Oja's rule) and scikit-learn's top-k PCA components, vs samples "
        "presented; 2000 samples of a 10-d Gaussian with eigenvalues 0.6^k, 10 epochs, "
        "eta = 0.005, 5 seeds.",
        quick=None if quick else partial(_hebbian_pca, quick=True),
    )


# -- hebbian-ica ------------------------------------------------------------------------

ICA_POINTS = 21


def ica_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import learning

    return learning.curves_by(
        ds,
        path,
        "amari_",
        _checkpoint_x(ds, ICA_POINTS),
        "n_sources",
        xlabel="samples presented",
        ylabel="Amari index (0 = separated)",
        title="Natural-gradient Hebbian ICA vs scikit-learn FastICA (dashed)",
        hlines={"FastICA": ds["fastica_amari_index"]},
        logy=True,
    )


def ica_summary(ds: xr.Dataset) -> dict:
    return {
        "source": "Amari, Cichocki & Yang (1996) NIPS 8; Bell & Sejnowski (1995) Neural "
        "Comput. 7, 1129; FastICA: sklearn.decomposition.FastICA (logcosh) on the same data",
        "n_seeds": int(ds.sizes["seed"]),
        "amari_index": {
            f"n={n}": _r(_by_seed_mean(ds, "amari_index", n_sources=n))
            for n in ds["n_sources"].values
        },
        "fastica_amari_index": {
            f"n={n}": _r(_by_seed_mean(ds, "fastica_amari_index", n_sources=n))
            for n in ds["n_sources"].values
        },
    }


def _hebbian_ica(quick: bool = False) -> Experiment:
    fixed = {"n_checkpoints": ICA_POINTS - 1}
    if quick:
        fixed.update(n_samples=1000, n_epochs=2, learning_rate=0.005)
    return Experiment(
        name="hebbian-ica" + ("-quick" if quick else ""),
        model="hebbian-ica",
        grid={"n_sources": [2, 3] if quick else [2, 3, 4]},
        seeds=(0,) if quick else (0, 1, 2, 3, 4),
        fixed=fixed,
        observables=("amari_index", "fastica_amari_index"),
        derived=curve_derived("amari_", "amari_curve", ICA_POINTS),
        figure=ica_figure,
        summary=ica_summary,
        description="Amari index of the online natural-gradient (infomax, tanh) rule vs "
        "samples presented, on n unit-variance Laplacian sources mixed by a Gaussian "
        "matrix (5000 samples, 3 epochs, eta = 0.002), against scikit-learn's FastICA on "
        "the same samples; 5 seeds.",
        quick=None if quick else partial(_hebbian_ica, quick=True),
    )


# -- backprop-vs-local ----------------------------------------------------------------------

RULES = ["backprop", "feedback-alignment", "direct-feedback-alignment", "delta-readout"]
#: PES readout rows: label -> realization of ``pes-readout`` (same split of load_digits as
#: the credit-assignment rows: both models draw it first from the seed's inputs stream)
PES_LABELS = {"pes-rate": "reference", "pes-nengo": "nengo", "pes-loihi": "loihi-emulator"}


def _epochs(ds: xr.Dataset) -> np.ndarray:
    return np.arange(1, int(np.max(sweep_param(ds, "n_epochs"))) + 1)


def accuracy_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import learning

    return learning.curves_by(
        ds,
        path,
        "acc_",
        _epochs(ds),
        "realization",
        xlabel="epoch",
        ylabel="test accuracy (load_digits)",
        title="Credit assignment: backprop vs local rules and online PES",
        markers=True,
    )


def accuracy_summary(ds: xr.Dataset) -> dict:
    labels = [str(r) for r in ds["realization"].values]
    return {
        "source": "Lillicrap et al. (2016) Nat. Commun. 7, 13276 (feedback alignment); "
        "Nøkland (2016) NIPS 29 (direct feedback alignment); MacNeil & Eliasmith (2011) "
        "PLoS ONE 6, e22885 (PES); sklearn load_digits",
        "n_seeds": int(ds.sizes["seed"]),
        "n_epochs": {r: int(v) for r, v in zip(labels, _per_label(ds, "n_epochs"), strict=True)},
        "final_test_accuracy_mean": {
            r: _r(_by_seed_mean(ds, "test_accuracy", realization=r)) for r in labels
        },
        "final_test_accuracy_min": {
            r: _r(ds["test_accuracy"].sel(realization=r).min()) for r in labels
        },
        "first_epoch_test_accuracy_mean": {
            r: _r(_by_seed_mean(ds, "acc_0", realization=r)) for r in labels
        },
    }


def _per_label(ds: xr.Dataset, name: str) -> np.ndarray:
    """A parameter per realization label (a coordinate if it differs between labels)."""
    value = np.asarray(sweep_param(ds, name))
    return np.broadcast_to(value, (ds.sizes["realization"],))


def _backprop_vs_local(quick: bool = False) -> Experiment:
    mlp = {"n_epochs": 3, "n_hidden": 32} if quick else {"n_epochs": 20}
    # PES on the emulator costs ~10 ms per step at 500 neurons (350 s per epoch of the
    # full data set, measured): 2 epochs in the full experiment, a reduced set in quick
    pes = {"n_epochs": 2, "n_neurons": 100, "subsample": 0.1} if quick else {"n_epochs": 2}
    labels = tuple(RULES) + tuple(PES_LABELS)
    return Experiment(
        name="backprop-vs-local" + ("-quick" if quick else ""),
        model="credit-assignment",
        realizations=labels,
        variants={**{r: "reference" for r in RULES}, **PES_LABELS},
        models={label: "pes-readout" for label in PES_LABELS},
        per_realization={
            **{r: {"rule": r, **mlp} for r in RULES},
            **{label: dict(pes) for label in PES_LABELS},
        },
        grid={},
        seeds=(0,) if quick else (0, 1, 2),
        observables=("test_accuracy",),
        derived=curve_derived("acc_", "test_accuracy_curve", mlp["n_epochs"], trace_point),
        figure=accuracy_figure,
        summary=accuracy_summary,
        description="Test accuracy vs epoch on scikit-learn's load_digits (75/25 split, the "
        "same split for every row at a seed) of a 64-100-100-10 tanh network trained by "
        "SGD with backprop, feedback alignment, direct feedback alignment, or only a "
        "delta-rule readout of the random hidden layers (20 epochs), against an online "
        "PES readout of a fixed population of 500 LIF neurons (2 epochs, 20 ms per "
        "image): its rate counterpart, float Nengo and the Loihi emulator; 3 seeds.",
        quick=None if quick else partial(_backprop_vs_local, quick=True),
    )


# -- stdp-competition -------------------------------------------------------------------


def group_mean(result: Result, group: str, k: int) -> float:
    """Mean weight of the correlated (``"corr"``) or uncorrelated group at record ``k``."""
    w = np.asarray(result.traces["weights"])[k]
    half = len(w) // 2
    return float((w[:half] if group == "corr" else w[half:]).mean())


def final_percentile(result: Result, group: str, q: float) -> float:
    w = np.asarray(result.traces["weights"])[-1]
    half = len(w) // 2
    return float(np.percentile(w[:half] if group == "corr" else w[half:], q))


def _stdp_derived(n_records: int) -> dict:
    out = {}
    for group in ("corr", "unc"):
        for k in range(n_records):
            out[f"w_{group}_{k}"] = partial(group_mean, group=group, k=k)
        for q in (10, 50, 90):
            out[f"{group}_q{q}"] = partial(final_percentile, group=group, q=q)
    return out


def _stdp_times(ds: xr.Dataset) -> np.ndarray:
    n = int(round(float(sweep_param(ds, "duration_s")) / float(sweep_param(ds, "record_dt_s"))))
    return np.arange(n + 1) * float(sweep_param(ds, "record_dt_s"))


def stdp_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import learning

    return learning.stdp_groups(ds, path, _stdp_times(ds), "correlation")


def stdp_summary(ds: xr.Dataset) -> dict:
    out: dict = {
        "source": "Song, Miller & Abbott (2000) Nat. Neurosci. 3, 919 (additive pair STDP); "
        "Kempter, Gerstner & van Hemmen (1999) Phys. Rev. E 59, 4498 (rate reduction)",
        "n_seeds": int(ds.sizes["seed"]),
    }
    for name in (
        "mean_w_correlated",
        "mean_w_uncorrelated",
        "drift_correlated",
        "drift_uncorrelated",
    ):
        out[name] = {
            f"{r}/c={c}": _r(_by_seed_mean(ds, name, realization=r, correlation=c))
            for r in ds["realization"].values
            for c in ds["correlation"].values
        }
    wins = (ds["mean_w_correlated"] > ds["mean_w_uncorrelated"]).sel(realization="brian2")
    out["brian2_seeds_correlated_above_uncorrelated"] = {
        f"c={c}": f"{int(wins.sel(correlation=c).sum())}/{int(ds.sizes['seed'])}"
        for c in ds["correlation"].values
    }
    return out


def _stdp_competition(quick: bool = False) -> Experiment:
    if quick:
        fixed = {"n_inputs": 40, "duration_s": 2.0, "record_dt_s": 0.5}
        grid, seeds = {"correlation": [0.2]}, (0,)
    else:
        fixed = {"duration_s": 10.0, "record_dt_s": 0.5}
        grid, seeds = {"correlation": [0.1, 0.2]}, (0, 1, 2)
    n_records = int(round(fixed["duration_s"] / fixed["record_dt_s"])) + 1
    return Experiment(
        name="stdp-competition" + ("-quick" if quick else ""),
        model="stdp",
        realizations=("reference", "brian2"),
        grid=grid,
        seeds=seeds,
        fixed={"neuron": "poisson", **fixed},
        observables=(
            "mean_w_correlated",
            "mean_w_uncorrelated",
            "drift_correlated",
            "drift_uncorrelated",
        ),
        derived=_stdp_derived(n_records),
        figure=stdp_figure,
        summary=stdp_summary,
        description="Additive pair-based STDP onto a linear Poisson neuron from 100 "
        "correlated and 100 independent 10 Hz Poisson inputs: group-mean weights over 10 s "
        "in Brian2 and in the Kempter et al. (1999) rate reduction on the same inputs, and "
        "the final weight percentiles; correlation c = 0.1 and 0.2, 3 seeds.",
        quick=None if quick else partial(_stdp_competition, quick=True),
    )


for _factory in (_hebbian_pca, _hebbian_ica, _backprop_vs_local, _stdp_competition):
    register_experiment(_factory())
