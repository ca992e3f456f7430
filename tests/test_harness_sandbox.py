"""The harness, soak and bench end to end against the sandbox server (the real path)."""

from __future__ import annotations

import pytest

from lab import bench, harness, results, soak

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]


@pytest.fixture(scope="module")
def deployed(sandbox):
    """The lab's stack deployed in the test sandbox, its connection past warm-up."""
    from lab.deployment import ensure_deployed

    outputs = ensure_deployed()
    harness.wait_until_ready(harness.plan("both", outputs=outputs), "express")
    return outputs


def test_run_times_five_executions_of_each_workflow_through_the_private_api(deployed):
    df = harness.run("both", n=5, concurrency=2, progress=False, outputs=deployed)
    assert df.groupby("workflow")["http_status"].apply(list).to_dict() == {
        "express": [200] * 5,
        "standard": [200] * 5,
    }


def test_run_measures_every_phase_each_workflow_has(deployed):
    df = harness.run("both", n=3, concurrency=3, progress=False, outputs=deployed)
    table = results.summary(df)
    assert set(map(tuple, table[["workflow", "phase"]].to_numpy())) == {
        ("express", "client_ms"),
        ("express", "execution_ms"),
        ("express", "billed_ms"),
        ("standard", "client_ms"),
        ("standard", "execution_ms"),
        ("standard", "http_task_ms"),
        ("express", "sfn_to_api_ms"),
        ("express", "api_to_result_ms"),
        ("standard", "sfn_to_api_ms"),
        ("standard", "api_to_result_ms"),
    }


def test_the_hop_into_the_vpc_and_back_fits_inside_what_contains_it(deployed):
    df = harness.run("both", n=3, concurrency=3, progress=False, outputs=deployed)
    hops = df["sfn_to_api_ms"] + df["api_to_result_ms"]
    standard, express = df.workflow == "standard", df.workflow == "express"

    # Same clock in the sandbox: each hop is >= 0 and together they are the task attempt
    # (STANDARD: TaskStarted -> TaskSucceeded) or the execution (EXPRESS).
    assert (df[["sfn_to_api_ms", "api_to_result_ms"]] >= -1).all().all(), df
    assert (hops[standard] <= df.http_task_ms[standard] + 1).all(), df
    assert (hops[express] - df.execution_ms[express]).abs().max() <= 1, df


def test_soak_of_200_accounts_for_every_execution(deployed):
    report = soak.soak(n=200, concurrency=8, progress=False, outputs=deployed, save=False)
    counts = {key: report[key] for key in ("terminal", "lost", "duplicated", "errors")}
    assert counts == {"terminal": 200, "lost": 0, "duplicated": 0, "errors": 0}
    assert report["server_checked"] and report["unrecorded"] == 0


def test_bench_with_a_few_calls_reports_its_headline_figures(deployed):
    report = bench.bench(n=4, progress=False)
    headline = {
        "floor_p50_ms",
        "express_p50_ms",
        "standard_p50_ms",
        "express_ratio",
        "standard_ratio",
        "executions_per_s_c8",
    }
    assert headline <= set(report) and report["failures"] == 0
