"""ResourceGatewayPath: the VPC Lattice way into the VPC, pointed at the endpoint.

The pieces a learner writes in notebook 08 (``lab.check``) are plain functions
here, and :class:`ResourceGatewayPath` builds the lab's own stack from them:
:func:`resource_gateway_security_group`, :func:`resource_gateway`,
:func:`endpoint_regional_dns_name` and :func:`resource_configuration`. A learner's
version of one replaces the reference through :class:`cdk_app.pieces.Pieces`.
"""

from __future__ import annotations

from aws_cdk import Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_vpclattice as lattice
from constructs import Construct

HTTPS = 443


def resource_gateway_security_group(
    scope: Construct, *, vpc: ec2.IVpc, vpc_cidr: str
) -> ec2.SecurityGroup:
    """The resource gateway's security group: HTTPS (tcp/443) out to the VPC's CIDR, nothing else.

    The gateway's ENIs only open connections to the execute-api endpoint inside the
    VPC; security groups are stateful, so no ingress rule is needed for the answers.
    """
    group = ec2.SecurityGroup(
        scope,
        "SecurityGroup",
        vpc=vpc,
        description="Resource gateway: HTTPS out to the VPC only",
        allow_all_outbound=False,
    )
    group.add_egress_rule(
        ec2.Peer.ipv4(vpc_cidr),
        ec2.Port.tcp(HTTPS),
        "HTTPS to the execute-api VPC endpoint",
    )
    return group


def resource_gateway(
    scope: Construct,
    *,
    name: str,
    vpc: ec2.IVpc,
    subnet_ids: list[str],
    security_group: ec2.ISecurityGroup,
) -> lattice.CfnResourceGateway:
    """The resource gateway: ENIs in every isolated subnet of ``vpc``, in ``security_group``.

    One ENI per subnet (so per availability zone) carries the connection's traffic into
    the VPC; IPv4 like the endpoint it reaches.
    """
    return lattice.CfnResourceGateway(
        scope,
        "ResourceGateway",
        name=name,
        ip_address_type="IPV4",
        vpc_identifier=vpc.vpc_id,
        subnet_ids=subnet_ids,
        security_group_ids=[security_group.security_group_id],
    )


def endpoint_regional_dns_name(endpoint: ec2.InterfaceVpcEndpoint) -> str:
    """The endpoint's regional DNS name, as a CloudFormation expression.

    ``DnsEntries`` entry 0 is ``<hosted-zone-id>:vpce-….execute-api.<region>.vpce.amazonaws.com``
    (the regional name, publicly resolvable to the endpoint's private IPs);
    the part after ``:`` is the name.
    """
    return Fn.select(1, Fn.split(":", Fn.select(0, endpoint.vpc_endpoint_dns_entries)))


def resource_configuration(
    scope: Construct, *, name: str, gateway: lattice.CfnResourceGateway, domain_name: str
) -> lattice.CfnResourceConfiguration:
    """The resource configuration an EventBridge connection names.

    One resource (``SINGLE``), reached through ``gateway``, on port 443 only, at
    ``domain_name`` (the endpoint's regional DNS name).
    """
    return lattice.CfnResourceConfiguration(
        scope,
        "ResourceConfiguration",
        name=name,
        resource_configuration_type="SINGLE",
        resource_gateway_id=gateway.attr_id,
        port_ranges=[str(HTTPS)],
        resource_configuration_definition=lattice.CfnResourceConfiguration.ResourceConfigurationDefinitionProperty(
            dns_resource=lattice.CfnResourceConfiguration.DnsResourceProperty(
                domain_name=domain_name,
                ip_address_type="IPV4",
            )
        ),
    )


class ResourceGatewayPath(Construct):
    """A resource gateway in the VPC and a resource configuration for the endpoint.

    The resource configuration is what an EventBridge connection names: traffic
    for it enters the VPC through the gateway's ENIs, which may only send HTTPS
    to addresses inside the VPC. ``pieces`` (default: the reference functions
    above) builds the security group, the DNS target and the configuration.
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
        pieces,
    ) -> None:
        super().__init__(scope, construct_id)

        self.security_group = pieces.gateway_security_group(self, vpc=vpc, vpc_cidr=vpc_cidr)

        self.gateway = pieces.resource_gateway(
            self,
            name=gateway_name,
            vpc=vpc,
            subnet_ids=subnet_ids,
            security_group=self.security_group,
        )

        self.configuration = pieces.resource_configuration(
            self,
            name=configuration_name,
            gateway=self.gateway,
            domain_name=pieces.dns_target(endpoint),
        )
