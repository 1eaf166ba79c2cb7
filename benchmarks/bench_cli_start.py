"""The command line's start-up cost, as a ratio to a plain script doing the same run.

Each case runs in fresh processes (best of ``--repeats``), side by side in this run:

* ``neurotwin run hopfield --realization brian2 --json`` (N = 200 LIF neurons, 0.24 s,
  numpy target) against a plain script that imports brian2 and runs a network of the
  same size, synapses and duration;
* ``neurotwin run hopfield --json`` (reference) against a plain numpy script storing and
  recalling the same number of patterns.

The goal of the generic-core issue: the CLI within 1.3x of the plain script.

    python benchmarks/bench_cli_start.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

PLAIN_BRIAN2 = """
import numpy as np, brian2 as b2
b2.prefs.codegen.target = "numpy"
rng = np.random.default_rng(0)
n, p = 200, 10
x = rng.choice([-1.0, 1.0], size=(p, n))
w = x.T @ x / n; np.fill_diagonal(w, 0)
g = b2.NeuronGroup(n, "dv/dt = (1 + I_syn + I_cue - v) / (10*ms) : 1 (unless refractory)\\n"
    "dI_syn/dt = -I_syn / (10*ms) : 1\\nI_cue : 1", threshold="v > 1", reset="v = 0",
    refractory=5 * b2.ms, method="exact")
s = b2.Synapses(g, g, "w : 1", on_pre="I_syn_post += w")
i, j = np.nonzero(w); s.connect(i=i, j=j); s.w = w[i, j]
g.I_cue = 2.0 * x[0]
m = b2.SpikeMonitor(g)
net = b2.Network(g, s, m); net.run(0.24 * b2.second)
print(len(m.t))
"""

PLAIN_NUMPY = """
import numpy as np
rng = np.random.default_rng(0)
n, p, c = 200, 10, 10
x = rng.choice([-1.0, 1.0], size=(p, n))
w = x.T @ x / n; np.fill_diagonal(w, 0)
s = x[np.arange(c) % p] * np.where(rng.random((c, n)) < 0.2, -1, 1)
for _ in range(50):
    s = np.where(s @ w >= 0, 1.0, -1.0)
print(float(np.mean(np.sum(s * x[np.arange(c) % p], 1) / n)))
"""


def best(cmd: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=os.environ.copy())
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    exe = [sys.executable, "-m", "neurotwin.cli"]
    cases = {
        "brian2": (
            [*exe, "run", "hopfield", "--realization", "brian2", "--json"],
            [sys.executable, "-c", PLAIN_BRIAN2],
        ),
        "reference": ([*exe, "run", "hopfield", "--json"], [sys.executable, "-c", PLAIN_NUMPY]),
    }
    print(f"load average {os.getloadavg()[0]:.1f}, best of {args.repeats}")
    for name, (cli, plain) in cases.items():
        t_cli, t_plain = best(cli, args.repeats), best(plain, args.repeats)
        print(
            f"{name:10s} CLI {t_cli:6.2f} s   plain {t_plain:6.2f} s   ratio {t_cli / t_plain:.2f}"
        )


if __name__ == "__main__":
    main()
