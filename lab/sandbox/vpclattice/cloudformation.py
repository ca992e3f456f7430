"""CloudFormation resource handlers for ``AWS::VpcLattice::ResourceGateway`` and
``ResourceConfiguration`` (moto has no model for either).

They call the VPC Lattice backend as :mod:`lab.sandbox.vpclattice` extends it. Ref and GetAtt
follow the CloudFormation resource schemas (cfn-lint 1.58).
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel
from moto.vpclattice.models import vpclattice_backends

from lab.sandbox.cloudformation.base import StackResource, tags_to_dict


class VpcLatticeResourceGateway(StackResource, CloudFormationModel):
    """``AWS::VpcLattice::ResourceGateway``: Ref is the ARN; GetAtt Id and Arn."""

    TYPE = "AWS::VpcLattice::ResourceGateway"
    ATTRIBUTES = ("Id", "Arn")
    NAME_PROPERTY = "Name"
    MUTABLE_PROPERTIES = frozenset({"SecurityGroupIds", "Tags"})

    @classmethod
    def create(cls, name, properties, account_id, region_name, *, logical_id, stack_id):
        gateway = vpclattice_backends[account_id][region_name].create_resource_gateway(
            name=name,
            vpc_identifier=properties["VpcIdentifier"],
            subnet_ids=list(properties.get("SubnetIds") or []),
            security_group_ids=list(properties.get("SecurityGroupIds") or []),
            ip_address_type=properties.get("IpAddressType", "IPV4"),
            ipv4_addresses_per_eni=properties.get("Ipv4AddressesPerEni"),
            tags=tags_to_dict(properties.get("Tags")) or None,
            resource_config_dns_resolution=properties.get("ResourceConfigDnsResolution"),
        )
        handler = cls(gateway.arn, properties, account_id, region_name, logical_id, stack_id)
        handler.id = gateway.id
        return handler

    def attribute(self, name: str) -> Any:
        return self.id if name == "Id" else self.physical_id

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        lattice = vpclattice_backends[self.account_id][self.region_name]
        if "SecurityGroupIds" in changed:
            lattice.update_resource_gateway(
                self.id, security_group_ids=list(properties.get("SecurityGroupIds") or [])
            )
        if "Tags" in changed:
            _retag_lattice(lattice, self.physical_id, self.properties, properties)

    def remove(self) -> None:
        vpclattice_backends[self.account_id][self.region_name].delete_resource_gateway(self.id)


class VpcLatticeResourceConfiguration(StackResource, CloudFormationModel):
    """``AWS::VpcLattice::ResourceConfiguration``: Ref is the ARN; GetAtt Id and Arn."""

    TYPE = "AWS::VpcLattice::ResourceConfiguration"
    ATTRIBUTES = ("Id", "Arn")
    NAME_PROPERTY = "Name"
    MUTABLE_PROPERTIES = frozenset(
        {
            "AllowAssociationToSharableServiceNetwork",
            "PortRanges",
            "ResourceConfigurationDefinition",
            "Tags",
        }
    )

    @classmethod
    def create(cls, name, properties, account_id, region_name, *, logical_id, stack_id):
        definition = _resource_configuration_definition(
            properties.get("ResourceConfigurationDefinition")
        )
        configuration = vpclattice_backends[account_id][region_name].create_resource_configuration(
            name=name,
            type=properties.get("ResourceConfigurationType", "SINGLE"),
            resource_gateway_identifier=properties.get("ResourceGatewayId"),
            port_ranges=[str(port) for port in properties.get("PortRanges") or []],
            protocol=properties.get("ProtocolType", "TCP"),
            resource_configuration_definition=definition,
            allow_association_to_shareable_service_network=properties.get(
                "AllowAssociationToSharableServiceNetwork"
            ),
            tags=tags_to_dict(properties.get("Tags")) or None,
            resource_configuration_group_identifier=properties.get("ResourceConfigurationGroupId"),
        )
        handler = cls(configuration.arn, properties, account_id, region_name, logical_id, stack_id)
        handler.id = configuration.id
        return handler

    def attribute(self, name: str) -> Any:
        return self.id if name == "Id" else self.physical_id

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        lattice = vpclattice_backends[self.account_id][self.region_name]
        if changed - {"Tags"}:
            lattice.update_resource_configuration(
                self.id,
                port_ranges=[str(port) for port in properties.get("PortRanges") or []],
                resource_configuration_definition=_resource_configuration_definition(
                    properties.get("ResourceConfigurationDefinition")
                ),
                allow_association_to_shareable_service_network=properties.get(
                    "AllowAssociationToSharableServiceNetwork"
                ),
            )
        if "Tags" in changed:
            _retag_lattice(lattice, self.physical_id, self.properties, properties)

    def remove(self) -> None:
        vpclattice_backends[self.account_id][self.region_name].delete_resource_configuration(
            self.id
        )


def _retag_lattice(lattice: Any, arn: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    removed = set(tags_to_dict(old.get("Tags"))) - set(tags_to_dict(new.get("Tags")))
    if removed:
        lattice.untag_resource(arn, sorted(removed))
    lattice.tag_resource(arn, tags_to_dict(new.get("Tags")))


def _resource_configuration_definition(definition: dict[str, Any] | None) -> dict | None:
    """Template ``{DnsResource: {DomainName, IpAddressType}}`` -> API ``{dnsResource: {...}}``."""
    if not definition:
        return None
    if "DnsResource" in definition:
        dns = definition["DnsResource"]
        return {
            "dnsResource": {
                "domainName": dns["DomainName"],
                "ipAddressType": dns.get("IpAddressType", "IPV4"),
            }
        }
    if "IpResource" in definition:
        return {"ipResource": {"ipAddress": definition["IpResource"]}}
    if "ArnResource" in definition:
        return {"arnResource": {"arn": definition["ArnResource"]}}
    raise ValidationError(
        message="ResourceConfigurationDefinition needs DnsResource, IpResource or ArnResource."
    )
