"""Regression checks: values this code produced once, kept so that a change in them is
seen. They are NOT theory values and no paper gives them; each check names the theory
test it sits beside (where the published number or closed form is tested). A change
here needs an explanation in the commit, not a new constant pasted in."""

from __future__ import annotations

import numpy as np
import pytest

import neurotwin
from neurotwin.rate_models.learning import stdp
from neurotwin.rate_models.synchronization.millennium_bridge import (
    BridgeParams,
    critical_crowd_size,
)


def test_regression_stdp_grid_integral_and_drifts():
    """The STDP window summed on the dt = 0.5 ms grid, and the reduction's drifts at
    w = 0.5 with the default statistics (correlated group up, uncorrelated down). The
    theory (Kempter, Gerstner & van Hemmen 1999: int W = -1e-5 s, causal gain 0.008 s as
    dt -> 0) is tested in tests/learning/test_learning.py."""
    p = stdp.StdpParams.create()
    assert stdp.window_integral(p) == pytest.approx(-4.8755e-6, rel=1e-4)
    drift, _ = stdp.stdp_drift(p, np.full(200, 0.5))
    assert drift[:100].mean() == pytest.approx(0.0146466, rel=1e-4)
    assert drift[100:].mean() == pytest.approx(-0.00022406, rel=1e-3)


def test_regression_lif_phase_reduction_numbers():
    """The LIF network's phase reduction at the defaults (25 Hz, tau_m 20 ms, tau_s 2 ms,
    delay 0.5 ms): kappa = 125.3 rad/s per unit K, lag 0.076 rad, K_c = 0.1005. The
    relation K_c = 2 gamma / (kappa cos alpha) and the order parameter against it are
    tested in tests/synchronization/test_synchronization.py."""
    r = neurotwin.run("lif-sync", "reference", coupling=0.2, seed=0).observables
    assert r["kappa_rad_s"] == pytest.approx(125.3, abs=0.5)
    assert r["phase_lag_rad"] == pytest.approx(0.076, abs=0.005)
    assert r["kc_theory"] == pytest.approx(0.1005, abs=0.001)


def test_regression_bridge_closed_form_at_defaults():
    """N_c = 2 B Omega_0 / (pi G C P(Omega_0)) at the code's default bridge values:
    149.06 pedestrians. The default values themselves are not yet checked against
    Strogatz et al. (2005) (issue 18); the formula is tested in
    tests/synchronization/test_synchronization.py."""
    assert critical_crowd_size(BridgeParams.create()) == pytest.approx(149.06, abs=0.01)
