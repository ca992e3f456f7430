"""VPC Lattice resource gateways, resource configurations and associations in the sandbox.

Through boto3 against the real sandbox server; every successful answer is
checked against botocore's output shape (``checked``).
"""

from __future__ import annotations

import ipaddress
import itertools
import re

import pytest
from botocore.exceptions import ClientError
from lab_api_client import lab_api
from shape_check import checked

pytestmark = pytest.mark.sandbox

ACCOUNT = "123456789012"
REGION = "us-east-1"
DOMAIN = "vpce-0123456789abcdef0-abcd1234.execute-api.us-east-1.vpce.amazonaws.com"


_names = itertools.count()


@pytest.fixture(scope="module")
def fresh(sandbox):
    """One reset per module: tests build their own VPCs and names, so they do not collide."""
    lab_api(sandbox, "reset", {})
    lab_api(sandbox, "config", {"connection_warmup_seconds": 2})
    return sandbox


@pytest.fixture
def net(fresh, sandbox_client):
    """A new VPC with two subnets in two AZs and a dedicated security group."""
    ec2 = sandbox_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]
        for cidr, az in (("10.20.0.0/24", "us-east-1a"), ("10.20.1.0/24", "us-east-1b"))
    ]
    group = ec2.create_security_group(VpcId=vpc, GroupName="rgw", Description="gateway")
    return {
        "vpc": vpc,
        "subnets": [s["SubnetId"] for s in subnets],
        "cidrs": {s["SubnetId"]: s["CidrBlock"] for s in subnets},
        "sg": group["GroupId"],
        "ec2": ec2,
    }


@pytest.fixture
def lattice(sandbox_client):
    return checked(sandbox_client("vpc-lattice"))


@pytest.fixture
def unvalidated(sandbox):
    """A VPC Lattice client that skips botocore's own checks, to reach the server's."""
    import boto3
    from botocore.config import Config

    from lab.clients import SANDBOX_CREDENTIALS

    return boto3.session.Session(region_name=REGION, **SANDBOX_CREDENTIALS).client(
        "vpc-lattice", endpoint_url=sandbox, config=Config(parameter_validation=False)
    )


def _gateway(lattice, net, name=None, **extra):
    return lattice.create_resource_gateway(
        name=name or f"gw-{next(_names)}",
        vpcIdentifier=net["vpc"],
        subnetIds=net["subnets"],
        securityGroupIds=[net["sg"]],
        **extra,
    )


def _configuration(lattice, gateway_id, name=None, **extra):
    params = {
        "name": name or f"rc-{next(_names)}",
        "type": "SINGLE",
        "resourceGatewayIdentifier": gateway_id,
        "portRanges": ["443"],
        "resourceConfigurationDefinition": {
            "dnsResource": {"domainName": DOMAIN, "ipAddressType": "IPV4"}
        },
    }
    params.update(extra)
    return lattice.create_resource_configuration(**params)


def _error(call, *args, **kwargs) -> ClientError:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value


# --------------------------------------------------------------------------- gateways


def test_a_new_gateway_is_active_with_aws_shaped_id_and_arn(lattice, net):
    gateway = _gateway(lattice, net)

    assert re.fullmatch(r"rgw-[0-9a-z]{17}", gateway["id"])
    assert (
        gateway["arn"] == f"arn:aws:vpc-lattice:{REGION}:{ACCOUNT}:resourcegateway/{gateway['id']}"
    )
    assert gateway["status"] == "ACTIVE"
    assert gateway["vpcIdentifier"] == net["vpc"]


def test_a_gateway_defaults_to_16_ipv4_addresses_per_eni_and_public_dns(lattice, net):
    gateway = lattice.get_resource_gateway(resourceGatewayIdentifier=_gateway(lattice, net)["id"])

    assert gateway["ipv4AddressesPerEni"] == 16
    assert gateway["ipAddressType"] == "IPV4"
    assert gateway["resourceConfigDnsResolution"] == "PUBLIC"


def test_get_gateway_by_arn_equals_get_by_id(lattice, net):
    created = _gateway(lattice, net)

    by_id = lattice.get_resource_gateway(resourceGatewayIdentifier=created["id"])
    by_arn = lattice.get_resource_gateway(resourceGatewayIdentifier=created["arn"])

    assert by_id["vpcId"] == by_arn["vpcId"] == net["vpc"]
    assert by_id["id"] == by_arn["id"]


def test_list_gateways_names_the_vpc_vpc_identifier(lattice, net):
    created = _gateway(lattice, net)

    items = lattice.list_resource_gateways()["items"]

    assert (created["id"], net["vpc"]) in [(i["id"], i["vpcIdentifier"]) for i in items]


def test_list_gateways_pages(lattice, net):
    for _ in range(3):
        _gateway(lattice, net)
    total = len(lattice.list_resource_gateways()["items"])

    seen, token = [], None
    while True:
        page = lattice.list_resource_gateways(
            maxResults=2, **({"nextToken": token} if token else {})
        )
        seen += [i["id"] for i in page["items"]]
        token = page.get("nextToken")
        if not token:
            break

    assert len(seen) == len(set(seen)) == total >= 3


def test_a_gateway_has_one_requester_managed_eni_per_subnet_in_its_group(lattice, net):
    _gateway(lattice, net)

    enis = net["ec2"].describe_network_interfaces(
        Filters=[{"Name": "group-id", "Values": [net["sg"]]}]
    )["NetworkInterfaces"]

    assert sorted(e["SubnetId"] for e in enis) == sorted(net["subnets"])
    assert all(e["RequesterManaged"] for e in enis)
    assert all(e["VpcId"] == net["vpc"] for e in enis)


def test_each_gateway_eni_holds_ipv4_addresses_per_eni_addresses_from_its_subnet(lattice, net):
    _gateway(lattice, net, ipv4AddressesPerEni=4)

    enis = net["ec2"].describe_network_interfaces(
        Filters=[{"Name": "group-id", "Values": [net["sg"]]}]
    )["NetworkInterfaces"]

    for eni in enis:
        addresses = [a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"]]
        subnet = ipaddress.ip_network(net["cidrs"][eni["SubnetId"]])
        assert len(set(addresses)) == 4
        assert all(ipaddress.ip_address(a) in subnet for a in addresses)


@pytest.mark.parametrize("count", [0, 63])
def test_ipv4_addresses_per_eni_outside_1_to_62_is_refused(unvalidated, net, count):
    error = _error(_gateway, unvalidated, net, ipv4AddressesPerEni=count)

    assert error.response["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize("name", ["ab", "Lab-GW", "rgw-named", "-lab", "lab--gw", "lab-"])
def test_gateway_names_follow_lattice_rules(unvalidated, net, name):
    error = _error(_gateway, unvalidated, net, name=name)

    assert error.response["Error"]["Code"] == "ValidationException"


def test_a_second_gateway_with_the_same_name_conflicts(lattice, net):
    first = _gateway(lattice, net)

    error = _error(_gateway, lattice, net, name=first["name"])

    assert error.response["Error"]["Code"] == "ConflictException"
    assert error.response["resourceId"] == first["id"]


def test_a_gateway_in_an_unknown_vpc_is_not_found(lattice, net):
    error = _error(
        lattice.create_resource_gateway,
        name=f"gw-{next(_names)}",
        vpcIdentifier="vpc-0123456789abcdef0",
        subnetIds=net["subnets"],
    )

    assert error.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_subnet_of_another_vpc_is_refused(lattice, net):
    other_vpc = net["ec2"].create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    other = net["ec2"].create_subnet(VpcId=other_vpc, CidrBlock="10.30.0.0/24")["Subnet"]

    error = _error(
        lattice.create_resource_gateway,
        name=f"gw-{next(_names)}",
        vpcIdentifier=net["vpc"],
        subnetIds=[other["SubnetId"]],
    )

    assert error.response["Error"]["Code"] == "ValidationException"


def test_an_unknown_gateway_is_a_404_naming_it(lattice):
    missing = "rgw-0123456789abcdef0"

    error = _error(lattice.get_resource_gateway, resourceGatewayIdentifier=missing)

    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error.response["Error"]["Code"] == "ResourceNotFoundException"
    assert error.response["resourceId"] == missing


def test_updating_security_groups_moves_the_enis(lattice, net):
    gateway = _gateway(lattice, net)
    new_group = net["ec2"].create_security_group(
        VpcId=net["vpc"], GroupName="rgw-2", Description="second"
    )["GroupId"]

    updated = lattice.update_resource_gateway(
        resourceGatewayIdentifier=gateway["id"], securityGroupIds=[new_group]
    )

    enis = net["ec2"].describe_network_interfaces(
        Filters=[{"Name": "group-id", "Values": [new_group]}]
    )["NetworkInterfaces"]
    assert updated["securityGroupIds"] == [new_group]
    assert len(enis) == 2


def test_a_refused_gateway_update_changes_nothing(lattice, unvalidated, net):
    """UpdateResourceGateway is all or nothing: AWS checks the whole request before it acts,
    so a ValidationException (a resourceConfigDnsResolution outside botocore's enum) leaves
    the gateway's security groups and its ENIs' groups as they were."""
    gateway = _gateway(lattice, net)
    new_group = net["ec2"].create_security_group(
        VpcId=net["vpc"], GroupName="rgw-3", Description="third"
    )["GroupId"]

    error = _error(
        unvalidated.update_resource_gateway,
        resourceGatewayIdentifier=gateway["id"],
        securityGroupIds=[new_group],
        resourceConfigDnsResolution="SOMETIMES",
    )

    enis = net["ec2"].describe_network_interfaces(
        Filters=[{"Name": "group-id", "Values": [new_group]}]
    )["NetworkInterfaces"]
    assert error.response["Error"]["Code"] == "ValidationException"
    got = lattice.get_resource_gateway(resourceGatewayIdentifier=gateway["id"])
    assert got["securityGroupIds"] == [net["sg"]]
    assert enis == []


def test_deleting_a_gateway_removes_it_and_its_enis(lattice, net):
    gateway = _gateway(lattice, net)

    deleted = lattice.delete_resource_gateway(resourceGatewayIdentifier=gateway["arn"])

    enis = net["ec2"].describe_network_interfaces(
        Filters=[{"Name": "group-id", "Values": [net["sg"]]}]
    )["NetworkInterfaces"]
    assert deleted["status"] == "DELETE_IN_PROGRESS"
    assert enis == []
    error = _error(lattice.get_resource_gateway, resourceGatewayIdentifier=gateway["id"])
    assert error.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_gateway_with_configurations_cannot_be_deleted(lattice, net):
    gateway = _gateway(lattice, net)
    _configuration(lattice, gateway["id"])

    error = _error(lattice.delete_resource_gateway, resourceGatewayIdentifier=gateway["id"])

    assert error.response["Error"]["Code"] == "ConflictException"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_gateway_ids_repeat_after_a_reset(fresh, sandbox_client):
    def build():
        lab_api(fresh, "reset", {})
        ec2 = sandbox_client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.0.0/24")["Subnet"]["SubnetId"]
        lattice = sandbox_client("vpc-lattice")
        return lattice.create_resource_gateway(
            name="gw-seed", vpcIdentifier=vpc, subnetIds=[subnet]
        )

    assert build()["id"] == build()["id"]


# --------------------------------------------------------------------------- configurations


def test_a_new_configuration_is_active_and_echoes_its_dns_resource(lattice, net):
    gateway = _gateway(lattice, net)

    configuration = _configuration(lattice, gateway["id"])

    assert re.fullmatch(r"rcfg-[0-9a-z]{17}", configuration["id"])
    assert configuration["arn"].endswith(f":resourceconfiguration/{configuration['id']}")
    assert configuration["status"] == "ACTIVE"
    assert configuration["resourceGatewayId"] == gateway["id"]
    assert configuration["resourceConfigurationDefinition"]["dnsResource"]["domainName"] == DOMAIN


def test_get_configuration_reports_ports_protocol_and_type(lattice, net):
    created = _configuration(lattice, _gateway(lattice, net)["id"])

    configuration = lattice.get_resource_configuration(
        resourceConfigurationIdentifier=created["arn"]
    )

    assert configuration["portRanges"] == ["443"]
    assert configuration["protocol"] == "TCP"
    assert configuration["type"] == "SINGLE"


def test_a_configuration_on_an_unknown_gateway_is_not_found(lattice):
    error = _error(_configuration, lattice, "rgw-0123456789abcdef0")

    assert error.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize("ports", [[], ["0"], ["70000"], ["443-80"], ["https"]])
def test_bad_port_ranges_are_refused(unvalidated, net, ports):
    gateway_id = _gateway(unvalidated, net)["id"]

    error = _error(_configuration, unvalidated, gateway_id, portRanges=ports)

    assert error.response["Error"]["Code"] == "ValidationException"


def test_a_single_configuration_refuses_an_arn_definition(lattice, net):
    definition = {"arnResource": {"arn": "arn:aws:rds:us-east-1:123456789012:db:x"}}

    error = _error(
        _configuration,
        lattice,
        _gateway(lattice, net)["id"],
        resourceConfigurationDefinition=definition,
    )

    assert error.response["Error"]["Code"] == "ValidationException"


def test_list_configurations_filters_by_gateway(lattice, net):
    first = _gateway(lattice, net)
    second = _gateway(lattice, net)
    mine = _configuration(lattice, first["id"])
    _configuration(lattice, second["id"])

    items = lattice.list_resource_configurations(resourceGatewayIdentifier=first["id"])["items"]

    assert [i["id"] for i in items] == [mine["id"]]


def test_updating_port_ranges_is_kept(lattice, net):
    created = _configuration(lattice, _gateway(lattice, net)["id"])

    lattice.update_resource_configuration(
        resourceConfigurationIdentifier=created["id"], portRanges=["443", "8443"]
    )

    configuration = lattice.get_resource_configuration(
        resourceConfigurationIdentifier=created["id"]
    )
    assert configuration["portRanges"] == ["443", "8443"]


def test_deleting_a_configuration_answers_204_and_forgets_it(lattice, net):
    created = _configuration(lattice, _gateway(lattice, net)["id"])

    response = lattice.delete_resource_configuration(resourceConfigurationIdentifier=created["id"])

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert created["id"] not in [i["id"] for i in lattice.list_resource_configurations()["items"]]


# --------------------------------------------------------------------------- associations


def test_a_service_network_association_ties_to_the_configuration(lattice, net):
    configuration = _configuration(lattice, _gateway(lattice, net)["id"])
    network = lattice.create_service_network(name=f"sn-{next(_names)}")

    created = lattice.create_service_network_resource_association(
        resourceConfigurationIdentifier=configuration["id"], serviceNetworkIdentifier=network["id"]
    )

    association = lattice.get_service_network_resource_association(
        serviceNetworkResourceAssociationIdentifier=created["arn"]
    )
    assert association["status"] == "ACTIVE"
    assert association["resourceConfigurationArn"] == configuration["arn"]
    assert association["serviceNetworkId"] == network["id"]


def test_associations_are_listed_by_configuration(lattice, net):
    configuration = _configuration(lattice, _gateway(lattice, net)["id"])
    network = lattice.create_service_network(name=f"sn-{next(_names)}")
    created = lattice.create_service_network_resource_association(
        resourceConfigurationIdentifier=configuration["arn"], serviceNetworkIdentifier=network["id"]
    )

    items = lattice.list_service_network_resource_associations(
        resourceConfigurationIdentifier=configuration["id"]
    )["items"]

    assert [i["id"] for i in items] == [created["id"]]


def test_an_association_to_an_unknown_configuration_is_not_found(lattice):
    network = lattice.create_service_network(name=f"sn-{next(_names)}")

    error = _error(
        lattice.create_service_network_resource_association,
        resourceConfigurationIdentifier="rcfg-0123456789abcdef0",
        serviceNetworkIdentifier=network["id"],
    )

    assert error.response["Error"]["Code"] == "ResourceNotFoundException"


def test_an_associated_configuration_cannot_be_deleted_until_disassociated(lattice, net):
    configuration = _configuration(lattice, _gateway(lattice, net)["id"])
    network = lattice.create_service_network(name=f"sn-{next(_names)}")
    association = lattice.create_service_network_resource_association(
        resourceConfigurationIdentifier=configuration["id"], serviceNetworkIdentifier=network["id"]
    )

    error = _error(
        lattice.delete_resource_configuration, resourceConfigurationIdentifier=configuration["id"]
    )
    lattice.delete_service_network_resource_association(
        serviceNetworkResourceAssociationIdentifier=association["id"]
    )
    lattice.delete_resource_configuration(resourceConfigurationIdentifier=configuration["id"])

    assert error.response["Error"]["Code"] == "ConflictException"


def test_service_network_ids_match_the_aws_pattern(lattice):
    network = lattice.create_service_network(name=f"sn-{next(_names)}")

    assert re.fullmatch(r"sn-[0-9a-z]{17}", network["id"])


# --------------------------------------------------------------------------- for CloudFormation


def test_backend_methods_keep_the_signatures_cloudformation_calls(moto_inprocess):
    from lab.sandbox.vpclattice import lattice_backend

    ec2 = moto_inprocess("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.0.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(VpcId=vpc, GroupName="g", Description="g")["GroupId"]
    backend = lattice_backend(ACCOUNT, REGION)

    gateway = backend.create_resource_gateway(
        name="cfn-gw",
        vpc_identifier=vpc,
        subnet_ids=[subnet],
        security_group_ids=[group],
        ip_address_type="IPV4",
        ipv4_addresses_per_eni=None,
        tags={"k": "v"},
    )
    configuration = backend.create_resource_configuration(
        name="cfn-rc",
        type="SINGLE",
        resource_gateway_identifier=gateway.arn,
        port_ranges=["443"],
        protocol="TCP",
        resource_configuration_definition={"dnsResource": {"domainName": DOMAIN}},
        allow_association_to_shareable_service_network=None,
        tags=None,
    )
    backend.update_resource_gateway(gateway.id, security_group_ids=[group])
    backend.update_resource_configuration(configuration.arn, port_ranges=["443"])

    assert backend.get_resource_gateway(gateway.arn).to_dict()["ipv4AddressesPerEni"] == 16
    assert backend.get_resource_configuration(configuration.id).to_dict()["status"] == "ACTIVE"
    backend.delete_resource_configuration(configuration.id)
    backend.delete_resource_gateway(gateway.id)
    assert backend.list_resource_gateways() == []


def test_tcp_udp_is_refused_for_a_single_resource_configuration(lattice, net):
    """botocore's vpc-lattice model, CreateResourceConfiguration.protocol: "TCP_UDP is
    supported only for CIDR resource configurations"."""
    gateway = _gateway(lattice, net)

    error = _error(_configuration, lattice, gateway["id"], protocol="TCP_UDP")

    assert error.response["Error"]["Code"] == "ValidationException"
    assert "TCP_UDP is supported only for CIDR resource configurations" in str(error)


def test_an_ip_resource_outside_the_gateways_vpc_is_refused_and_one_inside_is_kept(lattice, net):
    """An IP resource is an address the gateway reaches in its own VPC (VPC Lattice User
    Guide, resource gateways): 10.99.0.10 is outside 10.20.0.0/16; an update is checked too
    and changes nothing when refused."""
    gateway = _gateway(lattice, net)
    outside = {"ipResource": {"ipAddress": "10.99.0.10"}}
    inside = {"ipResource": {"ipAddress": "10.20.0.10"}}

    error = _error(_configuration, lattice, gateway["id"], resourceConfigurationDefinition=outside)
    made = _configuration(lattice, gateway["id"], resourceConfigurationDefinition=inside)
    update = _error(
        lattice.update_resource_configuration,
        resourceConfigurationIdentifier=made["id"],
        resourceConfigurationDefinition=outside,
    )

    assert "is not in the resource gateway's VPC" in str(error)
    assert "is not in the resource gateway's VPC" in str(update)
    kept = lattice.get_resource_configuration(resourceConfigurationIdentifier=made["id"])
    assert kept["resourceConfigurationDefinition"] == inside
