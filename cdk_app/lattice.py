"""ResourceGatewayPath: the VPC Lattice way into the VPC, pointed at the endpoint."""

from __future__ import annotations

from aws_cdk import Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_vpclattice as lattice
from constructs import Construct

HTTPS = 443


def endpoint_regional_dns_name(endpoint: ec2.InterfaceVpcEndpoint) -> str:
    """The endpoint's regional DNS name, as a CloudFormation expression.

    ``DnsEntries`` entry 0 is ``<hosted-zone-id>:vpce-….execute-api.<region>.vpce.amazonaws.com``
    (the regional name, publicly resolvable to the endpoint's private IPs);
    the part after ``:`` is the name.
    """
    return Fn.select(1, Fn.split(":", Fn.select(0, endpoint.vpc_endpoint_dns_entries)))


class ResourceGatewayPath(Construct):
    """A resource gateway in the VPC and a resource configuration for the endpoint.

    The resource configuration is what an EventBridge connection names: traffic
    for it enters the VPC through the gateway's ENIs, which may only send HTTPS
    to addresses inside the VPC.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        vpc_cidr: str,
        subnet_ids: list[str],
        endpoint: ec2.InterfaceVpcEndpoint,
        gateway_name: str,
        configuration_name: str,
    ) -> None:
        super().__init__(scope, construct_id)

        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="Resource gateway: HTTPS out to the VPC only",
            allow_all_outbound=False,
        )
        self.security_group.add_egress_rule(
            ec2.Peer.ipv4(vpc_cidr),
            ec2.Port.tcp(HTTPS),
            "HTTPS to the execute-api VPC endpoint",
        )

        self.gateway = lattice.CfnResourceGateway(
            self,
            "ResourceGateway",
            name=gateway_name,
            ip_address_type="IPV4",
            vpc_identifier=vpc.vpc_id,
            subnet_ids=subnet_ids,
            security_group_ids=[self.security_group.security_group_id],
        )

        self.configuration = lattice.CfnResourceConfiguration(
            self,
            "ResourceConfiguration",
            name=configuration_name,
            resource_configuration_type="SINGLE",
            resource_gateway_id=self.gateway.attr_id,
            port_ranges=[str(HTTPS)],
            resource_configuration_definition=lattice.CfnResourceConfiguration.ResourceConfigurationDefinitionProperty(
                dns_resource=lattice.CfnResourceConfiguration.DnsResourceProperty(
                    domain_name=endpoint_regional_dns_name(endpoint),
                    ip_address_type="IPV4",
                )
            ),
        )
