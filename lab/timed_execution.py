"""One execution of a run: started, watched and timed, as one :class:`ExecutionRecord`.

:mod:`lab.harness` runs many of these (its docstring says how each phase is measured and
how throttling is retried); :func:`lab.executions.run_once` uses the same start and watch.
Imports point away from the harness: this module knows nothing of runs or plans.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from lab import api_report
from lab.config import LabConfig
from lab.http_answer import http_answer
from lab.masking import mask_text
from lab.waiting import ExecutionPacing, Stop, WaitStopped, WaitTimedOut, wait_for

CAUSE_LIMIT = 300

# Error codes AWS uses for "slow down"; a request refused with one of these
# was not carried out, so sending it again is safe.
THROTTLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
    }
)
# The state machine (or the execution) no longer exists: the stack was destroyed
# under the run, and every further call would fail the same way.
GONE_CODES = frozenset(
    {"StateMachineDoesNotExist", "StateMachineDeleting", "ExecutionDoesNotExist"}
)
# Failures of the connection to the endpoint itself: in the sandbox these mean
# the sandbox process is gone.
CONNECTION_ERRORS = (EndpointConnectionError, ConnectionClosedError, ConnectTimeoutError)
CONNECTION_ERROR_NAMES = frozenset(f"lab.{cls.__name__}" for cls in CONNECTION_ERRORS)

RECORD_COLUMNS = (
    "workflow",
    "name",
    "execution_arn",
    "status",
    "error",
    "cause",
    "http_status",
    "client_ms",
    "execution_ms",
    "http_task_ms",
    "http_attempts",
    "billed_ms",
    "sfn_to_api_ms",
    "api_to_result_ms",
    "retries",
    "polls",
    "started",
    "started_at",
)

TEXT_COLUMNS = ("workflow", "name", "execution_arn", "status", "error", "cause", "started_at")

# What ``status`` holds when the harness, not Step Functions, decided the outcome.
STATUS_NOT_STARTED = "NOT_STARTED"  # the start call failed (error says why)
STATUS_UNKNOWN = "UNKNOWN"  # started, but no terminal status was observed in time

_HTTP_STATUS_ERROR = re.compile(r"^States\.Http\.StatusCode\.(\d{3})$")


#: How the harness paces itself in one mode: ``lab.waiting.profile(cfg).execution``.
Timing = ExecutionPacing


@dataclass
class ExecutionRecord:
    """One execution's outcome and timings; one row of ``run()``'s DataFrame."""

    workflow: str
    name: str
    execution_arn: str | None = None
    status: str = STATUS_NOT_STARTED
    error: str | None = None
    cause: str | None = None
    http_status: int | None = None
    client_ms: float | None = None
    execution_ms: float | None = None
    http_task_ms: float | None = None
    http_attempts: int | None = None
    billed_ms: float | None = None
    sfn_to_api_ms: float | None = None
    api_to_result_ms: float | None = None
    retries: int = 0
    polls: int = 0
    started: bool = False
    started_at: str | None = None


#: Shared "give up" flag: set when the sandbox cannot be reached any more, or on Ctrl-C.
RunStop = Stop


def shorten(text: str | None, limit: int = CAUSE_LIMIT) -> str | None:
    if not text:
        return text
    text = mask_text(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def _ms(start: datetime | None, stop: datetime | None) -> float | None:
    if start is None or stop is None:
        return None
    return round((stop - start).total_seconds() * 1000.0, 3)


def http_status_of(output: str | None, error: str | None, cause: str | None) -> int | None:
    """The HTTP status the task saw: its error name, else its output's or cause's answer.

    ``States.Http.StatusCode.<code>`` names the status of a failed call; a succeeded
    task's output (and a failure's cause) is the documented HTTP answer document,
    read at its top level by :func:`lab.http_answer.http_answer`.
    """
    if error:
        match = _HTTP_STATUS_ERROR.match(error)
        if match:
            return int(match.group(1))
    for document in (output, cause):
        answer = http_answer(document)
        if answer is not None:
            return answer.status
    return None


def _error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _is_throttle(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and _error_code(exc) in THROTTLE_CODES


def _sdk_retries(response: dict) -> int:
    return int(response.get("ResponseMetadata", {}).get("RetryAttempts", 0) or 0)


def call_with_throttle_retry(
    call: Callable[..., dict],
    timing: Timing,
    stop: RunStop | None = None,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs,
) -> tuple[dict, int]:
    """``call(**kwargs)``, retried with the same arguments while it is throttled.

    Returns ``(response, retries)`` where ``retries`` counts the harness's own
    retries plus the ones botocore made inside the call. Any other error, or
    throttling beyond ``timing.max_attempts``, is raised.
    """
    retries = 0
    for attempt in range(timing.max_attempts):
        try:
            response = call(**kwargs)
        except ClientError as exc:
            if not _is_throttle(exc) or attempt + 1 >= timing.max_attempts:
                raise
            retries += 1 + _sdk_retries(exc.response)
            # Full jitter spreads the retries of many threads apart.
            delay = random.uniform(0, min(timing.retry_max_s, timing.retry_base_s * 2**attempt))
            if stop is not None and stop.wait(delay):
                raise
            if stop is None:
                sleep(delay)
            continue
        return response, retries + _sdk_retries(response)
    raise AssertionError("unreachable")  # pragma: no cover


def _execution_arn(state_machine_arn: str, name: str) -> str:
    # The documented ARN format; only needed when StartExecution answered
    # ExecutionAlreadyExists to our own retry and so returned no ARN.
    return state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + name


def start_standard(sfn, state_machine_arn: str, name: str, payload: str, timing: Timing, stop=None):
    """Start one STANDARD execution; returns ``(execution_arn, retries)``.

    A throttled call is retried with the same name and input. If a retry is
    answered ``ExecutionAlreadyExists``, an earlier attempt did start it (and
    it has already closed): that is this execution, not a second one.
    """
    try:
        response, retries = call_with_throttle_retry(
            sfn.start_execution,
            timing,
            stop,
            stateMachineArn=state_machine_arn,
            name=name,
            input=payload,
        )
    except ClientError as exc:
        if _error_code(exc) == "ExecutionAlreadyExists" and _sdk_retries(exc.response):
            return _execution_arn(state_machine_arn, name), _sdk_retries(exc.response)
        raise
    arn = response.get("executionArn")
    if not arn:
        # A reply with no ARN is a sandbox shutting down mid-reply, not an answer: the
        # same as a closed connection (the run then stops with that reason).
        raise ConnectionClosedError(endpoint_url=sfn.meta.endpoint_url)
    return arn, retries


def history_events(sfn, execution_arn: str, timing: Timing, stop=None) -> list[dict]:
    """Every history event of one execution; throttled pages are retried."""
    events: list[dict] = []
    token = None
    while True:
        kwargs = {"executionArn": execution_arn, "maxResults": 1000}
        if token:
            kwargs["nextToken"] = token
        page, _ = call_with_throttle_retry(sfn.get_execution_history, timing, stop, **kwargs)
        events.extend(page.get("events", []))
        token = page.get("nextToken")
        if not token:
            return events


_TASK_END = {
    "TaskSucceeded": "taskSucceededEventDetails",
    "TaskFailed": "taskFailedEventDetails",
    "TaskTimedOut": "taskTimedOutEventDetails",
}


def task_timing(events: Iterable[dict]) -> dict:
    """HTTP task phase from history events: ms, attempts, last output/error/cause."""
    first_scheduled = last_end = None
    attempts = 0
    details: dict = {}
    for event in events:
        kind = event.get("type")
        if kind == "TaskScheduled":
            attempts += 1
            if first_scheduled is None:
                first_scheduled = event["timestamp"]
        elif kind in _TASK_END:
            last_end = event["timestamp"]
            details = event.get(_TASK_END[kind], {}) or {}
    return {
        "http_task_ms": _ms(first_scheduled, last_end),
        "http_attempts": attempts or None,
        "output": details.get("output"),
        "error": details.get("error"),
        "cause": details.get("cause"),
    }


def wait_standard(
    sfn,
    execution_arn: str,
    timing: Timing,
    t0: float,
    stop: RunStop | None = None,
    connection_errors_are_fatal: bool = False,
):
    """Poll ``describe_execution`` until the execution leaves RUNNING.

    Returns ``(description, polls)``: the last description, or None when
    ``timing.timeout_s`` passed or the run was stopped, and how many
    ``describe_execution`` calls it made. Throttling and (on AWS) dropped connections are
    retried until then; with ``connection_errors_are_fatal`` (the sandbox,
    where it means the process is gone) a dropped connection is raised.
    """
    polls = 0

    def stopped():
        nonlocal polls
        polls += 1
        try:
            description = sfn.describe_execution(executionArn=execution_arn)
        except ClientError as exc:
            if not _is_throttle(exc):
                raise
            return None
        except (*CONNECTION_ERRORS, ReadTimeoutError):
            if connection_errors_are_fatal:
                raise
            return None
        # An answer without a status (a sandbox shutting down mid-reply) is no answer.
        status = description.get("status")
        return description if status not in (None, "RUNNING") else None

    try:
        description = wait_for(
            stopped, what=f"execution {execution_arn} to stop", timeout_s=timing.timeout_s,
            poll_s=timing.poll_s, first_s=timing.poll_first_s, growth=timing.poll_growth,
            max_poll_s=timing.poll_max_s, stop=stop, started=t0, clock=time.perf_counter,
        )
    except (WaitTimedOut, WaitStopped):
        return None, polls
    return description, polls


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _fail(record: ExecutionRecord, exc: BaseException, cfg: LabConfig, stop: RunStop | None):
    if isinstance(exc, ClientError):
        record.error = _error_code(exc) or type(exc).__name__
        record.cause = shorten(exc.response.get("Error", {}).get("Message"))
    else:
        record.error = f"lab.{type(exc).__name__}"
        record.cause = shorten(str(exc))
    if isinstance(exc, ClientError) and record.error in GONE_CODES and stop:
        stop.set(
            f"the state machine or its executions are gone ({record.error}: the stack was "
            "destroyed during the run?); deploy it again with `python -m lab deploy`, then "
            "run again"
        )
    # In the sandbox a refused connection or a 70 s silence means the process is
    # gone or wedged: stop the whole run rather than wait on it call by call.
    if isinstance(exc, (*CONNECTION_ERRORS, ReadTimeoutError)) and cfg.is_sandbox and stop:
        stop.set(
            "the sandbox stopped answering; run `python -m lab sandbox status`, "
            "then `python -m lab sandbox start`"
        )


def execute_standard(
    sfn, state_machine_arn, name, payload, timing, cfg, stop=None, with_history=True
):
    """Start one STANDARD execution, wait for its end, read its history.

    ``with_history=False`` skips ``get_execution_history`` (no ``http_task_ms``,
    and the HTTP status only when the state machine's output carries it): the
    bench uses it, because the history is the most expensive call the sandbox
    serves and is not part of "start -> terminal".
    """
    record = ExecutionRecord("standard", name, started_at=_now_iso())
    t0 = time.perf_counter()
    try:
        record.execution_arn, record.retries = start_standard(
            sfn, state_machine_arn, name, payload, timing, stop
        )
        record.started = True
        record.status = STATUS_UNKNOWN  # until a terminal status is observed
        description, record.polls = wait_standard(
            sfn, record.execution_arn, timing, t0, stop, connection_errors_are_fatal=cfg.is_sandbox
        )
        if description is None:
            record.status = STATUS_UNKNOWN
            record.error = "lab.NoTerminalStatus"
            record.cause = (
                f"{stop.reason}; this one was in flight and its end was not observed"
                if stop is not None and stop.is_set()
                else f"no terminal status within {timing.timeout_s:.0f} s"
            )
            return record
        record.client_ms = round((time.perf_counter() - t0) * 1000.0, 3)
        record.status = description["status"]
        record.error = description.get("error")
        record.cause = shorten(description.get("cause"))
        record.execution_ms = _ms(description.get("startDate"), description.get("stopDate"))
        events = history_events(sfn, record.execution_arn, timing, stop) if with_history else []
        task = task_timing(events)
        record.http_task_ms = task["http_task_ms"]
        record.http_attempts = task["http_attempts"]
        record.http_status = http_status_of(
            task["output"] or description.get("output"),
            task["error"] or record.error,
            task["cause"] or description.get("cause"),
        )
        _set_api_hops(record, api_report.hops_standard(
            events, api_report.ApiReport.from_output(task["output"] or description.get("output"))
        ))
    except (ClientError, *CONNECTION_ERRORS, ReadTimeoutError) as exc:
        _fail(record, exc, cfg, stop)
    return record


def execute_express(sfn, state_machine_arn, name, payload, timing, cfg, stop=None):
    """One EXPRESS execution through ``start_sync_execution`` (it returns at the end)."""
    record = ExecutionRecord("express", name, started_at=_now_iso())
    t0 = time.perf_counter()
    try:
        response, record.retries = call_with_throttle_retry(
            sfn.start_sync_execution,
            timing,
            stop,
            stateMachineArn=state_machine_arn,
            name=name,
            input=payload,
        )
    except (ClientError, *CONNECTION_ERRORS, ReadTimeoutError) as exc:
        _fail(record, exc, cfg, stop)
        return record
    record.client_ms = round((time.perf_counter() - t0) * 1000.0, 3)
    record.started = True
    record.execution_arn = response.get("executionArn")
    record.status = response.get("status", STATUS_UNKNOWN)
    record.error = response.get("error")
    record.cause = shorten(response.get("cause"))
    record.execution_ms = _ms(response.get("startDate"), response.get("stopDate"))
    billed = (response.get("billingDetails") or {}).get("billedDurationInMilliseconds")
    record.billed_ms = float(billed) if billed is not None else None
    record.http_status = http_status_of(
        response.get("output"), response.get("error"), response.get("cause")
    )
    _set_api_hops(record, api_report.hops_express(
        response, api_report.ApiReport.from_output(response.get("output"))
    ))
    return record


def _set_api_hops(record: ExecutionRecord, hops: dict) -> None:
    record.sfn_to_api_ms = hops["sfn_to_api_ms"]
    record.api_to_result_ms = hops["api_to_result_ms"]
