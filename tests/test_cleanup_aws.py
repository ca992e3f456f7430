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


FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:privateapilab-lambdaproxy-fn"


def test_a_lambda_function_counts_while_lambda_still_has_it():
    """Lambda GetFunction answers ResourceNotFoundException for a deleted function (Lambda
    API reference); the "before" stack's proxy is the one function the lab makes."""
    fn = boto3.client("lambda", region_name=REGION, aws_access_key_id="x",
                      aws_secret_access_key="x")
    stub = Stubber(fn)
    stub.add_response("get_function", {"Configuration": {"FunctionName": "fn"}})
    stub.add_client_error("get_function", "ResourceNotFoundException", "Function not found")
    stub.activate()

    assert cleanup.still_exists(FUNCTION, client=lambda name: fn) is True
    assert cleanup.still_exists(FUNCTION, client=lambda name: fn) is False


def test_aws_leftovers_cover_the_lab_stack_and_its_lambda_proxy_stack(monkeypatch):
    looked_at = []
    monkeypatch.setattr(cleanup, "_aws_leftovers",
                        lambda name, client=None: looked_at.append(name) or [])
    monkeypatch.setenv("LAB_MODE", "aws")
    monkeypatch.setenv("LAB_REGION", REGION)
    monkeypatch.setenv("LAB_STACK_NAME", STACK)

    assert cleanup.leftovers().empty
    assert looked_at == [STACK, f"{STACK}-LambdaProxy"]
