"""McCulloch-Pitts gates as spiking LIF neurons (Brian2): error rate of every gate vs the
input rate and vs the inputs' onset jitter, and a raster of the XOR network.

Source: McCulloch & Pitts (1943) Bull. Math. Biophys. 5, 115 (the gates and their truth
tables, ``rate_models/perceptron/mcculloch_pitts.py``). The predicted rate ranges come
from the mean drive of each unit (``spiking/perceptron/mcculloch_pitts_brian2.py``).
Each experiment has a ``-quick`` variant.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import xarray as xr

from neurotwin.results import Result
from neurotwin.sweep import Experiment, register_experiment, summary_value

GATES = ["AND", "OR", "NOT", "NAND", "XOR"]
#: the network's design rate (the option's default), Hz
DESIGN_RATE_HZ = 100.0


def _r(v) -> float | None:
    return summary_value(v, 4)


def worst_row_error(result: Result) -> float:
    """The largest error rate of any input row."""
    return float(np.max(result.observables["error_rate_per_row"]))


def correct_range(ds: xr.Dataset, axis: str, gate: str, bound: float = 0.05) -> list:
    """[first, last] grid value of the contiguous run, around the design point, where the
    gate's mean worst-row error over seeds is at most ``bound``."""
    x = np.asarray(ds[axis].values, dtype=float)
    err = ds["worst_row_error"].sel(gate=gate).mean("seed").values
    ok = err <= bound
    if not ok.any():
        return [None, None]
    start = int(np.argmin(np.abs(x - (DESIGN_RATE_HZ if axis == "rate_hz" else 0.0))))
    if not ok[start]:
        return [None, None]
    lo = hi = start
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    while hi < len(x) - 1 and ok[hi + 1]:
        hi += 1
    return [_r(x[lo]), _r(x[hi])]


def _summary(ds: xr.Dataset, axis: str) -> dict:
    out: dict = {
        "source": "McCulloch & Pitts (1943): truth tables; predicted rate ranges from the "
        "units' mean drive (r/r0: AND 0.75-1.5, OR and NOT > 0.5, NAND and XOR 0.5-1.5)",
        "n_seeds": int(ds.sizes["seed"]),
        "error_rate": {},
        "worst_row_error": {},
        "median_latency_ms": {},
        f"correct_{axis}_range (worst row <= 0.05)": {},
    }
    for gate in ds["gate"].values:
        g = str(gate)
        sub = ds.sel(gate=gate)
        x = ds[axis].values
        out["error_rate"][g] = {
            f"{axis}={v:g}": _r(e)
            for v, e in zip(x, sub["error_rate"].mean("seed").values, strict=True)
        }
        out["worst_row_error"][g] = {
            f"{axis}={v:g}": _r(e)
            for v, e in zip(x, sub["worst_row_error"].mean("seed").values, strict=True)
        }
        out["median_latency_ms"][g] = {
            f"{axis}={v:g}": _r(1000 * e)
            for v, e in zip(x, sub["latency_s"].median("seed").values, strict=True)
        }
        out[f"correct_{axis}_range (worst row <= 0.05)"][g] = correct_range(ds, axis, g)
    return out


def _xor_raster(ax) -> None:
    import neurotwin
    from neurotwin.plotting import perceptron as plot

    res = neurotwin.run("mcculloch-pitts", "brian2", seed=0, gate="XOR")
    rows = np.asarray(res.observables["presentation_row"])
    labels = {0: "00→0", 1: "01→1", 2: "10→1", 3: "11→0"}
    plot.raster(res.spikes, res.options["present_s"], rows, labels, ax=ax)
    ax.set_title("XOR network (OR, NAND → AND): inputs, hidden units, output; seed 0")


def rate_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import perceptron as plot
    from neurotwin.plotting import plt, save

    fig, axes = plt.subplots(2, 1, figsize=(10, 9))
    plot.error_vs(
        ds,
        "rate_hz",
        "input rate of a logical 1 (Hz per fibre)",
        ax=axes[0],
        design_rate_hz=DESIGN_RATE_HZ,
    )
    axes[0].set_title(
        f"Spiking McCulloch-Pitts gates: error vs input rate ({ds.sizes['seed']} seeds)"
    )
    _xor_raster(axes[1])
    fig.tight_layout()
    return save(fig, path)


def jitter_figure(ds: xr.Dataset, path: Path) -> Path:
    from neurotwin.plotting import perceptron as plot
    from neurotwin.plotting import save

    fig = plot.error_vs(ds, "jitter_s", "onset jitter of each input line (ms, uniform [0, J))")
    fig.axes[0].set_title(
        f"Spiking McCulloch-Pitts gates: error vs jitter ({ds.sizes['seed']} seeds)"
    )
    return save(fig, path)


def _mp_rates(quick: bool = False) -> Experiment:
    if quick:
        gates, rates, seeds, reps = ["AND", "XOR"], [50.0, 100.0, 200.0], (0,), 5
    else:
        gates, rates, seeds, reps = (
            GATES,
            [25.0, 50.0, 70.0, 85.0, 100.0, 130.0, 160.0, 200.0, 300.0],
            (0, 1, 2),
            10,
        )
    return Experiment(
        name="mp-rate-range" + ("-quick" if quick else ""),
        model="mcculloch-pitts",
        realizations=("brian2",),
        grid={"gate": gates, "rate_hz": rates},
        seeds=seeds,
        fixed={"n_repeats": reps},
        observables=("error_rate", "input_error_rate", "latency_s"),
        derived={"worst_row_error": worst_row_error},
        figure=rate_figure,
        summary=partial(_summary, axis="rate_hz"),
        description="Error rate of the spiking McCulloch-Pitts gates (LIF units built for "
        "100 Hz Poisson inputs) vs the rate actually sent, against each gate's predicted "
        "range; with a raster of the XOR network.",
        quick=None if quick else partial(_mp_rates, quick=True),
    )


def _mp_jitter(quick: bool = False) -> Experiment:
    if quick:
        gates, jit, seeds, reps = ["AND", "XOR"], [0.0, 0.02, 0.04], (0,), 5
    else:
        gates, jit, seeds, reps = GATES, [0.0, 0.005, 0.01, 0.02, 0.03, 0.04], (0, 1, 2), 10
    return Experiment(
        name="mp-jitter" + ("-quick" if quick else ""),
        model="mcculloch-pitts",
        realizations=("brian2",),
        grid={"gate": gates, "jitter_s": jit},
        seeds=seeds,
        fixed={"n_repeats": reps},
        observables=("error_rate", "input_error_rate", "latency_s"),
        derived={"worst_row_error": worst_row_error},
        figure=jitter_figure,
        summary=partial(_summary, axis="jitter_s"),
        description="Error rate of the spiking McCulloch-Pitts gates when each input line "
        "switches a random delay (uniform in [0, J)) after its window opens: how much "
        "asynchrony between the inputs each gate tolerates (50 ms windows, read-out from 10 ms).",
        quick=None if quick else partial(_mp_jitter, quick=True),
    )


for _factory in (_mp_rates, _mp_jitter):
    register_experiment(_factory())
