"""Run one scenario: break, run one execution, repair, run again; one row per scenario.

Where AWS cannot be made to fail on demand (``Scenario.reproducible_on_aws`` is
False: whether a re-authorized connection is ACTIVE again within the task's
retries is AWS's timing), :func:`check` in aws mode reports the outcome observed and
why it can differ instead of refusing it. Everything else is checked in both modes.
"""

from __future__ import annotations

import time

import pandas as pd

from lab.config import load_config
from lab.errors import LabError
from lab.failures.repair import broken
from lab.failures.report import short_cause, surfaced_at
from lab.failures.scenarios import scenario_named
from lab.failures.stack import DeployedLab


def _task_failures(lab: DeployedLab, execution_arn: str) -> tuple[dict | None, str | None, int]:
    """The last TaskFailed event's details, ``"<state>: TaskFailed"`` and the attempts."""
    from lab.timed_execution import history_events

    events = history_events(lab.client("stepfunctions"), execution_arn, lab.pace.execution)
    state = next((e["stateEnteredEventDetails"]["name"] for e in events
                  if e.get("stateEnteredEventDetails")), None)
    failed = [e for e in events if e["type"] == "TaskFailed"]
    if not failed:
        return None, None, 0
    return failed[-1].get("taskFailedEventDetails") or {}, f"{state or 'task'}: TaskFailed", len(
        failed)


def run_scenario(name: str, workflow: str = "standard") -> dict:
    """Break ``name``, run one execution, repair, run again; returns one row.

    The row: the error and masked cause of the broken run (for STANDARD read from
    the history's last ``TaskFailed`` event), where it surfaced, its time to fail
    (server timestamps, retries included), the status of the run after the repair
    (SUCCEEDED when the repair worked), and ``outcome``: what :func:`check` says.
    """
    from lab.executions import run_once

    started = time.monotonic()
    with broken(name, workflow) as what:
        lab = DeployedLab(workflow)
        secret = lab.api_key_value()
        failed = run_once(workflow)
    error, cause = failed.get("error"), failed.get("cause")
    details, event, attempts = (None, None, 0)
    if workflow == "standard":
        details, event, attempts = _task_failures(lab, failed["executionArn"])
    if details:  # the task's own failure, as the history event carries it
        error, cause = details.get("error", error), details.get("cause", cause)
    again = run_once(workflow)
    row = {
        "scenario": name,
        "workflow": what.workflow,
        "mode": lab.cfg.mode,
        "expected_error": what.scenario.expected_error,
        "status": failed["status"],
        "error": error,
        "as_expected": error == what.scenario.expected_error,
        "surfaced_at": surfaced_at(error, cause),
        "failed_event": event,
        "task_attempts": attempts or None,
        "time_to_fail_ms": failed.get("duration_ms"),
        "cause": short_cause(cause, secret),
        "after_repair": again["status"],
        "scenario_s": round(time.monotonic() - started, 1),
    }
    row["outcome"] = _outcome(row)
    return row


def _outcome(row: dict) -> str:
    """One sentence: as expected, or what was observed instead and why it can differ."""
    scenario = scenario_named(row["scenario"])
    seen = row.get("error") or row.get("status")
    if row.get("after_repair") != "SUCCEEDED":
        return (f"NOT repaired: the run after the repair ended {row.get('after_repair')}; "
                "run lab.repair_all(), then lab.run_once().")
    if row.get("as_expected"):
        return f"as expected: {seen}; repaired"
    if row.get("mode", load_config().mode) == "aws" and not scenario.reproducible_on_aws:
        return (f"observed {seen}, not {scenario.expected_error}: AWS cannot be made to fail "
                f"this way on demand ({scenario.on_aws}); repaired")
    return f"NOT as expected: {seen}, not {scenario.expected_error}"


def check(results: dict | list[dict] | pd.DataFrame) -> str | pd.DataFrame:
    """Check one row of :func:`run_scenario` (or all of them); returns the outcome in words.

    One row gives one sentence; several give a table of ``scenario`` and ``outcome``.

    Raises :class:`LabError` when a scenario did not fail as expected, or its repair
    did not work; in aws mode a scenario AWS cannot reproduce on demand is reported,
    not refused (the sentence says what was observed and why it can differ).
    """
    rows = [results] if isinstance(results, dict) else (
        results.to_dict("records") if isinstance(results, pd.DataFrame) else list(results))
    outcomes = [(row.get("scenario"), row.get("outcome") or _outcome(row)) for row in rows]
    wrong = [f"{name}: {text}" for name, text in outcomes if text.startswith("NOT ")]
    if wrong:
        raise LabError(
            f"{'; '.join(wrong)}; look at the row's cause, run lab.repair_all(), and see "
            "lab.failure_scenarios() for what each break should do."
        )
    if isinstance(results, dict):
        return outcomes[0][1]
    return pd.DataFrame(outcomes, columns=["scenario", "outcome"])
