"""IAM's evaluation logic as the IAM User Guide documents it (lab.sandbox.policy_evaluation).

Pages: reference_policies_evaluation-logic.html (explicit deny, allow, implicit deny;
permissions boundaries), reference_policies_elements_action.html / _notaction.html /
_resource.html / _notresource.html (wildcards, case), and
reference_policies_elements_condition_operators.html (operators, IfExists, set qualifiers,
negated operators with a missing key, Null).
"""

from __future__ import annotations

import pytest

from lab.sandbox.policy_evaluation import Policy, Request, evaluate, trusts_service

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:lab"


def policy(*statements: dict, name: str = "p") -> Policy:
    return Policy(name, {"Version": "2012-10-17", "Statement": list(statements)})


def allow(action="*", resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def decide(policies, action, resource=MACHINE, context=None, boundary=None):
    return evaluate(policies, Request(action, resource, context or {}), boundary)


def test_nothing_allows_means_an_implicit_deny():
    decision = decide([policy(allow("events:*"))], "states:InvokeHTTPEndpoint")
    assert not decision.allowed and not decision.explicit
    assert decision.reason == "no identity-based policy allows it"


def test_an_explicit_deny_wins_over_any_allow():
    policies = [policy(allow()), policy({"Effect": "Deny", "Action": "states:*", "Resource": "*"})]
    decision = decide(policies, "states:InvokeHTTPEndpoint")
    assert not decision.allowed and decision.explicit


def test_actions_match_without_case_and_with_both_wildcards():
    assert decide([policy(allow("STATES:invokehttpendpoint"))], "states:InvokeHTTPEndpoint").allowed
    assert decide([policy(allow("states:Invoke?TTPEndpoint"))], "states:InvokeHTTPEndpoint").allowed
    assert not decide([policy(allow("states:Invoke?"))], "states:InvokeHTTPEndpoint").allowed


def test_resources_match_with_case_and_a_dot_is_only_a_dot():
    assert not decide([policy(allow(resource=MACHINE.upper()))], "states:X").allowed
    dotted = "arn:aws:secretsmanager:us-east-1:1:secret:a.b"
    assert not decide(
        [policy(allow(resource=dotted))], "s:X", resource=dotted.replace(".", "x")
    ).allowed


def test_not_action_and_not_resource_allow_everything_else():
    not_action = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert decide([policy(not_action)], "states:StartExecution").allowed
    assert not decide([policy(not_action)], "iam:PassRole").allowed
    not_resource = {"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:events:*"}
    assert decide([policy(not_resource)], "states:X").allowed
    assert not decide([policy(not_resource)], "events:X", resource="arn:aws:events:x").allowed


def test_an_allow_whose_condition_fails_does_not_apply():
    statement = allow(Condition={"StringEquals": {"states:HTTPMethod": "POST"}})
    assert not decide([policy(statement)], "states:X", context={"states:HTTPMethod": "GET"}).allowed
    # and a Deny whose condition fails does not deny
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"StringEquals": {"states:HTTPMethod": "POST"}}}  # fmt: skip
    assert decide([policy(allow(), deny)], "states:X", context={"states:HTTPMethod": "GET"}).allowed


def test_condition_keys_match_without_case_and_values_are_ored():
    statement = allow(
        Condition={"StringLike": {"STATES:httpendpoint": ["https://a/*", "https://b/*"]}}
    )
    assert decide(
        [policy(statement)], "x:y", context={"states:HTTPEndpoint": "https://b/prod"}
    ).allowed


@pytest.mark.parametrize(
    ("operator", "expected"),
    [("StringEquals", False), ("StringEqualsIfExists", True), ("StringNotEquals", True)],
)
def test_a_missing_key_fails_unless_if_exists_or_negated(operator, expected):
    statement = allow(Condition={operator: {"aws:SourceVpce": "vpce-1"}})
    assert decide([policy(statement)], "x:y").allowed is expected


def test_arn_like_compares_each_part():
    statement = allow(
        Condition={"ArnLike": {"aws:SourceArn": "arn:aws:events:*:123456789012:rule/*"}}
    )
    context = {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/lab"}
    assert decide([policy(statement)], "x:y", context=context).allowed


def test_set_qualifiers_on_a_multivalued_key():
    any_value = allow(Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}})
    all_values = allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}})
    context = {"aws:TagKeys": ["a", "c"]}
    assert decide([policy(any_value)], "x:y", context=context).allowed
    assert not decide([policy(all_values)], "x:y", context=context).allowed
    assert decide([policy(all_values)], "x:y").allowed  # ForAllValues with no key: true


def test_null_tests_presence():
    statement = allow(Condition={"Null": {"aws:SourceVpce": "true"}})
    assert decide([policy(statement)], "x:y").allowed
    assert not decide([policy(statement)], "x:y", context={"aws:SourceVpce": "vpce-1"}).allowed


def test_a_permissions_boundary_must_allow_too():
    boundary = policy(allow("events:*"), name="boundary")
    decision = decide([policy(allow())], "states:X", boundary=boundary)
    assert not decision.allowed and "boundary" in decision.reason


@pytest.mark.parametrize(
    ("principal", "trusted"),
    [
        ({"Service": "states.amazonaws.com"}, True),
        ({"Service": ["lambda.amazonaws.com", "states.us-east-1.amazonaws.com"]}, True),
        ({"Service": "lambda.amazonaws.com"}, False),
        ({"AWS": "arn:aws:iam::123456789012:root"}, False),
    ],
)
def test_a_trust_policy_names_the_service_globally_or_regionally(principal, trusted):
    document = {
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]
    }
    assert trusts_service(document, "states.amazonaws.com", "us-east-1") is trusted


def test_a_trust_policy_condition_on_the_source_account_is_evaluated():
    document = {"Statement": [{
        "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "111111111111"}},
    }]}  # fmt: skip
    context = {"aws:SourceAccount": "123456789012"}
    assert not trusts_service(document, "states.amazonaws.com", "us-east-1", context)
