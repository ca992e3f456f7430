"""House rules every committed notebook keeps (what CI and the README promise)."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
SANDBOX_ACCOUNT = "123456789012"
ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
ids = [p.name for p in NOTEBOOKS]


def _cells(path, kind="code"):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == kind]


def _source(cell):
    return "".join(cell["source"])


def test_the_walk_through_is_there():
    names = [p.stem.split("_", 1)[0] for p in NOTEBOOKS]
    for number in ("00", "01", "02", "03", "04", "05", "99"):
        assert number in names, f"notebook {number}_… is missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_code_cells_have_at_most_five_lines(path):
    long = [(i, _source(c)) for i, c in enumerate(_cells(path))
            if len(_source(c).strip("\n").splitlines()) > 5]
    assert not long, f"{path.name}: cells over 5 lines: {long}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_first_code_cell_is_a_parameters_cell(path):
    first = _cells(path)[0]
    assert "parameters" in first.get("metadata", {}).get("tags", []), path.name
    assert "LAB_MODE" in _source(first), f"{path.name}: parameters cell must set LAB_MODE"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_opens_with_what_it_teaches_and_a_diagram(path):
    first_md = _source(_cells(path, "markdown")[0])
    assert first_md.lstrip().startswith("# "), f"{path.name}: first cell must be a title"
    assert any("```mermaid" in _source(c) for c in _cells(path, "markdown")), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_trailing_semicolons(path):
    # nbval still compares the output a trailing ';' hides; plots end with plt.show().
    assert not [i for i, c in enumerate(_cells(path)) if _source(c).rstrip().endswith(";")]


# The full secrets scan (API key value, secret keys, account ids) of committed
# notebooks, results and logs is tests/test_security_scan.py; this is the quick one.
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_committed_outputs_hold_no_access_keys_or_foreign_accounts(path):
    text = json.dumps([c.get("outputs", []) for c in _cells(path)])
    assert not ACCESS_KEY_ID.search(text), f"{path.name}: an AWS access key id in the outputs"
    foreign = {m for m in ACCOUNT_ID.findall(text) if m != SANDBOX_ACCOUNT}
    assert not foreign, f"{path.name}: account ids other than the sandbox's: {foreign}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_committed_with_outputs(path):
    cells = _cells(path)
    assert all(c.get("execution_count") for c in cells), f"{path.name}: not fully executed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_the_notebook_names_the_kernel_ipykernel_installs(path):
    # Another display name makes JupyterLab mark the notebook modified on opening.
    from lab.notebooks import KERNELSPEC

    assert json.loads(path.read_text())["metadata"]["kernelspec"] == KERNELSPEC


# ---------------------------------------------------------------- accessibility
# Notebooks for All (https://github.com/Iota-School/notebooks-for-all): one H1, headings in
# order, link text that names its target, a text alternative for every plot and diagram.

def _markdown_text(path):
    """Every markdown cell's text with code blocks (Mermaid, shell) left out."""
    return [re.sub(r"```.*?```", "", _source(c), flags=re.S) for c in _cells(path, "markdown")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_one_h1_and_headings_in_order(path):
    levels = [len(m.group(1)) for text in _markdown_text(path)
              for m in re.finditer(r"^(#{1,6}) ", text, re.M)]
    assert levels.count(1) == 1 and levels[0] == 1, f"{path.name}: headings {levels}"
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert not skips, f"{path.name}: a heading skips a level: {skips}"


VAGUE_LINK_TEXT = {"here", "click here", "this", "link", "this link", "more", "read more"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_link_text_names_its_target(path):
    for text in _markdown_text(path):
        for label, _ in re.findall(r"\[([^\]]*)\]\(([^)]*)\)", text):
            assert label.strip().lower() not in VAGUE_LINK_TEXT, f"{path.name}: [{label}]"
            assert not re.fullmatch(r"https?://\S+", label.strip()), f"{path.name}: bare URL"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_every_diagram_has_a_text_version(path):
    for cell in _cells(path, "markdown"):
        text = _source(cell)
        for end in [m.end() for m in re.finditer(r"```mermaid\n.*?```", text, re.S)]:
            assert text[end:].lstrip().startswith("The diagram, in words:"), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_a_left_to_right_diagram_stays_readable(path):
    """07's diagram (eleven boxes left to right) was shrunk to unreadable in the notebook's
    column; more than seven boxes go top to bottom."""
    for cell in _cells(path, "markdown"):
        for block in re.findall(r"```mermaid\n(.*?)```", _source(cell), re.S):
            if re.match(r"\s*(flowchart|graph) (LR|RL)", block):
                boxes = set(re.findall(r"(\w+)\s*\[", block))
                assert len(boxes) <= 7, f"{path.name}: {len(boxes)} boxes left to right"


# ------------------------------------------------------- committed outputs, as first opened
# What a learner sees before running anything (untrusted: no <style> element survives) and
# what GitHub shows. These hold for outputs written by the current lab.display: after a
# change to it, `make notebooks` rewrites them.

def _outputs(path):
    for index, cell in enumerate(_cells(path)):
        for output in cell.get("outputs", []):
            yield index, cell, output


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_committed_tables_need_no_style_element(path):
    for index, _, output in _outputs(path):
        html = "".join(output.get("data", {}).get("text/html", ""))
        assert "<style" not in html, f"{path.name} cell {index}: a <style> element"
        if "<table" in html:
            cells = re.findall(r"<t[dh](?: [^>]*)?>", html)
            assert all("style=" in c for c in cells), f"{path.name} cell {index}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_cell_output_over_20_kb(path):
    for index, cell, _ in _outputs(path):
        size = len(json.dumps(cell["outputs"]))
        images = sum(len(json.dumps(o.get("data", {}).get("image/png", "")))
                     for o in cell["outputs"])
        assert size - images <= 20_000, f"{path.name} cell {index}: {size - images} bytes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_every_committed_plot_has_a_text_alternative(path):
    for index, cell in enumerate(_cells(path)):
        outputs = cell.get("outputs", [])
        if any("image/png" in o.get("data", {}) for o in outputs):
            text = "".join("".join(o.get("text", "")) for o in outputs)
            assert "The plot:" in text, f"{path.name} cell {index}: a plot without its sentence"


def test_05b_try_this_says_what_to_expect_and_how_to_redeploy_and_undo():
    """05b: the expected States.QueryEvaluationError showed only inside a 20-line
    AssertionError (the whole trace as its message), and the text said nothing of how to
    redeploy or undo the change."""
    path = next(p for p in NOTEBOOKS if p.name.startswith("05b_"))
    text = "\n".join(_source(c) for c in _cells(path, "markdown"))
    try_this = text[text.index("**Try this:**"):]
    for needed in ("States.QueryEvaluationError", "ensure_deployed", "git checkout"):
        assert needed in try_this, needed
    asserts = [_source(c) for c in _cells(path) if 'hidden["status"] == "SUCCEEDED"' in _source(c)]
    assert asserts and all(', hidden\n' not in s + "\n" for s in asserts)
