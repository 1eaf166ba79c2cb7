"""Sphinx configuration for the neurotwin docs (built in CI with -W)."""

import sys
from pathlib import Path

# local extensions: _ext/neurotwin_params.py (parameter tables from neurotwin.describe)
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "neurotwin"
author = "neurotwin developers"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "neurotwin_params",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = ["_static"]
numpydoc_show_class_members = False
autodoc_member_order = "bysource"
myst_enable_extensions = ["dollarmath"]
