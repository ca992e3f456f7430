"""A small threaded WSGI server for loopback use: the data plane's own process, in-process
tests and benchmarks.

werkzeug's development server is built on ``http.server``; without
``disable_nagle_algorithm`` every keep-alive response waits ~40 ms for the client's
delayed ACK (Nagle + delayed ACK), which would dominate any latency the lab measures.
Connections are kept alive (:mod:`lab.sandbox.keepalive`), as API Gateway's are.
"""

from __future__ import annotations

import logging

from werkzeug.serving import BaseWSGIServer, ThreadedWSGIServer, WSGIRequestHandler

from lab.sandbox.keepalive import keep_alive_handler


class _QuietHandler(keep_alive_handler(WSGIRequestHandler)):
    # No Nagle delay on responses.
    disable_nagle_algorithm = True

    def log_request(self, *args, **kwargs) -> None:  # the request log records requests
        pass


def make_server(host: str, port: int, app, fd: int | None = None) -> BaseWSGIServer:
    """A threaded werkzeug server for ``app`` bound to ``host:port`` (0 = any free port).

    ``fd``: serve on this already bound and listening socket instead.
    """
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedWSGIServer(host, port, app, handler=_QuietHandler, fd=fd)
    server.daemon_threads = True
    return server
