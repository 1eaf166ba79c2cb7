"""Spiking STDP in Brian2: Song-Miller-Abbott competition on an LIF neuron, and the
Poisson-neuron run against the Kempter et al. (1999) rate reduction on the same inputs;
the PES digits readout in float Nengo and on the Loihi emulator."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import declared_tolerance

import neurotwin
from neurotwin import ParamError

pytest.importorskip("brian2")


def test_brian2_run_and_input_statistics():
    """A small Brian2 run keeps weights in [0, 1] and records every 0.5 s. The inputs
    (drawn once, replayed by Brian2, read by the reduction) have the stated statistics:
    over 20 s both groups fire at 10 Hz within 10% (the correlated group's count follows
    the shared mother train, s.d. about 3%) and same-step coincidences within the
    correlated group occur at c nu = 2 Hz within 15%, between groups at chance."""
    r = neurotwin.run("stdp", "brian2", n_inputs=40, duration_s=1.0, seed=3)
    w = r.traces["weights"]
    assert w.shape == (3, 40)
    assert np.all((w >= 0) & (w <= 1))
    from neurotwin.harness import draw
    from neurotwin.rate_models.learning.stdp import measured_statistics
    from neurotwin.registry import get_model

    spec = get_model("stdp")
    params = spec.params.create(n_inputs=40, duration_s=20.0)
    _, inputs, _ = draw(spec, params, 3)
    nu, cov = measured_statistics(params, inputs)
    assert abs(nu[:20].mean() - 10) < 1.0 and abs(nu[20:].mean() - 10) < 1.0
    within = cov[:20, :20][~np.eye(20, dtype=bool)].mean()
    assert within == pytest.approx(2.0, rel=0.15)
    assert abs(cov[:20, 20:].mean()) < 0.1


@pytest.mark.slow
def test_lif_correlated_group_wins_in_nine_of_ten_seeds(seed_base):
    """Song, Miller & Abbott (2000): with additive STDP (A-/A+ = 1.05, tau = 20 ms) an
    LIF neuron driven by 100 correlated (c = 0.2) and 100 independent 10 Hz Poisson
    inputs strengthens the correlated group. 1.5 s from w = 0.5: the correlated group's
    mean weight ends above the uncorrelated one's in >= 9 of 10 seeds.
    Measured: 10/10 (1.5 s, seeds 0-9: correlated 0.561-0.632, uncorrelated 0.499-0.508;
    3 s: 0.64-0.81 against 0.496-0.511)."""
    wins = 0
    for seed in range(seed_base, seed_base + 10):
        obs = neurotwin.run("stdp", "brian2", neuron="lif", duration_s=1.5, seed=seed).observables
        wins += obs["mean_w_correlated"] > obs["mean_w_uncorrelated"]
    assert wins >= 9


@pytest.mark.slow
def test_poisson_neuron_drift_matches_rate_reduction(seed_base):
    """Kempter, Gerstner & van Hemmen (1999): for a linear Poisson neuron the mean weight
    drift is fixed by the rates, the window integral and the EPSP-weighted causal
    window (:func:`~neurotwin.rate_models.learning.stdp.stdp_drift`, on the simulation grid).
    The reduction uses the rates and zero-lag correlations measured on each seed's input
    spikes. 10 s from w = 0.5, seeds 0-2 (c = 0.2): the mean Brian2 drift of the
    correlated group within 25% of the reduction's, the uncorrelated group's within
    0.002 /s. Measured (the ``stdp-competition`` sweep, same runs): correlated 0.0192 /s
    (Brian2) vs 0.0173 /s (reduction), +11%; at c = 0.1 0.0085 vs 0.0079, +8%;
    uncorrelated -0.0006 vs -0.0003 /s. Brian2 sits above the reduction at both c; the
    seed-to-seed s.d. of the Brian2 drift is about 0.003 /s, so 3 seeds do not resolve
    whether the excess is systematic."""
    seeds = range(seed_base, seed_base + 3)
    ref = [neurotwin.run("stdp", seed=s).observables for s in seeds]
    sim = [neurotwin.run("stdp", "brian2", seed=s).observables for s in seeds]

    def mean(runs, name):
        return float(np.mean([o[name] for o in runs]))

    for name in ("drift_correlated", "drift_uncorrelated"):
        r, s = mean(ref, name), mean(sim, name)
        assert abs(s - r) <= declared_tolerance("stdp", name).bound(r), (name, s, r)
    assert all(o["mean_w_correlated"] > o["mean_w_uncorrelated"] for o in sim)


@pytest.mark.slow
def test_stdp_competition_quick_experiment(tmp_path):
    import json

    from neurotwin.sweep import get_experiment, run_sweep

    exp = get_experiment("stdp-competition", quick=True)
    ds = run_sweep(exp, tmp_path, scheduler="synchronous", progress=False)
    assert (ds["error"] == "").all(), ds["error"].values
    assert (tmp_path / f"{exp.name}.png").read_bytes()[:4] == b"\x89PNG"
    summary = json.loads((tmp_path / f"{exp.name}.summary.json").read_text())
    assert summary["brian2_seeds_correlated_above_uncorrelated"] == {"c=0.2": "1/1"}


# -- PES readout in Nengo --------------------------------------------------------------


def test_pes_reference_accuracy():
    """MacNeil & Eliasmith (2011) PES in rate form: one pass over the 1348 training digits
    (500 LIF neurons, 20 ms per image, kappa = 0.01) reads out the class at >= 0.93 test
    accuracy. Measured (seed 0): 0.9555 (kappa 0.003 / 0.03 / 0.1: 0.9399 / 0.9287 /
    0.8976)."""
    assert neurotwin.run("pes-readout", seed=0).observables["test_accuracy"] >= 0.93


@pytest.mark.slow
def test_pes_nengo_matches_rate_reference():
    """Float Nengo, spiking LIF population, PES online with 5 ms filters, same weights,
    images and order as the rate reference: test accuracy within 0.05 of it.
    Measured (seed 0): Nengo 0.9265 vs rate 0.9555 (-0.029; with 50 ms per image 0.8976
    vs 0.9332). The spiking run learns a little less per image: its readout and the PES
    activities are filtered (5 ms) copies that lag each new image, while the rate rule
    sees the steady rates at once."""
    pytest.importorskip("nengo")
    ref = neurotwin.run("pes-readout", seed=0).observables["test_accuracy"]
    sim = neurotwin.run("pes-readout", "nengo", seed=0).observables["test_accuracy"]
    assert abs(sim - ref) < 0.05
    assert sim >= 0.9


def test_pes_rows_share_the_digits_split_with_credit_assignment():
    """backprop-vs-local compares the PES readout with the multilayer rules on the same
    held-out digits: at a seed both models draw the same split (full data set)."""
    from neurotwin.harness import draw
    from neurotwin.registry import get_model

    pes, mlp = get_model("pes-readout"), get_model("credit-assignment")
    _, a, _ = draw(pes, pes.params.create(n_neurons=10), 3)
    _, b, _ = draw(mlp, mlp.params.create(n_epochs=1), 3)
    for key in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(a[key], b[key])


def test_pes_nengo_tests_after_every_epoch():
    """The Nengo run shows the test images after each epoch with learning off, so it has
    a learning curve like the reference's; on a small run (100 neurons, 270 training and
    90 test images) the readout improves from epoch 1 to 3. Measured, seeds 0/1/2: Nengo
    0.689 -> 0.767, 0.656 -> 0.733, 0.767 -> 0.811; rate reference 0.811 -> 0.856,
    0.722 -> 0.900, 0.844 -> 0.822."""
    pytest.importorskip("nengo")
    kw = {"n_neurons": 100, "subsample": 0.2, "n_epochs": 3}
    curve = neurotwin.run("pes-readout", "nengo", seed=0, **kw).traces["test_accuracy_curve"]
    assert curve.shape == (3,)
    assert curve[-1] > curve[0]


def _loihi_pes():
    pytest.importorskip("nengo_loihi")
    from neurotwin.registry import get_realization

    real = get_realization("pes-readout", "loihi-emulator")
    if not real.available():
        pytest.skip(real.why_unavailable())


def test_pes_loihi_emulator_runs_and_records_chip_warnings():
    """The PES readout on nengo_loihi.Simulator(target="sim") (skipped without
    nengo-loihi, or under numpy >= 2; run with the [loihi] environment). Small run
    (50 neurons, 66 training images at 10 ms): it builds, learns on the emulated chip and
    records nengo-loihi's warnings."""
    _loihi_pes()
    r = neurotwin.run("pes-readout", "loihi-emulator", n_neurons=50, subsample=0.05, present_s=0.01)
    assert 0.0 <= r.observables["test_accuracy"] <= 1.0
    assert r.provenance["simulator"] == 'nengo_loihi.Simulator(target="sim")'
    assert isinstance(r.provenance["warnings"], list)
    # the chip report deploy reads: the learned readout's weights as the chip holds them
    from neurotwin.capabilities import ChipReport

    chip = ChipReport.of(r)
    assert chip.per == "run" and chip.copies == 1
    assert chip.weights["connection"] == "pes_population"
    assert chip.weights["weight_bits"] == 8 and chip.weights["lost_bits"] == 0
    lo, hi = chip.weights["range"]
    assert lo < 0 < hi  # learned from zero decoders: the run moved them both ways
    assert 0 < chip.weights["error_rms"] < chip.weights["error_max"] < 0.1
    assert chip.weights["n_weights"] == 2 * 10 * 50  # on and off decode neurons
    assert chip.per_network["within_limits"] and chip.per_network["compartments"] >= 50
    assert chip.per_run["spikes"] > 0 and chip.per_run["input_spikes"] > 0
    assert chip.bias is not None and chip.bias["error_max"] < 0.01


@pytest.mark.slow
def test_pes_loihi_emulator_agrees_with_float_nengo():
    """Emulated chip vs float Nengo, same network, weights, images and seed (100 neurons,
    404 training and 135 test images, one pass): test accuracy within 0.15. Measured
    (seed 0): 0.644 vs 0.763 (seeds 1-3: gaps 0.037, 0.059, 0.096; at 200 neurons and
    half the digits, seeds 0-3: 0.018, 0.049, 0.067, 0.044). The remaining gap is the
    chip's I/O latency (input spikes take a step to reach the chip, the readout a step to
    leave it): float Nengo with a 2-step input delay scores 0.715 against 0.711 for the
    emulator (4-seed means); fixed-point learning costs about 0.004 (nengo-loihi's float
    emulation of the same chip network: 0.715). The control on the emulator itself (labels
    shifted 4 steps, nengo-loihi's PES learn_epoch) closes most of the gap: see
    tests/learning/test_learning_nengo.py and docs/chips.rst. Before the input filter was set
    to zero (nengo-loihi filters Node inputs with Model.decode_tau, 5 ms by default, whatever the
    connection's synapse) the emulator scored 0.452 here, a gap of 0.311."""
    _loihi_pes()
    kw = {"n_neurons": 100, "subsample": 0.3}
    emu = neurotwin.run("pes-readout", "loihi-emulator", seed=0, **kw)
    flt = neurotwin.run("pes-readout", "nengo", seed=0, **kw)
    gap = flt.observables["test_accuracy"] - emu.observables["test_accuracy"]
    assert abs(gap) < 0.15


def test_pes_labels_out_of_range_rejected():
    from neurotwin import InputError
    from neurotwin.harness import draw
    from neurotwin.registry import get_model

    kw = {"n_neurons": 10, "subsample": 0.05}
    spec = get_model("pes-readout")
    weights, inputs, _ = draw(spec, spec.params.create(**kw), 0)
    inputs["y_test"] = inputs["y_test"].copy()
    inputs["y_test"][2] = -1
    with pytest.raises(InputError) as info:
        neurotwin.run("pes-readout", weights=weights, inputs=inputs, **kw)
    assert str(info.value) == (
        "pes-readout inputs['y_test']: must be integer class labels in 0..9 (got -1 at index (2,))"
    )


def test_pes_simulator_settings_are_typed_options():
    """dt_s and tau_syn_s are the Nengo and Loihi realizations' options (the Loihi ones
    extend the Nengo ones with the emulator's input filter), not model parameters."""
    from neurotwin.registry import get_model, get_realization
    from neurotwin.spiking.learning.loihi import LoihiPesOptions
    from neurotwin.spiking.learning.nengo import NengoPesOptions

    assert get_realization("pes-readout", "nengo").options is NengoPesOptions
    real = get_realization("pes-readout", "loihi-emulator")
    assert real.options is LoihiPesOptions and issubclass(LoihiPesOptions, NengoPesOptions)
    assert real.capabilities == ("chip",)
    assert {"dt_s", "tau_syn_s"}.isdisjoint(get_model("pes-readout").params.model_fields)
    assert LoihiPesOptions().decode_tau_s == 0.0
    with pytest.raises(ParamError) as info:
        NengoPesOptions.create(None, dt_s=0.02)
    assert str(info.value).startswith("NengoPesOptions.dt_s: ")


def test_pes_presentation_must_be_whole_steps():
    """The spiking realizations cut the readout into windows of present_s / dt_s steps."""
    pytest.importorskip("nengo")
    with pytest.raises(ParamError) as info:
        neurotwin.run("pes-readout", "nengo", n_neurons=10, subsample=0.05, present_s=0.0105)
    assert str(info.value) == (
        "PesParams.present_s: must be an integer multiple of dt_s = 0.001 (got 0.0105)"
    )
