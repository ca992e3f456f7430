"""``make book``: the walk-through as one HTML book, offline, from committed outputs.

Stages README.md (the front page), the guides (``docs/*.md``) and every notebook
(``notebooks/[0-9][0-9]*_*.ipynb``, in the walk-through's order) into
``_build/book-src/``, then runs Sphinx with MyST-NB and sphinx-book-theme (conf.py) into
``_build/book/`` — open ``_build/book/index.html``. Notebooks are never executed: the
book shows their committed outputs, byte for byte.

Hands-on notebooks (08, 09) show hints and solutions only on request in JupyterLab
(``lab.hint``, ``lab.solution``, ``lab.diagnose``); the book puts them behind expanders
(``<details>``), written from the kit's own catalogue (:mod:`lab.exercises.catalog`,
:mod:`lab.mysteries`, :mod:`lab.failures`) so they never drift from what the kit says:
the hint cell's committed output is folded (MyST-NB's ``hide-output`` tag, added to the
staged copy only), followed by "All hints" and "Solution" expanders.

Mermaid is the ``mermaid`` npm package's dist/mermaid.min.js (book/package.json, installed
with ``npm ci`` into book/node_modules), copied into the book's ``_static``.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Not under results/: the book copies third-party files (fonts, mermaid.min.js) that
# tests/test_security_scan.py would read as lab output.
SOURCE = ROOT / "_build" / "book-src"
OUT = ROOT / "_build" / "book"
MERMAID_JS = HERE / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"

HINT_CALL = re.compile(r"""lab\.hint\(\s*["'](\w+)["']""")
CHECK_CALL = re.compile(r"""lab\.check\(\s*["'](\w+)["']""")
DIAGNOSE_CALL = re.compile(r"lab\.diagnose\(")
# A Markdown link's target: ](target) or ](target "title")
LINK = re.compile(r"(\]\()([^)\s]+)")


class BookError(Exception):
    """A book input is missing or malformed; the message names the fix."""


def relink(text: str, page_dir: str, extra: set[str]) -> str:
    """``text``'s relative links as they resolve in the book, for a page in ``page_dir``.

    README.md is the book's index page, so a link to it becomes one to index.md; a link to
    any other file of the repository that is not a page (a script, a JSON policy) is kept
    and the file is added to ``extra``, which stage() copies in: Sphinx then serves it as a
    download. A link to nothing is left for Sphinx to report (the build fails on it).
    """
    def one(match: re.Match) -> str:
        target, _, fragment = match.group(2).partition("#")
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
            return match.group(0)
        path = (ROOT / page_dir / target).resolve()
        try:
            relative = path.relative_to(ROOT).as_posix()
        except ValueError:  # outside the repository
            return match.group(0)
        if relative == "README.md":
            target = target[: -len("README.md")] + "index.md"
        elif path.is_file() and path.suffix not in (".md", ".ipynb"):
            extra.add(relative)
        return match.group(1) + target + (f"#{fragment}" if fragment else "")

    return LINK.sub(one, text)


def notebooks() -> list[Path]:
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))  # 05b after 05
    if not paths:
        raise BookError("no notebooks in notebooks/; run make book from a full checkout.")
    return paths


def guides() -> list[Path]:
    return sorted((ROOT / "docs").glob("*.md"))


def details(summary: str, body: str) -> str:
    return (f'<details class="lab-expander">\n<summary>{html.escape(summary)}</summary>\n'
            f"{body}\n</details>")


def highlighted(code: str) -> str:
    """``code`` as the theme shows a Python cell (Pygments, the theme's colours)."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    block = highlight(code, PythonLexer(), HtmlFormatter(nowrap=False))
    return f'<div class="highlight-python notranslate">{block}</div>'


def raw_html_cell(parts: list[str]) -> nbformat.NotebookNode:
    """A markdown cell that MyST passes through as HTML (blank lines and all)."""
    body = "\n".join(parts)
    return nbformat.v4.new_markdown_cell(f"```{{raw}} html\n{body}\n```")


def exercise_expanders(name: str) -> list[str]:
    """All of exercise ``name``'s hints, and the kit's solution, each behind an expander."""
    from lab.exercises import exercise

    found = exercise(name)
    hints = "".join(f"<li>{html.escape(hint)}</li>" for hint in found.hints)
    return [
        details(f"All {len(found.hints)} hints for {name}", f"<ol>{hints}</ol>"),
        details(f"Solution: the kit's {name}",
                f"<p>{html.escape(found.title)} — <code>{html.escape(found.reference_path)}"
                f"</code>, as cdk_app builds the lab's stack with it.</p>"
                + highlighted(found.solution_source().rstrip() + "\n")),
    ]


def mystery_expanders() -> list[str]:
    """Where each first error points (the nudges), and every link's fix (the solutions)."""
    from lab.failures import SCENARIOS
    from lab.mysteries import ANSWERS, CLUES

    clues = "".join(
        f"<li><strong>{html.escape(name)}</strong><ol>"
        + "".join(f"<li>{html.escape(clue)}</li>" for clue in CLUES[name]) + "</ol></li>"
        for name in sorted(CLUES))
    fixes = "".join(
        f"<li><strong>{html.escape(s.name)}</strong>: {html.escape(s.breaks)}. First error: "
        f"<code>{html.escape(s.expected_error)}</code>. Fix: {html.escape(s.fix)}. "
        f"lab.diagnose takes, for example, <code>{html.escape(ANSWERS[s.name][0])}</code>.</li>"
        for s in sorted(SCENARIOS.values(), key=lambda s: s.name))
    return [details("Hints: what to look at next, for each link that can break",
                    f"<ul>{clues}</ul>"),
            details("Solutions: every link a mystery can break, and its fix",
                    f"<ul>{fixes}</ul>")]


def plot_text_alternative(cell) -> str | None:
    """The ``alt`` of a cell's plot: what the cell printed with it (lab's plots print their
    text alternative), else the image output's text/plain; None for a cell with no image."""
    outputs = cell.get("outputs", []) if cell.cell_type == "code" else []
    images = [o for o in outputs if any(k.startswith("image/") for k in o.get("data", {}))]
    if not images:
        return None
    printed = " ".join(o.get("text", "").strip() for o in outputs
                       if o.get("output_type") == "stream" and o.get("name") == "stdout")
    return printed.strip() or str(images[0]["data"].get("text/plain", "")).strip() or None


def stage_notebook(path: Path, target: Path, extra: set[str] | None = None) -> int:
    """Copy ``path`` to ``target`` with hint/solution expanders; how many were added.

    An exercise's expanders follow its hint cell (whose committed output, hint 1, is
    folded too), else its check cell; 09's follow the ``lab.diagnose`` cell.
    """
    nb = nbformat.read(path, as_version=4)
    extra = set() if extra is None else extra
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = relink(cell.source, path.parent.relative_to(ROOT).as_posix(), extra)
        alt = plot_text_alternative(cell)
        if alt:
            cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    with_hint_cell = {m.group(1) for source in code for m in HINT_CALL.finditer(source)}
    cells, added = [], 0
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        parts: list[str] = []
        hint, checked = HINT_CALL.search(cell.source), CHECK_CALL.search(cell.source)
        if hint:
            parts = exercise_expanders(hint.group(1))
            tags = cell.metadata.setdefault("tags", [])
            if "hide-output" not in tags:
                tags.append("hide-output")
        elif checked and checked.group(1) not in with_hint_cell:
            parts = exercise_expanders(checked.group(1))
        elif DIAGNOSE_CALL.search(cell.source):
            parts = mystery_expanders()
        if parts:
            cells.append(raw_html_cell(parts))
            added += len(parts)
    nb.cells = cells
    nbformat.write(nb, target)
    return added


def index_page(readme: str, notebook_names: list[str], guide_names: list[str]) -> str:
    def toctree(caption: str, entries: list[str]) -> str:
        lines = "\n".join(entries)
        return f"\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n{lines}\n```\n"

    return (readme.rstrip() + "\n" + toctree("Walk-through", notebook_names)
            + (toctree("Guides", guide_names) if guide_names else ""))


def stage(source: Path = SOURCE) -> dict:
    """Lay out the book's sources in ``source``; what was staged."""
    if not MERMAID_JS.is_file():
        raise BookError(f"{MERMAID_JS.relative_to(ROOT)} is missing; run make book "
                        "(it runs npm ci in book/ first).")
    shutil.rmtree(source, ignore_errors=True)
    (source / "notebooks").mkdir(parents=True)
    (source / "_static").mkdir()
    shutil.copy2(HERE / "conf.py", source / "conf.py")
    shutil.copy2(HERE / "mermaid_local.py", source / "mermaid_local.py")
    shutil.copy2(MERMAID_JS, source / "_static" / MERMAID_JS.name)
    shutil.copy2(HERE / "book.css", source / "_static" / "book.css")
    extra: set[str] = set()
    (source / "docs").mkdir()
    for path in guides():
        (source / "docs" / path.name).write_text(
            relink(path.read_text(encoding="utf-8"), "docs", extra), encoding="utf-8")
    expanders = {}
    for path in notebooks():
        expanders[path.name] = stage_notebook(path, source / "notebooks" / path.name, extra)
    names = [f"notebooks/{path.stem}" for path in notebooks()]
    guide_names = [f"docs/{path.stem}" for path in guides()]
    readme = relink((ROOT / "README.md").read_text(encoding="utf-8"), "", extra)
    (source / "index.md").write_text(index_page(readme, names, guide_names), encoding="utf-8")
    for relative in sorted(extra):  # linked files that are not pages: downloads
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, source / relative)
    return {"notebooks": names, "guides": guide_names, "expanders": expanders,
            "downloads": sorted(extra)}


def build(source: Path = SOURCE, out: Path = OUT, *, quiet: bool = True) -> dict:
    """Stage, then run Sphinx (warnings are errors: a broken link fails the build)."""
    from sphinx.cmd.build import build_main

    started = time.monotonic()
    staged = stage(source)
    shutil.rmtree(out, ignore_errors=True)
    # MyST-NB writes outputs' images beside the output folder first, then copies them in.
    scratch = out.parent / "jupyter_execute"
    shutil.rmtree(scratch, ignore_errors=True)
    args = ["-b", "html", "-W", "--keep-going", "-n", "-E", "-d", str(source / ".doctrees"),
            str(source), str(out)]
    if quiet:
        args.insert(0, "-q")
    status = build_main(args)
    shutil.rmtree(scratch, ignore_errors=True)
    if status:
        raise BookError(f"sphinx-build failed (exit {status}); fix the warnings above "
                        "and run make book again.")
    return {**staged, "seconds": round(time.monotonic() - started, 1),
            "index": str(out / "index.html")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the HTML goes")
    parser.add_argument("--verbose", action="store_true", help="Sphinx's own progress")
    args = parser.parse_args(argv)
    try:
        result = build(out=args.out, quiet=not args.verbose)
    except BookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"book: {len(result['notebooks'])} notebooks, {len(result['guides'])} guides, "
          f"{sum(result['expanders'].values())} expanders, {result['seconds']} s -> "
          f"{result['index']}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
