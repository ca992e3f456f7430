"""The stack's option to encrypt the connection's secret with its own customer managed KMS key.

Off by default. Turn it on with the context value ``connection_kms_key=true``
(``cdk synth -c connection_kms_key=true``, or ``LAB_CONNECTION_KMS_KEY=true`` for
``python -m cdk_app`` and ``lab``, which pass it on as that context value).

What the option adds, each from the page that asks for it:

- a symmetric :class:`aws_kms.Key` with yearly rotation, tagged
  ``EventBridgeApiDestinations=true`` (EventBridge uses a customer managed key for a
  connection only with that tag: encryption-connections.html);
- its key policy: the key administrators' actions for the account (KMS Developer Guide,
  key-policy-default.html, "Allows key administrators to administer the KMS key"; no
  ``kms:*``), and the use EventBridge makes of it on the caller's behalf —
  ``kms:GenerateDataKey`` and ``kms:Decrypt`` (``kms:DescribeKey`` is an administrator
  action already) — with the conditions the page recommends: ``kms:ViaService`` =
  ``secretsmanager.*.amazonaws.com``, ``kms:EncryptionContext:SecretARN`` = a connection
  secret (``events!connection/*``), and the tag;
- the connection's ``KmsKeyIdentifier`` (the key's ARN);
- in the execution role: ``kms:Decrypt`` on the key for the HTTP Task's credentials. The task
  reads them with the execution role (``events:RetrieveConnectionCredentials``, then
  Secrets Manager's ``GetSecretValue``), and "Secrets Manager … acts on behalf of the
  identity", which needs ``kms:Decrypt`` for ``GetSecretValue`` on a secret under a customer
  managed key (Secrets Manager User Guide, security-encryption.html, "Permissions for the KMS
  key"). The statement is narrowed to calls through Secrets Manager for the connection's
  secret (``kms:ViaService``, ``kms:EncryptionContext:SecretARN``).

The EventBridge rule target's role needs nothing more: the role only lets EventBridge
invoke the API destination (``events:InvokeApiDestination``); EventBridge reads the
connection's credentials itself, under the key policy's statement above.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy, Tags
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

#: The context value that turns the option on.
CONTEXT_KEY = "connection_kms_key"
#: The tag EventBridge requires of a customer managed key for connections.
TAG_KEY = "EventBridgeApiDestinations"
#: The key administrators' actions (key-policy-default.html), for the account's IAM policies.
ADMIN_ACTIONS = [
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
    "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
    "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
]  # fmt: skip
#: What EventBridge does with the key through Secrets Manager (encryption-connections.html).
USE_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"]
#: The connection secrets EventBridge makes: ``events!connection/<name>/<id>``.
CONNECTION_SECRETS = "arn:aws:secretsmanager:*:*:secret:events!connection/*"
_TRUE = ("true", "1", "yes", "on")


def wanted(scope: Construct) -> bool:
    """Whether the context asks for the option (``true``; a string from ``-c`` or a bool)."""
    value = scope.node.try_get_context(CONTEXT_KEY)
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in _TRUE


def key_policy() -> iam.PolicyDocument:
    """The key policy: the account administers the key; EventBridge uses it via Secrets Manager."""
    account = iam.AccountRootPrincipal()
    return iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                sid="KeyAdministration",
                principals=[account],
                actions=ADMIN_ACTIONS,
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="EventBridgeConnectionSecret",
                principals=[account],
                actions=USE_ACTIONS,
                resources=["*"],
                conditions={
                    "StringLike": {
                        "kms:ViaService": "secretsmanager.*.amazonaws.com",
                        "kms:EncryptionContext:SecretARN": CONNECTION_SECRETS,
                    },
                    "StringEquals": {f"kms:ResourceTag/{TAG_KEY}": "true"},
                },
            ),
        ]
    )


def connection_key(scope: Construct, construct_id: str) -> kms.Key:
    """The customer managed key for the connection's secret (rotated yearly, deleted with
    the stack after the shortest waiting period KMS allows)."""
    key = kms.Key(
        scope,
        construct_id,
        description="Private API Lab: encrypts the EventBridge connection's credentials",
        enable_key_rotation=True,
        rotation_period=Duration.days(365),
        policy=key_policy(),
        # The lab's cleanup deletes the stack; the key goes with it (7 days pending).
        removal_policy=RemovalPolicy.DESTROY,
        pending_window=Duration.days(7),
    )
    Tags.of(key).add(TAG_KEY, "true")
    return key


def decrypt_statement(key: kms.IKey, connection: events.IConnection) -> iam.PolicyStatement:
    """``kms:Decrypt`` for the execution role: only through Secrets Manager, only for the
    connection's secret (security-encryption.html, "Permissions for the KMS key")."""
    return iam.PolicyStatement(
        actions=["kms:Decrypt"],
        resources=[key.key_arn],
        conditions={
            "StringEquals": {
                "kms:ViaService": f"secretsmanager.{Aws.REGION}.amazonaws.com",
                "kms:EncryptionContext:SecretARN": connection.connection_secret_arn,
            }
        },
    )
