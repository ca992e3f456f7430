"""Resource policy evaluation for execute-api:Invoke (pure functions, no moto)."""

from __future__ import annotations

import json

import pytest

from lab.sandbox.dataplane import policy
from lab.sandbox.dataplane.policy import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, InvokeRequest

API_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123"
METHOD_ARN = f"{API_ARN}/prod/GET/hello"


def _request(vpce="vpce-1", vpc="vpc-1", method_arn=METHOD_ARN):
    context = {}
    if vpce:
        context["aws:SourceVpce"] = vpce
    if vpc:
        context["aws:SourceVpc"] = vpc
    return InvokeRequest(API_ARN, method_arn, context)


def _statement(effect="Allow", **fields):
    statement = {"Effect": effect, "Principal": "*", "Action": "execute-api:Invoke",
                 "Resource": "execute-api:/*"}  # fmt: skip
    statement.update(fields)
    return statement


def _evaluate(*statements, request=None):
    return policy.evaluate({"Statement": list(statements)}, request or _request())


def test_no_policy_is_an_implicit_deny():
    assert policy.evaluate(None, _request()) == IMPLICIT_DENY


def test_an_allow_for_everyone_allows():
    assert _evaluate(_statement()) == ALLOW


def test_an_explicit_deny_beats_an_allow():
    assert _evaluate(_statement(), _statement("Deny")) == EXPLICIT_DENY


def test_the_short_resource_form_covers_only_this_api():
    other_api = InvokeRequest(
        "arn:aws:execute-api:us-east-1:123456789012:zzz999",
        "arn:aws:execute-api:us-east-1:123456789012:zzz999/prod/GET/hello",
        {},
    )

    assert _evaluate(_statement(Resource="execute-api:/prod/GET/*")) == ALLOW
    assert _evaluate(_statement(Resource=f"{API_ARN}/dev/*")) == IMPLICIT_DENY
    assert policy.evaluate({"Statement": [_statement()]}, other_api) == ALLOW
    assert (
        policy.evaluate({"Statement": [_statement(Resource=f"{API_ARN}/*")]}, other_api)
        == IMPLICIT_DENY
    )


@pytest.mark.parametrize(
    ("action", "expected"),
    [("execute-api:Invoke", ALLOW), ("execute-api:*", ALLOW), ("*", ALLOW),
     ("execute-api:ManageConnections", IMPLICIT_DENY)],
)  # fmt: skip
def test_actions_match_with_wildcards(action, expected):
    assert _evaluate(_statement(Action=action)) == expected


def test_a_named_principal_does_not_match_an_anonymous_caller():
    named = _statement(Principal={"AWS": "arn:aws:iam::123456789012:root"})

    assert _evaluate(named) == IMPLICIT_DENY
    assert _evaluate(_statement(Principal={"AWS": ["*"]})) == ALLOW


def test_string_equals_on_source_vpce_allows_only_that_endpoint():
    only = _statement(Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})

    assert _evaluate(only) == ALLOW
    assert _evaluate(only, request=_request(vpce="vpce-2")) == IMPLICIT_DENY


def test_condition_keys_are_case_insensitive():
    only = _statement(Condition={"StringEquals": {"AWS:SOURCEVPCE": "vpce-1"}})

    assert _evaluate(only) == ALLOW


def test_a_list_of_values_matches_any_of_them():
    either = _statement(Condition={"StringEquals": {"aws:SourceVpce": ["vpce-9", "vpce-1"]}})

    assert _evaluate(either) == ALLOW


def test_string_not_equals_deny_refuses_other_endpoints():
    deny_others = _statement("Deny", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})

    assert _evaluate(_statement(), deny_others) == ALLOW
    assert _evaluate(_statement(), deny_others, request=_request(vpce="vpce-2")) == EXPLICIT_DENY


def test_a_missing_key_fails_positive_operators_and_passes_negated_ones():
    no_endpoint = _request(vpce=None)
    equals = _statement(Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})
    not_equals = _statement(Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})

    assert _evaluate(equals, request=no_endpoint) == IMPLICIT_DENY
    assert _evaluate(not_equals, request=no_endpoint) == ALLOW


def test_if_exists_passes_when_the_key_is_missing():
    if_exists = _statement(Condition={"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}})

    assert _evaluate(if_exists, request=_request(vpce=None)) == ALLOW
    assert _evaluate(if_exists, request=_request(vpce="vpce-2")) == IMPLICIT_DENY


def test_string_like_uses_wildcards():
    like = _statement(Condition={"StringLike": {"aws:SourceVpc": "vpc-*"}})

    assert _evaluate(like) == ALLOW


def test_an_unknown_condition_operator_never_allows():
    odd = _statement(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})

    assert _evaluate(odd) == IMPLICIT_DENY


def test_not_resource_excludes_the_named_resources():
    statement = _statement(NotResource="execute-api:/prod/GET/hello")
    statement.pop("Resource")

    assert _evaluate(statement) == IMPLICIT_DENY


def test_a_policy_stored_as_an_escaped_string_loads():
    document = {"Statement": [_statement()]}
    escaped = json.dumps(document).replace('"', '\\"')

    assert policy.load_policy(escaped) == document
    assert policy.load_policy(json.dumps(json.dumps(document))) == document


def test_the_denial_message_masks_the_account_but_its_last_four_digits():
    message = policy.denial_message(IMPLICIT_DENY, METHOD_ARN)

    assert message == (
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
        "arn:aws:execute-api:us-east-1:********9012:abc123/prod/GET/hello"
    )
