"""PrivateNetwork: an isolated VPC and the execute-api interface endpoint in it."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from cdk_app.acknowledgments import acknowledge

VPC_CIDR = "10.0.0.0/16"
HTTPS = 443


class PrivateNetwork(Construct):
    """A VPC with isolated subnets only, plus the execute-api VPC endpoint.

    Nothing here reaches the internet: no internet gateway, no NAT. The private
    API is reachable only through ``endpoint`` (private DNS on, so the API's
    ordinary ``<id>.execute-api.<region>.amazonaws.com`` name resolves to the
    endpoint inside this VPC).
    """

    def __init__(self, scope: Construct, construct_id: str, *, max_azs: int = 2) -> None:
        super().__init__(scope, construct_id)

        # The stack is environment-agnostic, so the two AZs are
        # Fn::Select [0|1, Fn::GetAZs ""] resolved at deploy time: the same
        # template works in every account and region (no "dummy1a" lookups).
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
            max_azs=max_azs,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                )
            ],
            # Private DNS on the endpoint needs both.
            enable_dns_hostnames=True,
            enable_dns_support=True,
            # True would add a Lambda-backed custom resource, i.e. an asset.
            restrict_default_security_group=False,
        )
        acknowledge(
            self.vpc,
            "AwsSolutions-VPC7",
            "A short-lived lab VPC with no internet gateway or NAT; flow logs would add an "
            "IAM role, a log group and cost, and nothing in the lab reads them.",
        )
        # The CIDR as a literal (not the VPC's CidrBlock GetAtt) so rules on
        # security groups can be checked at synth (cdk-nag EC23 cannot read
        # an intrinsic) and the template reads plainly.
        self.vpc_cidr = VPC_CIDR
        self.subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        self.subnet_ids = [subnet.subnet_id for subnet in self.vpc.isolated_subnets]

        # Endpoint ENIs only answer; security groups are stateful, so no
        # egress rule is needed (CDK renders a "disallow all" placeholder).
        self.endpoint_security_group = ec2.SecurityGroup(
            self,
            "EndpointSecurityGroup",
            vpc=self.vpc,
            description="execute-api VPC endpoint: HTTPS in from the VPC only",
            allow_all_outbound=False,
        )
        self.endpoint_security_group.add_ingress_rule(
            ec2.Peer.ipv4(self.vpc_cidr),
            ec2.Port.tcp(HTTPS),
            "HTTPS from inside the VPC (the resource gateway's ENIs)",
        )

        self.endpoint = ec2.InterfaceVpcEndpoint(
            self,
            "ExecuteApiEndpoint",
            vpc=self.vpc,
            service=ec2.InterfaceVpcEndpointAwsService.APIGATEWAY,
            private_dns_enabled=True,
            subnets=self.subnets,
            security_groups=[self.endpoint_security_group],
            # The ingress rule above is the whole policy; open=True would add
            # a second, identical one.
            open=False,
        )
