"""arn:aws:states:::http:invoke in moto's interpreter, against the in-process data plane.

These use a public (REGIONAL) API and a public connection, so they exercise the task
itself; the private path has its own tests (test_network_path.py, test_failure_modes.py).
"""

from __future__ import annotations

import contextlib
import json
import pickle
import socket

import pytest
from botocore.exceptions import ClientError
from http_invoke_builders import (
    HELLO_BODY,
    create_private_connection,
    create_state_machine,
    deploy_api,
    history,
    http_task_definition,
    run_execution,
    task_failure,
)

from lab.sandbox import network
from lab.sandbox.dataplane import request_log
from lab.sandbox.stepfunctions import programs


@pytest.fixture
def public_api(aws, dataplane):
    """A REGIONAL API with GET /hello (API key required) and a matching public connection."""
    api = deploy_api(aws, endpoint_type="REGIONAL")
    connection_arn = create_private_connection(
        aws, name="public", api_key=api.api_key, configuration_arn=None
    )
    return api, connection_arn


def _run(aws, definition, **kwargs):
    return run_execution(aws, create_state_machine(aws, definition), **kwargs)


def test_a_jsonpath_task_returns_headers_body_status_and_status_text(aws, public_api):
    api, connection_arn = public_api

    described = _run(aws, http_task_definition(api.url(), connection_arn))

    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert output["ResponseBody"] == HELLO_BODY
    assert (output["StatusCode"], output["StatusText"]) == (200, "OK")
    assert output["Headers"]["content-type"] == ["application/json"]


def test_a_jsonata_task_with_invocation_config_succeeds(aws, public_api):
    api, connection_arn = public_api

    described = _run(aws, http_task_definition(api.url(), connection_arn, jsonata=True))

    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["ResponseBody"] == HELLO_BODY


def test_the_execution_name_header_reaches_the_api(aws, public_api):
    api, connection_arn = public_api
    definition = http_task_definition(
        api.url(), connection_arn, headers={"x-lab-execution.$": "$$.Execution.Name"}
    )

    _run(aws, definition, name="run-42")

    headers = {k.lower(): v for k, v in request_log.entries()[-1]["headers"].items()}
    assert headers["x-lab-execution"] == "run-42"
    assert headers["user-agent"] == "Amazon|StepFunctions|HttpInvoke|us-east-1"


def test_history_shows_scheduled_started_succeeded_in_time_order(aws, public_api):
    api, connection_arn = public_api

    described = _run(aws, http_task_definition(api.url(), connection_arn))

    events = history(aws, described["executionArn"])
    task_events = [e for e in events if e["type"].startswith("Task") and "State" not in e["type"]]
    assert [e["type"] for e in task_events] == ["TaskScheduled", "TaskStarted", "TaskSucceeded"]
    stamps = [e["timestamp"] for e in task_events]
    assert stamps == sorted(stamps)
    scheduled = task_events[0]["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("http", "invoke")


def test_a_non_2xx_status_fails_with_its_exact_status_code_error(aws, dataplane):
    api = deploy_api(
        aws,
        endpoint_type="REGIONAL",
        api_key_required=False,
        request_template='{"statusCode": 503}',
        integration_responses=[
            {"statusCode": "503", "selectionPattern": "503",
             "responseTemplates": {"application/json": '{"message": "busy"}'}}
        ],
    )  # fmt: skip
    connection_arn = create_private_connection(aws, name="c", api_key=None, configuration_arn=None)

    described = _run(aws, http_task_definition(api.url(), connection_arn))

    assert (described["status"], described["error"]) == ("FAILED", "States.Http.StatusCode.503")
    cause = json.loads(task_failure(aws, described["executionArn"])["cause"])
    assert (cause["StatusCode"], cause["ResponseBody"]) == (503, {"message": "busy"})


def test_retry_on_a_status_code_error_calls_again(aws, dataplane):
    api = deploy_api(
        aws,
        endpoint_type="REGIONAL",
        api_key_required=False,
        request_template='{"statusCode": 503}',
        integration_responses=[{"statusCode": "503", "selectionPattern": "503"}],
    )
    connection_arn = create_private_connection(aws, name="c", api_key=None, configuration_arn=None)
    retry = [{"ErrorEquals": ["States.Http.StatusCode.503"], "IntervalSeconds": 1,
              "MaxAttempts": 2, "BackoffRate": 1.0, "MaxDelaySeconds": 1}]  # fmt: skip

    described = _run(aws, http_task_definition(api.url(), connection_arn, retry=retry))

    assert described["error"] == "States.Http.StatusCode.503"
    assert len(request_log.entries()) == 3


def test_catch_on_the_status_code_of_a_wrong_api_key(aws, public_api):
    api, _ = public_api
    wrong_key = create_private_connection(
        aws, name="wrong-key", api_key="not-the-key", configuration_arn=None
    )
    catch = [{"ErrorEquals": ["States.Http.StatusCode.403"], "Next": "Caught"}]

    described = _run(aws, http_task_definition(api.url(), wrong_key, catch=catch))

    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["Error"] == "States.Http.StatusCode.403"


def test_states_task_failed_matches_http_errors(aws, public_api):
    api, _ = public_api
    wrong_key = create_private_connection(aws, name="k", api_key="nope", configuration_arn=None)
    catch = [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}]

    described = _run(aws, http_task_definition(api.url(), wrong_key, catch=catch))

    assert json.loads(described["output"])["Error"] == "States.Http.StatusCode.403"


def test_a_forbidden_header_fails_the_execution_with_states_runtime(aws, public_api):
    api, connection_arn = public_api
    definition = http_task_definition(api.url(), connection_arn, headers={"x-amz-date": "now"})

    described = _run(aws, definition)

    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert "x-amz-date" in described["cause"]


def test_a_missing_connection_fails_with_resource_not_found(aws, dataplane):
    api = deploy_api(aws, endpoint_type="REGIONAL", api_key_required=False)
    missing = "arn:aws:events:us-east-1:123456789012:connection/gone/00000000-0000-0000-0000"

    described = _run(aws, http_task_definition(api.url(), missing))

    assert described["error"] == "Events.ConnectionResource.ResourceNotFound"
    details = task_failure(aws, described["executionArn"])
    assert (details["resourceType"], details["resource"]) == ("http", "invoke")


def test_retry_applies_to_connection_errors(aws, dataplane):
    missing = "arn:aws:events:us-east-1:123456789012:connection/gone/00000000-0000-0000-0000"
    retry = [{"ErrorEquals": ["Events.ConnectionResource.ResourceNotFound"],
              "IntervalSeconds": 1, "MaxAttempts": 1, "MaxDelaySeconds": 1,
              "JitterStrategy": "FULL"}]  # fmt: skip

    described = _run(aws, http_task_definition("https://x.example.com/", missing, retry=retry))

    failures = [e for e in history(aws, described["executionArn"]) if e["type"] == "TaskFailed"]
    assert len(failures) == 2


def test_a_host_outside_the_sandbox_fails_with_a_socket_error(aws, public_api):
    _, connection_arn = public_api

    described = _run(aws, http_task_definition("https://api.example.com/v1", connection_arn))

    assert described["error"] == "States.Http.Socket"
    assert "no internet access" in described["cause"]


@contextlib.contextmanager
def _dataplane_at(*address):
    """The HTTP Task sends to ``address`` (None: no data plane) inside the block."""
    previous = network.set_dataplane_address(*address)
    try:
        yield
    finally:
        network.restore_dataplane_address(previous)


def test_a_data_plane_that_does_not_listen_fails_fast_with_a_socket_error(aws, public_api):
    api, connection_arn = public_api
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    with _dataplane_at("127.0.0.1", closed_port):
        described = _run(aws, http_task_definition(api.url(), connection_arn))

    assert described["error"] == "States.Http.Socket"
    assert "connection refused" in described["cause"]


def test_pooled_connections_the_server_closed_are_not_the_task_s_failure(aws, public_api):
    """Kept-alive connections the server dropped (its idle timeout) cost a reconnect, no more.

    Two pooled connections whose peer has closed them: the first fails on reuse, and the
    retry must not take the second (it was as stale), or the execution fails by timing.
    """
    from lab.sandbox.stepfunctions import transport

    api, connection_arn = public_api
    address = network.dataplane_address()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        for _ in range(2):
            stale = transport.http.client.HTTPConnection(*listener.getsockname(), timeout=5)
            stale.connect()
            peer, _ = listener.accept()
            peer.close()  # what the data plane's server does after 120 s idle
            transport._pool.put(address, stale)
        described = _run(aws, http_task_definition(api.url(), connection_arn))

    assert described["status"] == "SUCCEEDED", described.get("cause")


def test_a_connection_idle_too_long_is_closed_instead_of_reused():
    from lab.sandbox.stepfunctions import transport

    pool = transport._ConnectionPool(max_idle_s=0.0)
    old = transport.http.client.HTTPConnection("127.0.0.1", 9)
    pool.put(("127.0.0.1", 9), old)
    connection, reused = pool.get(("127.0.0.1", 9), timeout=1)
    assert (connection is old, reused) == (False, False)


def test_with_no_data_plane_in_the_process_the_task_fails_with_a_socket_error(aws, public_api):
    api, connection_arn = public_api
    with _dataplane_at(None):
        described = _run(aws, http_task_definition(api.url(), connection_arn))

    assert described["error"] == "States.Http.Socket"
    assert "no private API data plane serves in this process" in described["cause"]


def test_catch_on_the_socket_error(aws, public_api):
    _, connection_arn = public_api
    catch = [{"ErrorEquals": ["States.Http.Socket"], "Next": "Caught"}]

    described = _run(
        aws, http_task_definition("https://x.example.com/", connection_arn, catch=catch)
    )

    assert json.loads(described["output"])["Error"] == "States.Http.Socket"


def test_an_unknown_http_action_is_an_invalid_definition(aws):
    definition = http_task_definition("https://x.example.com/", "arn:c")
    definition["States"]["Call"]["Resource"] = "arn:aws:states:::http:fetch"

    with pytest.raises(ClientError):
        create_state_machine(aws, definition)


# --------------------------------------------------------------------------- executions


def test_start_sync_execution_returns_the_documented_shape_with_billing(aws, public_api):
    api, connection_arn = public_api
    arn = create_state_machine(aws, http_task_definition(api.url(), connection_arn), express=True)

    result = aws("stepfunctions").start_sync_execution(stateMachineArn=arn, name="sync-1")

    assert result["status"] == "SUCCEEDED"
    assert result["name"] == "sync-1"
    assert ":express:lab:sync-1:" in result["executionArn"]
    assert result["stopDate"] >= result["startDate"]
    assert json.loads(result["output"])["StatusCode"] == 200
    billing = result["billingDetails"]
    assert billing["billedMemoryUsedInMB"] == 64
    assert billing["billedDurationInMilliseconds"] % 100 == 0
    assert billing["billedDurationInMilliseconds"] >= 100


def test_start_sync_execution_reports_a_failure_in_its_result(aws, dataplane):
    connection_arn = create_private_connection(aws, name="c", api_key=None, configuration_arn=None)
    definition = http_task_definition("https://api.example.com/", connection_arn)
    arn = create_state_machine(aws, definition, express=True)

    result = aws("stepfunctions").start_sync_execution(stateMachineArn=arn)

    assert (result["status"], result["error"]) == ("FAILED", "States.Http.Socket")
    assert "output" not in result


def test_start_sync_execution_refuses_a_standard_state_machine(aws):
    arn = create_state_machine(
        aws, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )

    with pytest.raises(ClientError) as raised:
        aws("stepfunctions").start_sync_execution(stateMachineArn=arn)

    assert raised.value.response["Error"]["Code"] == "StateMachineTypeNotSupported"


def test_start_execution_runs_an_express_state_machine_too(aws):
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    arn = create_state_machine(aws, definition, express=True)

    assert run_execution(aws, arn)["status"] == "SUCCEEDED"


def test_unnamed_executions_get_distinct_names(aws):
    arn = create_state_machine(
        aws, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )

    first = run_execution(aws, arn)
    second = run_execution(aws, arn)

    assert first["name"] != second["name"]
    assert len(first["name"]) == 36


def test_a_definition_is_parsed_once_for_many_executions(aws):
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    arn = create_state_machine(aws, definition)
    misses = programs.program_cache.misses

    for _ in range(3):
        assert run_execution(aws, arn)["status"] == "SUCCEEDED"

    assert programs.program_cache.misses == misses


def test_executions_with_retries_leave_the_shared_program_untouched(aws, public_api):
    # Retriers key their attempt counters by an id each component draws lazily on first
    # use; the cache draws them all up front, so executions sharing the program write nothing.
    _, connection_arn = public_api
    retry = [{"ErrorEquals": ["States.Http.Socket"], "IntervalSeconds": 1, "MaxAttempts": 1,
              "MaxDelaySeconds": 1, "JitterStrategy": "FULL"}]  # fmt: skip
    definition = http_task_definition("https://api.example.com/", connection_arn, retry=retry)
    arn = create_state_machine(aws, definition)
    before = pickle.dumps(programs.program_cache.template(json.dumps(definition)))

    described = run_execution(aws, arn)

    assert described["error"] == "States.Http.Socket"
    assert pickle.dumps(programs.program_cache.template(json.dumps(definition))) == before


# --------------------------------------------------------------------------- definitions


def _invoke_state(parameters: dict, jsonata: bool = False) -> dict:
    field = "Arguments" if jsonata else "Parameters"
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                     field: parameters, "End": True}
        },
    }  # fmt: skip
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    return definition


@pytest.mark.parametrize(
    "parameters",
    [
        {"Method": "GET", "Authentication": {"ConnectionArn": "arn:c"}},
        {"ApiEndpoint": "https://x.example.com/", "Authentication": {"ConnectionArn": "arn:c"}},
        {"ApiEndpoint": "https://x.example.com/", "Method": "GET"},
        {"ApiEndpoint": "https://x.example.com/", "Method": "GET",
         "Authentication": {"ConnectionArn": "arn:c"}, "Timeout": 5},
    ],
    ids=["no ApiEndpoint", "no Method", "no connection", "unknown field"],
)  # fmt: skip
def test_a_task_aws_would_refuse_is_an_invalid_definition(aws, parameters):
    with pytest.raises(ClientError) as raised:
        create_state_machine(aws, _invoke_state(parameters))

    assert raised.value.response["Error"]["Code"] == "InvalidDefinition"
