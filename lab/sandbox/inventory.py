"""What is left in the sandbox's backends: the proof that a stack's deletion is complete.

``leftovers(account, region)`` lists, per service, every resource of the kinds
the lab's stack creates that still exists, ignoring what moto creates by
itself (the default VPC and its subnets, route table, network ACL and
security group; the default event bus; AWS managed IAM policies). After
``DELETE_COMPLETE`` every list must be empty.

It reads moto's backends directly (in-process or inside the sandbox server)
and never creates one: a backend nobody touched has nothing left in it.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from typing import Any

SERVICES = (
    "ec2",
    "apigateway",
    "secretsmanager",
    "vpclattice",
    "events",
    "stepfunctions",
    "iam",
    "logs",
    "sqs",
    "lambda",
)


def leftovers(account_id: str, region_name: str) -> dict[str, list[str]]:
    """Per service, a description of every remaining resource (empty lists when clean)."""
    return {service: sorted(_FINDERS[service](account_id, region_name)) for service in SERVICES}


def is_clean(found: dict[str, list[str]]) -> bool:
    """True when ``leftovers()`` found nothing."""
    return not any(found.values())


def _existing(backends: Any, account_id: str, region_name: str) -> Any | None:
    """The backend if it was ever created; ``None`` otherwise (looking must not create it)."""
    if account_id not in dict.keys(backends):
        return None
    per_region = dict.__getitem__(backends, account_id)
    return dict.get(per_region, region_name)


def _reads(backends: str, region: str | None = None):
    """A finder of what is left in one backend: moto's ``module:name`` backends for the
    account and region (``region`` for a global service), if that backend was ever created."""

    def decorate(finder: Callable[[Any], Iterable[str]]) -> Callable[[str, str], Iterable[str]]:
        @functools.wraps(finder)
        def find(account_id: str, region_name: str) -> Iterable[str]:
            module, _, name = backends.partition(":")
            backend_dict = getattr(importlib.import_module(module), name)
            backend = _existing(backend_dict, account_id, region or region_name)
            return () if backend is None else finder(backend)

        return find

    return decorate


@_reads("moto.ec2.models:ec2_backends")
def _ec2(ec2: Any) -> Iterable[str]:
    defaults = {vpc.id for vpc in ec2.vpcs.values() if vpc.is_default}
    for vpc in ec2.vpcs.values():
        if vpc.id not in defaults:
            yield f"vpc {vpc.id}"
    for subnet in _subnets(ec2):
        if subnet.vpc_id not in defaults:
            yield f"subnet {subnet.id}"
    for table in ec2.route_tables.values():
        if table.vpc_id not in defaults:
            yield f"route table {table.id}"
    for acl in ec2.network_acls.values():
        if acl.vpc_id not in defaults:
            yield f"network ACL {acl.id}"
    for vpc_id, groups in ec2.groups.items():
        if vpc_id not in defaults:
            for group in groups.values():
                yield f"security group {group.id} ({group.name})"
    for pair in getattr(ec2, "subnet_associations", {}):  # moto's own CFN model's records
        yield f"subnet route table association {pair}"
    for endpoint in ec2.vpc_end_points.values():
        # A deleted endpoint stays listed with state "deleted" for a while, as on AWS.
        if endpoint.state != "deleted":
            yield f"VPC endpoint {endpoint.id} ({endpoint.state})"
    for eni in ec2.enis.values():
        yield f"network interface {eni.id} ({eni.description or 'no description'})"
    for kind in ("internet_gateways", "nat_gateways", "transit_gateways", "vpc_pcxs"):
        for item_id in getattr(ec2, kind, {}):
            yield f"{kind} {item_id}"


def _subnets(ec2: Any) -> Iterable[Any]:
    for by_zone in ec2.subnets.values():
        yield from by_zone.values()


@_reads("moto.apigateway.models:apigateway_backends")
def _apigateway(apis: Any) -> Iterable[str]:
    for api in apis.apis.values():
        yield f"REST API {api.id} ({api.name})"
    for key in apis.keys.values():
        yield f"API key {key.id} ({key.name})"
    for plan in apis.usage_plans.values():
        yield f"usage plan {plan.id} ({plan.name})"
    for plan_id, keys in apis.usage_plan_keys.items():
        for key_id in keys:
            yield f"usage plan key {key_id} in plan {plan_id}"
    for link_id in apis.vpc_links:
        yield f"VPC link {link_id}"
    for name in apis.domain_names:
        yield f"domain name {name}"


@_reads("moto.secretsmanager.models:secretsmanager_backends")
def _secretsmanager(secrets: Any) -> Iterable[str]:
    for secret in dict.values(secrets.secrets):
        state = " (scheduled for deletion)" if secret.is_deleted() else ""
        yield f"secret {secret.name}{state}"


@_reads("moto.vpclattice.models:vpclattice_backends")
def _vpclattice(lattice: Any) -> Iterable[str]:
    # Every collection the backend keeps (moto's and the sandbox's additions:
    # resource gateways, resource configurations, associations...).
    for name, collection in vars(lattice).items():
        if isinstance(collection, dict) and not name.startswith("_") and name != "tagger":
            for item_id in collection:
                yield f"{name} {item_id}"


@_reads("moto.events.models:events_backends")
def _events(events: Any) -> Iterable[str]:
    for name in events.connections:
        yield f"connection {name}"
    for name in getattr(events, "destinations", {}):
        yield f"API destination {name}"
    for name, bus in events.event_buses.items():
        if name != "default":
            yield f"event bus {name}"
        for rule_name in getattr(bus, "rules", {}):
            yield f"rule {rule_name} on {name}"


def _stepfunctions(account_id: str, region_name: str) -> Iterable[str]:
    from moto.stepfunctions.models import stepfunctions_backends
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    # State machines live in whichever backend was active when they were made.
    for label, backends in (
        ("", stepfunctions_backends),
        (" (executing backend)", stepfunctions_parser_backends),
    ):
        sfn = _existing(backends, account_id, region_name)
        if sfn is None:
            continue
        for machine in sfn.state_machines:
            yield f"state machine {machine.arn}{label}"
        for activity_arn in getattr(sfn, "activities", {}):
            yield f"activity {activity_arn}{label}"


@_reads("moto.iam.models:iam_backends", region="aws")
def _iam(iam: Any) -> Iterable[str]:
    # IAM is global: moto keeps it under the partition's name.
    for role in iam.roles.values():
        yield f"role {role.name}"
        for policy_name in role.policies:
            yield f"inline policy {policy_name} of role {role.name}"
    for user in iam.users.values():
        yield f"user {user.name}"
    for arn in iam.managed_policies:
        if ":aws:policy/" not in arn:  # AWS managed policies come with moto
            yield f"managed policy {arn}"
    for profile in getattr(iam, "instance_profiles", {}).values():
        yield f"instance profile {profile.name}"


@_reads("moto.logs.models:logs_backends")
def _logs(logs: Any) -> Iterable[str]:
    for name in logs.groups:
        yield f"log group {name}"


@_reads("moto.sqs.models:sqs_backends")
def _sqs(sqs: Any) -> Iterable[str]:
    for name in sqs.queues:
        yield f"queue {name}"


@_reads("moto.awslambda.models:lambda_backends")
def _lambda(lambdas: Any) -> Iterable[str]:
    # The "before" stack's proxy (cdk_app/lambda_proxy.py).
    for function in lambdas._lambdas.all():
        yield f"function {function.function_name}"


_FINDERS = {
    "ec2": _ec2,
    "apigateway": _apigateway,
    "secretsmanager": _secretsmanager,
    "vpclattice": _vpclattice,
    "events": _events,
    "stepfunctions": _stepfunctions,
    "iam": _iam,
    "logs": _logs,
    "sqs": _sqs,
    "lambda": _lambda,
}
