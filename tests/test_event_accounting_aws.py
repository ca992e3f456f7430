"""Aws-mode event accounting: deliveries come from per-minute CloudWatch datapoints.

A run that starts in the same minute as an earlier one must not be credited with the
earlier run's successful invocations (the aws-mode rehearsal of notebook 07 was, now and
then, when its broken-key run followed the healthy one within a minute).
"""

from __future__ import annotations

import time

import pandas as pd

from lab import event_delivery
from lab.config import LabConfig


def _aws_mode(monkeypatch, successes: list[int], dead_seqs: set[int]):
    cfg = LabConfig(mode="aws", region="us-east-1", stack_name="PrivateApiLab",
                    sandbox_port=5599)
    monkeypatch.setattr(event_delivery, "load_config", lambda: cfg)
    monkeypatch.setenv("LAB_WAIT_SCALE", "0.05")  # aws mode's 5 s poll becomes 0.25 s
    readings = iter(successes)
    monkeypatch.setattr(event_delivery, "delivery_metrics", lambda since=None, minutes=15: (
        pd.DataFrame([{"metric": "SuccessfulInvocationAttempts", "sum": float(next(readings))}])
    ))
    class Scan:  # account() reads the dead-letter queue through one incremental scan
        def __init__(self, hide_s: float = 30.0):
            pass

        def poll(self):
            return [{"seq": seq, "run_id": "run-test"} for seq in dead_seqs]

        def release(self, keep=None):
            pass

    monkeypatch.setattr(event_delivery, "_DeadLetterScan", Scan)


def _run(successes_before: int) -> event_delivery.SentEvents:
    run = event_delivery.SentEvents(run_id="run-test", successes_before=successes_before)
    run.event_ids = {seq: f"id-{seq}" for seq in range(10)}
    return run


def test_an_earlier_runs_successes_in_the_same_minute_are_not_this_runs(monkeypatch):
    # 40 successes were already counted when the run started; none came after.
    _aws_mode(monkeypatch, successes=[40], dead_seqs=set(range(10)))

    report = event_delivery.account(_run(successes_before=40), timeout_s=1)

    assert (report["delivered"], report["dead_lettered"], report["duplicated"]) == (0, 10, 0)


def test_successes_after_the_start_are_this_runs_deliveries(monkeypatch):
    _aws_mode(monkeypatch, successes=[43, 50], dead_seqs=set())

    report = event_delivery.account(_run(successes_before=40), timeout_s=5)

    assert (report["delivered"], report["lost"]) == (10, 0)


def _no_eventbridge_datapoints(monkeypatch, stage_successes: int | None):
    """EventBridge publishes nothing for the rule (its metrics are best-effort,
    eb-monitoring.html); API Gateway's stage metrics say what they say."""
    _aws_mode(monkeypatch, successes=[], dead_seqs=set())
    monkeypatch.setenv("LAB_WAIT_SCALE", "0.001")  # grace 0.18 s, polls 0.2 s

    def nothing_published(since=None, minutes=15):
        table = pd.DataFrame([{"metric": "SuccessfulInvocationAttempts", "sum": 0.0}])
        table.attrs["datapoints"] = {"SuccessfulInvocationAttempts": 0}
        return table

    monkeypatch.setattr(event_delivery, "delivery_metrics", nothing_published)
    monkeypatch.setattr(event_delivery, "_stage_successes", lambda since: stage_successes)


def test_without_eventbridge_datapoints_delivery_is_read_from_the_stage(monkeypatch):
    _no_eventbridge_datapoints(monkeypatch, stage_successes=10)
    started = time.monotonic()

    report = event_delivery.account(_run(successes_before=0), timeout_s=30)

    assert time.monotonic() - started < 10  # not the whole timeout
    assert (report["delivered"], report["lost"]) == (10, 0)
    assert report["source"] == event_delivery.SOURCE_STAGE


def test_with_no_datapoint_anywhere_the_count_ends_and_says_nothing_was_observable(monkeypatch):
    _no_eventbridge_datapoints(monkeypatch, stage_successes=None)
    started = time.monotonic()

    report = event_delivery.account(_run(successes_before=0), timeout_s=30)

    assert time.monotonic() - started < 10
    assert report["lost"] is None and report["delivered"] == 0
    assert "not proof of loss" in report["observed"]


def test_the_stage_fallback_counts_2xx_from_api_gateways_stage_metrics(monkeypatch):
    """API Gateway's REST metrics (dimensions ApiName, Stage): 2xx = Count - 4XXError -
    5XXError; no Count datapoint is None (unknown), not 0. Stubbed with botocore's Stubber."""
    import datetime

    import boto3
    from botocore.stub import ANY, Stubber

    from cdk_app.names import Output

    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="x",
                              aws_secret_access_key="x")
    apigateway = boto3.client("apigateway", region_name="us-east-1", aws_access_key_id="x",
                              aws_secret_access_key="x")
    made = {"cloudwatch": cloudwatch, "apigateway": apigateway}
    monkeypatch.setattr(event_delivery, "client", made.__getitem__)
    monkeypatch.setattr(event_delivery, "_outputs", lambda: {
        Output.RestApiId: "a1b2c3", Output.ApiRootUrl: "https://a1b2c3.execute-api/prod"})
    since = datetime.datetime(2026, 12, 5, 16, 0, 30, tzinfo=datetime.UTC)

    def points(*sums):
        return {"Datapoints": [{"Sum": s} for s in sums]}

    def expected(metric):
        return {"Namespace": "AWS/ApiGateway", "MetricName": metric, "StartTime": ANY,
                "EndTime": ANY, "Period": 60, "Statistics": ["Sum"],
                "Dimensions": [{"Name": "ApiName", "Value": "PrivateApiLab-api"},
                               {"Name": "Stage", "Value": "prod"}]}

    with Stubber(cloudwatch) as cw, Stubber(apigateway) as ag:
        for answer in ((points(30, 20), points(3), points(2)), (points(), points(), points())):
            ag.add_response("get_rest_api", {"name": "PrivateApiLab-api"},
                            {"restApiId": "a1b2c3"})
            for metric, reply in zip(("Count", "4XXError", "5XXError"), answer, strict=True):
                cw.add_response("get_metric_statistics", reply, expected(metric))
        assert event_delivery._stage_successes(since) == 45
        assert event_delivery._stage_successes(since) is None


def test_without_any_datapoint_the_count_waits_while_events_still_reach_the_dlq(monkeypatch):
    """Retried events reach the DLQ only when their RetryPolicy runs out: no metric is no
    reason to stop while the dead-letter queue is still filling."""
    _no_eventbridge_datapoints(monkeypatch, stage_successes=None)
    arriving = iter([set(), set(range(5)), set(range(10))])
    seen: list[set] = []

    class FillingScan:
        def __init__(self, hide_s: float = 30.0):
            pass

        def poll(self):
            seen.append(next(arriving, set(range(10))))
            return [{"seq": seq, "run_id": "run-test"} for seq in seen[-1]]

        def release(self, keep=None):
            pass

    monkeypatch.setattr(event_delivery, "_DeadLetterScan", FillingScan)

    report = event_delivery.account(_run(successes_before=0), timeout_s=30)

    assert (report["dead_lettered"], report["lost"]) == (10, 0)


def test_accounting_shows_a_bar_while_it_waits(monkeypatch, capsys):
    """07: account_events waited 4-9 s with no sign of life; now a bar, then its summary."""
    _aws_mode(monkeypatch, successes=[43, 50], dead_seqs=set())

    event_delivery.account(_run(successes_before=40), timeout_s=5, progress=True)

    assert "accounting: 10/10 events in " in capsys.readouterr().err


def test_sent_events_read_as_one_short_line_however_many_were_put():
    """07: a cell ending in lab.send_events(n=1000) printed 69,701 characters."""
    run = event_delivery.SentEvents(run_id="run-test")
    run.event_ids = {seq: f"{seq:08d}-aaaa-bbbb-cccc-dddddddddddd" for seq in range(2000)}
    run.sent_at_ms = {seq: 1.7e12 + seq for seq in range(2000)}
    assert len(repr(run)) < 200 and "sent=2000" in repr(run)
    assert len(run._repr_html_()) < 400 and "2000" in run._repr_html_()


def test_dead_letters_keep_the_whole_message_and_count_retries_as_numbers(monkeypatch):
    """07: ERROR_MESSAGE was cut at 140 characters with no "…"; RETRY_ATTEMPTS read ['0'].
    EventBridge's DLQ message attributes (RETRY_ATTEMPTS, ERROR_MESSAGE, …) are strings."""
    message = ("Unable to invoke ApiDestination endpoint: Security group: no egress rule of "
               "resource gateway rgw-8693440759fd5f13a's security group(s) sg-ec357dd3415bca962 "
               "allows tcp/443 to the endpoint")
    rows = [{"seq": 0, "event_id": "e0", "ERROR_MESSAGE": message, "RETRY_ATTEMPTS": "2"},
            {"seq": 1, "event_id": "e1", "ERROR_MESSAGE": message, "RETRY_ATTEMPTS": ["0"]}]
    for row in rows:
        row.update({k: row.get(k) for k in event_delivery.DLQ_ATTRIBUTES})
    monkeypatch.setattr(event_delivery, "_dead_letter_rows", lambda run_id: rows)
    table = event_delivery.dead_letters()
    assert table.ERROR_MESSAGE.tolist() == [message, message]
    assert table.RETRY_ATTEMPTS.tolist() == [2, 0]
    assert pd.api.types.is_integer_dtype(table.RETRY_ATTEMPTS)


def test_a_rule_with_no_datapoint_yet_counts_from_zero(monkeypatch):
    """eb-monitoring.html: metrics are published best-effort, some only when non-zero. Before
    a rule's first delivery there is no SuccessfulInvocationAttempts datapoint at all; 07 in
    the aws-mode rehearsal then failed with "unsupported operand type(s) for -=: 'int' and
    'NoneType'" (the count before the run was None)."""
    from cdk_app.names import Output

    _no_eventbridge_datapoints(monkeypatch, stage_successes=None)
    readings = iter([None, 3.0])  # none before the run; the run's three deliveries after

    def metrics(since=None, minutes=15):
        value = next(readings, 3.0)
        table = pd.DataFrame([{"metric": "SuccessfulInvocationAttempts", "sum": value or 0.0}])
        table.attrs["datapoints"] = {"SuccessfulInvocationAttempts": 0 if value is None else 1}
        return table

    monkeypatch.setattr(event_delivery, "delivery_metrics", metrics)
    monkeypatch.setattr(event_delivery, "_outputs", lambda: {Output.EventBusName: "bus"})
    monkeypatch.setattr("lab.harness.wait_for_active_connection", lambda cfg, values: None)

    class Events:
        def put_events(self, Entries):  # noqa: N803 - boto3's name
            return {"Entries": [{"EventId": f"e{i}"} for i, _ in enumerate(Entries)]}

    monkeypatch.setattr(event_delivery, "client", lambda service: Events())

    run = event_delivery.send_events(n=3)

    assert run.successes_before == 0
    assert event_delivery.account(run, timeout_s=5)["delivered"] == 3
