"""The claims table: docs/claims.json agrees with the test sources, and the recording
machinery (tests/claims.py, the ``claim`` fixture) writes and collects what it is given."""

from __future__ import annotations

import json
from pathlib import Path

import claims
import pytest

#: runs the ``claim`` fixture in a pytest of its own (in a subprocess: the seed-base option
#: sets an environment variable that must not leak into this run)
pytest_plugins = ["pytester"]
COMMITTED = claims.ROOT / "docs" / "claims.json"


def test_committed_table_matches_the_tests():
    """Every entry names a test that exists; every test that records a claim has an entry.
    (Regenerate with the command in docs/claims.rst when this fails.)"""
    data = json.loads(COMMITTED.read_text())
    assert claims.problems(data) == []
    assert data["claims"], "no claims recorded"


def test_fields_are_checked():
    ok = dict(model="m", claim="c", source="s", source_value=1.5, measured=2, interval=(1, 3))
    assert claims.check_fields(ok) == {**ok, "source_value": "1.5", "measured": 2.0,
                                       "interval": [1.0, 3.0]}  # fmt: skip
    with pytest.raises(ValueError, match="missing \\['source'\\]"):
        claims.check_fields({**ok, "source": ""})
    with pytest.raises(ValueError, match="unknown \\['value'\\]"):
        claims.check_fields({**ok, "value": 1})
    with pytest.raises(ValueError, match="outside interval"):
        claims.check_fields({**ok, "measured": 4})


def _fake_tests(root: Path) -> None:
    (root / "tests" / "fam").mkdir(parents=True)
    (root / "tests" / "fam" / "test_x.py").write_text(
        "def test_ran(claim):\n    pass\n\n"
        'def test_skipped(claim):\n    """Published thing.\n\n    More."""\n\n'
        "def test_plain():\n    pass\n"
    )


def test_write_collect_and_problems(tmp_path):
    """A written claim is collected with its test, seed base and outcome; a recording test
    that wrote nothing is listed as not run; a renamed test or a missing entry is caught."""
    root = tmp_path / "root"
    _fake_tests(root)
    assert claims.recording_tests(root) == {
        ("tests/fam/test_x.py", "test_ran"),
        ("tests/fam/test_x.py", "test_skipped"),
    }
    fields = claims.check_fields(
        dict(model="fam", claim="c", source="s", source_value="1", measured=1.0)
    )
    claims.write(tmp_path / "d", "tests/fam/test_x.py::test_ran[a-1]", 7, "passed", [fields])
    data = claims.collect([tmp_path / "d"], root)
    ran, skipped = data["claims"]
    assert ran == {**fields, "test": "tests/fam/test_x.py::test_ran[a-1]", "seed_base": 7,
                   "outcome": "passed"}  # fmt: skip
    assert skipped == {"model": "fam", "claim": "Published thing.", "outcome": claims.NOT_RUN,
                       "test": "tests/fam/test_x.py::test_skipped"}  # fmt: skip
    assert claims.problems(data, root) == []
    (root / "tests" / "fam" / "test_x.py").write_text("def test_other(claim):\n    pass\n")
    assert claims.problems(data, root) == [
        "tests/fam/test_x.py::test_ran[a-1]: no such test",
        "tests/fam/test_x.py::test_skipped: no such test",
        "tests/fam/test_x.py::test_other: records a claim but has no entry",
    ]


def test_fixture_writes_only_under_the_option(pytester, monkeypatch):
    """The ``claim`` fixture records into --claims-dir, with the call's outcome, and
    writes nothing without the option."""
    monkeypatch.setenv("PYTHONPATH", str(claims.ROOT / "tests"))  # for ``import claims``
    pytester.makeconftest((claims.ROOT / "tests" / "conftest.py").read_text())
    pytester.makepyfile(
        test_a="def test_ok(claim):\n"
        "    claim(model='m', claim='c', source='s', source_value='2', measured=2.0)\n\n"
        "def test_bad(claim):\n"
        "    claim(model='m', claim='c', source='s', source_value='2', measured=3.0)\n"
        "    assert False\n"
    )
    out = pytester.path / "out"
    args = ("-p", "no:cacheprovider", "-p", "no:nengo", "--seed-base", "5")
    pytester.runpytest_subprocess(*args).assert_outcomes(passed=1, failed=1)
    assert not out.exists()
    pytester.runpytest_subprocess(*args, "--claims-dir", str(out))
    got = {e["test"]: e for f in out.glob("*.json") for e in json.loads(f.read_text())}
    assert {t: (e["outcome"], e["seed_base"]) for t, e in got.items()} == {
        "test_a.py::test_ok": ("passed", 5),
        "test_a.py::test_bad": ("failed", 5),
    }
