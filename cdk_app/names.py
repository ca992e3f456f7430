"""Physical names derived from the stack name (pure Python, no CDK import)."""

from __future__ import annotations

import re

DEFAULT_STACK_NAME = "PrivateApiLab"

# VPC Lattice names (botocore: ResourceGatewayName / ResourceConfigurationName):
# 3-40 chars of [a-z0-9-], no leading/trailing hyphen, no "--", and no
# "rgw-"/"rcfg-" prefix (those are reserved for ids).
LATTICE_NAME_MAX = 40
_RESERVED_PREFIXES = ("rgw-", "rcfg-")


def lattice_name(stack_name: str, suffix: str) -> str:
    """A valid VPC Lattice name ``<stack>-<suffix>`` for this stack.

    The stack part is lower-cased, every run of other characters becomes one
    hyphen, and it is cut so the whole name fits in 40 characters, e.g.
    ``lattice_name("PrivateApiLab", "rgw") == "privateapilab-rgw"``.
    """
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", suffix):
        raise ValueError(f"suffix {suffix!r} must be lower-case letters and digits with hyphens")
    base = re.sub(r"[^a-z0-9]+", "-", stack_name.lower()).strip("-") or "lab"
    if f"{base}-".startswith(_RESERVED_PREFIXES):
        base = f"lab-{base}"
    base = base[: LATTICE_NAME_MAX - len(suffix) - 1].rstrip("-")
    return f"{base}-{suffix}"
