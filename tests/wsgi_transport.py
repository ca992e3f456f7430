"""A boto3 client whose requests a WSGI app answers in-process (no socket, no thread).

``client(app, "stepfunctions")`` signs and sends each call as botocore would, turns the
prepared request into a WSGI environ (the way werkzeug's server does), calls ``app`` and
gives botocore the raw status, headers and body back. ``last`` holds the last exchange
(``environ_for`` / ``call_app`` do the two halves for tests that compare raw answers).
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config


class _RawBody:
    def __init__(self, body: bytes) -> None:
        self._body = io.BytesIO(body)

    def stream(self, *_args, **_kwargs):
        data = self._body.read()
        if data:
            yield data

    def read(self, *args):
        return self._body.read(*args)


def environ_for(request) -> dict:
    """The WSGI environ a werkzeug server would build for botocore's prepared ``request``."""
    url = urlsplit(request.url)
    body = request.body or b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    environ = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": url.path or "/",
        "QUERY_STRING": url.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(url.port or 80),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": url.netloc,
    }
    for name, value in request.headers.items():
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            environ["HTTP_" + key] = value
    return environ


def copy_environ(environ: dict) -> dict:
    """The same request again (a fresh body stream)."""
    copy = dict(environ)
    copy["wsgi.input"] = io.BytesIO(environ["wsgi.input"].getvalue())
    return copy


def call_app(app, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    """``(status line, headers, body)`` of one WSGI call."""
    state: dict = {}

    def start_response(status, headers, exc_info=None):
        state["status"], state["headers"] = status, list(headers)
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return state["status"], state["headers"], body


class _Transport:
    def __init__(self, app) -> None:
        self.app = app
        self.last: dict = {}

    def __call__(self, request, **_kwargs):
        environ = environ_for(request)
        self.last = {"environ": copy_environ(environ)}
        status, headers, body = call_app(self.app, environ)
        self.last.update(status=status, headers=headers, body=body)
        return AWSResponse(request.url, int(status.split()[0]), dict(headers), _RawBody(body))


def client(app, service: str, region: str = "us-east-1", endpoint: str = "http://127.0.0.1:5599"):
    """A boto3 client for ``service`` answered by ``app``; ``client.transport.last`` is the
    last exchange."""
    made = boto3.session.Session(
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
    ).client(
        service,
        endpoint_url=endpoint,
        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}),
    )
    transport = _Transport(app)
    made.meta.events.register_first("before-send", transport)
    made.transport = transport
    return made
