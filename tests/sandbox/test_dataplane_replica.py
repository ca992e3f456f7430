"""The data plane answers the same from a replica of moto's state as from moto itself.

The data plane's own process (``lab.sandbox.dataplane.process``) reads the APIs from a
snapshot (``lab.sandbox.dataplane.config``); here both sources serve side by side in this
process, on two ports, and must answer every request alike.
"""

from __future__ import annotations

import json
import re

import pytest
from http_invoke_builders import allow_only_from, deploy_api, http_get

from lab.sandbox.dataplane import RequestLog, config
from lab.sandbox.dataplane.app import DataPlane

VPCE = "vpce-0123456789abcdef0"
OTHER_VPCE = "vpce-0fedcba9876543210"
#: What differs between any two answers by design: ids drawn per request, the clock.
_VOLATILE_HEADERS = {"x-amzn-requestid", "x-amz-apigw-id", "date"}
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture(scope="module")
def replica_server():
    """A second data plane, on its own port, reading a replica fetched from this process."""
    from lab.sandbox.dataplane import serve_in_thread

    generation = config.Generation()
    replica = config.ReplicaConfig(generation, lambda: config.snapshot(generation.value))
    server = serve_in_thread(DataPlane(RequestLog(), replica))
    yield server, generation, replica
    server.shutdown()
    server.server_close()


def _answer(port: int, host: str, path: str, headers: dict, through_path: bool = True):
    status, got, body = http_get(port, host, path, headers, through_path=through_path)
    kept = {k.lower(): v for k, v in got.items() if k.lower() not in _VOLATILE_HEADERS}
    text = re.sub(_UUID, "<id>", body.decode())
    text = re.sub(r"\d{13}", "<epoch-ms>", text)
    return status, kept, text


def _requests(api) -> list[tuple[str, str, dict, bool]]:
    """(host, path, headers, through the network path): the cases API Gateway tells apart."""
    good = {"x-lab-source-vpce": VPCE, "x-api-key": api.api_key}
    return [
        (api.host, "/prod/hello", good, True),
        (api.host, "/prod/hello", {**good, "x-api-key": "wrong"}, True),
        (api.host, "/prod/hello", {"x-lab-source-vpce": VPCE}, True),
        (api.host, "/prod/hello", {**good, "x-lab-source-vpce": OTHER_VPCE}, True),
        (api.host, "/prod/hello", {"x-api-key": api.api_key}, True),
        (api.host, "/prod/hello", good, False),
        (api.host, "/prod/nope", good, True),
        (api.host, "/beta/hello", good, True),
        (api.host, "/prod/hello?x=1", {**good, "User-Agent": "lab-test"}, True),
        (f"{api.id}-{VPCE}.execute-api.us-east-1.amazonaws.com", "/prod/hello", good, True),
        ("abcdef1234.execute-api.us-east-1.amazonaws.com", "/prod/hello", good, True),
        (api.host, "/prod/hello", {**good, "x-lab-source-vpce": "vpce-1111111111111111a"}, True),
    ]


def test_the_replica_answers_every_case_as_moto_does(aws, dataplane, replica_server):
    server, generation, _ = replica_server
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName="com.amazonaws.us-east-1.execute-api", VpcEndpointType="Interface"
    )["VpcEndpoint"]["VpcEndpointId"]
    policy = allow_only_from(endpoint)
    policy["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "execute-api:/*",
            "Condition": {"StringEquals": {"aws:SourceVpce": OTHER_VPCE}},
        }
    )
    api = deploy_api(
        aws,
        policy=policy,
        request_template='{"statusCode": 200}',
        integration_responses=[
            {
                "statusCode": "200",
                "responseTemplates": {
                    "application/json": '{"vpc": "$context.identity.vpcId", '
                    '"vpce": "$context.identity.vpceId", "key": "$context.identity.apiKeyId", '
                    '"path": "$context.resourcePath", "id": "$context.requestId"}'
                },
                "responseParameters": {"method.response.header.x-stage": "'fixed'"},
            }
        ],
    )
    generation.bump()  # what the server does around every call that changes an API
    cases = [
        (
            host,
            path,
            {**headers, "x-lab-source-vpce": endpoint}
            if headers.get("x-lab-source-vpce") == VPCE
            else headers,
            through,
        )
        for host, path, headers, through in _requests(api)
    ]

    live = [_answer(dataplane, *case) for case in cases]
    replicated = [_answer(server.server_port, *case) for case in cases]

    assert replicated == live
    statuses = [status for status, _, _ in live]
    assert statuses.count(200) == 3 and 403 in statuses  # the cases are not all alike
    assert json.loads(live[0][2])["vpc"] == vpc


def test_the_snapshot_is_the_live_view_and_survives_json(aws):
    api = deploy_api(aws, policy=allow_only_from(VPCE))

    snap = config.snapshot(7)
    again = config.from_json(json.loads(json.dumps(config.to_json(snap))))

    assert again == snap
    assert snap.generation == 7
    assert snap.apis[("us-east-1", api.id)] == config.LiveConfig().find_api(api.id, "us-east-1")
    view = snap.apis[("us-east-1", api.id)]
    assert sorted(r.path for r in view.resources.values()) == ["/", "/hello"]
    assert view.api_keys == {"prod": {api.api_key: view.api_keys["prod"][api.api_key]}}


def test_the_replica_fetches_again_only_when_the_generation_moved(aws, replica_server):
    server, generation, replica = replica_server
    api = deploy_api(aws, policy=allow_only_from(VPCE))
    generation.bump()
    headers = {"x-lab-source-vpce": VPCE, "x-api-key": api.api_key}
    assert http_get(server.server_port, api.host, "/prod/hello", headers)[0] == 200
    fetched = replica.fetches

    for _ in range(5):
        http_get(server.server_port, api.host, "/prod/hello", headers)
    disable = [{"op": "replace", "path": "/enabled", "value": "false"}]
    aws("apigateway").update_api_key(apiKey=_key_id(aws, api), patchOperations=disable)
    stale = http_get(server.server_port, api.host, "/prod/hello", headers)[0]
    generation.bump()
    fresh = http_get(server.server_port, api.host, "/prod/hello", headers)[0]

    assert replica.fetches == fetched + 1
    assert (stale, fresh) == (200, 403)  # the counter, and nothing else, makes it fetch


def _key_id(aws, api) -> str:
    keys = aws("apigateway").get_api_keys(includeValues=True)["items"]
    return next(k["id"] for k in keys if k["value"] == api.api_key)


def test_the_generation_is_shared_by_whoever_maps_its_file():
    writer = config.Generation()
    reader = config.Generation(writer.fd)

    before = reader.value
    writer.bump()
    writer.bump()

    assert reader.value == before + 2


def _signed(service: str) -> dict:
    return {
        "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential=AK/20261202/us-east-1/{service}/"
        "aws4_request, SignedHeaders=host, Signature=x"
    }


def _presigned(service: str) -> dict:
    return {
        "QUERY_STRING": f"X-Amz-Credential=AK%2F20261202%2Fus-east-1%2F{service}%2Faws4_request"
    }


@pytest.mark.parametrize(
    ("environ", "changes"),
    [
        (_signed("states"), False),
        (_signed("events"), False),
        (_signed("apigateway"), True),
        (_signed("ec2"), True),
        (_signed("cloudformation"), True),
        (_presigned("sqs"), False),
        (_presigned("apigateway"), True),
        ({}, True),  # nobody knows what it is: a new snapshot is the safe side
    ],
)
def test_which_calls_count_as_changing_the_config(environ, changes):
    assert config.changes_config(environ) is changes
