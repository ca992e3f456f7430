"""What `make setup`, `make test` and `make jupyter` do (Makefile), checked without running them."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text()


def _make_value(expression: str, env: dict | None = None) -> str:
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", str(ROOT),
         "--eval", f"lab-print-value: ; @echo {expression}", "lab-print-value"],
        capture_output=True, text=True, timeout=60, check=True, env=env)
    return out.stdout.strip()


def _make_dry_run(target: str) -> str:
    """The commands `make -n target` would run (setup's stamps taken as up to date)."""
    stamps = [".venv/.installed", "node_modules/.installed"]
    out = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(ROOT),
         *[f"--assume-old={stamp}" for stamp in stamps], target],
        capture_output=True, text=True, timeout=60, check=True)
    return out.stdout


@pytest.mark.skipif(shutil.which("node") is None or shutil.which("make") is None,
                    reason="needs node and make")
def test_make_silences_jsiis_end_of_life_banner_for_this_node():
    """`make setup` ended with jsii's 11-line "Node 20 is end-of-life" banner (printed as
    Python bytes). jsii silences it only for the major versions listed in
    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION (jsii-runtime's checkNode)."""
    major = subprocess.run(["node", "--version"], capture_output=True, text=True,
                           check=True).stdout.strip().lstrip("v").split(".")[0]
    listed = _make_value("$$JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION").split(",")
    assert major in [v.strip() for v in listed]


def test_make_jupyter_starts_jupyterlab_without_the_news_pop_up():
    """JupyterLab's news pop-up covered outputs. LabApp.news_url=None (not an empty string,
    which still asks) sets page_config news.disabled; NeverCheckForUpdate stops the update
    check (jupyterlab/labapp.py)."""
    from jupyterlab.labapp import LabApp

    quiet = re.search(r"^JUPYTER_QUIET := (.*)$", MAKEFILE, re.M)
    assert quiet, "Makefile: no JUPYTER_QUIET flags for `make jupyter`"
    assert "$(JUPYTER_QUIET)" in MAKEFILE.split("\njupyter:", 1)[1].split("\n\n", 1)[0]
    app = LabApp()
    app.parse_command_line(quiet.group(1).split())
    assert app.news_url is None
    assert app.check_for_updates_class.__name__ == "NeverCheckForUpdate"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lets_python_write_its_bytecode_caches():
    """uv installs no .pyc files (pip compiled them; uv only with --compile-bytecode), and
    with PYTHONDONTWRITEBYTECODE set Python never writes them (docs.python.org, "Command
    line and environment"): every Python process `make test` starts compiled moto, botocore
    and boto3 from source again. The Makefile does not pass the variable on."""
    import os

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    assert _make_value("[$$PYTHONDONTWRITEBYTECODE]", env) == "[]"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_test_runs_ruff_the_whole_suite_and_strict_nbval_side_by_side():
    """`make test` is every check: ruff, the pytest suite but the two markers with targets of
    their own (clients, events_load), and strict nbval of notebooks/ with the sanitizer; the
    suite and nbval run at once (-j2), each with its own sandbox port."""
    commands = _make_dry_run("test")
    assert "-m ruff check ." in commands
    assert re.search(r"-j ?2\b.*\btest-suite\b.*\btest-nbval\b", commands), commands
    lines = commands.splitlines()
    suite = [line for line in lines if "-m pytest" in line and "--nbval" not in line]
    assert len(suite) == 1 and '-m "not clients and not events_load"' in suite[0], commands
    assert "--nbval notebooks/" in commands and "--nbval-sanitize-with" in commands, commands
    nbval = next(line for line in lines if "--nbval notebooks/" in line)
    assert nbval.startswith("LAB_SANDBOX_PORT="), nbval
