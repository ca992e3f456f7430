"""IAM policy evaluation as AWS documents it, for the roles the path's services assume.

Where AWS evaluates a role's policies on this path (a state machine's execution role calling
``states:InvokeHTTPEndpoint``, ``events:RetrieveConnectionCredentials`` and Secrets Manager;
an EventBridge target's role calling ``events:InvokeApiDestination``; the trust policies
that let ``states.amazonaws.com`` and ``events.amazonaws.com`` assume them), the sandbox
asks :func:`evaluate` the same question with the same request context.

The logic is the IAM User Guide's (reference_policies_evaluation-logic.html, identity-based
policies within one account): an explicit ``Deny`` in any policy wins; otherwise an
``Allow`` in any policy allows; otherwise the request is implicitly denied. A permissions
boundary, when the role has one, must allow too. A statement applies when its ``Action``
(or ``NotAction``) and ``Resource`` (or ``NotResource``) match and every condition holds:

- actions match without regard to case, resources with it; ``*`` and ``?`` are wildcards
  and nothing else is special (reference_policies_elements_action.html / _resource.html);
- conditions (reference_policies_elements_condition_operators.html): the operators are
  ANDed, a key's values ORed; ``…IfExists`` holds when the key is absent; a negated
  operator (``StringNotEquals``, ``ArnNotLike``…) holds when the key is absent; the set
  qualifiers ``ForAnyValue:`` / ``ForAllValues:`` compare multivalued keys; ``Null``
  tests presence. Condition key names match without regard to case.

Why written here: moto's ``moto.iam.access_control`` denies a request whose ``Allow``
statement's condition does not hold (AWS: the statement does not apply), knows no
``NotResource``, matches actions with case and turns ``.`` in an ARN into "any character";
``policyuniverse`` parses statements and expands wildcards but evaluates no conditions;
``iam-ape`` computes an account's effective permissions from its authorization details,
not one request with its context. None answers "is this request allowed, and why not".
"""

from __future__ import annotations

import fnmatch
import functools
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote

__all__ = ["Decision", "Policy", "Request", "evaluate", "parse_policy", "trusts_service"]


@dataclass(frozen=True)
class Policy:
    """One policy document, with the name a refusal can point at."""

    name: str
    document: Mapping[str, Any]


@dataclass(frozen=True)
class Request:
    """What a principal asks to do: action, resource and the request context's keys."""

    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """The answer: ``allowed``, and in words why (which policy allowed or denied)."""

    allowed: bool
    reason: str
    explicit: bool = False  #: denied by a Deny statement (not just for want of an Allow)


def parse_policy(document: Any) -> Mapping[str, Any]:
    """A policy document from what IAM stores: a dict, JSON text, or URL-encoded JSON."""
    if isinstance(document, Mapping):
        return document
    return _parsed(str(document))


@functools.lru_cache(maxsize=512)
def _parsed(text: str) -> Mapping[str, Any]:
    # Every HTTP Task call evaluates its role's documents: parse each text once (read only).
    if text.lstrip().startswith("%7B") or text.lstrip().startswith("%7b"):
        text = unquote(text)
    return json.loads(text)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@functools.lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    # fnmatch.translate would also make [...] special; IAM knows only * and ?.
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(rf"\A{body}\Z", (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL)


def _matches(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return _wildcard(str(pattern), ignore_case).match(value) is not None


def _substitute(pattern: str, context: Mapping[str, Any]) -> str:
    """Policy variables ``${aws:username}`` and the like, from the request context."""
    if "${" not in pattern:
        return pattern

    def value(match: re.Match[str]) -> str:
        name, _, default = match.group(1).partition(",")
        found = _lookup(context, name.strip())
        if found is None:
            return default.strip().strip("'") if default else match.group(0)
        return str(_as_list(found)[0])

    return re.sub(r"\$\{([^}]+)\}", value, pattern)


def _lookup(context: Mapping[str, Any], key: str) -> Any:
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return value
    return None


# --------------------------------------------------------------------------- conditions


def _number(text: Any) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _date(text: Any) -> float | None:
    if isinstance(text, int | float):
        return float(text)
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return _number(text)


def _in_network(value: Any, network: Any) -> bool:
    try:
        return ipaddress.ip_address(str(value)) in ipaddress.ip_network(str(network), strict=False)
    except ValueError:
        return False


def _arn_like(pattern: str, value: str) -> bool:
    # ArnLike compares the six colon-separated parts, each with wildcards.
    parts, values = str(pattern).split(":", 5), str(value).split(":", 5)
    if len(parts) != 6 or len(values) != 6:
        return _matches(pattern, value)
    return all(_matches(p, v) for p, v in zip(parts, values, strict=True))


#: operator (without IfExists / set qualifier) -> (compare(policy value, context value), negated)
_OPERATORS: dict[str, tuple[Any, bool]] = {
    "StringEquals": (lambda p, v: str(p) == str(v), False),
    "StringNotEquals": (lambda p, v: str(p) == str(v), True),
    "StringEqualsIgnoreCase": (lambda p, v: str(p).lower() == str(v).lower(), False),
    "StringNotEqualsIgnoreCase": (lambda p, v: str(p).lower() == str(v).lower(), True),
    "StringLike": (lambda p, v: _matches(p, str(v)), False),
    "StringNotLike": (lambda p, v: _matches(p, str(v)), True),
    "ArnEquals": (lambda p, v: str(p) == str(v), False),
    "ArnNotEquals": (lambda p, v: str(p) == str(v), True),
    "ArnLike": (_arn_like, False),
    "ArnNotLike": (_arn_like, True),
    "NumericEquals": (lambda p, v: _number(p) is not None and _number(p) == _number(v), False),
    "NumericNotEquals": (lambda p, v: _number(p) is not None and _number(p) == _number(v), True),
    "NumericLessThan": (lambda p, v: _cmp(_number, v, p, lambda a, b: a < b), False),
    "NumericLessThanEquals": (lambda p, v: _cmp(_number, v, p, lambda a, b: a <= b), False),
    "NumericGreaterThan": (lambda p, v: _cmp(_number, v, p, lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (lambda p, v: _cmp(_number, v, p, lambda a, b: a >= b), False),
    "DateEquals": (lambda p, v: _cmp(_date, v, p, lambda a, b: a == b), False),
    "DateNotEquals": (lambda p, v: _cmp(_date, v, p, lambda a, b: a == b), True),
    "DateLessThan": (lambda p, v: _cmp(_date, v, p, lambda a, b: a < b), False),
    "DateLessThanEquals": (lambda p, v: _cmp(_date, v, p, lambda a, b: a <= b), False),
    "DateGreaterThan": (lambda p, v: _cmp(_date, v, p, lambda a, b: a > b), False),
    "DateGreaterThanEquals": (lambda p, v: _cmp(_date, v, p, lambda a, b: a >= b), False),
    "Bool": (lambda p, v: str(p).lower() == str(v).lower(), False),
    "BinaryEquals": (lambda p, v: str(p) == str(v), False),
    "IpAddress": (lambda p, v: _in_network(v, p), False),
    "NotIpAddress": (lambda p, v: _in_network(v, p), True),
}


def _cmp(convert: Any, context_value: Any, policy_value: Any, op: Any) -> bool:
    a, b = convert(context_value), convert(policy_value)
    return a is not None and b is not None and op(a, b)


class UnknownConditionOperator(ValueError):
    """A condition operator IAM does not have (AWS refuses such a policy when it is put)."""


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, Any]) -> bool:
    qualifier = None
    name = operator
    if ":" in name:
        qualifier, name = name.split(":", 1)
    if_exists = name.endswith("IfExists") and name != "IfExists"
    if if_exists:
        name = name[: -len("IfExists")]
    present = _lookup(context, key)
    wanted = [_substitute(str(v), context) if isinstance(v, str) else v for v in _as_list(expected)]
    if name == "Null":
        is_null = present is None or present == []
        return any(str(w).lower() == ("true" if is_null else "false") for w in wanted)
    if name not in _OPERATORS:
        raise UnknownConditionOperator(operator)
    compare, negated = _OPERATORS[name]
    if present is None:
        if qualifier == "ForAllValues":
            return True
        return if_exists or negated
    values = _as_list(present)
    if qualifier == "ForAllValues":
        return all(_one(compare, negated, wanted, v) for v in values)
    if qualifier == "ForAnyValue":
        return any(_one(compare, negated, wanted, v) for v in values)
    return any(_one(compare, negated, wanted, v) for v in values)


def _one(compare: Any, negated: bool, wanted: list[Any], value: Any) -> bool:
    hit = any(compare(w, value) for w in wanted)
    return not hit if negated else hit


def _conditions_hold(conditions: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    for operator, keys in (conditions or {}).items():
        for key, expected in (keys or {}).items():
            if not _condition_holds(operator, key, expected, context):
                return False
    return True


# --------------------------------------------------------------------------- statements


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    if "NotAction" in statement:
        if any(_matches(a, request.action, True) for a in _as_list(statement["NotAction"])):
            return False
    elif not any(_matches(a, request.action, True) for a in _as_list(statement.get("Action"))):
        return False
    if "NotResource" in statement:
        patterns = [
            _substitute(str(r), request.context) for r in _as_list(statement["NotResource"])
        ]
        if any(_matches(r, request.resource) for r in patterns):
            return False
    elif "Resource" in statement:
        patterns = [_substitute(str(r), request.context) for r in _as_list(statement["Resource"])]
        if not any(_matches(r, request.resource) for r in patterns):
            return False
    return _conditions_hold(statement.get("Condition") or {}, request.context)


def _label(policy: Policy, index: int, statement: Mapping[str, Any]) -> str:
    sid = statement.get("Sid")
    return f"{policy.name} (statement {sid!r})" if sid else f"{policy.name} (statement {index + 1})"


def evaluate(
    policies: Iterable[Policy], request: Request, boundary: Policy | None = None
) -> Decision:
    """Is ``request`` allowed by these identity policies (and the permissions boundary)?"""
    allowed_by = None
    for policy in policies:
        for index, statement in enumerate(_as_list(parse_policy(policy.document).get("Statement"))):
            if not _applies(statement, request):
                continue
            if statement.get("Effect") == "Deny":
                return Decision(
                    False, f"explicitly denied by {_label(policy, index, statement)}", True
                )
            if statement.get("Effect") == "Allow" and allowed_by is None:
                allowed_by = _label(policy, index, statement)
    if allowed_by is None:
        return Decision(False, "no identity-based policy allows it")
    if boundary is not None:
        bounded = evaluate([boundary], request)
        if not bounded.allowed:
            return Decision(False, f"the permissions boundary {boundary.name} does not allow it")
    return Decision(True, f"allowed by {allowed_by}")


def trusts_service(
    trust_policy: Any, service: str, region: str, context: Mapping[str, Any] | None = None
) -> bool:
    """Does the role's trust policy let ``service`` (e.g. ``states.amazonaws.com``, global
    or regional ``states.<region>.amazonaws.com``) call ``sts:AssumeRole``?"""
    prefix = service.split(".", 1)[0]
    names = {service, f"{prefix}.{region}.amazonaws.com"}
    context = dict(context or {})
    allowed = False
    for statement in _as_list(parse_policy(trust_policy).get("Statement")):
        actions = _as_list(statement.get("Action"))
        if not any(_matches(a, "sts:AssumeRole", True) for a in actions):
            continue
        principal = statement.get("Principal")
        if principal == "*":
            named = True
        elif isinstance(principal, Mapping):
            named = any(
                fnmatch.fnmatchcase(name, str(p))
                for p in _as_list(principal.get("Service"))
                for name in names
            ) or "*" in _as_list(principal.get("AWS"))
        else:
            named = False
        if not named or not _conditions_hold(statement.get("Condition") or {}, context):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed
