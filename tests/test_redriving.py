"""lab.redrive: redrive a workflow's failed executions and say what ran again (notebook 06).

Encodes redrive-executions.html: a redriven STANDARD execution restarts at the state that
did not succeed; the states that succeeded are not run again; EXPRESS cannot be redriven.
"""

from __future__ import annotations

import json
import time

import pytest

from lab.errors import LabError

#: Fails at "Call" until redriven once (JSONata $error), like a broken link later repaired.
FLAKY = {
    "QueryLanguage": "JSONata", "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Call"},
        "Call": {"Type": "Pass", "Next": "Done",
                 "Output": "{% $states.context.Execution.RedriveCount = 0 ? "
                           "$error('link broken') : {'ok': true} %}"},
        "Done": {"Type": "Pass", "End": True},
    },
}


def test_redrive_reports_what_ran_again(clean_sandbox, sandbox_client, monkeypatch):
    """Every redrivable execution is redriven and succeeds; "Prepare" is not run again."""
    import lab.executions
    from lab.redriving import redrive

    sfn = sandbox_client("stepfunctions")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    role = sandbox_client("iam").create_role(
        RoleName="flaky", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    machine = sfn.create_state_machine(name="flaky", roleArn=role,
                                       definition=json.dumps(FLAKY))["stateMachineArn"]
    monkeypatch.setattr(lab.executions, "state_machine_arn", lambda workflow: machine)
    arns = [sfn.start_execution(stateMachineArn=machine)["executionArn"] for _ in range(2)]
    deadline = time.monotonic() + 20
    while any(sfn.describe_execution(executionArn=a)["status"] == "RUNNING" for a in arns):
        assert time.monotonic() < deadline
        time.sleep(0.05)

    rows = redrive("standard").to_dict("records")
    assert len(rows) == 2
    for row in rows:
        assert (row["status_before"], row["status_after"], row["redriveCount"]) == (
            "FAILED", "SUCCEEDED", 1)
        assert row["states_run_again"] == ["Call", "Done"]
        assert row["not_run_again"] == ["Prepare"]
    assert redrive("standard").empty  # nothing left to redrive


def test_express_is_refused_in_words():
    """RedriveExecution is for STANDARD workflows (API_RedriveExecution.html)."""
    from lab.redriving import redrivable_executions

    with pytest.raises(LabError, match="EXPRESS"):
        redrivable_executions("express")
