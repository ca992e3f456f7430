"""VPC Lattice resource gateways, resource configurations and their service-network associations.

moto 5.2.5 has services, service networks and a half-done service-network
resource association (no resource configuration behind it, uuid ids that do
not match AWS's patterns, no delete). This module adds:

- :class:`ResourceGateway`: ``rgw-`` + 17 characters, one requester-managed ENI
  per subnet in the gateway's security groups, each with
  ``ipv4AddressesPerEni`` addresses (default 16) from the subnet.
- :class:`ResourceConfiguration`: ``rcfg-`` + 17 characters, SINGLE / GROUP /
  CHILD / ARN / CIDR, a DNS / IP / ARN / CIDR definition.
- :class:`ResourceAssociation`: what ``CreateServiceNetworkResourceAssociation``
  makes (``snra-`` + 17 hex), tied to a real resource configuration; also the
  managed association EventBridge makes for a private connection.

Statuses: everything is ACTIVE as soon as it is created (the sandbox models no
provisioning delay here; the EventBridge connection models its own warm-up).
A delete answers ``DELETE_IN_PROGRESS`` (as AWS's response does) and the
resource is gone at once.

The operations (``create_resource_gateway`` …) are :mod:`.backend`'s functions, which
become methods of moto's ``VPCLatticeBackend`` (seams in ``__init__``). Input checks are
:mod:`.validation`;
the service network and association EventBridge makes for a private connection
are :mod:`lab.sandbox.events.private_connectivity`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.core.common_models import BaseModel
from moto.moto_api._internal import mock_random


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 with milliseconds and ``Z``, as VPC Lattice's JSON shows timestamps."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _random_id(prefix: str) -> str:
    # moto's seeded source: a reseeded sandbox hands out the same ids again.
    return f"{prefix}-{mock_random.get_random_hex(17)}"


def _arn(partition: str, region: str, account_id: str, kind: str, resource_id: str) -> str:
    return f"arn:{partition}:vpc-lattice:{region}:{account_id}:{kind}/{resource_id}"


def _reshaped(body: dict[str, Any], renamed: dict[str, str], *dropped: str) -> dict[str, Any]:
    """``body`` with the keys of ``renamed`` renamed (they move last) and ``dropped`` left out."""
    for old, new in renamed.items():
        body[new] = body.pop(old)
    for key in dropped:
        body.pop(key, None)
    return body


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


class _Model(BaseModel):
    """A VPC Lattice model whose JSON members are its attributes' names in camelCase."""

    def __init__(self, backend: Any, prefix: str, kind: str):
        # the id first: moto's seeded source hands out the same ids after a reset
        self.id = _random_id(prefix)
        self.arn = _arn(backend.partition, backend.region_name, backend.account_id, kind, self.id)
        self.created_at = now()
        self.last_updated_at = self.created_at

    def apply_update(self, **changes: Any) -> Any:
        """Set each attribute of ``changes`` whose value is not None (an Update's members the
        request gave, already checked); stamp ``last_updated_at``; return this model."""
        for name, value in changes.items():
            if value is not None:
                setattr(self, name, value)
        self.last_updated_at = now()
        return self

    def shape(self, names: str, optional: str = "") -> dict[str, Any]:
        """The attributes ``names`` (and those of ``optional`` that are set), in that order,
        as VPC Lattice's JSON names them; timestamps in its ISO 8601 form."""
        body: dict[str, Any] = {}
        for name in names.split():
            value = getattr(self, name)
            body[_camel(name)] = iso(value) if isinstance(value, datetime) else value
        for name in optional.split():
            value = getattr(self, name)
            if value is not None and value != "":
                body[_camel(name)] = value
        return body


#: Create and List of resource gateways name the VPC ``vpcIdentifier``; Get says ``vpcId``.
_VPC_IDENTIFIER = {"vpcId": "vpcIdentifier"}


# --------------------------------------------------------------------------- models


class ResourceGateway(_Model):
    """A resource gateway: the way into the VPC that holds the resource."""

    def __init__(
        self,
        backend: Any,
        name: str,
        vpc_id: str,
        subnet_ids: list[str],
        security_group_ids: list[str],
        ip_address_type: str,
        ipv4_addresses_per_eni: int | None,
        resource_config_dns_resolution: str,
    ):
        super().__init__(backend, "rgw", "resourcegateway")
        self.name = name
        self.vpc_id = vpc_id
        self.subnet_ids = list(subnet_ids)
        self.security_group_ids = list(security_group_ids)
        self.ip_address_type = ip_address_type
        self.ipv4_addresses_per_eni = ipv4_addresses_per_eni
        self.resource_config_dns_resolution = resource_config_dns_resolution
        self.status = "ACTIVE"
        self.network_interface_ids: list[str] = []

    @property
    def eni_description(self) -> str:
        # AWS documents no Description for these ENIs, so the sandbox invents
        # none: learners find them, as on AWS, by the gateway's security group.
        return ""

    def to_dict(self) -> dict[str, Any]:
        """The GetResourceGateway shape."""
        return self.shape(
            "id arn name status vpc_id subnet_ids security_group_ids ip_address_type"
            " resource_config_dns_resolution created_at last_updated_at",
            optional="ipv4_addresses_per_eni",
        )

    def to_create_dict(self) -> dict[str, Any]:
        """The CreateResourceGateway shape (it names the VPC ``vpcIdentifier``)."""
        return _reshaped(self.to_dict(), _VPC_IDENTIFIER, "createdAt", "lastUpdatedAt")

    def to_summary_dict(self) -> dict[str, Any]:
        """A ListResourceGateways item (``vpcIdentifier`` again)."""
        return _reshaped(self.to_dict(), _VPC_IDENTIFIER)

    def to_update_dict(self) -> dict[str, Any]:
        """The UpdateResourceGateway shape."""
        return _reshaped(self.to_dict(), {}, "createdAt", "lastUpdatedAt", "ipv4AddressesPerEni")

    def to_delete_dict(self) -> dict[str, Any]:
        """The DeleteResourceGateway shape."""
        return self.shape("id arn name status")


class ResourceConfiguration(_Model):
    """A resource configuration: one resource (or group) reachable through a gateway."""

    def __init__(
        self,
        backend: Any,
        name: str,
        type_: str,
        resource_gateway: ResourceGateway | None,
        port_ranges: list[str],
        protocol: str,
        definition: dict[str, Any] | None,
        allow_association_to_shareable_service_network: bool,
        group: ResourceConfiguration | None = None,
    ):
        super().__init__(backend, "rcfg", "resourceconfiguration")
        self.name = name
        self.type = type_
        self.resource_gateway_id = resource_gateway.id if resource_gateway else None
        self.group_id = group.id if group else None
        self.port_ranges = list(port_ranges)
        self.protocol = protocol
        self.definition = definition
        self.allow_association_to_shareable_service_network = (
            allow_association_to_shareable_service_network
        )
        self.status = "ACTIVE"

    @property
    def domain_name(self) -> str | None:
        """The DNS name a ``dnsResource`` definition points at (None otherwise)."""
        dns = (self.definition or {}).get("dnsResource") or {}
        return dns.get("domainName")

    #: A configuration the sandbox makes is never one AWS manages.
    amazon_managed = False

    @property
    def resource_configuration_group_id(self) -> str | None:
        return self.group_id

    @property
    def resource_configuration_definition(self) -> dict[str, Any] | None:
        return self.definition or None

    def _common(self) -> dict[str, Any]:
        return self.shape(
            "id arn name type status", "resource_gateway_id resource_configuration_group_id"
        )

    def to_dict(self) -> dict[str, Any]:
        """The GetResourceConfiguration shape."""
        return {
            **self._common(),
            **self.shape(
                "port_ranges protocol allow_association_to_shareable_service_network"
                " amazon_managed created_at last_updated_at",
                optional="resource_configuration_definition",
            ),
        }

    def to_create_dict(self) -> dict[str, Any]:
        """The CreateResourceConfiguration shape."""
        return _reshaped(self.to_dict(), {}, "amazonManaged", "lastUpdatedAt")

    def to_update_dict(self) -> dict[str, Any]:
        """The UpdateResourceConfiguration shape."""
        return _reshaped(self.to_dict(), {}, "amazonManaged", "createdAt", "lastUpdatedAt")

    def to_summary_dict(self) -> dict[str, Any]:
        """A ListResourceConfigurations item."""
        return {**self._common(), **self.shape("amazon_managed created_at last_updated_at")}


class ResourceAssociation(_Model):
    """A service-network resource association (``snra-``) of a real resource configuration."""

    def __init__(
        self,
        backend: Any,
        service_network: Any,
        resource_configuration: ResourceConfiguration | None,
        resource_configuration_arn: str,
        private_dns_enabled: bool | None,
        managed: bool = False,
    ):
        super().__init__(backend, "snra", "servicenetworkresourceassociation")
        self.created_by = backend.account_id
        self.service_network_id = service_network.id
        self.service_network_arn = service_network.arn
        self.service_network_name = service_network.name
        self.resource_configuration_arn = resource_configuration_arn
        self.resource_configuration_id = resource_configuration_arn.rsplit("/", 1)[-1]
        self.resource_configuration_name = (
            resource_configuration.name if resource_configuration else None
        )
        self.private_dns_enabled = private_dns_enabled
        self.is_managed_association = managed
        if resource_configuration is None:
            self.status = "CREATE_FAILED"
            self.failure_code = "RESOURCE_CONFIGURATION_NOT_FOUND"
            self.failure_reason = (
                f"Resource configuration {self.resource_configuration_arn} does not exist."
            )
        else:
            self.status = "ACTIVE"
            self.failure_code = None
            self.failure_reason = None

    def _common(self) -> dict[str, Any]:
        return self.shape(
            "id arn status created_by created_at resource_configuration_id"
            " resource_configuration_arn service_network_id service_network_arn"
            " service_network_name is_managed_association",
            optional="resource_configuration_name private_dns_enabled failure_code",
        )

    def to_dict(self) -> dict[str, Any]:
        """The GetServiceNetworkResourceAssociation shape."""
        return {**self._common(), **self.shape("last_updated_at", optional="failure_reason")}

    def to_summary_dict(self) -> dict[str, Any]:
        """A ListServiceNetworkResourceAssociations item."""
        return self._common()

    def to_create_dict(self) -> dict[str, Any]:
        """The CreateServiceNetworkResourceAssociation shape."""
        return self.shape("id arn status created_by", optional="private_dns_enabled")

    def to_delete_dict(self) -> dict[str, Any]:
        """The DeleteServiceNetworkResourceAssociation shape."""
        return self.shape("id arn status")


def seeded_service_network_ids(original_init):
    """Wrap moto's service network ``__init__``: ``sn-`` + 17 seeded hex, not a uuid slice.

    moto's ``sn-xxxxxxxx-xxxx-xxx`` matches neither botocore's pattern nor
    ``/moto-api/seed``; associations and ARNs the lab prints build on it.
    """

    def __init__(self, region, account_id, *args, **kwargs):
        original_init(self, region, account_id, *args, **kwargs)
        self.id = _random_id("sn")
        self.arn = self.arn.rsplit("/", 1)[0] + "/" + self.id

    return __init__
