"""Aws-mode leftovers: a tagged resource counts only while its own service still has it.

The Resource Groups Tagging API's GetResources "returns previously tagged resources" for
a while after they were deleted (its API reference), so right after a good destroy it
still lists the stack's resources. Stubbed with botocore's Stubber: response shapes from
the CloudFormation, tagging, Step Functions, CloudWatch Logs and SQS API references.
"""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from lab import cleanup

ACCOUNT, REGION, STACK = "123456789012", "us-east-1", "PrivateApiLab"
MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Standard-abc"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/vendedlogs/states/lab-standard:*"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:PrivateApiLab-DeadLetterQueue-XYZ"


def _clients(found_arns: list[str]):
    made = {name: boto3.client(name, region_name=REGION, aws_access_key_id="x",
                               aws_secret_access_key="x")
            for name in ("cloudformation", "resourcegroupstaggingapi", "stepfunctions",
                         "logs", "sqs")}
    stubs = {name: Stubber(c) for name, c in made.items()}
    stubs["cloudformation"].add_client_error(
        "describe_stacks", "ValidationError", f"Stack with id {STACK} does not exist")
    stubs["resourcegroupstaggingapi"].add_response("get_resources", {
        "ResourceTagMappingList": [{"ResourceARN": arn} for arn in found_arns]})
    return made, stubs


def test_resources_the_tagging_api_still_lists_after_their_deletion_are_not_leftovers():
    made, stubs = _clients([MACHINE, LOG_GROUP, QUEUE])
    stubs["stepfunctions"].add_client_error(
        "describe_state_machine", "StateMachineDoesNotExist", "State Machine Does Not Exist")
    stubs["logs"].add_response("describe_log_groups", {"logGroups": []})
    stubs["sqs"].add_client_error(
        "get_queue_url", "AWS.SimpleQueueService.NonExistentQueue", "does not exist")
    for stub in stubs.values():
        stub.activate()

    assert cleanup._aws_leftovers(STACK, client=made.__getitem__) == []


def test_a_resource_its_service_still_has_is_a_leftover():
    made, stubs = _clients([MACHINE, LOG_GROUP])
    stubs["stepfunctions"].add_response("describe_state_machine", {
        "stateMachineArn": MACHINE, "name": "Standard-abc", "definition": "{}",
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/r", "type": "STANDARD",
        "creationDate": "2026-12-05T00:00:00Z"})
    stubs["logs"].add_response("describe_log_groups", {"logGroups": [
        {"logGroupName": "/aws/vendedlogs/states/lab-standard"}]})
    for stub in stubs.values():
        stub.activate()

    rows = cleanup._aws_leftovers(STACK, client=made.__getitem__)

    assert [service for service, _ in rows] == ["states", "logs"]
