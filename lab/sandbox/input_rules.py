"""Every request's input rules, from botocore's service models, checked before any handler.

AWS's front end refuses a request that breaks its model's constraints before the service
sees it: a required member missing, a string or list too short or too long, a number out
of range, a string that does not match the member's pattern or is not one of its enum
values. It answers in one set of words for every service::

    2 validation errors detected: Value 'my connection' at 'name' failed to satisfy
    constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; Value
    'APIKEY' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum
    value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]

Member paths are the model's member names with a lower-case first letter, joined by dots;
a list element is ``<list>.<n>.member`` (counting from 1); a sensitive member's value is
not echoed (``Value at 'apiKeyValue' …``), nor are those AWS was recorded hiding
(:data:`NOT_ECHOED`). The code is the service's, or ValidationException where the
operation's modelled errors name it and not the service's (:func:`error_code`).
Recorded examples: CloudWatch Logs' "2 validation errors detected: Value '' at
'logGroupNamePrefix' failed to satisfy constraint: Member must
satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; Value '' at 'logGroupNamePrefix'
failed to satisfy constraint: Member must have length greater than or equal to 1" (pattern
before length, as here) and "Value null at 'logEvents.1.member.timestamp' failed to satisfy
constraint: Member must not be null".

moto checks a few of these per operation by hand, and most not at all: it accepts a
connection named "my connection" or an ``AuthorizationType`` of ``APIKEY``. botocore's own
``ParamValidator`` checks required members, types and minimums on the client, not maximums,
patterns or enums, and a client that does not validate (the AWS CLI with
``parameter_validation`` off, the JavaScript SDK under the CDK CLI) checks nothing. No
library validates a request against a botocore shape in AWS's wording, so this module walks
the operation's input shape itself: each (service, operation) is compiled once into a
checker, patterns run with the ``regex`` package (it has Java's ``\\p{…}`` classes) as full
matches, with a time limit.

API Gateway (rest-json) is checked too, its URI and body members alike; its front end names
a member from the operation's input (``createRestApiInput.name``: :data:`INPUT_ROOTED`), and
its query-string members and patch operations are its handlers' (:data:`HANDLER_CHECKED`).

Secrets Manager is not checked here: its front end answers several of these rules in its
own words ("ClientRequestToken must be 32-64 characters long.", moto's tests record them),
which moto already gives.

Where it applies (:func:`seams`): moto's ``BaseResponse.call_action``, which every request
to a service in :data:`SERVICES` passes through, in the server and in-process alike; the
direct path (:mod:`lab.sandbox.direct_path`) calls :func:`answer` itself. The same wrap
answers, for every service, an operation botocore's model has and moto does not implement
with "not emulated by the sandbox: <Operation>" (:func:`not_emulated`), never moto's HTTP 500.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import regex

LOG = logging.getLogger(__name__)

#: Services whose requests are checked, and the error code their front end answers with.
SERVICES: dict[str, str] = {
    "events": "ValidationException",
    "stepfunctions": "ValidationException",
    "kms": "ValidationException",
    "logs": "InvalidParameterException",
    "cloudformation": "ValidationError",
    "iam": "ValidationError",
    "apigateway": "ValidationException",
}

#: Services whose front end names a member from the operation's input, not from the root:
#: API Gateway, recorded: "1 validation error detected: Value 'Wrong-value-AUTHORIZER' at
#: 'createRestApiInput.apiKeySource' failed to satisfy constraint: Member must satisfy enum
#: value set: [AUTHORIZER, HEADER]" (moto's test_apigateway, from AWS), and "Value '[X]' at
#: 'createRestApiInput.endpointConfiguration.types' …" (LocalStack's parity-tested provider).
INPUT_ROOTED = frozenset({"apigateway"})

#: Input members a service's own handler checks in its own words, not the model front end:
#: (service) -> (member locations, member names) left out of the model check. API Gateway,
#: recorded in moto's tests: an import ``mode`` in the query string is answered
#: ``BadRequestException`` 'Enumeration value of OpenAPI import mode must be "overwrite" or
#: "merge"', and a patch operation's ``op`` ``ValidationException`` "Member must satisfy enum
#: value set: [add, remove, move, test, replace, copy]" (no count, no path): moto's handlers
#: give both.
HANDLER_CHECKED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "apigateway": (frozenset({"querystring"}), frozenset({"patchOperations"})),
}

#: Members whose value AWS's front end does not echo although botocore's model does not mark
#: them sensitive, by shape name (each is a shape of one service in :data:`SERVICES` only;
#: tests/sandbox/test_input_rules.py checks it). CloudWatch Logs, recorded (moto's aws_verified
#: test_arn_formats_log_group_and_stream): "1 validation error detected: Value at
#: 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression
#: pattern: [\\w#+=/:,.@-]*". A list of such members is not echoed either.
NOT_ECHOED = frozenset({"LogGroupIdentifier"})

#: How long one pattern may take on one value before it is given the benefit of the doubt.
PATTERN_SECONDS = 0.05

Violation = tuple[str, Any, str, bool]  # (member path, value, constraint, sensitive)
Checker = Callable[[Any, str, list[Violation]], None]


# --------------------------------------------------------------------------- the words


def _java_text(value: Any) -> str:
    """A value as AWS's front end prints it (Java's ``toString`` of the parsed member)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}={_java_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_java_text(v) for v in value) + "]"
    return str(value)


def describe(violation: Violation) -> str:
    """One violation in AWS's words."""
    path, value, constraint, sensitive = violation
    if value is None:
        shown = "Value null"
    elif sensitive:
        shown = "Value"
    else:
        shown = f"Value '{_java_text(value)}'"
    return f"{shown} at '{path}' failed to satisfy constraint: {constraint}"


def message(violations: list[Violation]) -> str:
    """The whole message: ``N validation error(s) detected: …; …``."""
    count = len(violations)
    plural = "error" if count == 1 else "errors"
    return f"{count} validation {plural} detected: " + "; ".join(map(describe, violations))


# --------------------------------------------------------------------------- the checks


def _member_path(parent: str, name: str) -> str:
    name = name[:1].lower() + name[1:]
    return f"{parent}.{name}" if parent else name


@functools.cache
def _pattern(pattern: str) -> Any:
    try:
        return regex.compile(pattern)
    except regex.error as error:  # a Java construct the regex package lacks: not checked
        LOG.warning("input rules: pattern %r does not compile (%s); not checked", pattern, error)
        return None


def _matches(compiled: Any, value: str) -> bool:
    try:
        return compiled.fullmatch(value, timeout=PATTERN_SECONDS) is not None
    except TimeoutError:
        return True


#: Enum value sets AWS has been recorded listing in another order than botocore's model
#: (its front end's own order, not documented): keyed by the set, so any shape with exactly
#: these values is listed as recorded. API Gateway: "[AUTHORIZER, HEADER]" for
#: ``apiKeySource`` (moto's tests, from AWS) and "[PRIVATE, EDGE, REGIONAL]" for
#: ``endpointConfiguration.types`` (moto's and LocalStack's parity-tested code).
RECORDED_ENUM_ORDER: dict[frozenset[str], tuple[str, ...]] = {
    frozenset({"AUTHORIZER", "HEADER"}): ("AUTHORIZER", "HEADER"),
    frozenset({"PRIVATE", "EDGE", "REGIONAL"}): ("PRIVATE", "EDGE", "REGIONAL"),
}


def _enum_text(values: Any) -> str:
    values = list(values)
    ordered = RECORDED_ENUM_ORDER.get(frozenset(values), values)
    return "Member must satisfy enum value set: [" + ", ".join(ordered) + "]"


def _length_rules(shape: Any, what: str = "length") -> list[tuple[Callable[[int], bool], str]]:
    rules = []
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if high is not None:
        rules.append(
            (
                lambda n, high=high: n <= high,
                f"Member must have {what} less than or equal to {high}",
            )
        )
    if low is not None and low > 0:
        rules.append(
            (lambda n, low=low: n >= low, f"Member must have {what} greater than or equal to {low}")
        )
    return rules


def _compile(shape: Any, seen: dict[str, Checker] | None = None) -> Checker | None:
    """A function that appends ``shape``'s violations by ``value`` to a list, or None if
    nothing in the shape is constrained."""
    seen = {} if seen is None else seen
    if shape.name in seen:  # recursive shapes: the checker being built
        return seen[shape.name]
    kind = shape.type_name
    if kind == "structure":
        return _compile_structure(shape, seen)
    if kind == "list":
        return _compile_list(shape, seen)
    if kind == "map":
        return _compile_map(shape, seen)
    if kind == "string":
        return _compile_string(shape)
    if kind == "blob":
        return _compile_sized(shape, lambda value: len(value))
    if kind in ("integer", "long", "float", "double"):
        return _compile_number(shape)
    return None


def _constraints_of_string(shape: Any) -> Callable[[str], list[str]] | None:
    compiled = _pattern(shape.metadata["pattern"]) if "pattern" in shape.metadata else None
    lengths = _length_rules(shape)
    enum = list(shape.enum or ())
    if compiled is None and not lengths and not enum:
        return None
    pattern_text = shape.metadata.get("pattern")
    enum_text = _enum_text(enum)

    def broken(value: str) -> list[str]:
        found = []
        if compiled is not None and not _matches(compiled, value):
            found.append(f"Member must satisfy regular expression pattern: {pattern_text}")
        found.extend(text for ok, text in lengths if not ok(len(value)))
        if enum and value not in enum:
            found.append(enum_text)
        return found

    return broken


def _hidden(shape: Any) -> bool:
    """Whether AWS leaves ``shape``'s value out of its message (``Value at '…'``)."""
    if shape.metadata.get("sensitive") or shape.name in NOT_ECHOED:
        return True
    return shape.type_name == "list" and shape.member.name in NOT_ECHOED


def _compile_string(shape: Any) -> Checker | None:
    constraints = _constraints_of_string(shape)
    if constraints is None:
        return None
    sensitive = _hidden(shape)

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if isinstance(value, str):
            out.extend((path, value, text, sensitive) for text in constraints(value))

    return check


def _compile_sized(shape: Any, size: Callable[[Any], int]) -> Checker | None:
    rules = _length_rules(shape)
    if not rules:
        return None
    sensitive = _hidden(shape)

    def check(value: Any, path: str, out: list[Violation]) -> None:
        try:
            n = size(value)
        except TypeError:
            return
        out.extend((path, value, text, sensitive) for ok, text in rules if not ok(n))

    return check


def _compile_number(shape: Any) -> Checker | None:
    rules = _length_rules(shape, what="value")
    if not rules:
        return None

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.extend((path, value, text, False) for ok, text in rules if not ok(value))

    return check


def _compile_structure(
    shape: Any, seen: dict[str, Checker], skip: Callable[[str, Any], bool] | None = None
) -> Checker | None:
    """``skip(name, member shape)``: members left to the handler (:data:`HANDLER_CHECKED`)."""
    members: list[tuple[str, str, Checker | None, bool]] = []

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if not isinstance(value, Mapping):
            return
        for name, member_path_name, checker, required in members:
            member_value = value.get(name)
            member_path = _member_path(path, member_path_name)
            if member_value is None:
                if required:
                    out.append((member_path, None, "Member must not be null", False))
                continue
            if checker is not None:
                checker(member_value, member_path, out)

    seen[shape.name] = check
    required = set(shape.required_members)
    for name, member in shape.members.items():
        if skip is not None and skip(name, member):
            continue
        members.append((name, name, _compile(member, seen), name in required))
    if not required and all(checker is None for _, _, checker, _ in members):
        seen[shape.name] = None  # type: ignore[assignment]
        return None
    return check


def _all_constraints(shape: Any) -> list[str]:
    """Every constraint of a scalar shape, in the order AWS lists them for a list's members
    (recorded: "[Member must have length less than or equal to 68, Member must have length
    greater than or equal to 6, Member must satisfy regular expression pattern: …]")."""
    texts = [text for _, text in _length_rules(shape, "value" if _numeric(shape) else "length")]
    if "pattern" in shape.metadata:
        texts.append(f"Member must satisfy regular expression pattern: {shape.metadata['pattern']}")
    if getattr(shape, "enum", None):
        texts.append(_enum_text(shape.enum))
    return texts


def _numeric(shape: Any) -> bool:
    return shape.type_name in ("integer", "long", "float", "double")


def _compile_list(shape: Any, seen: dict[str, Checker]) -> Checker | None:
    sized = _compile_sized(shape, len)
    element = _compile(shape.member, seen)
    if sized is None and element is None:
        return None
    # A list of scalars is reported once, at the list, naming all the member's constraints
    # (CloudFormation, recorded: "Value '[unknown]' at 'deploymentTargets.organizationalUnitIds'
    # failed to satisfy constraint: Member must satisfy constraint: [Member must have length
    # less than or equal to 68, …]"); a list of structures names the member's own path
    # (CloudWatch Logs, recorded: "Value null at 'logEvents.1.member.timestamp'").
    scalar = shape.member.type_name not in ("structure", "list", "map")
    member_text = (
        "Member must satisfy constraint: [" + ", ".join(_all_constraints(shape.member)) + "]"
        if scalar
        else ""
    )
    sensitive = _hidden(shape.member)

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if not isinstance(value, list | tuple):
            return
        if sized is not None:
            sized(value, path, out)
        if element is None:
            return
        if scalar:
            inner: list[Violation] = []
            for item in value:
                element(item, path, inner)
            if inner:
                out.append((path, list(value), member_text, sensitive))
            return
        for index, item in enumerate(value, start=1):
            element(item, f"{path}.{index}.member", out)

    return check


def _compile_map(shape: Any, seen: dict[str, Checker]) -> Checker | None:
    sized = _compile_sized(shape, len)
    key_rules = _constraints_of_string(shape.key) if shape.key.type_name == "string" else None
    value_checker = _compile(shape.value, seen)
    if sized is None and key_rules is None and value_checker is None:
        return None

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if not isinstance(value, Mapping):
            return
        if sized is not None:
            sized(value, path, out)
        if key_rules is not None:
            broken = sorted({text for key in value for text in key_rules(str(key))})
            if broken:
                text = "Map keys must satisfy constraint: [" + ", ".join(broken) + "]"
                out.append((path, value, text, False))
        if value_checker is not None:
            inner: list[Violation] = []
            for item in value.values():
                value_checker(item, path, inner)
            if inner:
                texts = sorted({violation[2] for violation in inner})
                text = "Map value must satisfy constraint: [" + ", ".join(texts) + "]"
                out.append((path, value, text, False))

    return check


@functools.cache
def checker(service: str, operation: str) -> Checker | None:
    """The compiled checker of ``operation``'s input (None: nothing to check)."""
    from moto.core.utils import get_service_model

    try:
        shape = get_service_model(service).operation_model(operation).input_shape
    except Exception:  # an operation botocore does not know: the handler answers for it
        return None
    if shape is None:
        return None
    if service in HANDLER_CHECKED:
        locations, names = HANDLER_CHECKED[service]

        def skip(name: str, member: Any) -> bool:
            return name in names or member.serialization.get("location") in locations

        return _compile_structure(shape, {}, skip)
    return _compile(shape)


def root_path(service: str, operation: str) -> str:
    """Where member paths start: "" (``name``), or for :data:`INPUT_ROOTED` services the
    operation's input (``createRestApiInput.name``)."""
    if service not in INPUT_ROOTED:
        return ""
    return operation[:1].lower() + operation[1:] + "Input"


def violations(service: str, operation: str, params: Mapping[str, Any]) -> list[Violation]:
    """Every way ``params`` (botocore's names) break ``operation``'s input rules."""
    check = checker(service, operation)
    if check is None:
        return []
    found: list[Violation] = []
    check(params, root_path(service, operation), found)
    return found


# ------------------------------------------------------------- rules a model cannot say

#: A connection's ``AuthorizationType`` -> the ``AuthParameters`` member it needs.
CONNECTION_AUTH_MEMBERS = {
    "API_KEY": "ApiKeyAuthParameters",
    "BASIC": "BasicAuthParameters",
    "OAUTH_CLIENT_CREDENTIALS": "OAuthParameters",
}


def _connection_auth(params: Mapping[str, Any]) -> str | None:
    """CreateConnection: the auth parameters are those of the authorization type, and only
    those (EventBridge API reference, CreateConnectionAuthRequestParameters; eb-target-
    connection-auth.html). AWS refuses the mix with ``ValidationException``; the wording of
    its message is not recorded, so the sentence is the sandbox's."""
    kind = params.get("AuthorizationType")
    wanted = CONNECTION_AUTH_MEMBERS.get(str(kind))
    auth = params.get("AuthParameters")
    if wanted is None or not isinstance(auth, Mapping):
        return None
    others = [m for m in CONNECTION_AUTH_MEMBERS.values() if m != wanted and auth.get(m)]
    if auth.get(wanted) and not others:
        return None
    return (
        f"A connection with AuthorizationType {kind} takes AuthParameters.{wanted}"
        + (f" and not {', '.join(others)}" if others else "")
        + "."
    )


#: (service, operation) -> a check of what the model cannot express (None: it passes).
SEMANTIC_RULES: dict[tuple[str, str], Callable[[Mapping[str, Any]], str | None]] = {
    ("events", "CreateConnection"): _connection_auth,
}


@functools.cache
def error_code(service: str, operation: str) -> str:
    """The code of ``operation``'s refusals: the service's (:data:`SERVICES`), unless the
    operation's modelled errors lack it and name ValidationException, as CloudWatch Logs'
    newer operations do (PutDeliveryDestination: ValidationException, no
    InvalidParameterException in botocore's model; moto's test records the code)."""
    from moto.core.utils import get_service_model

    code = SERVICES[service]
    try:
        model = get_service_model(service).operation_model(operation)
        errors = {shape.name for shape in model.error_shapes}
    except Exception:  # an operation botocore does not know: the service's code
        return code
    return "ValidationException" if code not in errors and "ValidationException" in errors else code


def refusal(service: str, operation: str, params: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(error code, message)`` AWS's front end would answer with, or None if it passes:
    the model's constraints first, then the service's rules a model cannot express."""
    if service not in SERVICES:
        return None
    code = error_code(service, operation)
    found = violations(service, operation, params)
    if found:
        return code, message(found)
    rule = SEMANTIC_RULES.get((service, operation))
    broken = rule(params) if rule is not None else None
    return (code, broken) if broken else None


# --------------------------------------------------------------------------- moto's requests


def _params(response: Any, service: str, operation: str) -> Mapping[str, Any] | None:
    """The request's members under botocore's names, parsed as moto's own parsers do."""
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.utils import get_service_model

    service_model = get_service_model(service)
    if service_model.protocol == "json":
        body = response.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        try:
            raw = json.loads(body) if body else {}
        except ValueError:
            return None
        return raw if isinstance(raw, Mapping) else None
    parsed = getattr(response, "params", None)
    if isinstance(parsed, Mapping) and parsed:
        return parsed
    from werkzeug.datastructures import MultiDict

    values = MultiDict(
        [(key, item) for key, items in response.querystring.items() for item in items]
    )
    parser = PROTOCOL_PARSERS[service_model.protocol](
        service_model.operation_model(operation), map_type=dict
    )
    return parser.parse(
        {
            "method": response.method,
            "values": values,
            "headers": response.headers,
            "body": response.body,
            "url_path": response.path,
            "url_params": response.uri_match,
        }
    )


@functools.cache
def _error_class() -> type:
    """moto's serializable error, defined here (moto would look for a model of 'core')."""
    from moto.core.exceptions import ServiceException

    return type("InputRuleViolation", (ServiceException,), {"__module__": __name__})


def _checked_call_action(moto_call_action: Callable[[Any], Any]) -> Callable[[Any], Any]:
    @functools.wraps(moto_call_action)
    def call_action(self: Any) -> Any:
        refused = answer(self)
        if refused is None:
            refused = not_emulated(self)
        return moto_call_action(self) if refused is None else refused

    return call_action


def answer(response: Any) -> Any:
    """moto's ``(status, headers, body)`` refusing ``response``'s request (a moto
    ``BaseResponse`` after ``setup_class``), or None if the request keeps to its rules."""

    service = response.boto3_service_name
    if service not in SERVICES:
        return None

    operation = response._get_action()
    if not operation:
        return None
    try:
        params = _params(response, service, operation)
    except Exception:  # moto's parser could not read it: let the handler answer
        LOG.debug("input rules: could not parse %s.%s", service, operation, exc_info=True)
        return None
    if params is None:
        return None
    refused = refusal(service, operation, params)
    if refused is None:
        return None
    code, text = refused
    return _error_response(response, service, code, text)


def _error_response(response: Any, service: str, code: str, text: str) -> Any:
    """moto's ``(status, headers, body)`` for a client error, in the service's protocol."""
    from moto.core.responses import ActionResult
    from moto.core.utils import get_service_model

    if response.determine_response_protocol(get_service_model(service)) == "json":
        # As AWS's JSON front end answers (and moto's own JSON errors): type in a header too.
        body = json.dumps({"__type": code, "message": text})
        headers = {"status": 400, "X-Amzn-ErrorType": code, "Content-Type": "application/json"}
    else:
        status, headers, body = response.serialized(ActionResult(_error_class()(code, text)))
        headers["status"] = status
    status, headers, body = response._transform_response(response.response_headers, (body, headers))
    headers, body = response._enrich_response(headers, body)
    return status, headers, body


@functools.lru_cache(maxsize=1024)
def _implemented(cls: type, action: str) -> bool:
    from moto.core.utils import camelcase_to_underscores, method_names_from_class

    return camelcase_to_underscores(action) in method_names_from_class(cls)


def not_emulated(response: Any) -> Any:
    """An operation botocore's model has and no handler implements: moto raises
    ``NotImplementedError`` (HTTP 500 and an HTML page); the sandbox answers a client error
    whose message starts "not emulated by the sandbox: <Operation>", as its own refusals do."""
    from moto.core.utils import get_service_model

    operation = response._get_action()
    if not operation or _implemented(type(response), operation):
        return None
    service = response.boto3_service_name
    try:
        get_service_model(service).operation_model(operation)
    except Exception:  # not an operation of the service at all: moto's own answer
        return None
    text = (
        f"not emulated by the sandbox: {operation} (moto {_moto_version()}, which the "
        "sandbox builds on, does not implement it)"
    )
    protocol = get_service_model(service).protocol
    code = "ValidationError" if protocol in ("query", "ec2") else "ValidationException"
    return _error_response(response, service, code, text)


@functools.cache
def _moto_version() -> str:
    from importlib.metadata import version

    return version("moto")


def seams() -> tuple[Any, ...]:
    """moto's ``call_action`` checks the input rules first."""
    from lab.sandbox.seams import Seam

    return (
        Seam(
            __name__,
            "moto.core.responses:BaseResponse.call_action",
            _checked_call_action,
            "moto checks few of the constraints in botocore's models, none in AWS's words",
            "tests/contracts/test_moto_input_rules.py::test_call_action_is_where_every_service_request_passes",
            kind="wrap",
        ),
    )
