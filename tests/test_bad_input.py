"""Bad input and steps out of order: one ``error: …`` line naming the fix, nothing half-made.

Every row runs ``python -m lab …`` as a learner would and checks: the exit code (2 for a
mistake, 0 for an idempotent no-op), exactly one ``error:`` line on stderr that names the
fix (none for a no-op), no traceback, and that nothing was created on the way.

Rows covered elsewhere (not repeated here):

- unknown ``LAB_MODE``: tests/test_cli.py::test_unknown_mode_is_one_error_line_and_exit_2
  (and tests/test_config.py::test_unknown_mode_is_refused_naming_both_modes);
- aws mode without credentials:
  tests/test_cli.py::test_deploy_in_aws_mode_without_credentials_names_the_fix;
- unsupported region: tests/test_cli.py::test_unsupported_region_is_one_error_line_and_exit_2;
- ``run -n 0`` / ``--concurrency 65`` at the parser:
  tests/test_harness.py::test_cli_refuses_out_of_range_arguments_in_one_line (here: the
  whole process, and that no results file appears);
- deploy while a delete is in progress (Stubber): the deploy waits, then creates:
  tests/test_deploy_stubbed.py::test_stack_being_deleted_is_waited_for_then_created;
- deploy over a ROLLBACK_COMPLETE stack (Stubber): deleted, then created, and said so:
  tests/test_deploy_stubbed.py::test_rollback_complete_stack_is_deleted_then_created_and_says_so;
- destroy twice against moto / Stubber: tests/test_deploy_moto.py,
  tests/test_deploy_stubbed.py::test_destroying_a_missing_stack_is_an_idempotent_no_op.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lab_api_client import lab_api
from test_cli import run_lab

import lab
from lab.errors import LabError

ROLLBACK_STACK = "LabBadInputRollback"
NEVER_DEPLOYED = "LabBadInputNeverDeployed"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Row:
    """One bad input: the command, its environment, the exit code and the fix it must name."""

    argv: list[str]
    code: int
    names: list[str]
    env: dict[str, str] = field(default_factory=dict)
    needs: str | None = None  # "sandbox", "rollback_stack", "port_taken", "no_sandbox"


ROWS = {
    "run -n 0": Row(["run", "-n", "0", "--no-progress"], 2, ["between 1 and 100000"]),
    "negative --concurrency": Row(
        ["run", "--concurrency", "-3", "--no-progress"], 2, ["between 1 and 64"]
    ),
    "absurd --concurrency": Row(
        ["run", "--concurrency", "100000", "--no-progress"], 2, ["between 1 and 64"]
    ),
    "sandbox port taken by another program": Row(
        ["sandbox", "start"], 2, ["taken by another program", "LAB_SANDBOX_PORT"],
        needs="port_taken",
    ),
    "stack in ROLLBACK_COMPLETE": Row(
        ["outputs"], 2, ["ROLLBACK_COMPLETE", "python -m lab deploy"],
        env={"LAB_STACK_NAME": ROLLBACK_STACK}, needs="rollback_stack",
    ),
    "outputs before deploy": Row(
        ["outputs"], 2, ["does not exist", "python -m lab deploy", "01_deploy_stack"],
        env={"LAB_STACK_NAME": NEVER_DEPLOYED}, needs="sandbox",
    ),
    "outputs before the sandbox ever started": Row(
        ["outputs"], 2, ["not running", "python -m lab deploy", "01_deploy_stack"],
        needs="no_sandbox",
    ),
    "destroy a stack that is not there": Row(
        ["destroy"], 0, ["nothing to destroy"], env={"LAB_STACK_NAME": NEVER_DEPLOYED},
        needs="sandbox",
    ),
    "destroy with no sandbox running": Row(
        ["destroy"], 0, ["nothing to destroy"], needs="no_sandbox",
    ),
}  # fmt: skip


@pytest.fixture
def rollback_stack(sandbox):
    """A stack whose create failed and rolled back (VPC Lattice refuses the gateway name)."""
    from lab.clients import client

    cfn = client("cloudformation")
    gateway = {"Type": "AWS::VpcLattice::ResourceGateway",
               "Properties": {"Name": "Not_Valid", "VpcIdentifier": "vpc-0123456789abcdef0",
                              "SubnetIds": ["subnet-0123456789abcdef0"]}}
    template = {"Resources": {"Gateway": gateway}}
    cfn.create_stack(StackName=ROLLBACK_STACK, TemplateBody=json.dumps(template))
    deadline = time.monotonic() + 30
    while cfn.describe_stacks(StackName=ROLLBACK_STACK)["Stacks"][0]["StackStatus"] != (
        "ROLLBACK_COMPLETE"
    ):
        assert time.monotonic() < deadline, "the failing stack did not roll back"
        time.sleep(0.1)
    yield
    cfn.delete_stack(StackName=ROLLBACK_STACK)


def _stacks(endpoint: str) -> list:
    return sorted((s["name"], s["status"]) for s in lab_api(endpoint, "status")["stacks"])


def _run(row: Row, request, tmp_path: Path):
    """Run the row's command with what it needs; returns (process, check_nothing_created)."""
    env = {"LAB_STATE_DIR": str(tmp_path / "state"), "LAB_RESULTS_DIR": str(tmp_path / "results"),
           **row.env}
    if row.needs in ("sandbox", "rollback_stack"):
        endpoint = request.getfixturevalue("sandbox")
        if row.needs == "rollback_stack":
            request.getfixturevalue("rollback_stack")
        env["LAB_SANDBOX_PORT"] = os.environ["LAB_SANDBOX_PORT"]
        before = _stacks(endpoint)
        return run_lab(*row.argv, **env), lambda: _stacks(endpoint) == before
    if row.needs == "port_taken":
        with socket.socket() as other:
            other.bind(("127.0.0.1", 0))
            other.listen()
            env["LAB_SANDBOX_PORT"] = str(other.getsockname()[1])
            done = run_lab(*row.argv, **env)
        return done, lambda: not list((tmp_path / "state").glob("sandbox-*.pid"))
    port = _free_port()
    env["LAB_SANDBOX_PORT"] = str(port)

    def nothing_started() -> bool:
        with socket.socket() as probe:  # nobody listens: no sandbox was started on the way
            return probe.connect_ex(("127.0.0.1", port)) != 0

    def nothing_written() -> bool:
        return nothing_started() and not (tmp_path / "results").exists() and not list(
            (tmp_path / "state").glob("sandbox-*.pid"))

    return run_lab(*row.argv, **env), nothing_written


@pytest.mark.parametrize("name", list(ROWS))
def test_bad_input_is_one_line_naming_the_fix_and_creates_nothing(name, request, tmp_path):
    row = ROWS[name]
    done, nothing_created = _run(row, request, tmp_path)

    assert done.returncode == row.code, done.stderr
    assert "Traceback" not in done.stderr
    if row.code == 0:
        assert done.stderr.strip() == ""
        said = done.stdout.strip().splitlines()[-1]
    else:
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
        said = lines[0]
    for fragment in row.names:
        assert fragment in said
    assert nothing_created()


def test_destroy_twice_is_a_no_op_both_times(sandbox, tmp_path):
    env = {"LAB_SANDBOX_PORT": os.environ["LAB_SANDBOX_PORT"], "LAB_STACK_NAME": NEVER_DEPLOYED,
           "LAB_STATE_DIR": str(tmp_path)}
    answers = [run_lab("destroy", **env) for _ in range(2)]

    assert [a.returncode for a in answers] == [0, 0]
    assert answers[0].stdout == answers[1].stdout


def test_a_notebook_cell_run_before_deploy_names_the_deploy_step(sandbox, monkeypatch):
    monkeypatch.setenv("LAB_STACK_NAME", NEVER_DEPLOYED)

    with pytest.raises(LabError) as raised:
        lab.resource_gateway()

    message = str(raised.value)
    assert "\n" not in message
    assert "python -m lab deploy" in message and "01_deploy_stack" in message


def test_a_failure_lab_run_before_deploy_names_the_deploy_step(sandbox, monkeypatch):
    monkeypatch.setenv("LAB_STACK_NAME", NEVER_DEPLOYED)

    with pytest.raises(LabError, match="python -m lab deploy"):
        with lab.broken("wrong_api_key"):
            pass
