"""The socket both senders share: a request along a checked route to the data plane.

Step Functions' HTTP Task (:mod:`.http_task`, TestState too) and EventBridge's API
destination delivery (:mod:`lab.sandbox.events.delivery`) check the path with
:mod:`lab.sandbox.network`, then call :func:`send`: the request goes over a real TCP socket
to the data plane (:func:`lab.sandbox.network.dataplane_address`) with the API's ``Host``
header, ``x-lab-source-vpce`` naming the endpoint of the route and the proof that the
modelled path sent it (:mod:`lab.sandbox.access`). Keep-alive connections are pooled and
shared by every execution thread; an idle one the server closed is replaced once.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass

from lab.config import SOURCE_VPCE_HEADER
from lab.sandbox import access, network
from lab.sandbox.network import HTTPS_PORT, Route
from lab.sandbox.network.errors import SocketError

#: Headers only the modelled network sets; stripped from every request before it leaves.
RESERVED_HEADERS = frozenset({SOURCE_VPCE_HEADER, access.PATH_PROOF_HEADER})

#: Step Functions' HTTP Task gives up on a request after 60 seconds.
REQUEST_TIMEOUT_SECONDS = 60.0


@dataclass
class HttpResponse:
    """What came back over the socket."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


#: A pooled connection idle this long is closed, not reused: the data plane's server closes
#: kept-alive connections after ``keepalive.IDLE_TIMEOUT_S`` (120 s) of silence.
MAX_IDLE_S = 60.0


class _ConnectionPool:
    """Idle keep-alive connections to the data plane, shared by every execution thread."""

    def __init__(self, size: int = 16, max_idle_s: float = MAX_IDLE_S):
        self._idle: dict[tuple[str, int], list[tuple[float, http.client.HTTPConnection]]] = {}
        self._lock = threading.Lock()
        self._size = size
        self._max_idle_s = max_idle_s

    def get(self, address: tuple[str, int], timeout: float, fresh: bool = False):
        """``(connection, reused)``: an idle one (newest first) or, with ``fresh``, a new one."""
        stale = []
        try:
            with self._lock:
                idle = self._idle.get(address) or []
                while idle and not fresh:
                    since, connection = idle.pop()
                    if time.monotonic() - since >= self._max_idle_s:
                        stale.append(connection)  # the server may have closed it by now
                        continue
                    connection.timeout = timeout
                    if connection.sock is not None:
                        connection.sock.settimeout(timeout)
                    return connection, True
        finally:
            for connection in stale:
                connection.close()
        return http.client.HTTPConnection(address[0], address[1], timeout=timeout), False

    def put(self, address: tuple[str, int], connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(address, [])
            if len(idle) < self._size:
                idle.append((time.monotonic(), connection))
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
    address = network.dataplane_address()
    for attempt in range(2):
        # A retry never takes another pooled connection: it may be as stale as the first.
        connection, reused = _pool.get(address, timeout, fresh=attempt > 0)
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
