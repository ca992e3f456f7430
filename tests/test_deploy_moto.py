"""lab.deploy against moto's real CloudFormation, in-process (no sandbox server).

The Stubber tests pin the request sequence; this one checks the deployer's
assumptions about how CloudFormation answers (events newest first, deleted
stacks still described by id, JSON template bodies parsed) against moto's
implementation, with a two-resource template so it runs in a second.
"""

from __future__ import annotations

import io

import boto3
import pytest
from moto import mock_aws

from lab.config import LabConfig
from lab.deployment import StackDeployer

SMALL = {
    "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
    "Outputs": {"QueueName": {"Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}},
}
BIGGER = {**SMALL, "Resources": {**SMALL["Resources"], "Topic": {"Type": "AWS::SNS::Topic"}}}


@pytest.fixture
def cloudformation(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with mock_aws():
        yield boto3.client("cloudformation", region_name="us-east-1")


def deployer(cloudformation, template) -> StackDeployer:
    cfg = LabConfig(mode="sandbox", region="us-east-1", stack_name="MotoLab", sandbox_port=5599)
    return StackDeployer(
        cfg,
        cloudformation=cloudformation,
        template=lambda: template,
        poll_seconds=0,
        out=io.StringIO(),
        progress_bar=False,
    )


def test_create_then_ensure_deployed_is_a_no_op(cloudformation):
    created = deployer(cloudformation, SMALL).deploy()
    again = deployer(cloudformation, SMALL)
    assert again.ensure_deployed() == created
    assert "Updating" not in again.out.getvalue()


def test_ensure_deployed_updates_a_changed_template(cloudformation):
    deployer(cloudformation, SMALL).deploy()
    changed = deployer(cloudformation, BIGGER)
    changed.ensure_deployed()
    assert "UPDATE_COMPLETE" in changed.out.getvalue()
    resources = cloudformation.list_stack_resources(StackName="MotoLab")["StackResourceSummaries"]
    assert {r["LogicalResourceId"] for r in resources} == {"Queue", "Topic"}


def test_destroy_removes_the_stack_and_a_second_destroy_is_a_no_op(cloudformation):
    deployer(cloudformation, SMALL).deploy()
    assert deployer(cloudformation, SMALL).destroy() == (
        "Stack MotoLab is deleted from the sandbox (us-east-1)."
    )
    assert "nothing to destroy" in deployer(cloudformation, SMALL).destroy()
