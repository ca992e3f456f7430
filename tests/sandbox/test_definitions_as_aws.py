"""Definitions refused and validated in Step Functions' words (InvalidDefinition, diagnostics)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from sfn_run import ROLE
from shape_check import assert_valid_output

CONNECTION = "arn:aws:events:us-east-1:123456789012:connection/c/0"
OK = {"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True}}}


@pytest.fixture
def sfn(moto_inprocess):
    return moto_inprocess("stepfunctions")


def _refusal(sfn, definition) -> str:
    with pytest.raises(ClientError) as refused:
        sfn.create_state_machine(name="m", definition=json.dumps(definition), roleArn=ROLE)
    assert refused.value.response["Error"]["Code"] == "InvalidDefinition"
    return refused.value.response["Error"]["Message"]


def test_missing_states_is_schema_validation_failed_at_the_root(sfn):
    """(recorded) "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are
    required: [States] at /'"
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html)."""
    assert _refusal(sfn, {"StartAt": "S"}) == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
        "These fields are required: [States] at /'")


def test_an_unknown_field_and_an_unknown_type_are_named_with_their_location(sfn):
    """SCHEMA_VALIDATION_FAILED names the field and where it is (/States/<name>/<field>)."""
    unknown_field = _refusal(sfn, {"StartAt": "S", "States": {"S": {
        "Type": "Pass", "End": True, "Colour": "red"}}})
    assert "SCHEMA_VALIDATION_FAILED: The field 'Colour' is not supported" in unknown_field
    assert unknown_field.endswith("at /States/S'")
    unknown_type = _refusal(sfn, {"StartAt": "S", "States": {"S": {"Type": "Nap", "End": True}}})
    assert "at /States/S/Type" in unknown_type


def test_a_next_naming_no_state_is_missing_transition_target(sfn):
    """MISSING_TRANSITION_TARGET: "Next" matches no state
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html)."""
    message = _refusal(sfn, {"StartAt": "S", "States": {"S": {"Type": "Pass", "Next": "Nowhere"}}})
    assert "MISSING_TRANSITION_TARGET" in message and "/States/S/Next" in message


def test_an_http_task_without_endpoint_is_refused_in_words(sfn):
    """The HTTP Task needs ApiEndpoint and Method
    (https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html)."""
    message = _refusal(sfn, {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::http:invoke",
        "Arguments": {"Method": "GET", "InvocationConfig": {"ConnectionArn": CONNECTION}},
        "End": True}}})
    assert message.startswith("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED:")
    assert "ApiEndpoint" in message
    assert "ValueError" not in message and "Args=" not in message


def test_update_state_machine_checks_the_same_way(sfn):
    """UpdateStateMachine refuses what CreateStateMachine refuses (API_UpdateStateMachine.html)."""
    arn = sfn.create_state_machine(name="m", definition=json.dumps(OK), roleArn=ROLE)[
        "stateMachineArn"]
    with pytest.raises(ClientError) as refused:
        sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps({"StartAt": "S"}))
    assert "SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /" in (
        refused.value.response["Error"]["Message"])


def test_validate_state_machine_definition_returns_diagnostics(sfn):
    """ValidateStateMachineDefinition: result OK|FAIL, diagnostics {severity, code, message,
    location}, truncated (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html)."""
    ok = sfn.validate_state_machine_definition(definition=json.dumps(OK))
    assert (ok["result"], ok["diagnostics"], ok["truncated"]) == ("OK", [], False)
    failed = sfn.validate_state_machine_definition(definition=json.dumps({"StartAt": "S"}))
    assert failed["result"] == "FAIL"
    assert failed["diagnostics"] == [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                                      "message": "These fields are required: [States]",
                                      "location": "/"}]
    for response in (ok, failed):
        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        assert_valid_output("stepfunctions", "ValidateStateMachineDefinition", body)


def test_invalid_json_is_invalid_json_description(sfn):
    """INVALID_JSON_DESCRIPTION: JSON syntax problem found
    (API_ValidateStateMachineDefinitionDiagnostic.html, as above)."""
    response = sfn.validate_state_machine_definition(definition='{"StartAt": ')
    assert [d["code"] for d in response["diagnostics"]] == ["INVALID_JSON_DESCRIPTION"]


def test_jsonata_fields_of_a_jsonata_machine_pass_validation(sfn):
    """A top-level QueryLanguage applies to every state; JSONata may stand in numeric fields
    (transforming-data.html: TimeoutSeconds, HeartbeatSeconds, Seconds accept expressions)."""
    definition = {"QueryLanguage": "JSONata", "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": "{% 0 %}", "Output": "{% $states.input %}",
              "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
              "TimeoutSeconds": "{% 30 %}",
              "Arguments": {"ApiEndpoint": "https://example.com", "Method": "GET",
                            "InvocationConfig": {"ConnectionArn": CONNECTION}},
              "End": True}}}
    validated = sfn.validate_state_machine_definition(definition=json.dumps(definition))
    assert validated["result"] == "OK"
    sfn.create_state_machine(name="j", definition=json.dumps(definition), roleArn=ROLE)


def test_a_pass_state_may_discard_its_result_with_a_null_result_path(sfn):
    """"ResultPath": null discards the result and passes the input on
    (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html), on a
    Pass state too (cfn-lint's Pass schema takes only a string there)."""
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"x": 1},
                                                    "ResultPath": None, "End": True}}}
    assert sfn.validate_state_machine_definition(
        definition=json.dumps(definition))["result"] == "OK"
    arn = sfn.create_state_machine(name="n", definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"]
    assert arn.endswith(":n")


@pytest.mark.parametrize("name", ["x.y", "x[2]", "1x", "_x", "a-b", "states", "a" * 81])
def test_a_variable_name_aws_does_not_take_is_refused(sfn, name):
    """Variable names follow Unicode identifiers (first character ID_Start, then ID_Continue),
    at most 80 characters; `$states` is reserved; "you cannot assign a value to a part of a
    variable" (x.y, x[2]) (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html,
    "Variable name syntax", "Assign field in ASL")."""
    message = _refusal(sfn, {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {name: 1}, "End": True}}})
    assert "SCHEMA_VALIDATION_FAILED" in message and f"'{name}'" in message
    assert "at /States/A/Assign" in message


def test_variable_names_aws_takes_are_accepted(sfn):
    """Letters of any script, digits after the first character, 80 characters; JSONPath's
    `name.$` is the name `name`."""
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Assign": {
        "x1": 1, "café": 2, "変数": 3, "a" * 80: 4, "fromInput.$": "$"}}}}
    assert sfn.validate_state_machine_definition(
        definition=json.dumps(definition))["result"] == "OK"


def test_states_result_and_error_output_only_where_they_exist(sfn):
    """"Attempting to access $states.result or $states.errorOutput in fields and states where
    they are not accessible will be caught at creation, update, or validation of the state
    machine" (workflow-variables.html): the result in a Task's, Parallel's or Map's Output and
    Assign, the error output in a Catch's Output and Assign."""
    task = {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
            "Arguments": {"ApiEndpoint": "https://example.com", "Method": "GET",
                          "InvocationConfig": {"ConnectionArn": CONNECTION}},
            "Output": "{% $states.result.ResponseBody %}",
            "Assign": {"code": "{% $states.result.StatusCode %}"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                       "Output": "{% $states.errorOutput %}",
                       "Assign": {"why": "{% $states.errorOutput.Cause %}"}}],
            "End": True}
    fine = {"QueryLanguage": "JSONata", "StartAt": "T",
            "States": {"T": task, "Done": {"Type": "Succeed"}}}
    assert sfn.validate_state_machine_definition(definition=json.dumps(fine))["result"] == "OK"

    in_pass = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Output": "{% $states.result %}", "End": True}}}
    assert "$states.result" in _refusal(sfn, in_pass)
    in_arguments = json.loads(json.dumps(fine))
    in_arguments["States"]["T"]["Arguments"]["ApiEndpoint"] = "{% $states.errorOutput.x %}"
    message = _refusal(sfn, in_arguments)
    assert "$states.errorOutput" in message and "/States/T/Arguments/ApiEndpoint" in message
    validated = sfn.validate_state_machine_definition(definition=json.dumps(in_pass))
    assert validated["result"] == "FAIL"
    assert validated["diagnostics"][0]["location"] == "/States/P/Output"
