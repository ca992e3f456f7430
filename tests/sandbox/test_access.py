"""Only the sandbox's user can drive it: real requests to the real sandbox process.

What a hostile web page in the learner's browser (or another client on the machine) could
try: another Host (DNS rebinding), cross-site requests and CORS reads, the control API
without the token or with a simple-request content type, and a request straight to the
private API's data plane that claims to come through the VPC endpoint.
"""

from __future__ import annotations

import http.client
import json
import os
import stat

import pytest
from http_invoke_builders import (
    build_private_path,
    create_state_machine,
    http_task_definition,
    run_execution,
)
from lab_api_client import lab_api

import lab.sandbox
from lab.sandbox import access

pytestmark = pytest.mark.sandbox

# A SigV4-shaped header (moto does not check signatures; AWS clients always send one).
SIGNED = (
    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000"
)


def _port(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def _send(endpoint: str, method: str, path: str, headers: dict, body: bytes | None = None):
    """One raw request (http.client sets no Host of its own here): (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", _port(endpoint), timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _host(endpoint: str) -> str:
    return f"127.0.0.1:{_port(endpoint)}"


def _token_headers(endpoint: str) -> dict:
    return lab.sandbox.auth_headers(_port(endpoint))


def _describe_vpcs(endpoint: str, **extra) -> tuple[int, dict, bytes]:
    body = b"Action=DescribeVpcs&Version=2016-11-15"
    headers = {
        "Host": _host(endpoint),
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": SIGNED.format(service="ec2"),
        **extra,
    }
    return _send(endpoint, "POST", "/", headers, body)


# --------------------------------------------------------------------------- Host


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]"])
def test_loopback_names_with_the_sandboxs_port_are_answered(sandbox, name):
    host = f"{name}:{_port(sandbox)}"

    status, _, body = _send(
        sandbox, "GET", "/lab-api/status", {"Host": host, **_token_headers(sandbox)}
    )

    assert status == 200
    assert json.loads(body)["service"] == "private-api-lab-sandbox"


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example",  # DNS rebinding: the page's own name now resolves to 127.0.0.1
        "attacker.example:{port}",
        "127.0.0.1",  # no port: the sandbox's port is part of its origin
        "127.0.0.1:1",
        "localhost.attacker.example:{port}",
        "",
    ],
)
def test_other_hosts_are_refused_even_with_the_token(sandbox, host):
    host = host.format(port=_port(sandbox))
    headers = {"Host": host, **_token_headers(sandbox)} if host else _token_headers(sandbox)

    status, headers_back, body = _send(sandbox, "GET", "/lab-api/status", headers)
    moto_status, _, _ = _describe_vpcs(sandbox, Host=host) if host else (403, {}, b"")

    assert (status, moto_status) == (403, 403)
    assert "127.0.0.1" in json.loads(body)["message"]
    assert b'private-api-lab-sandbox"' not in body  # not the status document


# --------------------------------------------------------------------------- cross-site


def test_a_signed_aws_call_is_answered_without_cors_headers(sandbox):
    status, headers, _ = _describe_vpcs(sandbox)

    assert status == 200
    assert not [name for name in headers if name.startswith("access-control-")]


def test_a_web_pages_request_for_the_connections_secret_is_refused(clean_sandbox, sandbox_client):
    secret = sandbox_client("secretsmanager").create_secret(Name="conn", SecretString="s3cr3t")
    body = json.dumps({"SecretId": secret["ARN"]}).encode()
    page = {
        "Host": _host(clean_sandbox),
        "Origin": "https://attacker.example",
        "Content-Type": "text/plain",  # a simple request: no preflight
        "X-Amz-Target": "secretsmanager.GetSecretValue",
        "Authorization": SIGNED.format(service="secretsmanager"),
    }

    status, headers, answer = _send(clean_sandbox, "POST", "/", page, body)
    without_origin = {k: v for k, v in page.items() if k != "Origin"}
    fetch_metadata = {**without_origin, "Sec-Fetch-Site": "cross-site"}
    status_sec_fetch, _, answer_sec_fetch = _send(clean_sandbox, "POST", "/", fetch_metadata, body)

    assert (status, status_sec_fetch) == (403, 403)
    assert b"s3cr3t" not in answer + answer_sec_fetch
    assert "access-control-allow-origin" not in headers


def test_a_cors_preflight_is_refused_and_grants_nothing(sandbox):
    preflight = {
        "Host": _host(sandbox),
        "Origin": "https://attacker.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-amz-target,content-type",
    }

    status, headers, _ = _send(sandbox, "OPTIONS", "/", preflight)

    assert status == 403
    assert not [name for name in headers if name.startswith("access-control-")]


def test_an_unsigned_aws_call_is_refused_as_aws_refuses_it(sandbox):
    # A form POST a page could send with no preflight (and no Origin, from an old browser).
    headers = {"Host": _host(sandbox), "Content-Type": "application/x-www-form-urlencoded"}

    status, headers_back, body = _send(
        sandbox, "POST", "/", headers, b"Action=DescribeStacks&Version=2010-05-15"
    )

    assert status == 403
    assert headers_back["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert json.loads(body) == {"message": "Missing Authentication Token"}


# --------------------------------------------------------------------------- the control API


def test_the_token_file_is_readable_by_its_user_only(sandbox):
    path = lab.sandbox.token_path(_port(sandbox))

    mode = stat.S_IMODE(os.stat(path).st_mode)

    assert mode == 0o600
    assert len(access.read_token_file(path)) == 48


@pytest.mark.parametrize("authorization", [None, "token wrong", "Bearer {token}", "{token}"])
def test_the_control_api_needs_the_token(sandbox, authorization):
    token = access.read_token_file(lab.sandbox.token_path(_port(sandbox)))
    headers = {"Host": _host(sandbox)}
    if authorization:
        headers["Authorization"] = authorization.format(token=token)

    status, headers_back, body = _send(sandbox, "GET", "/lab-api/status", headers)

    assert status == 403
    assert "token" in json.loads(body)["message"]
    assert headers_back["x-lab-service"] == "private-api-lab-sandbox"


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_state_changing_control_calls_take_json_only(clean_sandbox, content_type):
    headers = {"Host": _host(clean_sandbox), **_token_headers(clean_sandbox)}
    if content_type:
        headers["Content-Type"] = content_type

    status, _, body = _send(
        clean_sandbox, "POST", "/lab-api/config", headers, b'{"connection_warmup_seconds": 77}'
    )

    assert status == 415
    assert "application/json" in json.loads(body)["message"]
    assert lab_api(clean_sandbox, "config")["connection_warmup_seconds"] == 2


def test_json_with_the_token_changes_settings(clean_sandbox):
    headers = {
        "Host": _host(clean_sandbox),
        "Content-Type": "application/json; charset=utf-8",
        **_token_headers(clean_sandbox),
    }

    status, _, body = _send(
        clean_sandbox, "POST", "/lab-api/config", headers, b'{"connection_warmup_seconds": 1}'
    )

    assert (status, json.loads(body)["connection_warmup_seconds"]) == (200, 1)


def test_motos_own_api_needs_the_token_too(clean_sandbox, sandbox_client):
    vpc_id = sandbox_client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]

    status, _, _ = _send(clean_sandbox, "POST", "/moto-api/reset", {"Host": _host(clean_sandbox)})

    assert status == 403
    vpcs = sandbox_client("ec2").describe_vpcs()["Vpcs"]
    assert vpc_id in [v["VpcId"] for v in vpcs]


# --------------------------------------------------------------------------- the network path


@pytest.fixture
def private_path(clean_sandbox, sandbox_client):
    lab_api(clean_sandbox, "config", {"connection_warmup_seconds": 0})
    return build_private_path(sandbox_client)


def test_the_http_task_reaches_the_private_api_along_the_network_path(private_path, sandbox_client):
    machine = create_state_machine(
        sandbox_client, http_task_definition(private_path.api.url(), private_path.connection_arn)
    )

    described = run_execution(sandbox_client, machine)

    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert json.loads(described["output"])["StatusCode"] == 200


def test_a_direct_request_claiming_the_endpoint_is_refused_as_from_outside_the_vpc(
    clean_sandbox, private_path
):
    claims = {
        "Host": private_path.api.host,
        "x-lab-source-vpce": private_path.vpc.endpoint_id,
        "x-api-key": private_path.api.api_key,
    }
    forged = {**claims, access.PATH_PROOF_HEADER: "0" * 64}
    other_token = {
        **claims,
        access.PATH_PROOF_HEADER: access.path_proof(private_path.vpc.endpoint_id, "x" * 48),
    }

    answers = [_send(clean_sandbox, "GET", "/prod/hello", h) for h in (claims, forged, other_token)]

    assert [(s, json.loads(b)) for s, _, b in answers] == [(403, {"message": "Forbidden"})] * 3
    assert {h["x-amzn-errortype"] for _, h, _ in answers} == {"ForbiddenException"}
    logged = lab.sandbox.request_log()[-3:]
    assert [(e["source_vpce"], e["through_network_path"]) for e in logged] == [(None, False)] * 3


def test_the_lab_holding_the_token_can_stand_in_for_the_path(clean_sandbox, private_path):
    # lab.bench's floor: the user's own measurement of the bare data plane.
    headers = {
        "Host": private_path.api.host,
        "x-api-key": private_path.api.api_key,
        **lab.sandbox.network_path_headers(private_path.vpc.endpoint_id, _port(clean_sandbox)),
    }

    status, _, _ = _send(clean_sandbox, "GET", "/prod/hello", headers)

    assert status == 200
    assert access.PATH_PROOF_HEADER not in {
        k.lower() for k in lab.sandbox.request_log()[-1]["headers"]
    }
