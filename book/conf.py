"""Sphinx configuration of the book (``make book``; book/build.py stages the sources).

MyST-NB renders each notebook with its committed outputs (``nb_execution_mode = "off"``:
never executed here), sphinx-book-theme lays it out, and nothing is fetched from the
internet at build or view time: the theme's fonts and icons ship in its wheel, Mermaid
is vendored (mermaid_local.py), and the widget and MathJax scripts (CDN by default) are
switched off — no notebook output needs them.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

project = "Private API Lab"
author = "Private API Lab"
copyright = "Private API Lab contributors"

extensions = ["myst_nb", "mermaid_local"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_static_path = ["_static"]
html_css_files = ["book.css"]

# Committed outputs only: the book shows what the last `make notebooks` recorded.
nb_execution_mode = "off"
# The ipywidgets manager and require.js come from a CDN by default; no committed output
# is a live widget (tqdm's bars are saved as text), so none is loaded.
nb_ipywidgets_js = {}
nb_merge_streams = True

myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# MathJax is loaded from a CDN on pages with math; the book has none, and a stray
# formula should fail the offline test rather than fetch a script.
mathjax_path = "mathjax-not-vendored.js"

html_theme = "sphinx_book_theme"
html_title = "Private API Lab"
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
}
# The notebooks' tables carry their own inline colours; the light theme shows them as
# JupyterLab does.
html_context = {"default_mode": "light"}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
