"""A connection encrypted with a customer managed KMS key (encryption-connections.html): the
key must exist and be enabled, carry EventBridgeApiDestinations=true, and its policy must let
EventBridge call kms:DescribeKey, kms:GenerateDataKey and kms:Decrypt through Secrets Manager;
a key that becomes unusable later de-authorizes the connection."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

API_KEY = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret-value"}}
TAG = [{"TagKey": "EventBridgeApiDestinations", "TagValue": "true"}]


def page_actions_policy(principal: dict, condition: dict | None = None) -> dict:
    """A one-statement key policy granting ``principal`` the page's three actions."""
    statement = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": "*",
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _key(aws, tags=TAG, policy=None) -> dict:
    kwargs = {"Tags": tags}
    if policy is not None:
        kwargs["Policy"] = json.dumps(policy)
    return aws("kms").create_key(**kwargs)["KeyMetadata"]


def _create(aws, key_identifier: str) -> dict:
    return aws("events").create_connection(
        Name="encrypted",
        AuthorizationType="API_KEY",
        AuthParameters=API_KEY,
        KmsKeyIdentifier=key_identifier,
    )


@pytest.mark.parametrize("by", ["KeyId", "Arn"])
def test_a_tagged_key_whose_policy_allows_the_account_authorizes_the_connection(aws, by):
    """The page's example key policy ("Enable IAM User Permissions": the account root, kms:*),
    moto's default, lets EventBridge use the key."""
    key = _key(aws)
    assert _create(aws, key[by])["ConnectionState"] == "AUTHORIZED"
    described = aws("events").describe_connection(Name="encrypted")
    assert described["KmsKeyIdentifier"] == key[by]


def test_a_key_that_does_not_exist_is_refused(aws):
    missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    with pytest.raises(ClientError, match="does not exist"):
        _create(aws, missing)
    with pytest.raises(ClientError):
        aws("events").describe_connection(Name="encrypted")  # nothing was created


def test_a_key_without_the_tag_is_refused(aws):
    key = _key(aws, tags=[])
    with pytest.raises(ClientError, match="EventBridgeApiDestinations=true"):
        _create(aws, key["KeyId"])


def test_a_key_policy_that_leaves_eventbridge_out_is_refused(aws):
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/admin"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    key = _key(aws, policy=policy)
    with pytest.raises(ClientError, match="kms:DescribeKey, kms:GenerateDataKey, kms:Decrypt"):
        _create(aws, key["KeyId"])


def test_the_recommended_conditions_hold_for_the_connections_secret(aws):
    """The page's recommended conditions: kms:ViaService secretsmanager.*.amazonaws.com and
    kms:EncryptionContext:SecretARN events!connection/*."""
    policy = page_actions_policy(
        {"AWS": "arn:aws:iam::123456789012:root"},
        {
            "StringLike": {
                "kms:ViaService": "secretsmanager.*.amazonaws.com",
                "kms:EncryptionContext:SecretARN": [
                    "arn:aws:secretsmanager:*:*:secret:events!connection/*"
                ],
            },
            "StringEquals": {"kms:ResourceTag/EventBridgeApiDestinations": "true"},
        },
    )
    key = _key(aws, policy=policy)
    assert _create(aws, key["Arn"])["ConnectionState"] == "AUTHORIZED"


def test_a_key_disabled_later_deauthorizes_the_connection_until_enabled(aws):
    key = _key(aws)
    _create(aws, key["KeyId"])
    events = aws("events")

    aws("kms").disable_key(KeyId=key["KeyId"])
    described = events.describe_connection(Name="encrypted")
    aws("kms").enable_key(KeyId=key["KeyId"])

    assert described["ConnectionState"] == "DEAUTHORIZED"
    assert "is Disabled" in described["StateReason"]
    assert events.describe_connection(Name="encrypted")["ConnectionState"] == "AUTHORIZED"
