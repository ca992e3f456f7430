"""JSONata in the sandbox's Step Functions, as AWS documents and records it.

Each test encodes one AWS fact, with the page that states it. Facts recorded on real AWS are
marked "(recorded)".
"""

from __future__ import annotations

import json

import pytest
from sfn_run import events, jsonata, output, run

TRANSFORMING = "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html"


@pytest.fixture
def sfn(moto_inprocess):
    return moto_inprocess("stepfunctions")


def test_output_is_evaluated_from_states_input(sfn):
    """JSONata `Output` reads `$states.input` (transforming-data.html: "{% <expression> %}")."""
    described, _ = run(
        sfn,
        jsonata(
            {
                "S": {
                    "Type": "Pass",
                    "Output": {"total": "{% $states.input.price * $states.input.n %}"},
                    "End": True,
                }
            }
        ),
        {"price": 2.5, "n": 4},
    )
    assert described["status"] == "SUCCEEDED"
    assert output(described) == {"total": 10}


def test_a_string_is_an_expression_only_when_it_is_exactly_wrapped(sfn):
    """(recorded) " {% $states.input %} " with spaces around stays a literal string."""
    described, _ = run(
        sfn,
        jsonata(
            {
                "S": {
                    "Type": "Pass",
                    "Output": {"lit": " {% $states.input %} ", "expr": "{% $states.input.a %}"},
                    "End": True,
                }
            }
        ),
        {"a": 1},
    )
    assert output(described) == {"lit": " {% $states.input %} ", "expr": 1}


def test_without_output_the_state_output_is_its_result(sfn):
    """(recorded) With no `Output`, a state's output is `$states.result` (for Pass: its input)."""
    described, _ = run(sfn, jsonata({"S": {"Type": "Pass", "End": True}}), {"k": "v"})
    assert output(described) == {"k": "v"}


def test_output_can_be_any_json_value(sfn):
    """(recorded) `Output` can be an array, a number or null; serialized compactly."""
    described, history = run(
        sfn,
        jsonata(
            {
                "A": {"Type": "Pass", "Output": "{% [1, 'two', null] %}", "Next": "B"},
                "B": {"Type": "Pass", "Output": "{% null %}", "End": True},
            }
        ),
    )
    exited = events(history, "PassStateExited")
    assert exited[0]["stateExitedEventDetails"]["output"] == '[1,"two",null]'
    assert described["output"] == "null"


def test_per_state_query_language_overrides_the_top_level(sfn):
    """`QueryLanguage` per state (transforming-data.html): a JSONata state in a JSONPath machine."""
    described, _ = run(
        sfn,
        {
            "StartAt": "P",
            "States": {
                "P": {"Type": "Pass", "Parameters": {"a.$": "$.x"}, "Next": "J"},
                "J": {
                    "Type": "Pass",
                    "QueryLanguage": "JSONata",
                    "Output": "{% $states.input.a + 1 %}",
                    "End": True,
                },
            },
        },
        {"x": 41},
    )
    assert output(described) == 42


def test_choice_condition_and_variables_from_assign(sfn):
    """Choice `Condition` and `Assign` (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html)."""
    described, _ = run(
        sfn,
        jsonata(
            {
                "A": {"Type": "Pass", "Assign": {"limit": 10}, "Next": "C"},
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Condition": "{% $states.input.n > $limit %}", "Next": "Big"}],
                    "Default": "Small",
                },
                "Big": {"Type": "Pass", "Output": "big", "End": True},
                "Small": {
                    "Type": "Pass",
                    "Output": "{% 'small:' & $string($limit) %}",
                    "End": True,
                },
            }
        ),
        {"n": 3},
    )
    assert output(described) == "small:10"


def test_step_functions_functions(sfn):
    """$partition, $range, $hash, $random(seed), $uuid, $parse
    (transforming-data.html, "JSONata functions provided by Step Functions")."""
    described, _ = run(
        sfn,
        jsonata(
            {
                "S": {
                    "Type": "Pass",
                    "Output": {
                        "p": "{% $partition([1,2,3,4,5], 2) %}",
                        "r": "{% $range(0, 10, 5) %}",
                        "h": "{% $hash('hello', 'SHA-256') %}",
                        "same": "{% $random(7) = $random(7) %}",
                        "u": "{% $length($uuid()) %}",
                        "j": "{% $parse('{\"a\": [1]}') %}",
                    },
                    "End": True,
                }
            }
        ),
    )
    assert output(described) == {
        "p": [[1, 2], [3, 4], [5]],
        "r": [0, 5, 10],
        "h": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        "same": True,
        "u": 36,
        "j": {"a": [1]},
    }


def test_eval_is_not_available(sfn):
    """transforming-data.html: all 2.0.6 functions are supported except `$eval` (use `$parse`)."""
    described, _ = run(
        sfn, jsonata({"S": {"Type": "Pass", "Output": "{% $eval('1') %}", "End": True}})
    )
    assert described["status"] == "FAILED"
    assert described["error"] == "States.QueryEvaluationError"


def test_undefined_fails_with_query_evaluation_error_and_aws_cause(sfn):
    """(recorded) EvaluationFailed{cause, error, location, state}, AWS's cause sentence
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_EvaluationFailedEventDetails.html)."""
    described, history = run(
        sfn,
        jsonata(
            {"S": {"Type": "Pass", "Output": {"v": "{% $states.input.missing %}"}, "End": True}}
        ),
    )
    cause = (
        "An error occurred while executing the state 'S' (entered at the event id #2). "
        "The JSONata expression '$states.input.missing' specified for the field 'Output/v' "
        "returned nothing (undefined)."
    )
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "States.QueryEvaluationError",
        cause,
    )
    (failed,) = events(history, "EvaluationFailed")
    assert failed["evaluationFailedEventDetails"] == {
        "error": "States.QueryEvaluationError",
        "cause": cause,
        "location": "Output/v",
        "state": "S",
    }


def test_query_evaluation_error_can_be_caught(sfn):
    """Catch on States.QueryEvaluationError; `$states.errorOutput` is {Error, Cause} (recorded)."""
    described, _ = run(
        sfn,
        jsonata(
            {
                "S": {"Type": "Pass", "Output": "{% $nothing.here %}", "End": True},
            }
        )
        | {
            "States": {
                "S": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::http:invoke",
                    "Arguments": {
                        "ApiEndpoint": "{% $states.input.none %}",
                        "Method": "GET",
                        "InvocationConfig": {
                            "ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/0"
                        },
                    },
                    "Catch": [
                        {
                            "ErrorEquals": ["States.QueryEvaluationError"],
                            "Output": "{% $states.errorOutput %}",
                            "Next": "Done",
                        }
                    ],
                    "End": True,
                },
                "Done": {"Type": "Succeed"},
            }
        },
    )
    assert described["status"] == "SUCCEEDED"
    error_output = output(described)
    assert error_output["Error"] == "States.QueryEvaluationError"
    assert isinstance(error_output["Cause"], str)
    assert "'Arguments/ApiEndpoint' returned nothing (undefined)" in error_output["Cause"]


def test_a_thrown_jsonata_error_names_the_expression_and_field_never_python(sfn):
    """A failing expression is a States.QueryEvaluationError whose cause is JSONata's words."""
    described, _ = run(
        sfn, jsonata({"S": {"Type": "Pass", "Output": "{% $sum('x') %}", "End": True}})
    )
    assert described["error"] == "States.QueryEvaluationError"
    assert (
        "The JSONata expression '$sum('x')' specified for the field 'Output' threw an error"
        in described["cause"]
    )
    assert "Traceback" not in described["cause"] and "Error(" not in described["cause"]


def test_assigned_variables_are_json_text_in_the_state_exited_event(sfn):
    """(recorded) assignedVariables {"x": "7", "s": "\\"text\\""}, assignedVariablesDetails
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateExitedEventDetails.html)."""
    _, history = run(
        sfn,
        jsonata({"S": {"Type": "Pass", "Assign": {"x": "{% 3 + 4 %}", "s": "text"}, "End": True}}),
    )
    (exited,) = events(history, "PassStateExited")
    details = exited["stateExitedEventDetails"]
    assert details["assignedVariables"] == {"x": "7", "s": '"text"'}
    assert details["assignedVariablesDetails"] == {"truncated": False}


def test_assign_reads_values_from_before_the_state(sfn):
    """workflow-variables.html: all Assign expressions see the values from before the state."""
    described, _ = run(
        sfn,
        jsonata(
            {
                "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
                "B": {
                    "Type": "Pass",
                    "Assign": {"x": "{% $x + 1 %}", "y": "{% $x %}"},
                    "Output": "{% $x %}",
                    "Next": "C",
                },
                "C": {"Type": "Pass", "Output": {"x": "{% $x %}", "y": "{% $y %}"}, "End": True},
            }
        ),
    )
    assert output(described) == {"x": 2, "y": 1}


def test_a_caught_error_runs_only_the_catchers_assign(sfn):
    """(recorded) When an error is caught, only the catcher's `Assign` runs, not the state's."""
    described, _ = run(
        sfn,
        jsonata(
            {
                "A": {"Type": "Pass", "Assign": {"who": "start"}, "Next": "T"},
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::http:invoke",
                    "Arguments": {
                        "ApiEndpoint": "{% $missing.x %}",
                        "Method": "GET",
                        "InvocationConfig": {
                            "ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/0"
                        },
                    },
                    "Assign": {"who": "state"},
                    "Catch": [
                        {"ErrorEquals": ["States.ALL"], "Assign": {"caught": True}, "Next": "Done"}
                    ],
                    "End": True,
                },
                "Done": {
                    "Type": "Pass",
                    "Output": {"who": "{% $who %}", "caught": "{% $caught %}"},
                    "End": True,
                },
            }
        ),
    )
    assert output(described) == {"who": "start", "caught": True}


def test_jsonpath_reads_variables_in_parameters_and_paths(sfn):
    """workflow-variables.html: JSONPath states read `$name` in `"x.$"` and `*Path` fields."""
    described, _ = run(
        sfn,
        {
            "StartAt": "A",
            "States": {
                "A": {
                    "Type": "Pass",
                    "Assign": {"cfg": {"wait": 0, "tag": "t1"}, "n.$": "$.n"},
                    "Next": "W",
                },
                "W": {"Type": "Wait", "SecondsPath": "$cfg.wait", "Next": "B"},
                "B": {
                    "Type": "Pass",
                    "Parameters": {"tag.$": "$cfg.tag", "n.$": "$n", "lit": "$cfg"},
                    "End": True,
                },
            },
        },
        {"n": 5},
    )
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert output(described) == {"tag": "t1", "n": 5, "lit": "$cfg"}


def test_jsonata_and_variables_round_trip_strings_with_quotes(sfn):
    """A variable holding quotes and newlines reads back unchanged (moto wrote it into text)."""
    tricky = 'say "hi"\nand \\ bye'
    described, _ = run(
        sfn,
        jsonata(
            {
                "A": {"Type": "Pass", "Assign": {"s": "{% $states.input.s %}"}, "Next": "B"},
                "B": {"Type": "Pass", "Output": "{% $s %}", "End": True},
            }
        ),
        {"s": tricky},
    )
    assert json.loads(described["output"]) == tricky


def test_map_items_and_item_selector_are_jsonata(sfn):
    """Map `Items` and `ItemSelector` in JSONata, with `$states.context.Map.Item`
    (https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html)."""
    described, _ = run(sfn, jsonata({"M": {
        "Type": "Map", "Items": "{% $states.input.xs %}",
        "ItemSelector": {"v": "{% $states.context.Map.Item.Value * 10 %}",
                         "i": "{% $states.context.Map.Item.Index %}"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True}}), {"xs": [1, 2, 3]})
    assert output(described) == [{"v": 10, "i": 0}, {"v": 20, "i": 1}, {"v": 30, "i": 2}]


def test_wait_seconds_is_a_jsonata_expression(sfn):
    """Wait `Seconds` accepts a JSONata expression (state-wait.html)."""
    described, _ = run(sfn, jsonata({"W": {"Type": "Wait", "Seconds": "{% $states.input.s %}",
                                          "End": True}}), {"s": 0})
    assert (described["status"], output(described)) == ("SUCCEEDED", {"s": 0})


def test_a_caught_query_evaluation_error_carries_aws_s_cause_and_one_event(sfn):
    """`$states.errorOutput.Cause` of a caught States.QueryEvaluationError is the cause AWS
    gives it ("An error occurred while executing the state 'T' (entered at the event id #2).
    The JSONata expression …"), and a Task state records one EvaluationFailed event
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_EvaluationFailedEventDetails.html)."""
    connection = "arn:aws:events:us-east-1:123456789012:connection/c/0"
    described, history = run(sfn, jsonata({
        "T": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
              "Arguments": {"ApiEndpoint": "{% $states.input.none %}", "Method": "GET",
                            "InvocationConfig": {"ConnectionArn": connection}},
              "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"],
                         "Output": "{% $states.errorOutput.Cause %}", "Next": "Done"}],
              "End": True},
        "Done": {"Type": "Succeed"}}))
    assert output(described) == (
        "An error occurred while executing the state 'T' (entered at the event id #2). "
        "The JSONata expression '$states.input.none' specified for the field "
        "'Arguments/ApiEndpoint' returned nothing (undefined).")
    (failed,) = events(history, "EvaluationFailed")
    assert failed["evaluationFailedEventDetails"]["state"] == "T"


def test_output_may_be_a_literal_of_any_json_type(sfn):
    """"The output field accepts any JSON value (object, array, string, number, boolean,
    null)" (Output in JSONata states, transforming-data.html; cfn-lint's schema takes only a
    string or an object, so the sandbox does not judge other literals by it)."""
    described, history = run(sfn, jsonata({
        "A": {"Type": "Pass", "Output": 5, "Next": "B"},
        "B": {"Type": "Pass", "Output": [1, True, None], "Next": "C"},
        "C": {"Type": "Pass", "Output": False, "End": True}}))
    outputs = [e["stateExitedEventDetails"]["output"] for e in events(history, "PassStateExited")]
    assert outputs == ["5", "[1,true,null]", "false"]
    assert described["output"] == "false"


def test_an_item_selector_expression_is_refused_as_not_emulated(sfn):
    """A JSONata ItemSelector may be one expression (AWS's JSONata Map; the CDK's
    `jsonataItemSelector`); moto 5.2.5's grammar cannot read it, so the definition is refused
    with "not emulated by the sandbox: …", not as invalid."""
    from botocore.exceptions import ClientError

    definition = jsonata({"M": {
        "Type": "Map", "Items": "{% [1, 2] %}", "ItemSelector": "{% {'v': 1} %}",
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
        "End": True}})
    with pytest.raises(ClientError) as refused:
        sfn.create_state_machine(name="sel", definition=json.dumps(definition),
                                 roleArn="arn:aws:iam::123456789012:role/sfn")
    message = refused.value.response["Error"]["Message"]
    assert "not emulated by the sandbox" in message and "SCHEMA_VALIDATION_FAILED" not in message


def test_parallel_arguments_and_states_result(sfn):
    """A Parallel state's `Arguments` are its branches' input and `$states.result` its
    branches' outputs in its `Output` and `Assign` (transforming-data.html; workflow-variables.html,
    "Reserved variable : $states")."""
    described, _ = run(sfn, jsonata({
        "P": {"Type": "Parallel", "Arguments": {"n": "{% $states.input.n * 2 %}"},
              "Branches": [
                  {"StartAt": "A", "States": {"A": {"Type": "Pass",
                                                    "Output": "{% $states.input.n + 1 %}",
                                                    "End": True}}},
                  {"StartAt": "B", "States": {"B": {"Type": "Pass",
                                                    "Output": "{% $states.input.n - 1 %}",
                                                    "End": True}}}],
              "Assign": {"first": "{% $states.result[0] %}"},
              "Output": {"sum": "{% $sum($states.result) %}", "in": "{% $states.input.n %}"},
              "Next": "Q"},
        "Q": {"Type": "Pass", "Output": {"first": "{% $first %}", "was": "{% $states.input %}"},
              "End": True}}), {"n": 5})
    assert output(described) == {"first": 11, "was": {"sum": 20, "in": 5}}
