"""Contracts: the moto API Gateway internals the sandbox's CloudFormation handlers use (5.2.5).

lab/sandbox/apigateway/cloudformation.py calls moto's API Gateway backend directly and
sets a few model attributes on update. If one of these fails after a moto
upgrade, fix the handler named in the test's docstring.
"""

from __future__ import annotations

import inspect

import pytest
from moto import mock_aws
from moto.apigateway import exceptions
from moto.apigateway.models import APIGatewayBackend, Method, apigateway_backends

ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture
def apis():
    with mock_aws():
        yield apigateway_backends[ACCOUNT][REGION]


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_backend_methods_take_the_keywords_the_handlers_pass():
    """Every handler in apigateway/cloudformation.py calls the backend by keyword."""
    expected = {
        "create_rest_api": [
            "name",
            "description",
            "api_key_source",
            "endpoint_configuration",
            "tags",
            "policy",
            "minimum_compression_size",
            "disable_execute_api_endpoint",
        ],
        "create_resource": ["function_id", "parent_resource_id", "path_part"],
        "put_method": [
            "function_id",
            "resource_id",
            "method_type",
            "authorization_type",
            "api_key_required",
            "request_parameters",
            "request_models",
            "operation_name",
            "authorizer_id",
            "authorization_scopes",
            "request_validator_id",
        ],
        "put_method_response": ["response_code", "response_models", "response_parameters"],
        "put_integration": [
            "integration_type",
            "uri",
            "integration_method",
            "credentials",
            "request_templates",
            "passthrough_behavior",
            "timeout_in_millis",
            "request_parameters",
            "content_handling",
            "connection_type",
        ],
        "put_integration_response": [
            "status_code",
            "selection_pattern",
            "response_templates",
            "response_parameters",
            "content_handling",
        ],
        "create_deployment": ["function_id", "name", "description"],
        "create_stage": [
            "function_id",
            "stage_name",
            "deploymentId",
            "variables",
            "description",
            "cacheClusterEnabled",
            "cacheClusterSize",
            "tags",
            "tracing_enabled",
        ],
        "create_api_key": ["payload"],
        "create_usage_plan": ["payload"],
        "create_usage_plan_key": ["usage_plan_id", "payload"],
        "delete_usage_plan_key": ["usage_plan_id", "key_id"],
    }
    missing = {
        method: [
            name for name in names if name not in parameters(getattr(APIGatewayBackend, method))
        ]
        for method, names in expected.items()
    }
    assert {method: names for method, names in missing.items() if names} == {}


def test_mock_integration_needs_neither_uri_nor_http_method(apis):
    """ApiGatewayMethod.put: moto's own Method model demands both, the backend does not."""
    api = apis.create_rest_api(name="a", description="")
    apis.put_method(api.id, api.root_resource_id, "GET", "NONE")
    integration = apis.put_integration(
        function_id=api.id,
        resource_id=api.root_resource_id,
        method_type="GET",
        integration_type="MOCK",
        uri=None,
        integration_method=None,
    )
    assert integration.integration_type == "MOCK"


def test_motos_own_method_model_fails_on_a_mock_integration():
    """Why ApiGatewayMethod exists: if this starts passing, moto's model may do."""
    source = inspect.getsource(Method.create_from_cloudformation_json)
    assert 'properties["Integration"]["IntegrationHttpMethod"]' in source


def test_rest_api_keeps_what_the_handler_gives_it(apis):
    """ApiGatewayRestApi: policy text, endpoint configuration, root resource id."""
    api = apis.create_rest_api(
        name="a",
        description="d",
        endpoint_configuration={"types": ["PRIVATE"]},
        policy='{"Version": "2012-10-17"}',
    )
    assert (
        api.policy,
        api.endpoint_configuration,
        api.resources[api.root_resource_id].path_part,
    ) == (
        '{"Version": "2012-10-17"}',
        {"types": ["PRIVATE"]},
        "/",
    )


def test_a_deployment_without_a_stage_name_creates_no_stage(apis):
    """ApiGatewayDeployment: CDK deploys without StageName and adds a Stage resource."""
    api = apis.create_rest_api(name="a", description="")
    apis.put_method(api.id, api.root_resource_id, "GET", "NONE")
    apis.put_integration(api.id, api.root_resource_id, "GET", "MOCK", None, None)
    deployment = apis.create_deployment(function_id=api.id, name=None)
    assert (deployment.id in api.deployments, api.stages) == (True, {})


def test_stage_and_key_attributes_the_updates_set(apis):
    """ApiGatewayStage.modify/ApiGatewayApiKey.modify/ApiGatewayUsagePlan.modify set these."""
    api = apis.create_rest_api(name="a", description="")
    stage = apis.create_stage(api.id, "prod", "dep")
    key = apis.create_api_key({"name": "k"})
    plan = apis.create_usage_plan({"name": "p"})
    for obj, names in (
        (stage, ["deployment_id", "description", "variables", "tags", "tracing_enabled"]),
        (key, ["description", "enabled", "customer_id", "stage_keys", "tags", "value"]),
        (plan, ["name", "description", "api_stages", "throttle", "quota", "tags"]),
    ):
        assert [name for name in names if not hasattr(obj, name)] == [], type(obj).__name__


def test_a_usage_plan_key_is_named_by_the_api_key(apis):
    """ApiGatewayUsagePlanKey: its physical id is the key id."""
    key = apis.create_api_key({"name": "k"})
    plan = apis.create_usage_plan({"name": "p"})
    plan_key = apis.create_usage_plan_key(plan.id, {"keyId": key.id, "keyType": "API_KEY"})
    assert plan_key.id == key.id


def test_deleting_a_usage_plan_keeps_its_key_table(apis):
    """ApiGatewayUsagePlan.remove drops the table itself (the inventory would list it)."""
    plan = apis.create_usage_plan({"name": "p"})
    key = apis.create_api_key({"name": "k"})
    apis.create_usage_plan_key(plan.id, {"keyId": key.id, "keyType": "API_KEY"})
    apis.delete_usage_plan(plan.id)
    assert plan.id in apis.usage_plan_keys


def test_lookups_of_missing_things_raise_not_found(apis):
    """_ignore_missing treats NotFoundException (and KeyError) as already deleted."""
    for error in (
        exceptions.RestAPINotFound,
        exceptions.StageNotFoundException,
        exceptions.ApiKeyNotFoundException,
        exceptions.DeploymentNotFoundException,
        exceptions.ResourceIdNotFoundException,
    ):
        assert issubclass(error, exceptions.NotFoundException), error.__name__
    with pytest.raises(exceptions.NotFoundException):
        apis.delete_stage("missing", "prod")


def test_moto_returns_the_resource_policy_as_it_was_given(apis):
    """apigateway/models.wrap_rest_api_to_dict: moto's to_dict answers the stored text
    under "policy" and the model knows its id, account and region (the seam builds the
    API's ARN from them). When moto expands the shorthand itself, drop the seam."""
    from lab.sandbox import seams

    original = seams.original("moto.apigateway.models:RestAPI.to_dict")
    text = '{"Statement": [{"Resource": "execute-api:/*"}]}'
    api = apis.create_rest_api(name="a", description="d", policy=text)
    assert original(api)["policy"] == text
    assert (api.account_id, api.region_name, api.id) == (ACCOUNT, REGION, api.id)


def test_the_sandbox_answers_the_policy_in_aws_expanded_form(apis):
    """API Gateway reads a policy back with execute-api:/ expanded to the API's ARN."""
    import json

    from lab.sandbox import seams

    seams.install("lab.sandbox.apigateway")
    api = apis.create_rest_api(
        name="a", description="d",
        policy=json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*",
                                          "Action": "execute-api:Invoke",
                                          "Resource": ["execute-api:/*", "arn:x"]}]}))
    policy = json.loads(api.to_dict()["policy"])
    assert policy["Statement"][0]["Resource"] == [
        f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api.id}/*", "arn:x"]
