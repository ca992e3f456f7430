"""The data plane renders mapping templates with a real VTL engine, in API Gateway's scope.

The scope ($context, $input, $util) follows the API Gateway developer guide's "Variables
for data transformations"; the engine is airspeed-ext, so directives behave as VTL's do.
"""

from __future__ import annotations

import json

import pytest

from cdk_app.private_api import HELLO_MESSAGE, HELLO_RESPONSE_TEMPLATE
from lab.sandbox.dataplane import mock_integration
from lab.sandbox.dataplane.mock_integration import TemplateScope, render

KEY_VALUE = "k3yV4lue0123456789abcdefghij"


def _scope(**overrides) -> TemplateScope:
    context = mock_integration.context_variables(
        request_id="0f1e2d3c-aaaa-bbbb-cccc-000000000001",
        request_time_epoch_ms=1764620000123,
        api_id="a1b2c3d4e5",
        account_id="123456789012",
        stage="prod",
        resource_id="res123",
        resource_path="/hello",
        http_method="GET",
        path="/prod/hello",
        domain_name="a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        protocol="HTTP/1.1",
        source_ip="10.0.1.17",
        user_agent="Amazon|StepFunctions|HttpInvoke|us-east-1",
        vpce_id="vpce-0123456789abcdef0",
        api_key=KEY_VALUE,
        api_key_id="kid0123456",
        vpc_id="vpc-0123456789abcdef0",
    )
    values = {
        "context": context,
        "headers": {"X-Api-Key": KEY_VALUE, "X-Lab-Execution": "run-1", "Range": "bytes=0-262144"},
        "query": {"color": "blue"},
        "path": {},
    }
    values.update(overrides)
    return TemplateScope(**values)


def test_hello_reports_the_context_headers_and_query_it_saw():
    body = json.loads(render(HELLO_RESPONSE_TEMPLATE, _scope(), body=""))

    assert body["message"] == HELLO_MESSAGE
    context = body["received"]["context"]
    assert (context["requestId"], context["requestTimeEpoch"]) == (
        "0f1e2d3c-aaaa-bbbb-cccc-000000000001", 1764620000123
    )
    assert context["identity"] == {
        "sourceIp": "10.0.1.17",
        "vpceId": "vpce-0123456789abcdef0",
        "vpcId": "vpc-0123456789abcdef0",
        "userAgent": "Amazon|StepFunctions|HttpInvoke|us-east-1",
        "apiKeyId": "kid0123456",
    }
    assert (context["httpMethod"], context["resourcePath"], context["stage"]) == (
        "GET", "/hello", "prod"
    )
    assert body["received"]["headers"] == {"X-Lab-Execution": "run-1", "Range": "bytes=0-262144"}
    assert body["received"]["querystring"] == {"color": "blue"}


@pytest.mark.parametrize("name", ["x-api-key", "X-API-KEY", "X-Api-Key"])
def test_hello_never_renders_the_api_key_value_whatever_its_case(name):
    scope = _scope(headers={name: KEY_VALUE}, query={name: KEY_VALUE})

    rendered = render(HELLO_RESPONSE_TEMPLATE, scope, body="")

    assert KEY_VALUE not in rendered
    assert json.loads(rendered)["received"]["headers"] == {}


def test_header_values_are_escaped_so_the_body_stays_json():
    scope = _scope(headers={"X-Note": 'say "hi" \\ back/slash\ttab'})

    body = json.loads(render(HELLO_RESPONSE_TEMPLATE, scope, body=""))

    assert body["received"]["headers"]["X-Note"] == 'say "hi" \\ back/slash\ttab'


def test_vtl_directives_run_as_velocity_runs_them():
    template = (
        "#set($n = $input.params().querystring.size())"
        "#foreach($i in [1, 2, 3])$i#if($foreach.hasNext),#end#end"
        "|#if($n > 0)some#{else}none#end"
    )
    assert render(template, _scope()) == "1,2,3|some"


def test_params_by_name_search_path_then_query_then_headers_case_insensitively():
    scope = _scope(path={"id": "from-path"}, query={"id": "from-query", "q": "1"})

    assert render("$input.params('id') $input.params('q') $input.params('range')", scope) == (
        "from-path 1 bytes=0-262144"
    )


def test_a_whole_map_prints_as_javas_would():
    assert render("$input.params().querystring", _scope()) == "{color=blue}"


def test_undefined_references_render_empty_as_on_api_gateway():
    assert render('"$context.identity.cognitoIdentityId"|$stageVariables.missing|', _scope()) == (
        '""||'
    )


def test_util_functions_follow_api_gateways_definitions():
    template = (
        "$util.escapeJavaScript(\"it's\")|$util.urlEncode('a b&c~')|$util.urlDecode('a+b%26c')"
        "|$util.base64Encode('hello')|$util.base64Decode('aGVsbG8=')"
        "|$util.parseJson('{\"a\": [1, 2]}').a.size()"
    )
    assert render(template, _scope()) == "it\\'s|a+b%26c%7E|a b&c|aGVsbG8=|hello|2"


def test_escape_javascript_writes_non_ascii_as_java_escapes():
    assert mock_integration.UtilVariable.escapeJavaScript("é😀") == "\\u00E9\\uD83D\\uDE00"


def test_input_json_and_path_read_the_payload_with_jsonpath():
    payload = '{"order": {"id": 7, "items": ["a", "b"]}}'

    assert render("$input.json('$.order.items')|$input.path('$.order').id", _scope(),
                  body=payload) == '["a","b"]|7'


def test_a_template_that_does_not_parse_is_an_integration_configuration_error():
    with pytest.raises(mock_integration.IntegrationConfigurationError):
        render("#if($x", _scope())
