"""The private API's data plane: what answers at ``https://<api-id>.execute-api.<region>...``.

- :func:`make_app` returns the WSGI app; the sandbox server dispatches every request whose
  Host is ``*.execute-api.*.amazonaws.com`` to it.
- :data:`request_log` keeps the last requests it answered (secrets masked).
- :func:`serve_in_thread` runs the app on an ephemeral loopback port, for in-process tests
  and benchmarks.
- :mod:`.hosts`: the execute-api host names, defined once (what the server routes here,
  which API and endpoint a name means, what the public route reaches).

Imports: ``access``, ``keepalive``, ``process_policy`` and (the child's JSON replies) ``control``;
``server`` and ``control`` import it, ``network`` imports ``hosts``; it imports no service.
"""

from __future__ import annotations

from lab.sandbox.dataplane.request_log import RequestLog

request_log = RequestLog()

__all__ = ["make_app", "request_log", "serve_in_thread", "RequestLog"]


def make_app(log: RequestLog | None = None):
    """The data plane's WSGI app, logging to ``log`` (default: :data:`request_log`)."""
    from lab.sandbox.dataplane.app import DataPlane

    return DataPlane(log if log is not None else request_log)


def serve_in_thread(app=None, host: str = "127.0.0.1", port: int = 0):
    """Serve ``app`` (default: :func:`make_app`) on ``host:port`` in a daemon thread.

    Returns the running server; ``server.server_port`` is the bound port and
    ``server.shutdown()`` stops it. Port 0 picks a free port.
    """
    import threading

    from lab.sandbox.dataplane.wsgi_server import make_server

    server = make_server(host, port, app if app is not None else make_app())
    thread = threading.Thread(target=server.serve_forever, name="lab-dataplane", daemon=True)
    thread.start()
    return server
