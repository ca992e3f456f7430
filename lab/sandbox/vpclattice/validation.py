"""Input checks of the VPC Lattice operations the sandbox adds, each written once.

Names, ids and ARNs follow botocore's vpc-lattice patterns; limits are the documented ones
(at most 5 security groups per resource gateway, 1-62 IPv4 addresses per ENI).
"""

from __future__ import annotations

import re
from typing import Any

from lab.sandbox.vpclattice.exceptions import ValidationException

MAX_SECURITY_GROUPS = 5
RESOURCE_CONFIGURATION_TYPES = ("GROUP", "CHILD", "SINGLE", "ARN", "CIDR")
PROTOCOLS = ("TCP", "TCP_UDP")
IP_ADDRESS_TYPES = ("IPV4", "IPV6", "DUALSTACK")
DNS_RESOLUTIONS = ("IN_VPC", "PUBLIC")

GATEWAY_NAME = re.compile(r"^(?!rgw-)(?!-)(?!.*-$)(?!.*--)[a-z0-9-]{3,40}$")
CONFIG_NAME = re.compile(r"^(?!rcfg-)(?!-)(?!.*-$)(?!.*--)[a-z0-9-]{3,40}$")
PORT_RANGE = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")
GATEWAY_ID = re.compile(
    r"^(?:arn:[a-z0-9-]+:vpc-lattice:[a-zA-Z0-9-]+:\d{12}:resourcegateway/)?(rgw-[0-9a-z]{17})$"
)
CONFIG_ID = re.compile(
    r"^(?:arn:[a-z0-9-]+:vpc-lattice:[a-zA-Z0-9-]+:\d{12}:resourceconfiguration/)?(rcfg-[0-9a-z]{17})$"
)
ASSOCIATION_ID = re.compile(
    r"^(?:arn:[a-z0-9-]+:vpc-lattice:[a-zA-Z0-9-]+:\d{12}:servicenetworkresourceassociation/)?"
    r"(snra-[0-9a-z]{17})$"
)
DOMAIN_NAME = re.compile(
    r"^(?=.{3,255}$)([a-zA-Z0-9*]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+\.?$"
)


def check_security_group_count(security_group_ids: list[str]) -> None:
    """A resource gateway takes at most :data:`MAX_SECURITY_GROUPS` groups."""
    if len(security_group_ids) > MAX_SECURITY_GROUPS:
        raise ValidationException(
            f"A resource gateway takes at most {MAX_SECURITY_GROUPS} security groups.",
            field="securityGroupIds",
        )


def check_dns_resolution(value: str) -> str:
    """``resourceConfigDnsResolution`` is one of :data:`DNS_RESOLUTIONS`; returns it."""
    if value not in DNS_RESOLUTIONS:
        raise ValidationException(
            f"resourceConfigDnsResolution must be one of {', '.join(DNS_RESOLUTIONS)}.",
            field="resourceConfigDnsResolution",
        )
    return value


def check_name(name: Any, pattern: re.Pattern, field: str, prefix: str) -> str:
    if not isinstance(name, str) or not pattern.match(name):
        raise ValidationException(
            f"{field} must be 3-40 characters of lower-case letters, digits and hyphens, "
            f"not start with '{prefix}', and not start or end with a hyphen or contain '--'.",
            field=field,
        )
    return name


def check_port_ranges(port_ranges: Any) -> list[str]:
    if not isinstance(port_ranges, list) or not port_ranges:
        raise ValidationException(
            'portRanges must list at least one port or range, e.g. ["443"].', field="portRanges"
        )
    for item in port_ranges:
        match = PORT_RANGE.match(str(item))
        low, high = (
            (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (0, 0)
        )
        if not match or not 1 <= low <= high <= 65535:
            raise ValidationException(
                f"portRanges entry {item!r} is not a port (1-65535) or a range like '8000-8080'.",
                field="portRanges",
            )
    return [str(item) for item in port_ranges]


def check_definition(type_: str, definition: Any) -> dict[str, Any] | None:
    if type_ in ("GROUP", "CHILD") and definition is None:
        return None
    if not isinstance(definition, dict) or len(definition) != 1:
        raise ValidationException(
            "resourceConfigurationDefinition must set exactly one of dnsResource, ipResource, "
            "arnResource or cidrResource.",
            field="resourceConfigurationDefinition",
        )
    kind, body = next(iter(definition.items()))
    allowed = {
        "SINGLE": ("dnsResource", "ipResource"),
        "CHILD": ("dnsResource", "ipResource"),
        "GROUP": ("dnsResource", "ipResource"),
        "ARN": ("arnResource",),
        "CIDR": ("cidrResource",),
    }[type_]
    if kind not in allowed:
        raise ValidationException(
            f"A {type_} resource configuration takes {' or '.join(allowed)}, not {kind}.",
            field="resourceConfigurationDefinition",
        )
    body = dict(body or {})
    if kind == "dnsResource":
        domain = body.get("domainName")
        if not isinstance(domain, str) or not DOMAIN_NAME.match(domain):
            raise ValidationException(
                f"dnsResource.domainName {domain!r} is not a valid DNS name.",
                field="resourceConfigurationDefinition.dnsResource.domainName",
            )
        body.setdefault("ipAddressType", "IPV4")
        if body["ipAddressType"] not in IP_ADDRESS_TYPES:
            raise ValidationException(
                f"dnsResource.ipAddressType must be one of {', '.join(IP_ADDRESS_TYPES)}.",
                field="resourceConfigurationDefinition.dnsResource.ipAddressType",
            )
    elif kind == "ipResource":
        import ipaddress

        try:
            ipaddress.ip_address(body.get("ipAddress", ""))
        except ValueError:
            raise ValidationException(
                f"ipResource.ipAddress {body.get('ipAddress')!r} is not an IP address.",
                field="resourceConfigurationDefinition.ipResource.ipAddress",
            ) from None
    elif kind == "arnResource":
        if not str(body.get("arn", "")).startswith("arn:"):
            raise ValidationException(
                "arnResource.arn must be an ARN.",
                field="resourceConfigurationDefinition.arnResource.arn",
            )
    elif not body.get("cidrRanges"):
        raise ValidationException(
            "cidrResource.cidrRanges must list at least one CIDR.",
            field="resourceConfigurationDefinition.cidrResource.cidrRanges",
        )
    return {kind: body}


def parse_identifier(value: Any, pattern: re.Pattern, kind: str, field: str) -> str:
    match = pattern.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationException(f"{value!r} is not a {kind} id or ARN.", field=field)
    return match.group(1)
