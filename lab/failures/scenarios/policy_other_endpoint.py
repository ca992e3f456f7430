"""The API's resource policy allows another VPC endpoint: API Gateway answers 403."""

from __future__ import annotations

import json
import re
from typing import Any

from cdk_app.names import Output
from lab.failures.scenario import Scenario, Undo
from lab.failures.stack import OTHER_VPC_ENDPOINT, TEMP_PREFIX, DeployedLab

TEMP_DEPLOYMENT_DESCRIPTION = f"{TEMP_PREFIX}: policy_other_endpoint (temporary)"

def _rest_api_policy(lab: DeployedLab) -> dict | None:
    apigateway = lab.client("apigateway")
    text = apigateway.get_rest_api(restApiId=lab.outputs[Output.RestApiId]).get("policy")
    if not text:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = json.loads(text.replace('\\"', '"'))  # AWS returns it with escaped quotes
    return json.loads(parsed) if isinstance(parsed, str) else parsed


def comparable_policy(policy: Any, api_id: str) -> Any:
    """``policy`` in one form, whichever way it was written or read back.

    API Gateway reads a resource policy back with ``execute-api:/…`` expanded to
    ``arn:<partition>:execute-api:<region>:<account>:<api-id>/…``, and a one-item list may
    come back as the item: both sides are brought to the shorthand, lists of one to their
    item, so an intact stack compares equal on AWS as in the sandbox.
    """
    this_api = re.compile(r"^arn:aws[a-z-]*:execute-api:[^:]*:[^:]*:" + re.escape(api_id) + "/")
    if isinstance(policy, dict):
        return {key: comparable_policy(value, api_id) for key, value in policy.items()}
    if isinstance(policy, list):
        items = [comparable_policy(value, api_id) for value in policy]
        return items[0] if len(items) == 1 else items
    if isinstance(policy, str):
        return this_api.sub("execute-api:/", policy)
    return policy


def _policy_drifted(lab: DeployedLab) -> bool:
    api_id = lab.outputs[Output.RestApiId]
    return (comparable_policy(_rest_api_policy(lab), api_id)
            != comparable_policy(_intended_policy(lab), api_id))


def _intended_policy(lab: DeployedLab) -> dict:
    return lab.resolve(lab.one("AWS::ApiGateway::RestApi")[1]["Properties"]["Policy"])


def _intended_deployment(lab: DeployedLab) -> str:
    return lab._ref(lab.one("AWS::ApiGateway::Deployment")[0])


def _stage_name(lab: DeployedLab) -> str:
    return lab.outputs[Output.ApiRootUrl].rstrip("/").rsplit("/", 1)[-1]


def _set_policy(lab: DeployedLab, policy: dict) -> None:
    lab.client("apigateway").update_rest_api(
        restApiId=lab.outputs[Output.RestApiId],
        patchOperations=[{"op": "replace", "path": "/policy", "value": json.dumps(policy)}],
    )


def _break_policy_other_endpoint(lab: DeployedLab, undo: Undo) -> None:
    apigateway, api_id = lab.client("apigateway"), lab.outputs[Output.RestApiId]
    original = apigateway.get_stage(restApiId=api_id, stageName=_stage_name(lab))["deploymentId"]
    undo.push("restore the policy and the stage's deployment",
              lambda: _restore_policy(lab, original))
    policy = json.loads(json.dumps(_intended_policy(lab)).replace(
        lab.outputs[Output.VpcEndpointId], OTHER_VPC_ENDPOINT))
    _set_policy(lab, policy)
    # A policy change takes effect only when deployed: a new deployment, then the stage on it.
    deployment = apigateway.create_deployment(restApiId=api_id,
                                              description=TEMP_DEPLOYMENT_DESCRIPTION)["id"]
    apigateway.update_stage(
        restApiId=api_id, stageName=_stage_name(lab),
        patchOperations=[{"op": "replace", "path": "/deploymentId", "value": deployment}])


def _restore_policy(lab: DeployedLab, deployment_id: str | None = None) -> None:
    apigateway, api_id = lab.client("apigateway"), lab.outputs[Output.RestApiId]
    if _policy_drifted(lab):
        _set_policy(lab, _intended_policy(lab))
    # CloudFormation's deployment is a snapshot taken with the template's policy: putting
    # the stage back on it restores what is in effect, and leaves no stray deployment.
    deployment_id = deployment_id or _intended_deployment(lab)
    stage = apigateway.get_stage(restApiId=api_id, stageName=_stage_name(lab))
    if stage["deploymentId"] != deployment_id:
        apigateway.update_stage(
            restApiId=api_id, stageName=_stage_name(lab),
            patchOperations=[{"op": "replace", "path": "/deploymentId", "value": deployment_id}])
    for deployment in apigateway.get_deployments(restApiId=api_id).get("items", []):
        if deployment.get("description") == TEMP_DEPLOYMENT_DESCRIPTION:
            apigateway.delete_deployment(restApiId=api_id, deploymentId=deployment["id"])


def _drift_policy(lab: DeployedLab) -> str | None:
    apigateway, api_id, problems = lab.client("apigateway"), lab.outputs[Output.RestApiId], []
    if _policy_drifted(lab):
        problems.append("the API's resource policy is not the template's")
    stage = apigateway.get_stage(restApiId=api_id, stageName=_stage_name(lab))
    if stage["deploymentId"] != _intended_deployment(lab):
        problems.append(f"stage {_stage_name(lab)} is not on CloudFormation's deployment")
    if any(d.get("description") == TEMP_DEPLOYMENT_DESCRIPTION
           for d in apigateway.get_deployments(restApiId=api_id).get("items", [])):
        problems.append("a temporary deployment exists")
    return "; ".join(problems) or None


SCENARIO = Scenario(
    "policy_other_endpoint",
    "the API's resource policy allows another VPC endpoint (UpdateRestApi, then a new "
    "deployment on stage prod)",
    "States.Http.StatusCode.403",
    "restore the template's policy and put the stage back on CloudFormation's deployment",
    "the same 403 'User: anonymous is not authorized to perform: execute-api:Invoke'",
    _break_policy_other_endpoint, _drift_policy, _restore_policy,
)
