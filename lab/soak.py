"""Soak: run many executions at once and account for every single one.

``soak(n=1000, concurrency=16)`` starts ``n`` executions through the same
code as ``lab.harness.run`` and then reconciles, keyed by execution name:

- ``requested``: executions the soak asked for;
- ``started``: start calls the service accepted (a name in the started set);
- ``terminal``: started executions whose terminal status was observed;
- ``succeeded`` / ``failed``: terminal ones that ended SUCCEEDED / otherwise;
- ``lost``: started but never seen terminal (the harness gave up waiting, or
  the sandbox died under it);
- ``errors``: never started (the start call failed; ``error_kinds`` says why);
- ``duplicated``: names seen more than once, by the harness or, for STANDARD,
  in the service's own ``list_executions`` (two executions for one request);
- ``unrecorded``: executions the service lists for this run that the harness
  never saw start (a start whose answer was lost on the way back).

If the sandbox dies mid-run, every worker stops within one poll interval or
one connection timeout, the executions not yet started are counted as
``errors`` and the started ones as ``lost``, and ``soak()`` returns normally.
"""

from __future__ import annotations

import time
from collections import Counter

from botocore.exceptions import BotoCoreError, ClientError

from lab import clients, harness
from lab.config import LabConfig

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})
REPORT_KEYS = (
    "requested",
    "started",
    "terminal",
    "succeeded",
    "failed",
    "lost",
    "duplicated",
    "errors",
    "unrecorded",
)


def account(records: list[harness.ExecutionRecord], server_names: list[str] | None = None) -> dict:
    """Reconcile records (and optionally the service's list of names) into counts."""
    seen = Counter(r.name for r in records)
    started = {r.name for r in records if r.started}
    terminal = {r.name for r in records if r.started and r.status in TERMINAL}
    succeeded = {r.name for r in records if r.name in terminal and r.status == "SUCCEEDED"}
    duplicated = {name for name, count in seen.items() if count > 1}
    unrecorded: set[str] = set()
    if server_names is not None:
        listed = Counter(server_names)
        duplicated |= {name for name, count in listed.items() if count > 1}
        unrecorded = set(listed) - started
    problems = Counter(r.error or r.status for r in records if r.name not in terminal)
    return {
        "requested": len(records),
        "started": len(started),
        "terminal": len(terminal),
        "succeeded": len(succeeded),
        "failed": len(terminal) - len(succeeded),
        "lost": len(started - terminal),
        "duplicated": len(duplicated),
        "errors": len(records) - len(started),
        "unrecorded": len(unrecorded),
        "error_kinds": dict(problems.most_common(10)),
        "failure_kinds": dict(
            Counter(r.error or r.status for r in records if r.name in terminal - succeeded)
        ),
    }


def _listed_names(cfg: LabConfig, state_machine_arn: str, prefix: str) -> list[str] | None:
    """Names of this run's executions as the service lists them; None if it cannot say."""
    try:
        sfn = clients.client("stepfunctions", cfg)
        names = []
        for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=state_machine_arn
        ):
            names += [e["name"] for e in page.get("executions", []) if e["name"].startswith(prefix)]
        return names
    except (ClientError, BotoCoreError):
        return None


def soak(
    n: int = 1000,
    concurrency: int = 16,
    workflow: str = "standard",
    progress: bool = True,
    *,
    cfg: LabConfig | None = None,
    outputs: dict | None = None,
    save: bool = True,
    stop: harness.RunStop | None = None,
) -> dict:
    """Run ``n`` executions per workflow at ``concurrency`` and account for each.

    Returns a dict with the counts described in this module's docstring plus
    ``clean`` (True when nothing was lost, duplicated, unrecorded or failed to
    start), ``executions_per_s``, ``wall_s``, ``run_id``, ``stopped`` (why it ended
    early, or None) and, with ``save``, ``results`` (the CSV of every record, under
    ``results/soak/``, checked writable before the first execution and saved as the
    soak goes). A set ``stop`` (Ctrl-C in the CLI) ends it early.
    """
    harness.validate(workflow, n, concurrency)
    checkpoints = None
    if save:
        from lab import results

        # Under results/soak/ so a soak never passes for the newest latency run.
        checkpoints = results.Checkpoints(subdir="soak")
    run_plan = harness.plan(workflow, cfg, outputs)
    stop = stop or harness.RunStop()
    prefix = f"lab-{run_plan.run_id}-"
    t0 = time.perf_counter()

    def meta(records) -> dict:
        planned = n * len(run_plan.state_machines)
        extra = harness.run_metadata(
            run_plan, kind="soak", workflow=workflow, n=n, planned=planned,
            stopped=stop.reason, partial=stop.is_set() or len(records) < planned)
        extra["concurrency"] = concurrency
        return extra

    records = harness.run_planned(run_plan, n, concurrency, progress, stop, checkpoints, meta)
    wall_s = time.perf_counter() - t0

    server_names: list[str] | None = None
    if "standard" in run_plan.state_machines and not stop.is_set():
        # EXPRESS executions are not listed by AWS; STANDARD ones are.
        server_names = _listed_names(run_plan.cfg, run_plan.state_machines["standard"], prefix)
    report = account(records, server_names)
    report.update(
        {
            "workflow": workflow,
            "concurrency": concurrency,
            "mode": run_plan.cfg.mode,
            "run_id": run_plan.run_id,
            "wall_s": round(wall_s, 3),
            "executions_per_s": round(report["terminal"] / wall_s, 1) if wall_s else None,
            "server_checked": server_names is not None,
            "stopped": stop.reason,
        }
    )
    report["clean"] = (
        report["lost"] == 0
        and report["duplicated"] == 0
        and report["errors"] == 0
        and report["unrecorded"] == 0
    )
    if save:
        from lab import results

        frame = harness.records_frame(records)
        info = meta(records)
        info["accounting"] = report
        report["results"] = str(results.save(frame, info, checkpoints.path_for(run_plan.run_id)))
    return report


def format_report(report: dict) -> str:
    """The accounting as aligned ``key  value`` lines, verdict last."""
    lines = [f"{key:12} {report[key]}" for key in REPORT_KEYS]
    lines.append(f"{'per second':12} {report.get('executions_per_s')}")
    if report.get("error_kinds"):
        lines.append(f"{'not terminal':12} {report['error_kinds']}")
    if report.get("failure_kinds"):
        lines.append(f"{'failures':12} {report['failure_kinds']}")
    if report.get("stopped"):
        lines.append(f"{'stopped':12} {report['stopped']}")
    if report.get("results"):
        lines.append(f"{'results':12} {report['results']}")
    verdict = "every execution accounted for" if report["clean"] else "NOT clean: see above"
    lines.append(f"{'verdict':12} {verdict}")
    return "\n".join(lines)
