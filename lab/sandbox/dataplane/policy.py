"""API Gateway resource policy evaluation for ``execute-api:Invoke``, as a private API sees it.

What is modelled (enough for the policies API Gateway users write for private APIs):

- ``Effect`` Allow/Deny; an explicit Deny wins, no matching Allow is an implicit deny.
- ``Principal`` / ``NotPrincipal``: the caller through a VPC endpoint without SigV4 is
  anonymous, so only ``"*"`` and ``{"AWS": "*"}`` match it.
- ``Action`` / ``NotAction`` with ``*`` and ``?`` wildcards (``execute-api:Invoke``,
  ``execute-api:*``, ``*``).
- ``Resource`` / ``NotResource`` with wildcards, including API Gateway's short form
  ``execute-api:/<stage>/<METHOD>/<path>`` that it expands to the API's own ARN.
- ``Condition`` operators ``StringEquals``, ``StringNotEquals``, ``StringEqualsIgnoreCase``,
  ``StringNotEqualsIgnoreCase``, ``StringLike``, ``StringNotLike`` (each also with
  ``IfExists``) on the keys in the request context (``aws:SourceVpce``, ``aws:SourceVpc``).
  Condition keys are case-insensitive, as in IAM. An unknown operator never matches, so a
  policy the sandbox does not understand denies rather than allows.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from typing import Any

ALLOW = "allow"
IMPLICIT_DENY = "implicit_deny"
EXPLICIT_DENY = "explicit_deny"

_STRING_OPERATORS = {
    "stringequals": (lambda actual, expected: actual == expected, False),
    "stringnotequals": (lambda actual, expected: actual == expected, True),
    "stringequalsignorecase": (lambda a, e: a.lower() == e.lower(), False),
    "stringnotequalsignorecase": (lambda a, e: a.lower() == e.lower(), True),
    "stringlike": (lambda actual, pattern: _wildcard_match(pattern, actual), False),
    "stringnotlike": (lambda actual, pattern: _wildcard_match(pattern, actual), True),
}


@dataclass(frozen=True)
class InvokeRequest:
    """What the policy is evaluated against: the method ARN and the request context keys."""

    api_arn: str  # arn:aws:execute-api:<region>:<account>:<api-id>
    method_arn: str  # <api_arn>/<stage>/<METHOD>/<path without leading slash>
    context: dict[str, str]  # e.g. {"aws:SourceVpce": "vpce-...", "aws:SourceVpc": "vpc-..."}


def _wildcard_match(pattern: str, value: str) -> bool:
    # IAM wildcards: * any run of characters (also across '/'), ? exactly one character.
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def load_policy(policy: str | dict | None) -> dict | None:
    """The policy document as a dict; API Gateway stores it as a (sometimes escaped) string."""
    if policy is None or policy == "":
        return None
    if isinstance(policy, dict):
        return policy
    text = policy
    for _ in range(2):  # the API returns it JSON-escaped once more than it was written
        try:
            loaded = json.loads(text)
        except ValueError:
            text = text.replace('\\"', '"')
            continue
        if isinstance(loaded, dict):
            return loaded
        if isinstance(loaded, str):
            text = loaded
            continue
        break
    raise ValueError("the API's resource policy is not a JSON object")


def _expand_resource(pattern: str, api_arn: str) -> str:
    # "execute-api:/prod/GET/hello" is API Gateway's shorthand for this API's own ARN.
    if pattern.startswith("execute-api:/"):
        return api_arn + pattern[len("execute-api:") :]
    return pattern


def _principal_matches(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in _as_list(principal.get("AWS"))
    return False


def _action_matches(actions: Any) -> bool:
    return any(fnmatch.fnmatchcase("execute-api:invoke", str(a).lower()) for a in _as_list(actions))


def _resource_matches(resources: Any, request: InvokeRequest) -> bool:
    return any(
        _wildcard_match(_expand_resource(str(r), request.api_arn), request.method_arn)
        for r in _as_list(resources)
    )


def _conditions_match(conditions: dict | None, context: dict[str, str]) -> bool:
    if not conditions:
        return True
    lowered = {k.lower(): v for k, v in context.items()}
    for operator, entries in conditions.items():
        op = operator.lower()
        if_exists = op.endswith("ifexists")
        if if_exists:
            op = op[: -len("ifexists")]
        rule = _STRING_OPERATORS.get(op)
        if rule is None:
            return False
        compare, negated = rule
        for key, expected in (entries or {}).items():
            actual = lowered.get(key.lower())
            if actual is None:
                # IAM: a missing key makes positive operators false and negated ones true;
                # ...IfExists makes any operator true.
                if if_exists or negated:
                    continue
                return False
            hit = any(compare(actual, str(e)) for e in _as_list(expected))
            if hit == negated:
                return False
    return True


def _statement_applies(statement: dict, request: InvokeRequest) -> bool:
    if "Principal" in statement and not _principal_matches(statement["Principal"]):
        return False
    if "NotPrincipal" in statement and _principal_matches(statement["NotPrincipal"]):
        return False
    if "Action" in statement and not _action_matches(statement["Action"]):
        return False
    if "NotAction" in statement and _action_matches(statement["NotAction"]):
        return False
    if "Resource" in statement and not _resource_matches(statement["Resource"], request):
        return False
    if "NotResource" in statement and _resource_matches(statement["NotResource"], request):
        return False
    return _conditions_match(statement.get("Condition"), request.context)


def evaluate(policy: dict | None, request: InvokeRequest) -> str:
    """``ALLOW``, ``IMPLICIT_DENY`` or ``EXPLICIT_DENY`` for ``request`` under ``policy``."""
    if not policy:
        return IMPLICIT_DENY
    allowed = False
    for statement in _as_list(policy.get("Statement")):
        if not isinstance(statement, dict) or not _statement_applies(statement, request):
            continue
        if str(statement.get("Effect", "")).lower() == "deny":
            return EXPLICIT_DENY
        if str(statement.get("Effect", "")).lower() == "allow":
            allowed = True
    return ALLOW if allowed else IMPLICIT_DENY


def masked_arn(arn: str) -> str:
    """The method ARN as API Gateway prints it in a denial: account id masked but its last 4."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[4].isdigit():
        parts[4] = "*" * (len(parts[4]) - 4) + parts[4][-4:]
    return ":".join(parts)


def denial_message(decision: str, method_arn: str) -> str:
    """API Gateway's message for a request the resource policy does not allow."""
    message = (
        "User: anonymous is not authorized to perform: execute-api:Invoke "
        f"on resource: {masked_arn(method_arn)}"
    )
    return message + " with an explicit deny" if decision == EXPLICIT_DENY else message
