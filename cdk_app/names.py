"""The names the stack and the lab share, defined once (pure Python, no CDK import).

- :class:`Output`: the stack's CloudFormation output keys, one typed member each; the
  stack declares exactly these outputs, the lab reads ``outputs[Output.ApiRootUrl]``;
- :data:`WORKFLOW_OUTPUTS`: each workflow's kind and the output naming its state machine;
- :data:`TASK_STATE_NAME` and :data:`EXECUTION_HEADER`: what every workflow calls its HTTP
  Task and the header it sends its execution's name in;
- :func:`lattice_name`: VPC Lattice physical names derived from the stack name.

``lab`` imports this module; ``aws_cdk`` loads only where the stack is built.
"""

from __future__ import annotations

import re
from enum import StrEnum

DEFAULT_STACK_NAME = "PrivateApiLab"


class Output(StrEnum):
    """The stack's CloudFormation output keys (each member is its own ``OutputKey``)."""

    StandardStateMachineArn = "StandardStateMachineArn"
    ExpressStateMachineArn = "ExpressStateMachineArn"
    JsonataStateMachineArn = "JsonataStateMachineArn"
    RestApiId = "RestApiId"
    ApiRootUrl = "ApiRootUrl"
    VpcId = "VpcId"
    VpcEndpointId = "VpcEndpointId"
    VpcEndpointSecurityGroupId = "VpcEndpointSecurityGroupId"
    ResourceGatewayId = "ResourceGatewayId"
    ResourceGatewayArn = "ResourceGatewayArn"
    ResourceGatewaySecurityGroupId = "ResourceGatewaySecurityGroupId"
    ResourceConfigurationId = "ResourceConfigurationId"
    ResourceConfigurationArn = "ResourceConfigurationArn"
    ConnectionName = "ConnectionName"
    ConnectionArn = "ConnectionArn"
    ApiKeyId = "ApiKeyId"
    UsagePlanId = "UsagePlanId"
    ExpressLogGroupName = "ExpressLogGroupName"
    EventBusName = "EventBusName"
    EventRuleName = "EventRuleName"
    EventRuleArn = "EventRuleArn"
    ApiDestinationName = "ApiDestinationName"
    ApiDestinationArn = "ApiDestinationArn"
    EventDeadLetterQueueUrl = "EventDeadLetterQueueUrl"
    EventDeadLetterQueueArn = "EventDeadLetterQueueArn"


#: Every output key, in the order the stack declares them.
OUTPUT_KEYS: tuple[str, ...] = tuple(Output)

#: The "before" stack's name suffix (``<lab stack>-LambdaProxy``).
PROXY_STACK_SUFFIX = "-LambdaProxy"


def proxy_stack_name(stack_name: str) -> str:
    """The name of the Lambda proxy ("before") stack that goes with lab stack ``stack_name``."""
    return f"{stack_name}{PROXY_STACK_SUFFIX}"


class ProxyOutput(StrEnum):
    """The Lambda proxy stack's CloudFormation output keys."""

    ProxyStandardStateMachineArn = "ProxyStandardStateMachineArn"
    ProxyExpressStateMachineArn = "ProxyExpressStateMachineArn"
    ProxyFunctionName = "ProxyFunctionName"
    ProxyFunctionSecurityGroupId = "ProxyFunctionSecurityGroupId"
    ProxyLogGroupName = "ProxyLogGroupName"
    ProxyExpressLogGroupName = "ProxyExpressLogGroupName"
    SecretsManagerEndpointId = "SecretsManagerEndpointId"
    SecretsEndpointSecurityGroupId = "SecretsEndpointSecurityGroupId"


PROXY_OUTPUT_KEYS: tuple[str, ...] = tuple(ProxyOutput)

#: The proxy function's memory and timeout (the stack sets them; ``lab``'s cost table and
#: failure comparison read them here without loading aws_cdk).
PROXY_MEMORY_MB = 128
PROXY_TIMEOUT_SECONDS = 10

#: The Lambda proxy stack's parameters: what it takes from the deployed lab stack
#: (name -> (CloudFormation type, description)).
PROXY_PARAMETERS: dict[str, tuple[str, str]] = {
    "VpcId": ("AWS::EC2::VPC::Id", "The lab stack's VPC"),
    "SubnetIds": ("List<AWS::EC2::Subnet::Id>", "The lab stack's two isolated subnets"),
    "ApiRootUrl": ("String", "The private API's stage URL (the lab stack's ApiRootUrl)"),
    "ApiKeySecretArn": ("String", "The ARN of the lab stack's API key secret"),
}

#: Each workflow's kind -> the output holding its state machine's ARN.
WORKFLOW_OUTPUTS: dict[str, Output] = {
    "standard": Output.StandardStateMachineArn,
    "express": Output.ExpressStateMachineArn,
    "jsonata": Output.JsonataStateMachineArn,  # the STANDARD workflow's JSONata twin
}

#: The HTTP Task's state name in every workflow of the stack.
TASK_STATE_NAME = "CallPrivateApi"
#: The header each workflow sets to its execution's name.
EXECUTION_HEADER = "x-lab-execution"

# VPC Lattice names (botocore: ResourceGatewayName / ResourceConfigurationName):
# 3-40 chars of [a-z0-9-], no leading/trailing hyphen, no "--", and no
# "rgw-"/"rcfg-" prefix (those are reserved for ids).
LATTICE_NAME_MAX = 40
_RESERVED_PREFIXES = ("rgw-", "rcfg-")


def lattice_name(stack_name: str, suffix: str) -> str:
    """A valid VPC Lattice name ``<stack>-<suffix>`` for this stack.

    The stack part is lower-cased, every run of other characters becomes one
    hyphen, and it is cut so the whole name fits in 40 characters, e.g.
    ``lattice_name("PrivateApiLab", "rgw") == "privateapilab-rgw"``.
    """
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", suffix):
        raise ValueError(f"suffix {suffix!r} must be lower-case letters and digits with hyphens")
    base = re.sub(r"[^a-z0-9]+", "-", stack_name.lower()).strip("-") or "lab"
    if f"{base}-".startswith(_RESERVED_PREFIXES):
        base = f"lab-{base}"
    base = base[: LATTICE_NAME_MAX - len(suffix) - 1].rstrip("-")
    return f"{base}-{suffix}"
