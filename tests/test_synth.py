"""lab.synth: runs the CDK app in a subprocess and caches the template by content.

These tests use a tiny stand-in app (a ``cdk_app`` package in a temporary
project) so they run in milliseconds; tests/test_cli.py synthesizes the real app.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from lab.config import LabConfig
from lab.errors import LabError
from lab.synthesis import CACHE_DIR, cache_key, synth

FAKE_APP_MAIN = textwrap.dedent(
    """
    import argparse, json, os, pathlib, sys

    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    out = pathlib.Path(parser.parse_args().out)
    root = pathlib.Path.cwd()
    with open(root / "runs.log", "a") as log:
        log.write("run\\n")
    if os.environ.get("FAKE_APP_FAIL"):
        print("jsii noise on stderr", file=sys.stderr)
        print("RuntimeError: Stack has 1 asset(s); remove the construct", file=sys.stderr)
        sys.exit(1)
    stack = os.environ["LAB_STACK_NAME"]
    out.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("FAKE_APP_WRITE_NOTHING"):
        body = {"Description": stack + " in " + os.environ["LAB_REGION"], "Resources": {}}
        (out / (stack + ".template.json")).write_text(json.dumps(body))
    print(out / (stack + ".template.json"))
    """
)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("FAKE_APP_FAIL", raising=False)
    monkeypatch.delenv("FAKE_APP_WRITE_NOTHING", raising=False)
    app = tmp_path / "cdk_app"
    app.mkdir()
    (app / "__init__.py").write_text('"""stand-in app"""\n')
    (app / "__main__.py").write_text(FAKE_APP_MAIN)
    (tmp_path / "cdk.json").write_text('{"app": "python -m cdk_app"}\n')
    return tmp_path


def _cfg(stack_name="FakeStack", region="us-east-1") -> LabConfig:
    return LabConfig(mode="sandbox", region=region, stack_name=stack_name, sandbox_port=5599)


def _runs(project: Path) -> int:
    log = project / "runs.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_first_synth_runs_the_app_and_caches_its_template(project):
    path = synth(cfg=_cfg(), project_root=project)
    assert path == project / CACHE_DIR / cache_key(_cfg(), project_root=project) / (
        "FakeStack.template.json"
    )
    assert json.loads(path.read_text())["Description"] == "FakeStack in us-east-1"
    assert _runs(project) == 1


def test_second_synth_is_answered_from_the_cache(project):
    first = synth(cfg=_cfg(), project_root=project)
    second = synth(cfg=_cfg(), project_root=project)
    assert first == second
    assert _runs(project) == 1


def test_editing_an_app_file_synthesizes_again(project):
    synth(cfg=_cfg(), project_root=project)
    (project / "cdk_app" / "network.py").write_text("VPC_CIDR = '10.0.0.0/16'\n")
    synth(cfg=_cfg(), project_root=project)
    assert _runs(project) == 2


def test_adding_cdk_context_synthesizes_again(project):
    synth(cfg=_cfg(), project_root=project)
    (project / "cdk.context.json").write_text('{"availability-zones": ["a", "b"]}\n')
    synth(cfg=_cfg(), project_root=project)
    assert _runs(project) == 2


def test_bytecode_does_not_change_the_key(project):
    before = cache_key(_cfg(), project_root=project)
    pycache = project / "cdk_app" / "__pycache__"
    pycache.mkdir()
    (pycache / "stack.cpython-311.pyc").write_bytes(b"\x00\x01")
    assert cache_key(_cfg(), project_root=project) == before


@pytest.mark.parametrize(
    "other", [_cfg(stack_name="OtherStack"), _cfg(region="eu-west-1")], ids=["stack", "region"]
)
def test_stack_name_and_region_are_part_of_the_key(project, other):
    assert cache_key(other, project_root=project) != cache_key(_cfg(), project_root=project)


def test_the_cdk_library_version_is_part_of_the_key(project, monkeypatch):
    before = cache_key(_cfg(), project_root=project)
    monkeypatch.setattr("lab.synthesis._library_version", lambda name: "0.0.0")
    assert cache_key(_cfg(), project_root=project) != before


def test_the_cache_keeps_only_the_newest_entries(project, monkeypatch):
    monkeypatch.setattr("lab.synthesis.CACHE_ENTRIES_KEPT", 2)
    paths = []
    for i in range(3):
        paths.append(synth(cfg=_cfg(stack_name=f"Stack{i}"), project_root=project))
        os.utime(paths[-1].parent, (1_000 + i, 1_000 + i))  # distinct ages on any filesystem
    assert [path.exists() for path in paths] == [False, True, True]


def test_out_dir_gets_a_copy_named_after_the_stack(project, tmp_path):
    out = tmp_path / "elsewhere" / "out"
    path = synth(out, cfg=_cfg(), project_root=project)
    assert path == out / "FakeStack.template.json"
    assert json.loads(path.read_text())["Description"] == "FakeStack in us-east-1"


def test_a_failing_app_raises_its_last_error_line(project, monkeypatch):
    monkeypatch.setenv("FAKE_APP_FAIL", "1")
    with pytest.raises(LabError, match=r"failed: RuntimeError: Stack has 1 asset\(s\)"):
        synth(cfg=_cfg(), project_root=project)


def test_a_failed_synth_leaves_nothing_in_the_cache(project, monkeypatch):
    monkeypatch.setenv("FAKE_APP_FAIL", "1")
    with pytest.raises(LabError):
        synth(cfg=_cfg(), project_root=project)
    assert list((project / CACHE_DIR).iterdir()) == []


def test_an_app_that_writes_no_template_is_reported(project, monkeypatch):
    monkeypatch.setenv("FAKE_APP_WRITE_NOTHING", "1")
    with pytest.raises(LabError, match="without writing FakeStack.template.json"):
        synth(cfg=_cfg(), project_root=project)


def test_a_project_without_the_app_is_reported(tmp_path):
    with pytest.raises(LabError, match="no cdk_app/ directory"):
        synth(cfg=_cfg(), project_root=tmp_path)


def test_lab_synth_stays_callable_after_the_module_is_imported(project):
    import lab.synthesis  # the module has its own name, so ``lab.synth`` stays the function

    assert lab.synth(cfg=_cfg(), project_root=project) == synth(cfg=_cfg(), project_root=project)
