"""Run a notebook as CI injects answers (papermill, ``SOLVED=True`` in its parameters cell)
and read what the cells that start with a given call printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def solved_outputs(notebook: str, tmp_path: Path, call: str) -> list[str]:
    """The text/plain outputs of ``notebook``'s code cells starting with ``call``, solved."""
    import nbformat

    out = tmp_path / f"{Path(notebook).stem}_solved.ipynb"
    done = subprocess.run(
        [sys.executable, "-m", "papermill", str(NOTEBOOKS / notebook), str(out),
         "--kernel", "python3", "--cwd", str(NOTEBOOKS), "--no-progress-bar",
         "-p", "SOLVED", "True"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return [
        "".join(o.get("data", {}).get("text/plain", ""))
        for cell in nbformat.read(out, as_version=4).cells
        if cell.cell_type == "code" and cell.source.startswith(call)
        for o in cell.get("outputs", [])
    ]
