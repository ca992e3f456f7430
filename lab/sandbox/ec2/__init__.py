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
"""

from __future__ import annotations

import functools
from typing import Any

from lab.sandbox.ec2 import models

__all__ = ["apply", "endpoint_for_dns_name", "endpoint_enis", "seams"]


def _is_interface(endpoint_type: str | None) -> bool:
    return bool(endpoint_type) and endpoint_type.lower() == "interface"


def _endpoint_description(endpoint_id: str) -> str:
    return f"VPC Endpoint Interface {endpoint_id}"


def _add_endpoint_enis(backend: Any, endpoint: Any, subnet_ids: list[str]) -> None:
    for subnet_id in subnet_ids:
        eni = models.create_service_managed_eni(
            backend,
            subnet_id,
            group_ids=endpoint.security_group_ids,
            description=_endpoint_description(endpoint.id),
            interface_type=models.ENDPOINT_INTERFACE_TYPE,
        )
        endpoint.network_interface_ids.append(eni.id)


def _refresh_dns_entries(backend: Any, endpoint: Any) -> None:
    azs = [backend.get_subnet(s).availability_zone for s in endpoint.subnet_ids or []]
    endpoint.dns_entries = models.endpoint_dns_entries(endpoint, backend.region_name, azs)


def _wrap_create(original):
    @functools.wraps(original)
    def create_vpc_endpoint(self, vpc_id, service_name, endpoint_type, *args, **kwargs):
        if not _is_interface(endpoint_type):
            return original(self, vpc_id, service_name, endpoint_type, *args, **kwargs)
        bound = _bind_create_arguments(args, kwargs)
        subnet_ids = list(bound.pop("subnet_ids") or [])
        self.get_vpc(vpc_id)  # InvalidVpcID.NotFound before anything is made
        for subnet_id in subnet_ids:
            subnet = self.get_subnet(subnet_id)  # InvalidSubnetID.NotFound
            if subnet.vpc_id != vpc_id:
                from moto.ec2.exceptions import InvalidParameterValueError

                raise InvalidParameterValueError(
                    f"The subnet {subnet_id} does not belong to the VPC {vpc_id}"
                )
        if not bound.get("security_group_ids"):
            bound["security_group_ids"] = [self.get_default_security_group(vpc_id).id]
        # moto's own ENIs/DNS are skipped (no subnets); ours replace them.
        endpoint = original(self, vpc_id, service_name, endpoint_type, subnet_ids=[], **bound)
        endpoint.subnet_ids = subnet_ids
        endpoint.network_interface_ids = []
        endpoint.lattice_dns_suffix = models.random_dns_suffix()
        endpoint.private_hosted_zone_id = models.new_private_hosted_zone_id()
        _add_endpoint_enis(self, endpoint, subnet_ids)
        _refresh_dns_entries(self, endpoint)
        return endpoint

    return create_vpc_endpoint


_CREATE_POSITIONAL = (
    "policy_document",
    "route_table_ids",
    "subnet_ids",
    "network_interface_ids",
    "dns_entries",
    "client_token",
    "security_group_ids",
    "tags",
    "private_dns_enabled",
)


def _bind_create_arguments(args: tuple, kwargs: dict) -> dict:
    bound = dict(zip(_CREATE_POSITIONAL, args, strict=False))
    bound.update(kwargs)
    bound.setdefault("subnet_ids", None)
    bound.pop("network_interface_ids", None)
    bound.pop("dns_entries", None)
    return bound


def _wrap_modify(original):
    @functools.wraps(original)
    def modify_vpc_endpoint(self, vpc_id, policy_doc, add_subnets, remove_subnets, *args, **kw):
        endpoint = self.describe_vpc_endpoints(vpc_end_point_ids=[vpc_id])[0]
        managed = getattr(endpoint, "lattice_dns_suffix", None) is not None
        before_groups = list(endpoint.security_group_ids)
        original(self, vpc_id, policy_doc, add_subnets, remove_subnets, *args, **kw)
        if not managed:
            return None
        for eni_id in list(endpoint.network_interface_ids):
            eni = self.enis.get(eni_id)
            if eni is not None and eni.subnet.id in (remove_subnets or []):
                models.delete_service_managed_eni(self, eni_id)
                endpoint.network_interface_ids.remove(eni_id)
        have = {self.enis[e].subnet.id for e in endpoint.network_interface_ids if e in self.enis}
        _add_endpoint_enis(self, endpoint, [s for s in add_subnets or [] if s not in have])
        if endpoint.security_group_ids != before_groups:
            for eni_id in endpoint.network_interface_ids:
                models.set_eni_security_groups(self, self.enis[eni_id], endpoint.security_group_ids)
        _refresh_dns_entries(self, endpoint)
        return None

    return modify_vpc_endpoint


def _wrap_delete(original):
    @functools.wraps(original)
    def delete_vpc_endpoints(self, vpce_ids=None):
        for vpce_id in vpce_ids or []:
            endpoint = self.vpc_end_points.get(vpce_id)
            if endpoint is not None and getattr(endpoint, "lattice_dns_suffix", None):
                for eni_id in endpoint.network_interface_ids:
                    models.delete_service_managed_eni(self, eni_id)
        return original(self, vpce_ids)

    return delete_vpc_endpoints


def _wrap_eni_filter(original):
    @functools.wraps(original)
    def get_filter_value(self, filter_name, method_name=None):
        if filter_name == "requester-managed":
            return str(bool(self.requester_managed)).lower()
        if filter_name == "interface-type":
            return self.interface_type
        return original(self, filter_name, method_name)

    return get_filter_value


def seams():
    """The EC2 seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    owner = __name__
    contracts = "tests/contracts/test_moto_ec2.py::"
    vpcs = "moto.ec2.models.vpcs:VPCBackend."
    return (
        Seam(
            owner,
            vpcs + "create_vpc_endpoint",
            _wrap_create,
            "moto gives an interface endpoint random ENIs outside its subnets and one DNS entry",
            contracts + "test_moto_still_gives_interface_endpoints_random_enis_and_one_dns_entry",
            kind="wrap",
        ),
        Seam(
            owner,
            vpcs + "modify_vpc_endpoint",
            _wrap_modify,
            "subnet and security-group changes must move the endpoint's ENIs",
            contracts + "test_modify_and_delete_vpc_endpoint_signatures",
            kind="wrap",
        ),
        Seam(
            owner,
            vpcs + "delete_vpc_endpoints",
            _wrap_delete,
            "a deleted endpoint's ENIs go and their addresses return to the subnet",
            contracts + "test_modify_and_delete_vpc_endpoint_signatures",
            kind="wrap",
        ),
        Seam(
            owner,
            "moto.ec2.models.elastic_network_interfaces:NetworkInterface.get_filter_value",
            _wrap_eni_filter,
            "moto has no requester-managed and interface-type ENI filters",
            contracts + "test_eni_filters_go_through_get_filter_value",
            kind="wrap",
        ),
    )


def apply() -> None:
    """Install this package's seams (idempotent)."""
    from lab.sandbox import seams

    seams.install(__name__)


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
