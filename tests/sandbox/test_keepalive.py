"""lab.sandbox.keepalive: HTTP/1.1 keep-alive on werkzeug's threaded server."""

from __future__ import annotations

import http.client
import threading

import pytest
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from lab.sandbox.keepalive import keep_alive_handler


def _app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/boom":
        raise RuntimeError("the application failed")
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return (part for part in (b"one,", b"two"))
    if path == "/echo":
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]
    # "/ignore" and everything else: answer without reading the body
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


@pytest.fixture(scope="module")
def port():
    server = ThreadedWSGIServer(
        "127.0.0.1", 0, _app, handler=keep_alive_handler(WSGIRequestHandler)
    )
    server.log = lambda *args: None  # the /boom test's error line is expected
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def _call(connection, method, path, body=None, headers=None):
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response, response.read()


def test_two_requests_share_one_connection(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)

    first, _ = _call(connection, "GET", "/")
    socket_after_first = connection.sock
    second, body = _call(connection, "GET", "/")

    assert (first.status, second.status, body) == (200, 200, b"ok")
    assert first.getheader("Connection") is None
    assert connection.sock is socket_after_first


def test_a_body_the_application_left_unread_is_not_taken_for_the_next_request(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)

    ignored, _ = _call(connection, "POST", "/ignore", body=b"GET /evil HTTP/1.1\r\n\r\n")
    echoed, body = _call(connection, "POST", "/echo", body=b"second body")

    assert (ignored.status, echoed.status, body) == (200, 200, b"second body")


def test_a_streamed_response_is_sent_chunked_and_the_connection_stays_open(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)

    streamed, body = _call(connection, "GET", "/stream")
    after, _ = _call(connection, "GET", "/")

    assert (streamed.getheader("Transfer-Encoding"), body) == ("chunked", b"one,two")
    assert after.status == 200


def test_a_client_asking_to_close_gets_connection_close(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)

    response, _ = _call(connection, "GET", "/", headers={"Connection": "close"})

    assert response.getheader("Connection") == "close"
    assert response.will_close


def test_an_application_error_answers_500_and_closes(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)

    response, _ = _call(connection, "GET", "/boom")

    assert response.status == 500
    assert response.getheader("Connection") == "close"


def test_a_head_request_gets_headers_and_no_body(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)

    head, body = _call(connection, "HEAD", "/")
    after, _ = _call(connection, "GET", "/")

    assert (head.status, body, after.status) == (200, b"", 200)
