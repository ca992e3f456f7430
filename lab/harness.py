"""Run many executions of the lab's state machines and time each one.

``run(workflow, n, concurrency)`` starts ``n`` executions per workflow with at
most ``concurrency`` in flight and returns one row per execution (a pandas
DataFrame). The same code runs against the sandbox and against AWS.

How each phase is measured (all in milliseconds):

- ``client_ms``: the learner's view, measured on this machine with
  ``time.perf_counter``: from just before the start call until the terminal
  status was observed. For EXPRESS that is one ``start_sync_execution`` round
  trip. For STANDARD it is ``start_execution`` plus ``describe_execution``
  polling, so it includes up to one poll interval (2 ms growing to 20 ms in
  the sandbox, 1 s growing to 5 s on AWS) of waiting; the server-side phases
  below do not.
- ``execution_ms``: the service's own ``stopDate - startDate`` for the
  execution (``describe_execution`` for STANDARD, the ``start_sync_execution``
  response for EXPRESS). Server timestamps, so polling never inflates it.
- ``http_task_ms`` (STANDARD only): from the first ``TaskScheduled`` event to
  the last ``TaskSucceeded``/``TaskFailed``/``TaskTimedOut`` event of the
  execution's history, i.e. the HTTP task including any retries the state
  machine made. ``http_attempts`` says how many task attempts that covered.
- ``billed_ms`` (EXPRESS only): ``billingDetails.billedDurationInMilliseconds``
  of the ``start_sync_execution`` response (AWS rounds it up to 100 ms; the
  history is not available for EXPRESS on AWS).
- ``sfn_to_api_ms`` and ``api_to_result_ms``: the hop into the VPC and back, split
  at ``$context.requestTimeEpoch``, which the private API reports in its answer
  (``lab.api_report`` says how each is measured, in both workflows).

Throttling: a throttled start call is retried here with backoff and the SAME
execution name, so it is counted once. Step Functions treats a repeated
``StartExecution`` with the same name and input as the same execution while it
runs, and answers ``ExecutionAlreadyExists`` once it has closed; the harness
takes either as "this execution started". A throttled
``StartSyncExecution`` was never run, so retrying it cannot run it twice; a timed-out
or dropped one may have started an EXPRESS execution, so neither the harness nor
botocore repeats it (``lab.clients.NOT_REPEATED``): the row reports the error.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from cdk_app.names import WORKFLOW_OUTPUTS, Output
from lab import clients
from lab.config import LabConfig, load_config
from lab.errors import LabError
from lab.timed_execution import (
    CONNECTION_ERROR_NAMES,
    RECORD_COLUMNS,
    STATUS_UNKNOWN,
    TEXT_COLUMNS,
    ExecutionRecord,
    RunStop,
    Timing,
    execute_express,
    execute_standard,
    shorten,
)
from lab.waiting import (
    WaitStopped,
    profile,
    wait_for_connection,
)

WORKFLOWS = ("standard", "express")
WORKFLOW_CHOICES = (*WORKFLOWS, "both")
OUTPUT_KEYS = {kind: WORKFLOW_OUTPUTS[kind] for kind in WORKFLOWS}
MAX_EXECUTIONS = 100_000
MAX_CONCURRENCY = 64
_log = logging.getLogger(__name__)

_EXECUTORS = {"standard": execute_standard, "express": execute_express}


def validate(workflow: str, n, concurrency) -> None:
    """Refuse an unknown workflow or an out-of-range ``n``/``concurrency`` with the fix."""
    if workflow not in WORKFLOW_CHOICES:
        raise LabError(
            f"workflow={workflow!r} is not one the lab runs; "
            "pass workflow='standard', 'express' or 'both'."
        )
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_EXECUTIONS:
        raise LabError(
            f"n={n!r} is out of range; pass a whole number of executions "
            f"between 1 and {MAX_EXECUTIONS}, e.g. n=100."
        )
    if (
        isinstance(concurrency, bool)
        or not isinstance(concurrency, int)
        or not 1 <= concurrency <= MAX_CONCURRENCY
    ):
        raise LabError(
            f"concurrency={concurrency!r} is out of range; pass a whole number "
            f"between 1 and {MAX_CONCURRENCY}, e.g. concurrency=8."
        )


def new_run_id() -> str:
    """A run id for execution names: UTC time plus 4 random hex digits."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(2)


def _progress_bar(total: int, desc: str, enabled: bool):
    from lab.progress_bars import Progress

    return Progress(total, desc, "execution", enabled=enabled)


@dataclass
class RunPlan:
    """Everything one batch needs; built by ``run()``, reused by bench and soak."""

    cfg: LabConfig
    state_machines: dict[str, str]
    run_id: str
    timing: Timing


def plan(workflow: str, cfg: LabConfig | None = None, outputs: dict | None = None) -> RunPlan:
    """Resolve the state machine ARNs for ``workflow`` from the stack's outputs."""
    cfg = cfg or load_config()
    if outputs is None:
        from lab.deployment import outputs as stack_outputs

        outputs = stack_outputs()
    wanted = WORKFLOWS if workflow == "both" else (workflow,)
    arns = {}
    for kind in wanted:
        arn = outputs.get(OUTPUT_KEYS[kind])
        if not arn:
            raise LabError(
                f"the stack has no {OUTPUT_KEYS[kind]} output; "
                "run `python -m lab deploy` (or lab.ensure_deployed()) first."
            )
        arns[kind] = arn
    return RunPlan(cfg, arns, new_run_id(), profile(cfg).execution)


def run_batch(
    run_plan: RunPlan,
    workflow: str,
    names: list[str],
    concurrency: int,
    progress: bool = True,
    stop: RunStop | None = None,
    sfn=None,
    with_history: bool = True,
    checkpoint: Callable[[Callable[[], list[ExecutionRecord]]], None] | None = None,
) -> list[ExecutionRecord]:
    """Run one execution per name of ``workflow`` with ``concurrency`` in flight.

    Always returns one record per name, in name order. When ``stop`` is set (the
    sandbox died, the stack was destroyed, Ctrl-C), no new execution starts: queued
    ones come back ``NOT_STARTED`` with the reason in ``cause``, in-flight ones get
    the mode's ``drain_s`` (a few seconds) to finish and are then recorded as
    ``UNKNOWN``, unobserved; ``stop.abandon()`` (a second Ctrl-C) ends the wait at
    once. ``checkpoint(so_far)`` is called now and then from this thread; it decides
    whether to write, and calls ``so_far()`` for the records finished so far.
    ``with_history=False`` skips the STANDARD history read (see ``execute_standard``).
    """
    sfn = sfn or clients.client("stepfunctions", run_plan.cfg)
    stop = stop or RunStop()
    execute = _EXECUTORS[workflow]
    if workflow == "standard" and not with_history:
        execute = functools.partial(execute_standard, with_history=False)
    arn = run_plan.state_machines[workflow]
    drain_s = profile(run_plan.cfg).drain_s

    def not_started(name: str) -> ExecutionRecord:
        return ExecutionRecord(workflow, name, error="lab.RunStopped", cause=stop.reason)

    if stop.is_set():
        return [not_started(name) for name in names]

    def one(seq_name: tuple[int, str]) -> ExecutionRecord:
        seq, name = seq_name
        if stop.is_set():
            return not_started(name)
        payload = json.dumps({"lab_run": run_plan.run_id, "seq": seq})
        return execute(sfn, arn, name, payload, run_plan.timing, run_plan.cfg, stop)

    records: dict[str, ExecutionRecord] = {}
    bar = _progress_bar(len(names), workflow, progress)
    # More threads than the client's connection pool makes urllib3 warn on
    # every discarded connection; the warning is noise for the learner.
    pool_logger = logging.getLogger("urllib3.connectionpool")
    previous_level = pool_logger.level
    pool_logger.setLevel(logging.ERROR)
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="lab-run")
    # Submitted as slots free up (two per worker queued at most), so a stop starts
    # nothing new at once and each wait below looks at a handful of futures, not n.
    queue = iter(enumerate(names))
    in_flight: dict = {}

    def fill() -> None:
        while len(in_flight) < 2 * concurrency and not stop.is_set():
            item = next(queue, None)
            if item is None:
                return
            in_flight[pool.submit(one, item)] = item[1]

    try:
        fill()
        drain_until = None
        while in_flight:
            done, _ = wait(in_flight, timeout=0.1, return_when=FIRST_COMPLETED)
            for future in done:
                name = in_flight.pop(future)
                if future.cancelled():
                    records[name] = not_started(name)
                    continue
                try:
                    records[name] = future.result()
                except Exception as exc:  # an unexpected bug must not lose the row
                    _log.exception("execution %s raised", name)
                    records[name] = ExecutionRecord(
                        workflow, name, error=f"lab.{type(exc).__name__}", cause=shorten(str(exc))
                    )
            bar.update(len(done))
            if checkpoint is not None and done:
                checkpoint(lambda: [records[n] for n in names if n in records])
            if not stop.is_set():
                fill()
                continue
            if drain_until is None:
                drain_until = time.monotonic() + drain_s
                for future in in_flight:
                    future.cancel()  # queued ones never start
            if stop.abandoned or time.monotonic() >= drain_until:
                break
        for future, name in in_flight.items():  # still running: not waited for any longer
            records[name] = not_started(name) if future.cancelled() else ExecutionRecord(
                workflow, name, status=STATUS_UNKNOWN, error="lab.Abandoned",
                cause=f"{stop.reason}; still in flight after {drain_s:.0f} s, "
                "outcome not observed",
            )
        for name in names:
            if name not in records:
                records[name] = not_started(name)
    finally:
        pool.shutdown(wait=not stop.is_set(), cancel_futures=True)
        pool_logger.setLevel(previous_level)
        bar.close()
    return [records[name] for name in names]


def records_frame(records: Iterable[ExecutionRecord]) -> pd.DataFrame:
    """The records as a DataFrame with the harness's columns and dtypes."""
    # vars(), not asdict(): the fields are scalars, and asdict deep-copies each one.
    frame = pd.DataFrame([vars(r) for r in records], columns=list(RECORD_COLUMNS))
    for column in ("client_ms", "execution_ms", "http_task_ms", "billed_ms",
                   "sfn_to_api_ms", "api_to_result_ms"):
        frame[column] = frame[column].astype("float64")
    for column in ("http_status", "http_attempts"):
        frame[column] = frame[column].astype("Int64")
    for column in TEXT_COLUMNS:
        frame[column] = frame[column].astype("str")
    frame["retries"] = frame["retries"].astype("int64")
    frame["started"] = frame["started"].astype(bool)
    return frame


def run(
    workflow: str = "standard",
    n: int = 100,
    concurrency: int = 4,
    progress: bool = True,
    *,
    cfg: LabConfig | None = None,
    outputs: dict | None = None,
    wait_for_connection: bool = True,
    stop: RunStop | None = None,
    checkpoints=None,
) -> pd.DataFrame:
    """Run ``n`` executions of each chosen workflow and time them.

    First waits until the connection is ACTIVE (unless ``wait_for_connection``
    is False), so a run started right after a deploy times the path, not the
    connection's warm-up retries.

    ``workflow`` is ``"standard"``, ``"express"`` or ``"both"`` (STANDARD
    first, then EXPRESS, each ``n`` executions, so the two never compete for
    the same CPU). At most ``concurrency`` executions are in flight. Execution
    names are ``lab-<run id>-<seq>``, unique per run. Returns one row per
    planned execution (columns: see ``RECORD_COLUMNS`` and this module's docstring
    for how each phase is measured); ``df.attrs["lab_meta"]`` holds the run's
    metadata for ``lab.results.save``, with ``stopped`` (why, or None) and
    ``partial``. A set ``stop`` (Ctrl-C in the CLI) ends the run early: the rows
    not run say why. ``checkpoints`` (a ``lab.results.Checkpoints``) saves the rows
    as the run goes.
    """
    validate(workflow, n, concurrency)
    run_plan = plan(workflow, cfg, outputs)
    stop = stop or RunStop()
    started = time.perf_counter()

    def meta(records: list[ExecutionRecord]) -> dict:
        return run_metadata(
            run_plan, workflow=workflow, n=n, concurrency=concurrency,
            wall_s=round(time.perf_counter() - started, 3), stopped=stop.reason,
            planned=n * len(run_plan.state_machines),
            partial=stop.is_set() or len(records) < n * len(run_plan.state_machines),
        )

    if wait_for_connection:
        try:
            wait_for_active_connection(run_plan.cfg, outputs, stop=stop)
        except WaitStopped:
            pass  # every row below says why it did not run
    all_records = run_planned(run_plan, n, concurrency, progress, stop, checkpoints, meta)
    frame = records_frame(all_records)
    frame.attrs["lab_meta"] = meta(all_records)
    return frame


def run_planned(
    run_plan: RunPlan,
    n: int,
    concurrency: int,
    progress: bool,
    stop: RunStop,
    checkpoints=None,
    meta: Callable[[list[ExecutionRecord]], dict] | None = None,
) -> list[ExecutionRecord]:
    """``n`` executions of each planned workflow, one batch after the other.

    Names are ``lab-<run id>-<seq>``. With ``checkpoints`` (a
    ``lab.results.Checkpoints``) the rows so far are saved whenever it is due, with
    ``meta(records)`` as their metadata; a save that fails stops the run (there is
    no use running on when nothing can be kept).
    """
    records: list[ExecutionRecord] = []

    def checkpoint(so_far) -> None:
        if checkpoints is None or not checkpoints.due():
            return
        rows = records + so_far()
        try:
            info = meta(rows) if meta else {"run_id": run_plan.run_id}
            checkpoints.write(records_frame(rows), info)
        except LabError as exc:
            stop.set(str(exc).rstrip("."))

    seq = 0
    for kind in run_plan.state_machines:
        names = [f"lab-{run_plan.run_id}-{seq + i:06d}" for i in range(n)]
        seq += n
        records += run_batch(run_plan, kind, names, concurrency, progress, stop,
                             checkpoint=checkpoint)
    return records


def _checkout_version() -> str | None:
    """The version in this checkout's pyproject.toml (when lab is not pip-installed)."""
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        return tomllib.loads(pyproject.read_text())["project"]["version"]
    except (OSError, KeyError, ValueError):
        return None


def run_metadata(run_plan: RunPlan, **extra) -> dict:
    """What a results file needs to be understood later (no secrets in here)."""
    from importlib import metadata

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    meta = {
        "run_id": run_plan.run_id,
        "mode": run_plan.cfg.mode,
        "region": run_plan.cfg.region,
        "stack": run_plan.cfg.stack_name,
        "state_machines": dict(run_plan.state_machines),
        "versions": {
            "lab": version("private-api-lab") or _checkout_version(),
            "moto": version("moto"),
            "boto3": version("boto3"),
            "botocore": version("botocore"),
        },
        "utc": datetime.now(UTC).isoformat(timespec="seconds"),
        # Latency depends on how busy this machine was; keep that with the figures.
        "host": {"cpus": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 2)},
    }
    meta.update(extra)
    return meta


def wait_for_active_connection(cfg: LabConfig, outputs: dict | None = None,
                               timeout_s: float | None = None, stop: RunStop | None = None
                               ) -> float:
    """Wait until the stack's connection is ACTIVE; returns the seconds waited."""
    if outputs is None:
        from lab.deployment import outputs as stack_outputs

        outputs = stack_outputs(cfg)
    waited = wait_for_connection(cfg, outputs[Output.ConnectionName], timeout_s=timeout_s,
                                 stop=stop)
    if not cfg.is_sandbox:  # ACTIVE is not "carries calls" on AWS (lab.warmup)
        from lab.warmup import ensure_path_ready

        ensure_path_ready(cfg, outputs)
    return waited


def wait_until_ready(
    run_plan: RunPlan, workflow: str | None = None, timeout_s: float = 60.0, sfn=None
) -> int:
    """Run single executions until one succeeds; returns how many it took.

    A private connection answers with errors for a while after it is created
    (minutes on AWS, ``connection_warmup_seconds`` in the sandbox), so a
    measurement started right after a deploy would time the warm-up. Raises
    :class:`LabError` naming the last error if nothing succeeds in time.
    """
    workflow = workflow or ("express" if "express" in run_plan.state_machines else "standard")
    sfn = sfn or clients.client("stepfunctions", run_plan.cfg)
    deadline = time.perf_counter() + timeout_s
    attempts = 0
    while True:
        attempts += 1
        name = f"lab-{run_plan.run_id}-ready{attempts:03d}"
        record = _EXECUTORS[workflow](
            sfn, run_plan.state_machines[workflow], name, "{}", run_plan.timing, run_plan.cfg
        )
        if record.status == "SUCCEEDED":
            return attempts
        if run_plan.cfg.is_sandbox and record.error in CONNECTION_ERROR_NAMES:
            raise LabError(
                f"the sandbox at {run_plan.cfg.sandbox_endpoint} does not answer; "
                "start it with `python -m lab sandbox start`."
            )
        if time.perf_counter() >= deadline:
            raise LabError(
                f"the {workflow} state machine did not succeed within {timeout_s:.0f} s "
                f"(last: {record.status} {record.error or ''}); look at the connection with "
                "lab.connection() and one execution with lab.run_once(), or redeploy with "
                "`python -m lab deploy`."
            )
        time.sleep(min(1.0, max(0.0, deadline - time.perf_counter())))
