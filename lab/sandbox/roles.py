"""The IAM roles AWS services assume on this path, evaluated as AWS evaluates them.

A state machine's execution role and an EventBridge target's role are IAM roles in moto's
IAM backend (made by the stack's template or by the learner). Where AWS checks them, the
sandbox asks this module:

- :func:`trusts` — does the role exist and let the service principal (global or regional,
  ``states.amazonaws.com`` / ``states.<region>.amazonaws.com``) assume it?
- :func:`allows` — do the role's identity policies (inline and attached managed, within its
  permissions boundary) allow an action on a resource, with a request context?

Both answer True when the sandbox setting ``iam_evaluation`` is off
(:mod:`lab.sandbox.settings`). The evaluation itself is :mod:`lab.sandbox.policy_evaluation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lab.sandbox.policy_evaluation import Decision, Policy, Request, evaluate, trusts_service


def enabled() -> bool:
    """Whether roles are evaluated (the sandbox setting ``iam_evaluation``)."""
    from lab.sandbox import settings

    return bool(settings.get_setting("iam_evaluation"))


def _partition(arn: str) -> str:
    parts = arn.split(":")
    return parts[1] if len(parts) > 1 and parts[1] else "aws"


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def find_role(role_arn: str) -> Any | None:
    """moto's role for ``role_arn``, or None if there is none."""
    from moto.iam.models import iam_backends

    try:
        backend = iam_backends[_account(role_arn)][_partition(role_arn)]
    except (KeyError, LookupError):
        return None
    for role in backend.get_roles():
        if role.arn == role_arn:
            return role
    return None


def role_name(role_arn: str) -> str:
    """The role's name: the ARN's last path segment."""
    return role_arn.rsplit("/", 1)[-1]


def assumed_role_arn(role_arn: str, session: str) -> str:
    """The caller AWS names in an access-denied message: ``arn:aws:sts::…:assumed-role/…``."""
    partition, account = _partition(role_arn), _account(role_arn)
    return f"arn:{partition}:sts::{account}:assumed-role/{role_name(role_arn)}/{session}"


def trusts(role_arn: str | None, service: str, region: str, source_arn: str | None = None) -> bool:
    """Does ``role_arn`` exist and trust ``service`` to assume it (always, with IAM off)?

    ``source_arn`` is the resource the service assumes the role for (a state machine, a
    rule): trust policies guard against the confused deputy with ``aws:SourceArn`` and
    ``aws:SourceAccount`` conditions, which the service's request context carries.
    """
    if not enabled():
        return True
    role = find_role(role_arn or "")
    if role is None:
        return False
    context = {"aws:SourceAccount": _account(source_arn or role_arn or "")}
    if source_arn:
        context["aws:SourceArn"] = source_arn
    return trusts_service(role.assume_role_policy_document, service, region, context)


@dataclass(frozen=True)
class Check:
    """One permission a service needs from the role: action, resource, request context."""

    action: str
    resource: str
    context: Mapping[str, Any] | None = None


def _policies(role: Any) -> tuple[list[Policy], Policy | None]:
    policies = [Policy(f"inline policy {name}", doc) for name, doc in role.policies.items()]
    for arn, managed in role.managed_policies.items():
        version = next((v for v in managed.versions if v.is_default), None)
        if version is not None:
            policies.append(Policy(f"managed policy {arn}", version.document))
    boundary = None
    if getattr(role, "permissions_boundary_arn", None):
        boundary = _managed_policy(role.permissions_boundary_arn)
    return policies, boundary


def _managed_policy(arn: str) -> Policy | None:
    from moto.iam.models import iam_backends

    try:
        backend = iam_backends[_account(arn) or "aws"][_partition(arn)]
        managed = backend.get_policy(arn)
    except Exception:  # an AWS managed policy moto does not load, or none
        return None
    version = next((v for v in managed.versions if v.is_default), None)
    return None if version is None else Policy(f"permissions boundary {arn}", version.document)


def allows(role_arn: str | None, check: Check) -> Decision:
    """Do ``role_arn``'s policies allow ``check`` (always, with IAM off)?"""
    if not enabled():
        return Decision(True, "IAM evaluation is off in this sandbox")
    role = find_role(role_arn or "")
    if role is None:
        return Decision(False, f"the role {role_arn} does not exist")
    policies, boundary = _policies(role)
    request = Request(check.action, check.resource, dict(check.context or {}))
    return evaluate(policies, request, boundary)


def denial(role_arn: str, session: str, check: Check, decision: Decision, on: str) -> str:
    """AWS's sentence for a denied call: "User: … is not authorized to perform: … on …"."""
    because = (
        "with an explicit deny in an identity-based policy"
        if decision.explicit
        else "because no identity-based policy allows the " + check.action + " action"
    )
    return (
        f"User: {assumed_role_arn(role_arn, session)} is not authorized to perform: "
        f"{check.action} on {on} {because}"
    )
