"""The stack's option ``connection_kms_key``: its own customer managed KMS key for the connection.

Pages: EventBridge User Guide, encryption-connections.html (the key's tag
``EventBridgeApiDestinations=true``; the key policy grants ``kms:DescribeKey``,
``kms:GenerateDataKey``, ``kms:Decrypt``, with the recommended conditions ``kms:ViaService``
``secretsmanager.*.amazonaws.com`` and ``kms:EncryptionContext:SecretARN``
``…secret:events!connection/*``); Secrets Manager User Guide, security-encryption.html
("Permissions for the KMS key": ``GetSecretValue`` needs ``kms:Decrypt`` on the key for the
identity that reads the secret); KMS pricing page ($1 per key-month, $0.03 per 10,000
requests); CloudFormation's AWS::Events::Connection ``KmsKeyIdentifier``.
"""

from __future__ import annotations

import dataclasses

import pytest
from stack_template import only, resources, template

from lab.config import LabConfig, load_config
from lab.errors import LabError
from lab.setup import cost_estimate


@pytest.fixture(scope="module")
def keyed() -> dict:
    return template(connection_kms_key=True)


def test_the_option_is_off_by_default():
    """Off by default: no key, and the connection keeps EventBridge's AWS owned key."""
    tpl = template()
    assert resources(tpl, "AWS::KMS::Key") == {}
    _, connection = only(tpl, "AWS::Events::Connection")
    assert "KmsKeyIdentifier" not in connection["Properties"]
    assert load_config({}).connection_kms_key is False


def test_the_key_rotates_and_carries_the_tag_eventbridge_requires(keyed):
    key_id, key = only(keyed, "AWS::KMS::Key")
    props = key["Properties"]
    assert props["EnableKeyRotation"] is True
    assert {"Key": "EventBridgeApiDestinations", "Value": "true"} in props["Tags"]
    _, connection = only(keyed, "AWS::Events::Connection")
    assert connection["Properties"]["KmsKeyIdentifier"] == {"Fn::GetAtt": [key_id, "Arn"]}


def _statements(document: dict) -> list[dict]:
    return document["Statement"]


def _actions(statement: dict) -> set[str]:
    listed = statement["Action"]
    return {listed} if isinstance(listed, str) else set(listed)


def test_the_key_policy_lets_eventbridge_use_the_key_through_secrets_manager_only(keyed):
    """The page's three actions; GenerateDataKey and Decrypt only under its recommended
    conditions; no ``kms:*`` for anyone."""
    _, key = only(keyed, "AWS::KMS::Key")
    statements = _statements(key["Properties"]["KeyPolicy"])
    assert all("kms:*" not in _actions(s) for s in statements)
    use = next(s for s in statements if "kms:Decrypt" in _actions(s))
    assert _actions(use) >= {"kms:Decrypt", "kms:GenerateDataKey"}
    assert use["Condition"]["StringLike"] == {
        "kms:ViaService": "secretsmanager.*.amazonaws.com",
        "kms:EncryptionContext:SecretARN": "arn:aws:secretsmanager:*:*:secret:events!connection/*",
    }
    assert use["Condition"]["StringEquals"] == {
        "kms:ResourceTag/EventBridgeApiDestinations": "true"
    }
    # kms:DescribeKey: an administrator action (kms:Describe*) of the account
    assert any("kms:Describe*" in _actions(s) and "Condition" not in s for s in statements)


def test_the_execution_roles_may_decrypt_the_connections_secret_and_nothing_else(keyed):
    key_id, _ = only(keyed, "AWS::KMS::Key")
    connection_id, _ = only(keyed, "AWS::Events::Connection")
    policies = resources(keyed, "AWS::IAM::Policy")
    decrypting = {
        name: s
        for name, policy in policies.items()
        for s in _statements(policy["Properties"]["PolicyDocument"])
        if "kms:Decrypt" in _actions(s)
    }
    # the three state machines' roles (STANDARD, EXPRESS, JSONata); not the events target role
    assert sorted(name.split("Role")[0] for name in decrypting) == [
        "WorkflowsExpress", "WorkflowsJsonata", "WorkflowsStandard"
    ]
    for statement in decrypting.values():
        assert _actions(statement) == {"kms:Decrypt"}
        assert statement["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}
        condition = statement["Condition"]["StringEquals"]
        assert condition["kms:EncryptionContext:SecretARN"] == {
            "Fn::GetAtt": [connection_id, "SecretArn"]
        }
        assert "secretsmanager." in str(condition["kms:ViaService"])


def test_the_cost_table_bills_the_key_only_with_the_option():
    """KMS pricing: $1.00 per key-month (730 hours), $0.03 per 10,000 requests."""
    plain = cost_estimate(1000, connection_kms_key=False)
    keyed = cost_estimate(1000, connection_kms_key=True).set_index("component")
    assert not plain["component"].str.contains("KMS").any()
    rows = keyed[keyed.index.str.contains("KMS")]
    assert len(rows) == 2
    assert all(source.startswith("https://aws.amazon.com/kms/pricing/") for source in rows.source)
    key = rows[rows.unit == "per hour"].iloc[0]
    assert key["price_usd"] == round(1.00 / 730, 4)
    requests = rows[rows.unit != "per hour"].iloc[0]
    assert requests["usd_per_1000_runs"] == round(0.03 / 10_000 * 1000, 4)


def test_the_environment_turns_the_option_on_and_a_typo_is_refused():
    assert load_config({"LAB_CONNECTION_KMS_KEY": "true"}).connection_kms_key is True
    assert load_config({"LAB_CONNECTION_KMS_KEY": "false"}).connection_kms_key is False
    with pytest.raises(LabError, match="LAB_CONNECTION_KMS_KEY=true"):
        load_config({"LAB_CONNECTION_KMS_KEY": "ture"})


def test_the_option_is_part_of_the_synth_cache_key():
    """Two templates, two cache entries: the option must never answer from the other's."""
    from lab.synthesis import cache_key

    cfg = LabConfig(mode="sandbox", region="us-east-1", stack_name="PrivateApiLab",
                    sandbox_port=5599)
    assert cache_key(cfg) != cache_key(dataclasses.replace(cfg, connection_kms_key=True))


def test_the_environment_reaches_the_app_as_its_context_value():
    from cdk_app.app import option_context

    assert option_context({"LAB_CONNECTION_KMS_KEY": "true"}) == {"connection_kms_key": "true"}
    assert option_context({}) == {}
