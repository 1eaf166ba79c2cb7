"""Brian2 imported without pylab (``neurotwin.spiking._brian2.import_without_pylab``),
as the workers of a sweep's own local cluster import it: no matplotlib.pyplot, the same
simulation, pylab importable again afterwards. Each case in a fresh interpreter, since
this process may have imported Brian2 already."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("brian2")

PROBE = """
import json, sys
{before}
import brian2
out = {{
    "pyplot": "matplotlib.pyplot" in sys.modules,
    "plot": hasattr(brian2, "plot"),
    "pylab_blocked": "pylab" in sys.modules and sys.modules["pylab"] is None,
}}
brian2.prefs.codegen.target = "numpy"
g = brian2.NeuronGroup(3, "dv/dt = -v / (10*ms) : 1", method="exact")
g.v = 1
brian2.run(5 * brian2.ms)
out["v"] = [float(x) for x in g.v]
import pylab  # importable again: only Brian2's own import went without it
out["pylab_after"] = hasattr(pylab, "plot")
print(json.dumps(out))
"""


def probe(before: str) -> dict:
    code = PROBE.format(before=before)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_without_pylab_skips_pyplot_and_simulates_the_same():
    """Exact solution: v(t) = exp(-t / tau), so v(5 ms) = exp(-0.5) with tau = 10 ms;
    the plain import (which does import pyplot and re-export its names) gives the same."""
    plain = probe("")
    lean = probe(
        "from neurotwin.spiking._brian2 import import_without_pylab; import_without_pylab()"
    )
    assert plain["pyplot"] and plain["plot"]  # what the lean import leaves out
    assert not lean["pyplot"] and not lean["plot"] and not lean["pylab_blocked"]
    assert lean["pylab_after"] and plain["pylab_after"]
    assert lean["v"] == plain["v"]
    assert lean["v"] == pytest.approx([0.6065306597] * 3, rel=1e-9)


def test_without_pylab_leaves_an_imported_brian2_alone():
    """Brian2 already imported (with pylab): the call changes nothing."""
    out = probe(
        "import brian2\n"
        "from neurotwin.spiking._brian2 import import_without_pylab; import_without_pylab()"
    )
    assert out["pyplot"] and out["plot"] and not out["pylab_blocked"]
