"""Claims: what each science test measured against its published value, for the docs table.

A science test takes the ``claim`` fixture (tests/conftest.py) and calls it once per
published number it checks, before its asserts::

    claim(model="hopfield", claim="critical load alpha_c", source="Amit, Gutfreund &
          Sompolinsky 1985", source_value="0.138", measured=0.141, interval=(0.135, 0.147),
          seeds=8)

With ``--claims-dir DIR`` each test writes its claims, with the run's seed base and the
test's outcome, to one JSON file in DIR (named after the test id, so pytest-xdist workers
never share a file); without it nothing is written, but the fields are still checked.
The committed table docs/claims.json is regenerated from DIR::

    pytest -p no:cacheprovider -m claims --seed-base 0 --claims-dir /tmp/claims/0 tests/
    python tests/claims.py collect /tmp/claims/* > docs/claims.json

(``-m claims``: conftest marks every test that takes the fixture.)

``collect`` also lists every test that takes ``claim`` but wrote nothing in DIR (skipped,
or not run), as "not run in this build", so the table never omits a claim silently.
The sphinx extension docs/_ext/neurotwin_claims.py renders docs/claims.json;
tests/test_claims.py checks it against the test sources. This machinery stays out of the
installed package: it is about the tests, not the models.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
#: the fields every claim gives (unit and seeds are optional)
REQUIRED = ("model", "claim", "source", "source_value", "measured")
OPTIONAL = ("interval", "unit", "seeds")
NOT_RUN = "not run in this build"
COMMAND = (
    "pytest -p no:cacheprovider --claims-dir DIR <test files>; "
    "python tests/claims.py collect DIR [DIR ...] > docs/claims.json"
)


def check_fields(fields: dict) -> dict:
    """The claim's fields, checked and made JSON-ready (``interval`` as a [lo, hi] list)."""
    missing = [k for k in REQUIRED if fields.get(k) in (None, "")]
    unknown = sorted(set(fields) - set(REQUIRED) - set(OPTIONAL))
    if missing or unknown:
        raise ValueError(f"claim: missing {missing}, unknown {unknown}")
    out = {k: fields[k] for k in REQUIRED + OPTIONAL if k in fields and fields[k] is not None}
    out["source_value"] = str(out["source_value"])
    out["measured"] = float(out["measured"])
    if "interval" in out:
        lo, hi = (float(v) for v in out["interval"])
        if not lo <= out["measured"] <= hi:
            raise ValueError(f"claim: measured {out['measured']} outside interval {lo, hi}")
        out["interval"] = [lo, hi]
    return out


def t_interval(x) -> tuple[float, float]:
    """Two-sided 95 % Student-t interval of the mean of ``x`` (over seeds)."""
    from scipy import stats

    x = np.asarray(x, dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return float(x.mean() - half), float(x.mean() + half)


def file_name(nodeid: str) -> str:
    """A file name for a test id (one file per test, so parallel workers never collide)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid) + ".json"


def write(folder: str | Path, nodeid: str, seed_base: int, outcome: str, claims: list) -> Path:
    """Write one test's claims (already checked by :func:`check_fields`) into ``folder``."""
    path = Path(folder) / file_name(nodeid)
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [{**c, "test": nodeid, "seed_base": seed_base, "outcome": outcome} for c in claims]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries, indent=1, sort_keys=True))
    tmp.replace(path)
    return path


def function_of(test: str) -> tuple[str, str]:
    """(file, function) of a test id such as ``tests/a/test_b.py::test_c[x-1]``."""
    file, _, rest = test.partition("::")
    return file, rest.split("[")[0].split("::")[-1]


def recording_tests(root: Path = ROOT) -> set[tuple[str, str]]:
    """(file, function) of every test function under tests/ that takes the ``claim`` fixture
    (read from the sources' syntax trees, so a test that was not run is found too)."""
    found = set()
    for path in sorted((root / "tests").rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                if "claim" in {a.arg for a in node.args.args}:
                    found.add((path.relative_to(root).as_posix(), node.name))
    return found


def _first_line(root: Path, file: str, function: str) -> str:
    for node in ast.walk(ast.parse((root / file).read_text())):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            doc = ast.get_docstring(node) or function
            return " ".join(doc.split("\n\n")[0].split())
    return function


def collect(folders: list, root: Path = ROOT) -> dict:
    """The table's data: every claim written in ``folders`` (one per seed base, say), and a
    "not run" entry for each recording test that wrote none (its claim text is its
    docstring's first paragraph, its model the test's folder name)."""
    entries = []
    for folder in folders:
        for path in sorted(Path(folder).glob("*.json")):
            entries.extend(json.loads(path.read_text()))
    ran = {function_of(e["test"]) for e in entries}
    for file, function in sorted(recording_tests(root) - ran):
        entries.append(
            {
                "model": Path(file).parent.name.replace("_", "-"),
                "claim": _first_line(root, file, function),
                "test": f"{file}::{function}",
                "outcome": NOT_RUN,
            }
        )
    # stable: a test's claims keep the order it recorded them in
    entries.sort(key=lambda e: (e["model"], e["test"], e.get("seed_base", -1)))
    return {"generated_by": COMMAND, "claims": entries}


def problems(data: dict, root: Path = ROOT) -> list[str]:
    """What is wrong between a claims table and the test sources: entries naming a test
    that does not exist, recording tests without an entry, entries missing fields."""
    out = []
    named = set()
    for e in data["claims"]:
        file, function = function_of(e["test"])
        named.add((file, function))
        path = root / file
        if not path.is_file() or not re.search(
            rf"^\s*def {re.escape(function)}\(", path.read_text(), re.M
        ):
            out.append(f"{e['test']}: no such test")
        if e["outcome"] != NOT_RUN:
            try:
                check_fields({k: e.get(k) for k in REQUIRED + OPTIONAL})
            except ValueError as err:
                out.append(f"{e['test']}: {err}")
    for file, function in sorted(recording_tests(root) - named):
        out.append(f"{file}::{function}: records a claim but has no entry")
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "collect":
        print("usage: python tests/claims.py collect DIR [DIR ...] > docs/claims.json",
              file=sys.stderr)  # fmt: skip
        return 2
    print(json.dumps(collect(argv[1:]), indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
