"""A small threaded WSGI server for loopback use (in-process tests, benchmarks).

werkzeug's development server is built on ``http.server``; without
``disable_nagle_algorithm`` every keep-alive response waits ~40 ms for the client's
delayed ACK (Nagle + delayed ACK), which would dominate any latency the lab measures.
"""

from __future__ import annotations

import logging

from werkzeug.serving import BaseWSGIServer, ThreadedWSGIServer, WSGIRequestHandler


class _QuietHandler(WSGIRequestHandler):
    # Keep-alive, as a real API endpoint does, and no Nagle delay on responses.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_request(self, *args, **kwargs) -> None:  # the request log records requests
        pass


def make_server(host: str, port: int, app) -> BaseWSGIServer:
    """A threaded werkzeug server for ``app`` bound to ``host:port`` (0 = any free port)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedWSGIServer(host, port, app, handler=_QuietHandler)
    server.daemon_threads = True
    return server
