"""DescribeExecution, ListExecutions and $$.Execution as AWS documents them."""

from __future__ import annotations

import pytest
from sfn_run import output, run
from shape_check import assert_valid_output

PASS = {"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}


@pytest.fixture
def sfn(moto_inprocess):
    return moto_inprocess("stepfunctions")


def test_a_succeeded_execution_is_not_redrivable(sfn):
    """(recorded) redriveCount 0, NOT_REDRIVABLE, "Execution is SUCCEEDED and cannot be redriven",
    inputDetails {included: true}
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html)."""
    described, _ = run(sfn, PASS, {"a": 1})
    assert described["redriveCount"] == 0
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert described["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert described["inputDetails"] == {"included": True}
    assert described["outputDetails"] == {"included": True}
    body = {k: v for k, v in described.items() if k != "ResponseMetadata"}
    assert_valid_output("stepfunctions", "DescribeExecution", body)


def test_a_failed_standard_execution_is_redrivable(sfn):
    """FAILED, TIMED_OUT, ABORTED STANDARD executions can be redriven
    (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html)."""
    described, _ = run(sfn, FAIL)
    assert (described["status"], described["redriveStatus"]) == ("FAILED", "REDRIVABLE")
    assert "redriveStatusReason" not in described
    assert (described["error"], described["cause"]) == ("E", "c")


def test_the_context_object_has_redrive_count_zero(sfn):
    """(recorded) `$$.Execution.RedriveCount` is 0
    (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html)."""
    described, _ = run(
        sfn,
        {
            "StartAt": "S",
            "States": {
                "S": {
                    "Type": "Pass",
                    "Parameters": {"n.$": "$$.Execution.RedriveCount"},
                    "End": True,
                }
            },
        },
    )
    assert output(described) == {"n": 0}


def test_a_null_output_is_the_text_null(sfn):
    """An execution whose output is JSON null describes it as "null" (moto dropped the field)."""
    described, _ = run(
        sfn,
        {
            "QueryLanguage": "JSONata",
            "StartAt": "S",
            "States": {"S": {"Type": "Pass", "Output": "{% null %}", "End": True}},
        },
    )
    assert described["output"] == "null"


def test_list_executions_filters_by_status_and_redrive(sfn):
    """ListExecutions statusFilter and redriveFilter (REDRIVEN | NOT_REDRIVEN)
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html)."""
    described, _ = run(sfn, FAIL)
    machine = described["stateMachineArn"]
    failed = sfn.list_executions(stateMachineArn=machine, statusFilter="FAILED")["executions"]
    assert [e["executionArn"] for e in failed] == [described["executionArn"]]
    assert (
        sfn.list_executions(stateMachineArn=machine, statusFilter="SUCCEEDED")["executions"] == []
    )
    assert (
        sfn.list_executions(stateMachineArn=machine, redriveFilter="REDRIVEN")["executions"] == []
    )
    listed = sfn.list_executions(stateMachineArn=machine, redriveFilter="NOT_REDRIVEN")
    assert [e["redriveCount"] for e in listed["executions"]] == [0]
    assert_valid_output(
        "stepfunctions",
        "ListExecutions",
        {k: v for k, v in listed.items() if k != "ResponseMetadata"},
    )


def test_what_the_interpreter_cannot_do_fails_in_words_not_python(sfn):
    """Never a Python exception text in a Cause: an activity task (which moto's interpreter
    cannot hand to a worker) fails with States.Runtime "not emulated by the sandbox: activity
    tasks …" (moto: "AWSError.__init__() missing 1 required positional argument")."""
    activity = sfn.create_activity(name="worker")["activityArn"]
    described, _ = run(sfn, {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 5, "End": True}}})
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert "not emulated by the sandbox: activity tasks" in described["cause"]
    assert "__init__" not in described["cause"] and "argument" not in described["cause"]


def test_list_executions_takes_a_state_machine_or_a_map_run(sfn):
    """ListExecutions: "You can specify either a mapRunArn or a stateMachineArn, but not both"
    (API_ListExecutions.html): both, or neither, is a ValidationException (moto: Python's "can
    only concatenate str"); an unknown Map Run is ResourceNotFound; a real one says that its
    child executions are not emulated."""
    from botocore.exceptions import ClientError

    described, _ = run(sfn, {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}}}, [1, 2])
    (map_run,) = sfn.list_map_runs(executionArn=described["executionArn"])["mapRuns"]

    def refused(**kwargs):
        with pytest.raises(ClientError) as error:
            sfn.list_executions(**kwargs)
        return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]

    assert refused()[0] == "ValidationException"
    assert refused(stateMachineArn=described["stateMachineArn"],
                   mapRunArn=map_run["mapRunArn"])[0] == "ValidationException"
    assert refused(mapRunArn=map_run["mapRunArn"] + "x")[0] == "ResourceNotFound"
    code, message = refused(mapRunArn=map_run["mapRunArn"])
    assert (code, message.startswith("not emulated by the sandbox: ListExecutions by mapRunArn")
            ) == ("ValidationException", True)


def test_jsonata_reads_the_redrive_count_in_states_context(sfn):
    """`$states.context` is the Context object in JSONata states
    (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html, "Reserved
    variable : $states"): its Execution.RedriveCount is 0, Execution.Id the execution's ARN."""
    described, _ = run(sfn, {"QueryLanguage": "JSONata", "StartAt": "S", "States": {
        "S": {"Type": "Pass", "End": True, "Output": {
            "n": "{% $states.context.Execution.RedriveCount %}",
            "id": "{% $states.context.Execution.Id %}"}}}})
    assert output(described) == {"n": 0, "id": described["executionArn"]}


def test_actions_the_sandbox_does_not_emulate_answer_in_words(sfn):
    """GetActivityTask and the state machine version actions are not emulated: a
    ValidationException "not emulated by the sandbox: <Action> (…)" (moto: HTTP 500 with an
    HTML page); RedriveExecution of an execution that does not exist is ExecutionDoesNotExist
    (API_RedriveExecution.html)."""
    from botocore.exceptions import ClientError

    described, _ = run(sfn, FAIL)
    calls = {
        "GetActivityTask": lambda: sfn.get_activity_task(
            activityArn=sfn.create_activity(name="w")["activityArn"]),
        "ListStateMachineVersions": lambda: sfn.list_state_machine_versions(
            stateMachineArn=described["stateMachineArn"]),
    }
    for action, call in calls.items():
        with pytest.raises(ClientError) as refused:
            call()
        error = refused.value.response["Error"]
        assert error["Code"] == "ValidationException"
        assert error["Message"].startswith(f"not emulated by the sandbox: {action} (")
    with pytest.raises(ClientError) as missing:
        sfn.redrive_execution(executionArn=described["executionArn"] + "x")
    assert missing.value.response["Error"]["Code"] == "ExecutionDoesNotExist"


#: AWS's timestamps in the context object (input-output-contextobject.html: "StartTime":
#: "2019-03-26T20:14:13.192Z"): ISO 8601, UTC, milliseconds, "Z".
AWS_CONTEXT_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"


def _context_keys(context: dict) -> dict:
    return {key: sorted(value) for key, value in context.items()}


def test_the_whole_context_object_is_json_with_iso_timestamps(sfn):
    """(recorded) `"ctx.$": "$$"` in a Pass state's Parameters gives the whole context object
    (LocalStack's parity snapshot of AWS, stepfunctions/v2/context_object test_input_path[$$]:
    Execution{Id, Input, StartTime, Name, RoleArn, RedriveCount}, StateMachine{Id, Name},
    State{Name, EnteredTime}) with ISO 8601 timestamps; the sandbox answered DescribeExecution
    with HTTP 500 ("Object of type datetime is not JSON serializable")."""
    import re

    described, _ = run(sfn, {"StartAt": "S", "States": {
        "S": {"Type": "Pass", "Parameters": {"ctx.$": "$$"}, "End": True}}}, {"input-value": 0})
    assert described["status"] == "SUCCEEDED"
    context = output(described)["ctx"]
    assert _context_keys(context) == {
        "Execution": ["Id", "Input", "Name", "RedriveCount", "RoleArn", "StartTime"],
        "StateMachine": ["Id", "Name"],
        "State": ["EnteredTime", "Name"],
    }
    assert context["Execution"]["Id"] == described["executionArn"]
    assert context["Execution"]["Input"] == {"input-value": 0}
    assert context["State"]["Name"] == "S"
    assert re.match(AWS_CONTEXT_TIME, context["Execution"]["StartTime"])
    assert re.match(AWS_CONTEXT_TIME, context["State"]["EnteredTime"])


def test_the_whole_context_object_can_be_assigned_to_a_variable(sfn):
    """`"ctx.$": "$$"` in an Assign (workflow-variables.html: Assign takes JSONPath paths into
    the context object) stores the context object; the sandbox failed the execution with
    "not emulated by the sandbox: …"."""
    described, history = run(sfn, {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"ctx.$": "$$"}, "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"start.$": "$ctx.Execution.StartTime",
                                             "state.$": "$ctx.State.Name"}, "End": True}}})
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert output(described)["state"] == "A"
    import re

    assert re.match(AWS_CONTEXT_TIME, output(described)["start"])


def test_an_express_execution_context_has_no_redrive_count(sfn):
    """(recorded) an EXPRESS execution's `$$.Execution` is {Id, Input, Name, RoleArn,
    StartTime}: no RedriveCount (LocalStack's parity snapshots of AWS,
    stepfunctions/v2/test_state test_base_map_state_inspect: the context of an
    `…:express:…` execution); STANDARD's has RedriveCount 0 (above)."""
    import json

    from sfn_run import ROLE

    arn = sfn.create_state_machine(
        name="express-ctx", type="EXPRESS", roleArn=ROLE, definition=json.dumps(
            {"StartAt": "S", "States": {
                "S": {"Type": "Pass", "Parameters": {"e.$": "$$.Execution"}, "End": True}}}),
    )["stateMachineArn"]
    result = sfn.start_sync_execution(stateMachineArn=arn, input="{}")
    assert result["status"] == "SUCCEEDED", result.get("cause")
    assert sorted(json.loads(result["output"])["e"]) == [
        "Id", "Input", "Name", "RoleArn", "StartTime"]


@pytest.mark.parametrize(("state", "written"), [
    ("ended", ["stop_date", "output", "exec_status"]),
    ("error", ["stop_date", "error", "cause", "exec_status"]),
])
def test_an_ended_executions_status_is_written_after_its_output_and_error(moto_inprocess, state,
                                                                          written):
    """A DescribeExecution that sees SUCCEEDED or FAILED also sees the output or the error
    (API_DescribeExecution.html: ``output`` is present once an execution SUCCEEDED). moto
    wrote the status first: under load a describe in between answered output "null"."""
    from types import SimpleNamespace

    from moto.stepfunctions.parser.asl.eval.program_state import ProgramEnded, ProgramError
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    program = (ProgramEnded() if state == "ended"
               else ProgramError({"error": "Lab.Boom", "cause": "on purpose"}))
    order = []

    class Execution:
        def __setattr__(self, name, value):
            order.append(name)
            object.__setattr__(self, name, value)

    execution = Execution()
    object.__setattr__(execution, "exec_worker", SimpleNamespace(env=SimpleNamespace(
        program_state=lambda: program,
        states=SimpleNamespace(get_input=lambda: {"greeting": "hi"}))))

    BaseExecutionWorkerCommunication(execution)._reflect_execution_status()

    assert order == written
    assert execution.exec_status in ("SUCCEEDED", "FAILED")
