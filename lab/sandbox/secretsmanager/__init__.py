"""Sandbox extension: Secrets Manager for CloudFormation.

moto 5.2.5 has no ``AWS::SecretsManager::Secret`` model and does not resolve
``{{resolve:secretsmanager:...}}`` dynamic references. This package adds the
model (with ``GenerateSecretString``) and the resolver; the CloudFormation
extension calls the resolver while it cleans a resource's properties.

Imports: ``cloudformation.base`` and ``seams``; ``cloudformation.parsing`` imports its ``models``.
"""

from __future__ import annotations

from lab.sandbox.seams import applier


def seams():
    """None: Secrets Manager only adds CloudFormation handlers (importing them defines them)."""
    from . import cloudformation  # noqa: F401

    return ()


#: Define the CloudFormation handlers (idempotent).
apply = applier(__name__)
