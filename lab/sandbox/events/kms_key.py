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

At run time the HTTP Task reads the connection's credentials with its execution role, and
Secrets Manager decrypts them on that role's behalf: the role needs ``kms:Decrypt`` on the key
(Secrets Manager User Guide, security-encryption.html, "Permissions for the KMS key"), from
its own policies and from the key policy (directly, or through the account principal, which
delegates to IAM policies: KMS Developer Guide, key-policy-default.html). :func:`decrypt_context`
is the request context of that call and :func:`key_policy_allows` the key policy's side.
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


def _for_eventbridge(statement: dict[str, Any], account: str, caller: str = "") -> bool:
    """Does ``statement`` name EventBridge's side: anyone, the account, the events or
    secretsmanager service; or, for ``caller`` (a role's own call), anyone, the account or
    that role?"""
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    aws = principal.get("AWS", [])
    aws = aws if isinstance(aws, list) else [aws]
    if "*" in aws or account in aws or any(str(a).endswith(f":{account}:root") for a in aws):
        return True
    if caller:  # a role's own call: a service principal does not stand for it
        return caller in aws
    services = principal.get("Service", [])
    services = services if isinstance(services, list) else [services]
    return any(s in SERVICES for s in services)


def _find(identifier: str, account: str, region: str) -> Any | None:
    backend = _backend(account, region)
    try:
        return backend.keys[backend.any_id_to_key_id(identifier)]
    except (KeyError, TypeError, AttributeError):
        return None


def _tags(key: Any, account: str, region: str) -> dict[str, str]:
    # TagKey/TagValue from the KMS API; Key/Value as CloudFormation's AWS::KMS::Key hands them
    return {
        t.get("TagKey", t.get("Key")): t.get("TagValue", t.get("Value"))
        for t in _backend(account, region).list_resource_tags(key.id)["Tags"]
    }


def key_arn(identifier: str | None, account: str, region: str) -> str | None:
    """The ARN of the key ``identifier`` names (key id, key ARN, alias), None if none."""
    key = _find(identifier, account, region) if identifier else None
    return None if key is None else key.arn


def decrypt_context(key: str, account: str, region: str, secret_arn: str) -> dict[str, str]:
    """The request context of Secrets Manager's ``kms:Decrypt`` for a connection's secret."""
    context = {
        "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
        "kms:EncryptionContext:SecretARN": secret_arn,
        "aws:SourceAccount": account,
    }
    found = _find(key, account, region)
    for tag, value in (_tags(found, account, region) if found is not None else {}).items():
        context[f"aws:ResourceTag/{tag}"] = context[f"kms:ResourceTag/{tag}"] = value
    return context


def key_policy_allows(key: str, account: str, region: str, caller: str, action: str,
                      context: dict[str, str]) -> bool:
    """Does the key policy let ``caller`` (or the account, for its IAM policies) do ``action``?"""
    found = _find(key, account, region)
    if found is None or found.key_state != "Enabled":
        return False
    document = parse_policy(found.policy)
    statements = document.get("Statement") or []
    statements = statements if isinstance(statements, list) else [statements]
    relevant = Policy(
        "the key policy",
        {"Statement": [s for s in statements if _for_eventbridge(s, account, caller)]},
    )
    return evaluate([relevant], Request(action, found.arn, context)).allowed


def problem(identifier: str, account: str, region: str, secret_arn: str | None) -> str | None:
    """Why EventBridge cannot use key ``identifier`` for the connection (None: it can)."""
    key = _find(identifier, account, region)
    if key is None:
        return f"KMS key {identifier} does not exist in {account}/{region}."
    if key.key_state != "Enabled":
        return f"KMS key {key.arn} is {key.key_state}; EventBridge needs an enabled key."
    tags = _tags(key, account, region)
    if tags.get(TAG_KEY) != "true":
        return (
            f"KMS key {key.arn} does not carry the tag {TAG_KEY}=true, which EventBridge "
            "requires of a customer managed key for connections."
        )
    context = decrypt_context(key.arn, account, region, secret_arn or "")
    denied = [
        action
        for action in ACTIONS
        if not key_policy_allows(key.arn, account, region, "", action, context)
    ]
    if denied:
        return (
            f"The key policy of KMS key {key.arn} does not let EventBridge call "
            f"{', '.join(denied)} through Secrets Manager (encryption-connections.html)."
        )
    return None
