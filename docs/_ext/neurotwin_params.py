"""Sphinx extension: parameter tables generated from :func:`neurotwin.describe`.

* ``.. neurotwin-params:: MODEL`` (option ``:realization: NAME``): the model's one-line
  description, a table of its parameters and one per options class of its realizations
  (name, default, unit, allowed values, meaning), and its observables with their units.
* ``.. neurotwin-all-params::``: one section per registered model, each with the tables
  above (a new model gets its section by registering).
* ``.. neurotwin-fields:: module.ClassName``: the table of one Params class; autodoc adds it
  to the docstring of every :class:`neurotwin.params.Params` subclass it documents, and
  drops their raw ``Annotated[...]`` signatures.

Cells are text nodes, never parsed as reStructuredText, so a meaning such as
``g*a*cue_i`` needs no escaping and the build stays clean under ``-W``.
"""

from __future__ import annotations

import importlib

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from docutils.statemachine import ViewList
from sphinx.util.nodes import nested_parse_with_titles

HEAD = ("name", "default", "unit", "allowed", "meaning")


def _table(head, rows, widths=None):
    table = nodes.table(classes=["neurotwin-params"])
    group = nodes.tgroup(cols=len(head))
    table += group
    for w in widths or [1] * len(head):
        group += nodes.colspec(colwidth=w)
    thead = nodes.thead()
    group += thead
    thead += _row(head)
    body = nodes.tbody()
    group += body
    for r in rows:
        body += _row(r)
    return table


def _row(cells):
    row = nodes.row()
    for text in cells:
        entry = nodes.entry()
        entry += nodes.paragraph(text=str(text))
        row += entry
    return row


def _field_rows(fields):
    from neurotwin.describe import default_text

    return [(f.name, default_text(f), f.unit or "-", f.allowed, f.meaning) for f in fields]


def _description_nodes(d):
    out = [nodes.paragraph(text=d.summary)]
    for title, fields in d.sections():
        out.append(nodes.rubric(text=title))
        out.append(_table(HEAD, _field_rows(fields), [14, 10, 5, 24, 30]))
    out.append(nodes.rubric(text="observables (unit ?: not declared yet)"))
    out.append(
        _table(
            ("observable", "unit"),
            [(o.name + (" (key)" if o.key else ""), o.unit or "-") for o in d.observables],
            [30, 10],
        )
    )
    return out


class ParamsDirective(Directive):
    required_arguments = 1
    option_spec = {"realization": directives.unchanged}

    def run(self):
        from neurotwin.describe import describe

        return _description_nodes(describe(self.arguments[0], self.options.get("realization")))


class AllParamsDirective(Directive):
    def run(self):
        from neurotwin.registry import all_models

        lines = ViewList()
        for model in all_models():
            for text in (model, "-" * len(model), "", f".. neurotwin-params:: {model}", ""):
                lines.append(text, "<neurotwin-all-params>")
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, lines, node)
        return node.children


class FieldsDirective(Directive):
    required_arguments = 1

    def run(self):
        from neurotwin.describe import fields

        module, _, name = self.arguments[0].rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        return [_table(HEAD, _field_rows(fields(cls)), [14, 10, 5, 24, 30])]


def _is_params(obj) -> bool:
    from neurotwin.params import Params

    return isinstance(obj, type) and issubclass(obj, Params) and obj is not Params


def _docstring(app, what, name, obj, options, lines):
    if what == "class" and _is_params(obj):
        lines += ["", f".. neurotwin-fields:: {obj.__module__}.{obj.__qualname__}", ""]


def _signature(app, what, name, obj, options, signature, return_annotation):
    if what == "class" and _is_params(obj):
        return "", None
    return None


def setup(app):
    app.add_directive("neurotwin-params", ParamsDirective)
    app.add_directive("neurotwin-all-params", AllParamsDirective)
    app.add_directive("neurotwin-fields", FieldsDirective)
    app.connect("autodoc-process-docstring", _docstring, priority=900)
    app.connect("autodoc-process-signature", _signature)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
