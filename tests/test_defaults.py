"""Every (model, realization) pair that ``neurotwin list`` shows as available runs on its
default parameters, through the CLI a user calls, and gives a finite key observable.

Pairs whose default run takes long are marked slow (they run in CI too); the times are
measured on this project's 2-core machine (default environment, or the [loihi] one for
the emulator), under load from other jobs.
"""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from neurotwin.cli import app
from neurotwin.registry import all_models

#: measured wall time of the default run, seconds (pairs over ~10 s are marked slow)
LONG = {
    ("bcm", "nengo"): 49,
    ("oja", "nengo"): 17,
    ("stdp", "brian2"): 15,
    ("pulse-coupled", "brian2"): 14,
    ("pes-readout", "nengo"): 13,
    ("pes-readout", "loihi-emulator"): 158,
    ("lif-sync", "brian2"): 10,
    ("hopfield", "loihi-emulator"): 10,
    ("torus-attractor", "brian2"): 30,
    ("mcculloch-pitts", "brian2"): 16,
    ("palimpsest-hopfield", "brian2"): 19,
}


def _cases():
    for model, spec in all_models().items():
        for name, real in spec.realizations.items():
            marks = []
            why = real.why_unavailable()
            if why is not None:
                marks.append(pytest.mark.skip(reason=why))
            if (model, name) in LONG:
                marks.append(pytest.mark.slow)
            yield pytest.param(model, name, marks=marks, id=f"{model}-{name}")


@pytest.mark.parametrize(("model", "realization"), list(_cases()))
def test_defaults_run_through_the_cli(model, realization):
    res = CliRunner().invoke(app, ["run", model, "--realization", realization, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    key = all_models()[model].key_observable
    value = out["observables"][key]
    assert isinstance(value, (int, float)) and math.isfinite(value), (key, value)
