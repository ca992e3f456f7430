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


#: aws mode: a break or a repair reaches the data path with a delay AWS does not bound
#: (security-group rules, a new stage deployment, a re-pointed resource configuration, IAM
#: changes), so the run that should show it is repeated, this many runs at most, with the
#: mode's settle time (doubled) between them and the reason printed while waiting.
AWS_RUNS = 6


def run_until(run, ok, *, what: str, runs: int, wait_s: float, sleep=time.sleep,
              say=print) -> tuple[dict, int]:
    """``run()`` until ``ok(result)``, at most ``runs`` times, ``wait_s`` apart.

    Returns the last result and how many runs it took. Each wait says why it waits.
    """
    result, made = run(), 1
    while not ok(result) and made < runs:
        seen = result.get("error") or result.get("status")
        say(f"{what}: not in effect yet (this run ended {seen}); AWS applies such changes "
            f"with a delay, running again in {wait_s:.0f} s ({made + 1} of {runs})",
            flush=True)
        sleep(wait_s)
        result, made = run(), made + 1
    return result, made


def _redrive_failed(workflow: str, failed: dict) -> str | None:
    """The status of the broken run once redriven after the repair (redrive-executions.html:
    a FAILED, TIMED_OUT or ABORTED STANDARD execution restarts at the step that failed);
    None when there is nothing AWS would redrive (EXPRESS, or the run did not fail)."""
    from lab.redriving import REDRIVABLE, redrive

    if workflow == "express" or failed.get("status") not in REDRIVABLE:
        return None
    return str(redrive(workflow, executions=[failed["executionArn"]]).status_after.iloc[0])


def run_scenario(name: str, workflow: str = "standard") -> dict:
    """Break ``name``, run one execution, repair, run again; returns one row.

    The row: the error and masked cause of the broken run (for STANDARD read from
    the history's last ``TaskFailed`` event), where it surfaced, its time to fail
    (server timestamps, retries included), the status of the run after the repair
    (SUCCEEDED when the repair worked), the broken run's status once redriven after the
    repair (``after_redrive``; STANDARD only), and ``outcome``: what :func:`check` says.
    """
    from lab.executions import run_once

    started = time.monotonic()
    with broken(name, workflow) as what:
        lab = DeployedLab(workflow)
        secret = lab.api_key_value()
        runs = 1 if lab.cfg.is_sandbox else AWS_RUNS
        wait_s = 2 * lab.pace.settle_s
        # Where AWS's timing decides the outcome, running again shows nothing more.
        runs_to_break = runs if what.scenario.reproducible_on_aws else 1

        def broken_run() -> dict:
            failed = run_once(workflow)
            error, cause = failed.get("error"), failed.get("cause")
            details, event, attempts = (None, None, 0)
            if workflow == "standard":
                details, event, attempts = _task_failures(lab, failed["executionArn"])
            if details:  # the task's own failure, as the history event carries it
                error, cause = details.get("error", error), details.get("cause", cause)
            return {**failed, "error": error, "cause": cause, "event": event,
                    "attempts": attempts}

        failed, runs_broken = run_until(
            broken_run, lambda r: r["error"] == what.scenario.expected_error,
            what=f"the break {name}", runs=runs_to_break, wait_s=wait_s)
    error, cause = failed["error"], failed["cause"]
    event, attempts = failed["event"], failed["attempts"]
    again, runs_repaired = run_until(
        lambda: run_once(workflow), lambda r: r.get("status") == "SUCCEEDED",
        what=f"the repair of {name}", runs=runs, wait_s=wait_s)
    after_redrive = _redrive_failed(workflow, failed)
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
        "after_redrive": after_redrive,
        "scenario_s": round(time.monotonic() - started, 1),
        "runs_broken": runs_broken,
        "runs_repaired": runs_repaired,
    }
    row["outcome"] = _outcome(row)
    return row


def _outcome(row: dict) -> str:
    """One sentence: as expected, or what was observed instead and why it can differ."""
    scenario = scenario_named(row["scenario"])
    seen = row.get("error") or row.get("status")
    aws = row.get("mode", load_config().mode) == "aws"
    if row.get("after_repair") != "SUCCEEDED":
        if aws:  # AWS may still be applying the repair: say what was seen, do not refuse
            return (f"observed after the repair: {row.get('after_repair')} "
                    f"({row.get('runs_repaired', 1)} run(s)); AWS may still be applying it: "
                    "run lab.repair_all(), then lab.run_once() in a minute.")
        return (f"NOT repaired: the run after the repair ended {row.get('after_repair')}; "
                "run lab.repair_all(), then lab.run_once().")
    if row.get("as_expected"):
        return f"as expected: {seen}; repaired"
    if aws and not scenario.reproducible_on_aws:
        return (f"observed {seen}, not {scenario.expected_error}: AWS cannot be made to fail "
                f"this way on demand ({scenario.on_aws}); repaired")
    if aws:
        return (f"observed {seen}, not {scenario.expected_error}, in "
                f"{row.get('runs_broken', 1)} run(s): the break may not have reached the data "
                f"path yet (AWS applies it with a delay; {scenario.on_aws}); repaired")
    return f"NOT as expected: {seen}, not {scenario.expected_error}"


def check(results: dict | list[dict] | pd.DataFrame) -> str | pd.DataFrame:
    """Check one row of :func:`run_scenario` (or all of them); returns the outcome in words.

    One row gives one sentence; several give a table of ``scenario`` and ``outcome``.

    Raises :class:`LabError` when a scenario did not fail as expected, or its repair
    did not work, in the sandbox. In aws mode, where breaks and repairs take effect with
    a delay AWS does not bound (:func:`run_scenario` already ran again, bounded), what was
    observed is reported, not refused (the sentence says what and why it can differ).
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
