"""Turn an HTTP Task's parameters and its connection into the HTTP request Step Functions sends.

Follows the Step Functions developer guide ("Call HTTPS APIs in Step Functions workflows"):

- ``ApiEndpoint`` and ``Method`` are required; the connection ARN is in
  ``InvocationConfig.ConnectionArn`` or ``Authentication.ConnectionArn``.
- ``Headers``, ``QueryParameters`` and ``RequestBody`` are merged with the connection's
  invocation HTTP parameters; **the connection's value wins** on a clash. A ``RequestBody``
  that is not a JSON object (a string, a list) cannot take the connection's body
  parameters: the task fails with ``States.Runtime``.
- An API_KEY connection adds the header ``<ApiKeyName>: <ApiKeyValue>``.
- ``Transform.RequestBodyEncoding`` ``URL_ENCODED`` sends a JSON object body as
  ``application/x-www-form-urlencoded``, arrays as ``RequestEncodingOptions.ArrayFormat``
  says (``INDICES`` default, ``REPEAT``, ``COMMAS``, ``BRACKETS``).
- The task may not set the headers Step Functions owns: any of them fails the task with
  ``States.Runtime``. Step Functions adds ``User-Agent``, ``Range`` and ``Host`` itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from lab.sandbox.stepfunctions.exceptions import HttpTaskRuntimeError
from lab.sandbox.stepfunctions.transport import RESERVED_HEADERS

if TYPE_CHECKING:
    from lab.sandbox.events.runtime import ConnectionRuntime

METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"})
ARRAY_FORMATS = ("INDICES", "REPEAT", "COMMAS", "BRACKETS")
BODY_ENCODINGS = ("NONE", "URL_ENCODED")

FORBIDDEN_HEADERS = frozenset(
    name.lower()
    for name in (
        "A-IM", "Accept-Charset", "Accept-Datetime", "Accept-Encoding", "Authorization",
        "Cache-Control", "Connection", "Content-Encoding", "Content-MD5", "Date", "Expect",
        "Forwarded", "From", "Host", "HTTP2-Settings", "Max-Forwards", "Origin", "Pragma",
        "Proxy-Authorization", "Referer", "Server", "TE", "Trailer", "Transfer-Encoding",
        "Upgrade", "Via", "Warning",
    )
)  # fmt: skip
FORBIDDEN_HEADER_PREFIXES = ("if-", "x-forwarded-", "x-amz-", "x-amzn-")

RESPONSE_RANGE = "bytes=0-262144"


def user_agent(region: str) -> str:
    """The User-Agent Step Functions sends from ``region``."""
    return f"Amazon|StepFunctions|HttpInvoke|{region}"


@dataclass
class HttpRequest:
    """An HTTP request ready to send; ``headers`` keep the case they were written in."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    #: What the connection added: lower-cased header names, query and body keys (TestState
    #: leaves them out of its trace unless asked to reveal secrets).
    connection_added: dict[str, set[str]] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def target(self) -> str:
        """Path and query, as in the request line."""
        parts = urlsplit(self.url)
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


def connection_arn_of(parameters: dict[str, Any]) -> str:
    """The connection ARN the task names (``InvocationConfig`` first, then ``Authentication``)."""
    for block in ("InvocationConfig", "Authentication"):
        value = parameters.get(block)
        if isinstance(value, dict) and isinstance(value.get("ConnectionArn"), str):
            return value["ConnectionArn"]
    raise HttpTaskRuntimeError(
        "The HTTP Task needs a connection: set InvocationConfig.ConnectionArn "
        "(or Authentication.ConnectionArn) to an EventBridge connection ARN."
    )


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"))


def _check_task_headers(headers: dict[str, Any]) -> None:
    for name in headers:
        lowered = name.lower()
        if lowered in FORBIDDEN_HEADERS or lowered.startswith(FORBIDDEN_HEADER_PREFIXES):
            raise HttpTaskRuntimeError(
                f"The header '{name}' is not allowed in an HTTP Task's Headers; Step Functions "
                "sets it itself or refuses it. Remove it from the task definition."
            )


def _key_values(entries: Any) -> list[tuple[str, str]]:
    # The connection API shape: [{"Key": ..., "Value": ..., "IsValueSecret": ...}, ...]
    pairs = []
    for entry in entries or []:
        if isinstance(entry, dict) and "Key" in entry:
            pairs.append((str(entry["Key"]), _string(entry.get("Value"))))
    return pairs


def _flatten_form(prefix: str, value: Any, array_format: str) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            name = f"{prefix}[{key}]" if prefix else str(key)
            pairs.extend(_flatten_form(name, item, array_format))
        return pairs
    if isinstance(value, list):
        if array_format == "COMMAS":
            return [(prefix, ",".join(_string(item) for item in value))]
        pairs = []
        for index, item in enumerate(value):
            if array_format == "REPEAT":
                name = prefix
            elif array_format == "BRACKETS":
                name = f"{prefix}[]"
            else:  # INDICES
                name = f"{prefix}[{index}]"
            pairs.extend(_flatten_form(name, item, array_format))
        return pairs
    return [(prefix, _string(value))]


def url_encode_body(body: Any, array_format: str = "INDICES") -> str:
    """``body`` (a JSON object) as an ``application/x-www-form-urlencoded`` string."""
    if not isinstance(body, dict):
        raise HttpTaskRuntimeError(
            "Transform.RequestBodyEncoding URL_ENCODED needs RequestBody to be a JSON object; "
            "send an object or set RequestBodyEncoding to NONE."
        )
    return urlencode(_flatten_form("", body, array_format))


def _transform(parameters: dict[str, Any]) -> tuple[str, str]:
    transform = parameters.get("Transform") or {}
    if not isinstance(transform, dict):
        raise HttpTaskRuntimeError("Transform must be a JSON object.")
    encoding = str(transform.get("RequestBodyEncoding", "NONE")).upper()
    if encoding not in BODY_ENCODINGS:
        raise HttpTaskRuntimeError(
            f"Transform.RequestBodyEncoding {encoding!r} is not one of {', '.join(BODY_ENCODINGS)}."
        )
    options = transform.get("RequestEncodingOptions") or {}
    array_format = str(options.get("ArrayFormat", "INDICES")).upper()
    if array_format not in ARRAY_FORMATS:
        raise HttpTaskRuntimeError(
            f"Transform.RequestEncodingOptions.ArrayFormat {array_format!r} is not one of "
            f"{', '.join(ARRAY_FORMATS)}."
        )
    return encoding, array_format


def _endpoint(parameters: dict[str, Any]) -> tuple[str, str]:
    endpoint = parameters.get("ApiEndpoint")
    method = parameters.get("Method")
    if not isinstance(endpoint, str) or not endpoint:
        raise HttpTaskRuntimeError("The HTTP Task's ApiEndpoint is required and must be a URL.")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise HttpTaskRuntimeError(
            f"The HTTP Task's Method is required and must be one of {', '.join(sorted(METHODS))}."
        )
    parts = urlsplit(endpoint)
    if parts.scheme != "https" or not parts.hostname:
        raise HttpTaskRuntimeError(
            f"ApiEndpoint {endpoint!r} is not an https:// URL; the HTTP Task calls HTTPS APIs only."
        )
    return endpoint, method.upper()


def _query(endpoint: str, task_query: Any, connection_query: list[tuple[str, str]]) -> str:
    if task_query is not None and not isinstance(task_query, dict):
        raise HttpTaskRuntimeError("QueryParameters must be a JSON object.")
    merged: dict[str, list[str]] = {}
    for key, value in (task_query or {}).items():
        values = value if isinstance(value, list) else [value]
        merged[str(key)] = [_string(v) for v in values]
    for key, value in connection_query:  # the connection wins
        merged[key] = [value]
    parts = urlsplit(endpoint)
    query = parts.query
    extra = urlencode([(k, v) for k, values in merged.items() for v in values])
    if extra:
        query = f"{query}&{extra}" if query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def _set_header(headers: dict[str, str], name: str, value: str) -> None:
    for existing in [k for k in headers if k.lower() == name.lower()]:
        del headers[existing]
    headers[name] = value


def build_request(
    parameters: dict[str, Any], connection: ConnectionRuntime, region: str
) -> HttpRequest:
    """The request for a task's evaluated ``parameters`` through ``connection``.

    ``connection`` is the call's :class:`~lab.sandbox.events.runtime.ConnectionRuntime`. Raises
    :class:`HttpTaskRuntimeError` (``States.Runtime``) for a task that cannot run as written.
    """
    endpoint, method = _endpoint(parameters)
    encoding, array_format = _transform(parameters)
    invocation = connection.invocation_http_parameters

    task_headers = parameters.get("Headers") or {}
    if not isinstance(task_headers, dict):
        raise HttpTaskRuntimeError("Headers must be a JSON object.")
    _check_task_headers(task_headers)
    headers: dict[str, str] = {}
    for name, value in task_headers.items():
        # x-lab-source-vpce is set by the modelled network only: a task cannot forge the
        # endpoint it arrives through (on AWS the header would just reach the API).
        if str(name).lower() not in RESERVED_HEADERS:
            _set_header(headers, str(name), _string(value))
    added: dict[str, set[str]] = {"headers": set(), "query": set(), "body": set()}
    for name, value in _key_values(invocation.get("HeaderParameters")):
        _set_header(headers, name, value)
        added["headers"].add(name.lower())
    # The credentials EventBridge adds, from the connection's secret.
    for name, value in connection.auth_headers.items():
        _set_header(headers, str(name), _string(value))
        added["headers"].add(name.lower())
    added["query"] = {k for k, _ in _key_values(invocation.get("QueryStringParameters"))}

    url = _query(
        endpoint,
        parameters.get("QueryParameters"),
        _key_values(invocation.get("QueryStringParameters")),
    )

    body_value = parameters.get("RequestBody")
    connection_body = dict(_key_values(invocation.get("BodyParameters")))
    added["body"] = set(connection_body)
    if connection_body:
        if isinstance(body_value, dict):
            body_value = {**body_value, **connection_body}
        elif body_value is None and method in {"POST", "PUT", "PATCH"}:
            body_value = connection_body
        elif body_value is not None:
            # Only a JSON object can take the connection's body parameters (the guide's
            # "Merging EventBridge connection and HTTP Task definition data").
            raise HttpTaskRuntimeError(
                "The task's RequestBody is not a JSON object, so the connection's body "
                f"parameters ({', '.join(sorted(connection_body))}) cannot be merged into it; "
                "send RequestBody as a JSON object, or remove the connection's BodyParameters."
            )

    body: bytes | None = None
    if body_value is not None:
        if encoding == "URL_ENCODED":
            body = url_encode_body(body_value, array_format).encode("utf-8")
            default_type = "application/x-www-form-urlencoded"
        elif isinstance(body_value, str):
            body = body_value.encode("utf-8")
            default_type = "text/plain; charset=UTF-8"
        else:
            body = json.dumps(body_value, separators=(",", ":")).encode("utf-8")
            default_type = "application/json"
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = default_type

    # Headers Step Functions owns; they replace whatever the connection set.
    _set_header(headers, "User-Agent", user_agent(region))
    _set_header(headers, "Range", RESPONSE_RANGE)
    return HttpRequest(
        method=method, url=url, headers=headers, body=body, connection_added=added
    )
