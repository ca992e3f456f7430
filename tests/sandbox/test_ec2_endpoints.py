"""Interface VPC endpoints as AWS shows them: DNS entries, ENIs in the subnets, in the SGs."""

from __future__ import annotations

import ipaddress
import itertools
import re

import pytest
from lab_api_client import lab_api
from shape_check import checked

pytestmark = pytest.mark.sandbox

ACCOUNT = "123456789012"
REGION = "us-east-1"
SERVICE = f"com.amazonaws.{REGION}.execute-api"
_cidrs = itertools.count(50)


@pytest.fixture(scope="module")
def fresh(sandbox):
    lab_api(sandbox, "reset", {})
    return sandbox


@pytest.fixture
def ec2(fresh, sandbox_client):
    return checked(sandbox_client("ec2"))


@pytest.fixture
def net(ec2):
    """A new VPC with subnets in us-east-1a and us-east-1b and an endpoint security group."""
    second = next(_cidrs)
    vpc = ec2.create_vpc(CidrBlock=f"10.{second}.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{second}.{i}.0/24", AvailabilityZone=az)[
            "Subnet"
        ]
        for i, az in enumerate(("us-east-1a", "us-east-1b"))
    ]
    group = ec2.create_security_group(VpcId=vpc, GroupName="vpce", Description="endpoint")
    return {
        "vpc": vpc,
        "subnets": [s["SubnetId"] for s in subnets],
        "cidrs": {s["SubnetId"]: s["CidrBlock"] for s in subnets},
        "sg": group["GroupId"],
    }


def _endpoint(ec2, net, **extra):
    params = {
        "VpcId": net["vpc"],
        "ServiceName": SERVICE,
        "VpcEndpointType": "Interface",
        "SubnetIds": net["subnets"],
        "SecurityGroupIds": [net["sg"]],
        "PrivateDnsEnabled": True,
    }
    params.update(extra)
    return ec2.create_vpc_endpoint(**params)["VpcEndpoint"]


def _enis(ec2, endpoint):
    return ec2.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])[
        "NetworkInterfaces"
    ]


# --------------------------------------------------------------------------- DNS entries


def test_the_first_dns_entry_is_the_regional_vpce_name(ec2, net):
    endpoint = _endpoint(ec2, net)

    first = endpoint["DnsEntries"][0]

    pattern = (
        rf"{endpoint['VpcEndpointId']}-[a-z0-9]{{8}}\.execute-api\.{REGION}\.vpce\.amazonaws\.com"
    )
    assert re.fullmatch(pattern, first["DnsName"])
    assert first["HostedZoneId"] == "Z7HUB22UULQXV"


def test_then_one_entry_per_availability_zone(ec2, net):
    endpoint = _endpoint(ec2, net)
    regional = endpoint["DnsEntries"][0]["DnsName"]
    label, rest = regional.split(".", 1)

    zonal = [e["DnsName"] for e in endpoint["DnsEntries"][1:3]]

    assert zonal == [f"{label}-us-east-1a.{rest}", f"{label}-us-east-1b.{rest}"]


def test_then_the_private_dns_names_in_a_private_hosted_zone(ec2, net):
    endpoint = _endpoint(ec2, net)

    private = endpoint["DnsEntries"][3:]

    assert [e["DnsName"] for e in private] == [
        f"execute-api.{REGION}.amazonaws.com",
        f"*.execute-api.{REGION}.amazonaws.com",
    ]
    assert len({e["HostedZoneId"] for e in private}) == 1
    assert private[0]["HostedZoneId"] != "Z7HUB22UULQXV"


def test_without_private_dns_there_are_only_vpce_names(ec2, net):
    endpoint = _endpoint(ec2, net, PrivateDnsEnabled=False)

    names = [e["DnsName"] for e in endpoint["DnsEntries"]]

    assert len(names) == 3
    assert all(n.endswith(".vpce.amazonaws.com") for n in names)


def test_describe_returns_the_same_entries(ec2, net):
    endpoint = _endpoint(ec2, net)

    described = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])

    assert described["VpcEndpoints"][0]["DnsEntries"] == endpoint["DnsEntries"]


# --------------------------------------------------------------------------- ENIs


def test_one_eni_per_subnet_listed_in_network_interface_ids(ec2, net):
    endpoint = _endpoint(ec2, net)

    enis = _enis(ec2, endpoint)

    assert sorted(e["SubnetId"] for e in enis) == sorted(net["subnets"])


def test_endpoint_enis_have_addresses_from_their_subnet(ec2, net):
    enis = _enis(ec2, _endpoint(ec2, net))

    for eni in enis:
        subnet = ipaddress.ip_network(net["cidrs"][eni["SubnetId"]])
        assert ipaddress.ip_address(eni["PrivateIpAddress"]) in subnet


def test_endpoint_enis_are_in_the_endpoint_security_groups(ec2, net):
    enis = _enis(ec2, _endpoint(ec2, net))

    assert all([g["GroupId"] for g in e["Groups"]] == [net["sg"]] for e in enis)


def test_endpoint_enis_are_requester_managed_and_described_like_aws(ec2, net):
    endpoint = _endpoint(ec2, net)

    enis = _enis(ec2, endpoint)

    assert all(e["RequesterManaged"] for e in enis)
    assert {e["InterfaceType"] for e in enis} == {"vpc_endpoint"}
    assert {e["Description"] for e in enis} == {
        f"VPC Endpoint Interface {endpoint['VpcEndpointId']}"
    }


def test_without_security_groups_the_vpc_default_group_is_used(ec2, net):
    default = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [net["vpc"]]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"][0]["GroupId"]

    endpoint = ec2.create_vpc_endpoint(
        VpcId=net["vpc"],
        ServiceName=SERVICE,
        VpcEndpointType="Interface",
        SubnetIds=net["subnets"][:1],
    )["VpcEndpoint"]

    assert [g["GroupId"] for g in endpoint["Groups"]] == [default]
    assert [g["GroupId"] for g in _enis(ec2, endpoint)[0]["Groups"]] == [default]


def test_the_requester_managed_filter_finds_endpoint_enis(ec2, net):
    endpoint = _endpoint(ec2, net)

    found = ec2.describe_network_interfaces(
        Filters=[
            {"Name": "vpc-id", "Values": [net["vpc"]]},
            {"Name": "requester-managed", "Values": ["true"]},
        ]
    )["NetworkInterfaces"]

    assert sorted(e["NetworkInterfaceId"] for e in found) == sorted(endpoint["NetworkInterfaceIds"])


def test_deleting_the_endpoint_deletes_its_enis(ec2, net):
    endpoint = _endpoint(ec2, net)

    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])

    left = ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [net["sg"]]}])
    assert left["NetworkInterfaces"] == []


def test_adding_a_subnet_adds_an_eni_and_a_zonal_name(ec2, net):
    endpoint = _endpoint(ec2, net, SubnetIds=net["subnets"][:1])

    ec2.modify_vpc_endpoint(
        VpcEndpointId=endpoint["VpcEndpointId"], AddSubnetIds=net["subnets"][1:]
    )

    after = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])["VpcEndpoints"][
        0
    ]
    assert len(after["NetworkInterfaceIds"]) == 2
    assert any("-us-east-1b." in e["DnsName"] for e in after["DnsEntries"])


def test_changing_security_groups_moves_the_enis(ec2, net):
    endpoint = _endpoint(ec2, net)
    other = ec2.create_security_group(VpcId=net["vpc"], GroupName="other", Description="o")

    ec2.modify_vpc_endpoint(
        VpcEndpointId=endpoint["VpcEndpointId"],
        AddSecurityGroupIds=[other["GroupId"]],
        RemoveSecurityGroupIds=[net["sg"]],
    )

    groups = {g["GroupId"] for e in _enis(ec2, endpoint) for g in e["Groups"]}
    assert groups == {other["GroupId"]}


def test_gateway_endpoints_are_left_to_moto(ec2, net):
    table = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]

    endpoint = ec2.create_vpc_endpoint(
        VpcId=net["vpc"],
        ServiceName=f"com.amazonaws.{REGION}.s3",
        VpcEndpointType="Gateway",
        RouteTableIds=[table],
    )["VpcEndpoint"]

    assert endpoint["VpcEndpointType"] == "Gateway"
    assert endpoint.get("NetworkInterfaceIds", []) == []


# --------------------------------------------------------------------------- data plane lookup


@pytest.fixture
def inprocess_endpoint(moto_inprocess):
    client = moto_inprocess("ec2")
    vpc = client.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = client.create_subnet(
        VpcId=vpc, CidrBlock="10.9.0.0/24", AvailabilityZone="us-east-1a"
    )["Subnet"]["SubnetId"]
    endpoint = client.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName=SERVICE,
        VpcEndpointType="Interface",
        SubnetIds=[subnet],
        PrivateDnsEnabled=True,
    )["VpcEndpoint"]
    return client, endpoint


@pytest.mark.parametrize("entry", [0, 1, 2])
def test_endpoint_for_dns_name_finds_the_endpoint_by_its_names(inprocess_endpoint, entry):
    from lab.sandbox.ec2 import endpoint_for_dns_name

    _, endpoint = inprocess_endpoint
    name = endpoint["DnsEntries"][entry]["DnsName"]

    found = endpoint_for_dns_name(ACCOUNT, REGION, name)

    assert found.id == endpoint["VpcEndpointId"]


def test_endpoint_for_dns_name_matches_private_api_hosts_through_the_wildcard(inprocess_endpoint):
    from lab.sandbox.ec2 import endpoint_for_dns_name

    _, endpoint = inprocess_endpoint

    found = endpoint_for_dns_name(ACCOUNT, REGION, "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com")

    assert found.id == endpoint["VpcEndpointId"]


def test_endpoint_for_dns_name_is_none_for_an_unknown_name(inprocess_endpoint):
    from lab.sandbox.ec2 import endpoint_for_dns_name

    assert endpoint_for_dns_name(ACCOUNT, REGION, "example.com") is None


def test_endpoint_for_dns_name_ignores_deleted_endpoints(inprocess_endpoint):
    from lab.sandbox.ec2 import endpoint_for_dns_name

    client, endpoint = inprocess_endpoint
    client.delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])

    assert endpoint_for_dns_name(ACCOUNT, REGION, endpoint["DnsEntries"][0]["DnsName"]) is None
