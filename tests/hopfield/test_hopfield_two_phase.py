"""The Brian2 Hopfield realization in two phases, and sweeps that reuse its build.

``HopfieldBrian2.build`` makes the network once; ``run`` simulates it for a set of
cues, again and again (``spiking/hopfield/brian2.py``). On the runtime device a run
on a built network is bit for bit a fresh run on the same cues; on
``cpp_standalone`` (marked ``slow``: each build compiles, 6-30 s here) the re-run
binary decodes the same states and observables as a fresh build. A sweep over an
input-only parameter (hopfield's ``cue_noise``) builds once per seed
(``neurotwin.sweep.network_groups``).
"""

from __future__ import annotations

import dataclasses
import gc
import os

import numpy as np
import pytest

import neurotwin
from neurotwin import SimulationError
from neurotwin import sweep as sw
from neurotwin.harness import build, execute, prepare, run_built
from neurotwin.rate_models.hopfield.hopfield import RECALL_THRESHOLD
from neurotwin.registry import get_realization

pytest.importorskip("brian2")

from neurotwin.spiking.hopfield import brian2 as b2hop  # noqa: E402

SMALL = dict(n_units=60, n_patterns=3, n_cues=4, recall_duration_s=0.1)


def assert_same_result(a, b):
    """Spikes, decoded states and every observable identical."""
    np.testing.assert_array_equal(a.spikes["units"][0], b.spikes["units"][0])
    np.testing.assert_array_equal(a.spikes["units"][1], b.spikes["units"][1])
    assert_same_states(a, b)


def assert_same_states(a, b):
    np.testing.assert_array_equal(a.t, b.t)
    np.testing.assert_array_equal(a.traces["state"], b.traces["state"])
    assert a.observables.keys() == b.observables.keys()
    for name in a.observables:
        np.testing.assert_array_equal(a.observables[name], b.observables[name], err_msg=name)


@pytest.mark.parametrize("temperature", [0.0, 0.3])
def test_runtime_rerun_is_a_fresh_run_bit_for_bit(temperature):
    """One build, runs on cues of two cue-noise levels and the first again: each is the
    one-phase run of the same cues (noise included: restore() restores the random state),
    with another network built and run in between."""
    kw = dict(seed=3, temperature=temperature, **SMALL)
    plan_a = prepare("hopfield", "brian2", cue_noise=0.1, **kw)
    plan_b = prepare("hopfield", "brian2", cue_noise=0.3, **kw)
    assert not np.array_equal(plan_a.inputs["cues"], plan_b.inputs["cues"])
    built = build(plan_a)
    first = run_built(built)
    assert_same_result(first, neurotwin.run("hopfield", "brian2", cue_noise=0.1, **kw))
    fresh_b = execute(plan_b)  # another network, built and run while this one lives
    assert_same_result(run_built(built, plan_b.inputs), fresh_b)
    assert_same_result(run_built(built), first)
    assert first.provenance["network_build_s"] == built.build_time_s > 0
    assert first.provenance["build_time_s"] <= built.build_time_s


def test_temporary_build_folder_goes_with_the_built_network(tmp_path):
    """An own (temporary) folder is removed on close() or garbage collection; a
    user's build_dir is kept."""
    for how in ("close", "gc"):
        folder = tmp_path / how
        folder.mkdir()
        built = b2hop.BuiltHopfield(None, None, None, 0, 0.0, None, str(folder), own_dir=True)
        if how == "close":
            built.close()
            assert built.closed
        else:
            del built
            gc.collect()
        assert not folder.exists()
    kept = tmp_path / "kept"
    kept.mkdir()
    b2hop.BuiltHopfield(None, None, None, 0, 0.0, None, str(kept), own_dir=False).close()
    gc.collect()
    assert kept.is_dir()


def test_closed_network_refuses_to_run():
    plan = prepare("hopfield", "brian2", seed=0, **SMALL)
    built = build(plan)
    run_built(built)
    built.network.close()
    with pytest.raises(SimulationError) as info:
        run_built(built)
    assert str(info.value) == (
        "network: this built hopfield/brian2 network is closed; build it again"
    )


# -- which points share a network ------------------------------------------------------


def test_same_network_needs_equal_structure_weights_and_seed():
    base = dict(seed=4, **SMALL)
    a = prepare("hopfield", "brian2", cue_noise=0.1, **base)
    assert sw.input_params(a.spec) == ("cue_noise",)
    assert sw.points._same_network(a, prepare("hopfield", "brian2", cue_noise=0.3, **base))
    other_seed = prepare("hopfield", "brian2", cue_noise=0.1, **{**base, "seed": 5})
    assert not sw.points._same_network(a, other_seed)
    more_patterns = prepare("hopfield", "brian2", cue_noise=0.1, **{**base, "n_patterns": 4})
    assert not sw.points._same_network(a, more_patterns)
    other_options = prepare("hopfield", "brian2", cue_noise=0.1, gain=32.0, **base)
    assert not sw.points._same_network(a, other_options)
    patterns = a.weights["patterns"].copy()
    patterns[0, 0] *= -1
    other_weights = dataclasses.replace(a, weights={**a.weights, "patterns": patterns})
    assert not sw.points._same_network(a, other_weights)
    # a one-phase realization builds nothing worth keeping
    base.pop("recall_duration_s")  # a spiking option
    ref = prepare("hopfield", "reference", cue_noise=0.1, **base)
    assert not sw.points._same_network(ref, prepare("hopfield", "reference", cue_noise=0.3, **base))


def _cue_noise_sweep(realization_options: dict, seeds=(0, 1)) -> sw.Experiment:
    return sw.Experiment(
        name="two-phase-test",
        model="hopfield",
        realizations=("brian2", "reference"),
        grid={"cue_noise": [0.1, 0.3, 0.5]},
        seeds=seeds,
        fixed={k: v for k, v in SMALL.items() if k != "recall_duration_s"},
        per_realization={"brian2": {"recall_duration_s": 0.1, **realization_options}},
        observables=("final_overlap",),
    )


def test_network_groups_per_seed_and_structure():
    points = sw.expand(_cue_noise_sweep({}))
    groups = sw.network_groups(points)
    brian2 = [g for g in groups if g[0].realization == "brian2"]
    assert sorted(len(g) for g in brian2) == [3, 3]  # one network per seed
    for g in brian2:
        assert len({pt.seed for pt in g}) == 1
        assert [pt.params["cue_noise"] for pt in g] == [0.1, 0.3, 0.5]
    assert all(len(g) == 1 for g in groups if g[0].realization == "reference")
    assert sum(map(len, groups)) == len(points)


def counting_builds(monkeypatch) -> list:
    real = get_realization("hopfield", "brian2")
    calls = []
    original = real.build

    def counted(*args):
        calls.append(args[3])  # the simulator seed
        return original(*args)

    monkeypatch.setattr(real, "build", counted)
    return calls


def test_sweep_over_cue_noise_builds_once_per_seed(tmp_path, monkeypatch):
    """3 cue-noise levels x 2 seeds on brian2 (runtime): 2 builds; every value is the
    one-phase run's, bit for bit."""
    builds = counting_builds(monkeypatch)
    exp = _cue_noise_sweep({})
    ds = sw.run_sweep(exp, tmp_path / "s", scheduler="synchronous", progress=False)
    assert len(builds) == 2
    assert (ds["error"].values == "").all()
    for seed in exp.seeds:
        for noise in exp.grid["cue_noise"]:
            one = neurotwin.run("hopfield", "brian2", seed=seed, cue_noise=noise, **SMALL)
            got = ds["final_overlap"].sel(realization="brian2", seed=seed, cue_noise=noise)
            assert float(got) == one.observables["final_overlap"]


# -- cpp_standalone --------------------------------------------------------------------


@pytest.mark.slow
def test_standalone_compiles_once_and_reruns_with_new_cues(tmp_path):
    """One compiled project, run on two cue sets and the first again: the decoded states
    and observables equal those of a fresh build of each; a runtime run in between works.
    The rerun does not compile: the project's binary is the same file, untouched (a
    check on the file, not on the times, which a loaded machine stretches)."""
    kw = dict(seed=2, device="cpp_standalone", **SMALL)
    plan_a = prepare("hopfield", "brian2", cue_noise=0.1, **kw)
    plan_b = prepare("hopfield", "brian2", cue_noise=0.3, **kw)
    built = build(plan_a)
    folder = built.network.directory
    first = run_built(built)
    assert first.provenance["codegen_target"] == "cpp"
    binary = os.path.join(folder, "main")
    compiled = os.stat(binary).st_mtime_ns
    assert neurotwin.run("hopfield", "brian2", seed=0, **SMALL).provenance["device"] == "runtime"
    rerun_b = run_built(built, plan_b.inputs)
    assert os.stat(binary).st_mtime_ns == compiled
    assert rerun_b.provenance["run_time_s"] > 0

    kept = tmp_path / "fresh"
    fresh_b = execute(prepare("hopfield", "brian2", cue_noise=0.3, build_dir=str(kept), **kw))
    assert_same_states(rerun_b, fresh_b)
    assert (kept / "main").is_file()  # the user's folder stays
    assert_same_states(run_built(built), first)

    built.network.close()
    assert not os.path.exists(folder)


@pytest.mark.slow
def test_standalone_sweep_compiles_once(tmp_path, monkeypatch):
    """A cue-noise sweep on cpp_standalone (one seed): one compilation for its 3 points."""
    builds = counting_builds(monkeypatch)
    exp = dataclasses.replace(
        _cue_noise_sweep({"device": "cpp_standalone"}, seeds=(0,)), realizations=("brian2",)
    )
    ds = sw.run_sweep(exp, tmp_path / "s", scheduler="synchronous", progress=False)
    assert len(builds) == 1
    assert (ds["error"].values == "").all()
    assert float(ds["final_overlap"].sel(seed=0, cue_noise=0.1)) >= RECALL_THRESHOLD
