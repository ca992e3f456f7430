"""Aws-mode inspection asserts only what AWS promises (issue 27, items 10 and 15)."""

from __future__ import annotations

import socket

import pandas as pd
import pytest

from lab import inspect
from lab.config import LabConfig
from lab.errors import LabError


def test_a_gateway_with_two_enis_in_one_subnet_passes_the_eni_checks(monkeypatch):
    """VPC Lattice puts at least one ENI in each of the gateway's subnets and may add more
    as it scales (VPC Lattice User Guide, resource gateways): two in a subnet is healthy."""
    monkeypatch.setattr(inspect, "resource_gateway", lambda: pd.Series(
        {"subnetIds": ["subnet-a", "subnet-b"], "securityGroupIds": ["sg-1"]}))
    monkeypatch.setattr(inspect, "resource_gateway_enis", lambda: pd.DataFrame([
        {"subnet": "subnet-a", "az": "us-east-1a", "security_groups": "sg-1"},
        {"subnet": "subnet-a", "az": "us-east-1a", "security_groups": "sg-1"},
        {"subnet": "subnet-b", "az": "us-east-1b", "security_groups": "sg-1"},
    ]))

    checks = inspect.check_gateway_enis()

    assert checks["holds"].all(), checks


def test_a_gateway_missing_a_subnet_fails_the_eni_checks(monkeypatch):
    monkeypatch.setattr(inspect, "resource_gateway", lambda: pd.Series(
        {"subnetIds": ["subnet-a", "subnet-b"], "securityGroupIds": ["sg-1"]}))
    monkeypatch.setattr(inspect, "resource_gateway_enis", lambda: pd.DataFrame([
        {"subnet": "subnet-a", "az": "us-east-1a", "security_groups": "sg-1"}]))

    assert not inspect.check_gateway_enis()["holds"].iloc[0]


NAME = "vpce-0123456789abcdef0-abcdefgh.execute-api.us-east-1.vpce.amazonaws.com"


@pytest.fixture
def aws_endpoint(monkeypatch):
    cfg = LabConfig(mode="aws", region="us-east-1", stack_name="PrivateApiLab",
                    sandbox_port=5599)
    monkeypatch.setattr(inspect, "load_config", lambda: cfg)
    monkeypatch.setattr(inspect, "resource_configuration", lambda: {"dns domainName": NAME})
    monkeypatch.setattr(inspect, "_vpc_endpoint", lambda: {"NetworkInterfaceIds": []})


def test_a_resolver_that_drops_the_name_is_explained_not_raised(monkeypatch, aws_endpoint):
    """Resolvers with DNS-rebinding protection drop public names answering private
    addresses (the regional vpce name answers the endpoint's private IPs): 03 says so."""
    def refuse(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(inspect.socket, "getaddrinfo", refuse)

    resolved = inspect.resolve_dns_target()
    said = inspect.check_dns_target(resolved)

    assert resolved["address"].isna().all() and NAME in said
    assert "rebinding" in said and "Name or service not known" in said


def test_an_answer_that_is_not_the_endpoints_enis_is_refused(monkeypatch, aws_endpoint):
    monkeypatch.setattr(inspect.socket, "getaddrinfo", lambda *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("0.0.0.0", 443))])

    with pytest.raises(LabError, match="0.0.0.0"):
        inspect.check_dns_target(inspect.resolve_dns_target())
