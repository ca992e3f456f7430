"""The sandbox server runs the private API's data plane in a process of its own.

These tests drive the real server (the ``sandbox`` fixture): what the child answers must be
what the server's own data plane answered, and a change to an API must be served by the very
next request, with no wait and no restart.
"""

from __future__ import annotations

import json
import os
import signal

from http_invoke_builders import allow_only_from, deploy_api, http_get
from lab_api_client import lab_api
from processes import gone as _gone
from processes import server_status as _status

import lab.sandbox
from lab.sandbox import access
from lab.sandbox.dataplane import process

VPCE = "vpce-0123456789abcdef0"


def _through_path(port: int, api, path: str = "/prod/hello", key: str | None = None):
    """GET as the sandbox's network path sends it (the proof is keyed by the server's token)."""
    token = access.read_token_file(lab.sandbox.token_path())  # the server's token
    headers = {
        "Host": api.host,
        "x-lab-source-vpce": VPCE,
        access.PATH_PROOF_HEADER: access.path_proof(VPCE, token),
        "x-api-key": key or api.api_key,
    }
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _server_port(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def test_the_data_plane_answers_from_its_own_process(clean_sandbox):
    where = lab_api(clean_sandbox, "status")["dataplane"]

    assert where["own_process"] is True
    assert where["pid"] != lab_api(clean_sandbox, "status")["pid"]
    assert where["port"] != _server_port(clean_sandbox)
    assert lab.sandbox.dataplane_address() == ("127.0.0.1", where["port"])


def test_a_change_to_the_api_is_served_by_the_next_request(clean_sandbox, sandbox_client):
    api = deploy_api(sandbox_client, policy=allow_only_from(VPCE))
    port = lab.sandbox.dataplane_address()[1]
    assert _through_path(port, api)[0] == 200
    apigw = sandbox_client("apigateway")
    key_id = next(
        k["id"]
        for k in apigw.get_api_keys(includeValues=True)["items"]
        if k["value"] == api.api_key
    )

    apigw.update_api_key(
        apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )
    refused = _through_path(port, api)
    apigw.put_integration_response(
        restApiId=api.id,
        resourceId=api.resource_id,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": '{"changed": true}'},
    )
    apigw.update_api_key(
        apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "true"}]
    )
    changed = _through_path(port, api)

    assert refused == (403, b'{"message":"Forbidden"}')
    assert changed == (200, b'{"changed": true}')


def test_a_reset_forgets_the_api_in_the_data_plane_too(clean_sandbox, sandbox_client):
    api = deploy_api(sandbox_client, policy=allow_only_from(VPCE))
    port = lab.sandbox.dataplane_address()[1]
    assert _through_path(port, api)[0] == 200

    lab_api(clean_sandbox, "reset", {})

    assert _through_path(port, api)[0] == 403
    assert [e["status"] for e in lab.sandbox.request_log()] == [403]


def test_the_servers_own_port_forwards_execute_api_hosts_to_the_data_plane(
    clean_sandbox, sandbox_client
):
    api = deploy_api(sandbox_client, policy=allow_only_from(VPCE))
    server_port = _server_port(clean_sandbox)

    forwarded = _through_path(server_port, api)
    outsider = http_get(
        server_port, api.host, "/prod/hello", {"x-api-key": api.api_key}, through_path=False
    )

    assert forwarded[0] == 200
    assert (outsider[0], json.loads(outsider[2])) == (403, {"message": "Forbidden"})
    assert [e["through_network_path"] for e in lab.sandbox.request_log()] == [True, False]


def test_the_data_plane_process_refuses_what_is_not_the_server(clean_sandbox):
    import http.client

    port = lab.sandbox.dataplane_address()[1]
    answers = []
    for headers in (
        {"Host": f"127.0.0.1:{port}"},  # no token
        {"Host": f"evil.example:{port}", **lab.sandbox.auth_headers()},  # rebinding
        {
            "Host": f"127.0.0.1:{port}",
            "Origin": "https://evil.example",
            **lab.sandbox.auth_headers(),
        },
    ):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/lab-internal/requests", headers=headers)
            response = connection.getresponse()
            answers.append((response.status, response.read()))
        finally:
            connection.close()

    assert answers == [(403, b'{"message": "Forbidden"}')] * 3


def test_the_data_plane_process_stops_with_the_server(own_server):
    proc, _, _, status = own_server()
    child = status["dataplane"]["pid"]

    proc.send_signal(signal.SIGTERM)
    proc.wait(15)

    assert _gone(child)


def test_the_data_plane_process_leaves_when_the_server_is_killed(own_server):
    proc, _, _, status = own_server()
    child = status["dataplane"]["pid"]

    proc.kill()
    proc.wait(15)

    assert _gone(child)


def test_the_switch_keeps_the_data_plane_in_the_servers_process(own_server):
    _, port, _, status = own_server(**{process.ENV_SWITCH: "0"})

    assert status["dataplane"] == {
        "host": "127.0.0.1",
        "port": port,
        "pid": status["pid"],
        "own_process": False,
    }


def test_a_dead_data_plane_process_is_replaced_on_the_same_port(own_server):
    proc, port, token, status = own_server()
    where = status["dataplane"]
    import http.client

    os.kill(where["pid"], signal.SIGKILL)
    # A request made now waits in the backlog until the new process takes the socket.
    connection = http.client.HTTPConnection("127.0.0.1", where["port"], timeout=30)
    try:
        connection.request(
            "GET",
            "/lab-internal/requests",
            headers={
                "Host": f"127.0.0.1:{where['port']}",
                "Authorization": access.authorization(token),
            },
        )
        response = connection.getresponse()
        answered = (response.status, json.loads(response.read()))
    finally:
        connection.close()
    after = _status(port, token)["dataplane"]

    assert answered == (200, [])  # a new process, with an empty log
    assert after["port"] == where["port"] and after["pid"] != where["pid"]
    assert _gone(where["pid"])
