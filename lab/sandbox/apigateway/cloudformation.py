"""CloudFormation resource handlers for the API Gateway REST API types.

moto 5.2.5 has models for RestApi, Resource, Method and Deployment only, and
each falls short for this template: RestApi drops ``Policy`` and passes the
template's ``EndpointConfiguration`` in the wrong shape, Method requires
``IntegrationHttpMethod``/``Uri`` (so a MOCK integration fails) and drops
integration and method responses, Deployment has no physical id (its ``Ref``
renders an object), and none can be deleted. Stage, ApiKey, UsagePlan and
UsagePlanKey have no model at all. The handlers below call moto's own
API Gateway backend, so what a stack creates is what the API returns.

Ref and GetAtt follow the CloudFormation resource schemas (cfn-lint 1.58).
"""

from __future__ import annotations

import json
from typing import Any

from moto.apigateway.exceptions import NotFoundException
from moto.apigateway.models import apigateway_backends
from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel

from lab.sandbox.cloudformation.base import StackResource, as_bool, tags_to_dict
from lab.sandbox.members import keyword_arguments


def _policy_text(policy: Any) -> str | None:
    """The template may give the policy as a JSON object or as a string."""
    if policy is None or isinstance(policy, str):
        return policy
    return json.dumps(policy)


def _endpoint_configuration(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """Template ``{Types, VpcEndpointIds}`` -> API ``{types, vpcEndpointIds}``."""
    if not config:
        return None
    result: dict[str, Any] = {"types": list(config.get("Types") or ["EDGE"])}
    if config.get("VpcEndpointIds"):
        result["vpcEndpointIds"] = list(config["VpcEndpointIds"])
    if config.get("IpAddressType"):
        result["ipAddressType"] = config["IpAddressType"]
    return result


def _ignore_missing(action, *args: Any, **kwargs: Any) -> None:
    """Delete something that may already be gone with its parent API."""
    try:
        action(*args, **kwargs)
    except (NotFoundException, KeyError):
        pass


class _ApiGatewayResource(StackResource):
    """An API Gateway handler: its backend is moto's API Gateway's."""

    BACKENDS = apigateway_backends

    def delete_quietly(self, operation: str, *args: Any) -> None:
        """``operation`` of the backend, on something that may be gone with its API already."""
        _ignore_missing(getattr(self.moto_backend, operation), *args)


class ApiGatewayRestApi(_ApiGatewayResource, CloudFormationModel):
    """``AWS::ApiGateway::RestApi``: Ref is the API id; keeps Policy and endpoint types."""

    TYPE = "AWS::ApiGateway::RestApi"
    ATTRIBUTES = ("RestApiId", "RootResourceId")
    NAME_PROPERTY = "Name"
    MUTABLE_PROPERTIES = frozenset({"Description", "Policy", "Tags"})

    def make(self, name: str, properties: dict[str, Any]) -> str:
        if "Body" in properties or "BodyS3Location" in properties:
            # Better refused than an API without its resources and methods.
            raise ValidationError(
                message=f"{self.logical_id}: the sandbox does not import an OpenAPI Body; "
                "define the API with AWS::ApiGateway::Resource and Method resources."
            )
        api = self.moto_backend.create_rest_api(
            name=name,
            description=properties.get("Description", ""),
            api_key_source=properties.get("ApiKeySourceType"),
            endpoint_configuration=_endpoint_configuration(properties.get("EndpointConfiguration")),
            tags=tags_to_dict(properties.get("Tags")) or None,
            policy=_policy_text(properties.get("Policy")),
            minimum_compression_size=properties.get("MinimumCompressionSize"),
            disable_execute_api_endpoint=as_bool(
                properties.get("DisableExecuteApiEndpoint", False)
            ),
        )
        if properties.get("BinaryMediaTypes"):
            api.binaryMediaTypes = list(properties["BinaryMediaTypes"])
        return api.id

    def attribute(self, name: str) -> Any:
        if name == "RestApiId":
            return self.physical_id
        api = self.moto_backend.get_rest_api(self.physical_id)
        return api.root_resource_id

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        api = self.moto_backend.get_rest_api(self.physical_id)
        api.description = properties.get("Description", "")
        api.policy = _policy_text(properties.get("Policy"))
        api.tags = tags_to_dict(properties.get("Tags"))

    def remove(self) -> None:
        self.delete_quietly("delete_rest_api", self.physical_id)


class ApiGatewayResource(_ApiGatewayResource, CloudFormationModel):
    """``AWS::ApiGateway::Resource``: Ref is the resource id."""

    TYPE = "AWS::ApiGateway::Resource"
    ATTRIBUTES = ("ResourceId",)

    def make(self, name: str, properties: dict[str, Any]) -> str:
        resource = self.moto_backend.create_resource(
            function_id=properties["RestApiId"],
            parent_resource_id=properties["ParentId"],
            path_part=properties["PathPart"],
        )
        return resource.id

    def remove(self) -> None:
        self.delete_quietly("delete_resource", self.properties["RestApiId"], self.physical_id)


class ApiGatewayMethod(_ApiGatewayResource, CloudFormationModel):
    """``AWS::ApiGateway::Method`` with its integration (MOCK included) and responses.

    The physical id is Cloud Control's ``RestApiId|ResourceId|HttpMethod``.
    """

    TYPE = "AWS::ApiGateway::Method"
    MUTABLE_PROPERTIES = frozenset(
        {
            "ApiKeyRequired",
            "AuthorizationType",
            "AuthorizerId",
            "AuthorizationScopes",
            "Integration",
            "MethodResponses",
            "OperationName",
            "RequestModels",
            "RequestParameters",
            "RequestValidatorId",
        }
    )

    def make(self, name: str, properties: dict[str, Any]) -> str:
        self.physical_id = "|".join(
            (properties["RestApiId"], properties["ResourceId"], properties["HttpMethod"])
        )
        self.put(properties)
        return self.physical_id

    def put(self, properties: dict[str, Any]) -> None:
        """Put the method, its integration and both kinds of responses."""
        apis = self.moto_backend
        where = {
            "function_id": properties["RestApiId"],
            "resource_id": properties["ResourceId"],
            "method_type": properties["HttpMethod"],
        }
        scopes = properties.get("AuthorizationScopes")
        apis.put_method(
            **where,
            authorization_type=properties.get("AuthorizationType", "NONE"),
            api_key_required=as_bool(properties.get("ApiKeyRequired", False)),
            authorization_scopes=scopes,
            **keyword_arguments(
                properties.get, "RequestParameters", "RequestModels", "OperationName",
                "AuthorizerId", "RequestValidatorId",
            ),
        )
        for response in properties.get("MethodResponses") or []:
            apis.put_method_response(
                **where,
                response_code=str(response["StatusCode"]),
                **keyword_arguments(response.get, "ResponseModels", "ResponseParameters"),
            )
        integration = properties.get("Integration")
        if not integration:
            return
        apis.put_integration(
            **where,
            integration_type=integration["Type"],
            integration_method=integration.get("IntegrationHttpMethod"),
            **keyword_arguments(
                integration.get, "Uri", "Credentials", "RequestTemplates", "PassthroughBehavior",
                "TimeoutInMillis", "RequestParameters", "ContentHandling", "ConnectionType",
            ),
        )
        for response in integration.get("IntegrationResponses") or []:
            apis.put_integration_response(
                **where,
                status_code=str(response["StatusCode"]),
                **keyword_arguments(
                    response.get, "SelectionPattern", "ResponseTemplates", "ResponseParameters",
                    "ContentHandling",
                ),
            )

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        self.remove()
        self.put(properties)

    def remove(self) -> None:
        where = self.properties
        self.delete_quietly(
            "delete_method", where["RestApiId"], where["ResourceId"], where["HttpMethod"]
        )


class ApiGatewayDeployment(_ApiGatewayResource, CloudFormationModel):
    """``AWS::ApiGateway::Deployment``: Ref is the deployment id."""

    TYPE = "AWS::ApiGateway::Deployment"
    ATTRIBUTES = ("DeploymentId",)
    MUTABLE_PROPERTIES = frozenset({"Description"})

    def make(self, name: str, properties: dict[str, Any]) -> str:
        deployment = self.moto_backend.create_deployment(
            function_id=properties["RestApiId"],
            name=properties.get("StageName"),
            description=properties.get("Description", ""),
        )
        return deployment.id

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        apis = self.moto_backend
        deployment = apis.get_deployment(properties["RestApiId"], self.physical_id)
        deployment.description = properties.get("Description", "")

    def remove(self) -> None:
        api_id = self.properties["RestApiId"]
        stage = self.properties.get("StageName")
        if stage:  # the stage this deployment created dies with it
            self.delete_quietly("delete_stage", api_id, stage)
        self.delete_quietly("delete_deployment", api_id, self.physical_id)


class ApiGatewayStage(_ApiGatewayResource, CloudFormationModel):
    """``AWS::ApiGateway::Stage``: Ref is the stage name."""

    TYPE = "AWS::ApiGateway::Stage"
    NAME_PROPERTY = "StageName"
    MUTABLE_PROPERTIES = frozenset(
        {"DeploymentId", "Description", "Variables", "TracingEnabled", "Tags"}
    )

    def make(self, name: str, properties: dict[str, Any]) -> str:
        stage = self.moto_backend.create_stage(
            function_id=properties["RestApiId"],
            stage_name=name,
            deploymentId=properties.get("DeploymentId"),
            variables=properties.get("Variables"),
            description=properties.get("Description", ""),
            cacheClusterEnabled=as_bool(properties.get("CacheClusterEnabled", False)),
            cacheClusterSize=properties.get("CacheClusterSize"),
            tags=tags_to_dict(properties.get("Tags")) or None,
            tracing_enabled=(
                as_bool(properties["TracingEnabled"]) if "TracingEnabled" in properties else None
            ),
        )
        if properties.get("AccessLogSetting"):
            setting = properties["AccessLogSetting"]
            stage.access_log_settings = {
                "format": setting.get("Format"),
                "destinationArn": setting.get("DestinationArn"),
            }
        return stage.name

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        stage = self.moto_backend.get_stage(
            properties["RestApiId"], self.physical_id
        )
        stage.deployment_id = properties.get("DeploymentId")
        stage.description = properties.get("Description", "")
        stage.variables = properties.get("Variables") or {}
        stage.tags = tags_to_dict(properties.get("Tags")) or None
        if "TracingEnabled" in properties:
            stage.tracing_enabled = as_bool(properties["TracingEnabled"])

    def remove(self) -> None:
        self.delete_quietly("delete_stage", self.properties["RestApiId"], self.physical_id)


class ApiGatewayApiKey(_ApiGatewayResource, CloudFormationModel):
    """``AWS::ApiGateway::ApiKey``: Ref and GetAtt APIKeyId are the key's id."""

    TYPE = "AWS::ApiGateway::ApiKey"
    ATTRIBUTES = ("APIKeyId",)
    NAME_PROPERTY = "Name"
    MUTABLE_PROPERTIES = frozenset({"CustomerId", "Description", "Enabled", "StageKeys", "Tags"})

    def make(self, name: str, properties: dict[str, Any]) -> str:
        payload: dict[str, Any] = {
            "name": name,
            "description": properties.get("Description"),
            # CloudFormation's default is a disabled key (the API's too).
            "enabled": as_bool(properties.get("Enabled", False)),
            "generateDistinctId": as_bool(properties.get("GenerateDistinctId", False)),
            "stageKeys": _stage_keys(properties),
            "tags": tags_to_dict(properties.get("Tags")) or None,
            "customerId": properties.get("CustomerId"),
        }
        if properties.get("Value"):
            payload["value"] = properties["Value"]
        key = self.moto_backend.create_api_key(payload)
        return key.id

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        key = self.moto_backend.get_api_key(self.physical_id)
        key.description = properties.get("Description")
        key.enabled = as_bool(properties.get("Enabled", False))
        key.customer_id = properties.get("CustomerId")
        key.stage_keys = _stage_keys(properties)
        key.tags = tags_to_dict(properties.get("Tags")) or None

    def remove(self) -> None:
        self.delete_quietly("delete_api_key", self.physical_id)


def _stage_keys(properties: dict[str, Any]) -> list[str]:
    """Template ``[{RestApiId, StageName}]`` -> API ``["<api id>/<stage>"]``."""
    return [
        f"{item['RestApiId']}/{item['StageName']}" for item in properties.get("StageKeys") or []
    ]


class ApiGatewayUsagePlan(_ApiGatewayResource, CloudFormationModel):
    """``AWS::ApiGateway::UsagePlan``: Ref and GetAtt Id are the plan's id."""

    TYPE = "AWS::ApiGateway::UsagePlan"
    ATTRIBUTES = ("Id",)
    NAME_PROPERTY = "UsagePlanName"
    MUTABLE_PROPERTIES = frozenset(
        {"ApiStages", "Description", "Quota", "Throttle", "Tags", "UsagePlanName"}
    )

    def make(self, name: str, properties: dict[str, Any]) -> str:
        plan = self.moto_backend.create_usage_plan(
            {"name": name, **_usage_plan_fields(properties)}
        )
        return plan.id

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        plan = self.moto_backend.get_usage_plan(self.physical_id)
        fields = _usage_plan_fields(properties)
        plan.name = properties.get("UsagePlanName") or plan.name
        plan.description = fields["description"]
        plan.api_stages = fields["apiStages"]
        plan.throttle = fields["throttle"]
        plan.quota = fields["quota"]
        plan.tags = fields["tags"]

    def remove(self) -> None:
        self.delete_quietly("delete_usage_plan", self.physical_id)
        # moto keeps the plan's (empty) key table after the plan is gone.
        self.moto_backend.usage_plan_keys.pop(self.physical_id, None)


def _usage_plan_fields(properties: dict[str, Any]) -> dict[str, Any]:
    """Template UsagePlan properties -> the API's request fields (camelCase)."""
    stages = []
    for stage in properties.get("ApiStages") or []:
        item: dict[str, Any] = {"apiId": stage["ApiId"], "stage": stage["Stage"]}
        if stage.get("Throttle"):
            item["throttle"] = {
                path: _throttle(settings) for path, settings in stage["Throttle"].items()
            }
        stages.append(item)
    quota = properties.get("Quota") or {}
    return {
        "description": properties.get("Description"),
        "apiStages": stages,
        "throttle": _throttle(properties.get("Throttle") or {}),
        "quota": {
            key: quota[source]
            for key, source in (("limit", "Limit"), ("offset", "Offset"), ("period", "Period"))
            if source in quota
        },
        "tags": tags_to_dict(properties.get("Tags")) or None,
    }


def _throttle(settings: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if "BurstLimit" in settings:
        result["burstLimit"] = int(settings["BurstLimit"])
    if "RateLimit" in settings:
        result["rateLimit"] = float(settings["RateLimit"])
    return result


class ApiGatewayUsagePlanKey(_ApiGatewayResource, CloudFormationModel):
    """``AWS::ApiGateway::UsagePlanKey``: Ref and GetAtt Id are the key's id."""

    TYPE = "AWS::ApiGateway::UsagePlanKey"
    ATTRIBUTES = ("Id",)

    def make(self, name: str, properties: dict[str, Any]) -> str:
        key = self.moto_backend.create_usage_plan_key(
            properties["UsagePlanId"],
            {"keyId": properties["KeyId"], "keyType": properties.get("KeyType", "API_KEY")},
        )
        return key.id

    def remove(self) -> None:
        plan_id = self.properties["UsagePlanId"]
        self.delete_quietly("delete_usage_plan_key", plan_id, self.physical_id)
