"""Building the HTTP Task's request from its parameters and its connection (pure functions)."""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from lab.sandbox.events.runtime import ConnectionRuntime
from lab.sandbox.stepfunctions.exceptions import STATES_RUNTIME, HttpTaskRuntimeError
from lab.sandbox.stepfunctions.http_request import (
    build_request,
    connection_arn_of,
    url_encode_body,
)

URL = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/hello"
CONNECTION = ConnectionRuntime(
    arn="arn:aws:events:us-east-1:123456789012:connection/lab/0",
    account="123456789012",
    region="us-east-1",
    state="ACTIVE",
    authorization_type="API_KEY",
    api_key_name="x-api-key",
    api_key_value="key-value",
    auth_headers={"x-api-key": "key-value"},
)


def _build(connection=None, **parameters):
    parameters = {"ApiEndpoint": URL, "Method": "GET", **parameters}
    return build_request(parameters, connection or CONNECTION, "eu-west-1")


def _with_invocation(**invocation):
    return dataclasses.replace(CONNECTION, invocation_http_parameters=invocation)


def _query(request):
    return parse_qsl(urlsplit(request.url).query)


def test_invocation_config_names_the_connection_before_authentication():
    parameters = {
        "InvocationConfig": {"ConnectionArn": "arn:invocation"},
        "Authentication": {"ConnectionArn": "arn:authentication"},
    }

    assert connection_arn_of(parameters) == "arn:invocation"
    assert connection_arn_of({"Authentication": {"ConnectionArn": "arn:a"}}) == "arn:a"


def test_a_task_without_a_connection_is_a_runtime_error():
    with pytest.raises(HttpTaskRuntimeError) as raised:
        connection_arn_of({"ApiEndpoint": URL, "Method": "GET"})

    assert raised.value.error == STATES_RUNTIME


def test_step_functions_adds_its_user_agent_and_range():
    request = _build()

    assert request.header("User-Agent") == "Amazon|StepFunctions|HttpInvoke|eu-west-1"
    assert request.header("Range") == "bytes=0-262144"


def test_an_api_key_connection_adds_its_header():
    assert _build().header("x-api-key") == "key-value"


@pytest.mark.parametrize("missing", ["ApiEndpoint", "Method"])
def test_api_endpoint_and_method_are_required(missing):
    parameters = {"ApiEndpoint": URL, "Method": "GET"}
    parameters.pop(missing)

    with pytest.raises(HttpTaskRuntimeError):
        build_request(parameters, CONNECTION, "us-east-1")


def test_only_https_endpoints_are_called():
    with pytest.raises(HttpTaskRuntimeError, match="https://"):
        _build(ApiEndpoint="http://abc123.execute-api.us-east-1.amazonaws.com/prod/hello")


@pytest.mark.parametrize(
    "header",
    ["Authorization", "host", "Accept-Encoding", "If-None-Match", "X-Forwarded-For",
     "x-amz-date", "X-Amzn-Trace-Id", "Transfer-Encoding", "Cache-Control"],
)  # fmt: skip
def test_a_forbidden_task_header_is_a_runtime_error(header):
    with pytest.raises(HttpTaskRuntimeError) as raised:
        _build(Headers={header: "x"})

    assert raised.value.error == STATES_RUNTIME
    assert header in raised.value.cause


def test_task_headers_are_sent_as_strings():
    request = _build(Headers={"x-lab-execution": "run-1", "x-count": 3, "x-flag": True})

    assert request.header("x-lab-execution") == "run-1"
    assert (request.header("x-count"), request.header("x-flag")) == ("3", "true")


def test_a_task_cannot_forge_the_sandboxs_source_endpoint_header():
    request = _build(Headers={"x-lab-source-vpce": "vpce-forged"})

    assert request.header("x-lab-source-vpce") is None


def test_the_connections_header_wins_over_the_tasks():
    connection = _with_invocation(HeaderParameters=[{"Key": "x-team", "Value": "from-connection"}])

    request = _build(connection, Headers={"X-Team": "from-task"})

    assert request.header("x-team") == "from-connection"


def test_the_connections_query_parameter_wins_over_the_tasks():
    connection = _with_invocation(QueryStringParameters=[{"Key": "v", "Value": "2"}])

    request = _build(connection, QueryParameters={"v": "1", "q": "x"})

    assert sorted(_query(request)) == [("q", "x"), ("v", "2")]


def test_query_parameters_keep_those_already_in_the_endpoint():
    request = _build(ApiEndpoint=URL + "?a=1", QueryParameters={"b": ["2", "3"]})

    assert _query(request) == [("a", "1"), ("b", "2"), ("b", "3")]


def test_the_connections_body_parameters_win_over_the_tasks_body():
    connection = _with_invocation(BodyParameters=[{"Key": "tenant", "Value": "blue"}])

    request = _build(connection, Method="POST", RequestBody={"tenant": "red", "n": 1})

    assert json.loads(request.body) == {"tenant": "blue", "n": 1}
    assert request.header("Content-Type") == "application/json"


@pytest.mark.parametrize("body", ["tenant=red", ["red"]])
def test_a_body_that_is_not_an_object_cannot_take_the_connections_body_parameters(body):
    """call-https-apis.html, merging connection and task data: only a JSON object body takes
    the connection's BodyParameters; anything else fails the task with States.Runtime."""
    connection = _with_invocation(BodyParameters=[{"Key": "tenant", "Value": "blue"}])

    with pytest.raises(HttpTaskRuntimeError, match="cannot be merged"):
        _build(connection, Method="POST", RequestBody=body)


def test_a_json_body_keeps_a_content_type_the_task_set():
    request = _build(Method="POST", RequestBody={"a": 1}, Headers={"Content-Type": "text/x"})

    assert request.header("Content-Type") == "text/x"


@pytest.mark.parametrize(
    ("array_format", "expected"),
    [
        ("INDICES", "array%5B0%5D=a&array%5B1%5D=b"),
        ("REPEAT", "array=a&array=b"),
        ("COMMAS", "array=a%2Cb"),
        ("BRACKETS", "array%5B%5D=a&array%5B%5D=b"),
    ],
)
def test_url_encoded_bodies_encode_arrays_as_asked(array_format, expected):
    assert url_encode_body({"array": ["a", "b"]}, array_format) == expected


def test_url_encoding_is_applied_to_the_request_body():
    request = _build(
        Method="POST",
        RequestBody={"name": "lab user", "tags": ["x", "y"]},
        Transform={
            "RequestBodyEncoding": "URL_ENCODED",
            "RequestEncodingOptions": {"ArrayFormat": "REPEAT"},
        },
    )

    assert request.body == b"name=lab+user&tags=x&tags=y"
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"


def test_url_encoding_defaults_to_indices():
    request = _build(
        Method="POST", RequestBody={"a": [1]}, Transform={"RequestBodyEncoding": "URL_ENCODED"}
    )

    assert request.body == b"a%5B0%5D=1"


def test_url_encoding_a_non_object_body_is_a_runtime_error():
    with pytest.raises(HttpTaskRuntimeError):
        _build(Method="POST", RequestBody="text", Transform={"RequestBodyEncoding": "URL_ENCODED"})


def test_an_unknown_array_format_is_a_runtime_error():
    with pytest.raises(HttpTaskRuntimeError, match="ArrayFormat"):
        _build(
            Method="POST",
            RequestBody={"a": [1]},
            Transform={
                "RequestBodyEncoding": "URL_ENCODED",
                "RequestEncodingOptions": {"ArrayFormat": "SEMICOLONS"},
            },
        )


def test_a_get_without_body_sends_no_body():
    assert _build().body is None
