"""Sphinx configuration for the neurotwin docs (built in CI with -W)."""

project = "neurotwin"
author = "neurotwin developers"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = ["_static"]
numpydoc_show_class_members = False
autodoc_member_order = "bysource"
myst_enable_extensions = ["dollarmath"]
