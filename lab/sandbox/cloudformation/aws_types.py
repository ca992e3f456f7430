"""Every resource type CloudFormation publishes (us-east-1), read from cfn-lint's schemas.

cfn-lint is a runtime dependency (pinned in ``pyproject.toml``; the sandbox also validates
state machine definitions with it), and its provider schemas are CloudFormation's own list
of types. The sandbox uses the list to tell a real type it has no model for (skipped with
moto's warning, as moto does) from a name CloudFormation does not know (the stack fails,
naming it). It is read at first use (cfn-lint's schema module loads in about 0.6 s) and
kept for the life of the process.
"""

from __future__ import annotations

import functools

#: The region whose published types count (cfn-lint ships one schema set per region).
REGION = "us-east-1"


@functools.cache
def aws_resource_types() -> frozenset[str]:
    """The ``AWS::`` resource types cfn-lint's schemas publish for :data:`REGION`."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as schemas

    return frozenset(
        name for name in schemas.get_resource_types(REGION) if name.startswith("AWS::")
    )
