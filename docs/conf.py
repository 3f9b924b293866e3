"""Sphinx configuration of dualgrad's documentation site.

Build it (from the repository root, with the ``docs`` extra installed)::

    python -m sphinx -W -b html docs docs/_build/html

The API reference comes from the numpydoc docstrings; the gallery runs every
example listed in ``_ext/gallery.py`` and shows its output and figures.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))            # this checkout's dualgrad
sys.path.insert(0, str(HERE / "_ext"))

import dualgrad  # noqa: E402

project = "dualgrad"
author = "the dualgrad developers"
copyright = "2026, the dualgrad developers"
release = dualgrad.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "README.md", "make_supported.py"]
myst_heading_anchors = 3
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"
html_theme = "alabaster"
html_title = f"dualgrad {release}"
html_static_path = []
