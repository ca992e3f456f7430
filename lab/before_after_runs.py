"""The measured half of the before/after comparison, on the two deployed stacks.

- :func:`latency`: the same executions on both paths, STANDARD and EXPRESS, at concurrency
  1 and 8, timed by the harness (``lab.harness.run_batch``: ``client_ms``, ``execution_ms``,
  the task's ``TaskScheduled`` -> ``TaskSucceeded`` as ``task_ms``), plus the Lambda's own
  ``Duration`` and ``Init Duration`` from the ``REPORT`` lines in its log group, and the
  first call of each path after idle: the Lambda's cold start, the HTTP Task's connection
  warm-up.
- :func:`failure_comparison`: what each failure looks like on each path: a broken link
  (the execute-api endpoint's ingress revoked: a timeout inside the proxy's handler), a
  function timeout (the Secrets Manager endpoint's ingress revoked on a cold start: the
  secret read hangs past the function's timeout), and a throttled function (reserved
  concurrency 0: ``Lambda.TooManyRequestsException``, retried, then failed).

In the sandbox the figures are the emulator's; in aws mode the same calls measure AWS.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator

import pandas as pd

from cdk_app.names import PROXY_TIMEOUT_SECONDS, Output, ProxyOutput
from lab import clients
from lab.config import LabConfig, load_config
from lab.failures.report import short_cause
from lab.harness import RunPlan, new_run_id, records_frame, run_batch
from lab.waiting import profile

CONCURRENCIES = (1, 8)
WORKFLOWS = ("standard", "express")
#: Phases of a run, as the harness's columns (and the proxy's REPORT lines).
PHASES = {"client_ms": "client (start -> end seen)", "execution_ms": "execution (service)",
          "task_ms": "task (scheduled -> succeeded)"}
#: The sandbox's idle time before the "after idle" call, when none is given.
SANDBOX_IDLE_SECONDS = 2.0
_REPORT = re.compile(r"^REPORT RequestId: \S+\s+Duration: ([\d.]+) ms"
                     r"(?:.*?Init Duration: ([\d.]+) ms)?")


def _stacks(cfg: LabConfig) -> tuple[dict, dict]:
    """Both stacks' outputs, deploying what is missing or changed."""
    from lab.lambda_proxy import ensure_proxy_deployed

    proxy = ensure_proxy_deployed(cfg)
    from lab.deployment import outputs

    return outputs(cfg), proxy


def _plans(cfg: LabConfig, lab_outputs: dict, proxy: dict) -> dict[str, RunPlan]:
    """A harness plan per path: its STANDARD and EXPRESS state machines."""
    timing = profile(cfg).execution
    arns = {
        "http_task": {"standard": lab_outputs[Output.StandardStateMachineArn],
                      "express": lab_outputs[Output.ExpressStateMachineArn]},
        "lambda_proxy": {"standard": proxy[ProxyOutput.ProxyStandardStateMachineArn],
                         "express": proxy[ProxyOutput.ProxyExpressStateMachineArn]},
    }
    return {path: RunPlan(cfg, machines, new_run_id(), timing) for path, machines in arns.items()}


def _batch(plan: RunPlan, workflow: str, n: int, concurrency: int, tag: str) -> pd.DataFrame:
    names = [f"lab-{plan.run_id}-{tag}-{index}" for index in range(n)]
    return records_frame(run_batch(plan, workflow, names, concurrency, progress=False))


def report_lines(cfg: LabConfig, log_group: str, since_ms: int, expected: int) -> list[dict]:
    """The proxy's ``REPORT`` lines since ``since_ms``: ``duration_ms`` and ``init_ms``.

    CloudWatch Logs shows them a few seconds late on AWS: read until ``expected`` lines
    are there, for at most the mode's settle time (twice).
    """
    logs = clients.client("logs", cfg)
    deadline = time.monotonic() + 2 * profile(cfg).settle_s
    while True:
        found = []
        params = {"logGroupName": log_group, "startTime": since_ms}
        while True:
            page = logs.filter_log_events(**params)
            for event in page.get("events", []):
                match = _REPORT.match(event["message"])
                if match:
                    found.append({"duration_ms": float(match.group(1)),
                                  "init_ms": float(match.group(2)) if match.group(2) else None})
            if not page.get("nextToken"):
                break
            params["nextToken"] = page["nextToken"]
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(profile(cfg).resource_poll_s)


def _rows(path: str, workflow: str, concurrency: int, frame: pd.DataFrame,
          reports: list[dict] | None, label: str = "") -> list[dict]:
    frame = frame.rename(columns={"http_task_ms": "task_ms"})
    ok = frame[frame["status"] == "SUCCEEDED"]
    # EXPRESS keeps no history on AWS: no task phase to read.
    series = {name: ok[column] for column, name in PHASES.items()
              if not (workflow == "express" and column == "task_ms")}
    if reports is not None:
        series["lambda duration (REPORT)"] = pd.Series([r["duration_ms"] for r in reports])
        series["lambda cold start (Init Duration)"] = pd.Series(
            [r["init_ms"] for r in reports if r["init_ms"] is not None], dtype="float64")
    rows = []
    for phase, values in series.items():
        values = values.dropna()
        rows.append({"path": path, "workflow": workflow, "concurrency": concurrency,
                     "when": label or "warm", "phase": phase, "runs": len(frame),
                     "succeeded": len(ok), "samples": len(values),
                     "p50_ms": round(float(values.quantile(0.5)), 1) if len(values) else None,
                     "p90_ms": round(float(values.quantile(0.9)), 1) if len(values) else None})
    return rows


def _epoch_ms() -> int:
    return int(time.time() * 1000)


def latency(n: int = 8, concurrencies=CONCURRENCIES, idle_seconds: float | None = None,
            cfg: LabConfig | None = None) -> pd.DataFrame:
    """Latency per phase, both paths, both workflows, each concurrency; first call after idle.

    ``n`` executions per path, workflow and concurrency, after one warm-up call each. The
    "after idle" rows are one STANDARD execution per path after ``idle_seconds`` without
    calls (see :func:`_idle`).
    """
    cfg = cfg or load_config()
    lab_outputs, proxy = _stacks(cfg)
    plans = _plans(cfg, lab_outputs, proxy)
    log_group = proxy[ProxyOutput.ProxyLogGroupName]
    rows: list[dict] = []
    with _idle(cfg, proxy, idle_seconds) as when:
        since = _epoch_ms()
        for path, plan in plans.items():
            frame = _batch(plan, "standard", 1, 1, "idle")
            reports = report_lines(cfg, log_group, since, 1) if path == "lambda_proxy" else None
            rows += _rows(path, "standard", 1, frame, reports, when)
    for workflow in WORKFLOWS:
        for path, plan in plans.items():
            _batch(plan, workflow, 1, 1, f"{workflow[0]}w")  # warm: not counted
            for concurrency in concurrencies:
                since = _epoch_ms()
                frame = _batch(plan, workflow, n, concurrency, f"{workflow[0]}{concurrency}")
                reports = (report_lines(cfg, log_group, since, int((frame["status"] ==
                           "SUCCEEDED").sum())) if path == "lambda_proxy" else None)
                rows += _rows(path, workflow, concurrency, frame, reports)
    table = pd.DataFrame(rows)
    table.attrs["caption"] = _caption(cfg, "Latency per phase (ms)")
    return table


def _caption(cfg: LabConfig, what: str) -> str:
    if cfg.is_sandbox:
        return f"{what}: the sandbox emulator's figures on this machine, not AWS's."
    return f"{what}: measured on AWS in {cfg.region}."


@contextlib.contextmanager
def _idle(cfg: LabConfig, proxy: dict, idle_seconds: float | None) -> Iterator[str]:
    """Leave both paths idle, so the next call is the first after idle; yields what it did.

    Sandbox: the emulator stops an execution environment after ``lambda_idle_seconds``;
    it is set to ``idle_seconds`` (default 2 s) for the wait and put back. AWS keeps an
    idle environment for an undocumented while: wait ``idle_seconds`` if given, else make
    the next call a cold start the documented way, by changing the function's
    configuration (an environment variable, put back afterwards: new environments again).
    """
    if cfg.is_sandbox:
        from lab import sandbox

        idle = SANDBOX_IDLE_SECONDS if idle_seconds is None else idle_seconds
        with sandbox.configured(lambda_idle_seconds=idle):
            time.sleep(idle + 1.0)
            yield "first call after idle"
        return
    if idle_seconds:
        time.sleep(idle_seconds)
        yield "first call after idle"
        return
    with _function_environment(cfg, proxy[ProxyOutput.ProxyFunctionName],
                               LAB_COLD_START=str(_epoch_ms())):
        yield "first call after a configuration change"


@contextlib.contextmanager
def _function_environment(cfg: LabConfig, function: str, **extra: str) -> Iterator[None]:
    """The function with ``extra`` environment variables for the block; put back after."""
    lam = clients.client("lambda", cfg)
    variables = lam.get_function_configuration(FunctionName=function).get(
        "Environment", {}).get("Variables", {})

    def update(values: dict) -> None:
        lam.update_function_configuration(FunctionName=function,
                                          Environment={"Variables": values})
        lam.get_waiter("function_updated_v2").wait(FunctionName=function)

    update({**variables, **extra})
    try:
        yield
    finally:
        update(variables)


def lambda_figures(latency_table: pd.DataFrame) -> tuple[float | None, float | None]:
    """(median warm Lambda duration in ms, share of calls that were cold) from :func:`latency`."""
    proxy = latency_table[latency_table["path"] == "lambda_proxy"]
    warm = proxy[(proxy["when"] == "warm") & (proxy["phase"] == "lambda duration (REPORT)")]
    cold = proxy[(proxy["when"] == "warm")
                 & (proxy["phase"] == "lambda cold start (Init Duration)")]
    if warm.empty or not warm["samples"].sum():
        return None, None
    duration = float((warm["p50_ms"] * warm["samples"]).sum() / warm["samples"].sum())
    return round(duration, 1), round(float(cold["samples"].sum() / warm["samples"].sum()), 4)


# ----------------------------------------------------------------------- failures


@contextlib.contextmanager
def ingress_revoked(cfg: LabConfig, group_id: str) -> Iterator[None]:
    """Security group ``group_id`` without its HTTPS ingress for the block; put back exactly.

    The execute-api endpoint's group: both paths reach the API through it (the resource
    gateway's ENIs and the Lambda's are both in the VPC). The Secrets Manager endpoint's:
    only the proxy reads the key at run time.
    """
    ec2 = clients.client("ec2", cfg)
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    rules = [rule for rule in group["IpPermissions"] if rule.get("FromPort") == 443]
    ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=rules)
    try:
        time.sleep(profile(cfg).settle_s)
        yield
    finally:
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=rules)


@contextlib.contextmanager
def connections_hang(cfg: LabConfig, seconds: float) -> Iterator[None]:
    """Sandbox: a dropped connection fails only after ``seconds`` for the block.

    On AWS a connection to a security group that drops it waits for the client's connect
    timeout (botocore's: 60 s), longer than the proxy's 10 s; the sandbox's stand-in for it
    (``lambda_connect_timeout_seconds``, 1 s by default) is raised to match. Nothing on AWS.
    """
    if not cfg.is_sandbox:
        yield
        return
    from lab import sandbox

    with sandbox.configured(lambda_connect_timeout_seconds=seconds):
        yield


@contextlib.contextmanager
def function_throttled(cfg: LabConfig, proxy: dict) -> Iterator[None]:
    """The proxy with reserved concurrency 0 (every invoke throttled) for the block."""
    lam = clients.client("lambda", cfg)
    function = proxy[ProxyOutput.ProxyFunctionName]
    lam.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=0)
    try:
        time.sleep(profile(cfg).settle_s)
        yield
    finally:
        lam.delete_function_concurrency(FunctionName=function)


def failure_comparison(cfg: LabConfig | None = None) -> pd.DataFrame:
    """One STANDARD execution per path inside each failure: status, error, cause, time."""
    from lab.deployment import api_key_value

    cfg = cfg or load_config()
    lab_outputs, proxy = _stacks(cfg)
    plans = _plans(cfg, lab_outputs, proxy)
    secret = api_key_value(cfg, lab_outputs[Output.ApiKeyId])
    rows = []

    def run(failure: str, paths) -> None:
        for path in paths:
            name = f"lab-{plans[path].run_id}-fail{len(rows)}"
            record = run_batch(plans[path], "standard", [name], 1, progress=False)[0]
            rows.append({"failure": failure, "path": path, "status": record.status,
                         "error": record.error, "seconds": None if record.client_ms is None
                         else round(record.client_ms / 1000, 2),
                         "cause": short_cause(record.cause, secret)})

    with ingress_revoked(cfg, lab_outputs[Output.VpcEndpointSecurityGroupId]):
        run("broken link: execute-api endpoint ingress revoked", ("http_task", "lambda_proxy"))
    # A cold start must read the secret: a new environment (configuration changed).
    with (ingress_revoked(cfg, proxy[ProxyOutput.SecretsEndpointSecurityGroupId]),
          connections_hang(cfg, PROXY_TIMEOUT_SECONDS + 5),
          _function_environment(cfg, proxy[ProxyOutput.ProxyFunctionName],
                                LAB_COLD_START=str(_epoch_ms()))):
        run("timeout: Secrets Manager endpoint ingress revoked, cold start", ("lambda_proxy",))
    rows.append({"failure": "timeout: Secrets Manager endpoint ingress revoked, cold start",
                 "path": "http_task", "status": "not applicable", "error": None,
                 "seconds": None, "cause": "nothing on this path reads the key at run time: "
                 "the connection holds it"})
    with function_throttled(cfg, proxy):
        run("throttled function: reserved concurrency 0", ("lambda_proxy",))
    rows.append({"failure": "throttled function: reserved concurrency 0", "path": "http_task",
                 "status": "not applicable", "error": None, "seconds": None,
                 "cause": "no function on this path: the API's own throttling answers 429, "
                          "which the HTTP Task's Retry covers"})
    table = pd.DataFrame(rows)
    table.attrs["caption"] = _caption(cfg, "What each failure looks like")
    return table
