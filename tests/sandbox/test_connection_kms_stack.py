"""The lab's stack with its option ``connection_kms_key`` deploys and runs in the sandbox, and
the HTTP Task's role needs ``kms:Decrypt`` on the key to read the connection's credentials.

Pages: encryption-connections.html (the connection's key: tag, key policy); Secrets Manager
User Guide, security-encryption.html ("Permissions for the KMS key": the identity that calls
``GetSecretValue`` needs ``kms:Decrypt`` on a customer managed key; Secrets Manager calls KMS
with ``kms:ViaService`` = ``secretsmanager.<region>.amazonaws.com`` and the encryption context
``SecretARN``); KMS Developer Guide, key-policy-default.html (the account principal in a key
policy delegates to the account's IAM policies; without it, only the principals it names).
The failure is ``Events.ConnectionResource.AccessDenied``, as for the other credentials
permissions (call-https-apis.html; the name for a KMS refusal is the sandbox's choice).
"""

from __future__ import annotations

import json

import pytest
from http_invoke_builders import build_private_path, task_failure
from stack_template import template
from test_connection_kms import page_actions_policy
from test_http_invoke_end_to_end import _deploy_template, _run_standard, _wait_active
from test_iam_path import _run_with, http_task_statements

from cdk_app.event_delivery import EVENT_DETAIL_TYPE, EVENT_SOURCE
from cdk_app.private_api import HELLO_MESSAGE
from lab.sandbox import control

ACCESS_DENIED = "Events.ConnectionResource.AccessDenied"


@pytest.fixture
def keyed_stack(aws, dataplane):
    control.update_settings({"iam_evaluation": True})
    outputs = _deploy_template(aws, template(connection_kms_key=True))
    _wait_active(aws, outputs["ConnectionName"])
    return outputs


def test_the_stack_with_its_own_key_runs_an_execution_end_to_end(aws, keyed_stack):
    """IAM evaluated: the key, its policy and the role's kms:Decrypt let the task through."""
    described = aws("events").describe_connection(Name=keyed_stack["ConnectionName"])
    assert described["KmsKeyIdentifier"].startswith("arn:aws:kms:")
    assert described["ConnectionState"] == "ACTIVE"

    run = _run_standard(aws, keyed_stack["StandardStateMachineArn"], "kms-e2e")
    assert run["status"] == "SUCCEEDED", run.get("cause")
    assert json.loads(run["output"])["ResponseBody"]["message"] == HELLO_MESSAGE


def _drop_decrypt(aws, state_machine_arn: str) -> None:
    """Rewrite the execution role's policies without their kms:Decrypt statement."""
    iam = aws("iam")
    role_arn = aws("stepfunctions").describe_state_machine(stateMachineArn=state_machine_arn)[
        "roleArn"
    ]
    role = role_arn.rsplit("/", 1)[-1]
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        kept = [s for s in document["Statement"] if "kms:Decrypt" not in json.dumps(s["Action"])]
        document["Statement"] = kept
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))


def test_without_kms_decrypt_the_stacks_task_fails_access_denied(aws, keyed_stack):
    _drop_decrypt(aws, keyed_stack["StandardStateMachineArn"])

    run = _run_standard(aws, keyed_stack["StandardStateMachineArn"], "kms-denied")
    failure = task_failure(aws, run["executionArn"])
    assert failure["error"] == ACCESS_DENIED
    assert "is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:" in (
        failure["cause"]
    )


def test_events_reach_the_api_through_the_keyed_connection_with_the_target_role_as_is(
    aws, keyed_stack
):
    """The EventBridge target role keeps only events:InvokeApiDestination: EventBridge reads
    the connection's credentials itself, under the key policy (encryption-connections.html)."""
    from test_event_delivery import received, wait_until

    aws("events").put_events(
        Entries=[
            {
                "Source": EVENT_SOURCE,
                "DetailType": EVENT_DETAIL_TYPE,
                "EventBusName": keyed_stack["EventBusName"],
                "Detail": json.dumps({"seq": 1}),
            }
        ]
    )
    assert wait_until(lambda: received("/prod/events")), "the event never reached the API"


# ------------------------------------------------- the same rule on a hand-built connection


def _decrypt_statement() -> dict:
    return {
        "Sid": "ConnectionKey",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": "arn:aws:kms:*:*:key/*",
        "Condition": {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}},
    }


def _encrypt_connection(aws, path, key_policy: dict | None) -> None:
    kwargs = {"Tags": [{"TagKey": "EventBridgeApiDestinations", "TagValue": "true"}]}
    if key_policy is not None:
        kwargs["Policy"] = json.dumps(key_policy)
    key = aws("kms").create_key(**kwargs)["KeyMetadata"]["Arn"]
    aws("events").update_connection(Name="lab-connection", KmsKeyIdentifier=key)
    from http_invoke_builders import wait_for_connection

    wait_for_connection(aws, "lab-connection")


@pytest.fixture
def keyed_path(aws, dataplane):
    control.update_settings({"iam_evaluation": True})
    return build_private_path(aws)


def test_a_role_with_decrypt_reads_a_key_whose_policy_delegates_to_iam(aws, keyed_path):
    _encrypt_connection(aws, keyed_path, None)  # moto's default: the account root, kms:*
    statements = [*http_task_statements(keyed_path.connection_arn), _decrypt_statement()]
    assert _run_with(aws, keyed_path, statements)["status"] == "SUCCEEDED"


def test_a_role_without_decrypt_fails_on_the_encrypted_connection(aws, keyed_path):
    """Same path, same role policy as the plain connection's least privilege: it worked
    before the key, it fails with it."""
    _encrypt_connection(aws, keyed_path, None)
    run = _run_with(aws, keyed_path, http_task_statements(keyed_path.connection_arn))
    failure = task_failure(aws, run["executionArn"])
    assert failure["error"] == ACCESS_DENIED
    assert "kms:Decrypt" in failure["cause"]


def test_a_key_policy_that_names_only_eventbridge_refuses_the_role(aws, keyed_path):
    """The role's own kms:Decrypt is not enough when the key policy neither names the role
    nor delegates to the account (no account principal)."""
    only_eventbridge = page_actions_policy({"Service": "events.amazonaws.com"})
    _encrypt_connection(aws, keyed_path, only_eventbridge)
    statements = [*http_task_statements(keyed_path.connection_arn), _decrypt_statement()]
    run = _run_with(aws, keyed_path, statements)
    failure = task_failure(aws, run["executionArn"])
    assert failure["error"] == ACCESS_DENIED
    assert "no resource-based policy allows the kms:Decrypt action" in failure["cause"]
