"""Soak accounting: every execution is started, terminal, lost or an error, exactly once."""

from __future__ import annotations

import json

import pytest
from test_harness import SANDBOX, SM, FakeSfn

from lab import cli, harness, soak, timed_execution


def _record(name, status="SUCCEEDED", started=True, error=None):
    return harness.ExecutionRecord("standard", name, status=status, started=started, error=error)


def test_all_succeeded_is_clean():
    counts = soak.account(
        [_record(f"n{i}") for i in range(5)], server_names=[f"n{i}" for i in range(5)]
    )
    assert {k: counts[k] for k in soak.REPORT_KEYS} == {
        "requested": 5,
        "started": 5,
        "terminal": 5,
        "succeeded": 5,
        "failed": 0,
        "lost": 0,
        "duplicated": 0,
        "errors": 0,
        "unrecorded": 0,
    }


def test_started_but_never_terminal_is_lost():
    counts = soak.account([_record("a"), _record("b", status=harness.STATUS_UNKNOWN)])
    assert (counts["lost"], counts["terminal"]) == (1, 1)


def test_failed_executions_are_terminal_not_lost():
    counts = soak.account([_record("a", status="FAILED", error="States.Http.StatusCode.403")])
    assert (counts["failed"], counts["lost"], counts["failure_kinds"]) == (
        1,
        0,
        {"States.Http.StatusCode.403": 1},
    )


def test_a_start_that_failed_is_an_error_with_its_kind():
    counts = soak.account(
        [
            _record(
                "a",
                status=timed_execution.STATUS_NOT_STARTED,
                started=False,
                error="ThrottlingException",
            )
        ]
    )
    assert (counts["errors"], counts["error_kinds"]) == (1, {"ThrottlingException": 1})


def test_a_name_recorded_twice_is_duplicated():
    assert soak.account([_record("a"), _record("a")])["duplicated"] == 1


def test_a_name_the_service_lists_twice_is_duplicated():
    assert soak.account([_record("a")], server_names=["a", "a"])["duplicated"] == 1


def test_an_execution_the_service_ran_but_the_harness_never_saw_start_is_unrecorded():
    records = [_record("a"), _record("b", status=timed_execution.STATUS_NOT_STARTED, started=False)]
    assert soak.account(records, server_names=["a", "b"])["unrecorded"] == 1


class ListingSfn(FakeSfn):
    def get_paginator(self, operation):
        assert operation == "list_executions"
        starts = self.starts

        class Pages:
            def paginate(self, stateMachineArn):
                return [{"executions": [{"name": name} for name in starts]}]

        return Pages()


@pytest.fixture
def fake_sfn(monkeypatch, tmp_path):
    monkeypatch.setenv("LAB_RESULTS_DIR", str(tmp_path))
    fake = ListingSfn()
    monkeypatch.setattr(harness.clients, "client", lambda service, cfg=None: fake)
    monkeypatch.setattr(
        harness,
        "plan",
        lambda workflow, cfg=None, outputs=None: harness.RunPlan(
            SANDBOX, {"standard": SM}, "r", harness.Timing(0, 0, 1, 0, 5, 0, 0, 3)
        ),
    )
    return fake


def test_soak_accounts_every_execution_and_checks_the_service_list(fake_sfn):
    report = soak.soak(n=30, concurrency=4, progress=False)
    assert (report["succeeded"], report["server_checked"], report["clean"]) == (30, True, True)


def test_soak_when_the_sandbox_dies_reports_the_rest_as_errors_and_returns(fake_sfn):
    fake_sfn.die_after = 12
    report = soak.soak(n=40, concurrency=4, progress=False)
    assert (report["started"], report["errors"], report["clean"]) == (12, 28, False)


def test_soak_cli_prints_its_accounting_as_json_on_the_last_line(fake_sfn, capsys):
    code = cli.main(["soak", "-n", "6", "--concurrency", "2", "--json", "--no-progress"])
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and set(soak.REPORT_KEYS) <= set(last) and last["lost"] == 0


def test_soak_saves_its_records_apart_from_latency_runs(fake_sfn, tmp_path):
    report = soak.soak(n=3, concurrency=1, progress=False)
    assert report["results"] == str(tmp_path / "soak" / "r.csv")
