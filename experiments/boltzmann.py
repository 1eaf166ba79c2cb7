"""Boltzmann machine experiments: sampling accuracy, RBM training on digits, temperature.

* ``boltzmann-sampling``: KL(sampled || exact) vs number of samples for Gibbs sampling
  (x = sweeps) and for Brian2 neural sampling (Buesing et al. 2011; x = sampling time in
  units of the refractory period tau, the time in which each neuron gets about one
  chance to change), on random 5- and 8-unit Boltzmann machines, several seeds.
* ``rbm-digits``: an RBM (16 hidden units) on binarized 8x8 digits trained by CD-1,
  CD-10 and PCD-1: exact log-likelihood, pseudo-likelihood and reconstruction error per
  epoch; sample grids from blocked Gibbs and from the spiking sampler; scikit-learn's
  ``BernoulliRBM`` on the same data and budget (in the summary).
* ``boltzmann-temperature``: a Boltzmann machine with Hebbian weights (the Hopfield
  network's, mapped by ``from_hopfield``) as a noisy associative memory: recall overlap
  and sampling accuracy vs temperature, Gibbs and neural sampling. At T -> 0 Gibbs
  sampling is the asynchronous Hopfield dynamics (tested in ``tests/boltzmann/test_boltzmann.py``).

Each is registered with a reduced ``-quick`` variant.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import numpy as np
import xarray as xr

from neurotwin.results import Result
from neurotwin.sweep import Experiment, register_experiment, summary_value

#: read-out counts per chain at which the KL curves are kept (sampling experiment)
CURVE_COUNTS = (10, 30, 100, 300, 1000, 3000, 10000)
#: training methods of the RBM experiment -> params
METHODS = {
    "cd1": {"training": "cd", "cd_k": 1},
    "cd10": {"training": "cd", "cd_k": 10},
    "pcd": {"training": "pcd", "cd_k": 1},
}


def _r(v) -> float | None:
    return summary_value(v, 6)


def _constants(ds: xr.Dataset) -> dict:
    return json.loads(ds.attrs["constant_params"])


# -- boltzmann-sampling ------------------------------------------------------------------


def kl_at(result: Result, count: int) -> float:
    """KL after ``count`` read-outs per chain (NaN beyond the run), from ``kl_curve``."""
    steps = np.asarray(result.observables["kl_curve_steps"])
    if count > steps[-1]:
        return float("nan")
    k = int(np.searchsorted(steps, count))
    return float(np.asarray(result.observables["kl_curve"])[k])


def sampling_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import boltzmann as plots

    return plots.sampling(ds, path, CURVE_COUNTS)


def sampling_summary(ds: xr.Dataset) -> dict:
    const = _constants(ds)
    out: dict = {
        "source": "Buesing, Bill, Nessler & Maass (2011) PLoS Comput Biol 7, e1002211",
        "x_axis": "Gibbs: sweeps per chain; brian2: read-outs every sample_dt_s per chain "
        f"(tau / sample_dt = {const['tau_s'] / const['sample_dt_s']:g} read-outs per tau)",
        "n_chains": const["n_chains"],
        "n_seeds": int(ds.sizes["seed"]),
        "mean_kl": {},
    }
    for real in ds["realization"].values:
        for n in ds["n_units"].values:
            sel = ds.sel(realization=real, n_units=n)
            out["mean_kl"][f"{real}, n={int(n)}"] = {
                f"{c} read-outs": _r(sel[f"kl_at_{c}"].mean("seed")) for c in CURVE_COUNTS
            }
            out["mean_kl"][f"{real}, n={int(n)}"]["final"] = _r(sel["kl_to_exact"].mean("seed"))
            out["mean_kl"][f"{real}, n={int(n)}"]["iid_same_count"] = _r(sel["kl_iid"].mean("seed"))
    return out


def _sampling(quick: bool = False) -> Experiment:
    if quick:
        sizes, seeds, n_samples, dur, chains = [5], (0,), 1000, 1.0, 4
    else:
        sizes, seeds, n_samples, dur, chains = [5, 8], (0, 1, 2), 10_000, 10.0, 10
    return Experiment(
        name="boltzmann-sampling" + ("-quick" if quick else ""),
        model="boltzmann",
        realizations=("reference", "brian2"),
        grid={"n_units": sizes},
        seeds=seeds,
        fixed={"n_chains": chains, "n_samples": n_samples, "duration_s": dur},
        observables=("kl_to_exact", "kl_iid", "max_marginal_error"),
        derived={f"kl_at_{c}": partial(kl_at, count=c) for c in CURVE_COUNTS},
        figure=sampling_figure,
        summary=sampling_summary,
        description="KL(sampled || exact) vs samples for a random Boltzmann machine "
        "(W ~ N(0, 1), b ~ N(0, 0.25)): Gibbs sampling (sweeps) vs Brian2 neural sampling "
        "(Buesing et al. 2011; tau = 20 ms, dt = 1 ms, z read every ms), pooled over "
        "parallel chains, against independent exact draws.",
        quick=None if quick else partial(_sampling, quick=True),
    )


# -- rbm-digits ---------------------------------------------------------------------------


def curve_at(result: Result, name: str, epoch: int) -> float:
    """Training curve ``curve_<name>`` at ``epoch`` (NaN where not scored or beyond the
    run; the experiment scores every epoch, ``score_every=1``)."""
    curve = np.asarray(result.observables[f"curve_{name}"], dtype=float)
    at = np.flatnonzero(np.asarray(result.observables["curve_epoch"]) == epoch)
    return float(curve[at[0]]) if len(at) else float("nan")


def _method_params(point: dict) -> dict:
    return {**{k: v for k, v in point.items() if k != "method"}, **METHODS[point["method"]]}


def _sample_grids(ds: xr.Dataset) -> list:
    """Re-run the PCD-trained RBM (seed 0) with each realization: its final samples."""
    import neurotwin

    const = {k: v for k, v in _constants(ds).items() if k not in ("training", "cd_k")}
    grids = []
    for real in ("reference", "brian2"):
        res = neurotwin.run("rbm", real, seed=0, **{**const, **METHODS["pcd"]})
        label = "Gibbs" if real == "reference" else "neural sampling (Brian2)"
        grids.append((label, np.asarray(res.observables["final_visible"])))
    return grids


def rbm_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import boltzmann as plots

    return plots.rbm_digits(ds, path, _sample_grids(ds))


def rbm_summary(ds: xr.Dataset) -> dict:
    from neurotwin.rate_models.boltzmann import rbm

    const = _constants(ds)
    ref = ds.sel(realization="reference") if "realization" in ds.dims else ds
    out: dict = {
        "data": "scikit-learn load_digits, binarized (pixel > 8 of 16)",
        "n_hidden": const["n_hidden"],
        "n_epochs": const["n_epochs"],
        "final": {},
        "sklearn_peer": None,
    }
    for m in ds["method"].values:
        sel = ref.sel({"method": m})
        out["final"][str(m)] = {
            v: _r(sel[v].mean("seed"))
            for v in ("log_likelihood", "pseudo_likelihood", "reconstruction_error")
        }
    if "realization" in ds.dims:
        for m in ds["method"].values:
            out["final"][str(m)]["sample_free_energy"] = {
                str(r): _r(
                    ds["sample_free_energy"].sel({"method": m, "realization": r}).mean("seed")
                )
                for r in ds["realization"].values
            }
            out["final"][str(m)]["data_free_energy"] = _r(
                ref["data_free_energy"].sel({"method": m}).mean("seed")
            )
    params = rbm.RBMParams.create(
        **{k: v for k, v in const.items() if k in rbm.RBMParams.model_fields}
    )
    out["sklearn_peer"] = rbm.sklearn_peer(params, seed=0)
    return out


def _rbm_digits(quick: bool = False) -> Experiment:
    if quick:
        methods, epochs, fixed = ["cd1", "pcd"], 2, {"n_train": 200, "n_hidden": 8}
        fixed.update(n_samples=100, duration_s=0.4, n_chains=4)
    else:
        methods, epochs, fixed = list(METHODS), 20, {"n_hidden": 16}
        fixed.update(n_samples=1000, duration_s=2.0, n_chains=16)
    derived = {
        f"{short}_epoch{e}": partial(curve_at, name=name, epoch=e)
        for e in range(epochs + 1)
        for short, name in (
            ("ll", "log_likelihood"),
            ("pl", "pseudo_likelihood"),
            ("recon", "reconstruction_error"),
        )
    }
    return Experiment(
        name="rbm-digits" + ("-quick" if quick else ""),
        model="rbm",
        realizations=("reference", "brian2"),
        grid={"method": methods},
        seeds=(0,),
        fixed={"n_epochs": epochs, "score_every": 1, **fixed},
        observables=(
            "log_likelihood",
            "pseudo_likelihood",
            "reconstruction_error",
            "sample_free_energy",
            "data_free_energy",
        ),
        derived=derived,
        point_params=_method_params,
        figure=rbm_figure,
        summary=rbm_summary,
        description="RBM on binarized 8x8 digits (scikit-learn load_digits): CD-1, CD-10 "
        "and PCD-1 training curves (exact log-likelihood by summing out 16 hidden units, "
        "pseudo-likelihood, reconstruction error; the first 300 training images), sample "
        "grids from blocked Gibbs and from Brian2 neural sampling, and scikit-learn's "
        "BernoulliRBM on the same data and budget.",
        quick=None if quick else partial(_rbm_digits, quick=True),
    )


# -- boltzmann-temperature -------------------------------------------------------------


def temperature_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import boltzmann as plots

    return plots.temperature(ds, path)


def temperature_summary(ds: xr.Dataset) -> dict:
    out: dict = {
        "weights": "Hebbian (hopfield.hebbian) mapped to {0,1} units by from_hopfield",
        "n_seeds": int(ds.sizes["seed"]),
    }
    for var in ("recall_overlap", "kl_to_exact", "kl_iid"):
        out[f"mean_{var}"] = {
            str(r): {
                f"T={float(t):g}": _r(ds[var].sel(realization=r, temperature=t).mean("seed"))
                for t in ds["temperature"].values
            }
            for r in ds["realization"].values
        }
    return out


def _temperature(quick: bool = False) -> Experiment:
    if quick:
        temps, seeds, n_samples, dur = [0.1, 1.0, 3.0], (0,), 200, 0.5
    else:
        temps = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0]
        seeds, n_samples, dur = (0, 1, 2), 2000, 4.0
    return Experiment(
        name="boltzmann-temperature" + ("-quick" if quick else ""),
        model="boltzmann",
        realizations=("reference", "brian2"),
        grid={"temperature": temps},
        seeds=seeds,
        fixed={
            "n_units": 12,
            "weights_kind": "hebbian",
            "n_patterns": 2,
            "cue_noise": 0.25,
            "n_chains": 4,
            "n_samples": n_samples,
            "duration_s": dur,
        },
        observables=("recall_overlap", "kl_to_exact", "kl_iid", "max_marginal_error"),
        figure=temperature_figure,
        summary=temperature_summary,
        description="A 12-unit Boltzmann machine storing 2 random patterns with Hebbian "
        "weights, cued with 25% of the bits flipped: mean overlap with the cued pattern "
        "(second half of the run) and KL(sampled || exact) vs temperature, Gibbs vs "
        "Brian2 neural sampling. Low T: the memory holds (Hopfield recall); high T: "
        "samples spread over all states; between, the exact distribution puts weight on "
        "both a pattern and its mirror image, which a chain visits slowly.",
        quick=None if quick else partial(_temperature, quick=True),
    )


for _factory in (_sampling, _rbm_digits, _temperature):
    register_experiment(_factory())
