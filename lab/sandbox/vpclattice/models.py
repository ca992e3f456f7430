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

The functions at the bottom (``create_resource_gateway`` …) become methods of
moto's ``VPCLatticeBackend`` (seams in ``__init__``): backend state lives on the
backend instance, so moto's reset clears it. Input checks are :mod:`.validation`;
the service network and association EventBridge makes for a private connection
are :mod:`lab.sandbox.events.private_connectivity`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.core.common_models import BaseModel
from moto.moto_api._internal import mock_random

from lab.sandbox.ec2 import models as ec2_models
from lab.sandbox.vpclattice.exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ValidationException,
)
from lab.sandbox.vpclattice.validation import (
    ASSOCIATION_ID,
    CONFIG_ID,
    CONFIG_NAME,
    GATEWAY_ID,
    GATEWAY_NAME,
    IP_ADDRESS_TYPES,
    PROTOCOLS,
    RESOURCE_CONFIGURATION_TYPES,
    check_definition,
    check_dns_resolution,
    check_name,
    check_port_ranges,
    check_security_group_count,
    parse_identifier,
)

DEFAULT_IPV4_ADDRESSES_PER_ENI = 16
MAX_GATEWAYS_PER_VPC = 100
GATEWAY_ENI_INTERFACE_TYPE = "interface"


def _now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 with milliseconds and ``Z``, as VPC Lattice's JSON shows timestamps."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _random_id(prefix: str) -> str:
    # moto's seeded source: a reseeded sandbox hands out the same ids again.
    return f"{prefix}-{mock_random.get_random_hex(17)}"


def _arn(partition: str, region: str, account_id: str, kind: str, resource_id: str) -> str:
    return f"arn:{partition}:vpc-lattice:{region}:{account_id}:{kind}/{resource_id}"


# --------------------------------------------------------------------------- models


class ResourceGateway(BaseModel):
    """A resource gateway: the way into the VPC that holds the resource."""

    def __init__(
        self,
        account_id: str,
        region: str,
        partition: str,
        name: str,
        vpc_id: str,
        subnet_ids: list[str],
        security_group_ids: list[str],
        ip_address_type: str,
        ipv4_addresses_per_eni: int | None,
        resource_config_dns_resolution: str,
    ):
        self.id = _random_id("rgw")
        self.arn = _arn(partition, region, account_id, "resourcegateway", self.id)
        self.name = name
        self.vpc_id = vpc_id
        self.subnet_ids = list(subnet_ids)
        self.security_group_ids = list(security_group_ids)
        self.ip_address_type = ip_address_type
        self.ipv4_addresses_per_eni = ipv4_addresses_per_eni
        self.resource_config_dns_resolution = resource_config_dns_resolution
        self.status = "ACTIVE"
        self.created_at = _now()
        self.last_updated_at = self.created_at
        self.network_interface_ids: list[str] = []

    @property
    def eni_description(self) -> str:
        # AWS documents no Description for these ENIs, so the sandbox invents
        # none: learners find them, as on AWS, by the gateway's security group.
        return ""

    def to_dict(self) -> dict[str, Any]:
        """The GetResourceGateway shape."""
        body: dict[str, Any] = {
            "id": self.id,
            "arn": self.arn,
            "name": self.name,
            "status": self.status,
            "vpcId": self.vpc_id,
            "subnetIds": self.subnet_ids,
            "securityGroupIds": self.security_group_ids,
            "ipAddressType": self.ip_address_type,
            "resourceConfigDnsResolution": self.resource_config_dns_resolution,
            "createdAt": iso(self.created_at),
            "lastUpdatedAt": iso(self.last_updated_at),
        }
        if self.ipv4_addresses_per_eni is not None:
            body["ipv4AddressesPerEni"] = self.ipv4_addresses_per_eni
        return body

    def to_create_dict(self) -> dict[str, Any]:
        """The CreateResourceGateway shape (it names the VPC ``vpcIdentifier``)."""
        body = self.to_dict()
        body["vpcIdentifier"] = body.pop("vpcId")
        del body["createdAt"], body["lastUpdatedAt"]
        return body

    def to_summary_dict(self) -> dict[str, Any]:
        """A ListResourceGateways item (``vpcIdentifier`` again)."""
        body = self.to_dict()
        body["vpcIdentifier"] = body.pop("vpcId")
        return body

    def to_update_dict(self) -> dict[str, Any]:
        """The UpdateResourceGateway shape."""
        body = self.to_dict()
        del body["createdAt"], body["lastUpdatedAt"]
        body.pop("ipv4AddressesPerEni", None)
        return body


class ResourceConfiguration(BaseModel):
    """A resource configuration: one resource (or group) reachable through a gateway."""

    def __init__(
        self,
        account_id: str,
        region: str,
        partition: str,
        name: str,
        type_: str,
        resource_gateway: ResourceGateway | None,
        port_ranges: list[str],
        protocol: str,
        definition: dict[str, Any] | None,
        allow_association_to_shareable_service_network: bool,
        group: ResourceConfiguration | None = None,
    ):
        self.id = _random_id("rcfg")
        self.arn = _arn(partition, region, account_id, "resourceconfiguration", self.id)
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
        self.created_at = _now()
        self.last_updated_at = self.created_at

    @property
    def domain_name(self) -> str | None:
        """The DNS name a ``dnsResource`` definition points at (None otherwise)."""
        dns = (self.definition or {}).get("dnsResource") or {}
        return dns.get("domainName")

    def _common(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "arn": self.arn,
            "name": self.name,
            "type": self.type,
            "status": self.status,
        }
        if self.resource_gateway_id:
            body["resourceGatewayId"] = self.resource_gateway_id
        if self.group_id:
            body["resourceConfigurationGroupId"] = self.group_id
        return body

    def to_dict(self) -> dict[str, Any]:
        """The GetResourceConfiguration shape."""
        body = self._common()
        body.update(
            portRanges=self.port_ranges,
            protocol=self.protocol,
            allowAssociationToShareableServiceNetwork=(
                self.allow_association_to_shareable_service_network
            ),
            amazonManaged=False,
            createdAt=iso(self.created_at),
            lastUpdatedAt=iso(self.last_updated_at),
        )
        if self.definition:
            body["resourceConfigurationDefinition"] = self.definition
        return body

    def to_create_dict(self) -> dict[str, Any]:
        """The CreateResourceConfiguration shape."""
        body = self.to_dict()
        del body["amazonManaged"], body["lastUpdatedAt"]
        return body

    def to_update_dict(self) -> dict[str, Any]:
        """The UpdateResourceConfiguration shape."""
        body = self.to_dict()
        del body["amazonManaged"], body["createdAt"], body["lastUpdatedAt"]
        return body

    def to_summary_dict(self) -> dict[str, Any]:
        """A ListResourceConfigurations item."""
        body = self._common()
        body.update(
            amazonManaged=False,
            createdAt=iso(self.created_at),
            lastUpdatedAt=iso(self.last_updated_at),
        )
        return body


class ResourceAssociation(BaseModel):
    """A service-network resource association (``snra-``) of a real resource configuration."""

    def __init__(
        self,
        account_id: str,
        region: str,
        partition: str,
        service_network: Any,
        resource_configuration: ResourceConfiguration | None,
        resource_configuration_arn: str,
        private_dns_enabled: bool | None,
        managed: bool = False,
    ):
        self.id = _random_id("snra")
        self.arn = _arn(partition, region, account_id, "servicenetworkresourceassociation", self.id)
        self.created_by = account_id
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
        self.created_at = _now()
        self.last_updated_at = self.created_at
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
        body: dict[str, Any] = {
            "id": self.id,
            "arn": self.arn,
            "status": self.status,
            "createdBy": self.created_by,
            "createdAt": iso(self.created_at),
            "resourceConfigurationId": self.resource_configuration_id,
            "resourceConfigurationArn": self.resource_configuration_arn,
            "serviceNetworkId": self.service_network_id,
            "serviceNetworkArn": self.service_network_arn,
            "serviceNetworkName": self.service_network_name,
            "isManagedAssociation": self.is_managed_association,
        }
        if self.resource_configuration_name:
            body["resourceConfigurationName"] = self.resource_configuration_name
        if self.private_dns_enabled is not None:
            body["privateDnsEnabled"] = self.private_dns_enabled
        if self.failure_code:
            body["failureCode"] = self.failure_code
        return body

    def to_dict(self) -> dict[str, Any]:
        """The GetServiceNetworkResourceAssociation shape."""
        body = self._common()
        body["lastUpdatedAt"] = iso(self.last_updated_at)
        if self.failure_reason:
            body["failureReason"] = self.failure_reason
        return body

    def to_summary_dict(self) -> dict[str, Any]:
        """A ListServiceNetworkResourceAssociations item."""
        return self._common()

    def to_create_dict(self) -> dict[str, Any]:
        """The CreateServiceNetworkResourceAssociation shape."""
        body = {
            "id": self.id,
            "arn": self.arn,
            "status": self.status,
            "createdBy": self.created_by,
        }
        if self.private_dns_enabled is not None:
            body["privateDnsEnabled"] = self.private_dns_enabled
        return body


# --------------------------------------------------------------------------- backend methods
# Each function below becomes a method of moto's VPCLatticeBackend (``self``).


def _store(self, name: str) -> dict[str, Any]:
    # Created on first use: moto's reset rebuilds the backend, so state goes with it.
    return self.__dict__.setdefault(name, {})


def _gateways(self) -> dict[str, ResourceGateway]:
    return _store(self, "resource_gateways")


def _configurations(self) -> dict[str, ResourceConfiguration]:
    return _store(self, "resource_configurations")


def _associations(self) -> dict[str, Any]:
    # moto's own dict: its list/get operations see what is stored here.
    return self.service_network_resource_associations


def _ec2(self) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[self.account_id][self.region_name]


def create_resource_gateway(
    self,
    name: str,
    vpc_identifier: str,
    subnet_ids: list[str],
    security_group_ids: list[str] | None,
    ip_address_type: str = "IPV4",
    ipv4_addresses_per_eni: int | None = None,
    tags: dict[str, str] | None = None,
    resource_config_dns_resolution: str | None = None,
) -> ResourceGateway:
    """CreateResourceGateway: validate, make one ENI per subnet, store."""
    check_name(name, GATEWAY_NAME, "name", "rgw-")
    ip_address_type = ip_address_type or "IPV4"
    if ip_address_type not in IP_ADDRESS_TYPES:
        raise ValidationException(
            f"ipAddressType must be one of {', '.join(IP_ADDRESS_TYPES)}.", field="ipAddressType"
        )
    dns_resolution = check_dns_resolution(resource_config_dns_resolution or "PUBLIC")
    if ip_address_type == "IPV6":
        if ipv4_addresses_per_eni is not None:
            raise ValidationException(
                "ipv4AddressesPerEni applies only to IPV4 and DUALSTACK gateways.",
                field="ipv4AddressesPerEni",
            )
    else:
        if ipv4_addresses_per_eni is None:
            ipv4_addresses_per_eni = DEFAULT_IPV4_ADDRESSES_PER_ENI
        if isinstance(ipv4_addresses_per_eni, bool) or not 1 <= int(ipv4_addresses_per_eni) <= 62:
            raise ValidationException(
                "ipv4AddressesPerEni must be between 1 and 62.", field="ipv4AddressesPerEni"
            )
        ipv4_addresses_per_eni = int(ipv4_addresses_per_eni)
    if not vpc_identifier:
        raise ValidationException("vpcIdentifier is required.", field="vpcIdentifier")
    if not subnet_ids:
        raise ValidationException("subnetIds must list at least one subnet.", field="subnetIds")
    security_group_ids = list(security_group_ids or [])
    check_security_group_count(security_group_ids)
    for gateway in _gateways(self).values():
        if gateway.name == name:
            raise ConflictException(
                f"A resource gateway named {name} already exists.", "RESOURCE_GATEWAY", gateway.id
            )
    in_vpc = [g for g in _gateways(self).values() if g.vpc_id == vpc_identifier]
    if len(in_vpc) >= MAX_GATEWAYS_PER_VPC:
        raise ValidationException(
            f"VPC {vpc_identifier} already has {MAX_GATEWAYS_PER_VPC} resource gateways.",
            field="vpcIdentifier",
            reason="other",
        )
    ec2 = _ec2(self)
    _check_vpc_subnets_groups(ec2, vpc_identifier, subnet_ids, security_group_ids)
    if not security_group_ids:
        security_group_ids = [ec2.get_default_security_group(vpc_identifier).id]

    gateway = ResourceGateway(
        self.account_id,
        self.region_name,
        self.partition,
        name,
        vpc_identifier,
        subnet_ids,
        security_group_ids,
        ip_address_type,
        ipv4_addresses_per_eni,
        dns_resolution,
    )
    try:
        for subnet_id in subnet_ids:
            eni = ec2_models.create_service_managed_eni(
                ec2,
                subnet_id,
                group_ids=security_group_ids,
                description=gateway.eni_description,
                interface_type=GATEWAY_ENI_INTERFACE_TYPE,
                ip_count=ipv4_addresses_per_eni or 1,
            )
            gateway.network_interface_ids.append(eni.id)
    except ec2_models.SubnetFullError as exc:
        for eni_id in gateway.network_interface_ids:
            ec2_models.delete_service_managed_eni(ec2, eni_id)
        raise ValidationException(str(exc), field="subnetIds", reason="other") from None
    _gateways(self)[gateway.id] = gateway
    self.tag_resource(gateway.arn, tags or {})
    return gateway


def _check_vpc_subnets_groups(
    ec2: Any, vpc_id: str, subnet_ids: list[str], security_group_ids: list[str]
) -> None:
    if vpc_id not in ec2.vpcs:
        raise ResourceNotFoundException("VPC", vpc_id)
    for subnet_id in subnet_ids:
        subnet = _find_subnet(ec2, subnet_id)
        if subnet is None:
            raise ResourceNotFoundException("SUBNET", subnet_id)
        if subnet.vpc_id != vpc_id:
            raise ValidationException(
                f"Subnet {subnet_id} is not in VPC {vpc_id}.", field="subnetIds"
            )
    for group_id in security_group_ids:
        group = ec2.get_security_group_from_id(group_id)
        if group is None:
            raise ResourceNotFoundException("SECURITY_GROUP", group_id)
        if group.vpc_id != vpc_id:
            raise ValidationException(
                f"Security group {group_id} is not in VPC {vpc_id}.", field="securityGroupIds"
            )


def _find_subnet(ec2: Any, subnet_id: str) -> Any:
    for subnets in ec2.subnets.values():
        if subnet_id in subnets:
            return subnets[subnet_id]
    return None


def get_resource_gateway(self, identifier: str) -> ResourceGateway:
    """GetResourceGateway by id or ARN."""
    gateway_id = parse_identifier(
        identifier, GATEWAY_ID, "resource gateway", "resourceGatewayIdentifier"
    )
    gateway = _gateways(self).get(gateway_id)
    if gateway is None:
        raise ResourceNotFoundException("RESOURCE_GATEWAY", gateway_id)
    return gateway


def list_resource_gateways(self) -> list[ResourceGateway]:
    """Every resource gateway, oldest first."""
    return list(_gateways(self).values())


def update_resource_gateway(
    self,
    identifier: str,
    security_group_ids: list[str] | None = None,
    resource_config_dns_resolution: str | None = None,
) -> ResourceGateway:
    """UpdateResourceGateway: new security groups move onto the gateway's ENIs."""
    gateway = get_resource_gateway(self, identifier)
    ec2 = _ec2(self)
    if security_group_ids is not None:
        security_group_ids = list(security_group_ids)
        check_security_group_count(security_group_ids)
        _check_vpc_subnets_groups(ec2, gateway.vpc_id, [], security_group_ids)
        if not security_group_ids:
            security_group_ids = [ec2.get_default_security_group(gateway.vpc_id).id]
        gateway.security_group_ids = security_group_ids
        for eni_id in gateway.network_interface_ids:
            if eni_id in ec2.enis:
                ec2_models.set_eni_security_groups(ec2, ec2.enis[eni_id], security_group_ids)
    if resource_config_dns_resolution is not None:
        gateway.resource_config_dns_resolution = check_dns_resolution(
            resource_config_dns_resolution
        )
    gateway.last_updated_at = _now()
    return gateway


def delete_resource_gateway(self, identifier: str) -> ResourceGateway:
    """DeleteResourceGateway: refused while resource configurations use it; ENIs go with it."""
    gateway = get_resource_gateway(self, identifier)
    users = [c.id for c in _configurations(self).values() if c.resource_gateway_id == gateway.id]
    if users:
        raise ConflictException(
            f"Resource gateway {gateway.id} is used by resource configuration(s) "
            f"{', '.join(users)}; delete them first.",
            "RESOURCE_GATEWAY",
            gateway.id,
        )
    ec2 = _ec2(self)
    for eni_id in gateway.network_interface_ids:
        ec2_models.delete_service_managed_eni(ec2, eni_id)
    del _gateways(self)[gateway.id]
    self.tagger.delete_all_tags_for_resource(gateway.arn)
    gateway.status = "DELETE_IN_PROGRESS"
    return gateway


def create_resource_configuration(
    self,
    name: str,
    type: str,  # noqa: A002 - the API's field name; engineers call it by keyword
    resource_gateway_identifier: str | None,
    port_ranges: list[str] | None,
    protocol: str = "TCP",
    resource_configuration_definition: dict[str, Any] | None = None,
    allow_association_to_shareable_service_network: bool | None = None,
    tags: dict[str, str] | None = None,
    resource_configuration_group_identifier: str | None = None,
) -> ResourceConfiguration:
    """CreateResourceConfiguration: validate the type, gateway, ports and definition."""
    check_name(name, CONFIG_NAME, "name", "rcfg-")
    if type not in RESOURCE_CONFIGURATION_TYPES:
        raise ValidationException(
            f"type must be one of {', '.join(RESOURCE_CONFIGURATION_TYPES)}.", field="type"
        )
    protocol = protocol or "TCP"
    if protocol not in PROTOCOLS:
        raise ValidationException(
            f"protocol must be one of {', '.join(PROTOCOLS)}.", field="protocol"
        )
    group = None
    if type == "CHILD":
        if not resource_configuration_group_identifier:
            raise ValidationException(
                "A CHILD resource configuration needs resourceConfigurationGroupIdentifier.",
                field="resourceConfigurationGroupIdentifier",
            )
        group = get_resource_configuration(self, resource_configuration_group_identifier)
        gateway = None
        port_ranges = port_ranges or group.port_ranges
    else:
        if not resource_gateway_identifier:
            raise ValidationException(
                f"A {type} resource configuration needs resourceGatewayIdentifier.",
                field="resourceGatewayIdentifier",
            )
        gateway = get_resource_gateway(self, resource_gateway_identifier)
    if type == "ARN":
        port_ranges = port_ranges or []
    else:
        port_ranges = check_port_ranges(port_ranges)
    definition = check_definition(type, resource_configuration_definition)
    for existing in _configurations(self).values():
        if existing.name == name:
            raise ConflictException(
                f"A resource configuration named {name} already exists.",
                "RESOURCE_CONFIGURATION",
                existing.id,
            )
    configuration = ResourceConfiguration(
        self.account_id,
        self.region_name,
        self.partition,
        name,
        type,
        gateway,
        port_ranges,
        protocol,
        definition,
        True
        if allow_association_to_shareable_service_network is None
        else bool(allow_association_to_shareable_service_network),
        group=group,
    )
    _configurations(self)[configuration.id] = configuration
    self.tag_resource(configuration.arn, tags or {})
    return configuration


def get_resource_configuration(self, identifier: str) -> ResourceConfiguration:
    """GetResourceConfiguration by id or ARN."""
    config_id = parse_identifier(
        identifier, CONFIG_ID, "resource configuration", "resourceConfigurationIdentifier"
    )
    configuration = _configurations(self).get(config_id)
    if configuration is None:
        raise ResourceNotFoundException("RESOURCE_CONFIGURATION", config_id)
    return configuration


def list_resource_configurations(
    self,
    resource_gateway_identifier: str | None = None,
    resource_configuration_group_identifier: str | None = None,
) -> list[ResourceConfiguration]:
    """Every resource configuration, optionally of one gateway or group."""
    items = list(_configurations(self).values())
    if resource_gateway_identifier:
        gateway_id = parse_identifier(
            resource_gateway_identifier,
            GATEWAY_ID,
            "resource gateway",
            "resourceGatewayIdentifier",
        )
        items = [c for c in items if c.resource_gateway_id == gateway_id]
    if resource_configuration_group_identifier:
        group_id = parse_identifier(
            resource_configuration_group_identifier,
            CONFIG_ID,
            "resource configuration",
            "resourceConfigurationGroupIdentifier",
        )
        items = [c for c in items if c.group_id == group_id]
    return items


def update_resource_configuration(
    self,
    identifier: str,
    port_ranges: list[str] | None = None,
    resource_configuration_definition: dict[str, Any] | None = None,
    allow_association_to_shareable_service_network: bool | None = None,
) -> ResourceConfiguration:
    """UpdateResourceConfiguration: ports, definition, shareable flag (type is fixed)."""
    configuration = get_resource_configuration(self, identifier)
    if port_ranges is not None:
        configuration.port_ranges = check_port_ranges(port_ranges)
    if resource_configuration_definition is not None:
        configuration.definition = check_definition(
            configuration.type, resource_configuration_definition
        )
    if allow_association_to_shareable_service_network is not None:
        configuration.allow_association_to_shareable_service_network = bool(
            allow_association_to_shareable_service_network
        )
    configuration.last_updated_at = _now()
    return configuration


def delete_resource_configuration(self, identifier: str) -> None:
    """DeleteResourceConfiguration: refused while service networks are associated with it."""
    configuration = get_resource_configuration(self, identifier)
    associated = [
        a.id
        for a in _associations(self).values()
        if getattr(a, "resource_configuration_id", None) == configuration.id
    ]
    children = [c.id for c in _configurations(self).values() if c.group_id == configuration.id]
    if associated or children:
        raise ConflictException(
            f"Resource configuration {configuration.id} still has "
            f"{'associations ' + ', '.join(associated) if associated else ''}"
            f"{' and ' if associated and children else ''}"
            f"{'child configurations ' + ', '.join(children) if children else ''}; "
            "remove them first (a private EventBridge connection's association goes when the "
            "connection is deleted).",
            "RESOURCE_CONFIGURATION",
            configuration.id,
        )
    del _configurations(self)[configuration.id]
    self.tagger.delete_all_tags_for_resource(configuration.arn)


# ---- service-network resource associations (moto's operation, completed)


def create_service_network_resource_association(
    self,
    resource_config_identifier: str,
    service_network_identifier: str,
    private_dns_enabled: bool | None = None,
    client_token: str | None = None,
    tags: dict[str, str] | None = None,
) -> ResourceAssociation:
    """CreateServiceNetworkResourceAssociation, tied to a real resource configuration."""
    configuration = get_resource_configuration(self, resource_config_identifier)
    network = _service_network(self, service_network_identifier)
    for existing in _associations(self).values():
        if (
            getattr(existing, "resource_configuration_id", None) == configuration.id
            and existing.service_network_id == network.id
        ):
            raise ConflictException(
                f"Resource configuration {configuration.id} is already associated with "
                f"service network {network.id}.",
                "SERVICE_NETWORK_RESOURCE_ASSOCIATION",
                existing.id,
            )
    association = ResourceAssociation(
        self.account_id,
        self.region_name,
        self.partition,
        network,
        configuration,
        configuration.arn,
        private_dns_enabled,
    )
    _associations(self)[association.id] = association
    self.tag_resource(association.arn, tags or {})
    return association


def _service_network(self, identifier: str) -> Any:
    network_id = identifier.rsplit("/", 1)[-1] if identifier else identifier
    network = self.service_networks.get(network_id)
    if network is None:
        raise ResourceNotFoundException("SERVICE_NETWORK", identifier)
    return network


def get_service_network_resource_association(self, identifier: str) -> Any:
    """GetServiceNetworkResourceAssociation by id or ARN."""
    association_id = parse_identifier(
        identifier,
        ASSOCIATION_ID,
        "service network resource association",
        "serviceNetworkResourceAssociationIdentifier",
    )
    association = _associations(self).get(association_id)
    if association is None:
        raise ResourceNotFoundException("SERVICE_NETWORK_RESOURCE_ASSOCIATION", association_id)
    return association


def list_service_network_resource_associations(
    self,
    service_network_identifier: str | None = None,
    resource_configuration_identifier: str | None = None,
) -> list[Any]:
    """Associations, optionally of one service network and/or resource configuration."""
    items = list(_associations(self).values())
    if service_network_identifier:
        network_id = service_network_identifier.rsplit("/", 1)[-1]
        items = [a for a in items if a.service_network_id == network_id]
    if resource_configuration_identifier:
        config_id = parse_identifier(
            resource_configuration_identifier,
            CONFIG_ID,
            "resource configuration",
            "resourceConfigurationIdentifier",
        )
        items = [a for a in items if getattr(a, "resource_configuration_id", None) == config_id]
    return items


def delete_service_network_resource_association(self, identifier: str) -> Any:
    """DeleteServiceNetworkResourceAssociation: gone at once, answers DELETE_IN_PROGRESS."""
    association = get_service_network_resource_association(self, identifier)
    if getattr(association, "is_managed_association", False):
        raise ConflictException(
            f"Association {association.id} is managed by EventBridge; delete the connection "
            "that uses it instead.",
            "SERVICE_NETWORK_RESOURCE_ASSOCIATION",
            association.id,
        )
    return _remove_association(self, association)


def _remove_association(self, association: Any) -> Any:
    del _associations(self)[association.id]
    self.tagger.delete_all_tags_for_resource(association.arn)
    association.status = "DELETE_IN_PROGRESS"
    return association


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


BACKEND_METHODS = (
    create_resource_gateway,
    get_resource_gateway,
    list_resource_gateways,
    update_resource_gateway,
    delete_resource_gateway,
    create_resource_configuration,
    get_resource_configuration,
    list_resource_configurations,
    update_resource_configuration,
    delete_resource_configuration,
    create_service_network_resource_association,
    get_service_network_resource_association,
    list_service_network_resource_associations,
    delete_service_network_resource_association,
)
