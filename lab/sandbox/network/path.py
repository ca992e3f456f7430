"""The path's checks: every link from a connection's resource configuration to the endpoint.

:func:`private_route` checks the links in the order a packet meets them (see
:mod:`lab.sandbox.network`) and returns the :class:`Route` the request takes, or raises the
error the first broken link gives; :func:`public_route` is the route of a connection
without private connectivity. The security-group arithmetic is
:mod:`lab.sandbox.network.security_groups`; sending is the callers' transport
(:mod:`lab.sandbox.stepfunctions.transport`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lab.sandbox.dataplane.hosts import public_api_host
from lab.sandbox.network.errors import (
    CONNECTION_INVALID_PRIVATE_STATE,
    HttpTaskError,
    SocketError,
)
from lab.sandbox.network.security_groups import (
    HTTPS_PORT,
    endpoint_side,
    eni_addresses,
    https_peer,
)

if TYPE_CHECKING:
    from lab.sandbox.events.runtime import ConnectionRuntime


@dataclass(frozen=True)
class Route:
    """How a request reaches the data plane: through which VPC endpoint, over which links."""

    source_vpce: str | None
    hops: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- resources


def _ec2(account: str, region: str):
    from moto.ec2.models import ec2_backends

    return ec2_backends[account][region]


def _broken_private_connection(cause: str) -> HttpTaskError:
    return HttpTaskError(CONNECTION_INVALID_PRIVATE_STATE, cause)


def _port_allowed(port_ranges: list[str] | None, port: int) -> bool:
    if not port_ranges:
        return True
    for entry in port_ranges:
        low, _, high = str(entry).partition("-")
        if low.isdigit() and int(low) <= port <= int(high or low):
            return True
    return False


# --------------------------------------------------------------------------- the path


def _gateway_sources(ec2: Any, gateway: Any):
    """Addresses (and, without ENIs, subnets) the gateway's connections leave from."""
    addresses: list[str] = []
    for eni_id in gateway.network_interface_ids:
        eni = ec2.enis.get(eni_id)
        if eni is not None:
            addresses.extend(eni_addresses(eni))
    networks: list[str] = []
    if not addresses:
        # No ENIs known: any address in the gateway's subnets is a possible source.
        for subnet_id in gateway.subnet_ids:
            try:
                networks.append(ec2.get_subnet(subnet_id).cidr_block)
            except Exception:
                continue
    return addresses, networks


class _RouteCache:
    """Routes that held, by what they were checked from, while the generation stands.

    Only a path that holds is kept (a broken one may heal with time: a resource turning
    ACTIVE), and the resource configuration's and gateway's own state and ports are checked
    on every call. Everything after them (DNS, the endpoint, security groups, ENIs) changes
    only through a call that bumps the generation
    (:func:`lab.sandbox.network.use_config_generation`).
    """

    SIZE = 256

    def __init__(self) -> None:
        self.generation = None
        self._routes: dict[Any, Route] = {}
        self._at: int | None = None

    def now(self) -> int | None:
        """The generation now (None: no counter, nothing is kept)."""
        generation = self.generation
        return None if generation is None else generation.value

    def get(self, key: Any, at: int | None) -> Route | None:
        if at is None or self._at != at:
            return None
        return self._routes.get(key)

    def put(self, key: Any, route: Route, at: int | None) -> None:
        """Keep ``route``, checked from generation ``at``, unless the generation moved since."""
        if at is None or self.now() != at:
            return
        if self._at != at or len(self._routes) >= self.SIZE:
            self._routes = {}
            self._at = at
        self._routes[key] = route

    def clear(self) -> None:
        self._routes, self._at = {}, None


ROUTES = _RouteCache()


def private_route(connection: ConnectionRuntime) -> Route:
    """Check every link from the connection's resource configuration to the endpoint.

    ``connection`` carries the models it was resolved with (the resource configuration
    and its gateway). Returns the :class:`Route` when the path holds; raises
    :class:`HttpTaskError` naming the first broken link otherwise.
    """
    arn = connection.resource_configuration_arn
    configuration = connection.resource_configuration
    if configuration is None:
        raise _broken_private_connection(
            f"The connection's resource configuration {arn} does not exist; recreate it "
            "or point the connection at an existing one."
        )
    rc_name = configuration.id
    if configuration.status != "ACTIVE":
        raise _broken_private_connection(
            f"The connection's resource configuration {rc_name} is "
            f"{configuration.status}, not ACTIVE."
        )
    if not _port_allowed(configuration.port_ranges, HTTPS_PORT):
        raise SocketError(
            f"Resource configuration {rc_name} does not allow port {HTTPS_PORT} "
            f"(portRanges {configuration.port_ranges}): the HTTPS connection was refused."
        )

    gateway_id = configuration.resource_gateway_id or ""
    gateway = connection.resource_gateway
    if gateway is None:
        raise _broken_private_connection(
            f"Resource configuration {rc_name} names resource gateway {gateway_id!r}, "
            "which does not exist."
        )
    if gateway.status != "ACTIVE":
        raise _broken_private_connection(
            f"Resource gateway {gateway_id} is {gateway.status}, not ACTIVE."
        )
    gateway_vpc = gateway.vpc_id
    key = (
        configuration.arn,
        configuration.domain_name,
        gateway_id,
        gateway_vpc,
        tuple(gateway.security_group_ids or ()),
        tuple(gateway.network_interface_ids or ()),
        tuple(gateway.subnet_ids or ()),
    )
    at = ROUTES.now()  # before the checks: a change made meanwhile keeps this route out
    known = ROUTES.get(key, at)
    if known is not None:
        return known
    route = _route_from_gateway(configuration, rc_name, gateway, gateway_id, gateway_vpc)
    ROUTES.put(key, route, at)
    return route


def _route_from_gateway(configuration, rc_name: str, gateway, gateway_id: str, gateway_vpc):
    """The links after the gateway: DNS, the endpoint, both sides' security groups."""
    domain = (configuration.domain_name or "").rstrip(".")
    if not domain:
        raise SocketError(
            f"Resource configuration {rc_name} has no dnsResource domain name, so the "
            "resource gateway has nowhere to send the request."
        )
    from lab.sandbox.ec2 import endpoint_for_dns_name

    # arn:aws:vpc-lattice:<region>:<account>:resourceconfiguration/rcfg-...
    _, _, _, rc_region, rc_account, _ = configuration.arn.split(":", 5)
    ec2 = _ec2(rc_account, rc_region)
    endpoint = endpoint_for_dns_name(rc_account, rc_region, domain)
    if endpoint is None:
        raise SocketError(
            f"DNS: {domain} (the domain name of resource configuration {rc_name}) does not "
            "resolve to any VPC endpoint; set it to the execute-api endpoint's DNS name."
        )
    if getattr(endpoint, "state", "available") != "available":
        raise SocketError(f"VPC endpoint {endpoint.id} is {endpoint.state}, not available.")
    if endpoint.vpc_id != gateway_vpc:
        raise SocketError(
            f"Routing: {domain} resolves to VPC endpoint {endpoint.id} in {endpoint.vpc_id}, "
            f"but resource gateway {gateway_id} is in {gateway_vpc}; the gateway has no route "
            "to it (the request would time out after 60 s on AWS)."
        )
    if not str(endpoint.service_name).endswith(".execute-api"):
        raise SocketError(
            f"{domain} is VPC endpoint {endpoint.id} for {endpoint.service_name}, not for "
            "execute-api: the TLS handshake for the API's host name fails there."
        )

    endpoint_addresses, endpoint_group_ids = endpoint_side(ec2, endpoint)
    gateway_group_ids = list(gateway.security_group_ids)
    gateway_addresses, gateway_networks = _gateway_sources(ec2, gateway)

    egress_peer = https_peer(
        ec2, gateway_group_ids, "egress", endpoint_addresses, [], set(endpoint_group_ids)
    )
    if egress_peer is None:
        raise SocketError(
            f"Security group: no egress rule of resource gateway {gateway_id}'s security "
            f"group(s) {', '.join(gateway_group_ids) or '(none)'} allows tcp/{HTTPS_PORT} to "
            f"VPC endpoint {endpoint.id} ({', '.join(endpoint_addresses) or 'no addresses'}); "
            f"the connection attempt is dropped (AWS reports it after the 60 s timeout)."
        )

    ingress_peer = https_peer(
        ec2,
        endpoint_group_ids,
        "ingress",
        gateway_addresses,
        gateway_networks,
        set(gateway_group_ids),
    )
    if ingress_peer is None:
        raise SocketError(
            f"Security group: no ingress rule of VPC endpoint {endpoint.id}'s security "
            f"group(s) {', '.join(endpoint_group_ids) or '(none)'} allows tcp/{HTTPS_PORT} "
            f"from resource gateway {gateway_id} "
            f"({', '.join(gateway_addresses or gateway_networks) or 'no addresses'}); "
            f"the connection attempt is dropped (AWS reports it after the 60 s timeout)."
        )

    return Route(
        source_vpce=endpoint.id,
        hops=(
            f"resource configuration {rc_name} (ACTIVE, port {HTTPS_PORT})",
            f"resource gateway {gateway_id} in {gateway_vpc}",
            f"DNS {domain} -> VPC endpoint {endpoint.id}",
            f"egress allowed to {egress_peer}",
            f"ingress allowed from {ingress_peer}",
        ),
    )


def public_route(host: str) -> Route:
    """The route for a connection without private connectivity (the public internet)."""
    if public_api_host(host) is None:
        raise SocketError(
            f"Unable to connect to {host}: the sandbox has no internet access; it reaches only "
            "APIs deployed in it."
        )
    # Every execute-api name resolves publicly to API Gateway's front end; a private API
    # is refused there (403 Forbidden) by the data plane, which sees no VPC endpoint.
    return Route(source_vpce=None, hops=("public internet", "API Gateway public endpoint"))
