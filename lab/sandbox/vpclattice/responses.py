"""Response handlers for the operations the sandbox adds to moto's VPC Lattice service.

Each function is named after the botocore operation in snake_case and becomes a
method of moto's ``VPCLatticeResponse`` (which parses parameters from the
botocore model: ``self._get_param("name")`` reads body, path and query alike).
Thin on purpose: parse, call the backend, serialize.
"""

from __future__ import annotations

import json
from typing import Any

from lab.sandbox.vpclattice.operations import OPERATIONS

_JSON = {"Content-Type": "application/json"}


def _reply(body: dict[str, Any] | None, status: int = 200) -> tuple[str, dict[str, Any]]:
    return ("" if body is None else json.dumps(body)), {**_JSON, "status": status}


def _page(self, items: list[Any], render) -> tuple[str, dict[str, Any]]:
    """One page of ``items``; ``nextToken`` is the next offset (opaque to clients)."""
    max_results = self._get_param("maxResults") or 100
    token = self._get_param("nextToken")
    start = int(token) if token and str(token).isdigit() else 0
    page = items[start : start + int(max_results)]
    body: dict[str, Any] = {"items": [render(item) for item in page]}
    if start + int(max_results) < len(items):
        body["nextToken"] = str(start + int(max_results))
    return _reply(body)


# --------------------------------------------------------------------------- gateways


def create_resource_gateway(self):
    gateway = self.backend.create_resource_gateway(
        name=self._get_param("name"),
        vpc_identifier=self._get_param("vpcIdentifier"),
        subnet_ids=self._get_param("subnetIds"),
        security_group_ids=self._get_param("securityGroupIds"),
        ip_address_type=self._get_param("ipAddressType") or "IPV4",
        ipv4_addresses_per_eni=self._get_param("ipv4AddressesPerEni"),
        tags=self._get_param("tags"),
        resource_config_dns_resolution=self._get_param("resourceConfigDnsResolution"),
    )
    return _reply(gateway.to_create_dict(), 201)


def get_resource_gateway(self):
    gateway = self.backend.get_resource_gateway(self._get_param("resourceGatewayIdentifier"))
    return _reply(gateway.to_dict())


def list_resource_gateways(self):
    return _page(self, self.backend.list_resource_gateways(), lambda g: g.to_summary_dict())


def update_resource_gateway(self):
    gateway = self.backend.update_resource_gateway(
        self._get_param("resourceGatewayIdentifier"),
        security_group_ids=self._get_param("securityGroupIds"),
        resource_config_dns_resolution=self._get_param("resourceConfigDnsResolution"),
    )
    return _reply(gateway.to_update_dict())


def delete_resource_gateway(self):
    gateway = self.backend.delete_resource_gateway(self._get_param("resourceGatewayIdentifier"))
    return _reply(
        {"id": gateway.id, "arn": gateway.arn, "name": gateway.name, "status": gateway.status}
    )


# --------------------------------------------------------------------------- configurations


def create_resource_configuration(self):
    configuration = self.backend.create_resource_configuration(
        name=self._get_param("name"),
        type=self._get_param("type"),
        resource_gateway_identifier=self._get_param("resourceGatewayIdentifier"),
        port_ranges=self._get_param("portRanges"),
        protocol=self._get_param("protocol") or "TCP",
        resource_configuration_definition=self._get_param("resourceConfigurationDefinition"),
        allow_association_to_shareable_service_network=self._get_param(
            "allowAssociationToShareableServiceNetwork"
        ),
        tags=self._get_param("tags"),
        resource_configuration_group_identifier=self._get_param(
            "resourceConfigurationGroupIdentifier"
        ),
    )
    return _reply(configuration.to_create_dict(), 201)


def get_resource_configuration(self):
    configuration = self.backend.get_resource_configuration(
        self._get_param("resourceConfigurationIdentifier")
    )
    return _reply(configuration.to_dict())


def list_resource_configurations(self):
    items = self.backend.list_resource_configurations(
        resource_gateway_identifier=self._get_param("resourceGatewayIdentifier"),
        resource_configuration_group_identifier=self._get_param(
            "resourceConfigurationGroupIdentifier"
        ),
    )
    return _page(self, items, lambda c: c.to_summary_dict())


def update_resource_configuration(self):
    configuration = self.backend.update_resource_configuration(
        self._get_param("resourceConfigurationIdentifier"),
        port_ranges=self._get_param("portRanges"),
        resource_configuration_definition=self._get_param("resourceConfigurationDefinition"),
        allow_association_to_shareable_service_network=self._get_param(
            "allowAssociationToShareableServiceNetwork"
        ),
    )
    return _reply(configuration.to_update_dict())


def delete_resource_configuration(self):
    self.backend.delete_resource_configuration(self._get_param("resourceConfigurationIdentifier"))
    return _reply(None, 204)


# --------------------------------------------------------------------------- associations


def create_service_network_resource_association(self):
    association = self.backend.create_service_network_resource_association(
        resource_config_identifier=self._get_param("resourceConfigurationIdentifier"),
        service_network_identifier=self._get_param("serviceNetworkIdentifier"),
        private_dns_enabled=self._get_param("privateDnsEnabled"),
        client_token=self._get_param("clientToken"),
        tags=self._get_param("tags"),
    )
    return _reply(association.to_create_dict(), 201)


def get_service_network_resource_association(self):
    association = self.backend.get_service_network_resource_association(
        self._get_param("serviceNetworkResourceAssociationIdentifier")
    )
    return _reply(association.to_dict())


def list_service_network_resource_associations(self):
    items = self.backend.list_service_network_resource_associations(
        service_network_identifier=self._get_param("serviceNetworkIdentifier"),
        resource_configuration_identifier=self._get_param("resourceConfigurationIdentifier"),
    )
    return _page(self, items, lambda a: a.to_summary_dict())


def delete_service_network_resource_association(self):
    association = self.backend.delete_service_network_resource_association(
        self._get_param("serviceNetworkResourceAssociationIdentifier")
    )
    return _reply({"id": association.id, "arn": association.arn, "status": association.status})


#: The functions set on moto's VPCLatticeResponse, in :data:`.operations.OPERATIONS`' order.
RESPONSE_METHODS = tuple(globals()[name] for name in OPERATIONS)
