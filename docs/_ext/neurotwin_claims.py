"""Sphinx extension: the table of published claims, rendered from docs/claims.json.

``.. neurotwin-claims::`` renders one table per model (claim, source, source value,
measured with its interval, seed base, outcome, test) from the file that
``python tests/claims.py collect DIR`` wrote from the science tests' own records; nothing
in the table is typed by hand. A test that did not run in the build of the file shows
"not run in this build" in place of a number.
"""

from __future__ import annotations

import json
from itertools import groupby
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from neurotwin_params import _table

HEAD = ("claim", "source", "source value", "measured (interval)", "seed base", "outcome", "test")
WIDTHS = [22, 16, 8, 14, 5, 6, 22]


def _number(x: float) -> str:
    return f"{x:.4g}"


def measured_text(entry: dict) -> str:
    """``0.141 [0.135, 0.147] unit (8 seeds)``, or the "not run" note."""
    if "measured" not in entry:
        return entry["outcome"]
    text = _number(entry["measured"])
    if "interval" in entry:
        lo, hi = entry["interval"]
        text += f" [{_number(lo)}, {_number(hi)}]"
    if entry.get("unit"):
        text += f" {entry['unit']}"
    if entry.get("seeds"):
        n = entry["seeds"]
        text += f" ({n} seed{'s' if n > 1 else ''})"
    return text


def _row(e: dict) -> tuple:
    return (
        e["claim"],
        e.get("source", "-"),
        e.get("source_value", "-"),
        measured_text(e),
        e.get("seed_base", "-"),
        e["outcome"],
        e["test"],
    )


class ClaimsDirective(Directive):
    def run(self):
        env = self.state.document.settings.env
        path = Path(env.srcdir) / "claims.json"
        env.note_dependency(str(path))
        claims = json.loads(path.read_text())["claims"]
        out = []
        for model, entries in groupby(claims, key=lambda e: e["model"]):
            out.append(nodes.rubric(text=model))
            out.append(_table(HEAD, [_row(e) for e in entries], WIDTHS))
        return out


def setup(app):
    app.add_directive("neurotwin-claims", ClaimsDirective)
    return {"parallel_read_safe": True, "version": "1"}
