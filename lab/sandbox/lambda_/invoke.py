"""``LambdaFunction.invoke`` without Docker: the handler runs in an execution environment.

moto 5.2.5 runs a function in a Docker container per invoke (``_invoke_lambda``); this
replacement runs it in a worker process of :mod:`lab.sandbox.lambda_.runtime` and answers
as Lambda's Invoke API does (API_Invoke.html): ``200`` with the handler's result, or with
``X-Amz-Function-Error: Unhandled`` and the runtime's error object; ``429
TooManyRequestsException`` when the concurrency limit is reached; ``X-Amz-Log-Result``
(the last 4 KB of the invoke's log, base64) when ``LogType: Tail``. Every line lands in the
function's log group ``/aws/lambda/<name>``, one stream per execution environment, framed as
Lambda frames it (INIT_START, START, END, REPORT; lambda-runtime-environment.html,
monitoring-cloudwatchlogs.html).
"""

from __future__ import annotations

import base64
import json
import math
import os
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from moto.core.exceptions import JsonRESTError

from lab.sandbox.lambda_ import egress, runtime

#: Only these variables of the sandbox's own environment reach a worker (never credentials).
_INHERITED = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")
#: Lambda's Python runtime sets these; a function's Environment cannot override them
#: (configuration-envvars.html, "Defined runtime environment variables").
RUNTIME_DIR = os.path.dirname(os.__file__)
LOG_RESULT_BYTES = 4096
#: Carries the invoke's request id to :func:`keep_request_id` (never sent).
REQUEST_ID_HEADER = "x-lab-lambda-request-id"


class TooManyRequests(JsonRESTError):
    """``TooManyRequestsException`` (HTTP 429) with Lambda's ``Reason`` (API_Invoke.html)."""

    code = 429

    def __init__(self, reason: str) -> None:
        super().__init__("TooManyRequestsException", "Rate Exceeded.")
        self.description = json.dumps(
            {"Reason": reason, "Type": "User", "message": "Rate Exceeded."}
        )


def executed_version(function: Any) -> str:
    """``$LATEST`` for the unpublished function, else the version number."""
    return "$LATEST" if function.function_arn.count(":") == 6 else str(function.version)


def environment(function: Any, gate: tuple[str, int]) -> dict[str, str]:
    """What the worker's environment holds: the function's variables, then the runtime's."""
    env = {k: os.environ[k] for k in _INHERITED if k in os.environ}
    env.update({str(k): str(v) for k, v in (function.environment_vars or {}).items()})
    gate_url = f"http://{gate[0]}:{gate[1]}"
    env.update(
        {
            "_HANDLER": function.handler or "index.handler",
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.run_time}",
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": executed_version(function),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": function.logs_group_name,
            # The role's temporary credentials on AWS; the sandbox accepts any.
            "AWS_ACCESS_KEY_ID": "ASIASANDBOXLAMBDA000",
            "AWS_SECRET_ACCESS_KEY": "sandbox-lambda-secret-key",
            "AWS_SESSION_TOKEN": "sandbox-lambda-session-token",
            "LAMBDA_RUNTIME_DIR": RUNTIME_DIR,
            "TZ": ":UTC",
            # The sandbox's own additions: boto3 and http.client reach AWS through the gate.
            "AWS_ENDPOINT_URL": gate_url,
            "LAB_LAMBDA_EGRESS": f"{gate[0]}:{gate[1]}",
            "LAB_LAMBDA_CONNECT_BOUND": str(egress.connect_bound()),
        }
    )
    env.setdefault("LANG", "en_US.UTF-8")
    return env


def _stream_name(function: Any) -> str:
    now = datetime.now(UTC)
    return f"{now:%Y/%m/%d}/[{executed_version(function)}]{uuid.uuid4().hex}"


def _key(function: Any) -> tuple:
    """What, changed, retires a function's execution environments."""
    return (
        function.code_sha_256,
        function.last_modified,
        function.handler,
        function.run_time,
        function.timeout,
        function.memory_size,
        json.dumps(function.environment_vars or {}, sort_keys=True),
    )


def _now_ms() -> int:
    return int(time.time() * 1000)


def log_lines(function: Any, outcome: runtime.Outcome, cold: bool) -> list[str]:
    """The invoke's log events, in Lambda's framing."""
    lines: list[str] = []
    rid = outcome.request_id
    version = executed_version(function)
    if cold:
        runtime_version = f"python:{sys.version_info.major}.{sys.version_info.minor}.sandbox"
        lines.append(f"INIT_START Runtime Version: {runtime_version}")
        lines.extend(outcome.init_lines)
    lines.append(f"START RequestId: {rid} Version: {version}")
    lines.extend(outcome.lines)
    if outcome.timed_out:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        lines.append(f"{stamp} {rid} Task timed out after {function.timeout:.2f} seconds")
    lines.append(f"END RequestId: {rid}")
    report = [
        f"REPORT RequestId: {rid}",
        f"Duration: {outcome.duration_ms:.2f} ms",
        f"Billed Duration: {math.ceil(outcome.duration_ms)} ms",
        f"Memory Size: {function.memory_size} MB",
        f"Max Memory Used: {outcome.max_memory_mb} MB",
    ]
    if outcome.init_ms is not None:
        report.append(f"Init Duration: {outcome.init_ms:.2f} ms")
    if outcome.timed_out:
        report.append("Status: timeout")
    lines.append("\t".join(report) + "\t")
    return lines


def write_logs(function: Any, stream: str, lines: list[str]) -> None:
    """Append ``lines`` to the function's log group, stream ``stream`` (created if needed)."""
    logs = function.logs_backend
    logs.ensure_log_group(function.logs_group_name)
    group = logs.groups[function.logs_group_name]
    if stream not in group.streams:
        logs.create_log_stream(function.logs_group_name, stream)
    stamp = _now_ms()
    events = [{"timestamp": stamp, "message": line} for line in lines if line != ""]
    if events:
        logs.put_log_events(function.logs_group_name, stream, events)


def run(function: Any, event: str) -> tuple[runtime.Outcome, bool, list[str]]:
    """Run one invoke: ``(outcome, cold, log lines)``. Raises :class:`TooManyRequests`."""
    request_id = str(uuid.uuid4())
    gate = egress.gate_for(function)
    arn = function.function_arn

    def make() -> runtime.Instance:
        stream = _stream_name(function)
        return runtime.Instance(function, environment(function, gate), stream)

    limit = function.reserved_concurrency
    try:
        instance, cold = runtime.acquire(
            arn, _key(function), None if limit is None else int(limit), make
        )
    except runtime.Throttled as exc:
        raise TooManyRequests(exc.reason) from None
    try:
        init_error = None
        if cold:
            init_ms, init_lines, init_error, init_log = instance.start()
            if init_log:
                init_lines.append(init_log)
        if init_error is not None:
            outcome = runtime.Outcome(request_id=request_id, log_stream=instance.log_stream)
            outcome.error = {**init_error, "requestId": request_id}
            runtime.forget(arn, instance)
        else:
            outcome = instance.invoke(request_id, event, float(function.timeout), arn)
        if cold:
            outcome.init_ms, outcome.init_lines = init_ms, init_lines
    finally:
        runtime.release(arn, instance)
    lines = log_lines(function, outcome, cold)
    write_logs(function, instance.log_stream, lines)
    return outcome, cold, lines


def invoke(self, body: Any, request_headers: Any, response_headers: Any) -> bytes:
    """``LambdaFunction.invoke``: run the handler; answer as Lambda's Invoke API."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    event = body or "{}"
    invocation_type = request_headers.get("x-amz-invocation-type", "RequestResponse")
    if invocation_type == "DryRun":
        return b""
    if invocation_type == "Event":
        threading.Thread(target=_run_quietly, args=(self, event), daemon=True).start()
        return b""
    outcome, _, lines = run(self, event)
    response_headers["X-Amz-Executed-Version"] = executed_version(self)
    response_headers[REQUEST_ID_HEADER] = outcome.request_id
    if request_headers.get("x-amz-log-type") == "Tail":
        tail = "\n".join(lines).encode()[-LOG_RESULT_BYTES:]
        response_headers["x-amz-log-result"] = base64.b64encode(tail).decode()
    if outcome.error is not None:
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps(outcome.error).encode()
    return (outcome.payload or "null").encode()


def keep_request_id(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
    """``LambdaResponse._enrich_response``: moto's, but an invoke's ``x-amzn-RequestId`` is
    the request id the handler saw (``context.aws_request_id``), as on AWS."""
    from moto.core.responses import BaseResponse

    request_id = headers.pop(REQUEST_ID_HEADER, None)
    headers, body = BaseResponse._enrich_response(headers, body)
    if request_id:
        headers["x-amzn-requestid"] = request_id
    return headers, body


#: The seam's value (one object, so the registry can tell it is installed).
enrich_response = staticmethod(keep_request_id)


def stop_with_the_function(moto_delete):
    """``LambdaBackend.delete_function``: moto's, then the function's execution environments
    stop (AWS keeps none of a deleted function)."""

    def delete_function(self, function_name: str, qualifier: str | None = None) -> None:
        function = self.get_function(function_name, qualifier)
        moto_delete(self, function_name, qualifier)
        runtime.retire(function.function_arn)

    return delete_function


def _run_quietly(function: Any, event: str) -> None:
    try:
        run(function, event)
    except Exception:  # an asynchronous invoke has nobody to answer; its logs say what ran
        pass
