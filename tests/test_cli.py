"""``python -m lab``: results last on stdout, learner mistakes as one ``error:`` line, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab.deployment import required_capabilities, template_body

ROOT = Path(__file__).resolve().parent.parent


def run_lab(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``python -m lab ARGS`` from the project root with a clean LAB_* environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LAB_")}
    # never let a credential lookup leave the machine
    environment["AWS_EC2_METADATA_DISABLED"] = "true"
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "lab", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def assert_one_error_line(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """One real synth through the CLI (tens of seconds cold, instant when cached)."""
    out = tmp_path_factory.mktemp("synth-out")
    return run_lab("synth", "--out", str(out)), out


@pytest.mark.slow
def test_synth_prints_the_template_path_last_and_writes_it(synthesized):
    done, out = synthesized
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert Path(last) == out / "PrivateApiLab.template.json"
    assert Path(last).is_file()


@pytest.mark.slow
def test_synthesized_template_deploys_inline_with_capability_iam_only(synthesized):
    done, out = synthesized
    template = json.loads((out / "PrivateApiLab.template.json").read_text())
    template_body(template)  # raises LabError above CloudFormation's TemplateBody limit
    assert required_capabilities(template) == ["CAPABILITY_IAM"]


def test_unknown_mode_is_one_error_line_and_exit_2():
    assert_one_error_line(run_lab("outputs", LAB_MODE="nope"), "LAB_MODE=sandbox")


def test_unsupported_region_is_one_error_line_and_exit_2():
    assert_one_error_line(run_lab("synth", LAB_REGION="il-central-1"), "il-central-1", "LAB_REGION")


def test_usage_mistake_is_one_error_line_and_exit_2():
    assert_one_error_line(run_lab("deploy", "--frobnicate"), "--frobnicate", "--help")


def test_deploy_in_aws_mode_without_credentials_names_the_fix(tmp_path):
    done = run_lab(
        "deploy",
        LAB_MODE="aws",
        LAB_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="",
        AWS_SECRET_ACCESS_KEY="",
        AWS_SESSION_TOKEN="",
        AWS_PROFILE="",
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_CONFIG_FILE=str(tmp_path / "none"),
    )
    assert_one_error_line(done, "aws configure", "AWS_PROFILE")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("-n", "0"), "n must be between 1 and 100000"),
        (("-n", "10", "--concurrency", "65"), "concurrency must be between 1 and 64"),
        (("-n", "ten"), "n must be a whole number"),
    ],
)
def test_events_send_refuses_bad_counts_in_one_line(args, fragment):
    assert_one_error_line(run_lab("events", "send", *args), fragment)


def test_the_run_workflow_choices_are_the_stacks_workflows():
    from cdk_app.names import WORKFLOW_OUTPUTS
    from lab.cli import RUN_WORKFLOWS

    assert RUN_WORKFLOWS[-1] == "both"
    assert set(RUN_WORKFLOWS[:-1]) <= set(WORKFLOW_OUTPUTS)


def test_commands_that_print_no_table_do_not_import_pandas(tmp_path):
    """``python -m lab sandbox status`` (which tests, make targets and learners run often)
    answers without pandas' quarter second of import; a table command still sets the lab's
    pandas options first."""
    probe = ("import sys; from lab import cli; cli.main(sys.argv[1:]); "
             "print('pandas' in sys.modules, file=sys.stderr)")
    environment = {**os.environ, "LAB_STATE_DIR": str(tmp_path), "LAB_SANDBOX_PORT": "9"}

    def imports_pandas(*args: str) -> str:
        done = subprocess.run([sys.executable, "-c", probe, *args], cwd=ROOT, env=environment,
                              capture_output=True, text=True, timeout=120)
        return done.stderr.strip().splitlines()[-1]

    assert imports_pandas("sandbox", "status") == "False"
    assert imports_pandas("progress") == "True"
