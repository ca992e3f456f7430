"""A connection encrypted with a customer managed KMS key: what EventBridge needs of the key.

encryption-connections.html ("Encrypting EventBridge connection authorization with AWS KMS
keys"): the key named by ``KmsKeyIdentifier`` (key id, key ARN, alias name or alias ARN) must
exist and be enabled, carry the resource tag ``EventBridgeApiDestinations=true``, and its key
policy must let EventBridge use it through Secrets Manager: ``kms:DescribeKey``,
``kms:GenerateDataKey`` and ``kms:Decrypt`` (the page's recommended conditions:
``kms:ViaService`` = ``secretsmanager.*.amazonaws.com``,
``kms:EncryptionContext:SecretARN`` = the connection's secret, and the tag).

:func:`problem` says what is wrong (None: the key is usable). CreateConnection and
UpdateConnection refuse a key with a problem (``ValidationException``; AWS's wording is not
recorded, the sentence is the sandbox's); a key that becomes unusable later (disabled,
scheduled for deletion, its tag or policy changed) de-authorizes the connection
(``DEAUTHORIZED`` with the problem as its ``StateReason``), as the page warns.

The key policy is evaluated with :mod:`lab.sandbox.policy_evaluation`; a statement applies to
EventBridge when its principal is ``*``, the account (``arn:aws:iam::<account>:root`` or the
bare account id: the account's IAM policies decide, and EventBridge acts for the caller), or
the events / secretsmanager service principal.
"""

from __future__ import annotations

from typing import Any

from lab.sandbox.policy_evaluation import Policy, Request, evaluate, parse_policy

TAG_KEY = "EventBridgeApiDestinations"
ACTIONS = ("kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt")
SERVICES = ("events.amazonaws.com", "secretsmanager.amazonaws.com")


def _backend(account: str, region: str) -> Any:
    from moto.kms.models import kms_backends

    return kms_backends[account][region]


def _for_eventbridge(statement: dict[str, Any], account: str) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    aws = principal.get("AWS", [])
    aws = aws if isinstance(aws, list) else [aws]
    if "*" in aws or account in aws or any(str(a).endswith(f":{account}:root") for a in aws):
        return True
    services = principal.get("Service", [])
    services = services if isinstance(services, list) else [services]
    return any(s in SERVICES for s in services)


def problem(identifier: str, account: str, region: str, secret_arn: str | None) -> str | None:
    """Why EventBridge cannot use key ``identifier`` for the connection (None: it can)."""
    backend = _backend(account, region)
    try:
        key = backend.keys[backend.any_id_to_key_id(identifier)]
    except (KeyError, TypeError, AttributeError):
        return f"KMS key {identifier} does not exist in {account}/{region}."
    if key.key_state != "Enabled":
        return f"KMS key {key.arn} is {key.key_state}; EventBridge needs an enabled key."
    # TagKey/TagValue from the KMS API; Key/Value as CloudFormation's AWS::KMS::Key hands them
    tags = {
        t.get("TagKey", t.get("Key")): t.get("TagValue", t.get("Value"))
        for t in backend.list_resource_tags(key.id)["Tags"]
    }
    if tags.get(TAG_KEY) != "true":
        return (
            f"KMS key {key.arn} does not carry the tag {TAG_KEY}=true, which EventBridge "
            "requires of a customer managed key for connections."
        )
    document = parse_policy(key.policy)
    statements = document.get("Statement") or []
    statements = statements if isinstance(statements, list) else [statements]
    relevant = Policy(
        "the key policy",
        {"Statement": [s for s in statements if _for_eventbridge(s, account)]},
    )
    context = {
        "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
        "kms:EncryptionContext:SecretARN": secret_arn or "",
        f"aws:ResourceTag/{TAG_KEY}": "true",
        f"kms:ResourceTag/{TAG_KEY}": "true",
        "aws:SourceAccount": account,
    }
    denied = [
        action
        for action in ACTIONS
        if not evaluate([relevant], Request(action, key.arn, context)).allowed
    ]
    if denied:
        return (
            f"The key policy of KMS key {key.arn} does not let EventBridge call "
            f"{', '.join(denied)} through Secrets Manager (encryption-connections.html)."
        )
    return None
