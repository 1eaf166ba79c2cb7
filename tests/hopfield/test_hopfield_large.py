"""The Hopfield reference at scale: float32 Hebbian sums, the factored form, memory and
cost refusals (rate_models/hopfield/{storage,recall}.py)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import neurotwin
from neurotwin import ParamError
from neurotwin.harness import prepare
from neurotwin.rate_models.hopfield import hopfield as hf
from neurotwin.rate_models.hopfield import recall, storage

CASES = [
    dict(update=u, temperature=t, threshold=thr, n_units=n, n_patterns=p, n_cues=6)
    for u in ("async", "sync")
    for t in (0.0, 0.3)
    for thr in (0.0, 0.05)
    for n, p in ((120, 12), (300, 45))
]


def _float64_states(kw: dict, seed: int) -> np.ndarray:
    """The same run on the float64 W (the pre-float32 path), from the same arrays."""
    plan = prepare("hopfield", "reference", None, seed, **kw)
    w = storage.hebbian(plan.weights["patterns"])
    run = hf.async_recall if kw["update"] == "async" else hf.sync_recall
    rng = np.random.default_rng(plan.sim_seed)
    return run(w, plan.weights["U"], plan.inputs["cues"], rng, kw["temperature"], 100)[0]


@pytest.mark.parametrize("kw", CASES, ids=lambda kw: "-".join(f"{v}" for v in kw.values()))
@pytest.mark.parametrize("form", ["dense", "factored"])
def test_float32_and_factored_give_the_float64_states(kw, form):
    """Hebbian sums are integers, exact in float32 (below 2^24), so the float32 sums and
    the factored fields decide every unit as the float64 W does: the same states, step
    by step (at T > 0 too: the same Glauber draws, since the fields agree)."""
    for seed in (0, 1):
        r = neurotwin.run("hopfield", weights_form=form, seed=seed, **kw)
        np.testing.assert_array_equal(r.traces["state"], _float64_states(kw, seed))
        expect = "factored" if form == "factored" else "dense-counts"
        if form == "dense" and kw["temperature"] > 0:
            expect = "dense-float64"
        assert r.provenance["weights_form"] == expect


def test_energy_from_overlaps_equals_the_quadratic_form():
    r = neurotwin.run("hopfield", update="sync", n_units=150, n_patterns=20, threshold=0.03,
                      cue_noise=0.3, seed=2)  # fmt: skip
    plan = prepare("hopfield", "reference", None, 2, update="sync", n_units=150,
                   n_patterns=20, threshold=0.03, cue_noise=0.3)  # fmt: skip
    e = hf.energy(r.traces["state"], plan.weights["W"], plan.weights["U"])
    np.testing.assert_allclose(r.observables["energy"], e, rtol=1e-12, atol=1e-12)


def test_reference_never_forms_the_float64_w():
    plan = prepare("hopfield", "reference", None, 0, n_units=300, n_patterns=10)
    assert isinstance(plan.weights, storage.HebbianWeights) and not plan.weights.formed
    from neurotwin.harness import execute

    execute(plan)
    assert not plan.weights.formed
    assert "W" in plan.weights and sorted(plan.weights) == ["U", "W", "patterns"]
    np.testing.assert_array_equal(plan.weights["W"], storage.hebbian(plan.weights["patterns"]))
    assert plan.weights.formed


def test_random_patterns_row_by_row_are_the_one_block_draw():
    a = storage.random_patterns(7, 333, np.random.default_rng(4))
    b = np.where(np.random.default_rng(4).random((7, 333)) < 0.5, -1, 1).astype(np.int8)
    np.testing.assert_array_equal(a, b)


def test_auto_takes_factored_when_w_does_not_fit(monkeypatch):
    kw = dict(n_units=400, n_patterns=20, n_cues=4, seed=3)
    dense = neurotwin.run("hopfield", **kw)
    assert dense.provenance["weights_form"] == "dense-counts"
    monkeypatch.setattr(neurotwin.budget, "available_memory", lambda: 500_000)
    auto = neurotwin.run("hopfield", **kw)
    assert auto.provenance["weights_form"] == "factored"
    np.testing.assert_array_equal(auto.traces["state"], dense.traces["state"])


def test_blocked_factored_product_and_count_fallback_agree(monkeypatch):
    """Beyond 2^24 the factored product is summed over blocks of patterns in float64,
    and the dense form falls back to float64 W: forced here with a small limit."""
    kw = dict(update="sync", n_units=200, n_patterns=30, n_cues=5, cue_noise=0.3, seed=5)
    ref = neurotwin.run("hopfield", **kw)
    monkeypatch.setattr(recall, "EXACT_FLOAT32", 300)
    monkeypatch.setattr(storage, "EXACT_FLOAT32", 300)
    fact = neurotwin.run("hopfield", weights_form="factored", **kw)
    dense = neurotwin.run("hopfield", weights_form="dense", **kw)
    assert dense.provenance["weights_form"] == "dense-float64"
    np.testing.assert_array_equal(fact.traces["state"], ref.traces["state"])
    np.testing.assert_array_equal(dense.traces["state"], ref.traces["state"])


# -- refusals: one line, before anything is drawn ------------------------------------------


def test_factored_needs_hebbian_storage():
    with pytest.raises(ParamError) as info:
        neurotwin.run("hopfield", storage="storkey", weights_form="factored")
    assert str(info.value) == (
        "ReferenceOptions.weights_form: 'factored' needs storage='hebbian' and asymmetry=0, "
        "the rule whose W is a product of the patterns (got 'factored')"
    )
    with pytest.raises(ParamError) as info:
        neurotwin.run("hopfield", weights_form="sparse")
    assert str(info.value) == (
        "ReferenceOptions.weights_form: must be one of 'auto', 'dense', 'factored' (got 'sparse')"
    )


def test_huge_network_refused_before_allocation(monkeypatch):
    def no_draw(*args, **kwargs):
        raise AssertionError("drew patterns for a run that cannot fit")

    monkeypatch.setattr(hf, "random_patterns", no_draw)
    with pytest.raises(ParamError) as info:
        neurotwin.run("hopfield", n_units=1_000_000_000)
    msg = str(info.value)
    assert "\n" not in msg
    assert re.fullmatch(
        r"HopfieldParams\.n_units: the run needs about [\d.e+]+ GiB of memory, [\d.e+]+ GiB "
        r"is available \(got 1000000000\)",
        msg,
    ), msg


def test_endless_sweeps_at_temperature_refused():
    """At T > 0 every sweep runs: the trace of 1e9 sweeps cannot be held, and 1e5
    sweeps exceed a budget of 1e6 unit updates; both refused before any work."""
    with pytest.raises(ParamError) as info:
        neurotwin.run("hopfield", temperature=0.5, max_sweeps=10**9, n_units=100)
    assert re.fullmatch(
        r"HopfieldParams\.max_sweeps: the run needs about [\d.e+]+ GiB of memory, [\d.e+]+ "
        r"GiB is available \(got 1000000000\)",
        str(info.value),
    ), str(info.value)
    with pytest.raises(ParamError) as info:
        neurotwin.run("hopfield", temperature=0.5, max_sweeps=10**5, n_units=100,
                      step_budget=10**6)  # fmt: skip
    assert str(info.value) == (
        "HopfieldParams.max_sweeps: the run would take about 1e+08 simulated steps, over "
        "the budget of 1e+06; raise it with --step-budget (Python: step_budget=) if you mean it "
        "(got 100000)"
    )
    # at T = 0 with symmetric W the run stops at a fixed point: not refused for max_sweeps
    r = neurotwin.run("hopfield", max_sweeps=10**12, n_units=100, n_cues=2)
    assert r.observables["converged"]


def test_cli_refuses_a_huge_network_in_one_line():
    from typer.testing import CliRunner

    from neurotwin.cli import app

    out = CliRunner().invoke(app, ["run", "hopfield", "--set", "n_units=1000000000"])
    assert out.exit_code == 2
    lines = [x for x in out.output.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and "HopfieldParams.n_units: the run needs about" in lines[0]


@pytest.mark.slow
def test_hebbian_at_16000_units_the_openblas_syrk_crash_shape():
    """``x.T @ x`` for x of 800 x 16000 died with SIGSEGV in OpenBLAS 0.3.30 (2 threads);
    ``hebbian`` avoids syrk. Then a full run at N = 16,000 (float32 sums, 1 GB)."""
    patterns = storage.random_patterns(800, 16000, np.random.default_rng(0))
    w = storage.hebbian(patterns)
    assert w.shape == (16000, 16000) and w[0, 0] == 0.0
    expect = patterns[:, :3].T.astype(float) @ patterns[:, :5] / 16000 * (1 - np.eye(3, 5))
    np.testing.assert_array_equal(w[:3, :5], expect)
    del w
    r = neurotwin.run("hopfield", n_units=16000, n_patterns=800, n_cues=4, seed=0)
    assert r.provenance["weights_form"] == "dense-counts"
    assert r.observables["final_overlap"] > 0.99


# -- hopfield-capacity-large ------------------------------------------------------------------


def test_ags_theory_values(claim):
    """Amit, Gutfreund & Sompolinsky (1985, 1987): at T = 0 retrieval states exist up to
    alpha_c = 0.138 (0.137906 in closed form, Stojnic 2024, arXiv:2403.01907), where the
    retrieval overlap is 0.967; at alpha = 0.05 it is 1 - O(1e-5)."""
    from neurotwin.experiments.hopfield import ags_alpha_c, ags_overlap

    alpha_c = ags_alpha_c()
    source = "Amit, Gutfreund & Sompolinsky 1985 (replica-symmetric theory, solved here)"
    claim(model="hopfield", claim="critical load alpha_c at T = 0 (the code's AGS solution)",
          source=source, source_value="0.138 (0.137906: Stojnic 2024)",
          measured=alpha_c)  # fmt: skip
    claim(model="hopfield", claim="retrieval overlap just below alpha_c (the code's AGS "
          "solution)", source=source, source_value="0.967",
          measured=ags_overlap(alpha_c - 1e-6))  # fmt: skip
    assert alpha_c == pytest.approx(0.137906, abs=2e-6)
    assert ags_overlap(alpha_c - 1e-6) == pytest.approx(0.967, abs=0.003)
    assert ags_overlap(0.05) > 0.9999
    assert np.isnan(ags_overlap(0.14))


@pytest.mark.slow
def test_capacity_large_quick_variant(tmp_path):
    """The quick variant through the sweep: a summary with the AGS curve, the crossing
    per N and the extrapolated alpha_c with its bootstrap spread."""
    import json

    from neurotwin.sweep import get_experiment, run_sweep

    exp = get_experiment("hopfield-capacity-large", quick=True)
    ds = run_sweep(exp, tmp_path, scheduler="synchronous", progress=False)
    assert (ds["error"] == "").all()
    summary = json.loads((tmp_path / f"{exp.name}.summary.json").read_text())
    assert summary["alpha_c_theory"] == pytest.approx(0.137905, abs=1e-5)
    assert set(summary["alpha_at_half_recall"]) == {"n_units=500", "n_units=1000",
                                                    "n_units=2000"}  # fmt: skip
    assert 0.1 < summary["alpha_c_extrapolated"] < 0.2
    assert summary["alpha_c_extrapolated_std"] >= 0


@pytest.mark.parametrize(
    "kw",
    [
        dict(n_units=300, n_patterns=20, n_cues=30, cue_noise=0.3),
        # 2-cycles (a probe that stops in one moved in its last step) and a cut run
        dict(n_units=100, n_patterns=19, n_cues=50, cue_noise=0.45),
        dict(n_units=100, n_patterns=19, n_cues=50, cue_noise=0.45, max_sweeps=3),
        dict(n_units=200, n_patterns=40, n_cues=20, cue_noise=0.4, threshold=0.02),
    ],
    ids=["low-load", "two-cycles", "cut", "threshold"],
)
def test_auto_sync_recalls_factored_with_the_dense_observables(kw):
    """Synchronous recall at T = 0 up to P / N = FACTORED_SYNC_MAX_LOAD takes the factored
    fields by default and keeps the overlaps it computes on the way: states, overlaps and
    energies equal the dense run's, 2-cycles and a cut run included."""
    limit = hf.FACTORED_SYNC_MAX_LOAD * kw["n_units"]
    for seed in (3, 4):
        auto = neurotwin.run("hopfield", update="sync", seed=seed, **kw)
        dense = neurotwin.run("hopfield", update="sync", seed=seed, weights_form="dense", **kw)
        expect = "factored" if kw["n_patterns"] <= limit else "dense-counts"
        assert auto.provenance["weights_form"] == expect
        assert dense.provenance["weights_form"] == "dense-counts"
        np.testing.assert_array_equal(auto.traces["state"], dense.traces["state"])
        for name in ("overlap", "energy", "final_overlaps"):
            np.testing.assert_array_equal(auto.observables[name], dense.observables[name])
    asy = neurotwin.run("hopfield", update="async", seed=3, **kw)
    assert asy.provenance["weights_form"] == "dense-counts"


def test_overlaps_of_repeated_rows_are_computed_once_and_equal_the_direct_product():
    """``overlap_counts`` and ``threshold_term`` compute a row that repeats the step
    before once (``distinct_rows``); the result equals the direct product everywhere."""
    rng = np.random.default_rng(11)
    t, c, n, p = 6, 9, 37, 5  # 37 units: rows of an odd number of bytes
    states = np.where(rng.random((t, c, n)) < 0.5, -1, 1).astype(np.int8)
    states[3:, :4] = states[2, :4]  # four probes stop at step 2
    states[4, 5] = states[3, 5]
    patterns = np.where(rng.random((p, n)) < 0.5, -1, 1).astype(np.int8)
    rows, where = hf.distinct_rows(states)
    assert len(rows) == t * c - 3 * 4 - 1
    direct = states.astype(np.float64) @ patterns.T.astype(np.float64)
    np.testing.assert_array_equal(hf.overlap_counts(states, patterns), direct)
    u = rng.normal(size=n)
    np.testing.assert_allclose(hf.threshold_term(states, u), states @ u, rtol=1e-13)
    assert not hf.threshold_term(states, np.zeros(n)).any()
