"""The static half of the before/after comparison: owned code and what each path costs.

Prices: AWS Lambda pricing (https://aws.amazon.com/lambda/pricing/: $0.20 per million
requests, $0.0000166667 per GB-second, x86), AWS PrivateLink pricing ($0.01 per AZ-hour
per interface endpoint), Secrets Manager pricing ($0.05 per 10,000 API calls); a function
in a VPC uses Hyperplane ENIs, which are not billed (Lambda Developer Guide,
configuration-vpc.html). The month is 730 hours, as on AWS's pricing pages.
"""

from __future__ import annotations

import json

import pytest

from lab import before_after
from lab.cli import main

SAMPLE = '''"""Module docstring
over two lines."""
# a comment

def f(x):
    """Docstring."""
    return (x +
            1)  # trailing comment
'''


def test_code_lines_leave_out_blanks_comments_and_docstrings():
    assert before_after.code_lines(SAMPLE) == 3


def test_code_lines_leave_out_the_named_top_level_definitions():
    source = SAMPLE + "\nTWIN = {\n  'a': 1,\n}\n\n@decorated\ndef twin():\n    pass\n"
    assert before_after.code_lines(source, ("TWIN", "twin")) == 3


def test_the_http_task_path_has_no_handler_and_the_proxy_has_one():
    totals = before_after.code_totals()

    assert totals["http_task"]["handler"] == 0
    assert totals["lambda_proxy"]["handler"] > 20
    for path in before_after.PATHS:
        assert totals[path]["total"] == totals[path]["handler"] + totals[path]["IaC"]


def test_owned_code_counts_the_files_as_they_are():
    table = before_after.owned_code()
    handler = table[table["file"] == "cdk_app/proxy_handler.py"].iloc[0]
    text = (before_after.PROJECT_ROOT / "cdk_app/proxy_handler.py").read_text()

    assert handler["lines"] == len(text.splitlines())
    assert handler["code_lines"] == before_after.code_lines(text) < handler["lines"]
    workflows = table[table["file"] == "cdk_app/workflows.py"].iloc[0]
    assert "HttpInvokeJsonata" in workflows["left_out"]


def test_idle_the_proxy_costs_one_more_interface_endpoint():
    table = before_after.cost_comparison()
    totals = before_after.cost_totals(table)
    endpoint_month = 2 * 0.01 * 730

    difference = totals["lambda_proxy"]["usd_per_month_idle"] - totals["http_task"][
        "usd_per_month_idle"]
    assert difference == pytest.approx(endpoint_month, abs=0.01)


def test_lambda_rows_follow_the_price_the_memory_and_the_duration():
    table = before_after.cost_comparison(calls=1_000_000, lambda_ms=200, cold_share=0.0)
    rows = table.set_index("component")
    duration = rows[rows.index.str.startswith("Lambda duration")].iloc[0]

    assert rows.loc["Lambda requests", "usd_per_1000000_calls"] == pytest.approx(0.20)
    assert duration["usd_per_1000000_calls"] == pytest.approx(
        0.0000166667 * (128 / 1024) * 0.2 * 1_000_000, abs=1e-4)
    assert rows.loc["Lambda Hyperplane ENIs (function in the VPC)", "usd_per_1000000_calls"] == 0


def test_every_cost_row_names_its_source():
    table = before_after.cost_comparison()
    assert all(source.startswith("https://") for source in table["source"])
    assert set(table["path"]) == {"both", "http_task", "lambda_proxy"}


def test_the_static_comparison_is_json_with_code_and_cost(monkeypatch):
    monkeypatch.setenv("LAB_MODE", "sandbox")
    report = json.loads(json.dumps(before_after.comparison(measure=False)))

    assert set(report) == {"mode", "region", "note", "code", "cost"}
    assert "emulator" in report["note"]
    assert set(report["code"]["totals"]) == set(report["cost"]["totals"]) == {
        "http_task", "lambda_proxy"}
    assert report["cost"]["assumed"] == {"lambda_ms": True, "cold_share": True}


def test_the_cli_names_the_command_and_its_json_flag(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["compare-before-after", "--help"])
    assert exit_.value.code == 0
    assert "--json" in capsys.readouterr().out


def test_latency_medians_is_one_row_per_case_with_a_column_per_phase():
    """Notebook 10 shows the medians first (the long table with p90 and samples went over
    the notebook's 20 KB per cell output, tests/test_notebook_rules.py); a phase a path does
    not have (the Lambda's Init Duration on the HTTP Task) reads '—', not NaN."""
    import pandas as pd

    rows = [
        {"path": path, "workflow": "standard", "when": "warm", "concurrency": c,
         "phase": phase, "p50_ms": value, "p90_ms": value * 2}
        for path, phases in (("http_task", {"client": 8.0}),
                             ("lambda_proxy", {"client": 78.0, "lambda duration": 48.0}))
        for c in (1, 8)
        for phase, value in phases.items()
    ]
    latency = pd.DataFrame(rows)
    latency.attrs["caption"] = "Latency per phase (ms): x."
    medians = before_after.latency_medians(latency)

    assert list(medians.columns) == [
        "path", "workflow", "when", "concurrency", "client", "lambda duration"]
    assert len(medians) == 4
    proxy = medians[(medians["path"] == "lambda_proxy") & (medians["concurrency"] == 8)]
    assert proxy["lambda duration"].tolist() == [48.0]
    http = medians[medians["path"] == "http_task"]
    assert http["lambda duration"].tolist() == ["—", "—"]
    assert medians.attrs["caption"].startswith("Latency per phase (ms): x. Median (p50)")
