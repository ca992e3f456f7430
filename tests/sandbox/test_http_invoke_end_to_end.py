"""The lab's own stack (the unmodified synthesized template) runs its HTTP Task end to end.

Two ways: in-process (moto.mock_aws, data plane on an ephemeral port), where a broken
link is quick to stage; and once through the sandbox server process, exactly the path a
notebook takes (boto3 -> 127.0.0.1 -> moto -> HTTP Task -> socket -> data plane).
"""

from __future__ import annotations

import json
import time

import pytest
from http_invoke_builders import (
    history,
)
from lab_api_client import lab_api
from stack_template import template

from cdk_app.private_api import HELLO_MESSAGE
from lab.sandbox.dataplane import request_log

STACK = "PrivateApiLab"


def _deploy(client) -> dict:
    return _deploy_template(client, template())


def _deploy_template(client, tpl: dict) -> dict:
    """Create stack ``STACK`` from ``tpl``; its outputs once CREATE_COMPLETE."""
    cfn = client("cloudformation")
    cfn.create_stack(StackName=STACK, TemplateBody=json.dumps(tpl), Capabilities=["CAPABILITY_IAM"])
    deadline = time.monotonic() + 120
    while True:
        stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


def _wait_active(client, connection_name: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while client("events").describe_connection(Name=connection_name)["ConnectionState"] != (
        "ACTIVE"
    ):
        assert time.monotonic() < deadline, "the connection did not become ACTIVE"
        time.sleep(0.05)


def _run_standard(client, arn: str, name: str) -> dict:
    sfn = client("stepfunctions")
    execution_arn = sfn.start_execution(stateMachineArn=arn, name=name)["executionArn"]
    deadline = time.monotonic() + 60
    while (described := sfn.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution is still RUNNING"
        time.sleep(0.01)
    return described


@pytest.fixture
def stack(aws, dataplane):
    outputs = _deploy(aws)
    _wait_active(aws, outputs["ConnectionName"])
    return outputs


def test_the_standard_state_machine_gets_the_private_apis_answer(aws, stack):
    described = _run_standard(aws, stack["StandardStateMachineArn"], "e2e-standard")

    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["ResponseBody"]["message"] == HELLO_MESSAGE
    types = [e["type"] for e in history(aws, described["executionArn"])]
    assert types.index("TaskScheduled") < types.index("TaskStarted") < types.index("TaskSucceeded")


def test_the_private_api_reports_the_endpoint_key_id_and_headers_it_saw(aws, stack):
    described = _run_standard(aws, stack["StandardStateMachineArn"], "e2e-received")

    received = json.loads(described["output"])["ResponseBody"]["received"]
    identity = received["context"]["identity"]
    assert (identity["vpceId"], identity["vpcId"], identity["apiKeyId"]) == (
        stack["VpcEndpointId"],
        stack["VpcId"],
        stack["ApiKeyId"],
    )
    assert identity["userAgent"] == "Amazon|StepFunctions|HttpInvoke|us-east-1"
    assert (received["context"]["resourcePath"], received["context"]["stage"]) == ("/hello", "prod")
    headers = {k.lower(): v for k, v in received["headers"].items()}
    assert headers["x-lab-execution"] == "e2e-received"
    assert "x-api-key" not in headers and "x-lab-source-vpce" not in headers


def test_the_api_saw_the_request_between_task_started_and_task_succeeded(aws, stack):
    described = _run_standard(aws, stack["StandardStateMachineArn"], "e2e-when")

    received = json.loads(described["output"])["ResponseBody"]["received"]
    events = {e["type"]: e["timestamp"] for e in history(aws, described["executionArn"])}
    seen_ms = received["context"]["requestTimeEpoch"]
    # Event timestamps are kept to the millisecond, as requestTimeEpoch is.
    assert int(events["TaskStarted"].timestamp() * 1000) <= seen_ms
    assert seen_ms <= int(events["TaskSucceeded"].timestamp() * 1000) + 1


def test_the_request_arrives_through_the_stacks_endpoint_with_the_execution_name(aws, stack):
    _run_standard(aws, stack["StandardStateMachineArn"], "e2e-header")

    entry = request_log.entries()[-1]
    assert entry["source_vpce"] == stack["VpcEndpointId"]
    assert entry["host"] == stack["ApiRootUrl"].split("/")[2]
    headers = {k.lower(): v for k, v in entry["headers"].items()}
    assert (headers["x-lab-execution"], headers["x-api-key"]) == ("e2e-header", "****")


def test_the_express_state_machine_answers_synchronously(aws, stack):
    result = aws("stepfunctions").start_sync_execution(
        stateMachineArn=stack["ExpressStateMachineArn"], name="e2e-express"
    )

    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"])["ResponseBody"]["message"] == HELLO_MESSAGE
    assert result["billingDetails"]["billedMemoryUsedInMB"] == 64


def test_revoking_the_gateways_egress_breaks_the_stacks_path(aws, stack):
    ec2 = aws("ec2")
    group_id = stack["ResourceGatewaySecurityGroupId"]
    rules = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=rules["IpPermissionsEgress"])

    described = _run_standard(aws, stack["StandardStateMachineArn"], "e2e-broken")

    assert described["error"] == "States.Http.Socket"
    assert group_id in described["cause"]


@pytest.mark.sandbox
def test_through_the_sandbox_server_both_state_machines_reach_the_private_api(
    clean_sandbox, sandbox_client
):
    outputs = _deploy(sandbox_client)
    _wait_active(sandbox_client, outputs["ConnectionName"])

    standard = _run_standard(sandbox_client, outputs["StandardStateMachineArn"], "server-std")
    express = sandbox_client("stepfunctions").start_sync_execution(
        stateMachineArn=outputs["ExpressStateMachineArn"], name="server-express"
    )

    assert (standard["status"], express["status"]) == ("SUCCEEDED", "SUCCEEDED")
    body = json.loads(express["output"])["ResponseBody"]
    assert body["received"]["context"]["identity"]["vpceId"] == outputs["VpcEndpointId"]
    entries = lab_api(clean_sandbox, "requests")
    assert [e["source_vpce"] for e in entries[-2:]] == [outputs["VpcEndpointId"]] * 2
