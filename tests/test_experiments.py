"""Named experiments: the Hopfield capacity against theory, and every quick variant's outputs."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import xarray as xr

from neurotwin.sweep import available_part, experiments, get_experiment, run_sweep

NAMES = [
    "hopfield-capacity",
    "hopfield-basins",
    "hopfield-dynamics",
    "hopfield-rate-vs-spiking",
    "hopfield-chip",
    "hopfield-chip-precision",
]


def runnable(exp):
    """Drop realizations whose backend is not installed here (e.g. nengo-loihi)."""
    return available_part(exp)[0]


@pytest.fixture(scope="module")
def capacity(tmp_path_factory) -> xr.Dataset:
    """N = 500 and 2000 around alpha_c, 10 seeds x 10 cues each, on a 2-worker LocalCluster."""
    exp = get_experiment("hopfield-capacity")
    exp = dataclasses.replace(
        exp,
        name="capacity-check",
        grid={"n_units": [500, 2000], "alpha": [0.10, 0.12, 0.18]},
        quick=None,
    )
    assert len(exp.seeds) >= 10
    return run_sweep(exp, tmp_path_factory.mktemp("capacity"), workers=2, progress=False)


@pytest.mark.slow
def test_capacity_matches_amit_gutfreund_sompolinsky(capacity):
    """Amit, Gutfreund & Sompolinsky (1985), "Storing infinite numbers of patterns in a
    spin-glass model of neural networks", Phys. Rev. Lett. 55, 1530: the Hebbian
    Hopfield network recalls its patterns (overlap near 1) up to a load
    alpha_c = P/N ~ 0.138 and loses them above. For N = 2000, cueing each stored
    pattern itself, the mean final overlap over 10 seeds x 10 cues must be
    >= 0.97 at alpha = 0.10 and < 0.6 at alpha = 0.18."""
    assert (capacity["error"] == "").all()
    mean = capacity["final_overlap"].sel(n_units=2000).mean("seed")
    assert capacity.sizes["seed"] >= 10
    assert float(mean.sel(alpha=0.10)) >= 0.97
    assert float(mean.sel(alpha=0.18)) < 0.6


@pytest.mark.slow
def test_capacity_transition_sharpens_with_n(capacity):
    """Finite-size effect: the overlap lost between alpha = 0.12 and 0.18 (across
    alpha_c) is larger for N = 2000 than for N = 500."""
    mean = capacity["final_overlap"].mean("seed")
    drop = mean.sel(alpha=0.12) - mean.sel(alpha=0.18)
    assert float(drop.sel(n_units=2000)) > float(drop.sel(n_units=500)) + 0.2


def test_every_experiment_is_registered_with_a_quick_variant():
    registered = experiments()
    for name in NAMES:
        exp = registered[name]
        assert exp.figure is not None and exp.summary is not None and exp.description
        quick = get_experiment(name, quick=True)
        assert quick.name == f"{name}-quick"
        assert quick.realizations == exp.realizations
    assert "brian2" in registered["hopfield-basins"].realizations
    assert "brian2" in registered["hopfield-rate-vs-spiking"].realizations
    capacity = registered["hopfield-capacity"]
    assert capacity.grid["n_units"] == [500, 1000, 2000]
    assert len(capacity.seeds) >= 10
    assert capacity.fixed["cue_noise"] == 0.0


@pytest.mark.parametrize("name", NAMES)
def test_quick_variant_writes_data_figure_and_summary(name, tmp_path):
    exp = runnable(get_experiment(name, quick=True))
    ds = run_sweep(exp, tmp_path, scheduler="synchronous", progress=False)
    assert (ds["error"] == "").all(), ds["error"].values
    for suffix in (".nc", ".png", ".summary.json"):
        assert (tmp_path / f"{exp.name}{suffix}").stat().st_size > 0
    on_disk = xr.load_dataset(tmp_path / f"{exp.name}.nc")
    assert set(on_disk.dims) == set(exp.dims)
    assert (tmp_path / f"{exp.name}.png").read_bytes()[:4] == b"\x89PNG"
    summary = json.loads((tmp_path / f"{exp.name}.summary.json").read_text())
    assert summary["sweep"]["failed"] == 0
    if name == "hopfield-capacity":
        assert summary["alpha_c_theory"] == 0.138
        assert set(summary["mean_final_overlap"]) == {"n_units=100", "n_units=200"}
        # n_patterns = round(alpha * N) is a coordinate of the dataset
        assert on_disk["n_patterns"].sel(n_units=200, alpha=0.25) == 50
    if name == "hopfield-dynamics":
        assert summary["energy_never_increases"] is True
        curve = summary["fraction_not_converged_vs_asymmetry"]
        assert curve["0"] == 0.0 and curve["1"] == 1.0
        # the T = 0 and a = 0 levels are the same run: computed once
        assert len(list((tmp_path / "points").glob("*.nc"))) < np.prod(list(ds.sizes.values()))


def test_comparison_figure(tmp_path):
    import neurotwin
    from neurotwin import plotting

    comp = neurotwin.compare("hopfield", None, 1, ["reference"], n_units=40, n_patterns=3, n_cues=2)
    path = plotting.comparison(comp, tmp_path / "comparison.png")
    assert path == tmp_path / "comparison.png"
    assert path.read_bytes()[:4] == b"\x89PNG"
