"""Check responses against botocore's output shapes: does the sandbox answer like AWS?

Two ways to use it (``tests/`` is on ``sys.path`` through the root conftest)::

    from shape_check import checked, assert_valid_output

    # 1. Wrap a client: every call validates the raw JSON body AND the parsed
    #    response, and raises AssertionError listing every problem.
    lattice = checked(client("vpc-lattice"))
    gateway = lattice.get_resource_gateway(resourceGatewayIdentifier=gw_id)

    # 2. Validate a dict you already have (e.g. a model's to_dict()).
    assert_valid_output("vpc-lattice", "GetResourceGateway", gateway.to_dict())

What is checked, member by member: unknown keys (only visible in the raw body
or a to_dict(): boto3 silently drops them, which is how a misspelt field
hides), required members, types, enum values, string length and pattern,
number ranges, list and map sizes. Patterns that botocore's model itself gets
wrong (e.g. events' ResourceAssociationArn, double-escaped) are listed in
``BROKEN_PATTERNS`` and skipped, so such a check cannot fail for the wrong reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from typing import Any

import botocore.session

# (service, shape name) whose botocore pattern can never match a real value.
BROKEN_PATTERNS = {
    # '...:\\\\d{12}:servicenetworkresourceassociation/...' in botocore's JSON:
    # a literal backslash, not a digit class.
    ("events", "ResourceAssociationArn"),
    # EventBridge names a connection's managed secret "events!connection/<name>/…"
    # (AWS's own policy examples grant secret:events!connection/*); the model's
    # pattern has no "!".
    ("events", "SecretsManagerSecretArn"),
}

# (service, shape name) whose enum AWS returns in another letter case than the
# model lists: compared case-insensitively.
CASE_INSENSITIVE_ENUMS = {
    # VpcEndpoint.State: the model says "Available", AWS answers "available"
    # (aws/aws-sdk-go#3555).
    ("ec2", "State"),
}

# (service, shape name) -> values AWS returns that the model's enum omits.
ENUM_VALUES_AWS_ADDS = {
    # The first event of a stack created by a CREATE change set is the stack's
    # REVIEW_IN_PROGRESS (AWS::CloudFormation::Stack, "User Initiated"); the SAM
    # CLI reads StackEvents[0] right after CreateChangeSet. StackStatus lists
    # the value, ResourceStatus does not.
    ("cloudformation", "ResourceStatus"): {"REVIEW_IN_PROGRESS"},
}


@functools.cache
def _service_model(service: str):
    return botocore.session.get_session().get_service_model(service)


def output_shape(service: str, operation: str):
    """botocore's output shape of ``operation`` (CamelCase name, e.g. ``GetResourceGateway``)."""
    return _service_model(service).operation_model(operation).output_shape


def output_errors(service: str, operation: str, response: Any, raw: bool = False) -> list[str]:
    """Every way ``response`` differs from the operation's output shape.

    ``raw=True`` for a wire body or to_dict(): unknown keys are errors and
    timestamps may be numbers or strings. For a parsed boto3 response,
    ``ResponseMetadata`` is ignored and timestamps must be datetimes.
    """
    shape = output_shape(service, operation)
    if shape is None:
        if not raw and isinstance(response, dict):
            response = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        return [] if not response else [f"{operation} has no output, got {response!r}"]
    response = dict(response)
    if not raw:
        response.pop("ResponseMetadata", None)
    problems: list[str] = []
    _walk(service, shape, response, operation, problems, raw, top=True)
    return problems


def assert_valid_output(service: str, operation: str, response: Any, raw: bool = False) -> None:
    """Raise AssertionError listing every difference from the output shape."""
    problems = output_errors(service, operation, response, raw=raw)
    assert not problems, f"{service} {operation} response does not match botocore:\n  " + (
        "\n  ".join(problems)
    )


def _walk(service, shape, value, path, problems, raw, top=False):
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object ({shape.name}), got {value!r}")
            return
        members = shape.members
        # Members bound to headers/status code are not in a JSON body.
        body_members = {
            name: member
            for name, member in members.items()
            if not (top and raw and member.serialization.get("location"))
        }
        for key in value:
            if key not in members:
                if raw:
                    problems.append(f"{path}.{key}: not a member of {shape.name}")
                continue
        for name in shape.required_members:
            if name in body_members and name not in value:
                problems.append(f"{path}.{name}: required by {shape.name} but missing")
        if shape.metadata.get("union") and sum(k in members for k in value) > 1:
            problems.append(f"{path}: {shape.name} is a union; set exactly one member")
        for key, item in value.items():
            if key in members and item is not None:
                _walk(service, members[key], item, f"{path}.{key}", problems, raw)
        return
    if kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list ({shape.name}), got {value!r}")
            return
        _check_size(shape, len(value), path, problems, "items")
        for index, item in enumerate(value):
            _walk(service, shape.member, item, f"{path}[{index}]", problems, raw)
        return
    if kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a map ({shape.name}), got {value!r}")
            return
        _check_size(shape, len(value), path, problems, "entries")
        for key, item in value.items():
            _walk(service, shape.key, key, f"{path}<key {key!r}>", problems, raw)
            _walk(service, shape.value, item, f"{path}[{key!r}]", problems, raw)
        return
    if kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string ({shape.name}), got {value!r}")
            return
        enum = shape.enum
        if enum and (service, shape.name) in CASE_INSENSITIVE_ENUMS:
            enum, value_for_enum = [e.lower() for e in enum], value.lower()
        else:
            value_for_enum = value
        extra = ENUM_VALUES_AWS_ADDS.get((service, shape.name), set())
        if enum and value_for_enum not in enum and value_for_enum not in extra:
            problems.append(f"{path}: {value!r} is not one of {shape.name} {shape.enum}")
        _check_size(shape, len(value), path, problems, "characters")
        pattern = shape.metadata.get("pattern")
        if pattern and (service, shape.name) not in BROKEN_PATTERNS:
            # Smithy patterns are searched, not implicitly anchored.
            try:
                matched = re.search(pattern, value) is not None
            except re.error:
                matched = True  # a syntax Python's re lacks: not checkable here
            if not matched:
                problems.append(f"{path}: {value!r} does not match {shape.name} /{pattern}/")
        return
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{path}: expected an integer ({shape.name}), got {value!r}")
            return
        _check_range(shape, value, path, problems)
        return
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{path}: expected a number ({shape.name}), got {value!r}")
            return
        _check_range(shape, value, path, problems)
        return
    if kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected true/false ({shape.name}), got {value!r}")
        return
    if kind == "timestamp":
        allowed = (dt.datetime, str, int, float) if raw else (dt.datetime,)
        if isinstance(value, bool) or not isinstance(value, allowed):
            problems.append(f"{path}: expected a timestamp ({shape.name}), got {value!r}")
        elif isinstance(value, str):
            _check_timestamp_text(value, path, problems)
        return
    if kind == "blob":
        if not isinstance(value, bytes | bytearray | str):
            problems.append(f"{path}: expected bytes ({shape.name}), got {value!r}")
        return
    problems.append(f"{path}: shape type {kind} is not checked by shape_check")


def _check_timestamp_text(value, path, problems):
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        problems.append(f"{path}: {value!r} is not an ISO 8601 timestamp")


def _check_size(shape, size, path, problems, unit):
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        problems.append(f"{path}: {size} {unit}, {shape.name} needs at least {low}")
    if high is not None and size > high:
        problems.append(f"{path}: {size} {unit}, {shape.name} allows at most {high}")


def _check_range(shape, number, path, problems):
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and number < low:
        problems.append(f"{path}: {number} is below {shape.name}'s minimum {low}")
    if high is not None and number > high:
        problems.append(f"{path}: {number} is above {shape.name}'s maximum {high}")


class checked:
    """A client wrapper: each operation's raw JSON body and parsed response are validated.

    Errors (4xx/5xx) are not validated; they raise ClientError as usual. For
    XML/query protocols (EC2) only the parsed response is checked.
    """

    def __init__(self, client):
        self._client = client
        self._service = client.meta.service_model.service_name
        self._protocol = client.meta.service_model.protocol
        self._last_raw: dict[str, Any] = {}
        event = f"before-parse.{client.meta.service_model.service_id.hyphenize()}"
        client.meta.events.register(event, self._record_raw, unique_id=f"shape-check-{id(self)}")

    def _record_raw(self, operation_model, response_dict, **kwargs):
        self._last_raw = {"operation": operation_model.name, "response": response_dict}

    def __getattr__(self, name):
        method = getattr(self._client, name)
        if not callable(method) or name.startswith(("get_paginator", "get_waiter", "can_")):
            return method

        def call(*args, **kwargs):
            self._last_raw = {}
            response = method(*args, **kwargs)
            raw = self._last_raw
            if raw:
                operation = raw["operation"]
                if self._protocol in ("json", "rest-json") and raw["response"].get("body"):
                    body = json.loads(raw["response"]["body"])
                    assert_valid_output(self._service, operation, body, raw=True)
                assert_valid_output(self._service, operation, response)
            return response

        return call
