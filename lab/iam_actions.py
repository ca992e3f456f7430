"""Which IAM actions an AWS call needs: the action its operation maps to, and the
dependent actions AWS documents.

Shared by ``tools/deployer_policy.py`` (which writes ``docs/deployer-policy.json`` from
it) and the sandbox's opt-in IAM enforcement (``lab.sandbox.iam_enforcement``), so the
policy and the rehearsal that runs under it read one table.

- :func:`iam_action`: an operation's IAM action. Most are ``<prefix>:<Operation>``; the
  exceptions come from the sources, not from a hand list: the IAM prefix differs from
  the signing name (``monitoring`` -> ``cloudwatch``, ``tagging`` -> ``tag``); API
  Gateway's management API is authorized by HTTP verb (``apigateway:GET`` ...); SQS's
  batch operations are authorized by their single-message action (botocore's SQS model,
  ``AddPermission``'s ``Actions``: "Specifying SendMessage, DeleteMessage, or
  ChangeMessageVisibility ... also grants permissions for the corresponding batch
  versions"; ``sqs:DeleteMessageBatch`` is not an IAM action).
- :data:`DEPENDENT_ACTIONS`: what AWS makes the *caller* hold besides an API's own action
  (the caller is the deployer: CloudFormation without a service role acts with its
  credentials), each row with the page that says so.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

#: Signing name -> IAM prefix, where they differ (Service Authorization Reference).
IAM_PREFIX = {"monitoring": "cloudwatch", "tagging": "tag"}


@functools.lru_cache(maxsize=256)
def _http_method(service: str, operation: str) -> str:
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model(operation).http["method"]


_BATCH_SENTENCE = re.compile(
    r"Specifying (?P<single>.*?) for .*?also grants permissions for the corresponding batch "
    r"versions of those actions: (?P<batch>.*?)</p>",
    re.S,
)


@functools.lru_cache(maxsize=1)
def sqs_batch_actions() -> dict[str, str]:
    """SQS batch operation -> the IAM action that authorizes it, read from botocore's model."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("sqs")
    shape = model.operation_model("AddPermission").input_shape.members["Actions"]
    found = _BATCH_SENTENCE.search(shape.documentation or "")
    if not found:
        raise RuntimeError(
            "botocore's SQS AddPermission documentation no longer names the batch actions; "
            "read it again and update lab/iam_actions.py"
        )
    single = re.findall(r"<code>(\w+)</code>", found["single"])
    batch = re.findall(r"<code>(\w+)</code>", found["batch"])
    return {b: s for b, s in zip(batch, single, strict=True)}


def iam_action(signing_name: str, operation: str, http_method: str | None = None) -> str:
    """The IAM action AWS evaluates for ``operation`` of the service signed as ``signing_name``.

    API Gateway's management API is authorized by the request's HTTP verb
    (``apigateway:GET|POST|PUT|PATCH|DELETE``): ``http_method``, or the verb botocore's
    model gives the operation.
    """
    prefix = IAM_PREFIX.get(signing_name, signing_name)
    if prefix == "apigateway":
        verb = http_method or _http_method("apigateway", operation)
        return f"apigateway:{verb.upper()}"
    if prefix == "sqs":
        operation = sqs_batch_actions().get(operation, operation)
    return f"{prefix}:{operation}"


@dataclass(frozen=True)
class Dependent:
    """AWS makes whoever calls ``action`` also hold ``needs`` (when ``when`` is set).

    ``resource_type``/``handler``: where CloudFormation calls ``action`` with the caller's
    credentials (the resource type and its handler operation). ``when``: the request (or
    resource) property that must be present and not false for the row to apply.
    """

    action: str
    needs: tuple[str, ...]
    source: str
    resource_type: str | None = None
    handler: str | None = None
    when: str | None = None


LATTICE_API_PERMISSIONS = (
    "https://docs.aws.amazon.com/vpc-lattice/latest/ug/additional-api-permissions.html"
)
EC2_ACTIONS = (
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html"
)
EVENTS_PRIVATE = "https://docs.aws.amazon.com/eventbridge/latest/userguide/connection-private.html"
SFN_LOGS = "https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html"

_ENI = ("ec2:AssignIpv6Addresses", "ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface",
        "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
        "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets")  # fmt: skip
_PRIVATE_CONNECTION = (
    "vpc-lattice:CreateServiceNetworkResourceAssociation",
    "vpc-lattice:GetResourceConfiguration",
    "vpc-lattice:AssociateViaAWSService-EventsAndStates",
    # the association EventBridge makes with the caller's credentials (LATTICE_API_PERMISSIONS,
    # CreateServiceNetworkResourceAssociation)
    "ec2:AssignIpv6Addresses", "ec2:CreateNetworkInterface",
    "ec2:CreateNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces",
)  # fmt: skip
_LOG_DELIVERY = ("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                 "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                 "logs:DescribeResourcePolicies", "logs:DescribeLogGroups")  # fmt: skip

#: Dependent actions AWS documents for what the lab creates (the caller must hold them).
DEPENDENT_ACTIONS: tuple[Dependent, ...] = (
    Dependent(
        "vpc-lattice:CreateResourceGateway",
        _ENI,
        LATTICE_API_PERMISSIONS,
        "AWS::VpcLattice::ResourceGateway",
        "create",
    ),
    Dependent(
        "vpc-lattice:UpdateResourceGateway",
        (*_ENI, "ec2:UnassignPrivateIpAddresses", "ec2:ModifyNetworkInterfaceAttribute"),
        LATTICE_API_PERMISSIONS,
        "AWS::VpcLattice::ResourceGateway",
        "update",
    ),
    Dependent(
        "vpc-lattice:DeleteResourceGateway",
        ("ec2:DeleteNetworkInterface",),
        LATTICE_API_PERMISSIONS,
        "AWS::VpcLattice::ResourceGateway",
        "delete",
    ),
    Dependent(
        "vpc-lattice:CreateResourceConfiguration",
        ("ec2:DescribeSubnets", "rds:DescribeDBInstances", "rds:DescribeDBClusters"),
        LATTICE_API_PERMISSIONS,
        "AWS::VpcLattice::ResourceConfiguration",
        "create",
    ),
    # Service Authorization Reference, CreateVpcEndpoint's dependent actions: the private
    # hosted zone of an interface endpoint with private DNS is associated with the VPC.
    Dependent(
        "ec2:CreateVpcEndpoint",
        ("route53:AssociateVPCWithHostedZone",),
        EC2_ACTIONS,
        "AWS::EC2::VPCEndpoint",
        "create",
        when="PrivateDnsEnabled",
    ),
    Dependent(
        "events:CreateConnection",
        _PRIVATE_CONNECTION,
        EVENTS_PRIVATE,
        "AWS::Events::Connection",
        "create",
        when="InvocationConnectivityParameters",
    ),
    Dependent(
        "events:UpdateConnection",
        _PRIVATE_CONNECTION,
        EVENTS_PRIVATE,
        "AWS::Events::Connection",
        "update",
        when="InvocationConnectivityParameters",
    ),
    Dependent(
        "states:CreateStateMachine",
        _LOG_DELIVERY,
        SFN_LOGS,
        "AWS::StepFunctions::StateMachine",
        "create",
        when="LoggingConfiguration",
    ),
    Dependent(
        "states:UpdateStateMachine",
        _LOG_DELIVERY,
        SFN_LOGS,
        "AWS::StepFunctions::StateMachine",
        "update",
        when="LoggingConfiguration",
    ),
)


def _applies(row: Dependent, properties: dict | None) -> bool:
    if row.when is None:
        return True
    value = (properties or {}).get(row.when)
    if isinstance(value, list):  # a query-protocol parameter
        value = value[0] if value else None
    return value not in (None, False, "false", "")


def dependents_of_call(action: str, params: dict | None) -> set[str]:
    """The documented dependent actions of a direct call to ``action`` with ``params``."""
    return {n for row in DEPENDENT_ACTIONS if row.action == action and _applies(row, params)
            for n in row.needs}  # fmt: skip


def dependents_of_resource(resource_type: str, handler: str, properties: dict | None) -> set[str]:
    """The documented dependent actions CloudFormation's ``handler`` of ``resource_type`` needs."""
    return {
        n
        for row in DEPENDENT_ACTIONS
        if row.resource_type == resource_type and row.handler == handler
        and _applies(row, properties)
        for n in row.needs
    }  # fmt: skip


def handler_permissions(resource_type: str, handler: str) -> set[str]:
    """The permissions CloudFormation's provider schema lists for ``handler`` (cfn-lint's copy)."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as schemas

    handlers = schemas.get_resource_schema("us-east-1", resource_type).schema.get("handlers", {})
    return set(handlers.get(handler, {}).get("permissions", [])) - NOT_IAM_ACTIONS


#: Handler permissions in the schemas that are not IAM actions.
NOT_IAM_ACTIONS = {"s3:REST.PUT.OBJECT"}
