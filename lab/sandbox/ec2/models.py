"""EC2 pieces the sandbox needs: service-managed ENIs and interface endpoints as AWS shows them.

moto 5.2.5 gives an interface VPC endpoint one ENI per subnet with a random
10.x address (not from the subnet), no security group and no description, and
one DNS entry ``vpce-…-xxxxxxxx.<service name>``. AWS gives:

- ``DnsEntries``: the regional name
  ``vpce-<id>-<8 chars>.execute-api.<region>.vpce.amazonaws.com`` first, then one
  per Availability Zone ``vpce-<id>-<8 chars>-<az>.execute-api...``, all in the
  region's VPC endpoint hosted zone; then, with private DNS on, the service's
  own names (``execute-api.<region>.amazonaws.com`` and its wildcard) in a
  private hosted zone.
- one requester-managed ENI per subnet, addressed from the subnet's CIDR, in the
  endpoint's security groups, described ``VPC Endpoint Interface vpce-…``,
  interface type ``vpc_endpoint``.

The same ENI helper makes the resource gateway's ENIs (lab.sandbox.vpclattice).
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from typing import Any

from moto.moto_api._internal import mock_random

# The VPC endpoint ("vpce") public hosted zone of each region. Values for the
# regions the lab documents; any other region gets a stable made-up id.
VPCE_HOSTED_ZONE_IDS = {
    "us-east-1": "Z7HUB22UULQXV",
    "us-east-2": "ZC8PG0KIFKBRI",
    "us-west-1": "Z12I86A8N7VCZO",
    "us-west-2": "Z1YSA3EXCYUU9Z",
    "eu-west-1": "Z38GZ743OKFT7T",
    "eu-central-1": "Z273ZU8SZ5RJPC",
}

ENDPOINT_INTERFACE_TYPE = "vpc_endpoint"
# AWS shows the owning service's alias or account as RequesterId; the sandbox
# uses the alias form AWS uses for its own services.
AMAZON_REQUESTER_ID = "amazon-aws"

_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def _random_label(length: int) -> str:
    return "".join(mock_random.choice(_ALNUM) for _ in range(length))


def vpce_hosted_zone_id(region: str) -> str:
    """The region's VPC endpoint hosted zone id (made up, but stable, if unknown)."""
    if region in VPCE_HOSTED_ZONE_IDS:
        return VPCE_HOSTED_ZONE_IDS[region]
    return "Z" + "".join(_ALNUM[(ord(c) * 7 + i) % 36] for i, c in enumerate(region))[:12].upper()


# --------------------------------------------------------------------------- ENIs


def _addresses_in_use(ec2_backend: Any, subnet: Any) -> set[str]:
    used: set[str] = set()
    for eni in ec2_backend.enis.values():
        if eni.subnet.id != subnet.id:
            continue
        used.update(a.get("PrivateIpAddress") for a in eni.private_ip_addresses)
        if eni.private_ip_address:
            used.add(eni.private_ip_address)
    return used


def allocate_private_ips(ec2_backend: Any, subnet: Any, count: int, owner: Any) -> list[str]:
    """``count`` free addresses from ``subnet``'s CIDR (AWS's first four and last reserved).

    Uses the subnet's own allocator (the one instances use), skipping addresses
    other ENIs already hold, so nothing collides.
    """
    used = _addresses_in_use(ec2_backend, subnet)
    network = ipaddress.ip_network(subnet.cidr_block, strict=False)
    addresses: list[str] = []
    while len(addresses) < count:
        try:
            address = subnet.get_available_subnet_ip(owner)
        except StopIteration:
            for taken in addresses:
                subnet.del_subnet_ip(taken)
            raise SubnetFullError(subnet.id, count) from None
        if address in used or ipaddress.ip_address(address) == network.broadcast_address:
            continue
        addresses.append(address)
    return addresses


class SubnetFullError(Exception):
    """Not enough free addresses left in a subnet."""

    def __init__(self, subnet_id: str, count: int):
        super().__init__(f"Subnet {subnet_id} has fewer than {count} free IPv4 addresses.")
        self.subnet_id = subnet_id


def create_service_managed_eni(
    ec2_backend: Any,
    subnet_id: str,
    group_ids: list[str],
    description: str,
    interface_type: str = "interface",
    ip_count: int = 1,
    requester_id: str = AMAZON_REQUESTER_ID,
    tags: dict[str, str] | None = None,
) -> Any:
    """An ENI an AWS service creates in the learner's subnet on its behalf.

    ``ip_count`` private IPv4 addresses from the subnet's CIDR (the first is
    primary), in ``group_ids``, ``RequesterManaged`` true, status ``in-use``.
    """
    subnet = ec2_backend.get_subnet(subnet_id)
    addresses = allocate_private_ips(ec2_backend, subnet, ip_count, owner=description or subnet_id)
    eni = ec2_backend.create_network_interface(
        subnet,
        addresses[0],
        private_ip_addresses=[
            {"Primary": index == 0, "PrivateIpAddress": address}
            for index, address in enumerate(addresses)
        ],
        group_ids=group_ids or None,
        description=description,
        tags=tags,
    )
    for address in addresses:
        subnet._subnet_ips[address] = eni  # the subnet's allocator now knows the owner
    eni.requester_managed = True
    eni.requester_id = requester_id
    eni.interface_type = interface_type
    eni.status = "in-use"
    return eni


def set_eni_security_groups(ec2_backend: Any, eni: Any, group_ids: list[str]) -> None:
    """Replace the ENI's security groups (what a service does on ModifyVpcEndpoint etc.)."""
    eni._group_set = [ec2_backend.get_security_group_from_id(g) for g in group_ids]


def delete_service_managed_eni(ec2_backend: Any, eni_id: str) -> None:
    """Remove the ENI and give its addresses back to the subnet. Missing ENIs are ignored."""
    eni = ec2_backend.enis.pop(eni_id, None)
    if eni is None:
        return
    for address in eni.private_ip_addresses:
        eni.subnet.del_subnet_ip(address.get("PrivateIpAddress"))


# --------------------------------------------------------------------------- endpoints


@dataclass(frozen=True)
class EndpointExtension:
    """What the sandbox keeps on moto's ``VPCEndPoint`` for an interface endpoint it made.

    Declared once, as ``endpoint.lab``, and set when the endpoint is created
    (:func:`wrap_create`); None on an endpoint moto made alone (a gateway endpoint).
    """

    #: the random label in the endpoint's DNS names (``<vpce-id>-<suffix>.<service>...``)
    dns_suffix: str
    #: the private hosted zone its private DNS name lives in
    private_hosted_zone_id: str


def service_short_name(service_name: str, region: str) -> str:
    """``com.amazonaws.us-east-1.execute-api`` -> ``execute-api``."""
    prefix = f"com.amazonaws.{region}."
    return service_name[len(prefix) :] if service_name.startswith(prefix) else service_name


def endpoint_dns_entries(endpoint: Any, region: str, subnet_azs: list[str]) -> list[dict[str, str]]:
    """The ``DnsEntries`` AWS reports for an interface endpoint (see module docstring)."""
    service = service_short_name(endpoint.service_name, region)
    label = f"{endpoint.id}-{endpoint.lab.dns_suffix}"
    zone = vpce_hosted_zone_id(region)
    entries = [{"DnsName": f"{label}.{service}.{region}.vpce.amazonaws.com", "HostedZoneId": zone}]
    for az in subnet_azs:
        entries.append(
            {"DnsName": f"{label}-{az}.{service}.{region}.vpce.amazonaws.com", "HostedZoneId": zone}
        )
    if endpoint.private_dns_enabled:
        names = [f"{service}.{region}.amazonaws.com"]
        if service == "execute-api":
            names.append(f"*.execute-api.{region}.amazonaws.com")
        for name in names:
            entries.append({"DnsName": name, "HostedZoneId": endpoint.lab.private_hosted_zone_id})
    return entries


def new_private_hosted_zone_id() -> str:
    """An id shaped like Route 53's private hosted zone ids (Z + 20 upper-case chars)."""
    return "Z" + _random_label(20).upper()


def dns_name_matches(pattern: str, name: str) -> bool:
    """DNS match: case-insensitive, trailing dot ignored, ``*`` covers one label."""
    pattern = pattern.lower().rstrip(".")
    name = name.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = name.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == name


def random_dns_suffix() -> str:
    """The 8 characters AWS puts after ``vpce-<id>-`` in an endpoint's names."""
    return _random_label(8)


# --------------------------------------------------------------------------- backend methods
# Seams on moto's VPCBackend and NetworkInterface (declared in lab.sandbox.ec2.seams).


def _is_interface(endpoint_type: str | None) -> bool:
    return bool(endpoint_type) and endpoint_type.lower() == "interface"


def _endpoint_description(endpoint_id: str) -> str:
    return f"VPC Endpoint Interface {endpoint_id}"


def _add_endpoint_enis(backend: Any, endpoint: Any, subnet_ids: list[str]) -> None:
    for subnet_id in subnet_ids:
        eni = create_service_managed_eni(
            backend,
            subnet_id,
            group_ids=endpoint.security_group_ids,
            description=_endpoint_description(endpoint.id),
            interface_type=ENDPOINT_INTERFACE_TYPE,
        )
        endpoint.network_interface_ids.append(eni.id)


def _refresh_dns_entries(backend: Any, endpoint: Any) -> None:
    azs = [backend.get_subnet(s).availability_zone for s in endpoint.subnet_ids or []]
    endpoint.dns_entries = endpoint_dns_entries(endpoint, backend.region_name, azs)


def wrap_create(original):
    @functools.wraps(original)
    def create_vpc_endpoint(self, vpc_id, service_name, endpoint_type, *args, **kwargs):
        if not _is_interface(endpoint_type):
            endpoint = original(self, vpc_id, service_name, endpoint_type, *args, **kwargs)
            endpoint.lab = None  # moto's own (a gateway endpoint): no ENIs, no DNS of ours
            return endpoint
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
        endpoint.lab = EndpointExtension(
            dns_suffix=random_dns_suffix(), private_hosted_zone_id=new_private_hosted_zone_id()
        )
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


def wrap_modify(original):
    @functools.wraps(original)
    def modify_vpc_endpoint(self, vpc_id, policy_doc, add_subnets, remove_subnets, *args, **kw):
        endpoint = self.describe_vpc_endpoints(vpc_end_point_ids=[vpc_id])[0]
        managed = endpoint.lab is not None
        before_groups = list(endpoint.security_group_ids)
        original(self, vpc_id, policy_doc, add_subnets, remove_subnets, *args, **kw)
        if not managed:
            return None
        for eni_id in list(endpoint.network_interface_ids):
            eni = self.enis.get(eni_id)
            if eni is not None and eni.subnet.id in (remove_subnets or []):
                delete_service_managed_eni(self, eni_id)
                endpoint.network_interface_ids.remove(eni_id)
        have = {self.enis[e].subnet.id for e in endpoint.network_interface_ids if e in self.enis}
        _add_endpoint_enis(self, endpoint, [s for s in add_subnets or [] if s not in have])
        if endpoint.security_group_ids != before_groups:
            for eni_id in endpoint.network_interface_ids:
                set_eni_security_groups(self, self.enis[eni_id], endpoint.security_group_ids)
        _refresh_dns_entries(self, endpoint)
        return None

    return modify_vpc_endpoint


def wrap_delete(original):
    @functools.wraps(original)
    def delete_vpc_endpoints(self, vpce_ids=None):
        for vpce_id in vpce_ids or []:
            endpoint = self.vpc_end_points.get(vpce_id)
            if endpoint is not None and endpoint.lab is not None:
                for eni_id in endpoint.network_interface_ids:
                    delete_service_managed_eni(self, eni_id)
        return original(self, vpce_ids)

    return delete_vpc_endpoints


def wrap_eni_filter(original):
    @functools.wraps(original)
    def get_filter_value(self, filter_name, method_name=None):
        if filter_name == "requester-managed":
            return str(bool(self.requester_managed)).lower()
        if filter_name == "interface-type":
            return self.interface_type
        return original(self, filter_name, method_name)

    return get_filter_value
