"""The MOCK integration: request template -> status code -> integration response -> body.

API Gateway renders mapping templates with Velocity (VTL). The sandbox renders them with
airspeed-ext, LocalStack's fork of airspeed written for the VTL dialect of AWS services
(``#set``, ``#if``, ``#foreach`` with ``$foreach.hasNext``, Java-style methods such as
``keySet()`` or ``size()``), so a template behaves here as it does on API Gateway: there is
no hand-written subset of VTL in the lab.

What no library provides is the scope API Gateway gives a template, so this module builds
it as the API Gateway developer guide documents it ("Variables for data transformations"):

- ``$context``: the request's context (``requestId``, ``requestTimeEpoch``, ``identity.*``,
  ``resourcePath``, ``httpMethod``, ``stage``, ...), see :func:`context_variables`.
- ``$input``: ``body``, ``json(path)``, ``path(path)``, ``params()`` (a map with ``path``,
  ``querystring`` and ``header``) and ``params(name)`` (path, then query string, then
  header), see :class:`InputVariable`.
- ``$util``: ``escapeJavaScript``, ``parseJson``, ``urlEncode``, ``urlDecode``,
  ``base64Encode``, ``base64Decode``, see :class:`UtilVariable`.
- ``$stageVariables``: the stage's variables.

A MOCK integration has no backend, so in the integration response ``$input.body`` is empty
and ``$input.params()`` still describes the method request.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import airspeed
from jsonpath_ng.ext import parse as jsonpath_parse

_STATUS = re.compile(r'"?statusCode"?\s*:\s*"?(\d{3})"?')


class JavaMap(dict):
    """A ``dict`` that answers the ``java.util.Map`` methods templates call and prints as Java.

    airspeed-ext adds Java methods only to plain ``dict``; API Gateway's maps
    (``$input.params()``, its ``header``/``querystring``/``path``) print as
    ``{name=value, ...}`` when a template writes one out whole, as Java's do.
    """

    def keySet(self):  # noqa: N802 - Java's name, called from templates
        return list(self.keys())

    def entrySet(self):  # noqa: N802
        return [{"key": k, "value": v} for k, v in self.items()]

    def containsKey(self, key):  # noqa: N802
        return key in self

    def size(self):
        return len(self)

    def isEmpty(self):  # noqa: N802
        return not self

    def put(self, key, value):
        previous = self.get(key)
        self[key] = value
        return previous

    def __str__(self) -> str:
        return "{" + ", ".join(f"{k}={v}" for k, v in self.items()) + "}"


@dataclass
class TemplateScope:
    """What one request offers a mapping template.

    ``context`` is ``$context`` as API Gateway nests it (``identity`` is a map);
    ``headers`` keep the names as received, ``query`` and ``path`` map names to values.
    """

    context: dict[str, Any] = field(default_factory=dict)
    stage_variables: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    path: dict[str, str] = field(default_factory=dict)
    body: str = ""


def context_variables(
    *,
    request_id: str,
    request_time_epoch_ms: int,
    api_id: str,
    account_id: str,
    stage: str,
    resource_id: str,
    resource_path: str,
    http_method: str,
    path: str,
    domain_name: str,
    protocol: str,
    source_ip: str,
    user_agent: str | None,
    vpce_id: str | None,
    api_key: str | None,
    api_key_id: str | None,
    vpc_id: str | None = None,
) -> dict[str, Any]:
    """``$context`` for one request, with the names and nesting API Gateway uses.

    ``identity.vpceId`` and ``identity.vpcId`` are set for private APIs only (the VPC
    endpoint the request came through, and its VPC); ``identity.apiKey``/``apiKeyId``
    only for a method that requires an API key. A variable API Gateway leaves unset
    renders as an empty string, as an undefined reference does on AWS.
    """
    from datetime import UTC, datetime

    when = datetime.fromtimestamp(request_time_epoch_ms / 1000, UTC)
    identity = {
        "sourceIp": source_ip,
        "userAgent": user_agent,
        "accountId": None,
        "caller": None,
        "user": None,
        "userArn": None,
        "apiKey": api_key,
        "apiKeyId": api_key_id,
        "vpceId": vpce_id,
        "vpcId": vpc_id,
    }
    return {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": domain_name,
        "domainPrefix": domain_name.split(".", 1)[0],
        "extendedRequestId": request_id,
        "httpMethod": http_method,
        "identity": {k: v for k, v in identity.items() if v is not None},
        "path": path,
        "protocol": protocol,
        "requestId": request_id,
        "requestTime": when.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": request_time_epoch_ms,
        "resourceId": resource_id,
        "resourcePath": resource_path,
        "stage": stage,
    }


class InputVariable:
    """``$input``: the payload and the method request's parameters."""

    def __init__(self, scope: TemplateScope, body: str):
        self._scope = scope
        self.body = body

    def params(self, name: str | None = None):
        """All parameters as a map (``path``, ``querystring``, ``header``), or one by name.

        By name, API Gateway searches the path, then the query string, then the headers.
        """
        if name is None:
            return JavaMap(
                path=JavaMap(self._scope.path),
                querystring=JavaMap(self._scope.query),
                header=JavaMap(self._scope.headers),
            )
        if name in self._scope.path:
            return self._scope.path[name]
        if name in self._scope.query:
            return self._scope.query[name]
        lowered = name.lower()
        for header, value in self._scope.headers.items():
            if header.lower() == lowered:
                return value
        return ""

    def _select(self, path: str):
        try:
            document = json.loads(self.body) if self.body.strip() else {}
        except ValueError:
            return None
        matches = [m.value for m in _compiled_jsonpath(path).find(document)]
        if not matches:
            return None
        return matches[0] if len(matches) == 1 else matches

    def json(self, path: str) -> str:
        """The JSON text at JSONPath ``path`` of the payload (``$input.json('$')``)."""
        return json.dumps(self._select(path), separators=(",", ":"))

    def path(self, path: str):
        """The object at JSONPath ``path`` of the payload, usable from VTL."""
        return self._select(path)


@functools.lru_cache(maxsize=256)
def _compiled_jsonpath(path: str):
    return jsonpath_parse(path)


class UtilVariable:
    """``$util``: the helper functions API Gateway documents for mapping templates."""

    @staticmethod
    def escapeJavaScript(value) -> str:  # noqa: N802 - API Gateway's name
        """Java's ``StringEscapeUtils.escapeJavaScript``, as API Gateway uses it.

        Like AWS it escapes ``'`` as ``\\'``, which JSON does not accept (AWS documents
        that a value with single quotes needs a different treatment in JSON).
        """
        if value is None:
            return ""
        out = []
        for ch in str(value):
            code = ord(ch)
            if ch in "\"'\\/":
                out.append("\\" + ch)
            elif ch in _JS_SHORT_ESCAPES:
                out.append(_JS_SHORT_ESCAPES[ch])
            elif code < 0x20 or code > 0x7F:
                if code > 0xFFFF:
                    # Java strings are UTF-16: a supplementary character is two escapes.
                    encoded = ch.encode("utf-16-be")
                    for i in range(0, 4, 2):
                        out.append(f"\\u{int.from_bytes(encoded[i : i + 2], 'big'):04X}")
                else:
                    out.append(f"\\u{code:04X}")
            else:
                out.append(ch)
        return "".join(out)

    @staticmethod
    def parseJson(text: str):  # noqa: N802
        """The object a JSON string describes."""
        return json.loads(text)

    @staticmethod
    def urlEncode(text: str) -> str:  # noqa: N802
        """``java.net.URLEncoder.encode(text, "UTF-8")``: spaces become ``+``."""
        return urllib.parse.quote_plus(str(text), safe="*").replace("~", "%7E")

    @staticmethod
    def urlDecode(text: str) -> str:  # noqa: N802
        """``java.net.URLDecoder.decode(text, "UTF-8")``."""
        return urllib.parse.unquote_plus(str(text))

    @staticmethod
    def base64Encode(text: str) -> str:  # noqa: N802
        """Base64 of the UTF-8 bytes of ``text``."""
        return base64.b64encode(str(text).encode("utf-8")).decode("ascii")

    @staticmethod
    def base64Decode(text: str) -> str:  # noqa: N802
        """The UTF-8 text whose Base64 is ``text``."""
        return base64.b64decode(str(text)).decode("utf-8")


_JS_SHORT_ESCAPES = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


@dataclass
class MockResult:
    """What the integration answered: status, body, content type and mapped headers."""

    status: int
    body: str
    content_type: str
    headers: dict[str, str]


class IntegrationConfigurationError(Exception):
    """The integration cannot answer (API Gateway returns 500 Internal server error)."""


@functools.lru_cache(maxsize=128)
def _compiled(template: str) -> airspeed.Template:
    compiled = airspeed.Template(template)
    compiled.ensure_compiled()
    return compiled


def render(template: str | None, scope: TemplateScope, body: str | None = None) -> str:
    """Render ``template`` with airspeed-ext in the scope API Gateway gives it.

    ``body`` is the payload ``$input`` reads (default: the method request's body).
    A template that does not parse or fails while rendering is an integration
    configuration error, as on API Gateway (500 Internal server error).
    """
    if not template:
        return ""
    namespace = {
        "context": _to_maps(scope.context),
        "input": InputVariable(scope, scope.body if body is None else body),
        "util": UtilVariable(),
        "stageVariables": JavaMap(scope.stage_variables),
    }
    try:
        return _compiled(template).merge(namespace)
    except airspeed.TemplateError as exc:
        raise IntegrationConfigurationError(
            f"Execution failed due to configuration error: {exc}"
        ) from exc


def _to_maps(value):
    if isinstance(value, dict):
        return JavaMap({k: _to_maps(v) for k, v in value.items()})
    return value


def context_value(context: dict[str, Any], dotted: str) -> Any:
    """``context.identity.sourceIp`` style lookup (``None`` when unset)."""
    value: Any = context
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _pick_template(templates: dict[str, Any] | None, content_type: str | None) -> tuple[str, str]:
    if not templates:
        return "application/json", ""
    if content_type and content_type in templates:
        return content_type, templates[content_type] or ""
    if "application/json" in templates:
        return "application/json", templates["application/json"] or ""
    first = next(iter(templates))
    return first, templates[first] or ""


def _status_from_request_template(rendered: str) -> int:
    if not rendered.strip():
        return 200
    match = _STATUS.search(rendered)
    if match is None:
        raise IntegrationConfigurationError(
            "Execution failed due to configuration error: Unable to parse statusCode."
        )
    return int(match.group(1))


def _select_integration_response(responses: dict[str, Any], status: int):
    default = None
    for response in responses.values():
        pattern = response.selection_pattern
        if pattern:
            if re.fullmatch(pattern, str(status)):
                return response
        elif default is None:
            default = response
    return default


def _mapped_headers(parameters: dict[str, str] | None, scope: TemplateScope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for target, source in (parameters or {}).items():
        prefix = "method.response.header."
        if not target.startswith(prefix):
            continue
        name = target[len(prefix) :]
        if source.startswith("'") and source.endswith("'"):
            headers[name] = source[1:-1]
        elif source.startswith("context."):
            value = context_value(scope.context, source[len("context.") :])
            headers[name] = "" if value is None else str(value)
        elif source.startswith("stageVariables."):
            headers[name] = str(scope.stage_variables.get(source[len("stageVariables.") :], ""))
    return headers


def invoke(integration: Any, scope: TemplateScope, request_content_type: str | None) -> MockResult:
    """Run a MOCK ``integration`` (moto's ``Integration`` model) for one request."""
    _, request_template = _pick_template(integration.request_templates, request_content_type)
    status = _status_from_request_template(render(request_template, scope))
    chosen = _select_integration_response(integration.integration_responses or {}, status)
    if chosen is None:
        raise IntegrationConfigurationError(
            "Execution failed due to configuration error: No match for output mapping "
            "and no default output mapping configured."
        )
    content_type, response_template = _pick_template(chosen.response_templates, None)
    # A MOCK integration has no backend: the integration response's payload is empty.
    body = render(response_template, scope, body="")
    return MockResult(
        status=int(chosen.status_code),
        body=body,
        content_type=content_type,
        headers=_mapped_headers(chosen.response_parameters, scope),
    )
