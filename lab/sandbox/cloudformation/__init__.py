"""Sandbox extension: CloudFormation for every type the lab's template uses.

The unmodified synthesized template must reach CREATE_COMPLETE and
DELETE_COMPLETE, with every resource in its service's backend (where the
service's API reads it) and nothing left behind after deletion. The resource
handlers live with their service where this extension owns the service
(``lab.sandbox.apigateway.models``, ``lab.sandbox.secretsmanager.models``),
and in ``lab.sandbox.cloudformation.models`` otherwise; ``parsing`` patches
moto's template parser to use them.
"""

from __future__ import annotations


def apply() -> None:
    """Define the handlers and patch moto's parser. Idempotent; runs last."""
    from lab.sandbox.apigateway import models as apigateway_models  # noqa: F401
    from lab.sandbox.cloudformation import models, parsing  # noqa: F401
    from lab.sandbox.secretsmanager import models as secretsmanager_models  # noqa: F401

    parsing.apply()
