"""Notebook 99: prove nothing the lab created is left, then stop the sandbox."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from botocore.exceptions import ClientError

from lab.clients import client
from lab.config import load_config

COLUMNS = ["service", "resource"]


def _aws_leftovers(stack_name: str, client=client) -> list[tuple[str, str]]:
    """What is left of stack ``stack_name``: the stack itself, and what carries its tag."""
    found: list[tuple[str, str]] = []
    cfn = client("cloudformation")
    try:
        stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
        if stack["StackStatus"] != "DELETE_COMPLETE":
            found.append(("cloudformation", f"{stack_name} ({stack['StackStatus']})"))
    except cfn.exceptions.ClientError as exc:
        if "does not exist" not in str(exc):
            raise
    # Anything CloudFormation created carries its stack-name tag, even if the
    # stack lost track of it (e.g. a resource that failed to delete). The tagging API
    # also returns resources deleted a short while ago (its reference: "previously
    # tagged resources"), so each candidate is confirmed with its own service.
    tagging = client("resourcegroupstaggingapi")
    pages = tagging.get_paginator("get_resources").paginate(
        TagFilters=[{"Key": "aws:cloudformation:stack-name", "Values": [stack_name]}]
    )
    for page in pages:
        for item in page["ResourceTagMappingList"]:
            arn = item["ResourceARN"]
            if still_exists(arn, client):
                found.append((arn.split(":")[2], arn.split(":", 5)[-1]))
    return found


#: Error codes by which a service says "no such resource".
GONE_CODES = frozenset({
    "ResourceNotFoundException", "NotFoundException", "NoSuchEntity",
    "StateMachineDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist", "InvalidVpcID.NotFound", "InvalidSubnetID.NotFound",
    "InvalidGroup.NotFound", "InvalidVpcEndpointId.NotFound",
    "InvalidNetworkInterfaceID.NotFound", "InvalidRouteTableID.NotFound",
})


def _describe(service: str, resource: str, arn: str, client) -> Callable[[], object] | None:
    """The service's own read of the resource named by ``arn`` (None: no check known)."""
    kind, _, rest = resource.replace(":", "/", 1).partition("/")
    one = rest.split("/")
    if service == "states" and kind == "stateMachine":
        return lambda: client("stepfunctions").describe_state_machine(stateMachineArn=arn)
    if service == "logs" and kind == "log-group":
        name = resource.split(":", 1)[1].removesuffix(":*")

        def log_group():
            groups = client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
            if not any(g["logGroupName"] == name for g in groups):
                raise _gone()
        return log_group
    if service == "lambda" and kind == "function":
        return lambda: client("lambda").get_function(FunctionName=arn)
    if service == "sqs":
        return lambda: client("sqs").get_queue_url(QueueName=resource)
    if service == "secretsmanager" and kind == "secret":
        def secret():
            if client("secretsmanager").describe_secret(SecretId=arn).get("DeletedDate"):
                raise _gone()  # scheduled for deletion: nothing of the lab's is in use
        return secret
    if service == "vpc-lattice" and kind == "resourcegateway":
        return lambda: client("vpc-lattice").get_resource_gateway(resourceGatewayIdentifier=arn)
    if service == "vpc-lattice" and kind == "resourceconfiguration":
        return lambda: client("vpc-lattice").get_resource_configuration(
            resourceConfigurationIdentifier=arn)
    if service == "events" and kind == "connection":
        return lambda: client("events").describe_connection(Name=one[0])
    if service == "events" and kind == "api-destination":
        return lambda: client("events").describe_api_destination(Name=one[0])
    if service == "events" and kind == "event-bus":
        return lambda: client("events").describe_event_bus(Name=one[0])
    if service == "events" and kind == "rule":
        bus, name = (one[0], one[1]) if len(one) > 1 else ("default", one[0])
        return lambda: client("events").describe_rule(Name=name, EventBusName=bus)
    if service == "iam" and kind == "role":
        return lambda: client("iam").get_role(RoleName=one[-1])
    if service == "apigateway" and kind == "" and one[:1] == ["restapis"] and len(one) == 2:
        return lambda: client("apigateway").get_rest_api(restApiId=one[1])
    ec2 = {"vpc": ("describe_vpcs", "VpcIds"), "subnet": ("describe_subnets", "SubnetIds"),
           "security-group": ("describe_security_groups", "GroupIds"),
           "vpc-endpoint": ("describe_vpc_endpoints", "VpcEndpointIds"),
           "route-table": ("describe_route_tables", "RouteTableIds")}
    if service == "ec2" and kind in ec2:
        method, parameter = ec2[kind]

        def ec2_resource():
            answer = getattr(client("ec2"), method)(**{parameter: [one[0]]})
            items = next((v for k, v in answer.items() if isinstance(v, list)), [])
            if not items or items[0].get("State") in ("deleted", "deleting"):
                raise _gone()
        return ec2_resource
    return None


def _gone() -> ClientError:
    return ClientError({"Error": {"Code": "ResourceNotFoundException",
                                  "Message": "gone"}}, "Describe")


def still_exists(arn: str, client=client) -> bool:
    """False when the resource's own service says it is gone; True otherwise (also when
    the lab knows no check for it, or the check itself failed: better a row too many)."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return True
    describe = _describe(parts[2], parts[5], arn, client)
    if describe is None:
        return True
    try:
        describe()
    except ClientError as exc:
        return exc.response.get("Error", {}).get("Code") not in GONE_CODES
    return True


def leftovers() -> pd.DataFrame:
    """Everything of the lab's that still exists: one row per resource, empty when clean.

    The sandbox enumerates every backend the stacks touch (EC2, API Gateway,
    Secrets Manager, VPC Lattice, EventBridge, Step Functions, IAM, Logs, SQS, Lambda); in
    aws mode the lab looks for both stacks (the lab's and its ``-LambdaProxy``) and for
    anything tagged with either name.
    """
    cfg = load_config()
    if cfg.is_sandbox:
        from lab import sandbox

        if not sandbox.status().get("running"):
            return _described(pd.DataFrame(columns=COLUMNS), cfg, "the sandbox is not running")
        found = sandbox.leftovers()
        rows = [(service, name) for service, names in sorted(found.items()) for name in names]
    else:
        from cdk_app.names import proxy_stack_name

        # The lab's stack and its "before" stack (lab.lambda_proxy).
        rows = [*_aws_leftovers(cfg.stack_name), *_aws_leftovers(proxy_stack_name(cfg.stack_name))]
    return _described(pd.DataFrame(rows, columns=COLUMNS), cfg)


def _described(table: pd.DataFrame, cfg, why: str = "") -> pd.DataFrame:
    """The table with the sentence a notebook shows for it (lab.display): empty says clean."""
    where = ("in the sandbox" + (f" ({why})" if why else "") if cfg.is_sandbox
             else f"in {cfg.region} (the stack, and anything tagged with its name)")
    table.attrs["empty"] = f"Nothing of the lab's stack {cfg.stack_name} is left {where}."
    if not table.empty:
        table.attrs["caption"] = (f"{len(table)} resource(s) of the lab's stack "
                                  f"{cfg.stack_name} still exist {where}.")
    return table


def stop_sandbox() -> str:
    """Stop the sandbox process (a no-op in aws mode, or when it is not running)."""
    if not load_config().is_sandbox:
        return "aws mode: no sandbox to stop"
    from lab import sandbox

    return sandbox.stop()
