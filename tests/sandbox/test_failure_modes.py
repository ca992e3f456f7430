"""The ways the lab's path breaks, each reproduced in seconds and failing as AWS documents.

Each test builds the whole architecture in-process with one link broken, runs the HTTP
Task once (no retries) and checks the execution's error. Where AWS would only notice after
the task's 60-second socket timeout (a dropped connection attempt), the sandbox fails at
once with the same error and a cause naming the broken link.
"""

from __future__ import annotations

import json
import time

from http_invoke_builders import (
    build_private_path,
    create_private_connection,
    create_state_machine,
    http_task_definition,
    run_execution,
    task_failure,
    wait_for_connection,
)

from lab.sandbox import control
from lab.sandbox.dataplane import request_log

OTHER_ENDPOINT = "vpce-0aaaaaaaaaaaaaaaa"


def _call(aws, url: str, connection_arn: str) -> dict:
    arn = create_state_machine(aws, http_task_definition(url, connection_arn))
    return run_execution(aws, arn)


def test_a_wrong_api_key_fails_with_status_code_403(aws, dataplane):
    path = build_private_path(aws)
    wrong_key = create_private_connection(
        aws, name="wrong-key", api_key="not-the-api-key", configuration_arn=path.configuration_arn
    )
    wait_for_connection(aws, "wrong-key")

    described = _call(aws, path.api.url(), wrong_key)

    assert described["error"] == "States.Http.StatusCode.403"
    cause = json.loads(task_failure(aws, described["executionArn"])["cause"])
    assert cause["ResponseBody"] == {"message": "Forbidden"}


def test_a_private_api_through_a_connection_without_private_connectivity_is_forbidden(
    aws, dataplane
):
    # Public DNS sends the call to API Gateway's public front end, which refuses a
    # private API: 403 Forbidden (AWS Knowledge Center, api-gateway-vpc-connections).
    path = build_private_path(aws)
    public = create_private_connection(
        aws, name="public", api_key=path.api.api_key, configuration_arn=None
    )

    described = _call(aws, path.api.url(), public)

    assert described["error"] == "States.Http.StatusCode.403"
    cause = json.loads(task_failure(aws, described["executionArn"])["cause"])
    assert cause["ResponseBody"] == {"message": "Forbidden"}
    assert request_log.entries()[-1]["source_vpce"] is None


def test_a_gateway_security_group_without_egress_443_fails_with_a_socket_error(aws, dataplane):
    path = build_private_path(aws, gateway_egress_cidr=None)

    described = _call(aws, path.api.url(), path.connection_arn)

    assert described["error"] == "States.Http.Socket"
    assert f"resource gateway {path.gateway_id}" in described["cause"]
    assert "egress" in described["cause"]


def test_an_endpoint_security_group_without_ingress_443_fails_with_a_socket_error(aws, dataplane):
    path = build_private_path(aws, endpoint_ingress=False)

    described = _call(aws, path.api.url(), path.connection_arn)

    assert described["error"] == "States.Http.Socket"
    assert "ingress" in described["cause"] and path.vpc.endpoint_id in described["cause"]


def test_a_connection_not_yet_active_fails_until_it_is(aws, dataplane):
    control.update_settings({"connection_warmup_seconds": 60})
    path = build_private_path(aws, wait=False)

    described = _call(aws, path.api.url(), path.connection_arn)

    assert described["error"] == "Events.ConnectionResource.AuthInProgress"
    assert "CREATING" in described["cause"]


def test_a_new_private_connection_times_out_for_a_while_after_active(aws, dataplane):
    """eb-target-connection-states.html: after a private connection is established there
    can be "a delay of up to several minutes" before calls succeed; the connection is
    ACTIVE meanwhile and Step Functions' advice is to retry the HTTP timeouts."""
    control.update_settings({"connection_settle_seconds": 60})
    path = build_private_path(aws)
    assert aws("events").describe_connection(Name="lab-connection")["ConnectionState"] == "ACTIVE"

    described = _call(aws, path.api.url(), path.connection_arn)

    assert described["error"] == "States.Http.Socket"
    assert "ACTIVE but its private connectivity is not carrying calls yet" in described["cause"]


def test_the_settle_ends_and_calls_go_through(aws, dataplane):
    control.update_settings({"connection_settle_seconds": 0.3})
    path = build_private_path(aws)

    time.sleep(0.4)
    assert _call(aws, path.api.url(), path.connection_arn)["status"] == "SUCCEEDED"


def test_a_connection_to_a_missing_configuration_fails_as_invalid_private_state(aws, dataplane):
    path = build_private_path(aws)
    missing = (
        "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123456789abcdef0"
    )
    broken = create_private_connection(
        aws, name="broken", api_key=path.api.api_key, configuration_arn=missing
    )
    assert wait_for_connection(aws, "broken", "FAILED_CONNECTIVITY")["StateReason"]

    described = _call(aws, path.api.url(), broken)

    assert described["error"] == "Events.ConnectionResource.InvalidPrivateConnectionState"
    assert "FAILED_CONNECTIVITY" in described["cause"]


def test_a_resource_policy_naming_another_endpoint_fails_with_status_code_403(aws, dataplane):
    path = build_private_path(aws, policy_vpce=OTHER_ENDPOINT)

    described = _call(aws, path.api.url(), path.connection_arn)

    assert described["error"] == "States.Http.StatusCode.403"
    cause = json.loads(task_failure(aws, described["executionArn"])["cause"])
    assert cause["ResponseBody"]["Message"].startswith(
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
    )


def test_a_configuration_pointing_at_the_wrong_dns_name_fails_with_a_socket_error(aws, dataplane):
    path = build_private_path(aws, domain_name="vpce-0123-abcdefgh.sqs.us-east-1.example.com")

    described = _call(aws, path.api.url(), path.connection_arn)

    assert described["error"] == "States.Http.Socket"
    assert "does not resolve to any VPC endpoint" in described["cause"]
