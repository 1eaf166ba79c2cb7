"""Nengo and Loihi-emulator realizations of ``lif-sync`` (``spiking/synchronization/nengo.py``,
``spiking/synchronization/loihi.py``).

The same LIF network as the Brian2 realization, built through the shared Nengo helpers
(neuron-to-neuron coupling); measured against Brian2 on the same drives, phases and seed.
"""

from __future__ import annotations

import numpy as np
import pytest

import neurotwin
from neurotwin import ParamError

pytest.importorskip("nengo")


def _loihi_usable():
    pytest.importorskip(
        "nengo_loihi", reason='nengo_loihi not installed (pip install -e ".[loihi]")'
    )
    if int(np.__version__.split(".")[0]) >= 2:
        pytest.skip(f"nengo_loihi 1.1.0 needs numpy < 2 (numpy {np.__version__} installed)")


@pytest.mark.slow
@pytest.mark.parametrize("coupling", [0.0, 0.1, 0.2, 0.3])
def test_nengo_matches_brian2_across_the_transition(coupling):
    """N = 100, Lorentzian rates 25 +- 1 Hz, 3 s (default LifSyncParams, seed 0): the
    time-averaged order parameter of Nengo's network is within 0.03 of Brian2's.

    Measured (Nengo / Brian2): K = 0: 0.097 / 0.097; 0.1: 0.373 / 0.374 (the transition,
    where the phase reference says 0.175); 0.2: 0.699 / 0.692; 0.3: 0.781 / 0.769. Mean
    rates agree to 0.05 Hz. The two simulators differ in where a spike falls inside a
    step and when a recurrent spike first acts (one step later in Nengo)."""
    kw = dict(coupling=coupling, seed=0)
    nen = neurotwin.run("lif-sync", "nengo", **kw).observables
    b2 = neurotwin.run("lif-sync", "brian2", **kw).observables
    assert abs(nen["order_parameter"] - b2["order_parameter"]) <= 0.03
    assert abs(nen["mean_rate_hz"] - b2["mean_rate_hz"]) <= 0.2


def test_nengo_uncoupled_rates_are_the_natural_rates():
    """K = 0: each neuron fires at the rate its drive was set for (lif_drive inverts the
    LIF rate exactly); measured mean 24.97 Hz over 100 neurons for 25 +- 1 Hz (Lorentzian
    quantiles clipped to [12.5, 37.5] Hz), within 1 %."""
    r = neurotwin.run("lif-sync", "nengo", coupling=0.0, duration_s=1.0, transient_s=0.5, seed=0)
    w = neurotwin.harness.prepare("lif-sync", "nengo", seed=0, coupling=0.0).weights
    times, idx = r.spikes["neurons"]
    counts = np.bincount(idx, minlength=100)
    assert abs(counts.mean() - w["rate_hz"].mean() * 1.0) <= 0.01 * w["rate_hz"].mean()


def test_loihi_rejects_delays():
    """A delay the user sets is refused (the chip maps none); where the user sets none the
    realization runs without (its own default, below)."""
    _loihi_usable()
    with pytest.raises(ParamError) as info:
        neurotwin.run(
            "lif-sync",
            "loihi-emulator",
            n_neurons=10,
            duration_s=0.2,
            transient_s=0.1,
            delay_s=0.0005,
        )
    assert str(info.value) == (
        "LifSyncParams.delay_s: must be 0 for realization 'loihi-emulator' "
        "(nengo-loihi maps no synaptic delays) (got 0.0005)"
    )


def test_loihi_runs_without_delay_by_default_and_reports_the_chip():
    """The model's default delay (0.5 ms) is replaced by the realization's own default 0,
    recorded in provenance; the chip report names the coupling and counts the run."""
    _loihi_usable()
    r = neurotwin.run("lif-sync", "loihi-emulator", n_neurons=10, duration_s=0.2, transient_s=0.1)
    assert r.params["delay_s"] == 0.0
    assert r.provenance["realization_defaults"] == {"delay_s": 0.0}
    assert r.options == {"initial_voltage": "zero", "max_chips": 1}
    chip = r.provenance["chip"]
    assert chip["target"] == "loihi-emulator" and chip["per"] == "run" and chip["copies"] == 1
    assert chip["weights"]["connection"] == "neurons"
    assert chip["per_network"]["compartments"] == 10 and chip["per_network"]["within_limits"]
    assert chip["per_run"]["spikes"] == len(r.spikes["neurons"][0])


def test_loihi_initial_voltage_can_only_be_zero():
    _loihi_usable()
    with pytest.raises(ParamError) as info:
        neurotwin.run("lif-sync", "loihi-emulator", n_neurons=10, initial_voltage="phase")
    assert str(info.value) == (
        "LoihiLifSyncOptions.initial_voltage: must be one of 'zero' (got 'phase')"
    )


def test_nengo_zero_initial_voltage_starts_every_neuron_at_phase_zero():
    """``initial_voltage="zero"`` (the chip's start): uncoupled, every neuron's first spike
    falls one natural period after t = 0 (to within a step), whatever theta0 says; with
    the default ``"phase"`` the first spikes are spread over the period."""
    kw = dict(n_neurons=10, coupling=0.0, duration_s=0.2, transient_s=0.1, seed=0)
    w = neurotwin.harness.prepare("lif-sync", "nengo", **kw).weights
    period = 1.0 / w["rate_hz"]
    for start, spread in (("zero", False), ("phase", True)):
        r = neurotwin.run("lif-sync", "nengo", initial_voltage=start, **kw)
        assert r.options == {"initial_voltage": start}
        times, idx = r.spikes["neurons"]
        first = np.array([times[idx == i].min() for i in range(10)])
        at_period = np.abs(first - period) <= 2 * r.params["dt_s"]
        assert at_period.all() != spread, (start, first, period)


@pytest.mark.slow
def test_loihi_emulator_locks_like_nengo():
    """Without delay (the chip target has none), N = 100, 1.5 s, seed 0. Measured
    (emulator / float Nengo / Brian2): K = 0: r 0.046 / 0.050 / 0.050, rate 24.13 /
    24.97 / 24.97 Hz; K = 0.3: r 0.814 / 0.834 / 0.830, rate 33.78 / 36.57 / 36.58 Hz.
    Tolerance: r within 0.05 of Nengo and rates within 10 % at K = 0.3. The emulator's
    neurons fire 3-8 % slower (fixed-point decay and bias) and its coupling weights
    lost 3 bits (every weight 5.9 % low: 0.565 for 0.6), both reported in provenance."""
    _loihi_usable()
    kw = dict(coupling=0.3, delay_s=0.0, duration_s=1.5, transient_s=0.75, seed=0)
    chip = neurotwin.run("lif-sync", "loihi-emulator", **kw)
    nen = neurotwin.run("lif-sync", "nengo", **kw).observables
    assert abs(chip.observables["order_parameter"] - nen["order_parameter"]) <= 0.05
    assert abs(chip.observables["mean_rate_hz"] / nen["mean_rate_hz"] - 1) <= 0.10
    q = chip.provenance["chip"]["weights"]
    assert q["connection"] == "neurons"
    assert 0 < q["error_max"] < 0.1 and q["zeroed"] == 0
    names = {w["name"] for w in chip.provenance["warnings"]}
    assert "nonzero-initial-state" not in names  # the chip path starts at zero on purpose
