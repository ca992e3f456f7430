"""The private API's data plane answers as API Gateway does, over a real loopback socket."""

from __future__ import annotations

import json

from http_invoke_builders import (
    HELLO_BODY,
    allow_only_from,
    deploy_api,
    http_get,
)

from lab.sandbox.dataplane import RequestLog, request_log

VPCE = "vpce-0123456789abcdef0"
OTHER_VPCE = "vpce-0fedcba9876543210"


def _call(port, api, path="/prod/hello", vpce=VPCE, key="valid", **headers):
    sent = dict(headers)
    if vpce:
        sent["x-lab-source-vpce"] = vpce
    if key == "valid":
        sent["x-api-key"] = api.api_key
    elif key:
        sent["x-api-key"] = key
    return http_get(port, api.host, path, sent)


def test_a_private_api_answers_its_mock_response_through_the_allowed_endpoint(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))

    status, headers, body = _call(dataplane, api)

    assert (status, json.loads(body)) == (200, HELLO_BODY)
    assert headers["Content-Type"] == "application/json"


def test_every_response_carries_a_request_id(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))

    _, headers, _ = _call(dataplane, api)

    assert len(headers["x-amzn-RequestId"]) == 36


def test_a_host_with_a_port_is_routed_like_the_bare_host(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))

    status, _, _ = http_get(
        dataplane,
        f"{api.host}:443",
        "/prod/hello",
        {"x-lab-source-vpce": VPCE, "x-api-key": api.api_key},
    )

    assert status == 200


def test_the_endpoints_own_name_routes_by_the_api_id_header(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))
    endpoint_host = f"{VPCE}-ab12cd34.execute-api.us-east-1.vpce.amazonaws.com"

    status, _, _ = http_get(
        dataplane,
        endpoint_host,
        "/prod/hello",
        {"x-apigw-api-id": api.id, "x-lab-source-vpce": VPCE, "x-api-key": api.api_key},
    )

    assert status == 200
    assert http_get(dataplane, endpoint_host, "/prod/hello")[0] == 403


def test_an_unknown_api_is_forbidden(aws, dataplane):
    status, headers, body = http_get(
        dataplane, "abcdef1234.execute-api.us-east-1.amazonaws.com", "/prod/hello"
    )

    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})
    assert headers["x-amzn-ErrorType"] == "ForbiddenException"


def test_an_unknown_stage_is_forbidden(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))

    status, _, body = _call(dataplane, api, path="/dev/hello")

    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})


def test_an_unknown_path_asks_for_an_authentication_token(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))

    status, _, body = _call(dataplane, api, path="/prod/nothing-here")

    assert (status, json.loads(body)) == (403, {"message": "Missing Authentication Token"})


def test_a_private_api_is_unreachable_without_a_vpc_endpoint(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))

    status, _, body = _call(dataplane, api, vpce=None)

    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})


def test_the_resource_policy_refuses_another_endpoint_with_api_gateways_message(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))

    status, headers, body = _call(dataplane, api, vpce=OTHER_VPCE)

    assert status == 403
    assert json.loads(body) == {
        "Message": "User: anonymous is not authorized to perform: execute-api:Invoke on "
        f"resource: arn:aws:execute-api:us-east-1:********9012:{api.id}/prod/GET/hello"
    }
    assert headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_an_explicit_deny_says_so(aws, dataplane):
    policy = {
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
             "Resource": "execute-api:/*"},
            {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
             "Resource": "execute-api:/*",
             "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}}},
        ]
    }  # fmt: skip
    api = deploy_api(aws, policy=policy)

    status, _, body = _call(dataplane, api, vpce=OTHER_VPCE)

    assert status == 403
    assert json.loads(body)["Message"].endswith(" with an explicit deny")


def test_a_source_vpc_condition_uses_the_endpoints_vpc(aws, dataplane):
    ec2 = aws("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    vpce = ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        ServiceName="com.amazonaws.us-east-1.execute-api",
        VpcEndpointType="Interface",
        SubnetIds=[subnet],
    )["VpcEndpoint"]["VpcEndpointId"]
    policy = {
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
             "Resource": "execute-api:/*", "Condition": {"StringEquals": {"aws:SourceVpc": vpc_id}}}
        ]
    }  # fmt: skip
    api = deploy_api(aws, policy=policy)

    assert _call(dataplane, api, vpce=vpce)[0] == 200
    assert _call(dataplane, api, vpce=OTHER_VPCE)[0] == 403


def test_a_missing_api_key_is_forbidden(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))

    status, _, body = _call(dataplane, api, key=None)

    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})


def test_a_wrong_api_key_is_forbidden(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))

    status, _, body = _call(dataplane, api, key="not-the-key-at-all-0000")

    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})


def test_a_disabled_api_key_is_forbidden(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))
    apigw = aws("apigateway")
    key_id = apigw.get_api_keys()["items"][0]["id"]
    apigw.update_api_key(
        apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )

    assert _call(dataplane, api)[0] == 403


def test_a_key_of_a_usage_plan_for_another_stage_is_forbidden(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE), api_key_required=True)
    apigw = aws("apigateway")
    other_key = apigw.create_api_key(name="other", enabled=True)
    plan = apigw.create_usage_plan(name="other", apiStages=[{"apiId": api.id, "stage": "dev"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=other_key["id"], keyType="API_KEY")

    assert _call(dataplane, api, key=other_key["value"])[0] == 403


def test_a_method_without_api_key_requirement_needs_no_key(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE), api_key_required=False)

    assert _call(dataplane, api, key=None)[0] == 200


def test_the_request_template_status_selects_the_integration_response(aws, dataplane):
    api = deploy_api(
        aws,
        policy=allow_only_from(VPCE),
        request_template='{"statusCode": 503}',
        integration_responses=[
            {"statusCode": "200", "responseTemplates": {"application/json": '{"ok": true}'}},
            {
                "statusCode": "503",
                "selectionPattern": "5\\d\\d",
                "responseTemplates": {"application/json": '{"message": "try later"}'},
                "responseParameters": {"method.response.header.Retry-After": "'1'"},
            },
        ],
    )

    status, headers, body = _call(dataplane, api)

    assert (status, json.loads(body)) == (503, {"message": "try later"})
    assert headers["Retry-After"] == "1"


def test_a_response_template_can_use_the_request_context(aws, dataplane):
    api = deploy_api(
        aws,
        policy=allow_only_from(VPCE),
        integration_responses=[
            {
                "statusCode": "200",
                "responseTemplates": {
                    "application/json": '{"stage": "$context.stage", '
                    '"execution": "$input.params(\'x-lab-execution\')"}'
                },
            }
        ],
    )

    _, _, body = _call(dataplane, api, **{"x-lab-execution": "run-1"})

    assert json.loads(body) == {"stage": "prod", "execution": "run-1"}


def test_a_public_api_needs_no_endpoint_and_no_policy(aws, dataplane):
    api = deploy_api(aws, endpoint_type="REGIONAL", api_key_required=False)

    assert _call(dataplane, api, vpce=None, key=None)[0] == 200


def test_the_request_log_records_the_endpoint_and_status_and_masks_the_key(aws, dataplane):
    api = deploy_api(aws, policy=allow_only_from(VPCE))

    _call(dataplane, api)

    entry = request_log.entries()[-1]
    assert (entry["source_vpce"], entry["status"], entry["path"]) == (VPCE, 200, "/prod/hello")
    assert (entry["api_id"], entry["stage"], entry["method"]) == (api.id, "prod", "GET")
    headers = {k.lower(): v for k, v in entry["headers"].items()}
    assert headers["x-api-key"] == "****"
    assert api.api_key not in json.dumps(entry)


def test_the_request_log_keeps_only_the_newest_entries():
    log = RequestLog(capacity=3)

    for number in range(5):
        log.add({"number": number, "headers": {}})

    assert [e["number"] for e in log.entries()] == [2, 3, 4]


def test_clearing_the_request_log_empties_it():
    log = RequestLog()
    log.add({"headers": {"x-api-key": "secret-value"}})

    log.clear()

    assert log.entries() == []
