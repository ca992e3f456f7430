"""A function's outbound calls, along the modelled network path of its VPC ENIs.

Each function gets a gate: a loopback HTTP server its workers reach (``LAB_LAMBDA_EGRESS``
and ``AWS_ENDPOINT_URL``). A request for ``<name>.amazonaws.com`` is checked before it
goes anywhere, with the function's configuration and the VPC as they are at that moment,
so a failure lab's break applies at once:

1. a function without ``VpcConfig`` runs in Lambda's own network, with internet access:
   AWS APIs answer, an ``execute-api`` name reaches API Gateway's public front end (a
   private API refuses it: 403, as :func:`lab.sandbox.network.public_route` explains);
2. in a VPC, DNS: the name must resolve to an interface endpoint of the function's VPC
   with private DNS (``secretsmanager.<region>.amazonaws.com``,
   ``*.execute-api.<region>.amazonaws.com``); otherwise it resolves to a public address
   the function's subnets cannot reach (they have no NAT in this lab: NAT is not modelled);
3. a security group of the function allows egress tcp/443 to the endpoint (its ENI
   addresses or its security group);
4. a security group of the endpoint allows ingress tcp/443 from the function (its
   subnets' CIDRs, where Lambda places its ENIs, or its security group).

A broken link answers the worker's ``CONNECT`` with the cause: the worker waits the
``lambda_connect_timeout_seconds`` setting (1 s by default; AWS waits for the client's
connect timeout, often minutes, or the function's timeout) and fails with ``TimeoutError``.
A request that came through ``AWS_ENDPOINT_URL`` (boto3) is held as long and then closed
without an answer (botocore reports a connection error, and retries as configured).

When the path holds, ``execute-api`` requests go to the data plane along the route
(:mod:`lab.sandbox.stepfunctions.transport`, ``x-lab-source-vpce`` naming the endpoint);
AWS API requests go to moto in this process.
"""

from __future__ import annotations

import re
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from lab.sandbox.network import HTTPS_PORT, Route
from lab.sandbox.network.security_groups import endpoint_side, https_peer
from lab.sandbox.settings import get_setting

_EXECUTE_API = re.compile(r"^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$")
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")


#: Headers the gate sets itself on an answer it relays.
_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "date", "server"})


class Blocked(Exception):
    """A link of the path is broken: the connection attempt is dropped."""


def connect_bound() -> float:
    """How long a worker waits on a dropped connection before ``TimeoutError``."""
    return float(get_setting("lambda_connect_timeout_seconds"))


def _function(account: str, region: str, name: str) -> Any:
    from moto.awslambda.models import lambda_backends

    return lambda_backends[account][region].get_function(name, None)


def _ec2(account: str, region: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account][region]


def _private_dns_endpoint(ec2: Any, vpc_id: str, host: str, region: str) -> Any | None:
    from lab.sandbox.ec2.models import dns_name_matches, service_short_name

    for endpoint in list(ec2.vpc_end_points.values()):
        if endpoint.state == "deleted" or endpoint.vpc_id != vpc_id:
            continue
        if not getattr(endpoint, "private_dns_enabled", False):
            continue
        service = service_short_name(endpoint.service_name, region)
        names = [f"{service}.{region}.amazonaws.com"]
        if service == "execute-api":
            names.append(f"*.execute-api.{region}.amazonaws.com")
        if any(dns_name_matches(name, host) for name in names):
            return endpoint
    return None


def route(function: Any, host: str) -> Route:
    """The route from ``function`` to ``host`` over tcp/443; raises :class:`Blocked`."""
    config = function._vpc_config or {}
    subnet_ids = list(config.get("SubnetIds") or [])
    if not subnet_ids:
        return Route(source_vpce=None, hops=("Lambda's own network (no VpcConfig)",))
    ec2 = _ec2(function.account_id, function.region)
    subnets = []
    for subnet_id in subnet_ids:
        try:
            subnets.append(ec2.get_subnet(subnet_id))
        except Exception:
            raise Blocked(f"the function's subnet {subnet_id} does not exist") from None
    vpc_id = subnets[0].vpc_id
    networks = [s.cidr_block for s in subnets]
    groups = list(config.get("SecurityGroupIds") or [])
    endpoint = _private_dns_endpoint(ec2, vpc_id, host, function.region)
    if endpoint is None:
        raise Blocked(
            f"DNS: {host} has no interface VPC endpoint with private DNS in {vpc_id}, so it "
            "resolves to a public address, which the function's subnets cannot reach (no NAT)"
        )
    if getattr(endpoint, "state", "available") != "available":
        raise Blocked(f"VPC endpoint {endpoint.id} is {endpoint.state}, not available")
    addresses, endpoint_groups = endpoint_side(ec2, endpoint)
    egress = https_peer(ec2, groups, "egress", addresses, [], set(endpoint_groups))
    if egress is None:
        raise Blocked(
            f"Security group: no egress rule of the function's security group(s) "
            f"{', '.join(groups) or '(none)'} allows tcp/{HTTPS_PORT} to VPC endpoint "
            f"{endpoint.id} ({', '.join(addresses) or 'no addresses'})"
        )
    ingress = https_peer(ec2, endpoint_groups, "ingress", [], networks, set(groups))
    if ingress is None:
        raise Blocked(
            f"Security group: no ingress rule of VPC endpoint {endpoint.id}'s security "
            f"group(s) {', '.join(endpoint_groups) or '(none)'} allows tcp/{HTTPS_PORT} from "
            f"the function's subnets ({', '.join(networks)}) or security group(s)"
        )
    return Route(
        source_vpce=endpoint.id,
        hops=(
            f"DNS {host} -> VPC endpoint {endpoint.id}",
            f"egress allowed to {egress}",
            f"ingress allowed from {ingress}",
        ),
    )


# --------------------------------------------------------------------------- forwarding

_moto_app: Any = None


def _moto() -> Any:
    global _moto_app
    if _moto_app is None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        _moto_app = DomainDispatcherApplication(create_backend_app)
    return _moto_app


def _to_moto(method: str, target: str, host: str, headers: dict[str, str], body: bytes):
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    headers = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}
    path, _, query = target.partition("?")
    builder = EnvironBuilder(
        path=path, method=method, headers=headers, data=body, query_string=query,
        base_url=f"https://{host}",
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    app_iter, status, response_headers = run_wsgi_app(_moto(), environ)
    data = b"".join(app_iter)
    code, _, reason = status.partition(" ")
    return int(code), reason, list(response_headers.items()), data


def _to_api(method: str, target: str, host: str, headers: dict[str, str], body: bytes, path):
    from lab.sandbox.stepfunctions import transport
    from lab.sandbox.stepfunctions.http_request import HttpRequest

    request = HttpRequest(method=method, url=f"https://{host}{target}", headers=headers, body=body)
    response = transport.send(request, path, timeout=30.0)
    return response.status, response.reason, response.headers, response.body


class _Gate(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, function: Any) -> None:
        self.identity = (function.account_id, function.region, function.function_name)
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Gate
    tunnel_host: str | None = None

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        return

    def _function(self) -> Any:
        return _function(*self.server.identity)

    def do_CONNECT(self) -> None:
        host = self.path.rsplit(":", 1)[0].lower()
        try:
            self._route(host)
        except Blocked as exc:
            body = str(exc).encode()
            self.send_response(504, "Connection dropped")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.tunnel_host = host  # what follows is the request, in clear text

    def _route(self, host: str) -> Route:
        return route(self._function(), host)

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items()}
        host = self.tunnel_host or self._host_from_signature(headers)
        if host is None:
            self._answer(400, "Bad Request", [], b"The sandbox's egress gate cannot tell the host.")
            return
        try:
            path = route(self._function(), host) if self.tunnel_host is None else None
        except Blocked:
            time.sleep(connect_bound())
            self.close_connection = True
            return
        try:
            if _EXECUTE_API.match(host):
                if path is None:
                    path = route(self._function(), host)
                answer = _to_api(self.command, self.path, host, headers, body, path)
            else:
                answer = _to_moto(self.command, self.path, host, headers, body)
        except Exception as exc:  # the socket's error, as a connection failure
            self._answer(502, "Bad Gateway", [], f"{exc}".encode())
            return
        self._answer(*answer)

    @staticmethod
    def _host_from_signature(headers: dict[str, str]) -> str | None:
        match = _SCOPE.search(headers.get("Authorization", ""))
        if not match:
            return None
        region, service = match.groups()
        return f"{service}.{region}.amazonaws.com"

    def _answer(self, status: int, reason: str, headers: list, body: bytes) -> None:
        self.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in _HOP_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _forward


_lock = threading.Lock()
_gates: dict[str, _Gate] = {}


def gate_for(function: Any) -> tuple[str, int]:
    """``(host, port)`` of the function's gate (started on first use)."""
    with _lock:
        gate = _gates.get(function.function_arn)
        if gate is None:
            gate = _gates[function.function_arn] = _Gate(function)
            threading.Thread(target=gate.serve_forever, daemon=True, name="lambda-egress").start()
        return gate.server_address[:2]


def shutdown() -> None:
    """Close every gate."""
    with _lock:
        gates = list(_gates.values())
        _gates.clear()
    for gate in gates:
        gate.shutdown()
        gate.server_close()
