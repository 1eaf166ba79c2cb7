"""The deployment report (``neurotwin/deploy.py``), the chip helpers it rests on
(``spiking/_loihi``, ``spiking/_nengo``) and the generic NIR export (``neurotwin/export.py``;
the Hopfield graph itself is tested in ``tests/hopfield/test_hopfield_nir.py``).

Skipped, with the reason, without the ``[loihi]`` extra (nengo-loihi 1.1.0 with
numpy < 2, and nir).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import neurotwin
from neurotwin import ParamError

pytest.importorskip("nengo_loihi", reason='nengo_loihi not installed (pip install -e ".[loihi]")')
nir = pytest.importorskip("nir", reason='nir not installed (pip install -e ".[loihi]")')
if int(np.__version__.split(".")[0]) >= 2:
    pytest.skip(
        f"nengo_loihi 1.1.0 needs numpy < 2 (numpy {np.__version__} installed)",
        allow_module_level=True,
    )

from typer.testing import CliRunner  # noqa: E402

from neurotwin.cli import app  # noqa: E402
from neurotwin.deploy import deploy, deployable, report_rows  # noqa: E402
from neurotwin.harness import prepare  # noqa: E402
from neurotwin.spiking import _loihi as chip  # noqa: E402
from neurotwin.spiking import _nengo as nc  # noqa: E402

KEYS = {
    "cores", "compartments", "axons", "synapses", "fits_one_chip", "weight_bits",
    "weight_error_max", "weight_error_rms", "accuracy", "spikes", "synaptic_ops",
    "energy_estimate_j", "warnings",
}  # fmt: skip


@pytest.fixture(scope="module")
def small_report():
    return deploy("hopfield", n_units=10, n_patterns=2, n_cues=2, seed=0)


def test_report_has_the_issue_keys_and_is_json(small_report):
    r = small_report
    assert KEYS <= r.keys()
    assert set(r["accuracy"]) == {"reference", "nengo", "loihi-emulator"}
    json.dumps(r)  # plain JSON, as `neurotwin deploy --json` prints it
    assert all(isinstance(v, str) for _, v in report_rows(r))


def test_resource_counts_match_hand_computed(small_report):
    """N = 10, one recall network (one cue's copy), computed by hand:

    * 1 core: 10 compartments, far under every per-core limit;
    * input axons: 10 from the recurrent connection (one per presynaptic neuron)
      + 20 from the cue (an on and an off input neuron per unit) = 30;
    * output axons: 10 (each neuron's axon to its own block);
    * synapses: 10 x 10 dense recurrent weights (the zero diagonal is stored too)
      + 20 cue weights (one per input axon) = 120;
    * synaptic memory: a list of n 8-bit weights takes 8 n + 10 bits rounded up to
      64-bit words: 10 x 128 (n = 10) + 20 x 64 (n = 1) = 2560 bits.

    Activity: every spike of a unit reads its 10 stored weights, so the recurrent
    synaptic operations are exactly 10 per spike.
    """
    r = small_report
    assert (r["cores"], r["compartments"], r["axons"], r["out_axons"]) == (1, 10, 30, 10)
    assert (r["synapses"], r["synapse_bits"]) == (120, 2560)
    assert r["fits_one_chip"] is True
    assert r["all_copies"]["copies"] == 2
    assert (r["all_copies"]["cores"], r["all_copies"]["compartments"]) == (2, 20)
    assert (r["all_copies"]["in_axons"], r["all_copies"]["synapses"]) == (60, 240)
    assert r["synaptic_ops"] == 10 * r["spikes"]
    e = r["energy"]["breakdown"]
    t_steps = round((0.04 + 0.2) / 0.001)
    assert e["neuron_updates_j"] == pytest.approx(
        81e-12 * r["spikes"] + 52e-12 * (10 * t_steps - r["spikes"])
    )
    assert r["energy_estimate_j"] == pytest.approx(sum(e.values()))


def test_report_lists_each_warning_with_an_effect(small_report):
    w = small_report["warnings"]
    assert w["nonzero-initial-state"]["raised"]
    effect = w["nonzero-initial-state"]["effect"]
    assert set(effect) >= {"nengo_final_overlap_zero_initial_voltages", "state_agreement"}
    assert w["untested-nengo-version"]["raised"]
    assert w["tau_s-overwritten"]["raised"] is False  # avoided by construction
    quant = w.get("weight-bits-lost", w.get("weight-quantization"))
    assert "nengo_final_overlap_chip_weights" in quant["effect"]


def _independent_quantize(w, block_w_max, lossy=True):
    """Loihi's weight storage, written from its description (Davies et al. 2018;
    nengo-loihi's discretize_synapse/discretize_weights), not from neurotwin's code.

    The block's largest weight maps to 255; a synapse whose largest weight is 2**d
    times smaller is scaled up by 2**d (its weight exponent is d lower); 8-bit
    mixed-sign weights keep a 7-bit magnitude in steps of 2; an exponent below -1
    (the block exponent here is 0) loses -(1 - d) more bits.
    Returns the integer levels q (the stored weight is 2 q steps) and the weights in
    float units, 2 q / scale.
    """
    d = int(np.floor(np.log2(block_w_max / np.abs(w).max())))
    scale = 255.0 / block_w_max * 2.0**d
    q = np.clip(np.round(w * scale / 2), -127, 127)
    lost = max(0, -(1 - d))
    if lossy and lost:
        q = np.clip(np.round(q / 2**lost) * 2**lost, -127, 127)
    return q, 2 * q / scale, scale


def _chip(n, recurrent, inputs=(), steps=3):
    pop = nc.LIFPopulation("p", np.full(n, 0.5), recurrent, 0.02, 0.002, 0.005)
    built = nc.build_network([pop], list(inputs), "loihi-emulator")
    out = nc.simulate(built, "loihi-emulator", steps, 0.001, 0)
    return out, pop


def test_quantized_weights_match_independent_numpy():
    """The chip's stored weights (read back from the built model) equal an independent
    numpy computation, and so do the error figures reported from them.

    Case 1, recurrent weights alone: the largest weight maps to 254 (127 steps of 2).
    Case 2, a cue input 10 times stronger than any recurrent weight: the recurrent
    synapse's exponent is 3 lower, 2 bits are lost ("Lost 2 extra bits in weight
    rounding"), and the measured RMS error grows accordingly.
    """
    rng = np.random.default_rng(7)
    n = 12
    r = rng.normal(0, 0.01, (n, n))
    w64 = r.T / 0.001  # nengo-loihi's float synapse weights: transform.T / dt ...
    w = w64.astype(np.float32).astype(np.float64)  # ... stored as float32
    out, _ = _chip(n, r)
    q = out.chip["quantization"]["p"]
    full = np.abs(w).max()
    (piece,) = q["pieces"]
    # the block's scale is its largest weight (stored in float32)
    assert piece["post"] == [0, n] and piece["block_w_exp"] == 0
    assert piece["block_w_max"] == pytest.approx(full, rel=1e-6)
    levels, expect, scale = _independent_quantize(w, piece["block_w_max"])
    np.testing.assert_array_equal(np.round(q["quantized"] * scale / 2), levels)
    np.testing.assert_allclose(q["quantized"], expect, rtol=1e-9, atol=0)
    # errors are reported against the float (float64) weights, relative to the largest
    err = (expect - w64) / np.abs(w64).max()
    assert q["error_max"] == pytest.approx(np.abs(err).max(), rel=1e-9)
    assert q["error_rms"] == pytest.approx(np.sqrt(np.mean(err**2)), rel=1e-9)
    assert (q["weight_bits"], q["lost_bits"]) == (8, 0)
    assert q["error_max"] <= 1 / 254 + 1e-12  # half a step of 2 in 255

    # a cue's chip weight is its gain (host spikes carry 1 per step, no 1/dt)
    cue = nc.WindowedInput("p", np.ones(n), np.full(n, 10 * full), 0.0, 0.002)
    out2, _ = _chip(n, r, [cue])
    q2 = out2.chip["quantization"]["p"]
    block_w_max = q2["pieces"][0]["block_w_max"]
    assert block_w_max == pytest.approx(10 * full, rel=1e-6)
    levels2, expect2, scale2 = _independent_quantize(w, block_w_max)
    np.testing.assert_array_equal(np.round(q2["quantized"] * scale2 / 2), levels2)
    np.testing.assert_allclose(q2["quantized"], expect2, rtol=1e-9, atol=0)
    assert q2["lost_bits"] == 2 and q2["weight_bits"] == 6
    names = {x.name for x in out2.warnings}
    assert "weight-bits-lost" in names
    _, no_loss, _ = _independent_quantize(w, block_w_max, lossy=False)
    err2 = (expect2 - w64) / np.abs(w64).max()
    assert q2["error_rms"] == pytest.approx(np.sqrt(np.mean(err2**2)), rel=1e-9)
    assert q2["error_rms"] > np.sqrt(np.mean(((no_loss - w64) / full) ** 2))
    # neurotwin's own model of the rounding agrees too (deploy uses it)
    np.testing.assert_allclose(chip.loihi_quantize(w, block_w_max), expect2, rtol=1e-12)


def test_too_many_input_axons_is_a_clear_error():
    """N = 4200: the dense recurrent fan-in alone (4200 axons) exceeds a core's 4096
    input axons, and splitting the block cannot reduce it. nengo-loihi would need
    153 cores for the synaptic memory; on each, 4200 + ceil(8400 / 153) = 4255 axons."""
    with pytest.raises(ParamError) as info:
        neurotwin.run("hopfield", "loihi-emulator", n_units=4200, n_patterns=1, n_cues=1)
    assert str(info.value) == (
        "HopfieldParams.n_units: network too large for the Loihi chip: population 'cue0' of "
        "4200 neurons needs 4255 input axons per core (dense recurrent fan-in 4200 + 55 input "
        "axons), over the limit of 4096 per core by 159 (got 4200)"
    )


def test_too_many_cores_is_a_clear_error_before_any_run():
    """N = 1000: 1000 axons x 9024 bits + 2000 cue axons x 64 bits = 9.15 Mbit of
    synaptic memory per copy, 9 cores of 1 Mbit; 15 copies need 135 of the 128 cores."""
    kw = dict(n_units=1000, n_patterns=2, n_cues=15)
    expected = (
        "HopfieldParams.n_units: network too large for the Loihi chip: 15 populations need "
        "135 cores, over the 128 cores of 1 chip(s) (128 per chip) by 7 (got 1000)"
    )
    with pytest.raises(ParamError) as info:
        deploy("hopfield", **kw)  # raised before the reference or Nengo run
    assert str(info.value) == expected
    with pytest.raises(ParamError) as info:
        prepare("hopfield", "loihi-emulator", None, 0, **kw)  # every run checks the fit
    assert str(info.value) == expected
    plan = prepare("hopfield", "loihi-emulator", None, 0, max_chips=2, **kw)
    fit = plan.real.preflight(plan.params, plan.weights, plan.inputs, 0, plan.options)
    assert fit.cores == 135


@pytest.mark.slow
@pytest.mark.parametrize("model", deployable())
def test_deploy_every_chip_model_through_the_cli_with_defaults(model):
    """Each of the five chip models deploys with its default parameters: a JSON report
    with resources within a chip, quantization, the key observable for every run and the
    activity cost of one network copy."""
    res = CliRunner().invoke(app, ["deploy", model, "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.output)
    assert KEYS <= r.keys()
    assert r["fits_one_chip"] is True and r["cores"] >= 1
    assert set(r["accuracy"]) >= {"reference", "loihi-emulator"}
    assert all(np.isfinite(v) for v in r["accuracy"].values())
    assert r["spikes"] > 0 and r["synaptic_ops"] > 0 and r["energy_estimate_j"] > 0
    assert 1 <= r["weight_bits"] <= 8


def test_deploy_bad_target_exact_text():
    with pytest.raises(ParamError) as info:
        deploy("hopfield", target="loihi")
    assert str(info.value) == "target: must be one of 'loihi-emulator' (got 'loihi')"


# -- NIR ------------------------------------------------------------------------------------

EXPORTABLE = dict(tau_ref_s=0.0, voltage_floor=False, gain=1.0)


def test_export_cli_writes_a_nir_file_or_refuses_with_nothing_written(tmp_path):
    """Through the generic export: the hook's graph written atomically; a network NIR
    cannot express refused with one line and no file."""
    out = tmp_path / "h.nir"
    args = ["export", "hopfield", "--out", str(out), "--set", "n_units=20"]
    res = CliRunner().invoke(app, [*args, *_sets(EXPORTABLE)])
    assert res.exit_code == 0, res.output
    g = nir.read(out)
    assert g.metadata["model"] == "hopfield" and g.metadata["seed"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.nir"]
    bad = CliRunner().invoke(app, ["export", "hopfield", "--out", str(tmp_path / "x.nir")])
    assert bad.exit_code == 2
    assert bad.output.startswith("error: hopfield: NIR 1.0 cannot express a refractory period")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.nir"]


def _sets(kw: dict) -> list[str]:
    return [a for k, v in kw.items() for a in ("--set", f"{k}={json.dumps(v)}")]


def test_nir_export_of_the_exportable_network_still_recalls():
    """The settings NIR can express (no refractory period, no voltage floor, g = 1) are
    a working network: measured 10 of 10 cues at overlap 1.0 (seeds 0-1), mean rate
    about 80 Hz. (g = 4 without a refractory period fails: rates reach 1/dt.)"""
    r = neurotwin.run(
        "hopfield", "nengo", seed=0, n_units=100, n_patterns=3, cue_noise=0.1, **EXPORTABLE
    )
    assert np.mean(r.observables["final_overlaps"] >= 0.9) >= 0.9
