"""Sphinx extension for the book: ```mermaid fences drawn by a vendored mermaid.min.js.

MyST turns a ```mermaid fence into this ``mermaid`` directive (``myst_fence_as_directive``
in conf.py). The directive writes the diagram's text into a ``<div class="mermaid">``;
``_static/mermaid.min.js`` (the ``mermaid`` npm package's UMD build, copied from
book/node_modules by build.py, never a CDN) draws it as an inline ``<svg>`` when the page
loads — from ``file://`` too, since a classic script needs no module loader.
"""

from __future__ import annotations

import html

from docutils import nodes
from docutils.parsers.rst import Directive

SCRIPT = "mermaid.min.js"
# Light theme to match the book's; "strict" keeps diagram text from running script.
INIT = "mermaid.initialize({startOnLoad: true, theme: 'default', securityLevel: 'strict'});"


class Mermaid(Directive):
    """The diagram's source, verbatim, for mermaid.js to draw in the browser."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        source = "\n".join(self.content)
        return [nodes.raw("", f'<div class="mermaid">\n{html.escape(source)}\n</div>\n',
                          format="html")]


def setup(app) -> dict:
    app.add_directive("mermaid", Mermaid)
    app.add_js_file(SCRIPT)
    app.add_js_file(None, body=INIT)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
