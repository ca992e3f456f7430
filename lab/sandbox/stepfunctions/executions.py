"""Executions as AWS describes them: DescribeExecution, ListExecutions and ``$$.Execution``.

moto 5.2.5's ``describe_execution`` leaves out the redrive fields and ``inputDetails``, drops
the output of an execution whose output is JSON ``null``, and its ``list_executions`` ignores
``redriveFilter``; its context object has no ``Execution.RedriveCount``. The sandbox does not
emulate RedriveExecution, so no execution is ever redriven: ``redriveCount`` is 0 and an
execution is redrivable exactly when AWS says one that was never redriven is
(https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html: a STANDARD
execution that FAILED, TIMED_OUT or was ABORTED, within 14 days of stopping).

Every moto internal used here has a contract test in ``tests/contracts/test_moto_executions.py``.
"""

from __future__ import annotations

import json
from typing import Any

#: Statuses AWS lets RedriveExecution restart (redrive-executions.html).
REDRIVABLE_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")
STOPPED_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def redrive_status(status: str, is_express: bool = False) -> tuple[str, str | None]:
    """(redriveStatus, redriveStatusReason) of a never-redriven execution in ``status``."""
    if is_express:
        return "NOT_REDRIVABLE", "Execution is of type EXPRESS and cannot be redriven"
    if status in REDRIVABLE_STATUSES:
        return "REDRIVABLE", None
    return "NOT_REDRIVABLE", f"Execution is {status} and cannot be redriven"


def _is_express(backend, execution) -> bool:
    try:
        machine = backend.describe_state_machine(execution.state_machine_arn)
    except Exception:  # noqa: BLE001 - a deleted machine: AWS still describes the execution
        return False
    return getattr(machine, "type", "STANDARD") == "EXPRESS"


def describe_execution_response(backend, arn: str) -> dict[str, Any]:
    """DescribeExecution's output for ``arn``: botocore's shape, every field AWS sends."""
    execution = backend.describe_execution(arn)
    status = execution.status.value if hasattr(execution.status, "value") else execution.status
    response: dict[str, Any] = {
        "executionArn": arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "status": status,
        "startDate": execution.start_date,
        "input": execution.execution_input,
        "inputDetails": {"included": True},
        "redriveCount": 0,
    }
    if status in STOPPED_STATUSES:
        response["stopDate"] = execution.stop_date
    if status == "SUCCEEDED":
        output = execution.output
        # The interpreter keeps the output as a value (a str output is a JSON string);
        # moto's other Execution classes keep JSON text.
        if not isinstance(output, str) or hasattr(execution, "exec_worker"):
            output = json.dumps(output, separators=(",", ":"))
        response["output"] = output
        response["outputDetails"] = {"included": True}
    if execution.error is not None:
        response["error"] = execution.error
    if execution.cause is not None:
        response["cause"] = execution.cause
    redrive, reason = redrive_status(status, _is_express(backend, execution))
    response["redriveStatus"] = redrive
    if reason:
        response["redriveStatusReason"] = reason
    return response


def describe_execution(self):
    """StepFunctionResponse.describe_execution, with AWS's full output."""
    from moto.core.responses import ActionResult

    return ActionResult(
        describe_execution_response(self.stepfunction_backend, self._get_param("executionArn"))
    )


def list_executions(self):
    """StepFunctionResponse.list_executions, with ``redriveFilter`` and ``redriveCount``.

    No execution is ever redriven in the sandbox: ``REDRIVEN`` lists none, ``NOT_REDRIVEN``
    lists all.
    """
    moto_result = list_executions.moto_original(self)
    body = getattr(moto_result, "result", None)
    if body is None:
        return moto_result
    if self._get_param("redriveFilter") == "REDRIVEN":
        body["executions"] = []
        body.pop("nextToken", None)
    for item in body.get("executions", []):
        item["redriveCount"] = 0
    if body.get("nextToken") is None:
        body.pop("nextToken", None)
    return moto_result


def _execution_context(self):
    """ExecutionWorker._get_evaluation_environment, with ``$$.Execution.RedriveCount`` = 0."""
    environment = _execution_context.moto_original(self)
    execution = environment.states.context_object.context_object_data["Execution"]
    execution.setdefault("RedriveCount", 0)
    return environment


def apply() -> None:
    """Patch moto's responses and execution worker. Idempotent."""
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions.responses import StepFunctionResponse

    if not hasattr(StepFunctionResponse.describe_execution, "moto_original"):
        describe_execution.moto_original = StepFunctionResponse.describe_execution
        StepFunctionResponse.describe_execution = describe_execution
    if not hasattr(StepFunctionResponse.list_executions, "moto_original"):
        list_executions.moto_original = StepFunctionResponse.list_executions
        StepFunctionResponse.list_executions = list_executions
    if not hasattr(ExecutionWorker._get_evaluation_environment, "moto_original"):
        _execution_context.moto_original = ExecutionWorker._get_evaluation_environment
        ExecutionWorker._get_evaluation_environment = _execution_context
