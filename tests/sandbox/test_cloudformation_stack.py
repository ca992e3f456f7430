"""The unmodified synthesized template deploys in the sandbox and deletes without a trace.

In-process (``moto_inprocess``: ``moto.mock_aws()`` with every extension and
the Step Functions interpreter on); every resource is checked through the
boto3 API of its own service, which is where the lab reads it.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from stack_template import template

from cdk_app.private_api import HELLO_RESPONSE_TEMPLATE
from lab.sandbox.inventory import leftovers

ACCOUNT = "123456789012"
REGION = "us-east-1"
STACK = "PrivateApiLab"

OUTPUT_FORMATS = {
    "StandardStateMachineArn": rf"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:[\w-]+",
    "ExpressStateMachineArn": rf"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:[\w-]+",
    "RestApiId": r"[a-z0-9]{10}",
    "ApiRootUrl": rf"https://[a-z0-9]{{10}}\.execute-api\.{REGION}\.amazonaws\.com/prod",
    "VpcId": r"vpc-[0-9a-f]+",
    "VpcEndpointId": r"vpce-[0-9a-f]+",
    "VpcEndpointSecurityGroupId": r"sg-[0-9a-f]+",
    "ResourceGatewayId": r"rgw-[0-9a-f]+",
    "ResourceGatewayArn": rf"arn:aws:vpc-lattice:{REGION}:{ACCOUNT}:resourcegateway/rgw-[0-9a-f]+",
    "ResourceGatewaySecurityGroupId": r"sg-[0-9a-f]+",
    "ResourceConfigurationId": r"rcfg-[0-9a-f]+",
    "ResourceConfigurationArn": (
        rf"arn:aws:vpc-lattice:{REGION}:{ACCOUNT}:resourceconfiguration/rcfg-[0-9a-f]+"
    ),
    "ConnectionName": r"[\w.-]{1,64}",
    "ConnectionArn": rf"arn:aws:events:{REGION}:{ACCOUNT}:connection/[\w.-]+/[0-9a-f-]{{36}}",
    "ApiKeyId": r"[a-z0-9]{10}",
    "UsagePlanId": r"[a-z0-9]{10}",
    "ExpressLogGroupName": r"[\w/.-]+",
}


def create(client, body: str | None = None) -> dict:
    """Create the stack from the synthesized template; return its description."""
    cfn = client("cloudformation")
    started = time.perf_counter()
    cfn.create_stack(
        StackName=STACK,
        TemplateBody=body or json.dumps(template()),
        Capabilities=["CAPABILITY_IAM"],
    )
    print(f"create_stack: {time.perf_counter() - started:.3f} s")
    return cfn.describe_stacks(StackName=STACK)["Stacks"][0]


@pytest.fixture
def deployed(moto_inprocess):
    """The stack created in-process: ``(client factory, outputs)``."""
    stack = create(moto_inprocess)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs = {item["OutputKey"]: item["OutputValue"] for item in stack["Outputs"]}
    return moto_inprocess, outputs


def test_the_synthesized_template_reaches_create_complete(moto_inprocess):
    assert create(moto_inprocess)["StackStatus"] == "CREATE_COMPLETE"


def test_every_output_resolves_to_a_value_of_its_kind(deployed):
    _, outputs = deployed
    malformed = {
        key: outputs.get(key)
        for key, pattern in OUTPUT_FORMATS.items()
        if not re.fullmatch(pattern, outputs.get(key) or "")
    }
    assert malformed == {}


def test_every_resource_is_listed_with_a_physical_id(deployed):
    client, _ = deployed
    summaries = client("cloudformation").list_stack_resources(StackName=STACK)[
        "StackResourceSummaries"
    ]
    assert len(summaries) == len(template()["Resources"])
    assert [s["LogicalResourceId"] for s in summaries if not s["PhysicalResourceId"]] == []


def test_resource_gateway_is_in_the_vpc_with_its_security_group(deployed):
    client, outputs = deployed
    gateway = client("vpc-lattice").get_resource_gateway(
        resourceGatewayIdentifier=outputs["ResourceGatewayId"]
    )
    assert (gateway["arn"], gateway["vpcId"], gateway["securityGroupIds"], gateway["status"]) == (
        outputs["ResourceGatewayArn"],
        outputs["VpcId"],
        [outputs["ResourceGatewaySecurityGroupId"]],
        "ACTIVE",
    )


def test_resource_configuration_targets_the_endpoints_regional_dns_name(deployed):
    client, outputs = deployed
    configuration = client("vpc-lattice").get_resource_configuration(
        resourceConfigurationIdentifier=outputs["ResourceConfigurationId"]
    )
    endpoint = client("ec2").describe_vpc_endpoints(VpcEndpointIds=[outputs["VpcEndpointId"]])[
        "VpcEndpoints"
    ][0]
    dns = configuration["resourceConfigurationDefinition"]["dnsResource"]
    assert (configuration["resourceGatewayId"], dns["domainName"], configuration["portRanges"]) == (
        outputs["ResourceGatewayId"],
        endpoint["DnsEntries"][0]["DnsName"],
        ["443"],
    )


def test_connection_keeps_its_private_connectivity(deployed):
    client, outputs = deployed
    connection = client("events").describe_connection(Name=outputs["ConnectionName"])
    resource = connection["InvocationConnectivityParameters"]["ResourceParameters"]
    assert (connection["ConnectionArn"], resource["ResourceConfigurationArn"]) == (
        outputs["ConnectionArn"],
        outputs["ResourceConfigurationArn"],
    )


def generated_secret(client) -> str:
    """The SecretString of the stack's generated secret."""
    secret_arn = next(
        summary["PhysicalResourceId"]
        for summary in client("cloudformation").list_stack_resources(StackName=STACK)[
            "StackResourceSummaries"
        ]
        if summary["ResourceType"] == "AWS::SecretsManager::Secret"
    )
    return client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]


def test_api_key_value_is_the_generated_secret(deployed):
    client, outputs = deployed
    key = client("apigateway").get_api_key(apiKey=outputs["ApiKeyId"], includeValue=True)
    assert key["value"] == generated_secret(client)


def test_connection_sends_the_generated_secret_as_its_api_key(deployed):
    client, outputs = deployed
    connection = client("events").describe_connection(Name=outputs["ConnectionName"])
    stored = json.loads(
        client("secretsmanager").get_secret_value(SecretId=connection["SecretArn"])["SecretString"]
    )
    assert (stored["api_key_name"], stored["api_key_value"]) == (
        "x-api-key",
        generated_secret(client),
    )


def test_private_api_keeps_its_resource_policy_and_endpoint_type(deployed):
    client, outputs = deployed
    api = client("apigateway").get_rest_api(restApiId=outputs["RestApiId"])
    policy = json.loads(api["policy"])
    conditions = [statement.get("Condition", {}) for statement in policy["Statement"]]
    assert api["endpointConfiguration"]["types"] == ["PRIVATE"]
    assert {"StringEquals": {"aws:SourceVpce": outputs["VpcEndpointId"]}} in conditions


def test_hello_method_is_a_mock_integration_that_requires_an_api_key(deployed):
    client, outputs = deployed
    apigateway = client("apigateway")
    resource = next(
        item
        for item in apigateway.get_resources(restApiId=outputs["RestApiId"])["items"]
        if item["path"] == "/hello"
    )
    method = apigateway.get_method(
        restApiId=outputs["RestApiId"], resourceId=resource["id"], httpMethod="GET"
    )
    response = method["methodIntegration"]["integrationResponses"]["200"]
    assert (method["apiKeyRequired"], method["methodIntegration"]["type"]) == (True, "MOCK")
    assert response["responseTemplates"] == {"application/json": HELLO_RESPONSE_TEMPLATE}


def test_stage_prod_points_at_the_deployment(deployed):
    client, outputs = deployed
    apigateway = client("apigateway")
    stage = apigateway.get_stage(restApiId=outputs["RestApiId"], stageName="prod")
    deployments = apigateway.get_deployments(restApiId=outputs["RestApiId"])["items"]
    assert [deployment["id"] for deployment in deployments] == [stage["deploymentId"]]


def test_usage_plan_holds_the_api_key_for_the_prod_stage(deployed):
    client, outputs = deployed
    apigateway = client("apigateway")
    plan = apigateway.get_usage_plan(usagePlanId=outputs["UsagePlanId"])
    keys = apigateway.get_usage_plan_keys(usagePlanId=outputs["UsagePlanId"])["items"]
    assert plan["apiStages"] == [{"apiId": outputs["RestApiId"], "stage": "prod"}]
    assert [key["id"] for key in keys] == [outputs["ApiKeyId"]]


def test_api_key_is_enabled(deployed):
    client, outputs = deployed
    assert client("apigateway").get_api_key(apiKey=outputs["ApiKeyId"])["enabled"] is True


def test_state_machines_keep_their_types(deployed):
    client, outputs = deployed
    sfn = client("stepfunctions")
    types = [
        sfn.describe_state_machine(stateMachineArn=outputs[key])["type"]
        for key in ("StandardStateMachineArn", "ExpressStateMachineArn")
    ]
    assert types == ["STANDARD", "EXPRESS"]


def test_express_state_machine_logs_to_the_express_log_group(deployed):
    client, outputs = deployed
    machine = client("stepfunctions").describe_state_machine(
        stateMachineArn=outputs["ExpressStateMachineArn"]
    )
    destination = machine["loggingConfiguration"]["destinations"][0]
    log_group_arn = destination["cloudWatchLogsLogGroup"]["logGroupArn"]
    assert log_group_arn == (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{outputs['ExpressLogGroupName']}:*"
    )


def test_state_machines_land_in_the_backend_that_executes(deployed):
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    _, outputs = deployed
    executing = stepfunctions_parser_backends[ACCOUNT][REGION]
    assert {machine.arn for machine in executing.state_machines} == {
        outputs["StandardStateMachineArn"],
        outputs["ExpressStateMachineArn"],
        outputs["JsonataStateMachineArn"],
    }


def test_resource_gateway_security_group_allows_only_https_into_the_vpc(deployed):
    client, outputs = deployed
    group = client("ec2").describe_security_groups(
        GroupIds=[outputs["ResourceGatewaySecurityGroupId"]]
    )["SecurityGroups"][0]
    vpc = client("ec2").describe_vpcs(VpcIds=[outputs["VpcId"]])["Vpcs"][0]
    https = [
        rule
        for rule in group["IpPermissionsEgress"]
        if (rule["IpProtocol"], rule.get("FromPort"), rule.get("ToPort")) == ("tcp", 443, 443)
    ]
    everything = [rule for rule in group["IpPermissionsEgress"] if rule["IpProtocol"] == "-1"]
    assert everything == []
    assert [r["CidrIp"] for rule in https for r in rule["IpRanges"]] == [vpc["CidrBlock"]]


def test_isolated_subnets_are_associated_with_their_route_tables(deployed):
    client, outputs = deployed
    tables = client("ec2").describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [outputs["VpcId"]]}]
    )["RouteTables"]
    associated = [
        association["SubnetId"]
        for table in tables
        for association in table["Associations"]
        if association.get("SubnetId")
    ]
    assert len(associated) == 2


def test_stack_events_report_every_resource_created(deployed):
    client, _ = deployed
    events = client("cloudformation").describe_stack_events(StackName=STACK)["StackEvents"]
    completed = {e["LogicalResourceId"] for e in events if e["ResourceStatus"] == "CREATE_COMPLETE"}
    assert completed == set(template()["Resources"]) | {STACK}


def test_delete_stack_reaches_delete_complete(deployed):
    client, _ = deployed
    cfn = client("cloudformation")
    stack_id = cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackId"]
    started = time.perf_counter()
    cfn.delete_stack(StackName=STACK)
    print(f"delete_stack: {time.perf_counter() - started:.3f} s")
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"


def test_delete_stack_leaves_nothing_behind_in_any_backend(deployed):
    client, _ = deployed
    client("cloudformation").delete_stack(StackName=STACK)
    assert {service: found for service, found in leftovers(ACCOUNT, REGION).items() if found} == {}


def test_describing_a_deleted_stack_creates_nothing_again(deployed):
    client, _ = deployed
    cfn = client("cloudformation")
    stack_id = cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName=STACK)
    cfn.describe_stacks(StackName=stack_id)
    cfn.list_stack_resources(StackName=stack_id)
    assert {service: found for service, found in leftovers(ACCOUNT, REGION).items() if found} == {}
