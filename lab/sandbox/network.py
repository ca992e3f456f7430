"""The modelled network path from a Step Functions HTTP Task to the private API.

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

When the path holds, the request goes over a real TCP socket to the sandbox's data plane
on 127.0.0.1, with the API's ``Host`` header and ``x-lab-source-vpce`` naming the endpoint
it arrived through (that is how the data plane evaluates ``aws:SourceVpce``), plus a proof
that this path sent it (``lab.sandbox.access``): the data plane refuses requests without.

A connection **without** private connectivity reaches only what is public. Public DNS
answers ``<api-id>.execute-api.<region>.amazonaws.com`` for every API id with API Gateway's
public front end, so the call arrives there, not through a VPC endpoint. A private API is
invocable only through an interface VPC endpoint, so API Gateway answers ``403
{"message": "Forbidden"}`` (AWS Knowledge Center "api-gateway-vpc-connections": the default
execute-api URL of a private API, used from outside the VPC, gives 403) and the task fails
with ``States.Http.StatusCode.403``. The sandbox sends such a request to the data plane with
no ``x-lab-source-vpce`` header, which refuses it exactly so. Public (REGIONAL/EDGE) APIs
deployed in the sandbox answer; any other host is out of reach (the sandbox has no internet).
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from lab.config import SOURCE_VPCE_HEADER
from lab.sandbox import access
from lab.sandbox.stepfunctions.exceptions import (
    CONNECTION_INVALID_PRIVATE_STATE,
    HttpTaskError,
    SocketError,
)

#: Headers only the modelled network sets; stripped from every request before it leaves.
RESERVED_HEADERS = frozenset({SOURCE_VPCE_HEADER, access.PATH_PROOF_HEADER})

HTTPS_PORT = 443
#: Step Functions' HTTP Task gives up on a request after 60 seconds.
REQUEST_TIMEOUT_SECONDS = 60.0

#: ``(host, port)`` of the data plane. The sandbox server sets it when it starts; in-process
#: tests set it to their ephemeral server. When unset, the server's recorded port or
#: ``LAB_SANDBOX_PORT`` (default 5599) on 127.0.0.1 is used.
DATAPLANE_ADDRESS: tuple[str, int] | None = None

_EXECUTE_API_HOST = re.compile(
    r"^(?P<api>[a-z0-9]+)\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com\.?$", re.I
)


@dataclass(frozen=True)
class Route:
    """How a request reaches the data plane: through which VPC endpoint, over which links."""

    source_vpce: str | None
    hops: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class HttpResponse:
    """What came back over the socket."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


# --------------------------------------------------------------------------- address


def set_dataplane_address(host: str, port: int) -> None:
    """Point HTTP Tasks at the data plane listening on ``host:port``."""
    global DATAPLANE_ADDRESS
    DATAPLANE_ADDRESS = (host, int(port))


def dataplane_address() -> tuple[str, int]:
    """Where the data plane listens (see :data:`DATAPLANE_ADDRESS`)."""
    if DATAPLANE_ADDRESS is not None:
        return DATAPLANE_ADDRESS
    try:
        from lab.sandbox import control

        port = getattr(control, "_runtime", {}).get("port")
    except ImportError:
        port = None
    if port:
        return "127.0.0.1", int(port)
    raw = os.environ.get("LAB_SANDBOX_PORT", "").strip()
    return "127.0.0.1", int(raw) if raw.isdigit() else 5599


# --------------------------------------------------------------------------- resources


def _ec2(account: str, region: str):
    from moto.ec2.models import ec2_backends

    return ec2_backends[account][region]


def _vpclattice(account: str, region: str):
    from moto.vpclattice.models import vpclattice_backends

    return vpclattice_backends[account][region]


def _arn_parts(arn: str) -> tuple[str, str, str]:
    # arn:aws:vpc-lattice:<region>:<account>:resourceconfiguration/rcfg-...
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return "", "", arn
    return parts[3], parts[4], parts[5].split("/")[-1]


def _as_dict(model: Any) -> dict[str, Any]:
    if isinstance(model, dict):
        return model
    to_dict = getattr(model, "to_dict", None)
    return to_dict() if callable(to_dict) else {}


def _lookup(backend: Any, operation: str, identifier: str) -> Any | None:
    """The model ``backend.<operation>(identifier)`` returns, or None if there is none."""
    try:
        return getattr(backend, operation)(identifier)
    except Exception:  # moto's ResourceNotFound flavours, or a malformed identifier
        return None


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


# --------------------------------------------------------------------------- SG rules


def _rule_allows_https(rule: Any) -> bool:
    protocol = str(rule.ip_protocol or "")
    if protocol == "-1":
        return True
    if protocol != "tcp" or rule.from_port is None or rule.to_port is None:
        return False
    return int(rule.from_port) <= HTTPS_PORT <= int(rule.to_port)


def _cidr_contains(cidr: str | None, address: str) -> bool:
    if not cidr:
        return False
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


def _cidr_covers(cidr: str | None, network: str) -> bool:
    if not cidr:
        return False
    try:
        return ipaddress.ip_network(network, strict=False).subnet_of(
            ipaddress.ip_network(cidr, strict=False)
        )
    except (TypeError, ValueError):
        return False


def _rule_matches_peer(rule: Any, addresses: list[str], networks: list[str], groups: set[str]):
    """The peer (address, network or group) ``rule`` lets through, or None."""
    referenced = (rule.source_group or {}).get("GroupId")
    if referenced and referenced in groups:
        return f"security group {referenced}"
    cidr = (rule.ip_range or {}).get("CidrIp")
    for address in addresses:
        if _cidr_contains(cidr, address):
            return address
    for network in networks:
        if _cidr_covers(cidr, network):
            return network
    return None


def _security_groups(ec2: Any, group_ids: list[str]) -> list[Any]:
    groups = []
    for group_id in group_ids:
        group = ec2.get_security_group_from_id(group_id)
        if group is not None:
            groups.append(group)
    return groups


def _eni_addresses(eni: Any) -> list[str]:
    addresses = [eni.private_ip_address] if eni.private_ip_address else []
    for item in eni.private_ip_addresses or []:
        address = item.get("PrivateIpAddress")
        if address and address not in addresses:
            addresses.append(address)
    return addresses


# --------------------------------------------------------------------------- the path


def _gateway_sources(ec2: Any, model: Any, gateway: dict[str, Any]):
    """Addresses (and, without ENIs, subnets) the gateway's connections leave from."""
    addresses: list[str] = []
    for eni_id in getattr(model, "network_interface_ids", None) or []:
        eni = ec2.enis.get(eni_id)
        if eni is not None:
            addresses.extend(_eni_addresses(eni))
    networks: list[str] = []
    if not addresses:
        # No ENIs known: any address in the gateway's subnets is a possible source.
        for subnet_id in gateway.get("subnetIds") or []:
            try:
                networks.append(ec2.get_subnet(subnet_id).cidr_block)
            except Exception:
                continue
    return addresses, networks


def private_route(connection: dict[str, Any], account: str, region: str) -> Route:
    """Check every link from the connection's resource configuration to the endpoint.

    Returns the :class:`Route` when the path holds; raises :class:`HttpTaskError` naming
    the first broken link otherwise.
    """
    arn = connection["resource_configuration_arn"]
    rc_region, rc_account, rc_id = _arn_parts(arn)
    rc_region, rc_account = rc_region or region, rc_account or account
    lattice = _vpclattice(rc_account, rc_region)
    configuration_model = _lookup(lattice, "get_resource_configuration", arn)
    if configuration_model is None:
        raise _broken_private_connection(
            f"The connection's resource configuration {arn} does not exist; recreate it "
            "or point the connection at an existing one."
        )
    configuration = _as_dict(configuration_model)
    if configuration.get("status") != "ACTIVE":
        raise _broken_private_connection(
            f"The connection's resource configuration {configuration.get('id', rc_id)} is "
            f"{configuration.get('status')}, not ACTIVE."
        )
    rc_name = configuration.get("id", rc_id)
    if not _port_allowed(configuration.get("portRanges"), HTTPS_PORT):
        raise SocketError(
            f"Resource configuration {rc_name} does not allow port {HTTPS_PORT} "
            f"(portRanges {configuration.get('portRanges')}): the HTTPS connection was refused."
        )

    gateway_id = configuration.get("resourceGatewayId") or ""
    gateway_model = _lookup(lattice, "get_resource_gateway", gateway_id)
    if gateway_model is None:
        raise _broken_private_connection(
            f"Resource configuration {rc_name} names resource gateway {gateway_id!r}, "
            "which does not exist."
        )
    gateway = _as_dict(gateway_model)
    if gateway.get("status") != "ACTIVE":
        raise _broken_private_connection(
            f"Resource gateway {gateway_id} is {gateway.get('status')}, not ACTIVE."
        )
    gateway_vpc = gateway.get("vpcId") or gateway.get("vpcIdentifier")

    definition = configuration.get("resourceConfigurationDefinition") or {}
    domain = ((definition.get("dnsResource") or {}).get("domainName") or "").rstrip(".")
    if not domain:
        raise SocketError(
            f"Resource configuration {rc_name} has no dnsResource domain name, so the "
            "resource gateway has nowhere to send the request."
        )
    from lab.sandbox.ec2 import endpoint_for_dns_name

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

    endpoint_enis = [ec2.enis[e] for e in endpoint.network_interface_ids if e in ec2.enis]
    endpoint_addresses = [a for eni in endpoint_enis for a in _eni_addresses(eni)]
    endpoint_group_ids = list(endpoint.security_group_ids or []) or sorted(
        {g.id for eni in endpoint_enis for g in eni.group_set}
    )
    gateway_group_ids = list(gateway.get("securityGroupIds") or [])
    gateway_addresses, gateway_networks = _gateway_sources(ec2, gateway_model, gateway)

    egress_peer = None
    for group in _security_groups(ec2, gateway_group_ids):
        for rule in group.egress_rules:
            if _rule_allows_https(rule):
                egress_peer = egress_peer or _rule_matches_peer(
                    rule, endpoint_addresses, [], set(endpoint_group_ids)
                )
    if egress_peer is None:
        raise SocketError(
            f"Security group: no egress rule of resource gateway {gateway_id}'s security "
            f"group(s) {', '.join(gateway_group_ids) or '(none)'} allows tcp/{HTTPS_PORT} to "
            f"VPC endpoint {endpoint.id} ({', '.join(endpoint_addresses) or 'no addresses'}); "
            f"the connection attempt is dropped (AWS reports it after the 60 s timeout)."
        )

    ingress_peer = None
    for group in _security_groups(ec2, endpoint_group_ids):
        for rule in group.ingress_rules:
            if _rule_allows_https(rule):
                ingress_peer = ingress_peer or _rule_matches_peer(
                    rule, gateway_addresses, gateway_networks, set(gateway_group_ids)
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
    match = _EXECUTE_API_HOST.match(host)
    if match is None:
        raise SocketError(
            f"Unable to connect to {host}: the sandbox has no internet access; it reaches only "
            "APIs deployed in it."
        )
    # Every execute-api name resolves publicly to API Gateway's front end; a private API
    # is refused there (403 Forbidden) by the data plane, which sees no VPC endpoint.
    return Route(source_vpce=None, hops=("public internet", "API Gateway public endpoint"))


# --------------------------------------------------------------------------- the socket


class _ConnectionPool:
    """Idle keep-alive connections to the data plane, shared by every execution thread."""

    def __init__(self, size: int = 16):
        self._idle: dict[tuple[str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._size = size

    def get(self, address: tuple[str, int], timeout: float) -> tuple[Any, bool]:
        with self._lock:
            idle = self._idle.get(address) or []
            if idle:
                connection = idle.pop()
                connection.timeout = timeout
                if connection.sock is not None:
                    connection.sock.settimeout(timeout)
                return connection, True
        return http.client.HTTPConnection(address[0], address[1], timeout=timeout), False

    def put(self, address: tuple[str, int], connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(address, [])
            if len(idle) < self._size:
                idle.append(connection)
                return
        connection.close()


_pool = _ConnectionPool()


def _exchange(connection: http.client.HTTPConnection, request, headers: dict[str, str]):
    connection.putrequest(request.method, request.target, skip_host=True, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders(request.body)
    response = connection.getresponse()
    body = response.read()
    return response, body


def send(request, route: Route, timeout: float = REQUEST_TIMEOUT_SECONDS) -> HttpResponse:
    """Send ``request`` (an ``HttpRequest``) along ``route`` over a real socket."""
    headers = {k: v for k, v in request.headers.items() if k.lower() not in RESERVED_HEADERS}
    host_header = request.host if request.port == HTTPS_PORT else f"{request.host}:{request.port}"
    headers = {"Host": host_header, **{k: v for k, v in headers.items() if k.lower() != "host"}}
    if route.source_vpce:
        headers[SOURCE_VPCE_HEADER] = route.source_vpce
    # What makes the data plane believe the two headers above: only this path can add it.
    headers[access.PATH_PROOF_HEADER] = access.path_proof(route.source_vpce)
    headers["Content-Length"] = str(len(request.body or b""))
    address = dataplane_address()
    for attempt in range(2):
        connection, reused = _pool.get(address, timeout)
        try:
            response, body = _exchange(connection, request, headers)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            connection.close()
            if reused and attempt == 0:
                continue  # the server closed an idle keep-alive connection: open a new one
            raise SocketError(f"The connection to {request.host} was closed: {exc}.") from None
        except ConnectionRefusedError:
            connection.close()
            raise SocketError(
                f"Unable to connect to {request.host}: connection refused; the sandbox's data "
                f"plane is not listening on {address[0]}:{address[1]} "
                "(start it with `python -m lab sandbox start`)."
            ) from None
        except TimeoutError:
            connection.close()
            raise SocketError(
                f"The request to {request.host} timed out after {timeout:g} seconds."
            ) from None
        except OSError as exc:
            connection.close()
            raise SocketError(f"Unable to connect to {request.host}: {exc}.") from None
        if response.will_close:
            connection.close()
        else:
            _pool.put(address, connection)
        return HttpResponse(
            status=response.status,
            reason=response.reason,
            headers=list(response.getheaders()),
            body=body,
        )
    raise SocketError(f"Unable to connect to {request.host}.")  # not reached
