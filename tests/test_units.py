"""Units of parameters: declared from the names, quantities converted, implausible values refused.

The convention (``neurotwin.units``): a dimensional field says its unit in its name
(``tau_m_s`` in s, ``rate_hz`` in Hz); a value may carry a unit (text or a Brian2
Quantity) and is converted to the field's unit; a bare number is read in it.
"""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import neurotwin
from neurotwin import ParamError, units
from neurotwin.cli import app
from neurotwin.registry import all_models, get_model, get_realization

runner = CliRunner()


def _lif():
    return get_model("lif-sync").params


# -- reading units -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "factor", "dims"),
    [
        ("s", 1.0, (1, 0, 0, 0, 0)),
        ("ms", 1e-3, (1, 0, 0, 0, 0)),
        ("us", 1e-6, (1, 0, 0, 0, 0)),
        ("µs", 1e-6, (1, 0, 0, 0, 0)),
        ("Hz", 1.0, (-1, 0, 0, 0, 0)),
        ("kHz", 1e3, (-1, 0, 0, 0, 0)),
        ("rad/s", 1.0, (-1, 0, 0, 0, 1)),
        ("kg/s", 1.0, (-1, 0, 1, 0, 0)),
        ("N/m", 1.0, (-2, 0, 1, 0, 0)),
        ("rad^2/s", 1.0, (-1, 0, 0, 0, 2)),
        ("mV", 1e-3, (-3, 2, 1, -1, 0)),
    ],
)
def test_parse_unit(text, factor, dims):
    u = units.parse_unit(text)
    assert u.factor == pytest.approx(factor) and u.dims == dims


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [("20ms", 20.0, "ms"), ("20 ms", 20.0, "ms"), ("1.5e-3 s", 1.5e-3, "s"), ("2*kHz", 2.0, "kHz")],
)
def test_parse_quantity(text, number, unit):
    n, u = units.parse_quantity(text)
    assert n == number and u.text == unit


def test_not_a_quantity():
    assert units.parse_quantity("sync") is None and units.parse_quantity("0.5") is None
    with pytest.raises(units.UnitError, match="unknown unit 'xs'"):
        units.parse_quantity("20 xs")


def test_suffixes():
    assert units.split_suffix("tau_m_s") == ("tau_m", "s")
    assert units.split_suffix("freq_sd_rad_s") == ("freq_sd", "rad/s")
    assert units.split_suffix("damping_kg_s") == ("damping", "kg/s")
    assert units.split_suffix("stiffness_n_m") == ("stiffness", "N/m")
    assert units.split_suffix("rate_hz") == ("rate", "Hz")
    assert units.split_suffix("gain") == ("gain", None)


def test_declared_units_of_fields():
    p = _lif()
    assert [p.field_unit(n) for n in ("tau_m_s", "mean_rate_hz", "coupling")] == ["s", "Hz", None]
    assert p.field_unit("freq_dist") is None  # not a number
    bridge = get_model("millennium-bridge").params
    assert bridge.field_unit("freq_sd_rad_s") == "rad/s"
    assert bridge.field_unit("stiffness_n_m") == "N/m"


def test_every_suffix_used_is_readable():
    """Every unit the fields of every model declare is one the parser reads."""
    for spec in all_models().values():
        classes = [spec.params] + [r.options for r in spec.realizations.values() if r.options]
        for cls in classes:
            for name in cls.model_fields:
                unit = cls.field_unit(name)
                if unit is not None:
                    units.parse_unit(unit)


# -- converting values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "seconds"),
    [
        ({"tau_m_s": "20ms"}, 0.02),
        ({"tau_m_s": "20 ms"}, 0.02),
        ({"tau_m_s": "20000 us"}, 0.02),
        ({"tau_m_s": "0.02 s"}, 0.02),
        ({"tau_m_s": 0.02}, 0.02),  # a bare number: in the declared unit
        ({"tau_m": "20ms"}, 0.02),  # the name without its suffix, with a unit
    ],
)
def test_text_quantities(given, seconds):
    assert _lif().create(**given).tau_m_s == seconds


def test_hz_and_khz():
    p = _lif().create(mean_rate_hz="0.03 kHz", rate_width_hz="2 Hz")
    assert (p.mean_rate_hz, p.rate_width_hz) == (30.0, 2.0)
    assert _lif().create(mean_rate="30Hz").mean_rate_hz == 30.0


def test_brian2_quantities():
    b2 = pytest.importorskip("brian2")
    p = _lif().create(tau_m_s=20 * b2.ms, tau_syn=2 * b2.ms, mean_rate_hz=30 * b2.Hz)
    assert (p.tau_m_s, p.tau_syn_s, p.mean_rate_hz) == (0.02, 0.002, 30.0)
    with pytest.raises(ParamError) as info:
        _lif().create(tau_m_s=20 * b2.mV)
    assert str(info.value) == "LifSyncParams.tau_m_s: is a time in s, not a voltage (got 20. mV)"
    with pytest.raises(ParamError, match=r"LifSyncParams.coupling: takes a plain number"):
        _lif().create(coupling=2 * b2.ms)


def test_brian2_cannot_tell_rad_per_s_from_hz():
    b2 = pytest.importorskip("brian2")
    with pytest.raises(ParamError, match=r"cannot tell rad/s from Hz"):
        get_model("kuramoto").params.create(mean_freq_rad_s=2 * b2.Hz)


def test_brian2_is_not_imported_for_plain_values():
    import subprocess
    import sys

    code = (
        "import sys, neurotwin; from neurotwin.registry import get_model;"
        "get_model('lif-sync').params.create(tau_m_s='20 ms', mean_rate='30 Hz');"
        "print('brian2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_wrong_dimension_is_one_line():
    with pytest.raises(ParamError) as info:
        _lif().create(tau_m_s="20 Hz")
    assert str(info.value) == "LifSyncParams.tau_m_s: is a time in s, not a frequency (got '20 Hz')"
    with pytest.raises(ParamError) as info:
        _lif().create(coupling="2 ms")
    assert str(info.value) == (
        "LifSyncParams.coupling: takes a plain number, without a unit (got '2 ms')"
    )


def test_a_name_set_twice_is_refused():
    with pytest.raises(ParamError, match=r"tau_m_s: set twice, as tau_m_s and as tau_m"):
        _lif().create(tau_m_s=0.02, tau_m="20 ms")


def test_a_name_without_suffix_needs_a_unit():
    with pytest.raises(ParamError, match=r"LifSyncParams.tau_m: unknown parameter"):
        _lif().create(tau_m=0.02)


def test_a_string_field_is_never_read_as_a_quantity():
    opts = get_realization("hopfield", "brian2").options
    made = opts.create(device="cpp_standalone", build_dir="20 ms")
    assert made.build_dir == "20 ms"


# -- plausibility --------------------------------------------------------------------


def test_membrane_time_constant_in_ms_is_refused_with_a_suggestion():
    with pytest.raises(ParamError) as info:
        _lif().create(tau_m_s=20)
    assert str(info.value) == (
        "LifSyncParams.tau_m_s: 20 s is not a plausible membrane time constant (1e-4..1 s); "
        "did you mean 20 ms? (got 20)"
    )


def test_plausibility_texts_of_other_kinds():
    opts = get_realization("hopfield", "brian2").options
    with pytest.raises(ParamError) as info:
        opts.create(tau_ref_s=5)
    assert str(info.value) == (
        "Brian2HopfieldOptions.tau_ref_s: 5 s is not a plausible refractory period "
        "(0..0.1 s); did you mean 5 ms? (got 5)"
    )
    with pytest.raises(ParamError) as info:
        get_model("boltzmann").params.create(dt_s=2)
    assert str(info.value) == (
        "BoltzmannParams.dt_s: 2 s is not a plausible time step (1e-8..1 s); "
        "did you mean 2 ms? (got 2)"
    )
    with pytest.raises(ParamError) as info:
        _lif().create(tau_m_s=1e-5)
    assert str(info.value) == (
        "LifSyncParams.tau_m_s: 1e-5 s is not a plausible membrane time constant (1e-4..1 s) "
        "(got 1e-05)"
    )


def test_long_time_scales_of_other_kinds_stay_allowed():
    """Durations, the ring's tau, learning time scales and slow oscillators are not checked."""
    assert get_model("ring-attractor").params.create(tau_s=2.0).tau_s == 2.0
    assert get_model("kuramoto").params.create(dt_s=0.5).dt_s == 0.5
    assert get_model("millennium-bridge").params.create(duration_s=3000.0).duration_s == 3000.0
    assert get_model("bcm").params.create(tau_theta=500.0).tau_theta == 500.0
    assert get_model("stdp").params.create(dt_s=1e-7).dt_s == 1e-7


def test_every_default_and_quick_value_is_plausible():
    for spec in all_models().values():
        spec.params.create()
        spec.params.create(**spec.quick_params)
        for real in spec.realizations.values():
            if real.options is not None:
                real.options.create()


# -- through the router (API and CLI) ------------------------------------------------


def test_run_accepts_a_quantity_for_a_model_parameter():
    a = neurotwin.run("pulse-coupled", n_oscillators=4, duration_s="50 ms", tau_s="10 ms")
    b = neurotwin.run("pulse-coupled", n_oscillators=4, duration_s=0.05, tau=10 * _ms())
    assert a.params == b.params and a.params["duration_s"] == 0.05


def _ms():
    b2 = pytest.importorskip("brian2")
    return b2.ms


def test_run_routes_a_unit_less_name_to_the_options():
    plan = neurotwin.harness.prepare(
        "hopfield", "brian2", None, 0, n_units=20, n_patterns=2, n_cues=1, tau_m="12 ms"
    )
    assert plan.options.tau_m_s == 0.012


def test_cli_set_with_units():
    res = runner.invoke(
        app,
        [
            "run", "pulse-coupled", "--set", "n_oscillators=4", "--set", "duration=50ms",
            "--set", "tau_s=10ms", "--json",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    import json

    params = json.loads(res.stdout)["params"]
    assert params["duration_s"] == 0.05 and params["tau_s"] == 0.01


def test_cli_refuses_an_implausible_bare_number_in_one_line():
    res = runner.invoke(app, ["run", "lif-sync", "--set", "tau_m_s=20"])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "error: LifSyncParams.tau_m_s: 20 s is not a plausible membrane time constant "
        "(1e-4..1 s); did you mean 20 ms? (got 20)"
    )


def test_cli_wrong_dimension_in_one_line():
    res = runner.invoke(app, ["run", "lif-sync", "--set", "tau_m=20Hz"])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "error: LifSyncParams.tau_m_s: is a time in s, not a frequency (got '20Hz')"
    )


def test_compare_rows_see_converted_values():
    from neurotwin import router

    spec = get_model("hopfield")
    real = get_realization("hopfield", "brian2")
    kw = router.row_values(spec, real, "brian2", {}, {"tau_syn": "5 ms", "n_units": 30})
    assert kw == {"tau_syn_s": 0.005, "n_units": 30}
    router.check_names(spec, [real], {"tau_syn": "5 ms"})


def test_numbers_are_exact_after_conversion():
    assert units.convert("20 ms", "s") == 0.02
    assert units.convert("0.3 kHz", "Hz") == 300.0
    assert np.isclose(units.convert("90 deg", "rad"), np.pi / 2)
