"""The "before" stack: deploy, read and delete ``<stack>-LambdaProxy`` beside the lab's stack.

The stack (:mod:`cdk_app.lambda_proxy`) takes the lab stack's VPC, subnets, API URL and API
key secret as CloudFormation parameters; :func:`proxy_parameters` reads them from the
deployed lab stack, so both paths call the same private API with the same key. It deploys
with the same :class:`lab.deployment.StackDeployer` (plain ``create_stack``, inline template,
no bucket) in both modes.
"""

from __future__ import annotations

import dataclasses

from cdk_app.names import Output, proxy_stack_name
from lab.config import LabConfig, load_config
from lab.deployment import StackDeployer, deployer_for, ensure_deployed, outputs_of
from lab.errors import LabError

VARIANT = "lambda_proxy"


def proxy_parameters(cfg: LabConfig | None = None, lab_outputs: dict | None = None) -> dict:
    """The proxy stack's parameters, read from the deployed lab stack.

    ``VpcId`` and ``ApiRootUrl`` are lab stack outputs; its two subnets and its API key
    secret are its ``AWS::EC2::Subnet`` and ``AWS::SecretsManager::Secret`` resources
    (a secret's physical id is its ARN).
    """
    from lab.clients import client

    cfg = cfg or load_config()
    lab_outputs = lab_outputs or deployer_for(cfg, start_sandbox=False).outputs()
    found: dict[str, list[str]] = {}
    pages = client("cloudformation", cfg).get_paginator("list_stack_resources").paginate(
        StackName=cfg.stack_name)
    for page in pages:
        for item in page["StackResourceSummaries"]:
            found.setdefault(item["ResourceType"], []).append(item["PhysicalResourceId"])
    subnets = sorted(found.get("AWS::EC2::Subnet", []))
    secrets = found.get("AWS::SecretsManager::Secret", [])
    if len(subnets) != 2 or len(secrets) != 1:
        raise LabError(
            f"Stack {cfg.stack_name} has {len(subnets)} subnet(s) and {len(secrets)} secret(s) "
            "where the Lambda proxy needs 2 and 1; redeploy it with `python -m lab deploy`.")
    return {
        "VpcId": lab_outputs[Output.VpcId],
        "SubnetIds": ",".join(subnets),
        "ApiRootUrl": lab_outputs[Output.ApiRootUrl],
        "ApiKeySecretArn": secrets[0],
    }


class ProxyStackDeployer(StackDeployer):
    """:class:`StackDeployer` for the proxy stack: its own name, template and parameters."""

    def __init__(self, cfg: LabConfig, parameters: dict | None = None, **kwargs):
        from lab.synthesis import template

        proxy_cfg = dataclasses.replace(cfg, stack_name=proxy_stack_name(cfg.stack_name))
        kwargs.setdefault("template", lambda: template(cfg=cfg, variant=VARIANT))
        super().__init__(proxy_cfg, **kwargs)
        self.parameters = parameters

    def _call(self, operation: str, **params):
        if operation in ("create_stack", "update_stack") and self.parameters is not None:
            params["Parameters"] = [{"ParameterKey": key, "ParameterValue": value}
                                    for key, value in self.parameters.items()]
        return super()._call(operation, **params)

    def is_up_to_date(self, stack: dict) -> bool:
        """Up to date: the current template, and the lab stack's current values."""
        deployed = {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters") or []}
        return deployed == (self.parameters or {}) and super().is_up_to_date(stack)


def _proxy_deployer(cfg: LabConfig, *, start_sandbox: bool, creates: bool = False,
                    parameters: dict | None = None) -> ProxyStackDeployer:
    deployer_for(cfg, start_sandbox=start_sandbox, creates=creates)  # the same checks first
    return ProxyStackDeployer(cfg, parameters)


def deploy(cfg: LabConfig | None = None) -> dict:
    """Deploy the lab stack if needed, then create or update the proxy stack; its outputs."""
    cfg = cfg or load_config()
    lab_outputs = ensure_deployed(cfg)
    parameters = proxy_parameters(cfg, lab_outputs)
    return _proxy_deployer(cfg, start_sandbox=True, creates=True, parameters=parameters).deploy()


def ensure_proxy_deployed(cfg: LabConfig | None = None) -> dict:
    """Both stacks deployed with the current templates (idempotent); the proxy's outputs."""
    cfg = cfg or load_config()
    lab_outputs = ensure_deployed(cfg)
    parameters = proxy_parameters(cfg, lab_outputs)
    return _proxy_deployer(cfg, start_sandbox=True, creates=True,
                           parameters=parameters).ensure_deployed()


def proxy_outputs(cfg: LabConfig | None = None) -> dict:
    """The deployed proxy stack's outputs (``ProxyOutput`` keys)."""
    cfg = cfg or load_config()
    stack = _proxy_deployer(cfg, start_sandbox=False).describe()
    if stack is None:
        raise LabError(
            f"Stack {proxy_stack_name(cfg.stack_name)} does not exist; deploy it with "
            "`python -m lab deploy --variant lambda_proxy` "
            "(or lab.deploy(variant=\"lambda_proxy\")).")
    return outputs_of(stack)


def destroy(cfg: LabConfig | None = None) -> str:
    """Delete the proxy stack (a missing one is fine); the lab stack stays."""
    cfg = cfg or load_config()
    return _proxy_deployer(cfg, start_sandbox=False).destroy()
