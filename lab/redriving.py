"""Redrive the executions a broken link failed, once it is repaired (notebook 06).

https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html: a STANDARD
execution that FAILED, TIMED_OUT or was ABORTED in the last 14 days restarts at the state
that did not succeed, with the same input and ARN; the states that succeeded are not run
again. :func:`redrive` does that for a workflow's redrivable executions and tells, for each,
which states ran before the redrive and which ran again. Same calls in both modes.
"""

from __future__ import annotations

import dataclasses
import time

from lab.clients import client
from lab.errors import LabError

REDRIVABLE = ("FAILED", "TIMED_OUT", "ABORTED")
ROW_COLUMNS = ["execution", "status_before", "error_before", "status_after", "redriveCount",
               "states_before", "states_run_again", "not_run_again"]


def _entered(events: list[dict]) -> tuple[list[str], list[str]]:
    """(states entered before the last ExecutionRedriven, states entered after it)."""
    before: list[str] = []
    after: list[str] = []
    seen_redrive = False
    for event in events:
        if event["type"] == "ExecutionRedriven":
            seen_redrive = True
            after = []
        elif event["type"].endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            (after if seen_redrive else before).append(name)
    return before, after


def _history(sfn, arn: str) -> list[dict]:
    events: list[dict] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
        events.extend(page["events"])
    return events


def redrivable_executions(workflow: str = "standard", since=None) -> list[str]:
    """The ARNs of the workflow's executions AWS would redrive now (stopped after ``since``)."""
    from lab.executions import state_machine_arn

    if workflow == "express":
        raise LabError("EXPRESS executions cannot be redriven (RedriveExecution is for "
                       "STANDARD workflows); run the express workflow again instead.")
    sfn = client("stepfunctions")
    found = []
    for status in REDRIVABLE:
        pages = sfn.get_paginator("list_executions").paginate(
            stateMachineArn=state_machine_arn(workflow), statusFilter=status)
        for page in pages:
            for item in page["executions"]:
                if since is not None and item.get("stopDate") and item["stopDate"] < since:
                    continue
                described = sfn.describe_execution(executionArn=item["executionArn"])
                if described.get("redriveStatus") == "REDRIVABLE":
                    found.append(item["executionArn"])
    return found


def redrive(workflow: str = "standard", executions: list[str] | None = None, since=None,
            timeout_s: float | None = None):
    """Redrive ``executions`` (default: every redrivable one of ``workflow``), wait for each
    to stop; a table, one row each: status before and after, redriveCount, the states that
    ran before the redrive and those that ran again (those that had succeeded are not)."""
    from lab.timed_execution import wait_standard
    from lab.waiting import profile

    sfn = client("stepfunctions")
    pace = profile().execution
    if timeout_s:
        pace = dataclasses.replace(pace, timeout_s=timeout_s)
    arns = executions if executions is not None else redrivable_executions(workflow, since)
    rows = []
    for arn in arns:
        before = sfn.describe_execution(executionArn=arn)
        sfn.redrive_execution(executionArn=arn)
        after, _ = wait_standard(sfn, arn, pace, time.perf_counter())
        if after is None:
            raise LabError(f"the redriven execution {before['name']} is still RUNNING after "
                           f"{pace.timeout_s:.0f} s; look at it with lab.execution_events(...).")
        ran_before, ran_again = _entered(_history(sfn, arn))
        rows.append({
            "execution": before["name"],
            "status_before": before["status"],
            "error_before": before.get("error"),
            "status_after": after["status"],
            "redriveCount": after.get("redriveCount"),
            "states_before": ran_before,
            "states_run_again": ran_again,
            "not_run_again": [s for s in dict.fromkeys(ran_before) if s not in ran_again],
        })
    import pandas as pd

    return pd.DataFrame(rows, columns=ROW_COLUMNS)
