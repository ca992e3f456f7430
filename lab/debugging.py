"""TestState: debug the HTTP Task on its own, as AWS recommends (notebook 05b).

``trace_http_task`` runs the deployed workflow's HTTP Task state through Step Functions'
TestState API (https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html)
with ``inspectionLevel`` TRACE: the raw request Step Functions sent, the raw response, and what
the state's ``Arguments``/``Parameters`` and ``Output`` made of them. Same call in both modes;
the sandbox runs it through the same modelled network path as an execution.

``reveal_secrets=True`` asks TestState to include what the connection adds (the API key
header). On AWS that needs the ``states:RevealSecrets`` permission besides ``states:TestState``
and ``iam:PassRole`` on the state machine's role; without it AWS answers AccessDenied, and this
module then shows the request without the connection's additions and says why. Either way the
lab masks the key's value before anything is shown: the header's presence is the lesson.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from cdk_app.names import TASK_STATE_NAME
from lab.clients import client
from lab.errors import LabError
from lab.masking import mask_secrets, mask_text

REVEAL_DENIED_NOTE = (
    "AWS refused revealSecrets (it needs states:RevealSecrets); shown without the "
    "connection's additions"
)


def http_task_state(workflow: str = "jsonata") -> tuple[dict, str]:
    """(the deployed workflow's HTTP Task state, the state machine's role ARN).

    The state carries the workflow's ``QueryLanguage`` so it can be tested on its own.
    """
    from lab.executions import state_machine_arn

    described = client("stepfunctions").describe_state_machine(
        stateMachineArn=state_machine_arn(workflow)
    )
    definition = json.loads(described["definition"])
    state = definition.get("States", {}).get(TASK_STATE_NAME)
    if state is None:
        raise LabError(
            f"the {workflow} workflow has no {TASK_STATE_NAME} state; redeploy the stack: "
            "python -m lab deploy"
        )
    if "QueryLanguage" in definition and "QueryLanguage" not in state:
        state = {**state, "QueryLanguage": definition["QueryLanguage"]}
    return state, described["roleArn"]


# A ", " that starts the next header (``Name:``), not one inside a value: an HTTP date
# (``Date: Sat, 05 Dec 2026 00:47:13 GMT``) has a comma of its own.
_NEXT_HEADER = re.compile(r", (?=[!#$%&'*+.^_`|~0-9A-Za-z-]+: ?)")


def _headers(text: str | None) -> list[str]:
    """TestState's header text ``[Name: value, Name: value]`` as one masked line per header."""
    inner = (text or "").strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    return [mask_text(part.strip()) for part in _NEXT_HEADER.split(inner) if part.strip()]


def _body(text: str | None) -> Any:
    try:
        return mask_secrets(json.loads(text)) if text else text
    except ValueError:
        return mask_text(text)


def trace_http_task(
    workflow: str = "jsonata",
    reveal_secrets: bool = False,
    inspection_level: str = "TRACE",
    payload: dict | None = None,
) -> dict:
    """TestState of the workflow's HTTP Task; the answer with every secret masked.

    Returns ``status``, ``nextState``, ``error``/``cause``, ``output`` (parsed), the data
    flow (``afterArguments`` or ``afterParameters``, ``result``) and, at TRACE, ``request``
    and ``response`` with headers as a list of ``Name: value`` lines.
    """
    state, role_arn = http_task_state(workflow)
    sfn = client("stepfunctions")
    request = {
        "definition": json.dumps(state),
        "roleArn": role_arn,
        "input": json.dumps(payload or {}),
        "inspectionLevel": inspection_level,
        "revealSecrets": bool(reveal_secrets),
    }
    note = None
    try:
        answer = sfn.test_state(**request)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if not (reveal_secrets and "AccessDenied" in code):
            raise
        answer = sfn.test_state(**{**request, "revealSecrets": False})
        note = REVEAL_DENIED_NOTE
    result: dict[str, Any] = {"status": answer.get("status")}
    for key in ("nextState", "error", "cause"):
        if answer.get(key) is not None:
            result[key] = mask_text(answer[key])
    if answer.get("output") is not None:
        result["output"] = _body(answer["output"])
    data = answer.get("inspectionData") or {}
    for key in ("afterArguments", "afterParameters", "result"):
        if data.get(key) is not None:
            result[key] = _body(data[key])
    if "request" in data:
        sent = data["request"]
        result["request"] = {
            "protocol": sent.get("protocol"),
            "method": sent.get("method"),
            "url": mask_text(sent.get("url") or ""),
            "headers": _headers(sent.get("headers")),
            "body": _body(sent.get("body")),
        }
    if "response" in data:
        got = data["response"]
        result["response"] = {
            "protocol": got.get("protocol"),
            "statusCode": got.get("statusCode"),
            "statusMessage": got.get("statusMessage"),
            "headers": _headers(got.get("headers")),
            "body": _body(got.get("body")),
        }
    if note:
        result["note"] = note
    return result


def request_headers(trace: dict) -> list[str]:
    """The request header lines of a :func:`trace_http_task` answer (masked)."""
    return list((trace.get("request") or {}).get("headers") or [])


def connection_header_present(trace: dict, header: str = "x-api-key") -> bool:
    """Whether the connection's ``header`` appears in the traced request (its value masked)."""
    return any(line.lower().startswith(header.lower() + ":") for line in request_headers(trace))
