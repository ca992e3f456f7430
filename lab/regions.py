"""Regions where the architecture cannot be built.

The stack needs three CloudFormation resource types that are not offered in every
region: ``AWS::VpcLattice::ResourceGateway``, ``AWS::VpcLattice::ResourceConfiguration``
and ``AWS::Events::Connection`` (with its ``InvocationConnectivityParameters``
property, which makes the connection private). The table below was read from
cfn-lint 1.58.0's region schemas (the resource types CloudFormation publishes per
region). cfn-lint is a development dependency only, so the table is a committed
constant; ``tests/test_regions.py`` recomputes it from cfn-lint and fails when it
drifts (e.g. after a cfn-lint upgrade, when AWS adds the types to a new region).

Regions cfn-lint has no schemas for (me-south-1 in 1.58.0) are not refused here:
nothing is known about them, and CloudFormation itself answers there.
"""

from __future__ import annotations

import functools

from lab.errors import LabError

# The resource types (and the one property) a region must offer for the lab's stack.
REQUIRED_RESOURCE_TYPES = (
    "AWS::VpcLattice::ResourceGateway",
    "AWS::VpcLattice::ResourceConfiguration",
    "AWS::Events::Connection",
)
REQUIRED_PROPERTIES = {"AWS::Events::Connection": ("InvocationConnectivityParameters",)}

# region -> what its CloudFormation lacks, from cfn-lint 1.58.0 (see tests/test_regions.py).
# A missing property is written "Type.Property".
MISSING_IN_REGION: dict[str, tuple[str, ...]] = {
    "ap-east-2": (
        "AWS::VpcLattice::ResourceGateway",
        "AWS::VpcLattice::ResourceConfiguration",
        "AWS::Events::Connection",
    ),
    "ap-southeast-5": ("AWS::Events::Connection",),
    "ap-southeast-6": (
        "AWS::VpcLattice::ResourceGateway",
        "AWS::VpcLattice::ResourceConfiguration",
        "AWS::Events::Connection",
    ),
    "ap-southeast-7": (
        "AWS::VpcLattice::ResourceGateway",
        "AWS::VpcLattice::ResourceConfiguration",
    ),
    "ca-west-1": ("AWS::Events::Connection",),
    "cn-north-1": (
        "AWS::VpcLattice::ResourceGateway",
        "AWS::VpcLattice::ResourceConfiguration",
    ),
    "cn-northwest-1": (
        "AWS::VpcLattice::ResourceGateway",
        "AWS::VpcLattice::ResourceConfiguration",
    ),
    "il-central-1": (
        "AWS::VpcLattice::ResourceGateway",
        "AWS::VpcLattice::ResourceConfiguration",
        "AWS::Events::Connection",
    ),
    "me-central-1": (
        "AWS::VpcLattice::ResourceGateway",
        "AWS::VpcLattice::ResourceConfiguration",
    ),
    "mx-central-1": ("AWS::Events::Connection",),
    "us-gov-east-1": (
        "AWS::VpcLattice::ResourceGateway",
        "AWS::VpcLattice::ResourceConfiguration",
        "AWS::Events::Connection",
    ),
    "us-gov-west-1": (
        "AWS::VpcLattice::ResourceGateway",
        "AWS::VpcLattice::ResourceConfiguration",
        "AWS::Events::Connection",
    ),
}

UNSUPPORTED_REGIONS: frozenset[str] = frozenset(MISSING_IN_REGION)

SUGGESTED_REGION = "us-east-1"


@functools.lru_cache(maxsize=1)
def _partitions() -> tuple[dict, ...]:
    """botocore's endpoint data (read from its package: no profile, no network).

    Read once per process: every ``load_config()`` checks the region, and parsing the
    file (about 1 MB of JSON) each time cost tens of milliseconds per call.
    """
    import botocore.loaders

    return tuple(botocore.loaders.create_loader().load_data("endpoints")["partitions"])


def known_regions() -> frozenset[str]:
    """Every region botocore's endpoint data names, in every partition."""
    return frozenset(region for p in _partitions() for region in p.get("regions", {}))


def _region_shaped(region: str) -> bool:
    """True if the name fits a partition's region pattern (a region newer than botocore)."""
    import re

    return any(re.match(p["regionRegex"], region) for p in _partitions())


def supported_regions() -> list[str]:
    """The commercial, China and GovCloud regions where the lab's stack can be built, sorted."""
    public = {r for p in _partitions() if p["partition"] in ("aws", "aws-cn", "aws-us-gov")
              for r in p.get("regions", {})}
    return sorted(public - UNSUPPORTED_REGIONS)


def check_region_supported(region: str) -> None:
    """Refuse a region that does not exist, or where the stack's resource types don't.

    Raises :class:`LabError` naming the valid regions, or what the region lacks and
    how to pick another. A name botocore does not list yet but that has a region's
    shape (``xx-name-N``) is let through: CloudFormation itself answers there.
    """
    if region not in known_regions() and not _region_shaped(region):
        raise LabError(
            f"LAB_REGION={region!r} is not an AWS region; set LAB_REGION to one where the "
            f"lab's stack can be built: {', '.join(supported_regions())}."
        )
    missing = MISSING_IN_REGION.get(region)
    if not missing:
        return
    raise LabError(
        f"Region {region} has no {', '.join(missing)} in CloudFormation, so this lab's stack "
        f"cannot be built there; set LAB_REGION to a supported region such as "
        f"{SUGGESTED_REGION} (e.g. LAB_REGION={SUGGESTED_REGION})."
    )
