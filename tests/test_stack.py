"""The synthesized stack: every link of the private path, and what the template must not hold.

All tests share one synthesis (tests/stack_template.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from stack_template import STACK_NAME, flatten_join, only, resources, synthesized, template

from cdk_app import names
from cdk_app.names import lattice_name
from cdk_app.private_api import HELLO_RESPONSE_TEMPLATE

ROOT = Path(__file__).resolve().parent.parent

OUTPUT_KEYS = set(names.OUTPUT_KEYS)
HTTP_RETRY_ERRORS = [f"States.Http.StatusCode.{code}" for code in (429, 502, 503, 504)]
WARMUP_ERRORS = [
    "Events.ConnectionResource.InvalidPrivateConnectionState",
    "Events.ConnectionResource.AuthInProgress",
    "Events.ConnectionResource.ConcurrentModification",
]


@pytest.fixture(scope="module")
def tpl() -> dict:
    return template()


def _vpc_cidr(tpl) -> str:
    return only(tpl, "AWS::EC2::VPC")[1]["Properties"]["CidrBlock"]


def _sg_id_of(resource_id: str) -> dict:
    return {"Fn::GetAtt": [resource_id, "GroupId"]}


def _definition(state_machine: dict) -> dict:
    """The state machine definition as JSON, with ``${…}`` placeholders for references."""
    return json.loads(flatten_join(state_machine["Properties"]["DefinitionString"]))


def _http_task(state_machine: dict) -> dict:
    definition = _definition(state_machine)
    tasks = [s for s in definition["States"].values() if s["Type"] == "Task"]
    assert len(tasks) == 1, definition
    return tasks[0]


def _state_machines(tpl) -> dict[str, dict]:
    """State machine type (JSONATA for the JSONata twin, a STANDARD one) -> resource."""
    machines = resources(tpl, "AWS::StepFunctions::StateMachine").values()
    by_kind = {}
    for machine in machines:
        kind = machine["Properties"]["StateMachineType"]
        if _definition(machine).get("QueryLanguage") == "JSONata":
            kind = "JSONATA"
        assert kind not in by_kind, kind
        by_kind[kind] = machine
    return by_kind


def test_the_jsonata_twin_calls_the_same_url_with_invocation_config_and_reshapes_output(tpl):
    """HttpInvoke.jsonata: Arguments (ApiEndpoint, Method, InvocationConfig.ConnectionArn) and an
    Output over $states.result (https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html)."""
    machines = _state_machines(tpl)
    assert machines["JSONATA"]["Properties"]["StateMachineType"] == "STANDARD"
    task = _http_task(machines["JSONATA"])
    arguments = task["Arguments"]
    assert set(arguments) == {"ApiEndpoint", "Method", "Headers", "InvocationConfig"}
    assert arguments["InvocationConfig"]["ConnectionArn"].startswith("${PrivateConnection")
    assert arguments["Headers"] == {"x-lab-execution": "{% $states.context.Execution.Name %}"}
    assert set(task["Output"]) == {"status", "body", "execution"}
    jsonpath_retry = _http_task(machines["STANDARD"])["Retry"]
    assert task["Retry"] == jsonpath_retry


# --- network --------------------------------------------------------------------------------


def test_vpc_has_two_isolated_subnets_and_no_way_to_the_internet(tpl):
    subnets = resources(tpl, "AWS::EC2::Subnet").values()
    assert len(subnets) == 2
    assert all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in subnets)
    internet = {
        "AWS::EC2::InternetGateway",
        "AWS::EC2::NatGateway",
        "AWS::EC2::EIP",
        "AWS::EC2::Route",
        "AWS::EC2::VPCGatewayAttachment",
    }
    assert internet.isdisjoint(r["Type"] for r in tpl["Resources"].values())


def test_subnet_azs_are_picked_at_deploy_time_so_the_template_is_portable(tpl):
    azs = sorted(
        (s["Properties"]["AvailabilityZone"] for s in resources(tpl, "AWS::EC2::Subnet").values()),
        key=json.dumps,
    )
    assert azs == [
        {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
        {"Fn::Select": [1, {"Fn::GetAZs": ""}]},
    ]
    assert "dummy" not in synthesized().template_json


def test_committed_context_pins_no_account_or_region_lookups():
    context = json.loads((ROOT / "cdk.context.json").read_text())
    assert not [key for key in context if ":account=" in key or ":region=" in key]


def test_no_custom_resources_or_lambdas(tpl):
    types = {r["Type"] for r in tpl["Resources"].values()}
    assert not [t for t in types if t.startswith("Custom::") or t.startswith("AWS::Lambda::")]
    assert "AWS::CloudFormation::CustomResource" not in types


def test_execute_api_endpoint_has_private_dns_in_the_isolated_subnets(tpl):
    endpoint = only(tpl, "AWS::EC2::VPCEndpoint")[1]["Properties"]
    assert endpoint["VpcEndpointType"] == "Interface"
    assert endpoint["PrivateDnsEnabled"] is True
    assert flatten_join(endpoint["ServiceName"]) == "com.amazonaws.${AWS::Region}.execute-api"
    assert sorted(endpoint["SubnetIds"], key=json.dumps) == sorted(
        ({"Ref": i} for i in resources(tpl, "AWS::EC2::Subnet")), key=json.dumps
    )


def _security_group_of_endpoint(tpl) -> dict:
    endpoint = only(tpl, "AWS::EC2::VPCEndpoint")[1]["Properties"]
    [group_ref] = endpoint["SecurityGroupIds"]
    return tpl["Resources"][group_ref["Fn::GetAtt"][0]]["Properties"]


def test_endpoint_security_group_admits_only_https_from_the_vpc(tpl):
    group = _security_group_of_endpoint(tpl)
    rules = [
        {k: v for k, v in rule.items() if k != "Description"}
        for rule in group["SecurityGroupIngress"]
    ]
    assert rules == [
        {"CidrIp": _vpc_cidr(tpl), "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    ]


def test_no_security_group_rule_lives_outside_its_group(tpl):
    # Stand-alone rule resources would escape the two tests above and below.
    assert not resources(tpl, "AWS::EC2::SecurityGroupIngress")
    assert not resources(tpl, "AWS::EC2::SecurityGroupEgress")


# --- private API ----------------------------------------------------------------------------


def test_rest_api_is_private(tpl):
    api = only(tpl, "AWS::ApiGateway::RestApi")[1]["Properties"]
    assert api["EndpointConfiguration"]["Types"] == ["PRIVATE"]


def test_resource_policy_allows_invoke_only_through_the_lab_endpoint(tpl):
    endpoint_id = only(tpl, "AWS::EC2::VPCEndpoint")[0]
    [statement] = only(tpl, "AWS::ApiGateway::RestApi")[1]["Properties"]["Policy"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "execute-api:Invoke"
    assert statement["Condition"] == {"StringEquals": {"aws:SourceVpce": {"Ref": endpoint_id}}}


def _method(tpl, path_part: str) -> dict:
    """The one method on the resource ``/<path_part>``."""
    [resource_id] = [
        logical_id
        for logical_id, resource in resources(tpl, "AWS::ApiGateway::Resource").items()
        if resource["Properties"]["PathPart"] == path_part
    ]
    [method] = [
        m["Properties"]
        for m in resources(tpl, "AWS::ApiGateway::Method").values()
        if m["Properties"]["ResourceId"] == {"Ref": resource_id}
    ]
    return method


def test_the_api_has_exactly_get_hello_and_post_events(tpl):
    paths = sorted(
        r["Properties"]["PathPart"] for r in resources(tpl, "AWS::ApiGateway::Resource").values()
    )
    assert paths == ["events", "hello"]
    assert len(resources(tpl, "AWS::ApiGateway::Method")) == 2


def test_hello_get_requires_the_api_key(tpl):
    method = _method(tpl, "hello")
    assert method["HttpMethod"] == "GET"
    assert method["ApiKeyRequired"] is True


def test_events_post_requires_the_api_key(tpl):
    method = _method(tpl, "events")
    assert method["HttpMethod"] == "POST"
    assert method["ApiKeyRequired"] is True
    assert method["AuthorizationType"] == "NONE"


def test_events_post_is_a_mock_reporting_what_api_gateway_saw(tpl):
    integration = _method(tpl, "events")["Integration"]
    assert integration["Type"] == "MOCK"
    [response] = integration["IntegrationResponses"]
    assert response["StatusCode"] == "200"
    template = response["ResponseTemplates"]["application/json"]
    for reference in ("$context.requestId", "$context.identity.vpceId", "$context.httpMethod"):
        assert reference in template


def test_hello_is_a_mock_integration_answering_200_with_what_it_saw(tpl):
    integration = _method(tpl, "hello")["Integration"]
    assert integration["Type"] == "MOCK"
    assert integration["RequestTemplates"] == {"application/json": '{"statusCode": 200}'}
    [response] = integration["IntegrationResponses"]
    assert response["StatusCode"] == "200"
    assert response["ResponseTemplates"] == {"application/json": HELLO_RESPONSE_TEMPLATE}


def test_events_template_never_shows_the_key_value():
    from cdk_app.private_api import EVENTS_RESPONSE_TEMPLATE

    assert set(re.findall(r"\$context\.identity\.apiKey\w*", EVENTS_RESPONSE_TEMPLATE)) == {
        "$context.identity.apiKeyId"
    }
    assert '"event received by the private API"' in EVENTS_RESPONSE_TEMPLATE


def test_hellos_template_reports_api_gateways_context_and_never_the_key_value():
    for variable in (
        "$context.requestId",
        "$context.requestTimeEpoch",
        "$context.identity.sourceIp",
        "$context.identity.vpceId",
        "$context.identity.userAgent",
        "$context.identity.apiKeyId",
        "$context.resourcePath",
        "$context.httpMethod",
        "$context.stage",
        "$input.params()",
    ):
        assert variable in HELLO_RESPONSE_TEMPLATE, variable
    # $context.identity.apiKey is the key's value: only ...apiKeyId may appear.
    assert set(re.findall(r"\$context\.identity\.apiKey\w*", HELLO_RESPONSE_TEMPLATE)) == {
        "$context.identity.apiKeyId"
    }


def test_usage_plan_binds_the_api_key_to_the_prod_stage(tpl):
    plan_id, plan = only(tpl, "AWS::ApiGateway::UsagePlan")
    stage_id, stage = only(tpl, "AWS::ApiGateway::Stage")
    assert stage["Properties"]["StageName"] == "prod"
    [api_stage] = plan["Properties"]["ApiStages"]
    assert api_stage["Stage"] == {"Ref": stage_id}
    key = only(tpl, "AWS::ApiGateway::UsagePlanKey")[1]["Properties"]
    assert key["UsagePlanId"] == {"Ref": plan_id}
    assert key["KeyId"] == {"Ref": only(tpl, "AWS::ApiGateway::ApiKey")[0]}


def test_api_key_value_is_a_secrets_manager_reference_not_plaintext(tpl):
    secret_id, secret = only(tpl, "AWS::SecretsManager::Secret")
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 20
    value = only(tpl, "AWS::ApiGateway::ApiKey")[1]["Properties"]["Value"]
    assert flatten_join(value) == "{{resolve:secretsmanager:${" + secret_id + "}:SecretString:::}}"


def test_api_gateway_account_settings_are_left_alone(tpl):
    # cloud_watch_role=False: no account-wide CloudWatch role for API Gateway.
    assert not resources(tpl, "AWS::ApiGateway::Account")


# --- VPC Lattice ----------------------------------------------------------------------------


def test_resource_gateway_is_ipv4_in_the_isolated_subnets_with_its_own_group(tpl):
    gateway = only(tpl, "AWS::VpcLattice::ResourceGateway")[1]["Properties"]
    assert gateway["IpAddressType"] == "IPV4"
    assert gateway["VpcIdentifier"] == {"Ref": only(tpl, "AWS::EC2::VPC")[0]}
    assert sorted(gateway["SubnetIds"], key=json.dumps) == sorted(
        ({"Ref": i} for i in resources(tpl, "AWS::EC2::Subnet")), key=json.dumps
    )
    [group] = gateway["SecurityGroupIds"]
    assert group != _security_group_of_endpoint(tpl)


def test_resource_gateway_security_group_sends_only_https_to_the_vpc(tpl):
    gateway = only(tpl, "AWS::VpcLattice::ResourceGateway")[1]["Properties"]
    [group_ref] = gateway["SecurityGroupIds"]
    group = tpl["Resources"][group_ref["Fn::GetAtt"][0]]["Properties"]
    rules = [
        {k: v for k, v in rule.items() if k != "Description"}
        for rule in group["SecurityGroupEgress"]
    ]
    assert rules == [
        {"CidrIp": _vpc_cidr(tpl), "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    ]
    assert "SecurityGroupIngress" not in group


def test_resource_configuration_is_one_dns_resource_on_port_443(tpl):
    gateway_id = only(tpl, "AWS::VpcLattice::ResourceGateway")[0]
    config = only(tpl, "AWS::VpcLattice::ResourceConfiguration")[1]["Properties"]
    assert config["ResourceConfigurationType"] == "SINGLE"
    assert config["PortRanges"] == ["443"]
    assert config["ResourceGatewayId"] == {"Fn::GetAtt": [gateway_id, "Id"]}
    assert config["ResourceConfigurationDefinition"]["DnsResource"]["IpAddressType"] == "IPV4"


def test_resource_configuration_dns_name_is_the_endpoints_regional_name(tpl):
    endpoint_id = only(tpl, "AWS::EC2::VPCEndpoint")[0]
    config = only(tpl, "AWS::VpcLattice::ResourceConfiguration")[1]["Properties"]
    # DnsEntries[0] is "<zone>:vpce-….execute-api.<region>.vpce.amazonaws.com".
    assert config["ResourceConfigurationDefinition"]["DnsResource"]["DomainName"] == {
        "Fn::Select": [
            1,
            {"Fn::Split": [":", {"Fn::Select": [0, {"Fn::GetAtt": [endpoint_id, "DnsEntries"]}]}]},
        ]
    }


def test_lattice_names_are_derived_from_the_stack_name(tpl):
    gateway = only(tpl, "AWS::VpcLattice::ResourceGateway")[1]["Properties"]
    config = only(tpl, "AWS::VpcLattice::ResourceConfiguration")[1]["Properties"]
    assert gateway["Name"] == lattice_name(STACK_NAME, "rgw") == "privateapilab-rgw"
    assert config["Name"] == lattice_name(STACK_NAME, "rcfg") == "privateapilab-rcfg"


# Same rules as botocore's ResourceGatewayName / ResourceConfigurationName shapes.
_LATTICE_NAME = re.compile(r"^(?!rgw-)(?!rcfg-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]{3,40}$")


@pytest.mark.parametrize(
    "stack_name",
    ["PrivateApiLab", "a", "My_Lab--Stack-", "rgw-lab", "RCFG", "x" * 128, "Lab-" + "9" * 60],
)
@pytest.mark.parametrize("suffix", ["rgw", "rcfg"])
def test_lattice_name_is_valid_for_any_stack_name(stack_name, suffix):
    name = lattice_name(stack_name, suffix)
    assert _LATTICE_NAME.match(name), name
    assert name.endswith(f"-{suffix}")


# --- EventBridge connection -----------------------------------------------------------------


def test_connection_authenticates_with_the_api_key_header_from_the_secret(tpl):
    secret_id = only(tpl, "AWS::SecretsManager::Secret")[0]
    connection = only(tpl, "AWS::Events::Connection")[1]["Properties"]
    assert connection["AuthorizationType"] == "API_KEY"
    params = connection["AuthParameters"]["ApiKeyAuthParameters"]
    assert params["ApiKeyName"] == "x-api-key"
    assert flatten_join(params["ApiKeyValue"]) == (
        "{{resolve:secretsmanager:${" + secret_id + "}:SecretString:::}}"
    )


def test_connection_reaches_the_vpc_through_the_resource_configuration(tpl):
    config_id = only(tpl, "AWS::VpcLattice::ResourceConfiguration")[0]
    connection = only(tpl, "AWS::Events::Connection")[1]["Properties"]
    assert connection["InvocationConnectivityParameters"] == {
        "ResourceParameters": {"ResourceConfigurationArn": {"Fn::GetAtt": [config_id, "Arn"]}}
    }


def test_no_property_override_in_the_app_sources():
    offenders = [
        path.name
        for path in (ROOT / "cdk_app").rglob("*.py")
        if "add_property_override" in path.read_text()
    ]
    assert offenders == []


# --- state machines -------------------------------------------------------------------------


def test_one_standard_one_express_and_a_jsonata_twin(tpl):
    assert sorted(_state_machines(tpl)) == ["EXPRESS", "JSONATA", "STANDARD"]


def test_express_logs_everything_to_the_log_group_named_in_the_outputs(tpl):
    logging = _state_machines(tpl)["EXPRESS"]["Properties"]["LoggingConfiguration"]
    assert logging["Level"] == "ALL"
    assert logging["IncludeExecutionData"] is True
    [destination] = logging["Destinations"]
    log_group_id = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    assert tpl["Resources"][log_group_id]["Type"] == "AWS::Logs::LogGroup"
    assert tpl["Outputs"]["ExpressLogGroupName"]["Value"] == {"Ref": log_group_id}


def test_log_groups_are_deleted_with_the_stack(tpl):
    for group in resources(tpl, "AWS::Logs::LogGroup").values():
        assert group["DeletionPolicy"] == "Delete"


@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_http_task_gets_hello_under_the_api_root_without_a_double_slash(tpl, machine_type):
    task = _http_task(_state_machines(tpl)[machine_type])
    assert task["Resource"] == "arn:${AWS::Partition}:states:::http:invoke"
    params = task["Parameters"]
    assert params["Method"] == "GET"
    root = flatten_join(tpl["Outputs"]["ApiRootUrl"]["Value"])
    assert params["ApiEndpoint"] == root + "/hello"
    assert "//" not in params["ApiEndpoint"].removeprefix("https://")


def test_api_root_url_output_is_the_stage_url_without_trailing_slash(tpl):
    api_id = only(tpl, "AWS::ApiGateway::RestApi")[0]
    stage_id = only(tpl, "AWS::ApiGateway::Stage")[0]
    assert flatten_join(tpl["Outputs"]["ApiRootUrl"]["Value"]) == (
        "https://${" + api_id + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${" + stage_id + "}"
    )


@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_http_task_authenticates_with_the_connection_and_names_the_execution(tpl, machine_type):
    connection_id = only(tpl, "AWS::Events::Connection")[0]
    params = _http_task(_state_machines(tpl)[machine_type])["Parameters"]
    assert params["Authentication"] == {"ConnectionArn": "${" + connection_id + ".Arn}"}
    assert params["Headers"] == {"x-lab-execution.$": "$$.Execution.Name"}


@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_http_task_retries_throttling_and_gateway_errors_with_full_jitter(tpl, machine_type):
    retry = _http_task(_state_machines(tpl)[machine_type])["Retry"]
    [http] = [r for r in retry if r["ErrorEquals"] == HTTP_RETRY_ERRORS]
    assert http["BackoffRate"] >= 2
    assert http["JitterStrategy"] == "FULL"


@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_connection_warmup_retry_is_short_so_broken_labs_fail_fast(tpl, machine_type):
    retry = _http_task(_state_machines(tpl)[machine_type])["Retry"]
    [warmup] = [r for r in retry if r["ErrorEquals"] == WARMUP_ERRORS]
    assert warmup["JitterStrategy"] == "FULL"
    assert warmup["BackoffRate"] == 2
    # Worst case: sum of the capped delays between attempts.
    delays = [
        min(warmup["IntervalSeconds"] * warmup["BackoffRate"] ** n, warmup["MaxDelaySeconds"])
        for n in range(warmup["MaxAttempts"])
    ]
    assert sum(delays) <= 10


@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_execution_role_may_call_only_urls_under_the_api_root(tpl, machine_type):
    machine = _state_machines(tpl)[machine_type]
    role_id = machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    [policy] = [
        p
        for p in resources(tpl, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    [statement] = [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s["Action"] == "states:InvokeHTTPEndpoint"
    ]
    root = flatten_join(tpl["Outputs"]["ApiRootUrl"]["Value"])
    condition = statement["Condition"]["StringLike"]["states:HTTPEndpoint"]
    assert flatten_join(condition) == root + "*"


@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_state_machines_trace_with_xray(tpl, machine_type):
    assert _state_machines(tpl)[machine_type]["Properties"]["TracingConfiguration"] == {
        "Enabled": True
    }


# --- EventBridge API destination (the second consumer of the connection) ----------------------


def _rule(tpl) -> dict:
    return only(tpl, "AWS::Events::Rule")[1]["Properties"]


def _api_destination_target(tpl) -> dict:
    [target] = _rule(tpl)["Targets"]
    return target


def test_rule_lives_on_the_labs_own_event_bus(tpl):
    bus_id, bus = only(tpl, "AWS::Events::EventBus")
    assert bus["Properties"]["Name"] == f"{STACK_NAME}-events"
    assert _rule(tpl)["EventBusName"] == {"Ref": bus_id}


def test_rule_matches_only_the_labs_events(tpl):
    assert _rule(tpl)["EventPattern"] == {
        "source": ["lab.private-api"],
        "detail-type": ["LabEvent"],
    }
    assert _rule(tpl)["State"] == "ENABLED"


def test_api_destination_uses_the_same_private_connection_as_the_http_task(tpl):
    connection_id = only(tpl, "AWS::Events::Connection")[0]
    destination = only(tpl, "AWS::Events::ApiDestination")[1]["Properties"]
    assert destination["ConnectionArn"] == {"Fn::GetAtt": [connection_id, "Arn"]}
    machines = _state_machines(tpl).values()
    for machine in machines:
        task = _http_task(machine)
        connection = (
            task["Arguments"]["InvocationConfig"]
            if "Arguments" in task
            else task["Parameters"]["Authentication"]
        )
        assert connection["ConnectionArn"] == "${" + connection_id + ".Arn}"


def test_api_destination_posts_to_events_under_the_api_root_at_a_set_rate(tpl):
    destination = only(tpl, "AWS::Events::ApiDestination")[1]["Properties"]
    root = flatten_join(tpl["Outputs"]["ApiRootUrl"]["Value"])
    assert destination["HttpMethod"] == "POST"
    assert flatten_join(destination["InvocationEndpoint"]) == root + "/events"
    assert 1 <= destination["InvocationRateLimitPerSecond"] <= 300


def test_target_is_the_api_destination_with_a_role_that_may_invoke_only_it(tpl):
    destination_id = only(tpl, "AWS::Events::ApiDestination")[0]
    target = _api_destination_target(tpl)
    assert target["Arn"] == {"Fn::GetAtt": [destination_id, "Arn"]}
    role_id = target["RoleArn"]["Fn::GetAtt"][0]
    role = tpl["Resources"][role_id]["Properties"]
    [principal] = [s["Principal"] for s in role["AssumeRolePolicyDocument"]["Statement"]]
    assert principal == {"Service": "events.amazonaws.com"}
    [policy] = [
        p["Properties"]["PolicyDocument"]
        for p in resources(tpl, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    [statement] = policy["Statement"]
    assert statement["Action"] == "events:InvokeApiDestination"
    assert statement["Resource"] == {"Fn::GetAtt": [destination_id, "Arn"]}


def test_target_retries_briefly_then_dead_letters(tpl):
    target = _api_destination_target(tpl)
    policy = target["RetryPolicy"]
    assert 0 <= policy["MaximumRetryAttempts"] <= 185
    assert 60 <= policy["MaximumEventAgeInSeconds"] <= 86_400
    queue_id = only(tpl, "AWS::SQS::Queue")[0]
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue_id, "Arn"]}}


def test_target_transforms_the_event_into_id_source_type_time_and_detail(tpl):
    transformer = _api_destination_target(tpl)["InputTransformer"]
    assert transformer["InputPathsMap"] == {
        "id": "$.id",
        "source": "$.source",
        "detail-type": "$.detail-type",
        "time": "$.time",
        "detail": "$.detail",
    }
    template = transformer["InputTemplate"]
    for placeholder in ("<id>", "<source>", "<detail-type>", "<time>", "<detail>"):
        assert placeholder in template
    assert "InputPath" not in _api_destination_target(tpl)


def test_dead_letter_queue_admits_eventbridge_for_this_rule_only_and_tls_only(tpl):
    queue_id = only(tpl, "AWS::SQS::Queue")[0]
    rule_id = only(tpl, "AWS::Events::Rule")[0]
    policy = only(tpl, "AWS::SQS::QueuePolicy")[1]["Properties"]
    assert policy["Queues"] == [{"Ref": queue_id}]
    statements = policy["PolicyDocument"]["Statement"]
    [allow] = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    assert allow["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}}
    [deny] = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_dead_letter_queue_is_encrypted_and_deleted_with_the_stack(tpl):
    queue = only(tpl, "AWS::SQS::Queue")[1]
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["DeletionPolicy"] == "Delete"


def test_the_dead_letter_queue_gets_a_new_name_on_every_deploy(tpl):
    """SQS refuses a queue name deleted less than 60 s ago (QueueDeletedRecently, botocore's
    SQS model): a fixed name fails a quick destroy-and-deploy. Without QueueName,
    CloudFormation generates ``<stack>-<logical id>-<random>`` on each create."""
    assert "QueueName" not in only(tpl, "AWS::SQS::Queue")[1]["Properties"]


def test_delivery_settings_refuse_values_eventbridge_refuses():
    from aws_cdk import Duration

    from cdk_app.event_delivery import DeliverySettings

    with pytest.raises(ValueError, match="rate_limit_per_second"):
        DeliverySettings(rate_limit_per_second=301)
    with pytest.raises(ValueError, match="retry_attempts"):
        DeliverySettings(retry_attempts=186)
    with pytest.raises(ValueError, match="max_event_age"):
        DeliverySettings(max_event_age=Duration.seconds(59))


# --- template as a whole --------------------------------------------------------------------


def test_outputs_are_exactly_the_shared_contract(tpl):
    assert set(tpl["Outputs"]) == OUTPUT_KEYS


def test_outputs_point_at_the_resources_they_name(tpl):
    outputs = {key: output["Value"] for key, output in tpl["Outputs"].items()}
    assert outputs["VpcEndpointId"] == {"Ref": only(tpl, "AWS::EC2::VPCEndpoint")[0]}
    gateway_id = only(tpl, "AWS::VpcLattice::ResourceGateway")[0]
    config_id = only(tpl, "AWS::VpcLattice::ResourceConfiguration")[0]
    assert outputs["ResourceGatewayId"] == {"Fn::GetAtt": [gateway_id, "Id"]}
    assert outputs["ResourceConfigurationArn"] == {"Fn::GetAtt": [config_id, "Arn"]}
    gateway = tpl["Resources"][gateway_id]["Properties"]
    assert [outputs["ResourceGatewaySecurityGroupId"]] == gateway["SecurityGroupIds"]
    endpoint = only(tpl, "AWS::EC2::VPCEndpoint")[1]["Properties"]
    assert [outputs["VpcEndpointSecurityGroupId"]] == endpoint["SecurityGroupIds"]
    standard_id = [
        k
        for k, v in resources(tpl, "AWS::StepFunctions::StateMachine").items()
        if v["Properties"]["StateMachineType"] == "STANDARD"
    ][0]
    assert outputs["StandardStateMachineArn"] == {"Ref": standard_id}
    assert outputs["ApiDestinationArn"] == {
        "Fn::GetAtt": [only(tpl, "AWS::Events::ApiDestination")[0], "Arn"]
    }
    assert outputs["EventRuleArn"] == {"Fn::GetAtt": [only(tpl, "AWS::Events::Rule")[0], "Arn"]}
    queue_id = only(tpl, "AWS::SQS::Queue")[0]
    assert outputs["EventDeadLetterQueueUrl"] == {"Ref": queue_id}


def test_no_cdk_metadata_and_no_bootstrap_leftovers(tpl):
    assert not resources(tpl, "AWS::CDK::Metadata")
    assert "Parameters" not in tpl  # BootstrapVersion
    assert "Rules" not in tpl  # CheckBootstrapVersion
    assert "Conditions" not in tpl  # CDKMetadataAvailable


def test_cloud_assembly_has_no_assets():
    assembly = synthesized().assembly
    stack = assembly.get_stack_by_name(STACK_NAME)
    assert stack.assets == []
    manifest = json.loads((synthesized().outdir / "manifest.json").read_text())
    kinds = {artifact["type"] for artifact in manifest["artifacts"].values()}
    assert "cdk:asset-manifest" not in kinds
    assert [k for k in kinds if k == "aws:cloudformation:stack"] == ["aws:cloudformation:stack"]


def test_adding_an_asset_fails_synth_loudly(tmp_path):
    from aws_cdk import aws_s3_assets

    from cdk_app.app import build_app

    _app, stack = build_app("AssetProbe", tmp_path)
    with pytest.raises(Exception, match="Cannot add assets"):
        aws_s3_assets.Asset(stack, "Probe", path=__file__)


def test_python_m_cdk_app_writes_the_named_stack_and_prints_no_banner(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSII_SILENCE")}
    env["LAB_STACK_NAME"] = "OtherLab"
    done = subprocess.run(
        [sys.executable, "-m", "cdk_app", "--out", str(tmp_path / "out")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "out" / "OtherLab.template.json")
    assert done.stderr == ""
    written = json.loads(Path(done.stdout.strip()).read_text())
    assert only(written, "AWS::VpcLattice::ResourceGateway")[1]["Properties"]["Name"] == (
        "otherlab-rgw"
    )


def _tiny_assembly(tmp_path, *stack_names: str, error: str | None = None):
    import aws_cdk as cdk

    app = cdk.App(outdir=str(tmp_path), builtin_cloud_formation_validation=False)
    stacks = [
        cdk.Stack(app, name, synthesizer=cdk.BootstraplessSynthesizer()) for name in stack_names
    ]
    if error:
        cdk.Annotations.of(stacks[0]).add_error(error)
    return app.synth()


def test_check_assembly_refuses_a_second_stack(tmp_path):
    from cdk_app.app import check_assembly

    with pytest.raises(RuntimeError, match="more than the one stack template"):
        check_assembly(_tiny_assembly(tmp_path, "Lab", "Extra"), "Lab")


def test_check_assembly_raises_cdk_error_annotations(tmp_path):
    from cdk_app.app import check_assembly

    with pytest.raises(RuntimeError, match="broken on purpose"):
        check_assembly(_tiny_assembly(tmp_path, "Lab", error="broken on purpose"), "Lab")
