"""TestState for the HTTP Task, through the same modelled network path as an execution.

Facts from https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
and https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html.
"""

from __future__ import annotations

import json

import pytest
from http_invoke_builders import (
    HELLO_BODY,
    create_private_connection,
    deploy_api,
)
from shape_check import assert_valid_output

ROLE = "arn:aws:iam::123456789012:role/sfn"


@pytest.fixture
def public_api(aws, dataplane):
    api = deploy_api(aws, endpoint_type="REGIONAL")
    connection_arn = create_private_connection(
        aws, name="public", api_key=api.api_key, configuration_arn=None
    )
    return api, connection_arn


def _task(url, connection_arn, **extra) -> dict:
    return {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "QueryLanguage": "JSONata",
            "Arguments": {"ApiEndpoint": url, "Method": "GET",
                          "InvocationConfig": {"ConnectionArn": connection_arn}},
            "End": True, **extra}


def _test(aws, state: dict, **kwargs) -> dict:
    response = aws("stepfunctions").test_state(definition=json.dumps(state), roleArn=ROLE,
                                               **kwargs)
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    assert_valid_output("stepfunctions", "TestState", body)
    return body


def test_info_gives_output_status_and_no_inspection_data(aws, public_api):
    """INFO: output, status (SUCCEEDED), no inspectionData."""
    api, connection = public_api
    result = _test(aws, _task(api.url(), connection), input="{}")
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"])["ResponseBody"] == HELLO_BODY
    assert "inspectionData" not in result


def test_trace_shows_the_raw_request_without_the_key_unless_revealed(aws, public_api):
    """TRACE adds request{protocol, method, url, headers, body} and response{...}; revealSecrets
    false leaves out what the connection added (the API key header), true shows it."""
    api, connection = public_api
    hidden = _test(aws, _task(api.url(), connection), inspectionLevel="TRACE")
    request = hidden["inspectionData"]["request"]
    assert (request["method"], request["url"]) == ("GET", api.url())
    assert "User-Agent: Amazon|StepFunctions|HttpInvoke|us-east-1" in request["headers"]
    assert "x-api-key" not in request["headers"].lower()
    assert api.api_key not in json.dumps(hidden)

    shown = _test(aws, _task(api.url(), connection), inspectionLevel="TRACE",
                  revealSecrets=True)
    assert f"x-api-key: {api.api_key}" in shown["inspectionData"]["request"]["headers"]
    response = shown["inspectionData"]["response"]
    assert (response["statusCode"], response["statusMessage"]) == ("200", "OK")
    assert json.loads(response["body"]) == HELLO_BODY


def test_debug_has_the_data_flow_but_not_the_raw_http(aws, public_api):
    """DEBUG: inspectionData input, afterArguments, result, variables; request/response only
    at TRACE."""
    api, connection = public_api
    state = _task(api.url(), connection, Assign={"code": "{% $states.result.StatusCode %}"},
                  Output={"said": "{% $states.result.ResponseBody %}"})
    result = _test(aws, state, inspectionLevel="DEBUG", input='{"k": 1}')
    data = result["inspectionData"]
    assert json.loads(data["input"]) == {"k": 1}
    assert json.loads(data["afterArguments"])["ApiEndpoint"] == api.url()
    assert json.loads(data["variables"]) == {"code": 200}
    assert "request" not in data and "response" not in data
    assert json.loads(result["output"]) == {"said": HELLO_BODY}


def test_a_wrong_key_fails_and_a_retrier_makes_it_retriable(aws, dataplane):
    """status FAILED with States.Http.StatusCode.403; RETRIABLE when a Retry matches;
    CAUGHT_ERROR with nextState when a Catch matches (TestState neither retries nor catches)."""
    api = deploy_api(aws, endpoint_type="REGIONAL")
    connection = create_private_connection(aws, name="bad", api_key="wrong",
                                           configuration_arn=None)
    failed = _test(aws, _task(api.url(), connection), inspectionLevel="TRACE")
    assert (failed["status"], failed["error"]) == ("FAILED", "States.Http.StatusCode.403")
    assert failed["inspectionData"]["response"]["statusCode"] == "403"
    retriable = _test(aws, _task(api.url(), connection, Retry=[
        {"ErrorEquals": ["States.Http.StatusCode.403"], "MaxAttempts": 3}]))
    assert retriable["status"] == "RETRIABLE"
    caught = _test(aws, _task(api.url(), connection, Catch=[
        {"ErrorEquals": ["States.ALL"], "Next": "Handle",
         "Output": {"e": "{% $states.errorOutput.Error %}"}}]))
    assert (caught["status"], caught["nextState"]) == ("CAUGHT_ERROR", "Handle")
    assert json.loads(caught["output"]) == {"e": "States.Http.StatusCode.403"}


def test_variables_and_next_state(aws):
    """`variables` are readable by the state; nextState is the state's Next."""
    result = _test(aws, {"Type": "Pass", "QueryLanguage": "JSONata",
                         "Output": "{% $greeting & ', ' & $states.input.who %}", "Next": "After"},
                   input='{"who": "you"}', variables='{"greeting": "hello"}')
    assert (json.loads(result["output"]), result["nextState"]) == ("hello, you", "After")


def test_a_jsonpath_state_records_each_step(aws):
    """DEBUG for JSONPath: afterInputPath, afterParameters, afterResultPath (ResultPath places
    the result into the state's raw input:
    https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html)."""
    result = _test(aws, {"Type": "Pass", "InputPath": "$.a", "Parameters": {"x.$": "$.b"},
                         "ResultPath": "$.out", "End": True},
                   input='{"a": {"b": 2}}', inspectionLevel="DEBUG")
    data = result["inspectionData"]
    assert json.loads(data["afterInputPath"]) == {"b": 2}
    assert json.loads(data["afterParameters"]) == {"x": 2}
    assert json.loads(data["afterResultPath"]) == {"a": {"b": 2}, "out": {"x": 2}}


def test_debug_shows_result_and_after_result_selector_and_a_failure_s_cause(aws, public_api):
    """DEBUG for a JSONPath HTTP Task: inspectionData `result` (the task's raw result),
    `afterResultSelector`, `afterResultPath`; a failed state gives `error` and `cause`
    (API_TestState.html, API_InspectionData.html)."""
    api, connection = public_api
    state = {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
             "Parameters": {"ApiEndpoint": api.url(), "Method": "GET",
                            "Authentication": {"ConnectionArn": connection}},
             "ResultSelector": {"code.$": "$.StatusCode"}, "ResultPath": "$.http", "End": True}
    result = _test(aws, state, inspectionLevel="DEBUG", input='{"k": 1}')
    data = result["inspectionData"]
    assert json.loads(data["result"])["StatusCode"] == 200
    assert json.loads(data["afterResultSelector"]) == {"code": 200}
    assert json.loads(data["afterResultPath"]) == {"k": 1, "http": {"code": 200}}

    failed = _test(aws, {"Type": "Pass", "QueryLanguage": "JSONata",
                         "Output": "{% $states.input.none %}", "End": True}, input="{}")
    assert (failed["status"], failed["error"]) == ("FAILED", "States.QueryEvaluationError")
    assert "returned nothing (undefined)" in failed["cause"]


def test_debug_reports_every_jsonpath_step_of_a_task_without_the_fields(aws, public_api):
    """(recorded) DEBUG for a JSONPath Task with no InputPath, Parameters beyond the task's,
    ResultSelector or ResultPath: inspectionData has input, afterInputPath, afterParameters,
    result, afterResultSelector, afterResultPath, the missing fields acting as the identity
    (LocalStack's parity snapshots of AWS, stepfunctions/v2/test_state
    test_base_lambda_task_state[DEBUG]; botocore's InspectionData shape). The sandbox left out
    afterInputPath, afterResultSelector and afterResultPath."""
    api, connection = public_api
    state = {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
             "Parameters": {"ApiEndpoint": api.url(), "Method": "GET",
                            "Authentication": {"ConnectionArn": connection}}, "End": True}
    data = _test(aws, state, inspectionLevel="DEBUG", input='{"k": 1}')["inspectionData"]
    assert sorted(data) == ["afterInputPath", "afterParameters", "afterResultPath",
                            "afterResultSelector", "input", "result"]
    assert json.loads(data["afterInputPath"]) == {"k": 1}
    assert json.loads(data["afterParameters"])["ApiEndpoint"] == api.url()
    assert data["afterResultSelector"] == data["afterResultPath"] == data["result"]
    assert json.loads(data["result"])["StatusCode"] == 200


def test_debug_steps_of_pass_and_choice_states_as_recorded(aws):
    """(recorded, same snapshots, test_base_inspection_level_debug) a Pass without Result:
    afterInputPath, afterParameters, afterResultSelector, afterResultPath, no result; a Pass with
    Result: result, afterResultSelector, afterResultPath only; a Choice: afterInputPath only."""
    plain = _test(aws, {"Type": "Pass", "End": True}, input='{"Value": "HelloWorld"}',
                  inspectionLevel="DEBUG")["inspectionData"]
    assert sorted(plain) == ["afterInputPath", "afterParameters", "afterResultPath",
                             "afterResultSelector", "input"]
    assert {json.loads(v)["Value"] for v in plain.values()} == {"HelloWorld"}
    with_result = _test(aws, {"Type": "Pass", "Result": {"resultKey": "result value"},
                              "End": True}, input='{"Value": "HelloWorld"}',
                        inspectionLevel="DEBUG")["inspectionData"]
    assert sorted(with_result) == ["afterResultPath", "afterResultSelector", "input", "result"]
    assert json.loads(with_result["afterResultPath"]) == {"resultKey": "result value"}
    choice = _test(aws, {"Type": "Choice", "Choices": [
        {"Variable": "$.value", "NumericGreaterThan": 20, "Next": "ValueInTwenties"}],
        "Default": "Other"}, input='{"type": "Private", "value": 22}',
        inspectionLevel="DEBUG")
    assert choice["nextState"] == "ValueInTwenties"
    assert sorted(choice["inspectionData"]) == ["afterInputPath", "input"]
