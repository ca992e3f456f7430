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
