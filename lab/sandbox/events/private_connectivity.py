"""What EventBridge does in VPC Lattice for a private connection.

EventBridge owns a service network (in an account of its own) and associates each private
connection's resource configuration with it: a *managed* service-network resource
association (``isManagedAssociation``). :mod:`lab.sandbox.events.models` makes one when a
connection is created or its resource configuration changes, and removes it with the
connection. The association is VPC Lattice's own model
(:class:`lab.sandbox.vpclattice.models.ResourceAssociation`).
"""

from __future__ import annotations

from typing import Any

from lab.sandbox.vpclattice.backend import (
    _associations,
    _remove_association,
    get_resource_configuration,
)
from lab.sandbox.vpclattice.exceptions import ResourceNotFoundException, ValidationException
from lab.sandbox.vpclattice.models import ResourceAssociation

#: EventBridge owns the service network its private connections associate
#: resource configurations with; this stands in for its account.
EVENTBRIDGE_SERVICE_ACCOUNT = "000000000000"
EVENTBRIDGE_SERVICE_NETWORK_NAME = "eventbridge-private-connections"


def eventbridge_service_network(self: Any) -> Any:
    """The service network EventBridge owns in this region (made on first use)."""
    from moto.vpclattice.models import vpclattice_backends

    owner = vpclattice_backends[EVENTBRIDGE_SERVICE_ACCOUNT][self.region_name]
    for network in owner.service_networks.values():
        if network.name == EVENTBRIDGE_SERVICE_NETWORK_NAME:
            return network
    return owner.create_service_network(
        auth_type="NONE",
        client_token=None,
        name=EVENTBRIDGE_SERVICE_NETWORK_NAME,
        sharing_config=None,
        tags=None,
    )


def create_managed_resource_association(
    self: Any, resource_configuration_arn: str
) -> ResourceAssociation:
    """The association EventBridge makes for a private connection (``isManagedAssociation``).

    It always exists once the connection does; if the resource configuration is
    missing its status is CREATE_FAILED (the connection then reports
    FAILED_CONNECTIVITY).
    """
    try:
        configuration = get_resource_configuration(self, resource_configuration_arn)
    except (ResourceNotFoundException, ValidationException):
        configuration = None
    association = ResourceAssociation(
        self,
        eventbridge_service_network(self),
        configuration,
        configuration.arn if configuration else resource_configuration_arn,
        private_dns_enabled=None,
        managed=True,
    )
    _associations(self)[association.id] = association
    return association


def delete_managed_resource_association(self: Any, association_arn: str) -> None:
    """Remove a managed association (the connection using it is going). Missing is fine."""
    association_id = association_arn.rsplit("/", 1)[-1]
    association = _associations(self).get(association_id)
    if association is not None:
        _remove_association(self, association)
