"""Sphinx configuration of the agency-core documentation (MyST markdown, furo).

CI builds with warnings as errors::

    .venv/bin/sphinx-build -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import sys
from pathlib import Path

# Build from the source tree even when agency-core is not installed in the docs environment.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import agency_core

project = "agency-core"
author = "agency-core developers"
copyright = "agency-core developers"
version = release = agency_core.__version__
language = "en"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# MyST: fenced directives with colons, anchors for headings so pages can link to sections.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Autodoc: members in source order, signatures without the long type annotations of attrs fields.
autodoc_member_order = "bysource"
autodoc_default_options = {"undoc-members": True}
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"

# Unresolved references in docstrings are not errors: docstrings name typing constructs and
# attrs-generated types that have no target in these docs.
nitpicky = False

html_theme = "furo"
html_title = f"agency-core {release}"
