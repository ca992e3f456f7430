"""One execution taken apart: start it, read its history, see what the private API received."""

from __future__ import annotations

import json
import time
import uuid

import pandas as pd

from lab.clients import client
from lab.config import load_config
from lab.errors import LabError
from lab.masking import mask_secrets

WORKFLOWS = {"standard": "StandardStateMachineArn", "express": "ExpressStateMachineArn"}


def state_machine_arn(workflow: str) -> str:
    """The deployed state machine's ARN for ``standard`` or ``express``."""
    from lab.deployment import outputs

    key = WORKFLOWS.get(str(workflow).lower())
    if key is None:
        raise LabError(f"unknown workflow {workflow!r}; use 'standard' or 'express'.")
    return outputs()[key]


def _parse(text):
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text


def run_once(workflow: str = "standard", payload: dict | None = None, timeout_s: float = 120
             ) -> dict:
    """Run one execution to the end; returns its ARN, status, input, output or error.

    STANDARD is started and then watched until it stops; EXPRESS runs with
    StartSyncExecution, which answers when the execution has finished.
    """
    sfn = client("stepfunctions")
    arn = state_machine_arn(workflow)
    name = f"lab-once-{uuid.uuid4().hex[:12]}"
    body = json.dumps(payload or {})
    if workflow == "express":
        out = sfn.start_sync_execution(stateMachineArn=arn, name=name, input=body)
    else:
        exe = sfn.start_execution(stateMachineArn=arn, name=name, input=body)["executionArn"]
        deadline = time.monotonic() + timeout_s
        interval = 0.05 if load_config().is_sandbox else 1.0
        while True:
            out = sfn.describe_execution(executionArn=exe)
            if out["status"] != "RUNNING":
                break
            if time.monotonic() > deadline:
                raise LabError(f"execution {name} still RUNNING after {timeout_s:.0f} s; "
                               "look at it with lab.execution_events(...) or raise timeout_s.")
            time.sleep(interval)
    return mask_secrets({
        "workflow": workflow,
        "executionArn": out["executionArn"],
        "status": out["status"],
        "input": _parse(out.get("input")),
        "output": _parse(out.get("output")),
        "error": out.get("error"),
        "cause": out.get("cause"),
        "duration_ms": round((out["stopDate"] - out["startDate"]).total_seconds() * 1000, 1)
        if out.get("stopDate") else None,
    })


def _event_detail(event: dict) -> str:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            detail = {k: v for k, v in value.items() if k not in ("roleArn",)}
            return json.dumps(mask_secrets(detail))[:160]
    return ""


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
    """What the private API received most recently (sandbox data plane log; secrets masked).

    In aws mode this needs API Gateway access logging, which the lab leaves off;
    the sandbox keeps a short log of every request its data plane served.
    """
    cfg = load_config()
    if not cfg.is_sandbox:
        raise LabError("the private API's request log is a sandbox feature; in aws mode turn on "
                       "API Gateway access logging for the prod stage to see requests.")
    from lab.sandbox import request_log

    rows = [mask_secrets(r) for r in request_log()][-last:]
    return pd.DataFrame(rows)


def private_api_request_headers(index: int = -1) -> pd.DataFrame:
    """The headers of one request the private API received (default: the newest), masked."""
    rows = private_api_requests(last=abs(index) if index < 0 else 10_000)
    if rows.empty:
        raise LabError("the private API has received no request yet; run an execution first.")
    headers = rows.iloc[index]["headers"] or {}
    return pd.DataFrame(sorted(headers.items()), columns=["header", "value"])
