"""What Step Functions checks of a state machine's role, and when.

- CreateStateMachine / UpdateStateMachine (and CloudFormation's handler, which calls the
  same backend methods): the role must exist and trust ``states.amazonaws.com``, global or
  regional; otherwise ``AccessDeniedException`` with :data:`TRUST_MESSAGE` (the words of
  AWS's own CloudFormation handler for state machines).
- Each HTTP Task invocation (call-https-apis.html, "IAM permissions to run an HTTP Task"):
  ``states:InvokeHTTPEndpoint`` on the state machine, with the condition keys
  ``states:HTTPEndpoint`` and ``states:HTTPMethod``; then, to read the connection's
  credentials, ``events:RetrieveConnectionCredentials`` on the connection and
  ``secretsmanager:GetSecretValue`` and ``secretsmanager:DescribeSecret`` on its secret.

A missing credentials permission fails the task with ``Events.ConnectionResource.AccessDenied``
(what users report). A connection whose secret is under a customer managed KMS key
(``KmsKeyIdentifier``) also needs ``kms:Decrypt`` on that key: Secrets Manager decrypts the
secret on behalf of the identity that reads it (security-encryption.html, "Permissions for the
KMS key"), with ``kms:ViaService`` = ``secretsmanager.<region>.amazonaws.com`` and
``kms:EncryptionContext:SecretARN`` = the secret; both the role's policies and the key policy
must allow it (:func:`lab.sandbox.events.kms_key.key_policy_allows`). A refusal fails the task
with the same ``Events.ConnectionResource.AccessDenied`` (the sandbox's choice: AWS documents
no other name for a credentials read that fails on permissions).

AWS documents no error name for a missing ``states:InvokeHTTPEndpoint``
(users report only the cause, "… is not authorized to perform states:InvokeHTTPEndpoint on
API Endpoint …"): the sandbox's choice is ``States.Runtime``, which ``States.ALL`` in a
Retry or Catch does not match — a permission does not appear by retrying. TestState runs its
state in a state machine of its own with no ARN a policy could name, so there the sandbox
checks only the credentials permissions.

Everything here is skipped when the sandbox setting ``iam_evaluation`` is off.
"""

from __future__ import annotations

import functools

from lab.sandbox import roles
from lab.sandbox.network.errors import CONNECTION_ACCESS_DENIED, HttpTaskError
from lab.sandbox.stepfunctions.exceptions import STATES_RUNTIME, AccessDeniedException

SERVICE_PRINCIPAL = "states.amazonaws.com"
TRUST_MESSAGE = (
    "Neither the global service principal states.amazonaws.com, nor the regional one is "
    "authorized to assume the provided role."
)


def check_trust(role_arn: str | None, region: str, state_machine_arn: str | None = None) -> None:
    """Raise AWS's ``AccessDeniedException`` unless Step Functions may assume ``role_arn``
    for ``state_machine_arn`` (its ``aws:SourceArn``)."""
    if not roles.trusts(role_arn, SERVICE_PRINCIPAL, region, state_machine_arn):
        raise AccessDeniedException(TRUST_MESSAGE)


def check_invoke(
    role_arn: str, state_machine_arn: str, endpoint: str, method: str, session: str
) -> None:
    """``states:InvokeHTTPEndpoint`` for this endpoint and method, or ``States.Runtime``."""
    check = roles.Check(
        "states:InvokeHTTPEndpoint",
        state_machine_arn,
        {"states:HTTPEndpoint": endpoint, "states:HTTPMethod": method},
    )
    decision = roles.allows(role_arn, check)
    if not decision.allowed:
        cause = roles.denial(role_arn, session, check, decision, f"API Endpoint {endpoint}")
        raise HttpTaskError(STATES_RUNTIME, cause)


def check_credentials(
    role_arn: str, connection_arn: str, secret_arn: str | None, session: str,
    kms_key_arn: str | None = None,
):
    """What reading the connection's credentials needs, or ``…ConnectionResource.AccessDenied``.

    ``kms_key_arn``: the connection's customer managed key, whose ``kms:Decrypt`` the role
    then needs too.
    """
    checks = [roles.Check("events:RetrieveConnectionCredentials", connection_arn)]
    if secret_arn:
        checks += [
            roles.Check("secretsmanager:GetSecretValue", secret_arn),
            roles.Check("secretsmanager:DescribeSecret", secret_arn),
        ]
    if secret_arn and kms_key_arn:
        checks.append(_decrypt_check(kms_key_arn, secret_arn))
    for check in checks:
        decision = roles.allows(role_arn, check)
        if not decision.allowed:
            cause = roles.denial(role_arn, session, check, decision, f"resource: {check.resource}")
            raise HttpTaskError(CONNECTION_ACCESS_DENIED, cause)
        if check.action == "kms:Decrypt" and not _key_policy_allows(role_arn, check):
            raise HttpTaskError(
                CONNECTION_ACCESS_DENIED,
                f"User: {roles.assumed_role_arn(role_arn, session)} is not authorized to "
                f"perform: kms:Decrypt on resource: {check.resource} because no "
                "resource-based policy allows the kms:Decrypt action",
            )


def _decrypt_check(kms_key_arn: str, secret_arn: str) -> roles.Check:
    from lab.sandbox.events import kms_key

    account, region = _arn_account_region(kms_key_arn, secret_arn)
    context = kms_key.decrypt_context(kms_key_arn, account, region, secret_arn)
    return roles.Check("kms:Decrypt", kms_key_arn, context)


def _arn_account_region(*arns: str) -> tuple[str, str]:
    for arn in arns:
        parts = arn.split(":")
        if len(parts) > 4 and parts[3] and parts[4]:
            return parts[4], parts[3]
    return "", ""


def _key_policy_allows(role_arn: str, check: roles.Check) -> bool:
    """The key policy's side of ``kms:Decrypt`` (skipped, like the rest, with IAM off)."""
    from lab.sandbox.events import kms_key

    if not roles.enabled():
        return True
    account, region = _arn_account_region(check.resource)
    return kms_key.key_policy_allows(
        check.resource, account, region, role_arn, check.action, dict(check.context or {})
    )


def _trust_checked_create(moto_create):
    @functools.wraps(moto_create)
    def create_state_machine(self, name, definition, roleArn, *args, **kwargs):  # noqa: N803
        machine = (
            f"arn:{self.partition}:states:{self.region_name}:{self.account_id}:stateMachine:{name}"
        )
        check_trust(roleArn, self.region_name, machine)
        return moto_create(self, name, definition, roleArn, *args, **kwargs)

    return create_state_machine


def _trust_checked_update(moto_update):
    @functools.wraps(moto_update)
    def update_state_machine(self, arn, definition=None, role_arn=None, *args, **kwargs):
        if role_arn is not None:
            check_trust(role_arn, self.region_name, arn)
        return moto_update(self, arn, definition, role_arn, *args, **kwargs)

    return update_state_machine


def seams():
    """CreateStateMachine and UpdateStateMachine check the role's trust first."""
    from lab.sandbox.seams import Seam

    target = "moto.stepfunctions.parser.models:StepFunctionsParserBackend"
    contract = "tests/contracts/test_moto_stepfunctions.py::test_state_machine_role_parameters"
    return (
        Seam(
            __name__,
            f"{target}.create_state_machine",
            _trust_checked_create,
            "moto accepts a role that does not exist or does not trust Step Functions",
            contract,
            kind="wrap",
        ),
        Seam(
            __name__,
            f"{target}.update_state_machine",
            _trust_checked_update,
            "moto accepts a role that does not exist or does not trust Step Functions",
            contract,
            kind="wrap",
        ),
    )
