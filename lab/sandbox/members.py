"""A request's members as a backend's keyword arguments: ``ConnectionArn`` -> ``connection_arn``.

The sandbox's response handlers and CloudFormation handlers pass many members straight on
to moto's backends, whose arguments are the members' names in snake case. One function
builds those keyword arguments from any getter (``self._get_param``, ``properties.get``),
so a handler lists member names instead of writing each ``name=get("Name")`` pair again.

Imports: moto's own case conversion only (a leaf of ``lab.sandbox``, like ``paging``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.utils import camelcase_to_underscores


def snake(member: str) -> str:
    """``ipv4AddressesPerEni`` -> ``ipv4_addresses_per_eni`` (moto's argument name)."""
    return camelcase_to_underscores(member)


def keyword_arguments(get: Callable[[str], Any], *members: str) -> dict[str, Any]:
    """``{snake(member): get(member)}`` for each member, in order."""
    return {snake(member): get(member) for member in members}
