"""The direct path: the four Step Functions calls that carry executions, without moto's dispatch.

``StartSyncExecution``, ``StartExecution``, ``DescribeExecution`` and ``GetExecutionHistory``
are most of what the sandbox serves while a lab runs executions. moto answers each through
its generic machinery: Flask's request context and URL routing, a werkzeug request parsed
for forms, ``BaseResponse.setup_class``, ``inspect.getmembers`` of the response class to
find the action, and a serializer that walks botocore's output shape member by member,
trying up to six attribute aliases for each (a ``GetExecutionHistory`` of six events cost
~9 ms of serializer alone, profiled). For the action itself it is a fraction of that.

:class:`DirectPath` answers those four operations itself, producing what moto's path
produces, byte for byte (``tests/contracts/test_direct_path.py`` sends the same requests
both ways and compares status, headers and body):

- **the same action code**: moto's own ``StepFunctionResponse`` method runs (with every seam
  the sandbox installs on it), on a response object set up as ``setup_class`` sets it up
  for this kind of request (:func:`setup`; the contract test compares the two attribute
  by attribute);
- **the same errors**: a ``ServiceException`` or ``HTTPException`` is answered by moto's own
  serializer and header handling, exactly as ``call_action`` does;
- **the same success body**: :class:`ShapeSerializer` is moto's JSON serializer compiled once
  per output shape: the member order, the aliases moto's attribute picker would try (asked
  of moto's picker, for dict results), the string/number/timestamp conversions and
  ``json.dumps``. A result it was not compiled for (an object instead of a dict anywhere,
  a response transformer) goes to moto's serializer instead;
- **the same headers and request id**: moto's ``_enrich_response`` draws the request id
  (from moto's seeded random, so later ids stay the same), and the response is the Flask
  ``Response`` moto builds.

A request is taken only when moto would route it to ``StepFunctionResponse``: POST to
``/`` with no query string, signed for ``states``, an ``X-Amz-Target`` of one of the four,
a JSON content type, a ``Content-Length`` and no ``Content-Encoding``; and only while moto's
request recorder and IAM authentication are off. Anything else goes to moto untouched.
The sandbox setting ``direct_path`` (``lab.sandbox.configure(direct_path=False)``, or
``LAB_SANDBOX_DIRECT_PATH=0`` at start) switches it off, which is how the bench compares
the two paths in one run; ``DirectPath.enabled`` overrides it (the contract test).

Nothing here is set on moto: the server calls :class:`DirectPath` before moto's
dispatcher. What it relies on in moto is pinned by the contract test.
"""

from __future__ import annotations

import calendar
import functools
import io
import json
import threading
from collections import OrderedDict
from datetime import datetime
from enum import Enum
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlparse

#: ``X-Amz-Target`` -> the botocore operation the direct path answers.
OPERATIONS = {
    "AWSStepFunctions.StartSyncExecution": "StartSyncExecution",
    "AWSStepFunctions.StartExecution": "StartExecution",
    "AWSStepFunctions.DescribeExecution": "DescribeExecution",
    "AWSStepFunctions.GetExecutionHistory": "GetExecutionHistory",
}
#: The botocore service, and the signing name moto routes to it by.
SERVICE = "stepfunctions"
SIGNING_NAME = "states"
#: Content types botocore sends for Step Functions (moto's JSON_TYPES less plain JSON,
#: which moto reads as rest-json).
JSON_CONTENT_TYPES = ("application/x-amz-json-1.0", "application/x-amz-json-1.1")

# --------------------------------------------------------------------------- setup


def _request_class():
    from moto.core.request import Request

    class DirectRequest(Request):
        """moto's normalized request, as a real WSGI server delivered it."""

        from_wsgi_server = True

    return DirectRequest


_request_cls = None


def setup(response: Any, request: Any, body: bytes) -> None:
    """``BaseResponse.setup_class`` for a JSON request with no form, no files, no gzip.

    Step by step what moto's ``setup_class`` does for such a request (the contract test
    compares the attributes both set): the body is not a form, so ``form`` is empty and
    the query string (empty) then the body are parsed as a query string, as moto does.
    """
    from moto.iam.models import mark_account_as_visited
    from moto.utilities.utils import get_partition
    from werkzeug.datastructures import ImmutableMultiDict

    full_url = request.raw_url
    response.is_werkzeug_request = request.from_wsgi_server
    response.normalized_request = request
    response.parsed_url = urlparse(full_url)
    querystring: dict[str, Any] = OrderedDict()
    response.form_data = ImmutableMultiDict()  # what werkzeug parses from a JSON body
    response.raw_body = body
    text = body.decode("utf-8")
    response.body = text
    querystring.update(parse_qs(response.parsed_url.query, keep_blank_values=True))
    if not querystring and text:
        querystring.update(
            OrderedDict((key, [value]) for key, value in parse_qsl(text, keep_blank_values=True))
        )
    if not querystring:
        querystring.update(request.headers)
    from moto.core.responses import _decode_dict

    querystring = _decode_dict(querystring)
    response.uri = full_url
    response.path = response.parsed_url.path
    response.raw_path = request.raw_path
    response.querystring = querystring
    response.data = querystring
    response.method = request.method
    response.region = response.get_region_from_url(request, full_url)
    response.partition = get_partition(response.region)
    response.uri_match = {}
    response.headers = request.headers
    response.response_headers = {"server": "amazon.com"}
    response.access_key = response.get_access_key()
    response.current_account = response.get_current_account()
    mark_account_as_visited(
        account_id=response.current_account,
        access_key=response.access_key,
        service=response.service_name,
        region=response.region,
    )


# --------------------------------------------------------------------------- serializer


class NotCompiled(Exception):
    """The result has a value the compiled serializer does not handle: use moto's."""


_MISSING = object()


class ShapeSerializer:
    """moto's ``JSONSerializer`` for one operation's output, compiled for dict results.

    Each shape becomes a function of the value. For a structure member, the keys moto's
    ``XFormedAttributePicker`` would look up in a dict are asked of the picker itself,
    once; the conversions are moto's (``BaseJSONSerializer`` and ``ResponseSerializer``).
    """

    def __init__(self, operation_model: Any, pretty_print: bool = False) -> None:
        from moto.core.serialize import JSONSerializer, TimestampSerializer

        self._operation = operation_model
        self._indent = 4 if pretty_print else None
        self._timestamps = TimestampSerializer(JSONSerializer.DEFAULT_TIMESTAMP_FORMAT)
        self._timestamp_cache: dict[Any, Any] = {}
        self._lock = threading.Lock()
        shape = operation_model.output_shape
        self._root = self._compile_structure(shape, root=True) if shape is not None else None

    # ---- compile

    def _possible_keys(self, shape: Any, key: str) -> tuple[str, ...]:
        from moto.core.serialize import AttributePickerContext, XFormedAttributePicker

        context = AttributePickerContext(
            obj={},
            key=key,
            shape=shape,
            operation_model=self._operation,
            service_model=self._operation.service_model,
        )
        return tuple(XFormedAttributePicker().get_possible_keys(context))

    def _compile(self, shape: Any):
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return lambda value: value
            return self._compile_structure(shape)
        if kind == "list":
            return self._compile_list(shape)
        if kind == "map":
            return self._compile_map(shape)
        if kind == "string":
            return _string
        if kind in ("integer", "long"):
            return int
        if kind in ("float", "double"):
            return float
        if kind == "timestamp":
            return self._compile_timestamp(shape)
        if kind == "boolean":
            return lambda value: value
        raise NotCompiled(f"{shape.name}: {kind}")  # blob: not in these outputs

    def _compile_structure(self, shape: Any, root: bool = False):
        members = []
        for member_key, member_shape in shape.members.items():
            member_shape.parent = shape  # as moto's serializer sets it before picking
            members.append(
                (
                    self._possible_keys(member_shape, member_key),
                    member_shape.serialization.get("name", member_key),
                    member_shape,
                )
            )
        holder: list[Any] = [None]

        def structure(value: Any) -> dict[str, Any] | None:
            compiled = holder[0]
            if compiled is None:  # compiled on first use: shapes may refer to themselves
                compiled = holder[0] = tuple(
                    (keys, name, self._compile(member_shape))
                    for keys, name, member_shape in members
                )
            if value is None:
                return None
            if type(value) is not dict:
                raise NotCompiled(type(value).__name__)
            out: dict[str, Any] = {}
            for keys, name, convert in compiled:
                member = _MISSING
                for key in keys:
                    member = value.get(key, _MISSING)
                    if member is not _MISSING:
                        break
                if member is _MISSING or member is None:
                    continue  # moto leaves out a member it finds no value for
                out[name] = convert(member)
            return out

        return structure

    def _compile_items(self, shape: Any, inner: Any, what: str):
        """Converts the items of a list or the values of a map (``what``) of ``shape``, whose
        items are ``inner``; compiled on first use (shapes may refer to themselves)."""
        if "name" in inner.serialization:
            raise NotCompiled(f"{shape.name}: a renamed {what}")
        holder: list[Any] = [None]

        def convert_items(entries: Any) -> list[Any]:
            convert = holder[0]
            if convert is None:
                convert = holder[0] = self._compile(inner)
            out = []
            for entry in entries:
                if entry is None:
                    # moto's handling depends on the type
                    raise NotCompiled(f"a None {what}")
                out.append(convert(entry))
            return out

        return convert_items

    def _compile_list(self, shape: Any):
        convert_items = self._compile_items(shape, shape.member, "list member")

        def convert_list(value: Any) -> list[Any]:
            if not isinstance(value, list | tuple):
                raise NotCompiled(type(value).__name__)
            return convert_items(value)

        return convert_list

    def _compile_map(self, shape: Any):
        convert_values = self._compile_items(shape, shape.value, "map value")

        def convert_map(value: Any) -> dict[str, Any]:
            if type(value) is not dict:
                raise NotCompiled(type(value).__name__)
            return dict(zip(value, convert_values(value.values()), strict=True))

        return convert_map

    def _compile_timestamp(self, shape: Any):
        timestamp_format = shape.serialization.get(
            "timestampFormat", self._timestamps.default_format
        )
        if timestamp_format.lower() != "unixtimestamp":
            return lambda value: self._timestamps._convert_timestamp_to_str(value, timestamp_format)

        def convert_timestamp(value: Any):
            if type(value) is datetime and value.tzinfo is None:
                # parse_to_aware_datetime: naive means UTC; timegm reads it as such.
                base = calendar.timegm(value.timetuple())
                return base + (value.microsecond // 1000) / 1000.0 if value.microsecond else base
            if type(value) is str:  # history timestamps: the same strings, every read
                cached = self._timestamp_cache.get(value, _MISSING)
                if cached is _MISSING:
                    cached = self._timestamps._convert_timestamp_to_str(value, "unixtimestamp")
                    with self._lock:
                        if len(self._timestamp_cache) > 65536:
                            self._timestamp_cache.clear()
                        self._timestamp_cache[value] = cached
                return cached
            return self._timestamps._convert_timestamp_to_str(value, "unixtimestamp")

        return convert_timestamp

    # ---- use

    def serialize(self, result: Any) -> tuple[int, dict[str, str], str]:
        """``(status, headers, body)`` as moto's ``execute_result`` returns them."""
        body: dict[str, Any] = {}
        if self._root is not None:
            body = self._root(result) or {}
        status = self._operation.http.get("responseCode", 200)
        service = self._operation.service_model
        json_version = service.metadata.get("jsonVersion", "1.0")
        content_type = (
            f"application/x-amz-json-{json_version}" if service.protocol == "json" else "text"
        )
        return status, {"Content-Type": content_type}, json.dumps(body, indent=self._indent)


def _string(value: Any) -> Any:
    # BaseJSONSerializer._serialize_type_string
    if isinstance(value, Enum):
        value = value.value
    return str(value) if value not in [None, {}, []] else value


# --------------------------------------------------------------------------- the path


class DirectPath:
    """Answers the four execution calls (see the module docstring), or returns None.

    ``dispatcher`` is the server's moto ``DomainDispatcherApplication``: the direct path
    takes a request only if that dispatcher would hand it to Step Functions.
    """

    def __init__(self, dispatcher: Any, enabled: bool | None = None) -> None:
        self._dispatcher = dispatcher
        #: None: follow the sandbox setting ``direct_path``; True/False: fixed.
        self.enabled = enabled
        self._serializers: dict[str, ShapeSerializer | None] = {}
        self._lock = threading.Lock()

    def eligible(self, environ: dict[str, Any]) -> str | None:
        """The operation this request is, if the direct path may answer it."""
        operation = OPERATIONS.get(environ.get("HTTP_X_AMZ_TARGET", ""))
        if operation is None:
            return None
        enabled = self.enabled
        if enabled is None:
            from lab.sandbox import settings

            enabled = settings.get_setting("direct_path")
        if not enabled:
            return None
        if (
            environ.get("REQUEST_METHOD") != "POST"
            or environ.get("PATH_INFO") != "/"
            or environ.get("QUERY_STRING")
            or environ.get("CONTENT_TYPE") not in JSON_CONTENT_TYPES
            or environ.get("HTTP_CONTENT_ENCODING")
            or environ.get("wsgi.input_terminated")
            or not str(environ.get("CONTENT_LENGTH") or "").isdigit()
        ):
            return None
        if _recording() or _iam_authentication():
            return None
        # moto's own routing: service from the signature's scope, backend by host.
        host = self._dispatcher.infer_service_region_host(environ, "/")
        if host is None or not host.startswith(SIGNING_NAME + "."):
            return None
        if self._dispatcher.get_backend_for_host(host) != SERVICE:
            return None
        return operation

    def __call__(self, environ: dict[str, Any], start_response) -> Any:
        operation = self.eligible(environ)
        if operation is None:
            return None
        length = int(environ["CONTENT_LENGTH"])
        body = environ["wsgi.input"].read(length) if length else b""
        if len(body) != length:
            return self._to_moto(environ, body)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return self._to_moto(environ, body)
        environ["wsgi.input"] = io.BytesIO(body)  # as read, should anything read it again
        from botocore.exceptions import ClientError

        try:
            status, headers, content = self.respond(environ, operation, body)
        except ClientError as exc:  # as moto's convert_to_flask_response answers it
            status, headers, content = 400, {}, exc.response["Error"]["Message"]
        return _flask_response(content, status, headers)(environ, start_response)

    @staticmethod
    def _to_moto(environ: dict[str, Any], body: bytes):
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return None

    def respond(self, environ: dict[str, Any], operation: str, body: bytes):
        """moto's ``call_action`` for ``operation``, with the compiled serializer."""
        from moto.core.exceptions import ServiceException
        from moto.core.responses import ActionResult
        from moto.stepfunctions.responses import StepFunctionResponse
        from werkzeug.exceptions import HTTPException

        from lab.sandbox import input_rules

        global _request_cls
        if _request_cls is None:
            _request_cls = _request_class()
        response = StepFunctionResponse()
        setup(response, _request_cls(environ), body)
        headers = response.response_headers
        resource = "*"
        if hasattr(response, "_determine_resource"):
            resource = response._determine_resource()
        try:
            response._authenticate_and_authorize_normal_action(resource)
        except HTTPException as http_error:
            result = http_error.description, {"status": http_error.code}
            status, headers, content = response._transform_response(headers, result)
            headers, content = response._enrich_response(headers, content)
            return status, headers, content
        refused = input_rules.answer(response)
        if refused is not None:
            return refused
        method = getattr(response, _action_name(operation))
        try:
            result = method()
        except ServiceException as exc:
            se_status, se_headers, se_body = response.serialized(ActionResult(exc))
            se_headers["status"] = se_status
            result = se_body, se_headers
        except HTTPException as http_error:
            error_headers: dict[str, Any] = dict(http_error.get_headers() or [])
            error_headers["status"] = http_error.code
            result = http_error.description, error_headers
        if isinstance(result, ActionResult):
            status, headers, content = self._serialized(response, operation, result)
        elif isinstance(result, str):
            status, content = 200, result
        else:
            status, headers, content = response._transform_response(headers, result)
        headers, content = response._enrich_response(headers, content)
        return status, headers, content

    def _serialized(self, response: Any, operation: str, result: Any):
        serializer = self._serializer(response, operation)
        from moto.core.responses import ActionResult

        if serializer is not None and type(result) is ActionResult:  # not Paginated/Empty
            try:
                status, headers, content = serializer.serialize(result.result)
            except NotCompiled:
                pass
            else:
                headers.update(response.response_headers)
                return status, headers, content
        return response.serialized(result)

    def _serializer(self, response: Any, operation: str) -> ShapeSerializer | None:
        if response.RESPONSE_KEY_PATH_TO_TRANSFORMER:
            return None  # moto transforms values by key path: its serializer does that
        from moto.core.serialize import JSONSerializer, get_serializer_class

        protocol = response.determine_response_protocol(_service_model())
        if get_serializer_class(SERVICE, protocol) is not JSONSerializer:
            return None
        with self._lock:
            if operation not in self._serializers:
                from moto import settings

                try:
                    self._serializers[operation] = ShapeSerializer(
                        _service_model().operation_model(operation),
                        pretty_print=settings.PRETTIFY_RESPONSES,
                    )
                except NotCompiled:
                    self._serializers[operation] = None
            return self._serializers[operation]


@functools.lru_cache(maxsize=len(OPERATIONS) + 1)
def _action_name(operation: str) -> str:
    from moto.core.utils import camelcase_to_underscores

    return camelcase_to_underscores(operation)


def _service_model():
    from moto.core.utils import get_service_model

    return get_service_model(SERVICE)


def _flask_response(content: Any, status: int, headers: dict[str, Any]):
    # What moto's convert_to_flask_response builds from the same triple.
    from flask import Response

    return Response(response=content, status=status, headers=headers)


def _recording() -> bool:
    from moto.moto_api import recorder

    return bool(getattr(recorder, "_user_enabled", False))


def _iam_authentication() -> bool:
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    return ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT
