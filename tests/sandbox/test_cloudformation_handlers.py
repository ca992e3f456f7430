"""Sandbox CloudFormation handlers on small templates: the cases the lab template does not cover."""

from __future__ import annotations

import json

import pytest

ACCOUNT = "123456789012"
REGION = "us-east-1"


def deploy(client, resources: dict, outputs: dict | None = None) -> dict:
    """Create a stack from ``resources``; return its description."""
    cfn = client("cloudformation")
    body = {"Resources": resources, "Outputs": outputs or {}}
    stack_id = cfn.create_stack(StackName="small", TemplateBody=json.dumps(body))["StackId"]
    return cfn.describe_stacks(StackName=stack_id)["Stacks"][0]


def output(stack: dict, key: str) -> str:
    return next(item["OutputValue"] for item in stack["Outputs"] if item["OutputKey"] == key)


def failure_reasons(client, stack: dict) -> list[str]:
    found = client("cloudformation").describe_stack_events(StackName=stack["StackId"])
    return [
        event.get("ResourceStatusReason", "")
        for event in found["StackEvents"]
        if event["ResourceStatus"] == "CREATE_FAILED"
    ]


SECRET_WITH_KEY = {
    "Secret": {
        "Type": "AWS::SecretsManager::Secret",
        "Properties": {
            "Name": "lab-secret",
            "GenerateSecretString": {
                "SecretStringTemplate": json.dumps({"user": "lab"}),
                "GenerateStringKey": "apiKey",
                "PasswordLength": 24,
                "ExcludePunctuation": True,
            },
        },
    }
}


def test_generated_secret_fills_the_key_of_its_template(moto_inprocess):
    deploy(moto_inprocess, SECRET_WITH_KEY)
    value = json.loads(
        moto_inprocess("secretsmanager").get_secret_value(SecretId="lab-secret")["SecretString"]
    )
    assert (value["user"], len(value["apiKey"]), value["apiKey"].isalnum()) == ("lab", 24, True)


def test_secret_ref_and_get_att_id_are_its_arn(moto_inprocess):
    stack = deploy(
        moto_inprocess,
        SECRET_WITH_KEY,
        {"Ref": {"Value": {"Ref": "Secret"}}, "Id": {"Value": {"Fn::GetAtt": ["Secret", "Id"]}}},
    )
    arn = moto_inprocess("secretsmanager").describe_secret(SecretId="lab-secret")["ARN"]
    assert (output(stack, "Ref"), output(stack, "Id")) == (arn, arn)


def test_dynamic_reference_by_name_and_json_key_resolves(moto_inprocess):
    resources = {
        **SECRET_WITH_KEY,
        "Key": {
            "Type": "AWS::ApiGateway::ApiKey",
            "DependsOn": "Secret",
            "Properties": {
                "Enabled": True,
                "Value": "{{resolve:secretsmanager:lab-secret:SecretString:apiKey}}",
            },
        },
    }
    stack = deploy(moto_inprocess, resources, {"KeyId": {"Value": {"Ref": "Key"}}})
    key = moto_inprocess("apigateway").get_api_key(apiKey=output(stack, "KeyId"), includeValue=True)
    secret = moto_inprocess("secretsmanager").get_secret_value(SecretId="lab-secret")
    assert key["value"] == json.loads(secret["SecretString"])["apiKey"]


def test_dynamic_reference_to_a_missing_secret_fails_the_resource_by_name(moto_inprocess):
    resources = {
        "Group": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": "{{resolve:secretsmanager:nowhere:SecretString:x}}"},
        }
    }
    stack = deploy(moto_inprocess, resources)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any(
        "secret nowhere was not found" in text for text in failure_reasons(moto_inprocess, stack)
    )


def test_dynamic_reference_to_a_missing_json_key_fails(moto_inprocess):
    resources = {
        **SECRET_WITH_KEY,
        "Group": {
            "Type": "AWS::Logs::LogGroup",
            "DependsOn": "Secret",
            "Properties": {
                "LogGroupName": "{{resolve:secretsmanager:lab-secret:SecretString:nokey}}"
            },
        },
    }
    stack = deploy(moto_inprocess, resources)
    assert any("no JSON key 'nokey'" in text for text in failure_reasons(moto_inprocess, stack))


@pytest.fixture
def api(moto_inprocess):
    """A small REST API with a MOCK GET / and a stage ``v1``; yields (client, outputs)."""
    resources = {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "small"}},
        "Get": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                "HttpMethod": "GET",
                "AuthorizationType": "NONE",
                "Integration": {"Type": "MOCK"},
            },
        },
        "Deployment": {
            "Type": "AWS::ApiGateway::Deployment",
            "DependsOn": "Get",
            "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "v1"},
        },
        "Key": {
            "Type": "AWS::ApiGateway::ApiKey",
            "DependsOn": "Deployment",
            "Properties": {"StageKeys": [{"RestApiId": {"Ref": "Api"}, "StageName": "v1"}]},
        },
    }
    outputs = {"Api": {"Value": {"Ref": "Api"}}, "Key": {"Value": {"Ref": "Key"}}}
    stack = deploy(moto_inprocess, resources, outputs)
    return moto_inprocess, {key: output(stack, key) for key in outputs}


def test_api_key_stage_keys_name_api_and_stage(api):
    client, outputs = api
    key = client("apigateway").get_api_key(apiKey=outputs["Key"])
    assert key["stageKeys"] == [f"{outputs['Api']}/v1"]


def test_api_key_is_disabled_unless_enabled_as_on_aws(api):
    client, outputs = api
    assert client("apigateway").get_api_key(apiKey=outputs["Key"])["enabled"] is False


def test_deployment_with_a_stage_name_creates_the_stage(api):
    client, outputs = api
    stages = client("apigateway").get_stages(restApiId=outputs["Api"])["item"]
    assert [stage["stageName"] for stage in stages] == ["v1"]


def test_deleting_a_deployment_with_a_stage_name_deletes_both(api):
    client, _ = api
    client("cloudformation").delete_stack(StackName="small")
    assert client("apigateway").get_rest_apis()["items"] == []


def test_security_group_without_egress_rules_keeps_the_default_egress(moto_inprocess):
    resources = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}},
        "Group": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "open egress", "VpcId": {"Ref": "Vpc"}},
        },
    }
    stack = deploy(moto_inprocess, resources, {"Group": {"Value": {"Ref": "Group"}}})
    group = moto_inprocess("ec2").describe_security_groups(GroupIds=[output(stack, "Group")])
    egress = group["SecurityGroups"][0]["IpPermissionsEgress"]
    assert [(rule["IpProtocol"], rule["IpRanges"][0]["CidrIp"]) for rule in egress] == [
        ("-1", "0.0.0.0/0")
    ]


def test_ec2_resources_carry_the_stack_tags(moto_inprocess):
    resources = {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}}}
    stack = deploy(moto_inprocess, resources, {"Vpc": {"Value": {"Ref": "Vpc"}}})
    vpc = moto_inprocess("ec2").describe_vpcs(VpcIds=[output(stack, "Vpc")])["Vpcs"][0]
    tags = {tag["Key"]: tag["Value"] for tag in vpc["Tags"]}
    assert (tags["aws:cloudformation:logical-id"], tags["aws:cloudformation:stack-name"]) == (
        "Vpc",
        "small",
    )


def test_vpc_endpoint_dns_entries_read_zone_colon_name(moto_inprocess):
    resources = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}},
        "Subnet": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.1.0.0/24"},
        },
        "Endpoint": {
            "Type": "AWS::EC2::VPCEndpoint",
            "Properties": {
                "VpcId": {"Ref": "Vpc"},
                "ServiceName": f"com.amazonaws.{REGION}.execute-api",
                "VpcEndpointType": "Interface",
                "SubnetIds": [{"Ref": "Subnet"}],
            },
        },
    }
    outputs = {
        "Endpoint": {"Value": {"Ref": "Endpoint"}},
        "First": {"Value": {"Fn::Select": [0, {"Fn::GetAtt": ["Endpoint", "DnsEntries"]}]}},
    }
    stack = deploy(moto_inprocess, resources, outputs)
    endpoint = moto_inprocess("ec2").describe_vpc_endpoints(
        VpcEndpointIds=[output(stack, "Endpoint")]
    )
    entry = endpoint["VpcEndpoints"][0]["DnsEntries"][0]
    assert output(stack, "First") == f"{entry['HostedZoneId']}:{entry['DnsName']}"


def test_every_attribute_a_handler_declares_can_be_read(moto_inprocess):
    from moto.cloudformation.models import cloudformation_backends
    from stack_template import template

    from lab.sandbox.cloudformation.base import StackResource

    moto_inprocess("cloudformation").create_stack(
        StackName="lab", TemplateBody=json.dumps(template()), Capabilities=["CAPABILITY_IAM"]
    )
    stack = next(iter(cloudformation_backends[ACCOUNT][REGION].stacks.values()))
    unreadable = {}
    for resource in stack.stack_resources:
        if isinstance(resource, StackResource):
            for name in resource.ATTRIBUTES:
                try:
                    resource.get_cfn_attribute(name)
                except Exception as error:  # collect them all
                    unreadable[f"{resource.TYPE}.{name}"] = repr(error)
    assert unreadable == {}
