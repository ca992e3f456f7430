"""The modelled network path from an HTTP Task or an API destination to the private API.

On AWS, a connection with private connectivity carries the request through its VPC
Lattice resource configuration to the resource gateway in the VPC, which opens a TCP
connection to whatever the configuration's DNS name resolves to: here, the execute-api
VPC endpoint's ENIs. The sandbox checks every link of that path against the deployed
resources, in the order a packet meets them:

1. the resource configuration exists and is ACTIVE, and allows port 443;
2. its resource gateway exists and is ACTIVE;
3. its ``dnsResource.domainName`` is the DNS name of a VPC endpoint (DNS resolution);
4. that endpoint is available and in the gateway's VPC (routing);
5. a gateway security group allows egress tcp/443 to an endpoint ENI address or to the
   endpoint's security group;
6. an endpoint security group allows ingress tcp/443 from a gateway ENI address (or its
   subnet) or from the gateway's security group.

Security groups are stateful (replies are always allowed); network ACLs and route tables
are not modelled (a VPC's local route always exists).

**Fast failure.** On AWS a dropped SYN (a missing security group rule, a name that resolves
to an unreachable address) surfaces only when the HTTP Task's 60-second socket timeout
expires, as ``States.Http.Socket``. The sandbox knows the cause at once, so it fails at
once, with the same error and a cause that names the broken link.

When the path holds, the sender (:mod:`lab.sandbox.stepfunctions.transport`) sends the
request over a real TCP socket to the sandbox's data plane on 127.0.0.1, with the API's
``Host`` header and ``x-lab-source-vpce`` naming the endpoint it arrived through (that is
how the data plane evaluates ``aws:SourceVpce``), plus a proof that this path sent it
(``lab.sandbox.access``): the data plane refuses requests without.

A connection **without** private connectivity reaches only what is public. Public DNS
answers ``<api-id>.execute-api.<region>.amazonaws.com`` for every API id with API Gateway's
public front end, so the call arrives there, not through a VPC endpoint. A private API is
invocable only through an interface VPC endpoint, so API Gateway answers ``403
{"message": "Forbidden"}`` (AWS Knowledge Center "api-gateway-vpc-connections": the default
execute-api URL of a private API, used from outside the VPC, gives 403) and the task fails
with ``States.Http.StatusCode.403``. The sandbox sends such a request to the data plane with
no ``x-lab-source-vpce`` header, which refuses it exactly so. Public (REGIONAL/EDGE) APIs
deployed in the sandbox answer; any other host is out of reach (the sandbox has no internet).

The package:

- :mod:`.path`: the checks, link by link (:func:`private_route`, :func:`public_route`);
- :mod:`.security_groups`: which security-group rule lets tcp/443 through to whom;
- :mod:`.errors`: what a call through a connection fails with (shared by both senders);
- here: where the data plane listens (:func:`dataplane_address`).

Step Functions' HTTP Task (:mod:`lab.sandbox.stepfunctions.http_task`) and EventBridge's API
destination delivery (:mod:`lab.sandbox.events.delivery`) take a route from here and send
along it with :mod:`lab.sandbox.stepfunctions.transport`; nothing here imports them.

Imports: ``dataplane.hosts``, ``ec2`` and ``events.runtime`` (``path``); ``stepfunctions``,
``events.delivery`` and the server import it.
"""

from __future__ import annotations

from lab.sandbox.network.path import Route, private_route, public_route
from lab.sandbox.network.security_groups import HTTPS_PORT

__all__ = [
    "HTTPS_PORT",
    "Route",
    "dataplane_address",
    "private_route",
    "public_route",
    "restore_dataplane_address",
    "set_dataplane_address",
    "use_config_generation",
]

#: ``(host, port)`` of the data plane in this process: set by whoever serves it (the sandbox
#: server when it binds its port, an in-process test's ephemeral data plane); None: none.
_dataplane: tuple[str, int] | None = None


def set_dataplane_address(host: str | None, port: int | None = None) -> tuple[str, int] | None:
    """Point HTTP Tasks at the data plane serving on ``host:port`` (None: there is none).

    Returns the address it replaces, so a caller can put it back.
    """
    global _dataplane
    previous = _dataplane
    _dataplane = None if host is None else (host, int(port))
    return previous


def restore_dataplane_address(previous: tuple[str, int] | None) -> None:
    """Put back what :func:`set_dataplane_address` returned."""
    set_dataplane_address(*(previous or (None,)))


def use_config_generation(generation) -> None:
    """Let :func:`private_route` keep routes while ``generation`` stays the same (None: never).

    The sandbox server passes the counter it bumps around every call that can change a
    VPC, endpoint, security group or VPC Lattice resource; in-process callers change moto
    directly, so without one every route is checked anew.
    """
    from lab.sandbox.network import path

    path.ROUTES.generation = generation
    path.ROUTES.clear()


def dataplane_address() -> tuple[str, int]:
    """Where the data plane serves; ``States.Http.Socket`` if nothing in this process set it."""
    if _dataplane is None:
        from lab.sandbox.network.errors import SocketError

        raise SocketError(
            "Unable to connect: no private API data plane serves in this process (the sandbox "
            "server sets its address when it starts; in-process, call "
            "lab.sandbox.network.set_dataplane_address)."
        )
    return _dataplane
