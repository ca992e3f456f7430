"""lab.notebooks: the headless runner behind `make run` and `make notebooks`."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from lab import notebooks
from lab.errors import LabError


def _notebook(tmp_path, source):
    path = tmp_path / "00_tiny.ipynb"
    nb = new_notebook(cells=[new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def test_an_executed_copy_lands_in_a_folder_that_did_not_exist(tmp_path):
    out = tmp_path / "results" / "notebooks" / "00_tiny.ipynb"
    notebooks.execute(_notebook(tmp_path, "6 * 7"), out)
    outputs = nbformat.read(out, as_version=4).cells[0].outputs
    assert outputs[0]["data"]["text/plain"] == "42"


def test_a_failing_cell_is_one_error_naming_the_notebook_and_its_executed_copy(tmp_path):
    out = tmp_path / "out" / "00_tiny.ipynb"
    with pytest.raises(LabError, match=r"00_tiny.ipynb failed: .*ZeroDivisionError.*executed copy"):
        notebooks.execute(_notebook(tmp_path, "1 / 0"), out)
    assert out.exists()


def test_the_walk_through_runs_only_against_the_sandbox(monkeypatch):
    monkeypatch.setenv("LAB_MODE", "aws")
    with pytest.raises(LabError, match="sandbox only"):
        notebooks.run_all()
