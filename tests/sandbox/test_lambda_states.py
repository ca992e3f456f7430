"""Step Functions' ``arn:aws:states:::lambda:invoke`` runs the handler in the sandbox.

connect-lambda.html ("Optimized Lambda integration"): the task's output is the Invoke
response with the SDK's HTTP metadata (``ExecutedVersion``, ``Payload``,
``SdkHttpMetadata``, ``SdkResponseMetadata``, ``StatusCode``); a function error fails the
task with the error object's ``errorType`` as the error name and the object as the cause
(bp-lambda-serviceexception.html / error handling: ``Lambda.TooManyRequestsException`` for a
throttled invoke). Without ``lab.sandbox.lambda_`` moto tries Docker and the output lacks
the metadata, so every test fails.
"""

from __future__ import annotations

import json

import pytest
from http_invoke_builders import create_state_machine, run_execution_by_arn, task_failure
from lambda_builders import create_function, log_messages

from lab.sandbox import lambda_

CODE = """
import time
def handler(event, context):
    if event.get("fail"):
        raise ValueError("upstream said no")
    time.sleep(event.get("sleep", 0))
    return {"seen": event, "request_id": context.aws_request_id}
"""


@pytest.fixture
def machine(aws):
    """A function and a STANDARD state machine invoking it with the execution's input."""
    arn = create_function(aws, CODE, timeout=1)
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": arn, "Payload.$": "$"},
                "End": True,
            }
        },
    }
    yield aws, definition
    lambda_.shutdown()


def _run(aws, definition, execution_input: dict) -> dict:
    machine_arn = create_state_machine(aws, definition)
    execution_arn = aws("stepfunctions").start_execution(
        stateMachineArn=machine_arn, input=json.dumps(execution_input)
    )["executionArn"]
    return run_execution_by_arn(aws, execution_arn)


def test_the_task_output_is_the_sdk_response(machine):
    """connect-lambda.html's output example: the five fields, the request id the handler
    saw in ``SdkResponseMetadata``, and that id's START line in the function's log."""
    aws, definition = machine
    described = _run(aws, definition, {"ping": 1})
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert sorted(output) == [
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    ]
    assert output["ExecutedVersion"] == "$LATEST" and output["StatusCode"] == 200
    request_id = output["Payload"]["request_id"]
    assert output["Payload"]["seen"] == {"ping": 1}
    assert output["SdkResponseMetadata"] == {"RequestId": request_id}
    metadata = output["SdkHttpMetadata"]
    assert metadata["HttpStatusCode"] == 200
    assert metadata["HttpHeaders"]["x-amzn-RequestId"] == request_id
    assert metadata["AllHttpHeaders"]["X-Amz-Executed-Version"] == ["$LATEST"]
    assert f"START RequestId: {request_id} Version: $LATEST" in log_messages(aws)


def test_an_express_workflow_gets_the_same_output(machine):
    """StartSyncExecution of an EXPRESS workflow (the "before" stack has one) answers so too."""
    aws, definition = machine
    machine_arn = create_state_machine(aws, definition, express=True, name="express")
    answer = aws("stepfunctions").start_sync_execution(
        stateMachineArn=machine_arn, input=json.dumps({"ping": 2})
    )
    assert answer["status"] == "SUCCEEDED", answer
    output = json.loads(answer["output"])
    assert output["Payload"]["seen"] == {"ping": 2} and "SdkHttpMetadata" in output


def test_a_timeout_fails_the_task_with_sandbox_timedout(machine):
    """A function timeout's error object has ``errorType: Sandbox.Timedout``
    (lambda troubleshooting-invocation.html#troubleshooting-timeouts), which Step Functions
    reports as the error (the error is the error object's ``errorType``).

    bp-lambda-serviceexception.html still says timeouts and out-of-memory errors are
    reported as ``Lambda.Unknown``: that is what an error object without ``errorType`` (the
    runtime's older timeout answer, ``{"errorMessage": "<time> <id> Task timed out after …"}``)
    gives. ``States.ALL`` and ``States.TaskFailed`` match both; AWS's recommended Retry
    (``Lambda.ServiceException``, …) matches neither."""
    aws, definition = machine
    described = _run(aws, definition, {"sleep": 3})
    assert described["status"] == "FAILED"
    failure = task_failure(aws, described["executionArn"])
    assert failure["error"] == "Sandbox.Timedout"
    cause = json.loads(failure["cause"])
    assert cause["errorMessage"].endswith("Task timed out after 1.00 seconds")


def test_a_handler_error_fails_the_task_with_its_type(machine):
    """An unhandled exception: the error is its type, the cause the runtime's error object."""
    aws, definition = machine
    described = _run(aws, definition, {"fail": True})
    failure = task_failure(aws, described["executionArn"])
    assert failure["error"] == "ValueError"
    assert json.loads(failure["cause"])["errorMessage"] == "upstream said no"


def test_a_throttled_invoke_fails_with_lambda_too_many_requests(machine):
    """Reserved concurrency 0 throttles every invoke (configuration-concurrency.html)."""
    aws, definition = machine
    aws("lambda").put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=0)
    described = _run(aws, definition, {})
    failure = task_failure(aws, described["executionArn"])
    assert failure["error"] == "Lambda.TooManyRequestsException"
    assert "Rate Exceeded." in failure["cause"]

