"""HTTP/1.1 keep-alive for werkzeug's development server, which closes every connection.

werkzeug 3.1 answers every request with ``Connection: close`` because Python's
``http.server`` does not know how much of a request body the application left unread
(the rest would be taken for the next request line). This handler knows: it gives the
application the body as a stream limited to ``Content-Length`` and reads whatever the
application left before it answers the next request on the same connection.

Keep-alive matters here because every call is small: a new connection per request cost
the sandbox a TCP accept and a new thread per call, boto3 a new connection per call, and
the HTTP Task a new connection to the data plane per execution. A request with a chunked
body, an application error after the response has started, or a client asking for
``Connection: close`` still closes the connection.
"""

from __future__ import annotations

import sys
from typing import Any

from werkzeug.exceptions import InternalServerError
from werkzeug.wsgi import LimitedStream

#: Idle seconds before the server closes a kept-alive connection (clients reconnect).
IDLE_TIMEOUT_S = 120.0

_NO_BODY_STATUSES = (204, 304)


def keep_alive_handler(base: type) -> type:
    """A subclass of werkzeug request handler ``base`` that keeps HTTP/1.1 connections open."""

    class KeepAliveRequestHandler(base):
        protocol_version = "HTTP/1.1"
        timeout = IDLE_TIMEOUT_S

        def run_wsgi(self) -> None:
            if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            environ = self.environ = self.make_environ()
            body = None
            if environ.get("wsgi.input_terminated"):
                # A chunked body (werkzeug dechunks it): where it ends is the app's business.
                self.close_connection = True
            else:
                try:
                    length = max(int(environ.get("CONTENT_LENGTH") or 0), 0)
                except ValueError:
                    length, self.close_connection = 0, True
                body = LimitedStream(self.rfile, length)
                environ["wsgi.input"] = body
            try:
                self._respond(environ, self.server.app)
            except (ConnectionError, TimeoutError) as exc:
                self.close_connection = True
                self.connection_dropped(exc, environ)
            except Exception as exc:
                self.close_connection = True
                if self.server.passthrough_errors:
                    raise
                if not self._headers_sent:
                    try:
                        self._respond(environ, InternalServerError())
                    except Exception:
                        pass
                self.server.log("error", f"Error on request {self.command} {self.path}: {exc!r}")
                sys.stderr.flush()
            if body is not None and not self.close_connection:
                body.exhaust()  # what the application did not read is not the next request

        def _respond(self, environ: dict[str, Any], app) -> None:
            self._headers_sent = False
            state: dict[str, Any] = {}

            def start_response(status, headers, exc_info=None):
                if exc_info and self._headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
                state["status"], state["headers"] = status, headers
                return write

            def write(data: bytes) -> None:
                if not self._headers_sent:
                    self._send_head(environ, state)
                if data and state["body_allowed"]:
                    if state["chunked"]:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    else:
                        self.wfile.write(data)

            result = app(environ, start_response)
            try:
                chunks = result if isinstance(result, list) else None
                if chunks is not None and not self._headers_sent:
                    # The whole body is known: send one Content-Length response.
                    state["body_length"] = sum(len(c) for c in chunks)
                for data in result:
                    write(data)
                if not self._headers_sent:
                    state["body_length"] = 0
                    write(b"")
                if state.get("chunked"):
                    self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            finally:
                if hasattr(result, "close"):
                    result.close()

        def _send_head(self, environ, state: dict[str, Any]) -> None:
            state["chunked"] = False
            code_text, _, reason = state["status"].partition(" ")
            code = int(code_text)
            self.send_response(code, reason)
            names = set()
            for name, value in state["headers"]:
                lowered = name.lower()
                if lowered == "connection":
                    continue  # this server decides
                names.add(lowered)
                self.send_header(name, value)
            has_status_body = not 100 <= code < 200 and code not in _NO_BODY_STATUSES
            state["body_allowed"] = has_status_body and environ["REQUEST_METHOD"] != "HEAD"
            if "content-length" not in names and has_status_body:
                if "body_length" in state:
                    # For HEAD too: the length the body would have had.
                    self.send_header("Content-Length", str(state["body_length"]))
                elif state["body_allowed"]:
                    state["chunked"] = True
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.close_connection = True  # HEAD of a stream: length unknown
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self._headers_sent = True

        def log_error(self, format: str, *args: Any) -> None:
            if format.startswith("Request timed out"):
                return  # an idle kept-alive connection reached IDLE_TIMEOUT_S: not an error
            super().log_error(format, *args)

    return KeepAliveRequestHandler
