"""CloudFormation resource handlers for the EC2 types of the lab's template.

Each handler calls moto's EC2 backend (as extended by :mod:`lab.sandbox.ec2`) instead of
reimplementing the service:

- ``AWS::EC2::VPCEndpoint``: moto's model has no ``Fn::GetAtt`` (the template
  reads ``DnsEntries``) and no delete.
- ``AWS::EC2::SecurityGroup``: moto's model ignores ``SecurityGroupEgress``
  (so the default allow-all egress stays) and drops rule descriptions.
- ``AWS::EC2::SecurityGroupIngress``/``Egress``: no delete / no model.
- ``AWS::EC2::VPC``, ``Subnet``, ``RouteTable``, ``SubnetRouteTableAssociation``:
  moto's leave the VPC's network ACL, cannot delete route tables or
  associations, never associate the table, or cannot be updated.

Ref and GetAtt follow the CloudFormation resource schemas (cfn-lint 1.58).
"""

from __future__ import annotations

import json
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidPermissionNotFoundError, InvalidSecurityGroupNotFoundError
from moto.ec2.models import EC2Backend, ec2_backends

from lab.sandbox.cloudformation.base import StackResource, as_bool, tags_to_dict


class _EC2Resource(StackResource):
    """A handler of an EC2 type: its backend is moto's EC2 backend (:attr:`moto_backend`)."""

    BACKENDS = ec2_backends
    moto_backend: EC2Backend


# -- EC2 ---------------------------------------------------------------------


class EC2VPC(_EC2Resource, CloudFormationModel):
    """``AWS::EC2::VPC``: Ref is the VPC id.

    moto's model ignores the DNS attributes (private DNS of an interface
    endpoint needs both) and its deletion leaves the VPC's default network ACL.
    """

    TYPE = "AWS::EC2::VPC"
    ATTRIBUTES = (
        "CidrBlock",
        "CidrBlockAssociations",
        "DefaultNetworkAcl",
        "DefaultSecurityGroup",
        "Ipv6CidrBlocks",
        "VpcId",
    )
    MUTABLE_PROPERTIES = frozenset({"EnableDnsHostnames", "EnableDnsSupport", "Tags"})
    MODEL_ATTRIBUTES = {"VpcId": "id", "CidrBlock": "cidr_block"}

    def make(self, name: str, properties: dict[str, Any]) -> str:
        tags = self.tags_with_stack_tags(properties)
        vpc = self.moto_backend.create_vpc(
            cidr_block=properties["CidrBlock"],
            instance_tenancy=properties.get("InstanceTenancy", "default"),
            tags=[{"Key": key, "Value": value} for key, value in tags.items()],
        )
        self.physical_id = vpc.id
        self.modify(properties, {"EnableDnsSupport", "EnableDnsHostnames"})
        return self.physical_id

    def model(self) -> Any:
        return self.moto_backend.get_vpc(self.physical_id)

    def attribute(self, name: str) -> Any:
        backend = self.moto_backend
        vpc = self.model()
        if name == "CidrBlockAssociations":
            return [
                association["association_id"]
                for association in vpc.get_cidr_block_association_set(ipv6=False)
            ]
        if name == "Ipv6CidrBlocks":
            return [
                association["cidr_block"]
                for association in vpc.get_cidr_block_association_set(ipv6=True)
            ]
        if name == "DefaultSecurityGroup":
            return backend.get_security_group_from_name("default", vpc_id=vpc.id).id
        return next(
            acl.id for acl in backend.network_acls.values() if acl.vpc_id == vpc.id and acl.default
        )

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        backend = self.moto_backend
        for key, attribute in (
            ("EnableDnsSupport", "enable_dns_support"),
            ("EnableDnsHostnames", "enable_dns_hostnames"),
        ):
            if key in changed:
                default = key == "EnableDnsSupport"  # AWS defaults: support on, hostnames off
                backend.modify_vpc_attribute(
                    self.physical_id, attribute, as_bool(properties.get(key, default))
                )
        if "Tags" in changed:
            _retag(self, properties)

    def remove(self) -> None:
        backend = self.moto_backend
        backend.delete_vpc(self.physical_id)
        # AWS deletes the VPC's default network ACL with it; moto forgets it.
        for acl in list(backend.network_acls.values()):
            if acl.vpc_id == self.physical_id:
                backend.network_acls.pop(acl.id)


class EC2VPCEndpoint(_EC2Resource, CloudFormationModel):
    """``AWS::EC2::VPCEndpoint``: Ref is the endpoint id; GetAtt DnsEntries as CloudFormation
    renders them (``<hosted zone id>:<DNS name>``), regional name first."""

    TYPE = "AWS::EC2::VPCEndpoint"
    ATTRIBUTES = ("Id", "CreationTimestamp", "DnsEntries", "NetworkInterfaceIds")
    MUTABLE_PROPERTIES = frozenset({"PolicyDocument", "SecurityGroupIds", "SubnetIds", "Tags"})
    MODEL_ATTRIBUTES = {
        "Id": "id",
        "CreationTimestamp": lambda endpoint: endpoint.creation_timestamp.isoformat(),
        "NetworkInterfaceIds": lambda endpoint: list(endpoint.network_interface_ids),
        "DnsEntries": lambda endpoint: [_dns_entry_text(e) for e in endpoint.dns_entries or []],
    }

    def make(self, name: str, properties: dict[str, Any]) -> str:
        policy = properties.get("PolicyDocument")
        endpoint = self.moto_backend.create_vpc_endpoint(
            vpc_id=properties["VpcId"],
            service_name=properties["ServiceName"],
            endpoint_type=properties.get("VpcEndpointType", "Gateway"),
            policy_document=json.dumps(policy) if isinstance(policy, dict) else policy,
            route_table_ids=list(properties.get("RouteTableIds") or []),
            subnet_ids=list(properties.get("SubnetIds") or []),
            security_group_ids=list(properties.get("SecurityGroupIds") or []),
            tags=self.tags_with_stack_tags(properties),
            private_dns_enabled=as_bool(properties.get("PrivateDnsEnabled", False)),
        )
        return endpoint.id

    def model(self) -> Any:
        return self.moto_backend.vpc_end_points[self.physical_id]

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        old = self.properties
        policy = properties.get("PolicyDocument")

        def delta(key: str) -> tuple[list[str], list[str]]:
            before, after = set(old.get(key) or []), set(properties.get(key) or [])
            return sorted(after - before), sorted(before - after)

        add_subnets, remove_subnets = delta("SubnetIds")
        add_groups, remove_groups = delta("SecurityGroupIds")
        self.model().modify(
            policy_doc=json.dumps(policy) if isinstance(policy, dict) else policy,
            add_subnets=add_subnets,
            remove_subnets=remove_subnets,
            add_route_tables=None,
            remove_route_tables=None,
            add_security_groups=add_groups,
            remove_security_groups=remove_groups,
        )

    def remove(self) -> None:
        backend = self.moto_backend
        backend.delete_vpc_endpoints([self.physical_id])


class EC2Subnet(_EC2Resource, CloudFormationModel):
    """``AWS::EC2::Subnet``: Ref is the subnet id.

    moto's model has no ``Fn::GetAtt`` and cannot be updated.
    """

    TYPE = "AWS::EC2::Subnet"
    ATTRIBUTES = (
        "AvailabilityZone",
        "AvailabilityZoneId",
        "CidrBlock",
        "Ipv6CidrBlocks",
        "NetworkAclAssociationId",
        "OutpostArn",
        "SubnetId",
        "VpcId",
    )
    MUTABLE_PROPERTIES = frozenset({"MapPublicIpOnLaunch", "Tags"})
    MODEL_ATTRIBUTES = {
        "SubnetId": "id",
        "VpcId": "vpc_id",
        "CidrBlock": "cidr_block",
        "AvailabilityZone": "availability_zone",
        "AvailabilityZoneId": "availability_zone_id",
        "Ipv6CidrBlocks": lambda subnet: [
            block["ipv6CidrBlock"] for block in subnet.ipv6_cidr_block_associations.values()
        ],
    }

    def make(self, name: str, properties: dict[str, Any]) -> str:
        tags = self.tags_with_stack_tags(properties)
        subnet = self.moto_backend.create_subnet(
            vpc_id=properties["VpcId"],
            cidr_block=properties["CidrBlock"],
            ipv6_cidr_block=properties.get("Ipv6CidrBlock"),
            availability_zone=properties.get("AvailabilityZone"),
            availability_zone_id=properties.get("AvailabilityZoneId"),
            tags={"subnet": tags},
        )
        self.physical_id = subnet.id
        self.modify(properties, {"MapPublicIpOnLaunch"})
        return self.physical_id

    def model(self) -> Any:
        return self.moto_backend.get_subnet(self.physical_id)

    def attribute(self, name: str) -> Any:
        subnet = self.model()
        if name == "NetworkAclAssociationId":
            backend = self.moto_backend
            for acl in backend.network_acls.values():
                for association_id, association in acl._associations.items():
                    if association.subnet_id == subnet.id:
                        return association_id
            return None
        return None  # OutpostArn: no Outposts in the sandbox

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        if "MapPublicIpOnLaunch" in changed:
            self.model().map_public_ip_on_launch = as_bool(
                properties.get("MapPublicIpOnLaunch", False)
            )
        if "Tags" in changed:
            _retag(self, properties)

    def remove(self) -> None:
        self.moto_backend.delete_subnet(self.physical_id)


class EC2RouteTable(_EC2Resource, CloudFormationModel):
    """``AWS::EC2::RouteTable``: Ref and GetAtt RouteTableId are the table's id.

    moto's model cannot be deleted, so its VPC could never be deleted either.
    """

    TYPE = "AWS::EC2::RouteTable"
    ATTRIBUTES = ("RouteTableId",)
    MUTABLE_PROPERTIES = frozenset({"Tags"})

    def make(self, name: str, properties: dict[str, Any]) -> str:
        tags = self.tags_with_stack_tags(properties)
        table = self.moto_backend.create_route_table(
            vpc_id=properties["VpcId"],
            tags=[{"Key": key, "Value": value} for key, value in tags.items()],
        )
        return table.id

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        _retag(self, properties)

    def remove(self) -> None:
        self.moto_backend.delete_route_table(self.physical_id)


class EC2SubnetRouteTableAssociation(_EC2Resource, CloudFormationModel):
    """``AWS::EC2::SubnetRouteTableAssociation``: Ref and GetAtt Id are the association id.

    moto's model records the pair aside without associating the table (so
    ``describe_route_tables`` does not show it) and cannot be deleted.
    """

    TYPE = "AWS::EC2::SubnetRouteTableAssociation"
    ATTRIBUTES = ("Id",)

    def make(self, name: str, properties: dict[str, Any]) -> str:
        association_id = self.moto_backend.associate_route_table(
            route_table_id=properties["RouteTableId"], subnet_id=properties["SubnetId"]
        )
        return association_id

    def remove(self) -> None:
        self.moto_backend.disassociate_route_table(self.physical_id)


def _retag(handler: StackResource, properties: dict[str, Any]) -> None:
    """Replace an EC2 resource's template tags by the new template's (stack tags stay)."""
    backend = handler.moto_backend
    old = tags_to_dict(handler.properties.get("Tags"))
    if old:
        backend.delete_tags([handler.physical_id], old)
    new = tags_to_dict(properties.get("Tags"))
    if new:
        backend.create_tags([handler.physical_id], new)


def _dns_entry_text(entry: dict[str, str]) -> str:
    """One DNS entry as ``Fn::GetAtt DnsEntries`` lists it."""
    zone = entry.get("HostedZoneId") or entry.get("hosted_zone_id", "")
    name = entry.get("DnsName") or entry.get("dns_name", "")
    return f"{zone}:{name}"


def _rule_arguments(rule: dict[str, Any], peer_group_key: str) -> dict[str, Any]:
    """A template rule -> moto's authorize/revoke arguments."""
    ip_ranges: list[dict[str, str]] = []
    if rule.get("CidrIp"):
        ip_ranges.append(_described({"CidrIp": rule["CidrIp"]}, rule))
    if rule.get("CidrIpv6"):
        ip_ranges.append(_described({"CidrIpv6": rule["CidrIpv6"]}, rule))
    source_groups = []
    if rule.get(peer_group_key):
        source_groups.append(_described({"GroupId": rule[peer_group_key]}, rule))
    prefix_lists = []
    for key in ("SourcePrefixListId", "DestinationPrefixListId"):
        if rule.get(key):
            prefix_lists.append(_described({"PrefixListId": rule[key]}, rule))
    protocol = str(rule["IpProtocol"])
    every_port = protocol in ("-1", "all")
    return {
        "ip_protocol": protocol,
        "from_port": None if every_port else rule.get("FromPort"),
        "to_port": None if every_port else rule.get("ToPort"),
        "ip_ranges": ip_ranges,
        "source_groups": source_groups,
        "prefix_list_ids": prefix_lists,
    }


def _described(item: dict[str, str], rule: dict[str, Any]) -> dict[str, str]:
    if rule.get("Description"):
        item["Description"] = rule["Description"]
    return item


class EC2SecurityGroup(_EC2Resource, CloudFormationModel):
    """``AWS::EC2::SecurityGroup`` in a VPC: Ref and GetAtt GroupId are the group id.

    ``SecurityGroupEgress`` replaces the default allow-all egress rule, as on
    AWS (CDK's ``allow_all_outbound=False`` relies on it).
    """

    TYPE = "AWS::EC2::SecurityGroup"
    ATTRIBUTES = ("GroupId", "Id", "VpcId")
    NAME_PROPERTY = "GroupName"
    MUTABLE_PROPERTIES = frozenset({"SecurityGroupIngress", "SecurityGroupEgress", "Tags"})

    def make(self, name: str, properties: dict[str, Any]) -> str:
        backend = self.moto_backend
        group = backend.create_security_group(
            name=name,
            description=properties["GroupDescription"],
            vpc_id=properties.get("VpcId"),
            tags=self.tags_with_stack_tags(properties),
        )
        self.physical_id = group.id
        self.put_rules(properties)
        return self.physical_id

    def put_rules(self, properties: dict[str, Any]) -> None:
        """Make the group's rules exactly the template's inline rules."""
        backend = self.moto_backend
        group = backend.get_security_group_from_id(self.physical_id)
        self._replace_rules(
            backend, "ingress", group.ingress_rules, properties.get("SecurityGroupIngress")
        )
        if "SecurityGroupEgress" not in properties and group.egress_rules:
            return  # keep the default allow-all egress rule
        self._replace_rules(
            backend, "egress", group.egress_rules, properties.get("SecurityGroupEgress")
        )

    #: The template's key for the other group of a rule, per direction.
    _PEER_KEYS = {"ingress": "SourceSecurityGroupId", "egress": "DestinationSecurityGroupId"}

    def _replace_rules(self, backend: Any, direction: str, current: Any, wanted: Any) -> None:
        if current:
            getattr(backend, f"revoke_security_group_{direction}")(
                self.physical_id, None, None, None, [], security_rule_ids=[r.id for r in current]
            )
        for rule in wanted or []:
            getattr(backend, f"authorize_security_group_{direction}")(
                self.physical_id, **_rule_arguments(rule, self._PEER_KEYS[direction])
            )

    def attribute(self, name: str) -> Any:
        if name == "VpcId":
            return self.properties.get("VpcId")
        return self.physical_id

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        if changed & {"SecurityGroupIngress", "SecurityGroupEgress"}:
            self.put_rules(properties)
        if "Tags" in changed:
            _retag(self, properties)

    def remove(self) -> None:
        try:
            self.moto_backend.delete_security_group(group_id=self.physical_id)
        except InvalidSecurityGroupNotFoundError:
            pass


class _StandaloneRule(_EC2Resource):
    """Shared by ``AWS::EC2::SecurityGroupIngress`` and ``...Egress``: Ref is the rule id."""

    ATTRIBUTES = ("Id",)
    PEER_GROUP_KEY = ""
    EGRESS = False

    def make(self, name: str, properties: dict[str, Any]) -> str:
        backend = self.moto_backend
        group_id = properties.get("GroupId")
        if not group_id and properties.get("GroupName"):
            group_id = backend.get_security_group_by_name_or_id(properties["GroupName"]).id
        if not group_id:
            raise ValidationError(
                message=f"{self.logical_id}: GroupId is required for {self.TYPE}."
            )
        authorize = (
            backend.authorize_security_group_egress
            if self.EGRESS
            else backend.authorize_security_group_ingress
        )
        rules, _ = authorize(group_id, **_rule_arguments(properties, self.PEER_GROUP_KEY))
        self.physical_id = rules[0].id
        self.group_id = group_id
        return self.physical_id

    def remove(self) -> None:
        backend = self.moto_backend
        revoke = (
            backend.revoke_security_group_egress
            if self.EGRESS
            else backend.revoke_security_group_ingress
        )
        try:
            revoke(self.group_id, None, None, None, [], security_rule_ids=[self.physical_id])
        except (InvalidSecurityGroupNotFoundError, InvalidPermissionNotFoundError):
            pass  # gone with its group


class EC2SecurityGroupIngress(_StandaloneRule, CloudFormationModel):
    """``AWS::EC2::SecurityGroupIngress``."""

    TYPE = "AWS::EC2::SecurityGroupIngress"
    PEER_GROUP_KEY = "SourceSecurityGroupId"


class EC2SecurityGroupEgress(_StandaloneRule, CloudFormationModel):
    """``AWS::EC2::SecurityGroupEgress``."""

    TYPE = "AWS::EC2::SecurityGroupEgress"
    PEER_GROUP_KEY = "DestinationSecurityGroupId"
    EGRESS = True
