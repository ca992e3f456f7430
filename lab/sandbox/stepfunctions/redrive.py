"""RedriveExecution: restart a STANDARD execution at the state that did not succeed.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html and
https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html:

- only STANDARD executions that FAILED, were ABORTED or TIMED_OUT, within 14 days of
  stopping (the "redrivable period"), at most one year after they started, with fewer than
  24,999 history events; anything else is ``ExecutionNotRedrivable`` with the reason
  DescribeExecution's ``redriveStatusReason`` gives (the reasons are botocore's documented
  list: "Execution is SUCCEEDED and cannot be redriven", "Execution redrivable period
  exceeded", …);
- the same execution ARN, definition and input; the run continues the same history, which
  gains ``ExecutionRedriven {redriveCount}``; the states that succeeded are not run again:
  the execution resumes at the top-level state that was running when it stopped, with the
  input that state received and the workflow variables it could see;
- DescribeExecution's ``redriveCount`` (successful redrives), ``redriveDate`` (the last one),
  ``redriveStatus``/``redriveStatusReason``; ``$$.Execution.RedriveCount`` and
  ``$$.Execution.RedriveTime``; ``ListExecutions(redriveFilter=REDRIVEN|NOT_REDRIVEN)``;
- ``clientToken``: a token used for a successful redrive of this execution in the last 15
  minutes (the last 10 are kept) answers that redrive's ``redriveDate`` again, redriving
  nothing.

When it resumes at a Map or Parallel state, only the iterations, branches or Map Run items
that did not succeed run again (:mod:`.redrive_parts`); the execution's Map Runs stay listed
(ListMapRuns, DescribeMapRun) across redrives.

Its seam and the moto internals used here have contract tests in
``tests/contracts/test_moto_redrive.py``.
"""

from __future__ import annotations

import copy
import datetime
import json
import threading
from typing import Any

from moto.core.exceptions import AWSError

REDRIVABLE_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")
REDRIVABLE_PERIOD = datetime.timedelta(days=14)
MAX_EXECUTION_TIME = datetime.timedelta(days=365)
#: "The execution event history count is less than 24,999" (API_RedriveExecution.html).
HISTORY_EVENT_LIMIT = 24_999
#: "idempotent responses for the last 10 client tokens … valid for up to 15 minutes".
TOKENS_KEPT = 10
TOKEN_LIFETIME = datetime.timedelta(minutes=15)
#: Where the redrive record lives on moto's Execution object.
RECORD = "_lab_redrive"

_NESTING_STARTS = ("MapStateStarted", "ParallelStateStarted")
_NESTING_ENDS = (
    "MapStateSucceeded", "MapStateFailed", "MapStateAborted",
    "ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateAborted",
)
_LOCK = threading.Lock()


class ExecutionNotRedrivable(AWSError):
    """RedriveExecution of an execution that cannot be redriven (botocore's error shape)."""

    TYPE = "ExecutionNotRedrivable"
    STATUS = 400


class Record:
    """What the sandbox remembers of an execution's redrives."""

    def __init__(self) -> None:
        self.count = 0
        self.date: datetime.datetime | None = None
        self.tokens: list[tuple[str, datetime.datetime, datetime.datetime]] = []


def record(execution: Any) -> Record:
    found = getattr(execution, RECORD, None)
    if found is None:
        found = Record()
        setattr(execution, RECORD, found)
    return found


def redrive_count(execution: Any) -> int:
    found = getattr(execution, RECORD, None)
    return found.count if found else 0


def redrive_date(execution: Any) -> datetime.datetime | None:
    found = getattr(execution, RECORD, None)
    return found.date if found else None


def is_express(backend: Any, execution: Any) -> bool:
    """Whether ``execution`` belongs to an EXPRESS state machine."""
    try:
        machine = backend.describe_state_machine(execution.state_machine_arn)
    except Exception:  # noqa: BLE001 - a deleted machine: AWS still describes the execution
        return False
    return getattr(machine, "type", "STANDARD") == "EXPRESS"


def _status(execution: Any) -> str:
    status = execution.status
    return status.value if hasattr(status, "value") else str(status)


def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


def _aware(moment: Any) -> datetime.datetime | None:
    if not isinstance(moment, datetime.datetime):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _history_length(execution: Any) -> int:
    env = getattr(getattr(execution, "exec_worker", None), "env", None)
    if env is None:
        return 0
    return len(env.event_manager.get_event_history())


def not_redrivable_reason(execution: Any, is_express: bool, now=None) -> str | None:
    """Why ``execution`` cannot be redriven now (DescribeExecution's redriveStatusReason), or
    None when it can."""
    if is_express:
        return "Execution is of type EXPRESS and cannot be redriven"
    status = _status(execution)
    if status not in REDRIVABLE_STATUSES:
        return f"Execution is {status} and cannot be redriven"
    now = now or _now()
    stopped, started = _aware(execution.stop_date), _aware(execution.start_date)
    if stopped is not None and now - stopped > REDRIVABLE_PERIOD:
        return "Execution redrivable period exceeded"
    if started is not None and now - started > MAX_EXECUTION_TIME:
        return "Execution has exceeded the max execution time"
    if _history_length(execution) >= HISTORY_EVENT_LIMIT:
        return "Execution history event limit exceeded"
    return None


# --------------------------------------------------------------------------- where to resume


def resume_point(events: list[dict], top_level: set[str]) -> tuple[str, Any] | None:
    """(state name, its input) of the last top-level state entered: the one that was running
    when the execution stopped. Events inside a Map or Parallel state are skipped."""
    depth = 0
    found = None
    for event in events:
        kind = event.get("type")
        if kind in _NESTING_STARTS:
            depth += 1
        elif kind in _NESTING_ENDS:
            depth = max(0, depth - 1)
        elif depth == 0 and str(kind).endswith("StateEntered"):
            details = event.get("stateEnteredEventDetails") or {}
            if details.get("name") in top_level:
                text = details.get("input")
                found = (details["name"], json.loads(text) if text else {})
    return found


# --------------------------------------------------------------------------- the redrive


def redrive_execution(backend: Any, execution_arn: str, client_token: str | None,
                      is_express: bool) -> datetime.datetime:
    """Redrive ``execution_arn``; the redrive's date."""
    execution = backend.describe_execution(execution_arn)  # ExecutionDoesNotExist
    now = _now()
    with _LOCK:
        kept = record(execution)
        kept.tokens = [t for t in kept.tokens if now - t[1] <= TOKEN_LIFETIME]
        if client_token:
            for token, _used, date in kept.tokens:
                if token == client_token:
                    return date
        reason = not_redrivable_reason(execution, is_express, now)
        if reason:
            raise ExecutionNotRedrivable(reason)
        old_worker = execution.exec_worker
        old_env = getattr(old_worker, "env", None)
        kept.count += 1
        kept.date = now
        if client_token:
            kept.tokens = (kept.tokens + [(client_token, now, now)])[-TOKENS_KEPT:]
        execution.exec_status = _running()
        execution.stop_date = None
        execution.error = None
        execution.cause = None
        execution.output = None
        worker = execution._get_start_execution_worker()
        if getattr(old_worker, "_evaluation_details", None) is not None:
            # "the same state machine definition" (API_RedriveExecution.html), even if the
            # state machine was updated since: the first attempt's details, definition included.
            worker._evaluation_details = old_worker._evaluation_details
        worker._execution_logic = _redrive_logic(worker, old_env, kept.count, now)
        worker.env = old_env  # the history stays readable until the redriven run starts
        execution.exec_worker = worker
    worker.start()
    return now


def _running():
    from moto.stepfunctions.parser.api import ExecutionStatus

    return ExecutionStatus.RUNNING


def _redrive_logic(worker: Any, old_env: Any, count: int, date: datetime.datetime):
    """The redriven run: the same program from the state that stopped, same history."""

    def _execution_logic() -> None:
        from moto.stepfunctions.parser.api import HistoryEventType
        from moto.stepfunctions.parser.asl.component.common.flow.start_at import StartAt
        from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
        from moto.stepfunctions.parser.asl.eval.event.event_manager import EventHistoryContext

        from lab.sandbox.stepfunctions import redrive_parts

        program = worker._get_evaluation_entrypoint()
        env = worker._get_evaluation_environment()
        execution_data = env.states.context_object.context_object_data["Execution"]
        execution_data["RedriveCount"] = count
        execution_data["RedriveTime"] = date.isoformat()
        resumed = program
        if old_env is not None:
            env.event_manager = old_env.event_manager
            env.variable_store = old_env.variable_store
            env.map_run_record_pool_manager = old_env.map_run_record_pool_manager
            events = old_env.event_manager.get_event_history()
            if events:  # ExecutionRedriven follows the event that ended the last attempt
                env.event_history_context = EventHistoryContext(
                    previous_event_id=events[-1]["id"])
            point = resume_point(events, set(program.states.states))
            if point is not None:
                name, state_input = point
                resumed = copy.copy(program)  # executions share the program: never mutate it
                resumed.start_at = StartAt(start_at_name=name)
                env.states.reset(input_value=state_input)
                redrive_parts.resume_at(env.event_manager, name)
        env.event_manager.add_event(
            context=env.event_history_context,
            event_type=HistoryEventType.ExecutionRedriven,
            event_details=EventDetails(executionRedrivenEventDetails={"redriveCount": count}),
        )
        worker.env = env
        resumed.eval(env)
        worker._execution_communication.terminated()

    return _execution_logic


# --------------------------------------------------------------------------- the API


def redrive_execution_response(self):
    """StepFunctionResponse.redrive_execution."""
    from moto.core.responses import ActionResult

    backend = self.stepfunction_backend
    arn = self._get_param("executionArn")
    execution = backend.describe_execution(arn)
    date = redrive_execution(backend, arn, self._get_param("clientToken"),
                             is_express(backend, execution))
    return ActionResult({"redriveDate": date})


def seams():
    """RedriveExecution's seam (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    return (
        Seam(
            __name__,
            "moto.stepfunctions.responses:StepFunctionResponse.redrive_execution",
            redrive_execution_response,
            "moto does not implement RedriveExecution (HTTP 500)",
            "tests/contracts/test_moto_redrive.py::test_moto_has_no_redrive_execution",
            kind="add",
        ),
    )
