"""Security-group rule arithmetic along the path: which rule lets tcp/443 through to whom.

Security groups are stateful (replies are always allowed), so one direction is checked per
hop: the resource gateway's groups' egress to the endpoint, the endpoint's groups' ingress
from the gateway. A rule lets a peer through when it allows tcp/443 (or all traffic) and
names the peer's security group, or a CIDR holding the peer's address (or, for a gateway
without ENIs, its whole subnet). Reads moto's EC2 models as they are.
"""

from __future__ import annotations

import ipaddress
from typing import Any

HTTPS_PORT = 443


def rule_allows_https(rule: Any) -> bool:
    """Does ``rule`` (moto's ``SecurityRule``) allow tcp/443?"""
    protocol = str(rule.ip_protocol or "")
    if protocol == "-1":
        return True
    if protocol != "tcp" or rule.from_port is None or rule.to_port is None:
        return False
    return int(rule.from_port) <= HTTPS_PORT <= int(rule.to_port)


def _cidr_contains(cidr: str | None, address: str) -> bool:
    if not cidr:
        return False
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


def _cidr_covers(cidr: str | None, network: str) -> bool:
    if not cidr:
        return False
    try:
        return ipaddress.ip_network(network, strict=False).subnet_of(
            ipaddress.ip_network(cidr, strict=False)
        )
    except (TypeError, ValueError):
        return False


def rule_matches_peer(rule: Any, addresses: list[str], networks: list[str], groups: set[str]):
    """The peer (address, network or group) ``rule`` lets through, or None."""
    referenced = (rule.source_group or {}).get("GroupId")
    if referenced and referenced in groups:
        return f"security group {referenced}"
    cidr = (rule.ip_range or {}).get("CidrIp")
    for address in addresses:
        if _cidr_contains(cidr, address):
            return address
    for network in networks:
        if _cidr_covers(cidr, network):
            return network
    return None


def security_groups(ec2: Any, group_ids: list[str]) -> list[Any]:
    """The groups of ``group_ids`` that exist in the EC2 backend ``ec2``."""
    groups = []
    for group_id in group_ids:
        group = ec2.get_security_group_from_id(group_id)
        if group is not None:
            groups.append(group)
    return groups


def https_peer(
    ec2: Any,
    group_ids: list[str],
    direction: str,
    addresses: list[str],
    networks: list[str],
    peer_groups: set[str],
) -> str | None:
    """The first peer one of ``group_ids``' ``direction`` rules lets through on tcp/443.

    ``direction`` is ``"egress"`` or ``"ingress"``; the peer is one of ``addresses``,
    ``networks`` or ``peer_groups``, named as :func:`rule_matches_peer` names it.
    """
    for group in security_groups(ec2, group_ids):
        rules = group.egress_rules if direction == "egress" else group.ingress_rules
        for rule in rules:
            if rule_allows_https(rule):
                peer = rule_matches_peer(rule, addresses, networks, peer_groups)
                if peer is not None:
                    return peer
    return None


def eni_addresses(eni: Any) -> list[str]:
    """Every private address of ``eni`` (moto's ``NetworkInterface``), primary first."""
    addresses = [eni.private_ip_address] if eni.private_ip_address else []
    for item in eni.private_ip_addresses or []:
        address = item.get("PrivateIpAddress")
        if address and address not in addresses:
            addresses.append(address)
    return addresses


def endpoint_side(ec2: Any, endpoint: Any) -> tuple[list[str], list[str]]:
    """A VPC endpoint's ENI addresses and security group ids (its own, else its ENIs')."""
    enis = [ec2.enis[e] for e in endpoint.network_interface_ids if e in ec2.enis]
    addresses = [a for eni in enis for a in eni_addresses(eni)]
    groups = list(endpoint.security_group_ids or []) or sorted(
        {g.id for eni in enis for g in eni.group_set}
    )
    return addresses, groups
