"""Both stacks deployed in the sandbox and measured side by side (compare-before-after).

What it encodes: Step Functions' ``lambda:invoke`` answers the function's result in
``Payload`` (connect-lambda.html); a throttled invoke is ``Lambda.TooManyRequestsException``,
which the recommended Retry retries before the execution fails (bp-lambda-serviceexception
.html); a function's first invoke in a new execution environment reports ``Init Duration``
in its ``REPORT`` line (lambda-runtime-environment.html); a security group without the
ingress rule drops the connection (the HTTP Task fails at once, the proxy's handler times
out; a secret read through a dropped endpoint hangs past the function's timeout:
``Sandbox.Timedout``, Lambda's troubleshooting-invocation.html).
"""

from __future__ import annotations

import contextlib
import io
import json

import pandas as pd
import pytest
from lab_api_client import lab_api

import lab
from lab import before_after, before_after_runs

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]


@pytest.fixture(scope="module")
def report(sandbox):
    lab_api(sandbox, "reset", {})
    lab_api(sandbox, "config", {"connection_warmup_seconds": 0})
    with contextlib.redirect_stdout(io.StringIO()):
        lab.deploy(variant="lambda_proxy")
        return before_after.comparison(executions=2)


def test_the_proxy_runs_in_the_sandbox_and_its_first_call_after_idle_is_cold(report):
    idle = [row for row in report["latency"] if row["when"] == "first call after idle"]
    cold = [row for row in idle if row["phase"] == "lambda cold start (Init Duration)"]

    assert {row["path"] for row in idle} == {"http_task", "lambda_proxy"}
    assert all(row["succeeded"] == 1 for row in idle)
    assert cold[0]["samples"] == 1 and cold[0]["p50_ms"] > 0


def test_latency_covers_both_paths_workflows_and_concurrencies(report):
    warm = {(row["path"], row["workflow"], row["concurrency"])
            for row in report["latency"] if row["when"] == "warm"}
    assert warm == {(path, workflow, concurrency) for path in before_after.PATHS
                    for workflow in ("standard", "express") for concurrency in (1, 8)}
    assert all(row["succeeded"] == row["runs"] == 2 for row in report["latency"]
               if row["when"] == "warm")


def test_each_failure_looks_as_aws_documents(report):
    seen = {(row["failure"].split(":")[0], row["path"]): row for row in report["failures"]}

    assert seen[("broken link", "http_task")]["error"] == "States.Http.Socket"
    assert seen[("broken link", "lambda_proxy")]["status"] == "FAILED"
    throttled = seen[("throttled function", "lambda_proxy")]
    assert throttled["error"] == "Lambda.TooManyRequestsException"
    # The Retry waited 1 + 2 + 4 s before giving up.
    assert throttled["seconds"] >= 7
    assert seen[("throttled function", "http_task")]["status"] == "not applicable"
    # A cold start cannot read the secret: the call hangs past the function's 10 s timeout.
    timed_out = seen[("timeout", "lambda_proxy")]
    assert timed_out["error"] == "Sandbox.Timedout" and timed_out["seconds"] >= 10
    assert seen[("timeout", "http_task")]["status"] == "not applicable"


def test_the_cost_uses_the_measured_lambda_duration(report):
    assert report["cost"]["assumed"] == {"lambda_ms": False, "cold_share": False}
    lambda_ms, cold_share = before_after_runs.lambda_figures(
        pd.DataFrame(report["latency"]))
    rows = {row["component"]: row for row in report["cost"]["rows"]}
    assert f"Lambda duration (128 MB x {lambda_ms:.0f} ms)" in rows
    assert 0 < cold_share < 1


def test_the_cli_prints_the_comparison_and_nothing_else_on_stdout(report, monkeypatch, capsys):
    """``python -m lab compare-before-after``: the CLI's options reach :func:`comparison`, and
    stdout is the report alone (JSON, or the summary lines). The comparison itself is the
    fixture's real run above; running it a second time here would add 25 s and test no more.
    """
    from lab import cli

    asked = []

    def comparison(**kwargs):
        asked.append(kwargs)
        print("deploy progress")  # what a deploy prints goes to stderr, not into the report
        return report

    monkeypatch.setattr(before_after, "comparison", comparison)

    assert cli.main(["compare-before-after", "--json", "-n", "1", "--idle-seconds", "0"]) == 0
    printed = capsys.readouterr()
    assert json.loads(printed.out) == json.loads(json.dumps(report))
    assert "deploy progress" in printed.err
    assert cli.main(["compare-before-after"]) == 0
    assert capsys.readouterr().out.splitlines() == before_after.summary_lines(report)
    assert asked == [{"executions": 1, "idle_seconds": 0.0},
                     {"executions": 8, "idle_seconds": None}]
