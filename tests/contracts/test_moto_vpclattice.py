"""Contracts: the moto 5.2.5 VPC Lattice internals lab/sandbox/vpclattice patches.

Each test names the place in lab/sandbox/vpclattice that depends on it.
"""

from __future__ import annotations

import inspect

import botocore.session
import pytest


def test_the_backend_class_is_where_methods_are_added():
    """__init__.apply sets BACKEND_METHODS on VPCLatticeBackend (no subclass: see design)."""
    from moto.vpclattice.models import VPCLatticeBackend, vpclattice_backends

    backend = vpclattice_backends["123456789012"]["us-east-1"]

    assert type(backend) is VPCLatticeBackend
    assert isinstance(backend.service_network_resource_associations, dict)
    assert isinstance(backend.service_networks, dict)
    assert callable(backend.tag_resource) and hasattr(
        backend.tagger, "delete_all_tags_for_resource"
    )
    assert backend.partition == "aws"


def test_the_response_class_parses_parameters_from_the_botocore_model():
    """responses.py reads every parameter with self._get_param (automated parsing)."""
    from moto.vpclattice.responses import VPCLatticeResponse

    response = VPCLatticeResponse()

    assert response.automated_parameter_parsing is True
    assert isinstance(inspect.getattr_static(VPCLatticeResponse, "backend"), property)


def test_urls_are_a_module_level_dict_of_dispatch_handlers():
    """__init__.apply updates moto.vpclattice.urls.url_paths in place."""
    from moto.vpclattice import urls

    assert isinstance(urls.url_paths, dict)
    assert "{0}/servicenetworks$" in urls.url_paths
    assert urls.url_bases == [r"https?://vpc-lattice\.(.+)\.amazonaws\.com"]


def test_moto_still_lacks_resource_gateways_and_configurations():
    """If moto grows its own, drop ours (models.py, responses.py, urls.py) and use them."""
    import moto.vpclattice.models
    import moto.vpclattice.urls

    models_source = inspect.getsource(moto.vpclattice.models)
    urls_source = inspect.getsource(moto.vpclattice.urls)

    assert "resourcegateway" not in urls_source.lower()
    assert "def create_resource_gateway" not in models_source
    assert "def create_resource_configuration" not in models_source


def test_service_network_init_takes_region_and_account_first():
    """models.seeded_service_network_ids wraps __init__(self, region, account_id, ...)."""
    from lab.sandbox import seams

    init = seams.original("moto.vpclattice.models:VPCLatticeServiceNetwork.__init__")

    assert list(inspect.signature(init).parameters)[:3] == ["self", "region", "account_id"]
    source = inspect.getsource(init)
    assert "self.id" in source and "self.arn" in source


def test_moto_create_service_network_signature():
    """events/private_connectivity.eventbridge_service_network calls it by keyword."""
    from moto.vpclattice.models import VPCLatticeBackend

    parameters = inspect.signature(VPCLatticeBackend.create_service_network).parameters

    assert {"auth_type", "client_token", "name", "sharing_config", "tags"} <= set(parameters)


@pytest.mark.parametrize(
    ("operation", "method", "uri"),
    [
        ("CreateResourceGateway", "POST", "/resourcegateways"),
        ("GetResourceGateway", "GET", "/resourcegateways/{resourceGatewayIdentifier}"),
        ("ListResourceGateways", "GET", "/resourcegateways"),
        ("UpdateResourceGateway", "PATCH", "/resourcegateways/{resourceGatewayIdentifier}"),
        ("DeleteResourceGateway", "DELETE", "/resourcegateways/{resourceGatewayIdentifier}"),
        ("CreateResourceConfiguration", "POST", "/resourceconfigurations"),
        (
            "GetResourceConfiguration",
            "GET",
            "/resourceconfigurations/{resourceConfigurationIdentifier}",
        ),
        (
            "DeleteServiceNetworkResourceAssociation",
            "DELETE",
            "/servicenetworkresourceassociations/{serviceNetworkResourceAssociationIdentifier}",
        ),
    ],
)
def test_botocore_routes_match_the_url_table(operation, method, uri):
    """urls.py and responses.py follow botocore's vpc-lattice model (moto routes by it)."""
    model = botocore.session.get_session().get_service_model("vpc-lattice")

    http = model.operation_model(operation).http

    assert (http["method"], http["requestUri"]) == (method, uri)


def test_an_arn_identifier_reaches_the_handler(moto_inprocess):
    """Identifiers may be ARNs: the '.+' url pattern and moto's router must pass them whole."""
    ec2 = moto_inprocess("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    lattice = moto_inprocess("vpc-lattice")
    gateway = lattice.create_resource_gateway(name="gw-arn", vpcIdentifier=vpc, subnetIds=[subnet])

    assert (
        lattice.get_resource_gateway(resourceGatewayIdentifier=gateway["arn"])["id"]
        == (gateway["id"])
    )
