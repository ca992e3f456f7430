"""The latency harness: retries, records, accounting and validation, without a sandbox."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from lab import harness, timed_execution
from lab.cli import build_parser
from lab.config import LabConfig
from lab.errors import LabError

SANDBOX = LabConfig(
    mode="sandbox", region="us-east-1", stack_name="PrivateApiLab", sandbox_port=5599
)
AWS = LabConfig(mode="aws", region="us-east-1", stack_name="PrivateApiLab", sandbox_port=5599)
SM = "arn:aws:states:us-east-1:123456789012:stateMachine:Standard"
XSM = "arn:aws:states:us-east-1:123456789012:stateMachine:Express"
EXEC = "arn:aws:states:us-east-1:123456789012:execution:Standard:lab-r-000001"
T0 = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
FAST = harness.Timing(0.0, 0.0, 1.0, 0.0, 5.0, 0.0, 0.0, 4)
OK_OUTPUT = '{"StatusCode": 200, "ResponseBody": {"message": "hello from the private API"}}'


@pytest.fixture
def sfn():
    # A real botocore client (no network: the Stubber answers every call).
    return boto3.session.Session(
        region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    ).client("stepfunctions", endpoint_url="http://127.0.0.1:1")


def _start_params(name="lab-r-000001"):
    return {"stateMachineArn": SM, "name": name, "input": "{}"}


def _task_details(**details):
    return {"resourceType": "http", "resource": "invoke", **details}


def _history(*events):
    return {
        "events": [
            {"id": i + 1, "type": kind, "timestamp": T0 + timedelta(milliseconds=ms), **extra}
            for i, (kind, ms, extra) in enumerate(events)
        ]
    }


def _succeeded_history():
    return _history(
        ("ExecutionStarted", 0, {}),
        ("TaskScheduled", 2, {}),
        ("TaskStarted", 3, {}),
        ("TaskSucceeded", 14, {"taskSucceededEventDetails": _task_details(output=OK_OUTPUT)}),
        ("ExecutionSucceeded", 15, {}),
    )


def test_throttled_start_execution_is_retried_with_the_same_name_and_counted_once(sfn):
    with Stubber(sfn) as stub:
        stub.add_client_error(
            "start_execution", "ThrottlingException", expected_params=_start_params()
        )
        stub.add_response(
            "start_execution", {"executionArn": EXEC, "startDate": T0}, _start_params()
        )
        arn, retries = timed_execution.start_standard(sfn, SM, "lab-r-000001", "{}", FAST)
        stub.assert_no_pending_responses()
    assert (arn, retries) == (EXEC, 1)


def test_a_throttled_then_successful_standard_execution_yields_one_record_with_server_timings(sfn):
    with Stubber(sfn) as stub:
        stub.add_client_error(
            "start_execution", "ThrottlingException", expected_params=_start_params()
        )
        stub.add_response("start_execution", {"executionArn": EXEC, "startDate": T0})
        running = {
            "executionArn": EXEC,
            "stateMachineArn": SM,
            "status": "RUNNING",
            "startDate": T0,
        }
        stub.add_response("describe_execution", running)
        done = dict(running, status="SUCCEEDED", stopDate=T0 + timedelta(milliseconds=15))
        stub.add_response("describe_execution", dict(done, output=OK_OUTPUT))
        stub.add_response("get_execution_history", _succeeded_history())
        record = harness.execute_standard(sfn, SM, "lab-r-000001", "{}", FAST, SANDBOX)
    assert (record.status, record.retries, record.started) == ("SUCCEEDED", 1, True)
    assert (record.execution_ms, record.http_task_ms, record.http_status) == (15.0, 12.0, 200)


def test_execution_already_exists_after_an_sdk_retry_is_the_same_execution(sfn):
    with Stubber(sfn) as stub:
        stub.add_client_error(
            "start_execution",
            "ExecutionAlreadyExists",
            response_meta={"RetryAttempts": 1},
            expected_params=_start_params(),
        )
        arn, _ = timed_execution.start_standard(sfn, SM, "lab-r-000001", "{}", FAST)
    assert arn == EXEC


def test_execution_already_exists_on_a_first_attempt_is_reported_as_not_started(sfn):
    with Stubber(sfn) as stub:
        stub.add_client_error("start_execution", "ExecutionAlreadyExists")
        record = harness.execute_standard(sfn, SM, "lab-r-000001", "{}", FAST, SANDBOX)
    assert (record.status, record.started, record.error) == (
        timed_execution.STATUS_NOT_STARTED,
        False,
        "ExecutionAlreadyExists",
    )


def test_throttling_beyond_the_attempt_limit_is_an_error_not_a_lost_execution(sfn):
    with Stubber(sfn) as stub:
        for _ in range(FAST.max_attempts):
            stub.add_client_error("start_execution", "ThrottlingException")
        record = harness.execute_standard(sfn, SM, "lab-r-000001", "{}", FAST, SANDBOX)
        stub.assert_no_pending_responses()
    not_started = timed_execution.STATUS_NOT_STARTED
    assert (record.status, record.error) == (not_started, "ThrottlingException")


def test_other_client_errors_are_not_retried(sfn):
    with Stubber(sfn) as stub:
        stub.add_client_error("start_execution", "StateMachineDoesNotExist")
        stub.add_response("start_execution", {"executionArn": EXEC, "startDate": T0})
        record = harness.execute_standard(sfn, SM, "lab-r-000001", "{}", FAST, SANDBOX)
        pending = len(stub._queue)
    assert (record.error, pending) == ("StateMachineDoesNotExist", 1)


def test_throttled_express_execution_is_retried_and_reports_billing(sfn):
    params = {"stateMachineArn": XSM, "name": "lab-r-000002", "input": "{}"}
    with Stubber(sfn) as stub:
        stub.add_client_error("start_sync_execution", "ThrottlingException", expected_params=params)
        stub.add_response(
            "start_sync_execution",
            {
                "executionArn": EXEC.replace("Standard", "Express"),
                "startDate": T0,
                "stopDate": T0 + timedelta(milliseconds=9),
                "status": "SUCCEEDED",
                "output": OK_OUTPUT,
                "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100},
            },
            params,
        )
        record = harness.execute_express(sfn, XSM, "lab-r-000002", "{}", FAST, SANDBOX)
    assert (record.status, record.retries, record.execution_ms, record.billed_ms) == (
        "SUCCEEDED",
        1,
        9.0,
        100.0,
    )


def test_failed_express_execution_keeps_the_http_status_from_the_error_name(sfn):
    with Stubber(sfn) as stub:
        stub.add_response(
            "start_sync_execution",
            {
                "executionArn": EXEC,
                "startDate": T0,
                "stopDate": T0,
                "status": "FAILED",
                "error": "States.Http.StatusCode.403",
                "cause": '{"x-api-key": "abc123secret", "message": "Forbidden"}',
            },
        )
        record = harness.execute_express(sfn, XSM, "lab-r-000003", "{}", FAST, SANDBOX)
    assert record.http_status == 403


def test_causes_never_keep_an_api_key_value(sfn):
    with Stubber(sfn) as stub:
        stub.add_response(
            "start_sync_execution",
            {
                "executionArn": EXEC,
                "startDate": T0,
                "stopDate": T0,
                "status": "FAILED",
                "error": "States.Http.StatusCode.403",
                "cause": '{"headers": {"x-api-key": "abc123secret"}}',
            },
        )
        record = harness.execute_express(sfn, XSM, "lab-r-000003", "{}", FAST, SANDBOX)
    assert "abc123secret" not in record.cause


@pytest.mark.parametrize(
    "output, error, cause, expected",
    [
        (OK_OUTPUT, None, None, 200),
        (None, "States.Http.StatusCode.502", None, 502),
        (None, "States.Runtime", '{"StatusCode": 404, "StatusText": "Not Found"}', 404),
        (None, "States.Http.Socket", "connection refused", None),
    ],
)
def test_http_status_is_read_from_output_error_name_or_cause(output, error, cause, expected):
    assert timed_execution.http_status_of(output, error, cause) == expected


def test_http_task_time_spans_every_attempt_from_first_scheduled_to_last_end():
    events = _history(
        ("TaskScheduled", 1, {}),
        (
            "TaskFailed",
            5,
            {"taskFailedEventDetails": _task_details(error="States.Http.StatusCode.503")},
        ),
        ("TaskScheduled", 30, {}),
        ("TaskSucceeded", 41, {"taskSucceededEventDetails": _task_details(output=OK_OUTPUT)}),
    )["events"]
    timing = timed_execution.task_timing(events)
    assert (timing["http_task_ms"], timing["http_attempts"], timing["error"]) == (40.0, 2, None)


def test_polling_gives_up_after_the_timeout(sfn):
    short = harness.Timing(0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1)
    with Stubber(sfn) as stub:
        stub.add_response(
            "describe_execution",
            {"executionArn": EXEC, "stateMachineArn": SM, "status": "RUNNING", "startDate": T0},
        )
        assert timed_execution.wait_standard(sfn, EXEC, short, t0=0.0) == (None, 1)


class FakeSfn:
    """Enough of a Step Functions client for the thread pool; can 'die' after k starts."""

    def __init__(self, die_after: int | None = None, connection_states=("ACTIVE",)):
        self.die_after = die_after
        self.starts: list[str] = []
        self.lock = threading.Lock()
        self.connection_states = list(connection_states)

    def describe_connection(self, Name):
        # Doubles as the events client: the run first waits for an ACTIVE connection.
        state = self.connection_states.pop(0) if len(self.connection_states) > 1 else (
            self.connection_states[0])
        return {"Name": Name, "ConnectionState": state, "StateReason": "test"}

    def start_execution(self, stateMachineArn, name, input):
        with self.lock:
            if self.die_after is not None and len(self.starts) >= self.die_after:
                raise EndpointConnectionError(endpoint_url="http://127.0.0.1:5599")
            self.starts.append(name)
        return {"executionArn": f"{stateMachineArn}:{name}".replace("stateMachine", "execution")}

    def describe_execution(self, executionArn):
        return {"status": "SUCCEEDED", "startDate": T0, "stopDate": T0 + timedelta(seconds=0.01)}

    def get_execution_history(self, executionArn, maxResults):
        return _succeeded_history()


def _plan():
    return harness.RunPlan(SANDBOX, {"standard": SM}, "r", FAST)


def test_a_batch_returns_one_record_per_name_in_order():
    names = [f"lab-r-{i:06d}" for i in range(40)]
    records = harness.run_batch(_plan(), "standard", names, 8, progress=False, sfn=FakeSfn())
    assert [r.name for r in records] == names and {r.status for r in records} == {"SUCCEEDED"}


def test_when_the_sandbox_dies_the_rest_are_reported_not_started_and_the_batch_returns():
    names = [f"lab-r-{i:06d}" for i in range(50)]
    fake = FakeSfn(die_after=10)
    records = harness.run_batch(_plan(), "standard", names, 4, progress=False, sfn=fake)
    not_started = [r for r in records if not r.started]
    assert len(records) == 50 and len(not_started) == 40 and all(r.error for r in not_started)


def test_run_puts_the_metadata_on_the_frame(monkeypatch):
    monkeypatch.setattr(harness.clients, "client", lambda service, cfg=None: FakeSfn())
    df = harness.run(
        "standard",
        n=3,
        concurrency=2,
        progress=False,
        cfg=SANDBOX,
        outputs={"StandardStateMachineArn": SM, "ConnectionName": "c"},
    )
    meta = df.attrs["lab_meta"]
    assert (len(df), meta["n"], meta["concurrency"], meta["mode"]) == (3, 3, 2, "sandbox")


def test_run_names_every_execution_uniquely_across_both_workflows(monkeypatch):
    class Both(FakeSfn):
        def start_sync_execution(self, stateMachineArn, name, input):
            return {"executionArn": name, "status": "SUCCEEDED", "startDate": T0, "stopDate": T0}

    monkeypatch.setattr(harness.clients, "client", lambda service, cfg=None: Both())
    df = harness.run(
        "both",
        n=5,
        concurrency=2,
        progress=False,
        cfg=SANDBOX,
        outputs={"StandardStateMachineArn": SM, "ExpressStateMachineArn": XSM,
                 "ConnectionName": "c"},
    )
    assert df["name"].is_unique and sorted(df["workflow"].unique()) == ["express", "standard"]


def test_run_waits_until_the_connection_is_active_before_starting(monkeypatch):
    fake = FakeSfn(connection_states=("AUTHORIZING", "AUTHORIZING", "ACTIVE"))
    monkeypatch.setattr(harness.clients, "client", lambda service, cfg=None: fake)
    harness.run("standard", n=2, concurrency=1, progress=False, cfg=SANDBOX,
                outputs={"StandardStateMachineArn": SM, "ConnectionName": "c"})
    assert fake.connection_states == ["ACTIVE"] and len(fake.starts) == 2


def test_run_on_a_failed_connection_starts_nothing_and_names_the_fix(monkeypatch):
    fake = FakeSfn(connection_states=("FAILED_CONNECTIVITY",))
    monkeypatch.setattr(harness.clients, "client", lambda service, cfg=None: fake)
    with pytest.raises(LabError, match="04_connection_state"):
        harness.run("standard", n=2, concurrency=1, progress=False, cfg=SANDBOX,
                    outputs={"StandardStateMachineArn": SM, "ConnectionName": "c"})
    assert fake.starts == []


def test_run_without_the_stack_output_names_the_deploy_command():
    with pytest.raises(LabError, match="python -m lab deploy"):
        harness.plan("express", SANDBOX, outputs={"StandardStateMachineArn": SM})


@pytest.mark.parametrize(
    "kwargs, fix",
    [
        ({"n": 0}, "between 1 and 100000"),
        ({"n": 100_001}, "between 1 and 100000"),
        ({"concurrency": 0}, "between 1 and 64"),
        ({"concurrency": 65}, "between 1 and 64"),
        ({"workflow": "fast"}, "'standard', 'express' or 'both'"),
    ],
)
def test_out_of_range_arguments_are_refused_with_the_fix(kwargs, fix):
    with pytest.raises(LabError, match=fix):
        harness.run(**{"workflow": "standard", "n": 1, "concurrency": 1, **kwargs})


@pytest.mark.parametrize("argv", [["run", "-n", "0"], ["run", "--concurrency", "65"]])
def test_cli_refuses_out_of_range_arguments_in_one_line(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)
    assert exited.value.code == 2 and "must be between 1 and" in capsys.readouterr().err


def test_run_cli_prints_the_summary_and_results_path_as_json_last(monkeypatch, tmp_path, capsys):
    from lab import cli

    monkeypatch.setenv("LAB_RESULTS_DIR", str(tmp_path))
    monkeypatch.setattr(harness.clients, "client", lambda service, cfg=None: FakeSfn())
    monkeypatch.setattr(harness, "plan", lambda workflow, cfg=None, outputs=None: _plan())
    monkeypatch.setattr(harness, "wait_for_active_connection", lambda cfg, outputs=None, **_: 0.0)
    code = cli.main(["run", "-n", "4", "--concurrency", "2", "--json", "--no-progress"])
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and last["results"].startswith(str(tmp_path))
    assert {(row["workflow"], row["phase"]) for row in last["summary"]} >= {
        ("standard", "client_ms")
    }


class WarmingExpress:
    """EXPRESS that fails the way a warming private connection does, then succeeds."""

    def __init__(self, failures: int):
        self.failures = failures

    def start_sync_execution(self, stateMachineArn, name, input):
        self.failures -= 1
        status = "FAILED" if self.failures >= 0 else "SUCCEEDED"
        return {"executionArn": name, "status": status, "startDate": T0, "stopDate": T0}


def test_wait_until_ready_retries_until_an_execution_succeeds(monkeypatch):
    monkeypatch.setattr(harness.time, "sleep", lambda s: None)
    run_plan = harness.RunPlan(SANDBOX, {"express": XSM}, "r", FAST)
    assert harness.wait_until_ready(run_plan, sfn=WarmingExpress(failures=2)) == 3


def test_wait_until_ready_gives_up_with_the_next_step(monkeypatch):
    monkeypatch.setattr(harness.time, "sleep", lambda s: None)
    run_plan = harness.RunPlan(SANDBOX, {"express": XSM}, "r", FAST)
    with pytest.raises(LabError, match="run_once"):
        harness.wait_until_ready(run_plan, timeout_s=0, sfn=WarmingExpress(failures=5))


class DeadSandbox:
    def start_sync_execution(self, **kwargs):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:5599")


def test_wait_until_ready_fails_at_once_when_the_sandbox_is_down():
    run_plan = harness.RunPlan(SANDBOX, {"express": XSM}, "r", FAST)
    with pytest.raises(LabError, match="python -m lab sandbox start"):
        harness.wait_until_ready(run_plan, timeout_s=3600, sfn=DeadSandbox())


def test_history_pages_are_followed_and_a_throttled_page_is_retried(sfn):
    first, second = _succeeded_history()["events"][:2], _succeeded_history()["events"][2:]
    with Stubber(sfn) as stub:
        stub.add_response("get_execution_history", {"events": first, "nextToken": "t1"})
        stub.add_client_error("get_execution_history", "ThrottlingException")
        stub.add_response(
            "get_execution_history",
            {"events": second},
            {"executionArn": EXEC, "maxResults": 1000, "nextToken": "t1"},
        )
        events = timed_execution.history_events(sfn, EXEC, FAST)
    assert [e["type"] for e in events] == [e["type"] for e in _succeeded_history()["events"]]


class _CutOffStart:
    """A client whose StartExecution reply lost its body (a sandbox shutting down mid-reply)."""

    class meta:  # noqa: N801 - mirrors botocore's client.meta
        endpoint_url = "http://127.0.0.1:1"

    def start_execution(self, **kwargs):
        return {"ResponseMetadata": {"HTTPStatusCode": 200, "RetryAttempts": 0}}


def test_a_start_reply_without_an_execution_arn_is_a_closed_connection_not_a_key_error():
    from botocore.exceptions import ConnectionClosedError

    with pytest.raises(ConnectionClosedError):
        timed_execution.start_standard(_CutOffStart(), SM, "lab-r-000001", "{}", FAST)


def test_a_cut_off_start_in_the_sandbox_stops_the_run_with_the_sandbox_reason():
    stop = harness.RunStop()
    record = harness.execute_standard(
        _CutOffStart(), SM, "lab-r-000001", "{}", FAST, SANDBOX, stop=stop
    )
    assert not record.started
    assert stop.is_set() and "sandbox stopped answering" in stop.reason
