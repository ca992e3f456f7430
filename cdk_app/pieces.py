"""The pieces of the stack a learner writes in notebook 08, and the kit's reference versions.

Each piece is one function with a documented signature (see the function each field
names). The lab's own stack is built from :data:`REFERENCE`; ``lab.check`` builds an
exercise stack with one field replaced by the learner's function
(``dataclasses.replace(REFERENCE, gateway_security_group=their_function)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cdk_app import connection, event_delivery, lattice, workflows


@dataclass(frozen=True)
class Pieces:
    """The functions the stack calls for the parts a learner can write."""

    #: ``(scope, *, vpc, vpc_cidr) -> ec2.SecurityGroup``
    gateway_security_group: Callable = lattice.resource_gateway_security_group
    #: ``(scope, *, name, vpc, subnet_ids, security_group) -> vpclattice.CfnResourceGateway``
    resource_gateway: Callable = lattice.resource_gateway
    #: ``(endpoint: ec2.InterfaceVpcEndpoint) -> str`` (a CloudFormation expression)
    dns_target: Callable = lattice.endpoint_regional_dns_name
    #: ``(scope, *, name, gateway, domain_name) -> vpclattice.CfnResourceConfiguration``
    resource_configuration: Callable = lattice.resource_configuration
    #: ``(resource_configuration) -> events.CfnConnection.InvocationConnectivityParametersProperty``
    private_connectivity: Callable = connection.private_connectivity
    #: ``(task: tasks.HttpInvoke) -> tasks.HttpInvoke`` (adds the warm-up Retry)
    warmup_retry: Callable = workflows.connection_warmup_retry
    #: ``(*, connection: events.IConnection, api_endpoint: str) -> list[iam.PolicyStatement]``
    http_task_policy: Callable = workflows.http_task_policy
    #: ``(api_destination, *, event, dead_letter_queue, settings) -> targets.ApiDestination``
    rule_target: Callable = event_delivery.api_destination_target


REFERENCE = Pieces()
