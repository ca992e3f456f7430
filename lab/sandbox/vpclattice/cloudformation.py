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


class _LatticeResource(StackResource):
    """What both handlers share: Ref is the ARN, GetAtt Id and Arn, the name is ``Name``."""

    ATTRIBUTES = ("Id", "Arn")
    NAME_PROPERTY = "Name"
    BACKENDS = vpclattice_backends

    def attribute(self, name: str) -> Any:
        return self.id if name == "Id" else self.physical_id

    def retag(self, properties: dict[str, Any]) -> None:
        """Tags of the template now (``properties``) instead of those of before."""
        removed = set(tags_to_dict(self.properties.get("Tags"))) - set(
            tags_to_dict(properties.get("Tags"))
        )
        if removed:
            self.moto_backend.untag_resource(self.physical_id, sorted(removed))
        self.moto_backend.tag_resource(self.physical_id, tags_to_dict(properties.get("Tags")))


class VpcLatticeResourceGateway(_LatticeResource, CloudFormationModel):
    """``AWS::VpcLattice::ResourceGateway``: Ref is the ARN; GetAtt Id and Arn."""

    TYPE = "AWS::VpcLattice::ResourceGateway"
    MUTABLE_PROPERTIES = frozenset({"SecurityGroupIds", "Tags"})

    def make(self, name: str, properties: dict[str, Any]) -> str:
        gateway = self.moto_backend.create_resource_gateway(
            name=name,
            vpc_identifier=properties["VpcIdentifier"],
            subnet_ids=list(properties.get("SubnetIds") or []),
            security_group_ids=list(properties.get("SecurityGroupIds") or []),
            ip_address_type=properties.get("IpAddressType", "IPV4"),
            ipv4_addresses_per_eni=properties.get("Ipv4AddressesPerEni"),
            tags=tags_to_dict(properties.get("Tags")) or None,
            resource_config_dns_resolution=properties.get("ResourceConfigDnsResolution"),
        )
        self.id = gateway.id
        return gateway.arn

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        if "SecurityGroupIds" in changed:
            self.moto_backend.update_resource_gateway(
                self.id, security_group_ids=list(properties.get("SecurityGroupIds") or [])
            )
        if "Tags" in changed:
            self.retag(properties)

    def remove(self) -> None:
        self.moto_backend.delete_resource_gateway(self.id)


class VpcLatticeResourceConfiguration(_LatticeResource, CloudFormationModel):
    """``AWS::VpcLattice::ResourceConfiguration``: Ref is the ARN; GetAtt Id and Arn."""

    TYPE = "AWS::VpcLattice::ResourceConfiguration"
    MUTABLE_PROPERTIES = frozenset(
        {
            "AllowAssociationToSharableServiceNetwork",
            "PortRanges",
            "ResourceConfigurationDefinition",
            "Tags",
        }
    )

    def make(self, name: str, properties: dict[str, Any]) -> str:
        definition = _resource_configuration_definition(
            properties.get("ResourceConfigurationDefinition")
        )
        configuration = self.moto_backend.create_resource_configuration(
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
        self.id = configuration.id
        return configuration.arn

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        if changed - {"Tags"}:
            self.moto_backend.update_resource_configuration(
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
            self.retag(properties)

    def remove(self) -> None:
        self.moto_backend.delete_resource_configuration(self.id)


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
