"""Contracts: the moto 5.2.5 EC2 internals lab/sandbox/ec2 wraps and reads."""

from __future__ import annotations

import inspect


def _original(function):
    return getattr(function, "__wrapped__", function)


def test_create_vpc_endpoint_parameters_are_the_ones_we_bind():
    """ec2/models._CREATE_POSITIONAL mirrors VPCBackend.create_vpc_endpoint's parameters."""
    from moto.ec2.models.vpcs import VPCBackend

    from lab.sandbox.ec2.models import _CREATE_POSITIONAL

    parameters = list(inspect.signature(_original(VPCBackend.create_vpc_endpoint)).parameters)

    assert parameters[:4] == ["self", "vpc_id", "service_name", "endpoint_type"]
    assert tuple(parameters[4:]) == _CREATE_POSITIONAL


def test_modify_and_delete_vpc_endpoint_signatures():
    """ec2/models.wrap_modify / wrap_delete pass these through."""
    from moto.ec2.models.vpcs import VPCBackend

    modify = list(inspect.signature(_original(VPCBackend.modify_vpc_endpoint)).parameters)
    delete = list(inspect.signature(_original(VPCBackend.delete_vpc_endpoints)).parameters)

    assert modify[:5] == ["self", "vpc_id", "policy_doc", "add_subnets", "remove_subnets"]
    assert delete == ["self", "vpce_ids"]


def test_moto_still_gives_interface_endpoints_random_enis_and_one_dns_entry():
    """The gap ec2/models.wrap_create fills; if moto fixes it, reconsider the wrapper."""
    from moto.ec2.models.vpcs import VPCBackend

    source = inspect.getsource(_original(VPCBackend.create_vpc_endpoint))

    assert "random_private_ip()" in source
    assert "create_dns_entries(service_name, vpc_endpoint_id)" in source


def test_endpoint_model_attributes_we_set_and_read():
    """ec2/models (wrap_create, endpoint_dns_entries) use these VPCEndPoint attributes."""
    from moto.ec2.models.vpcs import VPCEndPoint

    source = inspect.getsource(VPCEndPoint.__init__)
    for attribute in (
        "self.id",
        "self.service_name",
        "self.subnet_ids",
        "self.network_interface_ids",
        "self.security_group_ids",
        "self.private_dns_enabled",
        "self.dns_entries",
        "self.state",
    ):
        assert attribute in source, attribute


def test_vpc_endpoint_leaves_the_extension_name_free():
    """ec2.models.EndpointExtension lives at endpoint.lab: moto's VPCEndPoint must not use it."""
    from moto.ec2.models.vpcs import VPCEndPoint

    assert "lab" not in vars(VPCEndPoint)
    assert "self.lab" not in inspect.getsource(VPCEndPoint)


def test_network_interface_attributes_we_set():
    """models.create_service_managed_eni sets these; moto serializes them."""
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface

    source = inspect.getsource(NetworkInterface.__init__)
    for attribute in (
        "self.requester_managed",
        "self.requester_id",
        "self.interface_type",
        "self._group_set",
        "self.private_ip_addresses",
        "self.status",
    ):
        assert attribute in source, attribute


def test_eni_filters_go_through_get_filter_value():
    """ec2/models.wrap_eni_filter adds requester-managed and interface-type."""
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface

    parameters = list(inspect.signature(_original(NetworkInterface.get_filter_value)).parameters)

    assert parameters == ["self", "filter_name", "method_name"]


def test_subnet_address_allocator():
    """models.allocate_private_ips uses the subnet's own allocator (as instances do)."""
    from moto.ec2.models.subnets import Subnet

    assert list(inspect.signature(Subnet.get_available_subnet_ip).parameters) == [
        "self",
        "instance",
    ]
    assert list(inspect.signature(Subnet.del_subnet_ip).parameters) == ["self", "ip"]
    assert "self._subnet_ips" in inspect.getsource(Subnet.__init__)


def test_backend_pieces_we_call(moto_inprocess):
    """create_network_interface, enis, vpc_end_points, get_default_security_group, subnets."""
    from moto.ec2.models import ec2_backends

    moto_inprocess("ec2").describe_vpcs()
    backend = ec2_backends["123456789012"]["us-east-1"]
    parameters = inspect.signature(backend.create_network_interface).parameters

    assert {"subnet", "private_ip_address", "private_ip_addresses", "group_ids", "description"} <= (
        set(parameters)
    )
    assert isinstance(backend.enis, dict) and isinstance(backend.vpc_end_points, dict)
    default_vpc = next(v for v in backend.vpcs.values() if v.is_default)
    assert backend.get_default_security_group(default_vpc.id).name == "default"
