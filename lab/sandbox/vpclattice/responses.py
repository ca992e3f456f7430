"""Response handlers for the operations the sandbox adds to moto's VPC Lattice service.

Every operation is the same three steps: read its request members, call the backend
function of the same name (:mod:`.backend`), render the model it returns. Only what
differs is written per operation, as data (:data:`SHAPES`); :func:`respond` makes the
method moto's ``VPCLatticeResponse`` gets for each name in :data:`.operations.OPERATIONS`
(moto parses parameters from the botocore model: ``self._get_param("name")`` reads
body, path and query alike).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lab.sandbox.members import snake
from lab.sandbox.paging import page
from lab.sandbox.vpclattice.operations import OPERATIONS

_JSON = {"Content-Type": "application/json"}

GATEWAY_ID = "resourceGatewayIdentifier"
CONFIGURATION_ID = "resourceConfigurationIdentifier"
ASSOCIATION_ID = "serviceNetworkResourceAssociationIdentifier"


@dataclass(frozen=True)
class Shape:
    """How one operation's request reaches its backend function and its answer comes back."""

    #: the path member passed first, by position ("" for none)
    identifier: str = ""
    #: request members passed by keyword, each as its snake_case name
    members: tuple[str, ...] = ()
    #: a member's value when the request leaves it out (or empty)
    defaults: dict[str, Any] = field(default_factory=dict)
    #: the returned model's method that renders the body ("": no body)
    render: str = "to_dict"
    status: int = 200
    #: a List operation: a page of the returned list, each item ``to_summary_dict()``
    paged: bool = False


SHAPES: dict[str, Shape] = {
    "create_resource_gateway": Shape(
        members=("name", "vpcIdentifier", "subnetIds", "securityGroupIds", "ipAddressType",
                 "ipv4AddressesPerEni", "tags", "resourceConfigDnsResolution"),
        defaults={"ipAddressType": "IPV4"}, render="to_create_dict", status=201,
    ),
    "get_resource_gateway": Shape(GATEWAY_ID),
    "list_resource_gateways": Shape(paged=True),
    "update_resource_gateway": Shape(
        GATEWAY_ID, ("securityGroupIds", "resourceConfigDnsResolution"), render="to_update_dict"
    ),
    "delete_resource_gateway": Shape(GATEWAY_ID, render="to_delete_dict"),
    "create_resource_configuration": Shape(
        members=("name", "type", GATEWAY_ID, "portRanges", "protocol",
                 "resourceConfigurationDefinition", "allowAssociationToShareableServiceNetwork",
                 "tags", "resourceConfigurationGroupIdentifier"),
        defaults={"protocol": "TCP"}, render="to_create_dict", status=201,
    ),
    "get_resource_configuration": Shape(CONFIGURATION_ID),
    "list_resource_configurations": Shape(
        members=(GATEWAY_ID, "resourceConfigurationGroupIdentifier"), paged=True
    ),
    "update_resource_configuration": Shape(
        CONFIGURATION_ID,
        ("portRanges", "resourceConfigurationDefinition",
         "allowAssociationToShareableServiceNetwork"),
        render="to_update_dict",
    ),
    "delete_resource_configuration": Shape(CONFIGURATION_ID, render="", status=204),
    "create_service_network_resource_association": Shape(
        members=(CONFIGURATION_ID, "serviceNetworkIdentifier", "privateDnsEnabled",
                 "clientToken", "tags"),
        render="to_create_dict", status=201,
    ),
    "get_service_network_resource_association": Shape(ASSOCIATION_ID),
    "list_service_network_resource_associations": Shape(
        members=("serviceNetworkIdentifier", CONFIGURATION_ID), paged=True
    ),
    "delete_service_network_resource_association": Shape(
        ASSOCIATION_ID, render="to_delete_dict"
    ),
}


def _reply(body: dict[str, Any] | None, status: int = 200) -> tuple[str, dict[str, Any]]:
    return ("" if body is None else json.dumps(body)), {**_JSON, "status": status}


def _page(self, items: list[Any]) -> tuple[str, dict[str, Any]]:
    """One page of ``items`` (:func:`lab.sandbox.paging.page`)."""
    body = page(items, self._get_param("maxResults"), self._get_param("nextToken"), "items",
                "nextToken")
    body["items"] = [item.to_summary_dict() for item in body["items"]]
    return _reply(body)


def respond(name: str, shape: Shape):
    """The ``VPCLatticeResponse`` method for operation ``name`` (snake_case)."""
    arguments = {snake(member): member for member in shape.members}

    def method(self):
        given = [self._get_param(shape.identifier)] if shape.identifier else []
        keywords = {}
        for argument, member in arguments.items():
            value = self._get_param(member)
            if not value and member in shape.defaults:
                value = shape.defaults[member]
            keywords[argument] = value
        result = getattr(self.backend, name)(*given, **keywords)
        if shape.paged:
            return _page(self, result)
        return _reply(getattr(result, shape.render)() if shape.render else None, shape.status)

    method.__name__ = method.__qualname__ = name
    return method


#: The functions set on moto's VPCLatticeResponse, in :data:`.operations.OPERATIONS`' order.
RESPONSE_METHODS = tuple(respond(name, SHAPES[name]) for name in OPERATIONS)
