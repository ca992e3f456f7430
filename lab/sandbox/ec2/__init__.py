"""Sandbox extension: EC2 interface endpoints and service-managed ENIs as AWS shows them.

Seams (:func:`seams`, installed by :mod:`lab.sandbox.seams`) on moto's ``VPCBackend``
(mixed into ``EC2Backend``):

- ``create_vpc_endpoint``: an Interface endpoint gets AWS-format ``DnsEntries``
  and one requester-managed ENI per subnet, addressed from the subnet and in the
  endpoint's security groups (the VPC's default group if none is given).
- ``modify_vpc_endpoint``: subnet and security-group changes move the ENIs.
- ``delete_vpc_endpoints``: the ENIs go, and their addresses return to the subnet.

And on ``NetworkInterface.get_filter_value``: the ``requester-managed`` and
``interface-type`` filters of DescribeNetworkInterfaces.

For the data plane: :func:`endpoint_for_dns_name` finds the endpoint a DNS
name belongs to (what "this name resolves to that endpoint" means here).

Imports: ``cloudformation.base`` and ``seams`` only; ``network`` and ``vpclattice`` import it.
"""

from __future__ import annotations

from typing import Any

from lab.sandbox.ec2 import models
from lab.sandbox.seams import applier

__all__ = ["apply", "endpoint_for_dns_name", "endpoint_enis", "seams"]


def seams():
    """The EC2 seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    owner = models.__name__
    contracts = "tests/contracts/test_moto_ec2.py::"
    vpcs = "moto.ec2.models.vpcs:VPCBackend."
    return (
        Seam(
            owner,
            vpcs + "create_vpc_endpoint",
            models.wrap_create,
            "moto gives an interface endpoint random ENIs outside its subnets and one DNS entry",
            contracts + "test_moto_still_gives_interface_endpoints_random_enis_and_one_dns_entry",
            kind="wrap",
        ),
        Seam(
            owner,
            vpcs + "modify_vpc_endpoint",
            models.wrap_modify,
            "subnet and security-group changes must move the endpoint's ENIs",
            contracts + "test_modify_and_delete_vpc_endpoint_signatures",
            kind="wrap",
        ),
        Seam(
            owner,
            vpcs + "delete_vpc_endpoints",
            models.wrap_delete,
            "a deleted endpoint's ENIs go and their addresses return to the subnet",
            contracts + "test_modify_and_delete_vpc_endpoint_signatures",
            kind="wrap",
        ),
        Seam(
            owner,
            "moto.ec2.models.elastic_network_interfaces:NetworkInterface.get_filter_value",
            models.wrap_eni_filter,
            "moto has no requester-managed and interface-type ENI filters",
            contracts + "test_eni_filters_go_through_get_filter_value",
            kind="wrap",
        ),
    )


apply = applier(__name__)


# --------------------------------------------------------------------------- lookups


def _ec2_backend(account_id: str, region: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account_id][region]


def endpoint_for_dns_name(account_id: str, region: str, name: str) -> Any | None:
    """The VPC endpoint (moto model) whose ``DnsEntries`` include ``name``, else None.

    Deleted endpoints are ignored. Wildcard entries (``*.execute-api…``) match
    one label, as DNS would.
    """
    backend = _ec2_backend(account_id, region)
    for endpoint in list(backend.vpc_end_points.values()):
        if endpoint.state == "deleted":
            continue
        for entry in endpoint.dns_entries or []:
            dns_name = entry.get("DnsName") or entry.get("dns_name") or ""
            if models.dns_name_matches(dns_name, name):
                return endpoint
    return None


def endpoint_enis(account_id: str, region: str, endpoint_id: str) -> list[Any]:
    """The endpoint's ENIs (moto models), in subnet order."""
    backend = _ec2_backend(account_id, region)
    endpoint = backend.vpc_end_points[endpoint_id]
    return [backend.enis[e] for e in endpoint.network_interface_ids if e in backend.enis]
