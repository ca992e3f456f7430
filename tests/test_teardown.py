"""Cleanup leaves nothing: deploy, use the stack (an execution, a failure lab), destroy, count.

Both stacks: the lab's and its "before" stack (``<stack>-LambdaProxy``, with one proxy
invocation, so the Lambda runtime's execution environment and log group exist too).

Starts from an empty sandbox, so every resource the inventory finds afterwards would be
the stack's (or a failure lab's) leftover. The inventory (``lab.leftovers()``, the sandbox's
``/lab-api/leftovers``) enumerates every backend the stack touches.
"""

from __future__ import annotations

import contextlib
import io

import pytest
from lab_api_client import lab_api

import lab
from lab import harness

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

# sqs: the API destination's dead-letter queue (the stack has one since the event delivery lab).
# lambda: the before stack's proxy function.
SERVICES = {"ec2", "apigateway", "secretsmanager", "vpclattice", "events", "stepfunctions", "iam",
            "logs", "sqs", "lambda"}


@pytest.fixture(scope="module")
def teardown(sandbox):
    """Everything the test needs to know, from deploy to the second destroy."""
    lab_api(sandbox, "reset", {})
    with contextlib.redirect_stdout(io.StringIO()):
        outputs = lab.deploy()
    harness.wait_until_ready(harness.plan("standard", outputs=outputs), "standard")
    scenario = lab.run_failure("no_private_connectivity")  # makes and removes temporary things
    with contextlib.redirect_stdout(io.StringIO()):
        proxy = lab.deploy(variant="lambda_proxy")
    proxied = lab.client("stepfunctions").start_sync_execution(
        stateMachineArn=proxy["ProxyExpressStateMachineArn"], input="{}")["status"]
    deployed = lab.sandbox.leftovers()
    with contextlib.redirect_stdout(io.StringIO()):
        first = lab.destroy()
    return {
        "deployed": deployed,
        "scenario": scenario,
        "proxied": proxied,
        "first": first,
        "after": lab.sandbox.leftovers(),
        "table": lab.leftovers(),
        "second": lab.destroy(),
        "after_second": lab.sandbox.leftovers(),
    }


def test_the_inventory_sees_the_deployed_stack_in_every_backend(teardown):
    assert {service for service, found in teardown["deployed"].items() if found} == SERVICES
    assert teardown["scenario"]["after_repair"] == "SUCCEEDED"
    assert teardown["proxied"] == "SUCCEEDED"


def test_destroy_leaves_nothing_in_any_backend(teardown):
    assert "Stack PrivateApiLab-LambdaProxy is deleted from the sandbox" in teardown["first"]
    assert teardown["first"].endswith("is deleted from the sandbox (us-east-1).")
    assert set(teardown["after"]) == SERVICES
    assert {service: found for service, found in teardown["after"].items() if found} == {}


def test_the_cleanup_notebooks_table_is_empty(teardown):
    assert teardown["table"].empty


def test_destroying_again_is_a_no_op(teardown):
    assert "nothing to destroy" in teardown["second"]
    assert teardown["after_second"] == teardown["after"]


def test_no_stack_is_left_in_the_sandbox(teardown, sandbox):
    assert lab_api(sandbox, "status")["stacks"] == []
