"""Sandbox extension: API Gateway as the lab's private REST API needs it.

moto's API Gateway backend already keeps what the data plane reads (policy,
stages, usage plans and keys, MOCK integrations); what it lacks is
CloudFormation support for this template's API Gateway types, defined in
``cloudformation`` (see its docstring). One seam: ``RestAPI.to_dict`` answers the
resource policy in AWS's expanded form (:mod:`lab.sandbox.apigateway.models`).

Imports: ``cloudformation.base``, ``models`` and ``seams`` only; nothing imports it but the
seams registry.
"""

from __future__ import annotations


def seams():
    """The API Gateway seam; importing ``cloudformation`` defines its handlers."""
    from lab.sandbox.seams import Seam

    from . import cloudformation, models  # noqa: F401

    return (
        Seam(
            models.__name__,
            "moto.apigateway.models:RestAPI.to_dict",
            models.wrap_rest_api_to_dict,
            "moto returns a resource policy as given; API Gateway expands execute-api:/ "
            "resources to the API's ARN",
            "tests/contracts/test_moto_apigateway.py::"
            "test_moto_returns_the_resource_policy_as_it_was_given",
            kind="wrap",
        ),
    )


def apply() -> None:
    """Define the CloudFormation handlers (idempotent)."""
    from lab.sandbox import seams

    seams.install(__name__)
