"""Reading what the private API reported from an HTTP Task's output, and the hop it times."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from lab.api_report import ApiReport, hops_express, hops_standard

T0 = datetime(2026, 12, 1, 20, 0, 0, tzinfo=UTC)
EPOCH_MS = int((T0 + timedelta(milliseconds=40)).timestamp() * 1000)


def _output(**received_extra) -> str:
    received = {
        "context": {
            "requestId": "req-1", "requestTimeEpoch": EPOCH_MS, "httpMethod": "GET",
            "resourcePath": "/hello", "stage": "prod",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "identity": {"sourceIp": "10.0.0.9", "vpceId": "vpce-0abc", "vpcId": "vpc-0def",
                         "apiKeyId": "kid",
                         "userAgent": "Amazon|StepFunctions|HttpInvoke|us-east-1"},
        },
        "headers": {"X-Lab-Execution": "run-7", "Range": "bytes=0-262144"},
        "querystring": {},
        **received_extra,
    }
    body = {"message": "hello from the private API", "received": received}
    return json.dumps({"StatusCode": 200, "ResponseBody": body, "Headers": {}})


def test_a_report_is_read_from_the_task_output_text():
    report = ApiReport.from_output(_output())

    assert (report.request_id, report.vpce_id, report.api_key_id) == ("req-1", "vpce-0abc", "kid")
    assert report.execution_name == "run-7"
    assert report.received_at == T0 + timedelta(milliseconds=40)
    assert (report.row()["path"], report.row()["source_vpc"]) == ("/prod/hello", "vpc-0def")


def test_an_output_without_a_report_gives_none():
    assert ApiReport.from_output('{"StatusCode": 403, "ResponseBody": {"message": "x"}}') is None
    assert ApiReport.from_output("not json") is None
    assert ApiReport.from_output(None) is None


def test_secret_looking_headers_are_masked_even_if_a_template_let_them_through():
    report = ApiReport.from_output(_output(headers={"x-api-key": "0123456789abcdefghij"}))

    assert report.headers == {"x-api-key": "****"}


def test_standard_hops_split_the_last_attempt_at_request_time():
    events = [
        {"type": "TaskStarted", "timestamp": T0 - timedelta(seconds=3)},  # a retried attempt
        {"type": "TaskFailed", "timestamp": T0 - timedelta(seconds=2)},
        {"type": "TaskStarted", "timestamp": T0},
        {"type": "TaskSucceeded", "timestamp": T0 + timedelta(milliseconds=55)},
    ]

    hops = hops_standard(events, ApiReport.from_output(_output()))

    assert hops == {"sfn_to_api_ms": 40.0, "api_to_result_ms": 15.0}


def test_express_hops_use_the_executions_start_and_stop():
    response = {"startDate": T0 - timedelta(milliseconds=10),
                "stopDate": T0 + timedelta(milliseconds=100)}

    hops = hops_express(response, ApiReport.from_output(_output()))

    assert hops == {"sfn_to_api_ms": 50.0, "api_to_result_ms": 60.0}


def test_no_report_means_no_hop():
    assert hops_standard([], None) == {"sfn_to_api_ms": None, "api_to_result_ms": None}


def test_the_execution_header_is_the_one_the_state_machines_send():
    """Every HTTP Task of every synthesized state machine sends the header the report reads."""
    import json

    from stack_template import flatten_join, resources, template

    from lab.api_report import EXECUTION_HEADER

    machines = resources(template(), "AWS::StepFunctions::StateMachine")
    sent = []
    for machine in machines.values():
        definition = json.loads(flatten_join(machine["Properties"]["DefinitionString"]))
        for state in definition["States"].values():
            if str(state.get("Resource", "")).endswith(":states:::http:invoke"):
                arguments = state.get("Arguments") or state.get("Parameters")
                sent.append({name.removesuffix(".$").lower() for name in arguments["Headers"]})
    assert len(sent) == len(machines) >= 3
    assert all(EXECUTION_HEADER in headers for headers in sent)
