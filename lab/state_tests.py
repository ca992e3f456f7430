"""Test the HTTP Task without calling anything: TestState with mocks (notebook 05b, tests).

Since 2025-11-19 TestState takes a ``mock`` (a result, or an error) instead of calling the
integration, and a ``stateConfiguration`` saying which retry the state is on
(https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html). That is how
AWS recommends unit-testing a workflow: the same call works against the sandbox and a real
account, and nothing reaches the API.

- :func:`http_response_mock` / :func:`socket_error_mock`: what the HTTP Task would have got —
  a 2xx as the task's result ``{Headers, ResponseBody, StatusCode, StatusText}``, any other
  status as the error the HTTP Task raises for it, ``States.Http.StatusCode.<code>`` with the
  response as its cause (call-https-apis.html), no answer as ``States.Http.Socket``;
- :func:`try_http_task`: TestState of the stack's HTTP Task with one mock;
- :func:`walk_retrier`: the same error at ``retrierRetryCount`` 0, 1, 2 … until RETRIABLE turns
  FAILED (or CAUGHT_ERROR), with the backoff TestState reports beside the Retry block.

:func:`app_http_task_state` renders the HTTP Task from the CDK app itself (no deployment), with
placeholder ARNs: a mocked TestState calls nothing, so they are never looked up.
"""

from __future__ import annotations

import json
from typing import Any

from cdk_app.names import TASK_STATE_NAME
from lab.clients import client
from lab.errors import LabError

#: Placeholders for what a deployed stack would name (never called with a mock).
PLACEHOLDER_CONNECTION_ARN = (
    "arn:aws:events:us-east-1:123456789012:connection/lab/00000000-0000-0000-0000-000000000000")
PLACEHOLDER_API_ROOT = "https://abcdef1234.execute-api.us-east-1.amazonaws.com/prod"
HTTP_INVOKE = "arn:aws:states:::http:invoke"


def http_response_mock(status: int = 200, body: Any = None, headers: dict | None = None,
                       status_text: str | None = None) -> dict:
    """TestState's ``mock`` for an HTTP response with ``status``."""
    import http

    try:
        text = status_text or http.HTTPStatus(status).phrase
    except ValueError:
        text = status_text or ""
    response = {
        "Headers": {k.lower(): [v] for k, v in (headers or {}).items()},
        "ResponseBody": {} if body is None else body,
        "StatusCode": status,
        "StatusText": text,
    }
    if 200 <= status < 300:
        return {"result": json.dumps(response)}
    return {"errorOutput": {"error": f"States.Http.StatusCode.{status}",
                            "cause": json.dumps(response)}}


def socket_error_mock(cause: str = "the request did not reach the API") -> dict:
    """TestState's ``mock`` for a call that got no answer (``States.Http.Socket``)."""
    return {"errorOutput": {"error": "States.Http.Socket", "cause": cause}}


def app_http_task_state(workflow: str = "jsonata") -> dict:
    """The stack's HTTP Task state as the CDK app writes it (JSONata twin or JSONPath
    original), with placeholder connection ARN and API root."""
    from aws_cdk import App, Stack
    from aws_cdk import aws_events as events

    from cdk_app.workflows import _http_invoke, _http_invoke_jsonata

    if workflow not in ("jsonata", "standard", "express"):
        raise LabError(f"workflow {workflow!r} is not one of jsonata, standard, express")
    stack = Stack(App(), "StateTests")
    connection = events.Connection.from_connection_attributes(
        stack, "Connection", connection_arn=PLACEHOLDER_CONNECTION_ARN, connection_name="lab",
        connection_secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:lab")
    build = _http_invoke_jsonata if workflow == "jsonata" else _http_invoke
    task = build(stack, api_root_url=PLACEHOLDER_API_ROOT, path="/hello", connection=connection)
    state = stack.resolve(task.to_state_json())
    state["Resource"] = HTTP_INVOKE  # CDK writes it with the partition as a token
    return state


def http_task_under_test(workflow: str = "jsonata") -> dict:
    """The deployed workflow's HTTP Task when the stack is deployed, else the CDK app's."""
    from lab.debugging import http_task_state

    try:
        return http_task_state(workflow)[0]
    except Exception:  # noqa: BLE001 - not deployed (or not reachable): test the app's own
        return app_http_task_state(workflow)


def try_http_task(mock: dict, *, state: dict | None = None, workflow: str = "jsonata",
                  retrier_retry_count: int | None = None, input: Any = None,
                  inspection_level: str = "DEBUG") -> dict:
    """TestState of the HTTP Task with ``mock`` (nothing is called); its response."""
    state = state if state is not None else http_task_under_test(workflow)
    kwargs: dict[str, Any] = {
        "definition": json.dumps(state),
        "input": json.dumps({} if input is None else input),
        "inspectionLevel": inspection_level,
        "mock": mock,
    }
    if retrier_retry_count is not None:
        kwargs["stateConfiguration"] = {"retrierRetryCount": retrier_retry_count}
    response = client("stepfunctions").test_state(**kwargs)
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def walk_retrier(mock: dict, *, state: dict | None = None, workflow: str = "jsonata",
                 limit: int = 20):
    """A table, one row per ``retrierRetryCount`` from 0 until the status is no longer RETRIABLE:
    the status, the retrier TestState names and its backoff beside that Retry block's
    IntervalSeconds, BackoffRate, MaxAttempts and MaxDelaySeconds."""
    state = state if state is not None else http_task_under_test(workflow)
    rows = []
    for count in range(limit):
        answer = try_http_task(mock, state=state, retrier_retry_count=count)
        details = answer.get("inspectionData", {}).get("errorDetails", {})
        retrier = (state.get("Retry") or [{}])[details.get("retryIndex", 0)] \
            if "retryIndex" in details else {}
        rows.append({
            "retrierRetryCount": count,
            "status": answer["status"],
            "error": answer.get("error"),
            "retryIndex": details.get("retryIndex"),
            "backoff_s": details.get("retryBackoffIntervalSeconds"),
            "IntervalSeconds": retrier.get("IntervalSeconds", 1) if retrier else None,
            "BackoffRate": retrier.get("BackoffRate", 2.0) if retrier else None,
            "MaxAttempts": retrier.get("MaxAttempts", 3) if retrier else None,
            "MaxDelaySeconds": retrier.get("MaxDelaySeconds") if retrier else None,
            "nextState": answer.get("nextState"),
        })
        if answer["status"] != "RETRIABLE":
            break
    import pandas as pd

    return pd.DataFrame(rows, dtype=object)  # None stays None, counts stay integers


__all__ = ["TASK_STATE_NAME", "app_http_task_state", "http_response_mock",
           "http_task_under_test", "socket_error_mock", "try_http_task", "walk_retrier"]
