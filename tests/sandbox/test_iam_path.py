"""IAM along the path: the roles Step Functions and EventBridge assume are evaluated as AWS
evaluates them (lab.sandbox.roles, lab.sandbox.stepfunctions.execution_role,
lab.sandbox.events.target_role).

Pages: call-https-apis.html ("IAM permissions to run an HTTP Task": states:InvokeHTTPEndpoint
with states:HTTPEndpoint / states:HTTPMethod, events:RetrieveConnectionCredentials,
secretsmanager:GetSecretValue and DescribeSecret on the connection's secret);
eb-api-destinations.html and eb-rule-dlq.html (the target's role, events:InvokeApiDestination,
FAILED_TO_ASSUME_ROLE / NO_PERMISSIONS to the DLQ without retries); AWS's CloudFormation
handler for state machines ("Neither the global service principal states.amazonaws.com, nor
the regional one is authorized to assume the provided role.").
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from http_invoke_builders import (
    ACCOUNT,
    ROLE_ARN,
    build_private_path,
    create_state_machine,
    http_task_definition,
    run_execution,
    task_failure,
)
from test_event_delivery import (
    add_events_method,
    attributes,
    dead_letters,
    put,
    received,
    wait_until,
    wire_rule,
)

from lab.sandbox import control

ROLE_NAME = ROLE_ARN.rsplit("/", 1)[-1]
EVENTS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/lab-events"  # the role wire_rule names


def trust(service: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def make_role(aws, name: str, service: str, statements: list[dict] | None) -> str:
    iam = aws("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust(service)))[
        "Role"
    ]["Arn"]
    if statements:
        iam.put_role_policy(
            RoleName=name,
            PolicyName="least-privilege",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
    return arn


def http_task_statements(connection_arn: str, skip: str = "") -> list[dict]:
    """What call-https-apis.html lists for an HTTP Task through ``connection_arn``."""
    statements = [
        {
            "Sid": "InvokeHTTPEndpoint",
            "Effect": "Allow",
            "Action": "states:InvokeHTTPEndpoint",
            "Resource": f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:*",
            "Condition": {
                "StringEquals": {"states:HTTPMethod": "GET"},
                "StringLike": {"states:HTTPEndpoint": "https://*.execute-api.*"},
            },
        },
        {
            "Sid": "RetrieveConnectionCredentials",
            "Effect": "Allow",
            "Action": "events:RetrieveConnectionCredentials",
            "Resource": connection_arn,
        },
        {
            "Sid": "ConnectionSecret",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": "arn:aws:secretsmanager:*:*:secret:events!connection/*",
        },
    ]
    return [s for s in statements if s["Sid"] != skip]


@pytest.fixture
def iam_on(aws):
    control.update_settings({"iam_evaluation": True})
    return aws


# --------------------------------------------------------------------------- creating

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _create(aws, role_arn: str = ROLE_ARN) -> str:
    """CreateStateMachine as written (the builder's create_state_machine makes a role first)."""
    return aws("stepfunctions").create_state_machine(
        name="lab", definition=json.dumps(PASS), roleArn=role_arn
    )["stateMachineArn"]


def test_a_state_machine_whose_role_does_not_exist_is_refused(iam_on):
    with pytest.raises(ClientError) as raised:
        _create(iam_on)
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        "Neither the global service principal states.amazonaws.com, nor the regional one is "
        "authorized to assume the provided role."
    )


def test_a_role_that_trusts_lambda_instead_is_refused(iam_on):
    make_role(iam_on, ROLE_NAME, "lambda.amazonaws.com", None)
    with pytest.raises(ClientError, match="Neither the global service principal"):
        _create(iam_on)


@pytest.mark.parametrize("service", ["states.amazonaws.com", "states.us-east-1.amazonaws.com"])
def test_the_global_or_the_regional_principal_may_be_trusted(iam_on, service):
    make_role(iam_on, ROLE_NAME, service, None)
    assert _create(iam_on).endswith(":stateMachine:lab")


def test_updating_to_an_untrusted_role_is_refused(iam_on):
    make_role(iam_on, ROLE_NAME, "states.amazonaws.com", None)
    untrusted = make_role(iam_on, "other", "lambda.amazonaws.com", None)
    arn = _create(iam_on)
    with pytest.raises(ClientError, match="AccessDeniedException|Neither the global"):
        iam_on("stepfunctions").update_state_machine(stateMachineArn=arn, roleArn=untrusted)


# --------------------------------------------------------------------------- running


@pytest.fixture
def private_path(iam_on, dataplane):
    return build_private_path(iam_on)


def _run_with(aws, path, statements) -> dict:
    make_role(aws, ROLE_NAME, "states.amazonaws.com", statements)
    definition = http_task_definition(path.api.url(), path.connection_arn)
    return run_execution(aws, create_state_machine(aws, definition))


def test_the_least_privilege_policy_lets_the_http_task_through(iam_on, private_path):
    described = _run_with(iam_on, private_path, http_task_statements(private_path.connection_arn))
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert len(received("/prod/hello")) == 1


def test_without_invoke_http_endpoint_the_task_fails_before_calling(iam_on, private_path):
    statements = http_task_statements(private_path.connection_arn, skip="InvokeHTTPEndpoint")
    described = _run_with(iam_on, private_path, statements)

    failure = task_failure(iam_on, described["executionArn"])
    assert described["status"] == "FAILED"
    assert failure["error"] == "States.Runtime"  # the sandbox's choice: AWS names none
    assert (
        "is not authorized to perform: states:InvokeHTTPEndpoint on API Endpoint"
        in (failure["cause"])
    )
    assert f"assumed-role/{ROLE_NAME}/" in failure["cause"]
    assert received("/prod/hello") == []


@pytest.mark.parametrize("skip", ["RetrieveConnectionCredentials", "ConnectionSecret"])
def test_without_the_connections_credentials_the_task_fails_access_denied(
    iam_on, private_path, skip
):
    statements = http_task_statements(private_path.connection_arn, skip=skip)
    described = _run_with(iam_on, private_path, statements)

    failure = task_failure(iam_on, described["executionArn"])
    assert failure["error"] == "Events.ConnectionResource.AccessDenied"
    assert "is not authorized to perform" in failure["cause"]
    assert received("/prod/hello") == []


def test_a_condition_on_the_method_that_does_not_hold_denies(iam_on, private_path):
    statements = http_task_statements(private_path.connection_arn)
    statements[0]["Condition"]["StringEquals"]["states:HTTPMethod"] = "POST"
    described = _run_with(iam_on, private_path, statements)
    assert task_failure(iam_on, described["executionArn"])["error"] == "States.Runtime"


def test_an_explicit_deny_wins_over_the_allow(iam_on, private_path):
    statements = http_task_statements(private_path.connection_arn) + [
        {"Effect": "Deny", "Action": "events:Retrieve*", "Resource": "*"}
    ]
    described = _run_with(iam_on, private_path, statements)
    failure = task_failure(iam_on, described["executionArn"])
    assert failure["error"] == "Events.ConnectionResource.AccessDenied"
    assert "explicit deny" in failure["cause"]


def test_a_managed_policy_attached_to_the_role_counts(iam_on, private_path):
    iam = iam_on("iam")
    make_role(iam_on, ROLE_NAME, "states.amazonaws.com", None)
    policy = iam.create_policy(
        PolicyName="http-task",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": http_task_statements(private_path.connection_arn),
            }
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=ROLE_NAME, PolicyArn=policy)
    definition = http_task_definition(private_path.api.url(), private_path.connection_arn)

    described = run_execution(iam_on, create_state_machine(iam_on, definition))

    assert described["status"] == "SUCCEEDED", described.get("cause")


def test_with_iam_evaluation_off_nothing_is_checked(aws, dataplane):
    path = build_private_path(aws)
    definition = http_task_definition(path.api.url(), path.connection_arn)
    described = run_execution(aws, create_state_machine(aws, definition))  # no role at all
    assert described["status"] == "SUCCEEDED"


# --------------------------------------------------------------------------- EventBridge


def test_an_api_destination_target_without_a_role_is_refused(aws):
    events = aws("events")
    events.put_rule(Name="r", EventPattern='{"source": ["lab"]}')
    target = f"arn:aws:events:us-east-1:{ACCOUNT}:api-destination/d/0a1b2c3d"
    with pytest.raises(ClientError) as raised:
        events.put_targets(Rule="r", Targets=[{"Id": "api", "Arn": target}])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert raised.value.response["Error"]["Message"] == f"RoleArn is required for target {target}."


@pytest.mark.parametrize(
    ("service", "statements", "code"),
    [
        ("lambda.amazonaws.com", None, "FAILED_TO_ASSUME_ROLE"),
        ("events.amazonaws.com", None, "NO_PERMISSIONS"),
        (
            "events.amazonaws.com",
            [{"Effect": "Allow", "Action": "events:InvokeApiDestination", "Resource": "*"}],
            None,
        ),
    ],
)
def test_delivery_needs_a_role_events_can_assume_and_invoke_with(
    iam_on, dataplane, service, statements, code
):
    path = build_private_path(iam_on)
    url = add_events_method(iam_on, path.api)
    make_role(iam_on, "lab-events", service, statements)
    wired = wire_rule(iam_on, path.connection_arn, url, retries=5)
    put(iam_on, 1)

    if code is None:
        assert wait_until(lambda: received("/prod/events"))
        return
    [message] = wait_until(lambda: dead_letters(iam_on, wired["queue_url"]))
    attrs = attributes(message)
    assert attrs["ERROR_CODE"] == code
    assert attrs["RETRY_ATTEMPTS"] == "0"  # not retried
    assert "EXHAUSTED_RETRY_CONDITION" not in attrs
    assert received("/prod/events") == []
