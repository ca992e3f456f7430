"""``make book``'s staging (book/build.py), without Sphinx or a browser.

Issue 24 item 4: the book shows every notebook with its COMMITTED outputs (never
re-executed, never altered), and the hands-on notebooks' hints and solutions behind
expanders — written from the kit's own catalogue (lab.exercises.EXERCISES: each exercise's
``hints`` and ``lab.solution`` source; lab.mysteries.CLUES and lab.failures.SCENARIOS for
09), so the book says what ``lab.hint``/``lab.solution``/``lab.diagnose`` say. The page
itself (diagrams drawn, images, links, offline) is browser_tests/test_published_book.py.
"""

from __future__ import annotations

import html
import importlib.util
from pathlib import Path

import nbformat
import pytest

from lab.exercises import EXERCISES
from lab.failures import SCENARIOS
from lab.mysteries import CLUES
from lab.notebooks import notebook_paths

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("book_build", ROOT / "book" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _staged(build, tmp_path: Path, name: str) -> nbformat.NotebookNode:
    target = tmp_path / name
    build.stage_notebook(ROOT / "notebooks" / name, target)
    return nbformat.read(target, as_version=4)


def _path(stem_prefix: str) -> Path:
    return next(p for p in notebook_paths() if p.name.startswith(stem_prefix))


def test_book_takes_every_notebook_in_walkthrough_order(build):
    """A notebook added to notebooks/ (e.g. 10_before_after) is in the book with no edit."""
    assert build.notebooks() == notebook_paths()
    assert build.guides() == sorted((ROOT / "docs").glob("*.md"))


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_staged_notebook_keeps_every_committed_output(build, tmp_path, path):
    """The staged copy has the committed cells, sources and outputs unchanged, in order;
    the only new cells are the expanders' markdown, with no outputs."""
    original = nbformat.read(path, as_version=4)
    staged = _staged(build, tmp_path, path.name)
    kept = [cell for cell in staged.cells if not cell.source.startswith("```{raw} html")]
    assert len(kept) == len(original.cells)
    for before, after in zip(original.cells, kept, strict=True):
        if before.cell_type == "markdown":  # links may be re-pointed (relink), nothing else
            assert after.source == build.relink(before.source, "notebooks", set())
        else:
            assert after.source == before.source
        assert after.get("outputs") == before.get("outputs")
    added = [cell for cell in staged.cells if cell.source.startswith("```{raw} html")]
    assert all(cell.cell_type == "markdown" for cell in added)


def test_every_exercise_has_its_hints_and_solution_behind_expanders(build, tmp_path):
    """Each exercise of 08: all of ``Exercise.hints`` and the ``lab.solution`` source,
    inside <details>; the cell whose committed output is hint 1 is folded (hide-output)."""
    path = _path("08_")
    staged = _staged(build, tmp_path, path.name)
    html_cells = "\n".join(c.source for c in staged.cells if c.source.startswith("```{raw}"))
    assert html_cells.count('<details class="lab-expander">') == 2 * len(EXERCISES)
    for name, exercise in EXERCISES.items():
        assert f"Solution: the kit&#x27;s {name}" in html_cells, name
        for hint in exercise.hints:
            assert f"<li>{html.escape(hint)}</li>" in html_cells, (name, hint)
        # Pygments splits the source into spans: the kit's function name is one of them
        function = exercise.reference().__name__
        assert f'<span class="nf">{function}</span>' in html_cells, name
    hint_cells = [c for c in staged.cells if c.cell_type == "code" and "lab.hint(" in c.source]
    assert hint_cells and all("hide-output" in c.metadata.get("tags", []) for c in hint_cells)


def test_troubleshooting_has_every_clue_and_fix_behind_expanders(build, tmp_path):
    """09: lab.diagnose's nudges (CLUES) and every scenario's fix, each inside <details>."""
    path = _path("09_")
    staged = _staged(build, tmp_path, path.name)
    html_cells = "\n".join(c.source for c in staged.cells if c.source.startswith("```{raw}"))
    assert html_cells.count('<details class="lab-expander">') == 2
    for name, clues in CLUES.items():
        assert all(html.escape(clue) in html_cells for clue in clues), name
    for scenario in SCENARIOS.values():
        assert html.escape(scenario.fix) in html_cells, scenario.name


def test_no_expanders_in_the_other_notebooks(build, tmp_path):
    for path in notebook_paths():
        if path.name.startswith(("08_", "09_")):
            continue
        staged = _staged(build, tmp_path, path.name)
        assert len(staged.cells) == len(nbformat.read(path, as_version=4).cells), path.name


def test_missing_mermaid_names_the_fix(build, tmp_path, monkeypatch):
    """Without book/node_modules (npm ci not run) the build stops with one sentence."""
    monkeypatch.setattr(build, "MERMAID_JS", ROOT / "book" / "node_modules" / "absent.js")
    with pytest.raises(build.BookError, match="run make book"):
        build.stage(tmp_path / "src")


def test_index_page_lists_notebooks_then_guides(build):
    page = build.index_page("# Title\n\ntext\n", ["notebooks/00_setup"], ["docs/facilitator"])
    assert page.startswith("# Title\n\ntext\n")
    assert page.index("notebooks/00_setup") < page.index("docs/facilitator")
    assert page.count("```{toctree}") == 2 and page.count(":hidden:") == 2


def test_a_plot_gets_the_text_it_was_printed_with_as_alt(build, tmp_path):
    """Notebooks for All: every plot has a text alternative. 05's ECDF cell prints one
    (lab.plot_ecdf); the book's <img> carries it as alt (MyST-NB's cell-level image
    options), not the image's file name."""
    path = _path("05_")
    staged = _staged(build, tmp_path, path.name)
    with_images = [c for c in staged.cells if c.cell_type == "code" and any(
        "image/png" in o.get("data", {}) for o in c.outputs)]
    assert with_images
    for cell in with_images:
        printed = "".join(o.text for o in cell.outputs if o.output_type == "stream").strip()
        assert cell.metadata["mystnb"]["image"]["alt"] == printed


def test_links_resolve_in_the_book(build):
    """README.md is the book's index page; a linked repository file that is no page is
    copied in (Sphinx serves it as a download); outside links and anchors stay as they are."""
    extra: set[str] = set()
    text = ("[front](../README.md#tests) [policy](deployer-policy.json) [make](../Makefile) "
            "[aws](https://docs.aws.amazon.com/x.html) [here](#anchor) [nb](../notebooks/"
            "05_http_invoke_latency.ipynb) [none](missing.txt)")
    out = build.relink(text, "docs", extra)
    assert "[front](../index.md#tests)" in out
    assert "[aws](https://docs.aws.amazon.com/x.html)" in out and "[here](#anchor)" in out
    assert "[nb](../notebooks/05_http_invoke_latency.ipynb)" in out
    assert extra == {"docs/deployer-policy.json", "Makefile"}
    assert "[none](missing.txt)" in out  # left for Sphinx to report: the build fails on it
