"""RedriveExecution as AWS documents it.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html,
https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html and botocore's
DescribeExecution documentation (redriveCount, redriveDate, redriveStatus, the list of
redriveStatusReason texts). Responses are checked against botocore's output shapes.
"""

from __future__ import annotations

import datetime
import json
import time

import pytest
from botocore.exceptions import ClientError
from sfn_run import ROLE, events, output, run
from shape_check import assert_valid_output

#: Fails at "Gate" until the execution has been redriven once ($error throws in JSONata);
#: "Prepare" assigns a variable the states after the failure read.
FLAKY = {
    "QueryLanguage": "JSONata",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Assign": {"seen": "{% $states.input.k %}"},
                    "Output": {"k2": "{% $states.input.k * 2 %}"}, "Next": "Gate"},
        "Gate": {"Type": "Pass", "Next": "Done",
                 "Output": "{% $states.context.Execution.RedriveCount = 0 ? "
                           "$error('the link is broken') : $states.input %}"},
        "Done": {"Type": "Pass", "End": True,
                 "Output": {"seen": "{% $seen %}", "k2": "{% $states.input.k2 %}",
                            "n": "{% $states.context.Execution.RedriveCount %}"}},
    },
}
ALWAYS_FAILS = {"StartAt": "First", "States": {
    "First": {"Type": "Pass", "Next": "F"},
    "F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}


@pytest.fixture
def sfn(moto_inprocess):
    return moto_inprocess("stepfunctions")


def _wait(sfn, arn: str) -> dict:
    deadline = time.monotonic() + 10
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.02)


def _body(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def _entered(history: list[dict], name: str) -> int:
    return sum(1 for e in history if e["type"].endswith("StateEntered")
               and e["stateEnteredEventDetails"]["name"] == name)


def test_a_redrive_resumes_at_the_failed_state_without_rerunning_what_succeeded(sfn):
    """API_RedriveExecution.html: "continues the failed execution from the unsuccessful step
    and uses the same input … doesn't rerun [successful] steps … same state machine
    definition and execution ARN"; the history gains ExecutionRedriven {redriveCount};
    DescribeExecution: redriveCount 1, redriveDate, and once SUCCEEDED NOT_REDRIVABLE
    "Execution is SUCCEEDED and cannot be redriven"; $$.Execution.RedriveCount is 1."""
    failed, history = run(sfn, FLAKY, {"k": 21})
    assert (failed["status"], failed["error"]) == ("FAILED", "States.QueryEvaluationError")
    arn = failed["executionArn"]

    redriven = sfn.redrive_execution(executionArn=arn)
    assert_valid_output("stepfunctions", "RedriveExecution", _body(redriven))
    described = _wait(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert output(described) == {"seen": 21, "k2": 42, "n": 1}
    assert described["startDate"] == failed["startDate"]
    assert (described["redriveCount"], described["redriveDate"]) == (1, redriven["redriveDate"])
    assert (described["redriveStatus"], described["redriveStatusReason"]) == (
        "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven")
    assert_valid_output("stepfunctions", "DescribeExecution", _body(described))

    history = sfn.get_execution_history(executionArn=arn)["events"]
    assert [e["executionRedrivenEventDetails"] for e in events(history, "ExecutionRedriven")] == [
        {"redriveCount": 1}]
    assert (_entered(history, "Prepare"), _entered(history, "Gate"), _entered(history, "Done")) \
        == (1, 2, 1)
    assert [e["type"] for e in history][0] == "ExecutionStarted"
    assert history[-1]["type"] == "ExecutionSucceeded"
    ids = [e["id"] for e in history]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_what_cannot_be_redriven_is_refused_with_execution_not_redrivable(sfn):
    """API_RedriveExecution.html: not a SUCCEEDED execution, not EXPRESS ("This API action is
    not supported by EXPRESS state machines"); the error is botocore's ExecutionNotRedrivable
    with DescribeExecution's redriveStatusReason; an unknown ARN is ExecutionDoesNotExist."""
    succeeded, _ = run(sfn, {"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True}}})
    with pytest.raises(ClientError) as refused:
        sfn.redrive_execution(executionArn=succeeded["executionArn"])
    assert refused.value.response["Error"] == {
        "Code": "ExecutionNotRedrivable",
        "Message": "Execution is SUCCEEDED and cannot be redriven"}

    machine = sfn.create_state_machine(
        name="fast", type="EXPRESS", roleArn=ROLE,
        definition=json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail"}}}))
    express = sfn.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"]
    _wait(sfn, express)
    with pytest.raises(ClientError) as refused:
        sfn.redrive_execution(executionArn=express)
    assert refused.value.response["Error"]["Code"] == "ExecutionNotRedrivable"

    with pytest.raises(ClientError) as missing:
        sfn.redrive_execution(executionArn=succeeded["executionArn"] + "x")
    assert missing.value.response["Error"]["Code"] == "ExecutionDoesNotExist"


def test_a_client_token_makes_the_redrive_idempotent(sfn):
    """API_RedriveExecution.html clientToken: "idempotent responses for the last 10 client
    tokens used to successfully redrive the execution … valid for up to 15 minutes": the same
    token answers the same redriveDate and redrives nothing; a new one is a new redrive."""
    failed, _ = run(sfn, ALWAYS_FAILS)
    arn = failed["executionArn"]
    first = sfn.redrive_execution(executionArn=arn, clientToken="repair-1")
    _wait(sfn, arn)
    again = sfn.redrive_execution(executionArn=arn, clientToken="repair-1")
    assert again["redriveDate"] == first["redriveDate"]
    assert _wait(sfn, arn)["redriveCount"] == 1
    sfn.redrive_execution(executionArn=arn, clientToken="repair-2")
    described = _wait(sfn, arn)
    assert (described["status"], described["redriveCount"], described["redriveStatus"]) == (
        "FAILED", 2, "REDRIVABLE")
    history = sfn.get_execution_history(executionArn=arn)["events"]
    assert [e["executionRedrivenEventDetails"]["redriveCount"]
            for e in events(history, "ExecutionRedriven")] == [1, 2]
    assert _entered(history, "First") == 1  # the state that succeeded ran once


def test_list_executions_redrive_filter_agrees(sfn):
    """API_ListExecutions.html redriveFilter: REDRIVEN lists executions redriven at least once,
    NOT_REDRIVEN the others; items carry redriveCount and redriveDate."""
    redriven, _ = run(sfn, ALWAYS_FAILS, name="m")
    machine = redriven["stateMachineArn"]
    other = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    _wait(sfn, other)
    sfn.redrive_execution(executionArn=redriven["executionArn"])
    _wait(sfn, redriven["executionArn"])

    listed = sfn.list_executions(stateMachineArn=machine, redriveFilter="REDRIVEN")
    assert_valid_output("stepfunctions", "ListExecutions", _body(listed))
    assert [(e["executionArn"], e["redriveCount"]) for e in listed["executions"]] == [
        (redriven["executionArn"], 1)]
    assert "redriveDate" in listed["executions"][0]
    never = sfn.list_executions(stateMachineArn=machine, redriveFilter="NOT_REDRIVEN")
    assert [(e["executionArn"], e["redriveCount"]) for e in never["executions"]] == [(other, 0)]


def test_an_aborted_execution_resumes_at_the_state_it_was_stopped_in(sfn):
    """redrive-executions.html: ABORTED executions can be redriven; the state that was running
    (here a Wait) runs again, the one before it does not."""
    definition = {"StartAt": "Before", "States": {
        "Before": {"Type": "Pass", "Result": {"ok": 1}, "Next": "Hold"},
        "Hold": {"Type": "Wait", "Seconds": 1, "End": True}}}
    machine = sfn.create_state_machine(name="hold", roleArn=ROLE,
                                       definition=json.dumps(definition))["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    deadline = time.monotonic() + 5
    while _entered(sfn.get_execution_history(executionArn=arn)["events"], "Hold") == 0:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    sfn.stop_execution(executionArn=arn)
    stopped = _wait(sfn, arn)
    assert (stopped["status"], stopped["redriveStatus"]) == ("ABORTED", "REDRIVABLE")
    sfn.redrive_execution(executionArn=arn)
    deadline = time.monotonic() + 10
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert described["status"] == "SUCCEEDED"
    assert output(described) == {"ok": 1}
    history = sfn.get_execution_history(executionArn=arn)["events"]
    assert (_entered(history, "Before"), _entered(history, "Hold")) == (1, 2)


def test_the_redrivable_period_and_limits_are_judged_as_documented():
    """botocore DescribeExecution redriveStatusReason list: "Execution redrivable period
    exceeded" (14 days after stopping), "Execution has exceeded the max execution time" (one
    year open), "Execution is RUNNING and cannot be redriven"."""
    from lab.sandbox.stepfunctions import redrive

    now = datetime.datetime(2026, 1, 20, tzinfo=datetime.UTC)

    class Stopped:
        status = "FAILED"
        exec_worker = None

        def __init__(self, started, stopped):
            self.start_date, self.stop_date = started, stopped

    day = datetime.timedelta(days=1)
    assert redrive.not_redrivable_reason(Stopped(now - 20 * day, now - 13 * day), False, now) \
        is None
    assert redrive.not_redrivable_reason(Stopped(now - 20 * day, now - 15 * day), False, now) \
        == "Execution redrivable period exceeded"
    assert redrive.not_redrivable_reason(Stopped(now - 400 * day, now - day), False, now) == (
        "Execution has exceeded the max execution time")
    running = Stopped(now, None)
    running.status = "RUNNING"
    assert redrive.not_redrivable_reason(running, False, now) == (
        "Execution is RUNNING and cannot be redriven")
    assert redrive.not_redrivable_reason(Stopped(now, now), True, now) == (
        "Execution is of type EXPRESS and cannot be redriven")



def _after_redrive(history: list[dict]) -> list[dict]:
    (redriven,) = [i for i, e in enumerate(history) if e["type"] == "ExecutionRedriven"]
    return history[redriven + 1:]


#: An item or branch that fails until the execution has been redriven once.
_FAILS_FIRST_TIME = ("{% $states.context.Execution.RedriveCount = 0 and $states.input = 2 ? "
                     "$error('the link is broken') : $states.input * 10 %}")


def _map(processor_config: dict | None = None, **fields) -> dict:
    # The failing item waits a second first: the others have ended when it fails (AWS aborts
    # the iterations still running, and those run again too).
    processor = {"StartAt": "Pace", "States": {
        "Pace": {"Type": "Wait", "Seconds": "{% $states.input = 2 ? 1 : 0 %}", "Next": "Item"},
        "Item": {"Type": "Pass", "End": True, "Output": _FAILS_FIRST_TIME}}}
    if processor_config:
        processor["ProcessorConfig"] = processor_config
    return {"QueryLanguage": "JSONata", "StartAt": "Before", "States": {
        "Before": {"Type": "Pass", "Next": "Each"},
        "Each": {"Type": "Map", "End": True, "Items": "{% $states.input %}",
                 "ItemProcessor": processor, **fields}}}


@pytest.mark.parametrize("concurrency, run_again", [(0, [1]), (1, [1, 2])])
def test_a_redriven_inline_map_runs_only_the_iterations_that_did_not_succeed(
        sfn, concurrency, run_again):
    """API_RedriveExecution.html: "For workflows that include an Inline Map or Parallel state,
    RedriveExecution API action reschedules and redrives only the iterations and branches that
    failed or aborted"; the succeeded iterations keep their outputs in the Map's result. With
    MaxConcurrency 1 the item after the failed one never started: it runs on the redrive too.
    (Sandbox's choice, AWS's events not recorded: the Map is entered again, its
    MapStateStarted length is every item, MapIterationStarted only for those run again.)"""
    failed, _ = run(sfn, _map(MaxConcurrency=concurrency), [1, 2, 3])
    assert failed["status"] == "FAILED"
    arn = failed["executionArn"]
    sfn.redrive_execution(executionArn=arn)
    described = _wait(sfn, arn)
    assert (described["status"], output(described)) == ("SUCCEEDED", [10, 20, 30])
    history = sfn.get_execution_history(executionArn=arn)["events"]
    again = _after_redrive(history)
    assert [e["mapIterationStartedEventDetails"]["index"]
            for e in events(again, "MapIterationStarted")] == run_again
    assert [e["mapStateStartedEventDetails"]["length"]
            for e in events(again, "MapStateStarted")] == [3]
    assert _entered(again, "Before") == 0
    assert _entered(again, "Item") == len(run_again)


def test_a_redriven_parallel_runs_only_the_branches_that_did_not_succeed(sfn):
    """API_RedriveExecution.html: only "the iterations and branches that failed or aborted"
    are redriven: the branches that succeeded are not entered again and keep their outputs,
    in branch order, in the Parallel's result."""
    def branch(name: str, output: str) -> dict:
        return {"StartAt": name, "States": {name: {"Type": "Pass", "End": True,
                                                   "Output": output}}}

    slow = {"StartAt": "Hold", "States": {
        "Hold": {"Type": "Wait", "Seconds": 1, "Next": "B1"},
        "B1": {"Type": "Pass", "End": True, "Output": (
            "{% $states.context.Execution.RedriveCount = 0 ? $error('the link is broken') "
            ": 'one' %}")}}}
    definition = {"QueryLanguage": "JSONata", "StartAt": "Both", "States": {"Both": {
        "Type": "Parallel", "End": True,
        "Branches": [branch("B0", "zero"), slow, branch("B2", "{% $states.input.k %}")]}}}
    failed, _ = run(sfn, definition, {"k": "two"})
    assert failed["status"] == "FAILED"
    arn = failed["executionArn"]
    sfn.redrive_execution(executionArn=arn)
    described = _wait(sfn, arn)
    assert (described["status"], output(described)) == ("SUCCEEDED", ["zero", "one", "two"])
    again = _after_redrive(sfn.get_execution_history(executionArn=arn)["events"])
    assert (_entered(again, "B0"), _entered(again, "Hold"), _entered(again, "B1"),
            _entered(again, "B2")) == (0, 1, 1, 0)


def test_a_redriven_distributed_map_redrives_its_map_run(sfn):
    """redrive-map-run.html: redriving the parent "redrives all the unsuccessful states,
    including a failed Map Run": the same Map Run (ListMapRuns lists one), MapRunRedriven
    {mapRunArn, redriveCount} in the history (botocore MapRunRedrivenEventDetails), only the
    unsuccessful items run again; DescribeMapRun's redriveCount and redriveDate (botocore
    DescribeMapRunOutput: "If you have not yet redriven a Map Run, the redriveCount is 0")."""
    definition = _map({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"})
    failed, _ = run(sfn, definition, [1, 2, 3])
    assert (failed["status"], failed["error"]) == (
        "FAILED", "States.ExceedToleratedFailureThreshold")
    arn = failed["executionArn"]
    (first,) = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    before = sfn.describe_map_run(mapRunArn=first["mapRunArn"])
    assert (before["status"], before["redriveCount"], before["itemCounts"]["failed"]) == (
        "FAILED", 0, 1)
    assert "redriveDate" not in before

    sfn.redrive_execution(executionArn=arn)
    described = _wait(sfn, arn)
    assert (described["status"], output(described)) == ("SUCCEEDED", [10, 20, 30])
    listed = sfn.list_map_runs(executionArn=arn)
    assert_valid_output("stepfunctions", "ListMapRuns", _body(listed))
    assert [m["mapRunArn"] for m in listed["mapRuns"]] == [first["mapRunArn"]]
    after = sfn.describe_map_run(mapRunArn=first["mapRunArn"])
    assert_valid_output("stepfunctions", "DescribeMapRun", _body(after))
    assert (after["status"], after["redriveCount"]) == ("SUCCEEDED", 1)
    assert after["redriveDate"] >= before["startDate"]
    counts = after["itemCounts"]
    assert (counts["total"], counts["succeeded"], counts["failed"]) == (3, 3, 0)
    again = _after_redrive(sfn.get_execution_history(executionArn=arn)["events"])
    assert [e["mapRunRedrivenEventDetails"] for e in events(again, "MapRunRedriven")] == [
        {"mapRunArn": first["mapRunArn"], "redriveCount": 1}]
    assert events(again, "MapRunStarted") == []


def test_an_aborted_map_runs_again_only_the_iterations_that_were_stopped(sfn):
    """API_RedriveExecution.html: in an inline Map only "the iterations … that failed or
    aborted" are redriven: an execution stopped while one iteration waits resumes with that
    iteration alone; the history stays in botocore's shape with ordered, unique ids."""
    slow = ("{% $states.context.Execution.RedriveCount = 0 and $states.input = 2 ? 30 : 0 %}")
    definition = _map()
    processor = definition["States"]["Each"]["ItemProcessor"]["States"]
    processor["Pace"]["Seconds"] = slow
    processor["Item"]["Output"] = "{% $states.input * 10 %}"
    machine = sfn.create_state_machine(name="stoppable", roleArn=ROLE,
                                       definition=json.dumps(definition))["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, input="[1, 2, 3]")["executionArn"]
    deadline = time.monotonic() + 10
    while len(events(sfn.get_execution_history(executionArn=arn)["events"],
                     "MapIterationSucceeded")) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    sfn.stop_execution(executionArn=arn)
    assert _wait(sfn, arn)["status"] == "ABORTED"
    sfn.redrive_execution(executionArn=arn)
    described = _wait(sfn, arn)
    assert (described["status"], output(described)) == ("SUCCEEDED", [10, 20, 30])
    history = sfn.get_execution_history(executionArn=arn)
    assert_valid_output("stepfunctions", "GetExecutionHistory", _body(history))
    ids = [e["id"] for e in history["events"]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [e["mapIterationStartedEventDetails"]["index"] for e in events(
        _after_redrive(history["events"]), "MapIterationStarted")] == [1]
