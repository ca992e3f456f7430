"""The benchmark's arithmetic and its care with the API key (no sandbox needed)."""

from __future__ import annotations

import numpy as np
import pytest
from test_harness import AWS, SANDBOX

from lab import bench
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


def test_table_lists_every_cell_and_says_which_goals_were_met():
    cell = {"p50_ms": 1.0, "p90_ms": 2.0, "p99_ms": 3.0, "per_s": 100.0, "failures": 0}
    report = {
        "cells": [{"path": p, "concurrency": c, **cell} for c in (1, 8) for p in bench.PATHS],
        "express_ratio": 4.0,
        "standard_ratio": 12.0,
        "executions_per_s_c8": 100.0,
        "goals": {"express_ratio<=5": True, "standard_ratio<=10": False},
    }
    text = bench.format_table(report)
    assert len(text.splitlines()) == 2 + 6 + 3 and "standard_ratio<=10: NOT met" in text
