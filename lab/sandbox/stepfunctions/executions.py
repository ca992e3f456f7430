"""Executions as AWS describes them: DescribeExecution, ListExecutions and ``$$.Execution``.

moto 5.2.5's ``describe_execution`` leaves out the redrive fields and ``inputDetails``, drops
the output of an execution whose output is JSON ``null``, and its ``list_executions`` ignores
``redriveFilter``; its context object has no ``Execution.RedriveCount``. The redrive fields
come from :mod:`.redrive` (RedriveExecution): ``redriveCount`` counts successful redrives and
an execution is redrivable when AWS says it is
(https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html: a STANDARD
execution that FAILED, TIMED_OUT or was ABORTED, within 14 days of stopping).

Its seams (:func:`seams`) and every moto internal used here have a contract test in
``tests/contracts/test_moto_executions.py``.
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

from lab.sandbox import seams as lab_seams
from lab.sandbox.stepfunctions import redrive

#: Statuses AWS lets RedriveExecution restart (redrive-executions.html).
REDRIVABLE_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")
STOPPED_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")

DESCRIBE_EXECUTION = "moto.stepfunctions.responses:StepFunctionResponse.describe_execution"
LIST_EXECUTIONS = "moto.stepfunctions.responses:StepFunctionResponse.list_executions"
EVALUATION_ENVIRONMENT = (
    "moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker._get_evaluation_environment"
)
FROM_ERROR = (
    "moto.stepfunctions.parser.asl.component.state.exec.execute_state:ExecutionState._from_error"
)
#: ``$$.State`` is built by ``CommonStateField._eval_body`` calling this name on entering a state.
STATE_DATA = "moto.stepfunctions.parser.asl.component.state.state:StateData"
#: Where an execution's end (status, output, error) is written when its program stops.
REFLECT_STATUS = ("moto.stepfunctions.parser.backend.execution:"
                  "BaseExecutionWorkerCommunication._reflect_execution_status")


def redrive_status(status: str, is_express: bool = False) -> tuple[str, str | None]:
    """(redriveStatus, redriveStatusReason) of an execution in ``status`` (status alone; the
    full judgement, period and limits included, is :func:`.redrive.not_redrivable_reason`)."""
    if is_express:
        return "NOT_REDRIVABLE", "Execution is of type EXPRESS and cannot be redriven"
    if status in REDRIVABLE_STATUSES:
        return "REDRIVABLE", None
    return "NOT_REDRIVABLE", f"Execution is {status} and cannot be redriven"


def _is_express(backend, execution) -> bool:
    return redrive.is_express(backend, execution)


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
        "redriveCount": redrive.redrive_count(execution),
    }
    if redrive.redrive_date(execution) is not None:
        response["redriveDate"] = redrive.redrive_date(execution)
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
    reason = redrive.not_redrivable_reason(execution, _is_express(backend, execution))
    response["redriveStatus"] = "NOT_REDRIVABLE" if reason else "REDRIVABLE"
    if reason:
        response["redriveStatusReason"] = reason
    return response


def describe_execution(self):
    """StepFunctionResponse.describe_execution, with AWS's full output."""
    from moto.core.responses import ActionResult

    return ActionResult(
        describe_execution_response(self.stepfunction_backend, self._get_param("executionArn"))
    )


def _check_list_executions_target(self) -> None:
    """ListExecutions names a state machine or a Map Run, not both, not neither
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html:
    "You can specify either a mapRunArn or a stateMachineArn, but not both"); moto read a
    missing stateMachineArn as None and failed with Python's "can only concatenate str".

    A Map Run's child workflow executions are not kept by the sandbox's interpreter (it runs
    a Distributed Map's items itself; DescribeMapRun has their counts), so listing them is
    refused in plain words rather than answered with a list that would be wrong.
    """
    from moto.stepfunctions.exceptions import ResourceNotFound, ValidationException

    machine, map_run = self._get_param("stateMachineArn"), self._get_param("mapRunArn")
    if machine and map_run:
        raise ValidationException(
            "Invalid request: You can specify either a mapRunArn or a stateMachineArn, "
            "but not both")
    if not machine and not map_run:
        raise ValidationException(
            "Invalid request: You must specify either a mapRunArn or a stateMachineArn")
    if map_run:
        try:
            self.stepfunction_backend.describe_map_run(map_run_arn=map_run)
        except Exception:
            raise ResourceNotFound(map_run) from None
        raise ValidationException(
            "not emulated by the sandbox: ListExecutions by mapRunArn (the sandbox does not "
            "keep a Distributed Map run's child workflow executions; DescribeMapRun gives "
            "their counts)")


def list_executions(self):
    """StepFunctionResponse.list_executions, with ``redriveFilter`` and ``redriveCount``.

    ``REDRIVEN`` lists the executions redriven at least once, ``NOT_REDRIVEN`` the others;
    each item has ``redriveCount`` and, once redriven, ``redriveDate``.
    """
    _check_list_executions_target(self)
    moto_result = lab_seams.original(LIST_EXECUTIONS)(self)
    body = getattr(moto_result, "result", None)
    if body is None:
        return moto_result
    backend = self.stepfunction_backend
    wanted = self._get_param("redriveFilter")
    kept = []
    for item in body.get("executions", []):
        try:
            execution = backend.describe_execution(item["executionArn"])
        except Exception:  # noqa: BLE001 - listed by moto, so it exists; be safe anyway
            execution = None
        item["redriveCount"] = redrive.redrive_count(execution)
        date = redrive.redrive_date(execution)
        if date is not None:
            item["redriveDate"] = date
        if wanted == "REDRIVEN" and not item["redriveCount"]:
            continue
        if wanted == "NOT_REDRIVEN" and item["redriveCount"]:
            continue
        kept.append(item)
    body["executions"] = kept
    if body.get("nextToken") is None:
        body.pop("nextToken", None)
    return moto_result


def aws_timestamp(value: Any) -> Any:
    """A context object timestamp as AWS writes it: ISO 8601 in UTC with milliseconds and
    ``Z`` ("2019-03-26T20:14:13.192Z", input-output-contextobject.html). moto put a
    ``datetime`` in ``$$.Execution.StartTime`` (not JSON: DescribeExecution of ``"ctx.$": "$$"``
    answered HTTP 500) and Python's ``isoformat()`` (microseconds, ``+00:00``) in
    ``$$.State.EnteredTime``."""
    import datetime

    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime.datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _execution_context(self):
    """ExecutionWorker._get_evaluation_environment, with AWS's ``$$.Execution``: ``StartTime``
    as ISO 8601 text, ``RedriveCount`` 0 for a STANDARD execution and none for an EXPRESS
    one (recorded on AWS: an EXPRESS execution's ``$$.Execution`` is Id, Input, Name,
    RoleArn, StartTime)."""
    from moto.stepfunctions.parser.api import StateMachineType

    environment = lab_seams.original(EVALUATION_ENVIRONMENT)(self)
    execution = environment.states.context_object.context_object_data["Execution"]
    execution["StartTime"] = aws_timestamp(execution.get("StartTime"))
    if getattr(environment, "execution_type", None) == StateMachineType.EXPRESS:
        execution.pop("RedriveCount", None)
    else:
        execution.setdefault("RedriveCount", 0)
    return environment


def state_data(**fields):
    """``StateData`` as moto's ``CommonStateField._eval_body`` builds ``$$.State`` on entering
    a state, with ``EnteredTime`` as AWS writes it (:func:`aws_timestamp`)."""
    if "EnteredTime" in fields:
        fields["EnteredTime"] = aws_timestamp(fields["EnteredTime"])
    return dict(fields)


def task_failure_names_the_resource(moto_from_error):
    """``ExecutionState._from_error``: a Task's ``TaskFailed`` event always names the task's
    ``resource`` and ``resourceType``, which botocore's ``TaskFailedEventDetails`` requires.
    moto left them out when the state failed outside the service call (a ``ResultSelector``
    path not found, a ``ResultPath`` the input cannot take, a variable limit), and
    GetExecutionHistory answered a shape AWS never sends."""

    @functools.wraps(moto_from_error)
    def _from_error(self, env, ex):
        failure_event = moto_from_error(self, env, ex)
        details = (getattr(failure_event, "event_details", None) or {}).get(
            "taskFailedEventDetails")
        if details is not None and ("resource" not in details or "resourceType" not in details):
            resource = getattr(self, "_get_sfn_resource", None)
            resource_type = getattr(self, "_get_sfn_resource_type", None)
            if callable(resource) and callable(resource_type):
                details.setdefault("resource", resource())
                details.setdefault("resourceType", resource_type())
        return failure_event

    return _from_error


def reflect_status_last(self) -> None:
    """An ended execution's output, error and cause are written before its status.

    moto 5.2.5 writes ``exec_status`` first: a DescribeExecution arriving in between answered
    ``SUCCEEDED`` with ``output`` ``"null"`` (DescribeExecution serialises the output it has
    once the status says SUCCEEDED), or ``FAILED`` without its error. AWS's DescribeExecution
    of a stopped execution always carries them; here the status changes last, as one step.
    """
    from moto.stepfunctions.parser.api import ExecutionStatus
    from moto.stepfunctions.parser.asl.eval.program_state import (
        ProgramEnded,
        ProgramError,
        ProgramStopped,
        ProgramTimedOut,
    )

    execution = self.execution
    state = execution.exec_worker.env.program_state()
    execution.stop_date = datetime.datetime.now(tz=datetime.UTC)
    if isinstance(state, ProgramEnded):
        execution.output = execution.exec_worker.env.states.get_input()
        status = ExecutionStatus.SUCCEEDED
    elif isinstance(state, ProgramStopped):
        status = ExecutionStatus.ABORTED
    elif isinstance(state, ProgramError):
        execution.error = state.error.get("error")
        execution.cause = state.error.get("cause")
        status = ExecutionStatus.FAILED
    elif isinstance(state, ProgramTimedOut):
        status = ExecutionStatus.TIMED_OUT
    else:
        raise RuntimeWarning(f"Execution ended with unsupported ProgramState type '{type(state)}'.")
    execution.exec_status = status


def seams():
    """The execution fields' seams (see :mod:`lab.sandbox.seams`)."""
    contracts = "tests/contracts/test_moto_executions.py::"
    return (
        lab_seams.Seam(
            __name__,
            DESCRIBE_EXECUTION,
            describe_execution,
            "moto's DescribeExecution has no redrive fields and no inputDetails",
            contracts + "test_moto_describe_execution_has_no_redrive_fields",
        ),
        lab_seams.Seam(
            __name__,
            LIST_EXECUTIONS,
            list_executions,
            "moto's ListExecutions has no redriveFilter and no redriveCount",
            contracts + "test_moto_list_executions_returns_an_action_result_with_executions",
        ),
        lab_seams.Seam(
            __name__,
            EVALUATION_ENVIRONMENT,
            _execution_context,
            "moto's context object has no $$.Execution.RedriveCount and a datetime StartTime",
            contracts + "test_the_execution_worker_builds_the_context_object_without_redrive_count",
        ),
        lab_seams.Seam(
            __name__,
            FROM_ERROR,
            task_failure_names_the_resource,
            "moto's TaskFailed of a state failing outside its service call has no resource",
            contracts + "test_a_task_failure_event_comes_from_from_error",
            kind="wrap",
        ),
        lab_seams.Seam(
            __name__,
            STATE_DATA,
            state_data,
            "moto writes $$.State.EnteredTime with Python's isoformat(), not AWS's format",
            contracts + "test_a_state_builds_its_context_entry_through_state_data",
        ),
        lab_seams.Seam(
            __name__,
            REFLECT_STATUS,
            reflect_status_last,
            "moto sets an ended execution's status before its output, error and cause",
            contracts + "test_moto_sets_the_end_status_before_the_output",
        ),
    )
