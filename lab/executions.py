"""One execution taken apart: start it, read its history, see what the private API received."""

from __future__ import annotations

import json
import uuid

import pandas as pd

from cdk_app.names import WORKFLOW_OUTPUTS
from lab.clients import client
from lab.config import load_config
from lab.errors import LabError
from lab.http_answer import parse_json
from lab.masking import mask_secrets


def state_machine_arn(workflow: str) -> str:
    """The deployed state machine's ARN for ``standard``, ``express`` or ``jsonata``."""
    from lab.deployment import outputs

    key = WORKFLOW_OUTPUTS.get(str(workflow).lower())
    if key is None:
        raise LabError(f"unknown workflow {workflow!r}; use 'standard', 'express' or 'jsonata'.")
    return outputs()[key]


def run_once(workflow: str = "standard", payload: dict | None = None,
             timeout_s: float | None = None) -> dict:
    """Run one execution to the end; returns its ARN, status, input, output or error.

    STANDARD is started and then watched until it stops (at the mode's pace, for at
    most ``timeout_s``, by default the mode profile's execution timeout: 2 minutes in
    the sandbox, 15 on AWS); EXPRESS runs with StartSyncExecution, which answers when
    the execution has finished.
    """
    import dataclasses
    import time

    from lab.timed_execution import start_standard, wait_standard
    from lab.waiting import profile

    cfg = load_config()
    pace = profile(cfg).execution
    if timeout_s:
        pace = dataclasses.replace(pace, timeout_s=timeout_s)
    sfn = client("stepfunctions")
    arn = state_machine_arn(workflow)
    name = f"lab-once-{uuid.uuid4().hex[:12]}"
    body = json.dumps(payload or {})
    if workflow == "express":
        out = sfn.start_sync_execution(stateMachineArn=arn, name=name, input=body)
    else:
        # The harness's own start and watch: throttling retried, the mode's poll pace.
        t0 = time.perf_counter()
        exe, _ = start_standard(sfn, arn, name, body, pace)
        out, _ = wait_standard(sfn, exe, pace, t0)
        if out is None:
            raise LabError(f"execution {name} still RUNNING after {pace.timeout_s:.0f} s; "
                           "look at it with lab.execution_events(...) or raise timeout_s.")
    return mask_secrets({
        "workflow": workflow,
        "executionArn": out["executionArn"],
        "status": out["status"],
        "input": parse_json(out.get("input")),
        "output": parse_json(out.get("output")),
        "error": out.get("error"),
        "cause": out.get("cause"),
        "duration_ms": round((out["stopDate"] - out["startDate"]).total_seconds() * 1000, 1)
        if out.get("stopDate") else None,
    })


def _event_detail(event: dict) -> dict:
    """The event's details (masked, whole: a cause is the sentence that explains a failure)."""
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return mask_secrets({k: v for k, v in value.items() if k not in ("roleArn",)})
    return {}


def execution_events(execution_arn: str) -> pd.DataFrame:
    """A STANDARD execution's history, one row per event, with milliseconds since the start."""
    history = client("stepfunctions").get_execution_history(executionArn=execution_arn)["events"]
    if not history:
        return pd.DataFrame(columns=["id", "type", "after_ms", "detail"])
    t0 = history[0]["timestamp"]
    rows = [
        {"id": e["id"], "type": e["type"],
         "after_ms": round((e["timestamp"] - t0).total_seconds() * 1000, 1),
         "detail": _event_detail(e)}
        for e in history
    ]
    return pd.DataFrame(rows)


def private_api_requests(last: int = 5) -> pd.DataFrame:
    """What the private API saw of the newest ``last`` requests it answered, oldest first.

    Read from the STANDARD executions' outputs: ``GET /hello`` answers with API Gateway's
    own ``$context`` (request id and time, VPC endpoint, API key id, user agent) and the
    request's headers without the API key, and the HTTP Task's output carries that answer.
    The same call works in aws mode and in the sandbox. (EXPRESS executions are not listed:
    AWS keeps no record of them to read back; their answers are in ``lab.run_once``'s
    output.) The sandbox's own log of every request, refused ones included, is
    :func:`sandbox_request_log`.
    """
    from lab.api_report import ApiReport

    if not isinstance(last, int) or last < 1:
        raise LabError(f"last={last!r} is not a count; pass a whole number of 1 or more.")
    sfn = client("stepfunctions")
    listed = sfn.list_executions(
        stateMachineArn=state_machine_arn("standard"), statusFilter="SUCCEEDED",
        maxResults=min(last, 1000),
    )["executions"]
    rows = []
    for item in listed[:last]:
        output = parse_json(sfn.describe_execution(executionArn=item["executionArn"]).get("output"))
        report = ApiReport.from_output(output)
        if report is not None:
            rows.append({**report.row(), "status": output.get("StatusCode")})
    columns = ["time", "request_id", "execution", "method", "host", "path", "source_vpce",
               "source_vpc", "source_ip", "api_key_id", "user_agent", "status", "headers"]
    return pd.DataFrame(sorted(rows, key=lambda r: r["time"]), columns=columns)


def private_api_request_headers(index: int = -1) -> pd.DataFrame:
    """The headers one request arrived with at the private API (default: the newest).

    As API Gateway reported them (``$input.params().header``), without the API key; the
    same in aws mode and in the sandbox.
    """
    rows = private_api_requests(last=abs(index) if index < 0 else index + 1)
    if rows.empty:
        raise LabError("the private API has answered no STANDARD execution yet; run one "
                       "first with lab.run_once('standard').")
    headers = rows.iloc[index]["headers"] or {}
    return pd.DataFrame(sorted(headers.items()), columns=["header", "value"])


def sandbox_request_log(last: int = 5) -> pd.DataFrame:
    """Sandbox only: the data plane's own log of every request, refused ones too (masked).

    AWS has no such log unless API Gateway access logging is on (it needs the account-wide
    API Gateway CloudWatch role, which the lab does not set). In aws mode this returns one
    row saying so and naming the equivalent, ``lab.private_api_requests()``, so a notebook
    cell runs in both modes.
    """
    cfg = load_config()
    if not cfg.is_sandbox:
        return pd.DataFrame([{
            "sandbox only": "the sandbox's request log does not exist on AWS",
            "aws-mode equivalent": "lab.private_api_requests() (what API Gateway reported in "
                                   "each execution's output); API Gateway access logs",
        }])
    from lab.sandbox import request_log

    # The body is notebook 07's (what an API destination delivered), not a column here; a
    # request that did not come along the network path shows as source_vpce None.
    hidden = ("body", "through_network_path")
    rows = [
        {k: v for k, v in mask_secrets(r).items() if k not in hidden}
        for r in request_log(limit=last)
    ]
    return pd.DataFrame(rows)
