"""The heap is frozen for a run's duration and handed back after it (neurotwin.gc_scope)."""

from __future__ import annotations

import dataclasses
import gc
import threading

import numpy as np
import pytest

import neurotwin
from neurotwin.gc_scope import frozen_heap
from neurotwin.harness import build, prepare, run_built


@pytest.fixture(autouse=True)
def _unfrozen():
    assert gc.get_freeze_count() == 0, "a test left the heap frozen"
    yield
    gc.unfreeze()


def test_frozen_inside_and_handed_back_after_an_error():
    old = [object()]  # an object tracked before the block: frozen inside it
    with pytest.raises(RuntimeError, match="boom"):
        with frozen_heap():
            assert gc.get_freeze_count() > 0
            # frozen objects are in no generation a collection (or get_objects) walks
            assert not any(o is old for o in gc.get_objects())
            raise RuntimeError("boom")
    assert gc.get_freeze_count() == 0
    assert any(o is old for o in gc.get_objects())


def test_garbage_made_inside_is_collected_inside():
    """A cycle made during the block is still found by a collection in the block."""
    collected = []

    class Node:
        def __del__(self):
            collected.append(True)

    with frozen_heap():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        gc.collect()
        assert collected == [True, True]


def test_nested_and_concurrent_blocks_unfreeze_once_at_the_last_exit():
    inside = threading.Event()
    leave = threading.Event()

    def other():
        with frozen_heap():
            inside.set()
            leave.wait(10)

    t = threading.Thread(target=other)
    with frozen_heap():
        t.start()
        assert inside.wait(10)
        with frozen_heap():
            pass
        assert gc.get_freeze_count() > 0  # the inner exit did not unfreeze
    assert gc.get_freeze_count() > 0  # the other thread is still inside
    leave.set()
    t.join(10)
    assert gc.get_freeze_count() == 0


def test_a_process_that_froze_objects_itself_keeps_them_frozen():
    gc.freeze()
    mine = gc.get_freeze_count()
    assert mine > 0
    with frozen_heap():
        pass
    assert gc.get_freeze_count() == mine


def test_a_run_simulates_with_the_heap_frozen_and_hands_it_back():
    """Through the harness a user's run goes through: the realization's build and run
    see a frozen heap; after the run nothing stays frozen."""
    plan = prepare("hopfield", "reference", None, 3, n_units=50, n_patterns=3, n_cues=4)
    seen = {}

    def build_spy(*args):
        seen["build"] = gc.get_freeze_count()
        return plan.real.build(*args)

    def run_spy(network, inputs):
        seen["run"] = gc.get_freeze_count()
        return plan.real.run(network, inputs)

    spied = dataclasses.replace(
        plan, real=dataclasses.replace(plan.real, build=build_spy, run=run_spy)
    )
    result = run_built(build(spied))
    assert seen["build"] > 0 and seen["run"] > 0
    assert gc.get_freeze_count() == 0
    plain = neurotwin.run("hopfield", "reference", seed=3, n_units=50, n_patterns=3, n_cues=4)
    assert gc.get_freeze_count() == 0
    assert result.traces.keys() == plain.traces.keys()
    for name, trace in plain.traces.items():
        np.testing.assert_array_equal(result.traces[name], trace)


def test_the_command_freezes_the_heap_as_it_exits(monkeypatch, capsys):
    """``neurotwin`` (cli.main) freezes everything before the process exits, so Python's
    final collections skip it; its exit code is unchanged (2 for bad input)."""
    from neurotwin import cli

    monkeypatch.setattr("sys.argv", ["neurotwin", "run", "hopfield", "--set", "n_units=-1"])
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 2
    assert "n_units" in capsys.readouterr().err
    assert gc.get_freeze_count() > 0
