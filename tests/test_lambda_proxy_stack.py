"""The "before" stack (cdk_app/lambda_proxy.py): a Lambda proxy in the lab's VPC, least privilege.

Sources: Lambda's inline code (CloudFormation ``AWS::Lambda::Function`` ``Code.ZipFile``, at
most 4,096 characters, written as ``index.py``); a function in a VPC needs the ec2
network-interface actions (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html);
the Retry Workflow Studio writes for a Lambda Invoke state
(https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html; the best-practice page
bp-lambda-serviceexception.html shows a longer Retry for service exceptions only, see
cdk_app/lambda_proxy.py).
"""

from __future__ import annotations

import json

import pytest
from stack_template import flatten_join, only, resources, synthesized_proxy

from cdk_app.lambda_proxy import handler_code
from cdk_app.names import PROXY_OUTPUT_KEYS, PROXY_PARAMETERS

INLINE_CODE_LIMIT = 4096


@pytest.fixture(scope="module")
def tpl():
    return synthesized_proxy().template()


def _statements(policy_document: dict) -> list[dict]:
    return policy_document["Statement"]


def _actions(statement: dict) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def test_the_function_code_is_inline_the_handler_file_and_no_asset(tpl):
    _, function = only(tpl, "AWS::Lambda::Function")
    code = function["Properties"]["Code"]

    assert set(code) == {"ZipFile"}
    assert code["ZipFile"] == handler_code()
    assert len(code["ZipFile"]) <= INLINE_CODE_LIMIT
    assert function["Properties"]["Handler"] == "index.handler"
    assert synthesized_proxy().assembly.get_stack_by_name(
        "PrivateApiLab-LambdaProxy").assets == []


def test_the_function_runs_in_the_lab_subnets_with_its_own_security_group(tpl):
    _, function = only(tpl, "AWS::Lambda::Function")
    vpc_config = function["Properties"]["VpcConfig"]
    function_groups = [ref["Fn::GetAtt"][0] for ref in vpc_config["SecurityGroupIds"]]

    assert vpc_config["SubnetIds"] == [{"Fn::Select": [i, {"Ref": "SubnetIds"}]} for i in (0, 1)]
    assert len(function_groups) == 1 and function_groups[0].startswith("FunctionSecurityGroup")
    group = tpl["Resources"][function_groups[0]]["Properties"]
    assert group["SecurityGroupEgress"] == [{
        "CidrIp": "10.0.0.0/16", "Description": group["SecurityGroupEgress"][0]["Description"],
        "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}]


def test_the_role_reads_only_the_one_api_key_secret(tpl):
    role_id, role = next(
        (logical_id, r) for logical_id, r in resources(tpl, "AWS::IAM::Role").items()
        if logical_id.startswith("FunctionRole"))
    statements = [s for policy in role["Properties"]["Policies"]
                  for s in _statements(policy["PolicyDocument"])]
    secret_statements = [s for s in statements
                         if any(a.startswith("secretsmanager:") for a in _actions(s))]

    assert secret_statements == [{"Action": "secretsmanager:GetSecretValue", "Effect": "Allow",
                                  "Resource": {"Ref": "ApiKeySecretArn"}}]
    assert "ManagedPolicyArns" not in role["Properties"]
    assert not [p for p in resources(tpl, "AWS::IAM::Policy").values()
                if {"Ref": role_id} in p["Properties"]["Roles"]]


def test_the_secrets_manager_endpoint_has_private_dns_and_admits_only_the_function(tpl):
    _, endpoint = only(tpl, "AWS::EC2::VPCEndpoint")
    props = endpoint["Properties"]
    _, ingress = only(tpl, "AWS::EC2::SecurityGroupIngress")

    assert flatten_join(props["ServiceName"]).endswith(".secretsmanager")
    assert props["VpcEndpointType"] == "Interface" and props["PrivateDnsEnabled"] is True
    assert props["VpcId"] == {"Ref": "VpcId"}
    assert ingress["Properties"]["SourceSecurityGroupId"]["Fn::GetAtt"][0].startswith(
        "FunctionSecurityGroup")
    assert (ingress["Properties"]["FromPort"], ingress["Properties"]["ToPort"]) == (443, 443)


def test_both_state_machines_invoke_the_function_with_the_recommended_retry(tpl):
    machines = resources(tpl, "AWS::StepFunctions::StateMachine")
    kinds = set()
    for machine in machines.values():
        definition = json.loads(_definition(machine))
        kinds.add(machine["Properties"].get("StateMachineType", "STANDARD"))
        (state,) = definition["States"].values()
        assert state["Resource"] == "arn:<AWS::Partition>:states:::lambda:invoke"
        assert state["Retry"] == [{
            "ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException",
                            "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
            "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}]
    assert kinds == {"STANDARD", "EXPRESS"}


def _definition(machine: dict) -> str:
    """The definition with each intrinsic rendered as ``<Ref>`` (valid JSON to parse)."""
    separator, parts = machine["Properties"]["DefinitionString"]["Fn::Join"]
    rendered = [
        part if isinstance(part, str)
        else "<" + (part.get("Ref") or ".".join(part["Fn::GetAtt"])) + ">"
        for part in parts
    ]
    return separator.join(rendered)


def test_every_log_group_is_kept_a_week_and_deleted_with_the_stack(tpl):
    groups = resources(tpl, "AWS::Logs::LogGroup")

    assert len(groups) == 3
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == 7
        assert group["DeletionPolicy"] == "Delete"


def test_parameters_and_outputs_are_the_shared_contract(tpl):
    assert list(tpl["Parameters"]) == list(PROXY_PARAMETERS)
    assert tuple(tpl["Outputs"]) == PROXY_OUTPUT_KEYS
