"""Requests that break their botocore model's constraints are refused before any handler,
in the words of AWS's front end (lab.sandbox.input_rules).

Clients here turn off botocore's own parameter validation where it would catch the mistake
first (minimums, required members), as the JavaScript SDK under the CDK CLI and the AWS CLI
with ``parameter_validation = false`` do: then only the service's answer is left.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lab.sandbox import input_rules

REGION = "us-east-1"
NO_CLIENT_CHECKS = Config(parameter_validation=False)


@pytest.fixture
def raw(aws):
    """A client factory whose clients send whatever they are given."""

    def make(service: str):
        aws(service)  # inside the mock, with the seams installed
        return boto3.client(service, region_name=REGION, config=NO_CLIENT_CHECKS)

    return make


def _refusal(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error = raised.value.response["Error"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error


API_KEY = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret-value"}}


def test_a_connection_name_with_a_space_is_refused(raw):
    """botocore events ``ConnectionName``: pattern ``[\\.\\-_A-Za-z0-9]+``, 1-64
    (EventBridge API reference, CreateConnection, Name)."""
    error = _refusal(
        raw("events").create_connection,
        Name="my connection",
        AuthorizationType="API_KEY",
        AuthParameters=API_KEY,
    )
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "1 validation error detected: Value 'my connection' at 'name' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"
    )


def test_an_authorization_type_outside_the_enum_is_refused(raw):
    """botocore events ``ConnectionAuthorizationType``: BASIC | OAUTH_CLIENT_CREDENTIALS |
    API_KEY; boto3 does not check enums on the client."""
    error = _refusal(
        raw("events").create_connection,
        Name="private-api",
        AuthorizationType="APIKEY",
        AuthParameters=API_KEY,
    )
    assert error["Message"] == (
        "1 validation error detected: Value 'APIKEY' at 'authorizationType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]"
    )


@pytest.mark.parametrize("name", ["x:api-key", "x-api-key\n"])
def test_an_api_key_name_with_a_colon_or_a_newline_is_refused(raw, name):
    """botocore events ``AuthHeaderParameters``: no control characters and no ':' (a header
    name); the path names the nested member as AWS does."""
    error = _refusal(
        raw("events").create_connection,
        Name="private-api",
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": name, "ApiKeyValue": "v"}},
    )
    assert "at 'authParameters.apiKeyAuthParameters.apiKeyName'" in error["Message"]
    assert "Member must satisfy regular expression pattern" in error["Message"]


def test_a_sensitive_value_is_never_echoed(raw):
    """``AuthHeaderParametersSensitive`` is sensitive: AWS names the member, not the value."""
    secret = "line-one\nline-two-secret"
    error = _refusal(
        raw("events").create_connection,
        Name="private-api",
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": secret}},
    )
    assert "Value at 'authParameters.apiKeyAuthParameters.apiKeyValue'" in error["Message"]
    assert "secret" not in error["Message"]


def test_several_mistakes_are_counted_and_joined(raw):
    """AWS lists every violation: "N validation errors detected: …; …"."""
    error = _refusal(
        raw("events").create_connection,
        Name="my connection",
        AuthorizationType="APIKEY",
        AuthParameters=API_KEY,
    )
    assert error["Message"].startswith("2 validation errors detected: Value 'my connection'")
    assert "; Value 'APIKEY' at 'authorizationType'" in error["Message"]


def test_cloudwatch_logs_answers_as_recorded(raw):
    """Recorded from AWS (CloudWatch Logs, an empty log group name): InvalidParameterException
    "2 validation errors detected: Value '' at 'logGroupName' … pattern …; … length …"."""
    error = _refusal(raw("logs").create_log_group, logGroupName="")
    assert error["Code"] == "InvalidParameterException"
    assert error["Message"] == (
        "2 validation errors detected: Value '' at 'logGroupName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; Value '' at "
        "'logGroupName' failed to satisfy constraint: Member must have length greater than or "
        "equal to 1"
    )


def test_a_log_group_identifier_is_not_echoed_as_recorded(raw):
    """Recorded from AWS (moto's aws_verified test_arn_formats_log_group_and_stream): a log
    group's ``arn`` (ending ``:*``) as ``logGroupIdentifier`` is refused with "Value at
    'logGroupIdentifier' …", no value, although botocore's ``LogGroupIdentifier`` is not
    marked sensitive."""
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:app:*"
    error = _refusal(raw("logs").describe_log_streams, logGroupIdentifier=arn)
    assert error["Code"] == "InvalidParameterException"
    assert error["Message"] == (
        "1 validation error detected: Value at 'logGroupIdentifier' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*"
    )
    groups = [f"arn:aws:logs:us-east-1:123456789012:log-group:g{n}" for n in range(11)]
    error = _refusal(raw("logs").start_live_tail, logGroupIdentifiers=groups)
    assert error["Message"].startswith(
        "1 validation error detected: Value at 'logGroupIdentifiers'"
    )


def test_every_unechoed_shape_belongs_to_one_checked_service():
    """``NOT_ECHOED`` is keyed by shape name: each must be a shape of exactly one service in
    ``SERVICES``, or another service's values would silently go unechoed."""
    from moto.core.utils import get_service_model

    for name in input_rules.NOT_ECHOED:
        owners = [s for s in input_rules.SERVICES if name in get_service_model(s).shape_names]
        assert len(owners) == 1, (name, owners)


def test_an_operation_modelled_with_validation_exception_answers_it(raw):
    """botocore logs ``PutDeliveryDestination`` lists ValidationException and not the
    service's InvalidParameterException; ``OutputFormat`` is an enum (json | plain | w3c |
    raw | parquet). moto's test_put_delivery_destination expects ValidationException."""
    error = _refusal(
        raw("logs").put_delivery_destination,
        name="dest",
        outputFormat="foobar",
        deliveryDestinationConfiguration={"destinationResourceArn": "arn:aws:s3:::bucket"},
    )
    assert error["Code"] == "ValidationException"
    assert "Value 'foobar' at 'outputFormat'" in error["Message"]


def test_a_list_element_is_named_by_its_position(raw):
    """List members are ``<list>.<n>.member`` counting from 1, as in AWS's "Value null at
    'logEvents.1.member.timestamp'"; ``RetryPolicy.MaximumRetryAttempts`` is 0-185."""
    events = raw("events")
    events.put_rule(Name="r", EventPattern='{"source": ["lab"]}')
    error = _refusal(
        events.put_targets,
        Rule="r",
        Targets=[
            {"Id": "ok", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"},
            {
                "Id": "second",
                "Arn": "arn:aws:sqs:us-east-1:123456789012:q",
                "RetryPolicy": {"MaximumRetryAttempts": 186},
            },
        ],
    )
    assert error["Message"] == (
        "1 validation error detected: Value '186' at 'targets.2.member.retryPolicy."
        "maximumRetryAttempts' failed to satisfy constraint: Member must have value less than "
        "or equal to 185"
    )


def test_a_missing_required_member_is_null(raw):
    """A required member left out: "Value null at '…' failed to satisfy constraint: Member
    must not be null" (botocore's client would catch it; the AWS CLI's JSON input need not)."""
    error = _refusal(raw("stepfunctions").start_execution, name="run-1")
    assert error["Message"] == (
        "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy "
        "constraint: Member must not be null"
    )


def test_a_query_protocol_service_answers_validation_error(raw):
    """IAM (query protocol) answers ``ValidationError``: role names are ``[\\w+=,.@-]+``, 1-64."""
    error = _refusal(
        raw("iam").create_role, RoleName="my role", AssumeRolePolicyDocument='{"Statement": []}'
    )
    assert error["Code"] == "ValidationError"
    assert "Value 'my role' at 'roleName' failed to satisfy constraint" in error["Message"]


def test_a_request_within_the_rules_reaches_the_handler(raw):
    events = raw("events")
    created = events.create_connection(
        Name="private-api", AuthorizationType="API_KEY", AuthParameters=API_KEY
    )
    assert created["ConnectionState"] == "AUTHORIZED"


def test_every_pattern_of_the_checked_services_compiles():
    """A pattern the ``regex`` package cannot compile is not checked at all: none may exist
    in the services the sandbox checks, or a constraint would silently go unenforced."""
    from moto.core.utils import get_service_model

    broken = []
    for service in input_rules.SERVICES:
        model = get_service_model(service)
        for name in model.shape_names:
            pattern = model.shape_for(name).metadata.get("pattern")
            if pattern is not None and input_rules._pattern(pattern) is None:
                broken.append(f"{service}:{name}")
    assert broken == []


def test_every_operation_of_the_checked_services_compiles():
    """Each operation's checker builds (recursive shapes included) without raising."""
    from moto.core.utils import get_service_model

    compiled = 0
    for service in input_rules.SERVICES:
        for operation in get_service_model(service).operation_names:
            input_rules.checker(service, operation)
            compiled += 1
    assert compiled > 300


@pytest.mark.parametrize(
    ("service", "call", "operation"),
    [
        ("events", lambda c: c.list_endpoints(), "ListEndpoints"),
        ("kms", lambda c: c.describe_custom_key_stores(), "DescribeCustomKeyStores"),
        ("iam", lambda c: c.get_account_authorization_details(Filter=["Role"]), None),
    ],
)
def test_an_operation_moto_lacks_is_answered_in_words_never_500(raw, service, call, operation):
    """moto raises NotImplementedError (HTTP 500, an HTML page) for operations it lacks; the
    sandbox answers a client error naming the operation, as its other refusals do."""
    client = raw(service)
    if operation is None:  # implemented by moto: nothing changes
        call(client)
        return
    with pytest.raises(ClientError) as raised:
        call(client)
    response = raised.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"].startswith(f"not emulated by the sandbox: {operation} (")


@pytest.mark.parametrize(
    "auth",
    [
        {"BasicAuthParameters": {"Username": "u", "Password": "p"}},
        {**API_KEY, "BasicAuthParameters": {"Username": "u", "Password": "p"}},
        {"InvocationHttpParameters": {"HeaderParameters": []}},
    ],
    ids=["basic-under-api-key", "both", "none"],
)
def test_a_connection_takes_the_parameters_of_its_authorization_type_only(raw, auth):
    """CreateConnectionAuthRequestParameters: API_KEY takes ApiKeyAuthParameters (the API
    reference and eb-target-connection-auth.html); the sentence is the sandbox's."""
    error = _refusal(
        raw("events").create_connection,
        Name="private-api",
        AuthorizationType="API_KEY",
        AuthParameters=auth,
    )
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(
        "A connection with AuthorizationType API_KEY takes AuthParameters.ApiKeyAuthParameters"
    )


def test_a_list_of_scalars_is_refused_once_naming_all_the_members_constraints(raw):
    """Recorded from AWS (CloudFormation CreateStackInstances, moto's own test): "Value
    '[unknown]' at 'deploymentTargets.organizationalUnitIds' failed to satisfy constraint:
    Member must satisfy constraint: [Member must have length less than or equal to 68, Member
    must have length greater than or equal to 6, Member must satisfy regular expression
    pattern: ^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$]"."""
    error = _refusal(
        raw("cloudformation").create_stack_instances,
        StackSetName="set",
        DeploymentTargets={"OrganizationalUnitIds": ["unknown"]},
        Regions=["us-east-1"],
    )
    # botocore's OrganizationalUnitId carries the pattern but not the 6-68 length AWS also
    # lists, so the sandbox names the constraints the model has, in AWS's form.
    assert error["Message"] == (
        "1 validation error detected: Value '[unknown]' at "
        "'deploymentTargets.organizationalUnitIds' failed to satisfy constraint: Member must "
        "satisfy constraint: [Member must satisfy regular expression "
        "pattern: ^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$]"
    )
