"""The modelled path connection -> resource configuration -> gateway -> endpoint -> API.

Every link is checked against the deployed resources, and a request that passes them
reaches the data plane over a real socket, tagged with the endpoint it came through.
"""

from __future__ import annotations

import json

import pytest
from http_invoke_builders import (
    HELLO_BODY,
    allow_https,
    build_private_path,
    create_state_machine,
    create_vpc_with_endpoint,
    http_task_definition,
    run_execution,
)

from lab.sandbox import network
from lab.sandbox.dataplane import request_log
from lab.sandbox.network.errors import HttpTaskError
from lab.sandbox.stepfunctions import connections


def _call(aws, path, **definition_options):
    definition = http_task_definition(path.api.url(), path.connection_arn, **definition_options)
    return run_execution(aws, create_state_machine(aws, definition))


def _route(path):
    runtime = connections.connection_runtime(path.connection_arn)
    return network.private_route(runtime)


def _broken_link(path) -> HttpTaskError:
    with pytest.raises(HttpTaskError) as raised:
        _route(path)
    return raised.value


def test_an_intact_path_carries_the_call_to_the_private_api(aws, dataplane):
    path = build_private_path(aws)

    described = _call(aws, path)

    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["ResponseBody"] == HELLO_BODY


def test_the_api_sees_the_endpoint_the_request_came_through(aws, dataplane):
    path = build_private_path(aws)

    _call(aws, path)

    assert request_log.entries()[-1]["source_vpce"] == path.vpc.endpoint_id


def test_a_task_cannot_forge_the_endpoint_the_request_came_through(aws, dataplane):
    path = build_private_path(aws)

    _call(aws, path, headers={"x-lab-source-vpce": "vpce-0000000000000000f"})

    assert request_log.entries()[-1]["source_vpce"] == path.vpc.endpoint_id


def test_the_route_names_every_link_it_checked(aws, dataplane):
    path = build_private_path(aws)

    route = _route(path)

    assert route.source_vpce == path.vpc.endpoint_id
    assert [hop.split(" ")[0] for hop in route.hops] == [
        "resource", "resource", "DNS", "egress", "ingress"
    ]  # fmt: skip
    assert path.vpc.endpoint_dns_name in route.hops[2]


def test_egress_to_the_endpoints_security_group_is_enough(aws, dataplane):
    path = build_private_path(aws, gateway_egress_cidr=None)
    allow_https(aws("ec2"), path.gateway_sg_id, ingress=False, group=path.vpc.endpoint_sg_id)

    assert _route(path).hops[3] == f"egress allowed to security group {path.vpc.endpoint_sg_id}"


def test_ingress_from_the_gateways_security_group_is_enough(aws, dataplane):
    path = build_private_path(aws, endpoint_ingress=False)
    allow_https(aws("ec2"), path.vpc.endpoint_sg_id, ingress=True, group=path.gateway_sg_id)

    assert _route(path).hops[4] == f"ingress allowed from security group {path.gateway_sg_id}"


def test_egress_that_does_not_cover_the_endpoint_breaks_the_path(aws, dataplane):
    path = build_private_path(aws, gateway_egress_cidr="192.168.0.0/16")

    broken = _broken_link(path)

    assert broken.error == "States.Http.Socket"
    assert "no egress rule" in broken.cause and path.gateway_sg_id in broken.cause


def test_ingress_that_does_not_cover_the_gateway_breaks_the_path(aws, dataplane):
    path = build_private_path(aws, endpoint_ingress=False)
    allow_https(aws("ec2"), path.vpc.endpoint_sg_id, ingress=True, cidr="10.0.200.0/24")

    broken = _broken_link(path)

    assert broken.error == "States.Http.Socket"
    assert "no ingress rule" in broken.cause and path.vpc.endpoint_sg_id in broken.cause


def test_ingress_on_another_port_breaks_the_path(aws, dataplane):
    path = build_private_path(aws, endpoint_ingress=False)
    aws("ec2").authorize_security_group_ingress(
        GroupId=path.vpc.endpoint_sg_id,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                        "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}],
    )  # fmt: skip

    assert "no ingress rule" in _broken_link(path).cause


def test_a_domain_name_that_is_no_endpoint_does_not_resolve(aws, dataplane):
    path = build_private_path(aws, domain_name="api.internal.example.com")

    broken = _broken_link(path)

    assert broken.error == "States.Http.Socket"
    assert broken.cause.startswith("DNS: api.internal.example.com")


def test_an_endpoint_in_another_vpc_is_out_of_the_gateways_reach(aws, dataplane):
    other = create_vpc_with_endpoint(aws, cidr="10.8.0.0/16")
    path = build_private_path(aws, domain_name=other.endpoint_dns_name)

    broken = _broken_link(path)

    assert broken.error == "States.Http.Socket"
    assert broken.cause.startswith("Routing:") and other.id in broken.cause


def test_a_configuration_without_port_443_refuses_the_connection(aws, dataplane):
    path = build_private_path(aws)
    aws("vpc-lattice").update_resource_configuration(
        resourceConfigurationIdentifier=path.configuration_arn, portRanges=["8443"]
    )

    broken = _broken_link(path)

    assert broken.error == "States.Http.Socket"
    assert "port 443" in broken.cause


# --------------------------------------------------------------------------- the route cache


@pytest.fixture
def generation():
    """A config generation, as the sandbox server passes it; none again afterwards."""
    from lab.sandbox.dataplane.config import Generation

    counter = Generation()
    network.use_config_generation(counter)
    yield counter
    network.use_config_generation(None)


def _counting_checks(monkeypatch) -> list[str]:
    from lab.sandbox.network import path as path_module

    checked = []
    real = path_module._route_from_gateway

    def counting(*args, **kwargs):
        checked.append("checked")
        return real(*args, **kwargs)

    monkeypatch.setattr(path_module, "_route_from_gateway", counting)
    return checked


def test_a_route_that_held_is_kept_while_the_generation_stands(
    aws, dataplane, generation, monkeypatch
):
    path = build_private_path(aws)
    checked = _counting_checks(monkeypatch)

    first, second = _route(path), _route(path)
    generation.bump()
    third = _route(path)

    assert first == second == third
    assert len(checked) == 2  # the second came from the cache; the bump checked it again


def test_without_a_generation_every_route_is_checked(aws, dataplane, monkeypatch):
    path = build_private_path(aws)
    checked = _counting_checks(monkeypatch)

    _route(path)
    _route(path)

    assert len(checked) == 2


def test_a_broken_path_is_never_kept_and_a_change_is_seen_after_its_bump(
    aws, dataplane, generation
):
    path = build_private_path(aws)
    assert _route(path).source_vpce == path.vpc.endpoint_id
    ec2 = aws("ec2")
    rules = ec2.describe_security_groups(GroupIds=[path.gateway_sg_id])["SecurityGroups"][0]
    ec2.revoke_security_group_egress(
        GroupId=path.gateway_sg_id, IpPermissions=rules["IpPermissionsEgress"]
    )

    still_kept = _route(path)  # no bump: what the server never lets happen
    generation.bump()  # the server bumps around the revoke
    broken = _broken_link(path)
    again = _broken_link(path)

    assert still_kept.source_vpce == path.vpc.endpoint_id
    assert "no egress rule" in broken.cause and "no egress rule" in again.cause
