"""The benchmark's arithmetic and its care with the API key (no sandbox needed)."""

from __future__ import annotations

import numpy as np
import pytest
from test_harness import AWS, SANDBOX

from lab import bench, harness
from lab.errors import LabError

OUTPUTS = {
    "ApiRootUrl": "https://abc123.execute-api.us-east-1.amazonaws.com/prod",
    "VpcEndpointId": "vpce-0123456789abcdef0",
    "ApiKeyId": "key123",
}


def test_cell_statistics_are_numpy_percentiles_and_calls_per_second():
    values = list(np.random.default_rng(3).gamma(3, 2, size=101))
    cell = bench._stats(values, count=101, failures=0, wall_s=2.0)
    assert (cell["p50_ms"], cell["p99_ms"], cell["per_s"]) == (
        round(float(np.percentile(values, 50)), 2),
        round(float(np.percentile(values, 99)), 2),
        50.5,
    )


def test_ratio_is_none_when_the_floor_was_not_measured():
    assert (bench._ratio(10.0, 2.0), bench._ratio(10.0, float("nan"))) == (5.0, None)


def test_floor_client_targets_the_stage_path_with_the_api_host_and_hides_the_key(monkeypatch):
    monkeypatch.setattr(bench, "api_key_value", lambda cfg, key_id: "s3cr3t-value")
    monkeypatch.setattr(
        bench,
        "network_path_headers",
        lambda vpce, port: {"x-lab-source-vpce": vpce, "x-lab-network-path": "proof"},
    )
    floor = bench.FloorClient(SANDBOX, OUTPUTS)
    assert floor._headers["x-lab-network-path"] == "proof"
    assert (floor._path, floor._headers["Host"]) == (
        "/prod/hello",
        "abc123.execute-api.us-east-1.amazonaws.com",
    )
    assert "s3cr3t" not in repr(floor)


def test_bench_refuses_aws_mode_and_names_the_alternative(monkeypatch):
    monkeypatch.setattr(bench, "load_config", lambda: AWS)
    with pytest.raises(LabError, match="python -m lab run"):
        bench.bench(n=5, progress=False)


def test_table_lists_every_cell_then_each_figure_beside_its_goal_on_one_screen():
    cell = {"p50_ms": 1.0, "p90_ms": 2.0, "p99_ms": 3.0, "per_s": 100.0, "failures": 0}
    report = {
        "cells": [{"path": p, "concurrency": c, **cell} for c in (1, 8) for p in bench.PATHS],
        "express_ratio": 4.0,
        "standard_ratio": 12.0,
        "executions_per_s_c8": 100.0,
        "jsonata_ratio": 13.5,
        "api_destination_ratio": None,
        "goals": {"express_ratio<=5": True, "standard_ratio<=10": False},
        "host": {"cpus": 2, "load_1min": 1.5, "load_1min_at_start": 1.25},
    }
    lines = bench.format_table(report).splitlines()
    cells = 2 + 2 * len(bench.PATHS)
    assert len(lines) == cells + 1 + 2 + len(bench.COMPARISON) + 1 <= 25  # one screen
    rows = {line[:38].strip(): line[38:].split() for line in lines[cells + 3 : -1]}
    assert rows["EXPRESS p50 / floor p50"] == ["4.0", "<=", "5", "yes"]
    assert rows["STANDARD p50 / floor p50"] == ["12.0", "<=", "10", "NO"]
    assert rows["EXPRESS executions/s, c8"] == ["100.0", ">=", "300", "-"]  # goal not judged
    assert rows["JSONata p50 / floor p50"] == ["13.5", "-", "-"]
    assert rows["API destination put->receipt / floor"] == ["-", "-", "-"]
    assert lines[-1] == "load (1 min) 1.25 at start, 1.5 at end, 2 CPUs"


def test_the_jsonata_cell_runs_the_twin_as_a_standard_execution(monkeypatch):
    seen = {}

    def run_batch(run_plan, workflow, names, concurrency, **kwargs):
        seen.update(workflow=workflow, arn=run_plan.state_machines[workflow], kwargs=kwargs)
        return [harness.ExecutionRecord("standard", n, status="SUCCEEDED", client_ms=2.0)
                for n in names]

    monkeypatch.setattr(bench.harness, "run_batch", run_batch)
    plan = harness.RunPlan(SANDBOX, {"standard": "arn:std", "jsonata": "arn:jsonata"}, "r", None)
    cell = bench._execution_cell(plan, "jsonata", ["a", "b"], 1)
    assert (seen["workflow"], seen["arn"], seen["kwargs"]["with_history"]) == (
        "standard", "arn:jsonata", False
    )
    assert (cell["n"], cell["failures"], cell["p50_ms"]) == (2, 0, 2.0)


def test_the_api_destination_cell_puts_one_event_per_call_and_counts_what_was_not_received(
    monkeypatch,
):
    from lab import event_delivery

    calls = {}

    def send_events(n, concurrency, run_id, batch):
        calls.update(n=n, concurrency=concurrency, batch=batch)
        return event_delivery.SentEvents(run_id=run_id)

    report = {"delivered": 8, "put_failed": 0, "dead_lettered": 1, "lost": 1,
              "p50_ms": 3.0, "p90_ms": 4.0, "p99_ms": 5.0, "receipt_span_s": 0.5}
    monkeypatch.setattr(event_delivery, "send_events", send_events)
    monkeypatch.setattr(event_delivery, "account", lambda run, timeout_s: report)
    cell = bench._events_cell(10, 8, "run-x")
    assert calls == {"n": 10, "concurrency": 8, "batch": 1}
    assert (cell["failures"], cell["per_s"], cell["p50_ms"]) == (2, 16.0, 3.0)
    assert cell["failure_kinds"] == ["dead_lettered=1", "lost=1"]


def test_send_events_refuses_a_batch_putevents_cannot_carry():
    from lab import event_delivery

    with pytest.raises(LabError, match="batch must be between 1 and 10"):
        event_delivery.send_events(5, batch=11)
