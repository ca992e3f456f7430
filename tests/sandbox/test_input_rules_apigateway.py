"""API Gateway (rest-json) under the generic validator (lab.sandbox.input_rules).

API Gateway's front end answers a request that breaks botocore's model with
``ValidationException`` and names each member from the operation's input:
recorded (moto's test_apigateway, written against AWS) "1 validation error detected: Value
'Wrong-value-AUTHORIZER' at 'createRestApiInput.apiKeySource' failed to satisfy constraint:
Member must satisfy enum value set: [AUTHORIZER, HEADER]", and (LocalStack's parity-tested
provider) "Value '[…]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy
constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE,
EDGE, REGIONAL]]". Its own semantic refusals (``BadRequestException`` "Invalid REST API
identifier specified", …) stay moto's handlers'.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from test_input_rules import _refusal, raw  # noqa: F401  (raw: the fixture)


@pytest.fixture
def apigateway(raw):  # noqa: F811
    return raw("apigateway")


def test_an_api_key_source_outside_the_enum_is_refused_in_the_recorded_words(apigateway):
    """botocore apigateway ``ApiKeySourceType``: HEADER | AUTHORIZER (listed as recorded);
    with a second mistake both are counted (moto alone stops at its first hand check)."""
    error = _refusal(
        apigateway.create_rest_api, name="lab", apiKeySource="Wrong-value",
        endpointConfiguration={"types": ["PRIVAT"]},
    )  # fmt: skip
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "2 validation errors detected: Value 'Wrong-value' at 'createRestApiInput.apiKeySource' "
        "failed to satisfy constraint: Member must satisfy enum value set: [AUTHORIZER, HEADER]; "
        "Value '[PRIVAT]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy "
        "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
        "[PRIVATE, EDGE, REGIONAL]]"
    )


def test_an_endpoint_type_outside_the_enum_is_refused_once_at_the_list(apigateway):
    """botocore ``EndpointConfiguration.types``: a list of ``EndpointType``."""
    error = _refusal(
        apigateway.create_rest_api, name="lab", endpointConfiguration={"types": ["PRIVAT"]}
    )
    assert error["Message"] == (
        "1 validation error detected: Value '[PRIVAT]' at "
        "'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member "
        "must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]"
    )


def test_a_missing_required_body_member_is_null_at_the_operations_input(apigateway):
    """botocore ``CreateRestApiRequest``: ``name`` is required."""
    error = _refusal(apigateway.create_rest_api, description="no name")
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "1 validation error detected: Value null at 'createRestApiInput.name' failed to "
        "satisfy constraint: Member must not be null"
    )


@pytest.fixture
def root(apigateway) -> tuple[str, str]:
    api = apigateway.create_rest_api(name="lab")["id"]
    return api, apigateway.get_resources(restApiId=api)["items"][0]["id"]


def test_put_method_needs_an_authorization_type(apigateway, root):
    """botocore ``PutMethodRequest``: ``authorizationType`` is required (the URI members
    restApiId, resourceId and httpMethod are in the path)."""
    api, resource = root
    error = _refusal(apigateway.put_method, restApiId=api, resourceId=resource, httpMethod="GET")
    assert error["Message"].endswith(
        "Value null at 'putMethodInput.authorizationType' failed to satisfy constraint: "
        "Member must not be null"
    )


@pytest.fixture
def get_method(apigateway, root) -> dict:
    """``GET`` on the API's root resource: the address of its integration and responses."""
    api, resource = root
    apigateway.put_method(
        restApiId=api, resourceId=resource, httpMethod="GET", authorizationType="NONE"
    )
    return {"restApiId": api, "resourceId": resource, "httpMethod": "GET"}


def test_an_integration_type_outside_the_enum_is_refused(apigateway, get_method):
    """botocore ``IntegrationType``: HTTP | AWS | MOCK | HTTP_PROXY | AWS_PROXY."""
    error = _refusal(apigateway.put_integration, **get_method, type="MOKC")
    assert error["Message"].endswith(
        "at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy "
        "enum value set: [HTTP, AWS, MOCK, HTTP_PROXY, AWS_PROXY]"
    )


def test_a_status_code_in_the_uri_must_match_its_pattern(apigateway, get_method):
    """botocore ``StatusCode``: pattern ``[1-5]\\d\\d`` (a URI member, checked as well)."""
    error = _refusal(apigateway.put_method_response, **get_method, statusCode="2000")
    assert error["Message"] == (
        "1 validation error detected: Value '2000' at 'putMethodResponseInput.statusCode' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d"
    )


def test_a_request_within_the_rules_reaches_moto_and_its_own_refusals(apigateway, get_method):
    """Valid requests pass; an API that does not exist is still API Gateway's
    NotFoundException from the handler, not a validation error."""
    assert apigateway.get_method(**get_method)["authorizationType"] == "NONE"
    with pytest.raises(ClientError) as raised:
        apigateway.get_rest_api(restApiId="nosuchapi")
    assert raised.value.response["Error"]["Code"] == "NotFoundException"


def test_an_import_mode_is_the_handlers_to_refuse_in_api_gateways_words(apigateway, root):
    """Recorded (moto's test_apigateway_putrestapi, from AWS): PutRestApi's query-string
    ``mode`` outside merge|overwrite is ``BadRequestException`` 'Enumeration value of OpenAPI
    import mode must be "overwrite" or "merge"', not the model front end's ValidationException."""
    api, _ = root
    error = _refusal(apigateway.put_rest_api, restApiId=api, mode="unknown", body=b"{}")
    assert error["Code"] == "BadRequestException"
    assert error["Message"] == (
        'Enumeration value of OpenAPI import mode must be "overwrite" or "merge"'
    )
