"""Synaptic events per second: the Hopfield Brian2 realization against a hand-written
Brian2 CUBA-style network of the same size, synapse count, rate and device, in one run.

* **Hopfield**: ``neurotwin.harness.prepare / build / run_built`` (what
  ``neurotwin.run("hopfield", "brian2", device="cpp_standalone", ...)`` calls, split so
  the compiled network is re-run), ``n_cues`` copies of ``n_units`` LIF units with
  block-diagonal synapses from W.
* **CUBA peer**: the same number of LIF neurons (tau_m, refractory period, threshold 1,
  reset 0) with exponential current synapses (``I_syn_post += w``, tau_syn), each
  neuron projecting to as many random targets as a Hopfield unit has (its out-degree,
  N - 1 for Hebbian W), weights excitatory/inhibitory in the CUBA proportion (80/20,
  inhibition 4x stronger: balanced, Brette et al. 2007), a constant drive per neuron
  chosen so that the neuron fires at the Hopfield run's mean rate, a SpikeMonitor; the
  same dt, duration, device and OpenMP threads. Built and compiled once, the binary
  timed like the Hopfield network's.

Synaptic events = sum over neurons of spikes x out-degree (from the spike monitors and
the connectivity). Reported: events/s of the compiled binary's run (best of
``--repeat`` re-runs, interleaved), of the whole re-run through the harness (binary
plus reading the monitors and decoding), and their ratio to the peer (goal >= 0.8); also
of the simulation loop alone (Brian2's own timing of ``network.run`` inside the binary),
since at small sizes starting the binary and loading the synapse arrays cost more than
the loop.
Timings are ratios in one process, never asserted; the load average is printed.

Run: ``python benchmarks/bench_brian2_events.py [--n-units 400 --n-patterns 10
--n-cues 5 --openmp-threads N --repeat 3 --seed 0]``
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time

import numpy as np

from neurotwin.harness import build, prepare, run_built
from neurotwin.spiking._brian2 import standalone
from neurotwin.spiking.hopfield.recall import on_rate_hz

#: CUBA proportions (Brette et al. 2007): 80 % excitatory, inhibition 4x stronger
EXCITATORY = 0.8
INHIBITION_RATIO = 4.0


def drive_for_rate(rate_hz: float, tau_m: float, tau_ref: float) -> float:
    """Constant input (threshold 1, reset 0) of a LIF firing at ``rate_hz``:
    1 / r = tau_ref + tau_m ln(I / (I - 1))  =>  I = 1 / (1 - exp(-(1/r - tau_ref) / tau_m))."""
    free = 1.0 / rate_hz - tau_ref
    if free <= 0:
        raise ValueError(f"rate {rate_hz} Hz is beyond 1 / tau_ref")
    return 1.0 / (1.0 - np.exp(-free / tau_m))


class Cuba:
    """The hand-written peer, built and compiled on its own cpp_standalone device."""

    def __init__(self, n, out_degree, rate_hz, opts, seed, threads, folder):
        import brian2 as b2

        rng = np.random.default_rng(seed)
        self.folder = folder
        with standalone(folder, threads) as device:
            b2.seed(seed)
            clock = b2.Clock(dt=opts.dt_s * b2.second)
            drive = drive_for_rate(rate_hz, opts.tau_m_s, opts.tau_ref_s)
            g = b2.NeuronGroup(
                n,
                "dv/dt = (I_drive + I_syn - v) / tau_m : 1 (unless refractory)\n"
                "dI_syn/dt = -I_syn / tau_syn : 1\nI_drive : 1 (constant)",
                threshold="v >= 1",
                reset="v = 0",
                refractory=opts.tau_ref_s * b2.second,
                method="euler",
                clock=clock,
            )
            g.v = rng.random(n)
            g.I_drive = drive
            # each neuron to out_degree[j] random other neurons
            pre = np.repeat(np.arange(n), out_degree)
            post = (pre + rng.integers(1, n, len(pre))) % n
            exc = rng.random(n) < EXCITATORY
            # balanced: mean input 0, fluctuations of the order of the drive's distance
            # to threshold / 10 at the target rate (the rate stays near the target)
            we = 0.1 * (drive - 1.0) / max(1.0, rate_hz * opts.tau_syn_s * out_degree.mean())
            w = np.where(exc[pre], we, -INHIBITION_RATIO * we)
            s = b2.Synapses(g, g, "w : 1 (constant)", on_pre="I_syn_post += w", clock=clock)
            s.connect(i=pre, j=post)
            s.w = w
            self.spikes = b2.SpikeMonitor(g)
            net = b2.Network(g, s, self.spikes)
            net.run(
                opts.n_windows * opts.steps_per_window * opts.dt_s * b2.second,
                namespace={
                    "tau_m": opts.tau_m_s * b2.second,
                    "tau_syn": opts.tau_syn_s * b2.second,
                },
            )
            device.build(directory=folder, compile=True, run=False, with_output=False)
        self.device = device
        self.n = n
        self.out_degree = np.bincount(pre, minlength=n)

    def run(self) -> tuple[float, float, int, int]:
        """Seconds of the binary's run and of its simulation loop, synaptic events, spikes."""
        t0 = time.perf_counter()
        self.device.run(directory=self.folder, with_output=False)
        seconds = time.perf_counter() - t0
        counts = np.bincount(np.asarray(self.spikes.i[:]), minlength=self.n)
        return seconds, loop_seconds(self.device), int(counts @ self.out_degree), int(counts.sum())


def loop_seconds(device) -> float:
    """The simulation loop's time inside the binary (Brian2 writes it to
    results/last_run_info.txt; the device reads it into ``_last_run_time``), without the
    process start, the loading of the arrays and the writing of the results."""
    return float(device._last_run_time)


def hopfield_events(result, out_degree: np.ndarray, n_total: int) -> tuple[int, int]:
    counts = np.bincount(result.spikes["units"][1], minlength=n_total)
    return int(counts @ out_degree), int(counts.sum())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-units", type=int, default=400)
    ap.add_argument("--n-patterns", type=int, default=10)
    ap.add_argument("--n-cues", type=int, default=5)
    ap.add_argument("--openmp-threads", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    print(f"# {command}")
    print(f"# load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    kw = dict(
        n_units=args.n_units, n_patterns=args.n_patterns, n_cues=args.n_cues,
        device="cpp_standalone", openmp_threads=args.openmp_threads,
    )  # fmt: skip
    plan = prepare("hopfield", "brian2", seed=args.seed, **kw)
    opts = plan.options
    n_total = args.n_units * args.n_cues
    w = np.asarray(plan.weights["W"])
    out_degree = np.tile(np.count_nonzero(w, axis=0), args.n_cues)  # column j: j's targets
    t0 = time.perf_counter()
    built = build(plan)
    hop_build = time.perf_counter() - t0
    first = run_built(built)
    rate = first.observables["mean_rate_hz"]

    with tempfile.TemporaryDirectory(prefix="bench-cuba-") as folder:
        t0 = time.perf_counter()
        cuba = Cuba(n_total, out_degree, rate, opts, args.seed, args.openmp_threads, folder)
        cuba_build = time.perf_counter() - t0
        hop_loop, hop_bin, hop_whole, cuba_loop, cuba_bin = [], [], [], [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            r = run_built(built)
            hop_whole.append(time.perf_counter() - t0)
            hop_bin.append(r.provenance["run_time_s"])
            hop_loop.append(loop_seconds(built.network.device))
            seconds, loop, cuba_events, cuba_spikes = cuba.run()
            cuba_bin.append(seconds)
            cuba_loop.append(loop)
    built.network.close()
    hop_ev, hop_spikes = hopfield_events(r, out_degree, n_total)
    duration = opts.n_windows * opts.steps_per_window * opts.dt_s

    def line(what, events, seconds, spikes):
        return (
            f"{what:<34} {events / min(seconds):12.3g} {events:12d} {min(seconds):8.3f} "
            f"{spikes / (n_total * duration):8.1f}"
        )

    print(
        f"# {n_total} neurons ({args.n_cues} cues x {args.n_units} units, P = "
        f"{args.n_patterns}), {int(out_degree.sum())} synapses, {duration:g} s simulated, "
        f"dt {opts.dt_s:g} s, cpp_standalone, openmp_threads {args.openmp_threads}; "
        f"builds: hopfield {hop_build:.1f} s, CUBA {cuba_build:.1f} s; on-rate "
        f"{on_rate_hz(opts):.0f} Hz"
    )
    print(f"{'what':<34} {'events/s':>12} {'events':>12} {'seconds':>8} {'rate Hz':>8}")
    print(line("hopfield/brian2 simulation loop", hop_ev, hop_loop, hop_spikes))
    print(line("hopfield/brian2 binary", hop_ev, hop_bin, hop_spikes))
    print(line("hopfield/brian2 run_built (whole)", hop_ev, hop_whole, hop_spikes))
    print(line("CUBA peer simulation loop", cuba_events, cuba_loop, cuba_spikes))
    print(line("CUBA peer binary", cuba_events, cuba_bin, cuba_spikes))
    peer_loop = cuba_events / min(cuba_loop)
    peer = cuba_events / min(cuba_bin)
    print(
        f"ratio hopfield/CUBA events/s (goal >= 0.8): simulation loop "
        f"{hop_ev / min(hop_loop) / peer_loop:.2f}, binary {hop_ev / min(hop_bin) / peer:.2f}, "
        f"whole re-run against the peer's binary {hop_ev / min(hop_whole) / peer:.2f}"
    )
    print(f"# load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
