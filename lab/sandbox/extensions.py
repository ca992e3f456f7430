"""Apply every sandbox extension to moto, in dependency order.

Each entry is a package shaped like a moto service with an idempotent
``apply()``. Works in-process (inside ``moto.mock_aws()``) and in the
sandbox server process (where it must run before the server serves anything,
because moto builds each service's app on its first request).
"""

from __future__ import annotations

import importlib

EXTENSIONS = (
    "lab.sandbox.vpclattice",  # resource gateways and resource configurations
    "lab.sandbox.ec2",  # VPC endpoint DNS entries and ENIs
    "lab.sandbox.events",  # connections with private connectivity
    "lab.sandbox.secretsmanager",  # secrets from templates, {{resolve:secretsmanager:...}}
    "lab.sandbox.apigateway",  # what the private API needs (MOCK, stages, usage plans)
    "lab.sandbox.stepfunctions",  # http:invoke, StartSyncExecution, definition cache
    "lab.sandbox.cloudformation",  # models for every type the template uses; last
)

_applied = False


def apply_all() -> None:
    """Apply every extension once; later calls do nothing."""
    global _applied
    if _applied:
        return
    from lab.sandbox.lazy_imports import defer_unneeded_imports

    defer_unneeded_imports()  # before moto.apigateway pulls jsonschema in: seconds of start-up
    for name in EXTENSIONS:
        importlib.import_module(name).apply()
    _applied = True
