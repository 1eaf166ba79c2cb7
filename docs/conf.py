"""Sphinx configuration for the neurotwin docs (built in CI with -W).

The gallery (``examples/plot_*.py``) is executed by sphinx-gallery on every build, so
every figure it shows comes from the code beside it. Equations are rendered by a
MathJax shipped with the docs extra (``sphinx-mathjax-offline``), so the pages need no
network.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # the gallery's figures are scraped from pyplot; no display needed

# local extensions: _ext/neurotwin_params.py (parameter tables from neurotwin.describe)
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "neurotwin"
author = "neurotwin developers"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    # MathJax 3 copied into _static/mathjax/ at the end of the build (no CDN)
    "sphinx-mathjax-offline",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "neurotwin_params",
    # _ext/neurotwin_claims.py: the table of published claims from docs/claims.json
    "neurotwin_claims",
]
# the local copy (sphinx-mathjax-offline sets the same path; said here so it is visible)
mathjax_path = "mathjax/tex-chtml.js"
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "examples/README.rst", "tutorial/README.rst"]
html_theme = "alabaster"
html_static_path = ["_static"]
numpydoc_show_class_members = False
autodoc_member_order = "bysource"
myst_enable_extensions = ["dollarmath"]


sphinx_gallery_conf = {
    # the tutorial is an executed page too, so its figures come from the code it shows
    "examples_dirs": ["tutorial", "examples"],
    "gallery_dirs": ["auto_tutorial", "auto_examples"],
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    # a failing example fails the build (CI runs it with -W)
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "reset_modules": ("matplotlib", "neurotwin_gallery.reset_models"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
}
