"""Acknowledge a validation finding (cdk-nag rule) on a construct, with the reason.

cdk-nag 3 reads CDK's native ``Validations.of(scope).acknowledge(...)``, which
records the rule and reason in the cloud assembly's metadata (not in the
template), so the app itself does not import cdk_nag: only the tests run the
AwsSolutions pack. Each call sits next to the construct it is about.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge ``rule_id`` (e.g. ``AwsSolutions-VPC7``) on ``scope`` and its children."""
    if not reason.strip():
        raise ValueError(f"acknowledging {rule_id} needs a reason a reviewer can check")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))
