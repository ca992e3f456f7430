"""Sandbox extension: VPC Lattice resource gateways, resource configurations, associations.

Written the way moto writes a service (``models.py``, ``responses.py``,
``urls.py``, ``exceptions.py``) and plugged into moto's own ``vpclattice``
service rather than beside it (moto derives a backend's URL module from its
class's module, so a subclass would not route):

- backend methods are set on ``moto.vpclattice.models.VPCLatticeBackend``;
- response methods on ``moto.vpclattice.responses.VPCLatticeResponse``;
- URL patterns are added to ``moto.vpclattice.urls.url_paths``.

moto finds the operation for a request from botocore's model, so nothing else
is needed. ``apply()`` must run before moto builds the service's app (server
mode: before the first request).
"""

from __future__ import annotations

_applied = False


def apply() -> None:
    """Patch moto's vpclattice service. Idempotent."""
    global _applied
    if _applied:
        return
    from moto.vpclattice import models as moto_models
    from moto.vpclattice import responses as moto_responses
    from moto.vpclattice import urls as moto_urls

    from lab.sandbox.vpclattice import models, responses, urls

    for function in models.BACKEND_METHODS:
        setattr(moto_models.VPCLatticeBackend, function.__name__, function)
    for function in responses.RESPONSE_METHODS:
        setattr(moto_responses.VPCLatticeResponse, function.__name__, function)
    moto_urls.url_paths.update(urls.url_paths)
    network_class = moto_models.VPCLatticeServiceNetwork
    if not getattr(network_class.__init__, "__lab_patched__", False):
        network_class.__init__ = models.seeded_service_network_ids(network_class.__init__)
    _applied = True


def lattice_backend(account_id: str, region: str):
    """moto's VPC Lattice backend for one account and region (with the sandbox's methods)."""
    apply()
    from moto.vpclattice.models import vpclattice_backends

    return vpclattice_backends[account_id][region]
