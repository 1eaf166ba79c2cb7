"""Peers doing the same job: each model through the public API (``neurotwin.run``) as a
ratio to a peer timed in the same process, on the same data.

* ``rbm``: PCD-1 training on the binarized digits (1797 images, the model's default data
  set), 16 hidden units, 20 epochs, batch 20, learning rate 0.1, against scikit-learn's
  ``BernoulliRBM`` (also PCD-1 with ``batch_size`` persistent chains) with the same
  budget. Differences the two do not let us close: the visible biases start at the data's
  log-odds here and at 0 in scikit-learn; here the batches are reshuffled every epoch,
  scikit-learn slices the data in order; our run also samples (``n_samples=1``,
  ``n_chains=1``: one Gibbs sweep) and computes its observables (the exact
  log-likelihood and pseudo-likelihood of all 1797 images). Rows at ``score_every`` 10
  (the default), 20 (epochs 0 and 20 only) and 1 (every epoch: the cost before this
  option). Quality: the exact pseudo-likelihood of each trained model on the data.
  Goal: <= 2x at the default.
* ``hebbian-ica``: the default run (3 Laplacian sources, 5000 samples, 3 epochs) against
  scikit-learn's ``FastICA`` on the same samples (the observables' own settings), with
  both Amari indices. The run's observables fit that same FastICA once per data set (a
  cache): one row with a new seed per run (FastICA included in ours), one repeating a
  seed (cached). Goal: <= 3x.
* ``kuramoto``: a networked run at N = 4000 (Erdos-Renyi p = 0.1: CSR; p = 0.5: dense),
  given the drawn weights and inputs, against the same integration with the earlier
  right-hand side (the float adjacency times complex exp(i theta), a copy below):
  goal <= 1/3 (>= 3x faster), and the largest difference of r(t) between them. Then
  N = 100,000 (p = 1e-4, mean degree about 10), ours alone (a dense float adjacency
  would need 80 GB): goal "runs".

Every time is the median of ``--repeats`` runs after one warm-up run (imports, numba's
cache, scikit-learn's first call); ours and the peer alternate. BLAS threads and the load
average are printed; on a shared machine the ratios, not the seconds, are the result.

Run: ``python benchmarks/bench_peers.py [--repeats 3] [--kuramoto-duration 2.0]
[--skip-100k]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import neurotwin
from neurotwin.harness import prepare
from neurotwin.rate_models.boltzmann import rbm
from neurotwin.rate_models.learning.hebbian_ica import amari_index
from neurotwin.rate_models.synchronization import phases

RBM_BUDGET = dict(n_hidden=16, n_epochs=20, batch_size=20, learning_rate=0.1)


def threads() -> str:
    from threadpoolctl import threadpool_info

    return ", ".join(f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info())


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def median_pair(ours, peer, repeats: int) -> tuple[float, float, object, object]:
    """Median seconds of ``ours(i)`` and ``peer(i)``, alternated, after one warm-up each."""
    ours(-1)
    peer(-1)
    t_ours, t_peer = [], []
    for i in range(repeats):
        dt, out_ours = timed(lambda i=i: ours(i))
        t_ours.append(dt)
        dt, out_peer = timed(lambda i=i: peer(i))
        t_peer.append(dt)
    return statistics.median(t_ours), statistics.median(t_peer), out_ours, out_peer


def row(name, ours, peer, goal, quality) -> dict:
    ratio = ours / peer if peer else float("nan")
    return dict(name=name, ours=ours, peer=peer, ratio=ratio, goal=goal, quality=quality)


# -- rbm ---------------------------------------------------------------------------------


def bench_rbm(repeats: int) -> list[dict]:
    from sklearn.neural_network import BernoulliRBM

    data = rbm.binary_digits().astype(np.float64)
    rows = []

    def peer(i):
        return BernoulliRBM(
            n_components=RBM_BUDGET["n_hidden"],
            learning_rate=RBM_BUDGET["learning_rate"],
            batch_size=RBM_BUDGET["batch_size"],
            n_iter=RBM_BUDGET["n_epochs"],
            random_state=i + 1,
        ).fit(data)

    for every, goal in ((10, "<= 2 (default)"), (20, "-"), (1, "- (every epoch)")):

        def ours(i, every=every):
            return neurotwin.run(
                "rbm",
                "reference",
                seed=i + 1,  # a new seed per run: no cached log Z from an earlier run
                training="pcd",
                cd_k=1,
                n_samples=1,
                n_chains=1,
                score_every=every,
                **RBM_BUDGET,
            )

        t_ours, t_peer, res, fitted = median_pair(ours, peer, repeats)
        pl_peer = rbm.pseudo_likelihood(
            data, fitted.components_.T, fitted.intercept_visible_, fitted.intercept_hidden_
        )
        quality = (
            f"PL ours {res.observables['pseudo_likelihood']:.2f}, "
            f"sklearn {pl_peer:.2f} nats; curve epochs {len(res.observables['curve_epoch'])}"
        )
        rows.append(row(f"rbm score_every={every}", t_ours, t_peer, goal, quality))
    return rows


# -- hebbian-ica ---------------------------------------------------------------------------


def bench_ica(repeats: int) -> list[dict]:
    from sklearn.decomposition import FastICA

    rows = []
    plans = {}  # seed -> the run's drawn samples and mixing, for the peer
    for label, seed_of in (("new seed per run", lambda i: 100 + i), ("same seed", lambda i: 0)):

        def ours(i, seed_of=seed_of):
            return neurotwin.run("hebbian-ica", "reference", seed=seed_of(i))

        def peer(i, seed_of=seed_of):
            seed = seed_of(i)
            if seed not in plans:  # drawn before the timing (the loop below)
                plans[seed] = prepare("hebbian-ica", "reference", None, seed)
            plan = plans[seed]
            ica = FastICA(n_components=3, whiten="unit-variance", random_state=0, max_iter=1000)
            ica.fit(plan.inputs["x"])
            return amari_index(ica.components_ @ plan.weights["mixing"])

        for i in range(-1, repeats):  # draw the peer's data before any timing
            peer(i)
        t_ours, t_peer, res, peer_amari = median_pair(ours, peer, repeats)
        quality = f"Amari ours {res.observables['amari_index']:.4f}, FastICA {peer_amari:.4f}"
        rows.append(row(f"hebbian-ica ({label})", t_ours, t_peer, "<= 3", quality))
    return rows


# -- kuramoto ------------------------------------------------------------------------------


def complex_drift(omega, coupling, phase_lag, adjacency):
    """The networked right-hand side before this benchmark's change (a copy): the float
    adjacency times complex exp(i theta), which casts A to complex at every call."""
    lag = np.exp(-1j * phase_lag)
    kbar = adjacency.sum() / len(omega)
    scale = coupling / kbar if kbar > 0 else 0.0

    def f(theta):
        z = np.exp(1j * theta)
        return omega + scale * np.imag((adjacency @ z) * lag * np.conj(z))

    return f


def bench_kuramoto(repeats: int, duration: float, skip_100k: bool) -> list[dict]:
    rows = []
    common = dict(coupling=3.0, duration_s=duration, transient_s=duration / 2, dt_s=0.05)
    for p in (0.1, 0.5):
        values = dict(n_oscillators=4000, topology="erdos-renyi", edge_prob=p, **common)
        plan = prepare("kuramoto", "reference", None, 0, **values)
        weights, inputs = plan.weights, plan.inputs
        dense = weights["adjacency"]
        dense = dense.toarray() if hasattr(dense, "toarray") else np.asarray(dense)
        n_steps = int(round(duration / 0.05))

        def ours(i, weights=weights, inputs=inputs, values=values):
            return neurotwin.run("kuramoto", weights=weights, inputs=inputs, seed=0, **values)

        def before(i, dense=dense, weights=weights, inputs=inputs, n_steps=n_steps):
            f = complex_drift(weights["omega"], 3.0, 0.0, dense)
            z = phases.integrate_phases(f, inputs["theta0"], 0.05, n_steps)
            return np.abs(z)

        t_ours, t_before, res, r_before = median_pair(ours, before, repeats)
        fmt = res.provenance["adjacency_format"]
        diff = np.abs(np.asarray(res.traces["r"]) - r_before).max()
        quality = f"{fmt}; max |r - r_before| {diff:.1e}; {n_steps} RK4 steps"
        rows.append(row(f"kuramoto N=4000 p={p}", t_ours, t_before, "<= 0.33", quality))
    if not skip_100k:
        values = dict(n_oscillators=100_000, topology="erdos-renyi", edge_prob=1e-4, **common)
        t, res = timed(lambda: neurotwin.run("kuramoto", seed=0, **values))
        quality = (
            f"{res.provenance['adjacency_format']}; r {res.observables['order_parameter']:.3f}"
        )
        rows.append(row("kuramoto N=100000 p=1e-4", t, float("nan"), "runs", quality))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--kuramoto-duration", type=float, default=2.0, help="simulated s")
    ap.add_argument("--skip-100k", action="store_true")
    ap.add_argument("--only", choices=("rbm", "ica", "kuramoto"), action="append")
    args = ap.parse_args()
    only = set(args.only or ("rbm", "ica", "kuramoto"))
    print(f"# threads: {threads()}; cores {os.cpu_count()}")
    print(f"# load average before: {os.getloadavg()[0]:.2f}")
    rows = []
    if "rbm" in only:
        rows += bench_rbm(args.repeats)
    if "ica" in only:
        rows += bench_ica(args.repeats)
    if "kuramoto" in only:
        rows += bench_kuramoto(args.repeats, args.kuramoto_duration, args.skip_100k)
    print(f"| {'name':34} | ours s | peer s | ratio | goal | quality |")
    print("|" + "---|" * 6)
    for r in rows:
        print(
            f"| {r['name']:34} | {r['ours']:.3f} | {r['peer']:.3f} | {r['ratio']:.2f} "
            f"| {r['goal']} | {r['quality']} |"
        )
    print(f"# load average after: {os.getloadavg()[0]:.2f}; threads: {threads()}")


if __name__ == "__main__":
    main()
