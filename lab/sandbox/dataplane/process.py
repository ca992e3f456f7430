"""The private API's data plane in a process of its own: the sandbox's second core.

The sandbox server is one Python process, and every HTTP Task's request to the private API
was answered inside it: parsing the request, the resource policy, the API key, rendering the
MOCK integration's Velocity templates, the request log. Under load that was about 40% of the
server's GIL time (py-spy ``--gil``, EXPRESS at concurrency 8), on a machine whose second core
sat partly idle. Here that work runs in a child process, ``python -m
lab.sandbox.dataplane.process``, which the server starts (:class:`DataPlaneProcess`) and
stops with itself:

- The server binds the child's listening socket on 127.0.0.1 (an ephemeral port) before the
  child starts and hands it over, so connections made before the child is ready wait in the
  backlog instead of being refused (and, should the child die, while the server starts
  another on the same socket); it then points HTTP Tasks and API destinations at it
  (:func:`lab.sandbox.network.set_dataplane_address`). A request addressed to an
  ``*.execute-api.*`` host on the server's own port is forwarded here (:class:`Forwarder`).
- The child reads the APIs from a replica of moto's state (:mod:`.config`): it fetches a
  snapshot from the server (``GET /lab-api/dataplane-config``, with the sandbox's token) when
  the shared generation counter moved, which the server bumps around every call that can
  change an API or a VPC endpoint.
- The request log lives in the child; the server reads and clears it here
  (``/lab-internal/requests``, token and loopback ``Host`` required, as on the server).
- The child exits when the server does: it reads its standard input, which the server holds
  open, and leaves at end of file (also when the server was killed).

``LAB_SANDBOX_DATAPLANE_PROCESS=0`` keeps the data plane inside the server's process (the
behaviour before this module), for comparison and for machines where a second process hurts.

Written by hand: what is split between the two processes is the sandbox's own state (moto's
models, the sandbox's token and log); a process pool or a WSGI server library would still
need exactly this wiring.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
from typing import Any

ENV_SWITCH = "LAB_SANDBOX_DATAPLANE_PROCESS"
LOOPBACK = "127.0.0.1"
#: The server's control endpoint that answers the child's snapshot requests.
SNAPSHOT_PATH = "/lab-api/dataplane-config"
_INTERNAL = "/lab-internal/requests"
#: Connections that wait for the child while it starts (it takes ~0.3 s to import).
BACKLOG = 128


def enabled_from_env() -> bool:
    """``LAB_SANDBOX_DATAPLANE_PROCESS=0`` keeps the data plane in the server (default: own)."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "false", "no", "off")


def _loopback_call(port: int, token: str, method: str, target: str) -> tuple[int, bytes]:
    """One request with the sandbox's token to ``127.0.0.1:port``: ``(status, body)``."""
    from lab.sandbox import access

    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=60)
    try:
        connection.request(
            method,
            target,
            headers={"Host": f"{LOOPBACK}:{port}", "Authorization": access.authorization(token)},
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --------------------------------------------------------------------------- the server's side


class DataPlaneProcess:
    """Starts, reaches, restarts and stops the data plane's process (in the sandbox server).

    The server keeps the listening socket, so the address never changes: if the child dies,
    connections wait in the backlog while :meth:`_supervise` starts another on the same
    socket (what the dead one logged is gone with it; the server's log says so). A child that
    dies again within :data:`CRASH_WINDOW_S` of its start :data:`MAX_QUICK_CRASHES` times in
    a row is not restarted: the socket is closed and connecting fails at once.
    """

    MAX_QUICK_CRASHES = 3
    CRASH_WINDOW_S = 5.0

    def __init__(self, server_port: int, token: str, generation: Any = None) -> None:
        from lab.sandbox.dataplane.config import Generation

        self.server_port = server_port
        self._token = token
        self.generation = generation if generation is not None else Generation()
        self._process: subprocess.Popen | None = None
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self.address: tuple[str, int] | None = None

    def start(self) -> tuple[str, int]:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOOPBACK, 0))
        listener.listen(BACKLOG)
        self._listener = listener
        self.address = (LOOPBACK, listener.getsockname()[1])
        self._process = self._spawn()
        threading.Thread(
            target=self._supervise, name="lab-dataplane-supervisor", daemon=True
        ).start()
        return self.address

    def _spawn(self) -> subprocess.Popen:
        spec = {
            "token": self._token,
            "server_port": self.server_port,
            "listen_fd": self._listener.fileno(),
            "generation_fd": self.generation.fd,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "lab.sandbox.dataplane.process"],
            stdin=subprocess.PIPE,
            pass_fds=(self._listener.fileno(), self.generation.fd),
            # Its own process group: a Ctrl-C meant for a foreground server reaches the
            # server, which stops the child itself (the log stays in one order).
            start_new_session=True,
        )
        process.stdin.write(json.dumps(spec).encode() + b"\n")
        process.stdin.flush()
        return process

    def _supervise(self) -> None:
        import time

        quick_crashes = 0
        while not self._stopping.is_set():
            process = self._process
            if process is None:
                return
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            quick_crashes = (
                quick_crashes + 1 if time.monotonic() - started < self.CRASH_WINDOW_S else 1
            )
            if quick_crashes > self.MAX_QUICK_CRASHES:
                print(
                    f"the private API's data plane process exited ({code}) {quick_crashes - 1} "
                    "times in a row; not restarting it: HTTP Tasks now fail with "
                    "States.Http.Socket. Restart the sandbox (python -m lab sandbox stop, start).",
                    file=sys.stderr,
                    flush=True,
                )
                self._close_listener()
                return
            print(
                f"the private API's data plane process exited ({code}); starting another on the "
                "same port (its request log is lost)",
                file=sys.stderr,
                flush=True,
            )
            self._process = self._spawn()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()

    def stop(self, timeout: float = 3.0) -> None:
        self._stopping.set()
        process, self._process = self._process, None
        self._close_listener()
        if process is None:
            return
        try:
            process.stdin.close()  # end of file: the child leaves
        except OSError:
            pass
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def _call(self, method: str, query: str = "") -> Any:
        status, body = _loopback_call(self.address[1], self._token, method, _INTERNAL + query)
        if status != 200:
            raise RuntimeError(f"the data plane's process answered {status}: {body!r}")
        return json.loads(body)

    def request_log(self, limit: int | None = None) -> list[dict[str, Any]]:
        return self._call("GET", "" if limit is None else f"?limit={int(limit)}")

    def clear_request_log(self) -> None:
        self._call("DELETE")


#: Hop-by-hop headers a forwarder does not pass on (RFC 9110, section 7.6.1).
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class Forwarder:
    """WSGI app on the server: a request for an ``*.execute-api.*`` host goes to the child.

    The child sees the request as the in-process data plane saw it (the same method, target,
    headers and body, from a loopback address); what it answers goes back unchanged but for
    hop-by-hop headers.
    """

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address

    def __call__(self, environ: dict, start_response):
        try:
            length = max(int(environ.get("CONTENT_LENGTH") or 0), 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length else b""
        target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if not target:
            query = environ.get("QUERY_STRING", "")
            target = environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
        headers = []
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                name = key[5:].replace("_", "-").title()
                if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                    headers.append((name, value))
        if environ.get("CONTENT_TYPE"):
            headers.append(("Content-Type", environ["CONTENT_TYPE"]))
        headers.append(("Content-Length", str(len(body))))
        connection = http.client.HTTPConnection(*self.address, timeout=60)
        try:
            connection.putrequest(
                environ.get("REQUEST_METHOD", "GET"),
                target,
                skip_host=True,
                skip_accept_encoding=True,
            )
            for name, value in headers:
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            payload = response.read()
        except OSError as exc:
            message = json.dumps({"message": f"the private API's data plane is down: {exc}"})
            start_response(
                "502 Bad Gateway",
                [("Content-Type", "application/json"), ("Content-Length", str(len(message)))],
            )
            return [message.encode()]
        finally:
            connection.close()
        passed = [
            (name, value)
            for name, value in response.getheaders()
            if name.lower() not in _HOP_BY_HOP
        ]
        start_response(f"{response.status} {response.reason}", passed)
        return [payload]


# --------------------------------------------------------------------------- the child's side


class _ChildApp:
    """The child's WSGI app: the data plane, and the request log for the server."""

    def __init__(self, dataplane, log, token: str, port: int) -> None:
        self.dataplane = dataplane
        self.log = log
        self.token = token
        self.port = port

    def __call__(self, environ: dict, start_response):
        from lab.sandbox import access
        from lab.sandbox.control import _json_response, _limit
        from lab.sandbox.dataplane import hosts

        if hosts.EXECUTE_API_HOST.match(environ.get("HTTP_HOST", "")):
            return self.dataplane(environ, start_response)
        path = environ.get("PATH_INFO", "")
        allowed = (
            access.loopback_host(environ.get("HTTP_HOST"), self.port)
            and access.cross_site(environ) is None
            and access.token_matches(environ.get("HTTP_AUTHORIZATION"), self.token)
        )
        if not allowed or path != _INTERNAL:
            return _json_response(start_response, 403, {"message": "Forbidden"})
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "DELETE":
            self.log.clear()
            return _json_response(start_response, 200, {"cleared": True})
        # The server checked the limit before it asked.
        return _json_response(start_response, 200, self.log.last(_limit(environ)))


def _fetcher(server_port: int, token: str):
    from lab.sandbox.dataplane import config

    def fetch() -> config.Snapshot:
        status, body = _loopback_call(server_port, token, "GET", SNAPSHOT_PATH)
        if status != 200:
            raise RuntimeError(f"the sandbox server answered {status} for {SNAPSHOT_PATH}")
        return config.from_json(json.loads(body))

    return fetch


def _leave_with_the_server() -> None:
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except (OSError, ValueError):
        pass
    os._exit(0)


def main() -> int:
    """The child: serve the data plane on the socket the server handed over."""
    import signal

    spec = json.loads(sys.stdin.buffer.readline())
    from lab.sandbox import access
    from lab.sandbox.dataplane import config, request_log
    from lab.sandbox.dataplane.app import DataPlane
    from lab.sandbox.dataplane.wsgi_server import make_server

    access.set_process_token(spec["token"])
    replica = config.ReplicaConfig(
        config.Generation(spec["generation_fd"]), _fetcher(spec["server_port"], spec["token"])
    )
    listener = socket.socket(fileno=spec["listen_fd"])
    port = listener.getsockname()[1]
    app = _ChildApp(DataPlane(request_log, replica), request_log, spec["token"], port)
    server = make_server(LOOPBACK, port, app, fd=listener.detach())
    watcher = threading.Thread(target=_leave_with_the_server, name="lab-parent", daemon=True)
    watcher.start()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops us (its Ctrl-C)
    # The server process's policies hold here too: fewer young collections, and the
    # stdlib's header parser without the email package (lab.sandbox.process_policy says why).
    from lab.sandbox.process_policy import apply_gc_policy, use_fast_header_parser

    apply_gc_policy()
    use_fast_header_parser()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
