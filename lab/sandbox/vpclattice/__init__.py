"""Sandbox extension: VPC Lattice resource gateways, resource configurations, associations.

Written the way moto writes a service (``models.py``, ``responses.py``,
``urls.py``, ``exceptions.py``) and plugged into moto's own ``vpclattice``
service rather than beside it (moto derives a backend's URL module from its
class's module, so a subclass would not route):

- backend methods are set on ``moto.vpclattice.models.VPCLatticeBackend``;
- response methods on ``moto.vpclattice.responses.VPCLatticeResponse``;
- URL patterns are added to ``moto.vpclattice.urls.url_paths``

(:func:`seams`, installed by :mod:`lab.sandbox.seams`).

moto finds the operation for a request from botocore's model, so nothing else
is needed. ``apply()`` must run before moto builds the service's app (server
mode: before the first request).

Imports: ``responses`` -> ``operations`` and ``paging``; ``backend`` -> ``models``,
``validation``, ``exceptions``, ``operations`` and ``ec2.models``; ``cloudformation`` ->
``cloudformation.base``; ``__init__`` -> ``seams`` (its ``apply``). ``events`` imports ``backend``
and ``models`` (private connectivity), never the other way.
"""

from __future__ import annotations

from lab.sandbox.seams import applier

#: moto's own VPCLatticeBackend/VPCLatticeResponse methods the sandbox replaces (the rest are new).
MOTO_METHODS = (
    "create_service_network_resource_association",
    "get_service_network_resource_association",
    "list_service_network_resource_associations",
)


def seams():
    """The VPC Lattice seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam, methods
    from lab.sandbox.vpclattice import backend, models, responses, urls

    contracts = "tests/contracts/test_moto_vpclattice.py::"
    return (
        *methods(
            "lab.sandbox.vpclattice.backend",
            "moto.vpclattice.models:VPCLatticeBackend",
            backend.BACKEND_METHODS,
            why="moto has no resource gateways or resource configurations",
            contract=contracts + "test_the_backend_class_is_where_methods_are_added",
            replaces=MOTO_METHODS,
        ),
        *methods(
            "lab.sandbox.vpclattice.responses",
            "moto.vpclattice.responses:VPCLatticeResponse",
            responses.RESPONSE_METHODS,
            why="moto answers none of the resource gateway and configuration operations",
            contract=contracts
            + "test_the_response_class_parses_parameters_from_the_botocore_model",
            replaces=MOTO_METHODS,
        ),
        Seam(
            "lab.sandbox.vpclattice.urls",
            "moto.vpclattice.urls:url_paths",
            urls.url_paths,
            "the new operations' paths must reach VPCLatticeResponse",
            contracts + "test_urls_are_a_module_level_dict_of_dispatch_handlers",
            kind="extend",
        ),
        Seam(
            "lab.sandbox.vpclattice.models",
            "moto.vpclattice.models:VPCLatticeServiceNetwork.__init__",
            models.seeded_service_network_ids,
            "moto's sn- ids match neither botocore's pattern nor /moto-api/seed",
            contracts + "test_service_network_init_takes_region_and_account_first",
            kind="wrap",
        ),
    )


apply = applier(__name__)


def lattice_backend(account_id: str, region: str):
    """moto's VPC Lattice backend for one account and region (with the sandbox's methods)."""
    apply()
    from moto.vpclattice.models import vpclattice_backends

    return vpclattice_backends[account_id][region]
