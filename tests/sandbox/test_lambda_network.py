"""A Lambda handler's outbound HTTPS goes along the modelled path of the function's ENIs.

configuration-vpc.html: a function in a VPC reaches only what its subnets and security
groups allow; privatelink-access-aws-services.html: with an interface endpoint's private DNS
on, ``<service>.<region>.amazonaws.com`` (and, for execute-api, every API's host name)
resolves to the endpoint's ENIs, whose security group must allow the call in. Without
``lab.sandbox.lambda_`` the function does not run at all, so every test fails.
"""

from __future__ import annotations

import time

import pytest
from http_invoke_builders import (
    HELLO_BODY,
    REGION,
    allow_https,
    allow_only_from,
    create_vpc_with_endpoint,
    deploy_api,
)
from lambda_builders import create_function, invoke

from lab.sandbox import lambda_

CALL_API = """
import json, os, urllib.request
def handler(event, context):
    url = "https://" + os.environ["API_HOST"] + "/prod/hello"
    with urllib.request.urlopen(url, timeout=5) as response:
        return {"status": response.status, "body": json.loads(response.read())}
"""

READ_SECRET = """
import boto3
from botocore.config import Config
def handler(event, context):
    client = boto3.client("secretsmanager", config=Config(retries={"total_max_attempts": 1}))
    return client.get_secret_value(SecretId="api-key")["SecretString"]
"""


@pytest.fixture
def vpc_lambda(aws, dataplane):
    """A VPC with an execute-api endpoint, a private API only it may call, the function's
    security group (all egress, as EC2 creates it) and a short connect bound."""
    from lab.sandbox import control

    control.update_settings({"lambda_connect_timeout_seconds": 0.2})
    vpc = create_vpc_with_endpoint(aws)
    api = deploy_api(aws, policy=allow_only_from(vpc.endpoint_id), api_key_required=False)
    group = aws("ec2").create_security_group(
        GroupName="proxy-fn", Description="the Lambda proxy", VpcId=vpc.id
    )["GroupId"]
    yield aws, vpc, api, group
    lambda_.shutdown()


def _function(aws, vpc, group, code, **env):
    create_function(
        aws,
        code,
        timeout=3,
        VpcConfig={"SubnetIds": vpc.subnet_ids, "SecurityGroupIds": [group]},
        Environment={"Variables": env},
    )


def test_the_handler_reaches_the_private_api_through_the_endpoint(vpc_lambda):
    """The path holds: the call arrives through the endpoint (the API's resource policy
    allows only ``aws:SourceVpce`` = that endpoint, so a 200 proves it)."""
    aws, vpc, api, group = vpc_lambda
    _function(aws, vpc, group, CALL_API, API_HOST=api.host)
    response, payload = invoke(aws)
    assert "FunctionError" not in response, payload
    assert payload == {"status": 200, "body": HELLO_BODY}


def test_revoked_security_group_egress_times_the_call_out(vpc_lambda):
    """No egress rule of the function's security group allows tcp/443 to the endpoint: the
    SYN is dropped and the client's connect times out (here after the sandbox's bound)."""
    aws, vpc, api, group = vpc_lambda
    aws("ec2").revoke_security_group_egress(
        GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    _function(aws, vpc, group, CALL_API, API_HOST=api.host)
    started = time.monotonic()
    response, payload = invoke(aws)
    assert time.monotonic() - started >= 0.2
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "URLError"
    assert "timed out" in payload["errorMessage"]
    assert "no egress rule of the function's security group" in payload["errorMessage"]
    # The break heals as on AWS: a rule to the endpoint's security group lets it through.
    allow_https(aws("ec2"), group, ingress=False, group=vpc.endpoint_sg_id)
    assert invoke(aws)[1]["status"] == 200


def test_the_endpoint_must_let_the_function_in(vpc_lambda):
    """The endpoint's security group has no ingress rule for the function's subnets or
    security group: the call times out too."""
    aws, vpc, api, group = vpc_lambda
    aws("ec2").revoke_security_group_ingress(
        GroupId=vpc.endpoint_sg_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": vpc.cidr}],
            }
        ],
    )
    _function(aws, vpc, group, CALL_API, API_HOST=api.host)
    response, payload = invoke(aws)
    assert payload["errorType"] == "URLError"
    assert f"no ingress rule of VPC endpoint {vpc.endpoint_id}" in payload["errorMessage"]


def test_boto3_needs_the_secrets_manager_endpoint(vpc_lambda):
    """In subnets without NAT, ``secretsmanager.<region>.amazonaws.com`` is reachable only
    through a Secrets Manager interface endpoint with private DNS; with one, boto3 in the
    handler reads the secret from the sandbox."""
    aws, vpc, api, group = vpc_lambda
    aws("secretsmanager").create_secret(Name="api-key", SecretString="s3cr3t-value")
    _function(aws, vpc, group, READ_SECRET)
    response, payload = invoke(aws)
    assert response["FunctionError"] == "Unhandled"
    assert "Connection" in payload["errorType"] or "Endpoint" in payload["errorType"], payload
    aws("ec2").create_vpc_endpoint(
        VpcId=vpc.id,
        ServiceName=f"com.amazonaws.{REGION}.secretsmanager",
        VpcEndpointType="Interface",
        SubnetIds=vpc.subnet_ids,
        SecurityGroupIds=[vpc.endpoint_sg_id],
        PrivateDnsEnabled=True,
    )
    response, payload = invoke(aws)
    assert "FunctionError" not in response, payload
    assert payload == "s3cr3t-value"
