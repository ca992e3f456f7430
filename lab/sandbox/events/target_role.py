"""The role EventBridge assumes to invoke an API destination target.

- PutTargets (and CloudFormation's ``AWS::Events::Rule``, which calls the same backend
  method): an API destination target needs a ``RoleArn``; without one AWS answers
  ``ValidationException`` "RoleArn is required for target <arn>." (as recorded from
  PutTargets and from CloudFormation's handler).
- At delivery (eb-api-destinations.html, eb-rule-dlq.html): EventBridge assumes the role,
  which must trust ``events.amazonaws.com``, and the role's policies must allow
  ``events:InvokeApiDestination`` on the destination. If not, the event is not retried: it
  goes straight to the dead-letter queue with ``ERROR_CODE`` ``FAILED_TO_ASSUME_ROLE`` or
  ``NO_PERMISSIONS`` (the codes eb-rule-dlq.html lists). The messages are the sandbox's own
  sentences; AWS documents only the codes.

The delivery checks are skipped when the sandbox setting ``iam_evaluation`` is off; the
PutTargets rule is an input rule and always applies.
"""

from __future__ import annotations

import functools
from typing import Any

from lab.sandbox import roles

SERVICE_PRINCIPAL = "events.amazonaws.com"
FAILED_TO_ASSUME_ROLE = "FAILED_TO_ASSUME_ROLE"
NO_PERMISSIONS = "NO_PERMISSIONS"


def is_api_destination(target: dict[str, Any]) -> bool:
    return ":api-destination/" in str(target.get("Arn", ""))


def check_targets(targets: list[dict[str, Any]]) -> None:
    """Raise AWS's ValidationException for an API destination target with no role."""
    from moto.events.exceptions import ValidationException

    for target in targets:
        if is_api_destination(target) and not target.get("RoleArn"):
            raise ValidationException(f"RoleArn is required for target {target.get('Arn')}.")


def wrap_put_targets(moto_put_targets):
    @functools.wraps(moto_put_targets)
    def put_targets(self, name, event_bus_arn, targets):
        check_targets(targets)
        return moto_put_targets(self, name, event_bus_arn, targets)

    return put_targets


def delivery_refusal(
    target: dict[str, Any], region: str, rule_arn: str | None = None
) -> tuple[str, str] | None:
    """``(ERROR_CODE, ERROR_MESSAGE)`` if EventBridge may not invoke ``target`` as its role
    for ``rule_arn`` (the ``aws:SourceArn`` a trust policy may name)."""
    role_arn = target.get("RoleArn")
    destination = str(target.get("Arn", ""))
    if not role_arn:  # only possible with targets put before the rule existed
        return FAILED_TO_ASSUME_ROLE, f"The target {destination} has no RoleArn to assume."
    if not roles.trusts(role_arn, SERVICE_PRINCIPAL, region, rule_arn):
        return (
            FAILED_TO_ASSUME_ROLE,
            f"EventBridge could not assume the role {role_arn}: it does not exist or its trust "
            f"policy does not allow {SERVICE_PRINCIPAL} to call sts:AssumeRole.",
        )
    check = roles.Check("events:InvokeApiDestination", destination)
    decision = roles.allows(role_arn, check)
    if not decision.allowed:
        return NO_PERMISSIONS, roles.denial(
            role_arn, "EventBridge", check, decision, f"resource: {destination}"
        )
    return None


def seams():
    """PutTargets refuses an API destination target with no role."""
    from lab.sandbox.seams import Seam

    return (
        Seam(
            __name__,
            "moto.events.models:EventsBackend.put_targets",
            wrap_put_targets,
            "moto accepts an API destination target without the RoleArn AWS requires",
            "tests/contracts/test_moto_events.py::test_put_targets_takes_name_bus_and_targets",
            kind="wrap",
        ),
    )
