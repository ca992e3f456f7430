"""The execute-api host names the server routes to the data plane (lab.sandbox.dataplane.hosts)."""

from __future__ import annotations

import pytest

from lab.sandbox.dataplane import hosts


@pytest.mark.parametrize(
    "host",
    [
        "abc123defg.execute-api.us-east-1.amazonaws.com",
        "abc123defg.execute-api.eu-west-1.amazonaws.com:8443",
        "abc123defg-vpce-0123456789abcdef0.execute-api.us-east-1.amazonaws.com",
        "vpce-0123456789abcdef0-abcd1234.execute-api.us-east-1.vpce.amazonaws.com",
    ],
)
def test_private_api_host_names_are_recognised(host):
    assert hosts.EXECUTE_API_HOST.match(host)


@pytest.mark.parametrize(
    "host", ["127.0.0.1:5599", "states.us-east-1.amazonaws.com", "execute-api.amazonaws.com"]
)
def test_other_hosts_are_not_the_data_plane(host):
    assert not hosts.EXECUTE_API_HOST.match(host)
