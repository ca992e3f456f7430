"""What `make setup` and `make jupyter` show a learner (Makefile), checked without running them."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text()


def _make_value(expression: str) -> str:
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", str(ROOT),
         "--eval", f"lab-print-value: ; @echo {expression}", "lab-print-value"],
        capture_output=True, text=True, timeout=60, check=True)
    return out.stdout.strip()


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
