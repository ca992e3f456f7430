"""Sandbox extension: API Gateway as the lab's private REST API needs it.

moto's API Gateway backend already keeps what the data plane reads (policy,
stages, usage plans and keys, MOCK integrations); what it lacks is
CloudFormation support for this template's API Gateway types, defined in
``cloudformation`` (see its docstring). No seams.

Imports: ``cloudformation.base`` and ``seams`` only; nothing imports it but the seams registry.
"""

from __future__ import annotations


def seams():
    """None: API Gateway only adds CloudFormation handlers (importing them defines them)."""
    from . import cloudformation  # noqa: F401

    return ()


def apply() -> None:
    """Define the CloudFormation handlers (idempotent)."""
    from lab.sandbox import seams

    seams.install(__name__)
