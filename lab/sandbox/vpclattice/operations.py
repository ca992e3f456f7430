"""The operations the sandbox adds to (or completes in) moto's VPC Lattice, named once.

:mod:`.backend` and :mod:`.responses` each define one function per name, set on moto's
backend and response classes in this order (seams in ``__init__``).
"""

from __future__ import annotations

OPERATIONS = (
    "create_resource_gateway",
    "get_resource_gateway",
    "list_resource_gateways",
    "update_resource_gateway",
    "delete_resource_gateway",
    "create_resource_configuration",
    "get_resource_configuration",
    "list_resource_configurations",
    "update_resource_configuration",
    "delete_resource_configuration",
    "create_service_network_resource_association",
    "get_service_network_resource_association",
    "list_service_network_resource_associations",
    "delete_service_network_resource_association",
)
