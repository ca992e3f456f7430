"""The VPC Lattice operations the sandbox adds to moto's backend, or completes in it.

Each public function here becomes a method of moto's ``VPCLatticeBackend`` (``self``;
:data:`BACKEND_METHODS`, seams in ``__init__``): backend state lives on the backend
instance, so moto's reset clears it. The three kinds of resource (:mod:`.models`) are
stored, found, listed and removed the same way, through one :class:`Kind` each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from re import Pattern
from typing import Any

from lab.sandbox.ec2 import models as ec2_models
from lab.sandbox.vpclattice.exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ValidationException,
)
from lab.sandbox.vpclattice.models import (
    ResourceAssociation,
    ResourceConfiguration,
    ResourceGateway,
)
from lab.sandbox.vpclattice.operations import OPERATIONS
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


@dataclass(frozen=True)
class Kind:
    """One kind of resource: where the backend keeps it and how the API names it."""

    store: Callable[[Any], dict[str, Any]]
    id_pattern: Pattern[str]
    label: str  # in messages: "resource gateway"
    field: str  # the request's identifier field
    code: str  # ResourceNotFoundException's and ConflictException's resourceType

    def id_of(self, identifier: str, field: str | None = None) -> str:
        """The resource id in ``identifier`` (an id or an ARN); ValidationException if neither."""
        return parse_identifier(identifier, self.id_pattern, self.label, field or self.field)

    def id_or_none(self, identifier: str | None, field: str | None = None) -> str | None:
        """:meth:`id_of` an identifier given; None for none (no filter)."""
        return self.id_of(identifier, field) if identifier else None

    def select(self, backend: Any, **wanted: str | None) -> list[Any]:
        """Every stored resource, oldest first, whose attributes have the ``wanted`` values
        (a None value asks for nothing)."""
        return [
            resource
            for resource in self.store(backend).values()
            if all(
                value is None or getattr(resource, name, None) == value
                for name, value in wanted.items()
            )
        ]

    def get(self, backend: Any, identifier: str) -> Any:
        """The stored resource ``identifier`` names; ResourceNotFoundException if none."""
        resource_id = self.id_of(identifier)
        resource = self.store(backend).get(resource_id)
        if resource is None:
            raise ResourceNotFoundException(self.code, resource_id)
        return resource

    def getter(self, operation: str) -> Callable[[Any, str], Any]:
        """The backend function of Get``operation``: :meth:`get` by id or ARN."""

        def get(backend: Any, identifier: str) -> Any:
            return self.get(backend, identifier)

        get.__name__ = get.__qualname__ = operation
        get.__doc__ = f"{operation}: the {self.label} an id or ARN names."
        return get

    def lister(
        self, operation: str, **filters: tuple[str, Callable[[str | None], str | None]]
    ) -> Callable[..., list[Any]]:
        """The backend function of List``operation``: :meth:`select` with each filter given.

        ``filters``: the function's keyword argument -> (the attribute it narrows, how an
        identifier becomes that attribute's value; None for no filter)."""

        def list_(backend: Any, **given: str | None) -> list[Any]:
            unknown = set(given) - set(filters)
            if unknown:
                raise TypeError(f"{operation}() takes no argument {', '.join(sorted(unknown))}")
            return self.select(
                backend,
                **{
                    attribute: parse(given.get(argument))
                    for argument, (attribute, parse) in filters.items()
                },
            )

        list_.__name__ = list_.__qualname__ = operation
        list_.__doc__ = f"{operation}: every {self.label}, oldest first, narrowed by the filters."
        return list_

    def refuse_duplicate_name(self, backend: Any, name: str) -> None:
        for existing in self.store(backend).values():
            if existing.name == name:
                raise ConflictException(
                    f"A {self.label} named {name} already exists.", self.code, existing.id
                )

    def add(self, backend: Any, resource: Any, tags: dict[str, str] | None) -> Any:
        self.store(backend)[resource.id] = resource
        backend.tag_resource(resource.arn, tags or {})
        return resource

    def remove(self, backend: Any, resource: Any) -> None:
        del self.store(backend)[resource.id]
        backend.tagger.delete_all_tags_for_resource(resource.arn)


GATEWAY = Kind(
    _gateways, GATEWAY_ID, "resource gateway", "resourceGatewayIdentifier", "RESOURCE_GATEWAY"
)
CONFIGURATION = Kind(
    _configurations,
    CONFIG_ID,
    "resource configuration",
    "resourceConfigurationIdentifier",
    "RESOURCE_CONFIGURATION",
)
ASSOCIATION = Kind(
    _associations,
    ASSOCIATION_ID,
    "service network resource association",
    "serviceNetworkResourceAssociationIdentifier",
    "SERVICE_NETWORK_RESOURCE_ASSOCIATION",
)


def _service_network_id(identifier: str | None) -> str | None:
    """The service network id in an id or ARN; None for none."""
    return (identifier or "").rsplit("/", 1)[-1] or None


get_resource_gateway = GATEWAY.getter("get_resource_gateway")
list_resource_gateways = GATEWAY.lister("list_resource_gateways")
get_resource_configuration = CONFIGURATION.getter("get_resource_configuration")
list_resource_configurations = CONFIGURATION.lister(
    "list_resource_configurations",
    resource_gateway_identifier=("resource_gateway_id", GATEWAY.id_or_none),
    resource_configuration_group_identifier=(
        "group_id",
        partial(CONFIGURATION.id_or_none, field="resourceConfigurationGroupIdentifier"),
    ),
)
get_service_network_resource_association = ASSOCIATION.getter(
    "get_service_network_resource_association"
)
list_service_network_resource_associations = ASSOCIATION.lister(
    "list_service_network_resource_associations",
    service_network_identifier=("service_network_id", _service_network_id),
    resource_configuration_identifier=("resource_configuration_id", CONFIGURATION.id_or_none),
)


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
    GATEWAY.refuse_duplicate_name(self, name)
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
        self,
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
    return GATEWAY.add(self, gateway, tags)


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
    dns_resolution = None
    if resource_config_dns_resolution is not None:
        dns_resolution = check_dns_resolution(resource_config_dns_resolution)
    # Nothing changes until every part has passed its checks.
    if security_group_ids is not None:
        for eni_id in gateway.network_interface_ids:
            if eni_id in ec2.enis:
                ec2_models.set_eni_security_groups(ec2, ec2.enis[eni_id], security_group_ids)
    return gateway.apply_update(
        security_group_ids=security_group_ids, resource_config_dns_resolution=dns_resolution
    )


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
    GATEWAY.remove(self, gateway)
    gateway.status = "DELETE_IN_PROGRESS"
    return gateway


def _check_ip_in_vpc(self, gateway: Any, definition: dict[str, Any] | None) -> None:
    """An ``ipResource`` is an address in the resource gateway's VPC: the gateway reaches
    resources inside its VPC (VPC Lattice User Guide, resource gateways)."""
    import ipaddress

    address = ((definition or {}).get("ipResource") or {}).get("ipAddress")
    if not address:
        return
    vpc = _ec2(self).get_vpc(gateway.vpc_id)
    associations = vpc.get_cidr_block_association_set() + vpc.get_cidr_block_association_set(
        ipv6=True
    )
    blocks = [vpc.cidr_block] + [association.get("cidr_block") for association in associations]
    networks = {ipaddress.ip_network(b, strict=False) for b in blocks if b}
    ip = ipaddress.ip_address(address)
    if not any(ip in network for network in networks if network.version == ip.version):
        raise ValidationException(
            f"ipResource.ipAddress {address} is not in the resource gateway's VPC "
            f"{gateway.vpc_id} ({', '.join(sorted(map(str, networks)))}); use an address of "
            "a resource in that VPC, or a resource gateway in the resource's VPC.",
            field="resourceConfigurationDefinition.ipResource.ipAddress",
        )


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
    if protocol == "TCP_UDP" and type != "CIDR":
        # botocore's vpc-lattice model: "TCP_UDP is supported only for CIDR resource
        # configurations".
        raise ValidationException(
            f"TCP_UDP is supported only for CIDR resource configurations; a {type} resource "
            "configuration takes TCP.",
            field="protocol",
        )
    definition = check_definition(type, resource_configuration_definition)
    if gateway is not None:
        _check_ip_in_vpc(self, gateway, definition)
    CONFIGURATION.refuse_duplicate_name(self, name)
    configuration = ResourceConfiguration(
        self,
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
    return CONFIGURATION.add(self, configuration, tags)


def update_resource_configuration(
    self,
    identifier: str,
    port_ranges: list[str] | None = None,
    resource_configuration_definition: dict[str, Any] | None = None,
    allow_association_to_shareable_service_network: bool | None = None,
) -> ResourceConfiguration:
    """UpdateResourceConfiguration: ports, definition, shareable flag (type is fixed)."""
    configuration = get_resource_configuration(self, identifier)
    ports = check_port_ranges(port_ranges) if port_ranges is not None else None
    definition = None
    if resource_configuration_definition is not None:
        definition = check_definition(configuration.type, resource_configuration_definition)
        if configuration.resource_gateway_id:
            gateway = get_resource_gateway(self, configuration.resource_gateway_id)
            _check_ip_in_vpc(self, gateway, definition)
    shareable = allow_association_to_shareable_service_network
    # Nothing changes until every part has passed its checks.
    return configuration.apply_update(
        port_ranges=ports,
        definition=definition,
        allow_association_to_shareable_service_network=None if shareable is None
        else bool(shareable),
    )


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
    CONFIGURATION.remove(self, configuration)


# ---- service-network resource associations (moto's operation, completed)


def create_service_network_resource_association(
    self,
    resource_configuration_identifier: str,
    service_network_identifier: str,
    private_dns_enabled: bool | None = None,
    client_token: str | None = None,
    tags: dict[str, str] | None = None,
) -> ResourceAssociation:
    """CreateServiceNetworkResourceAssociation, tied to a real resource configuration."""
    configuration = get_resource_configuration(self, resource_configuration_identifier)
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
        self,
        network,
        configuration,
        configuration.arn,
        private_dns_enabled,
    )
    return ASSOCIATION.add(self, association, tags)


def _service_network(self, identifier: str) -> Any:
    network_id = identifier.rsplit("/", 1)[-1] if identifier else identifier
    network = self.service_networks.get(network_id)
    if network is None:
        raise ResourceNotFoundException("SERVICE_NETWORK", identifier)
    return network


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
    ASSOCIATION.remove(self, association)
    association.status = "DELETE_IN_PROGRESS"
    return association


#: The functions set on moto's VPCLatticeBackend, in :data:`.operations.OPERATIONS`' order.
BACKEND_METHODS = tuple(globals()[name] for name in OPERATIONS)
