"""TestState with ``mock``, ``context`` and ``stateConfiguration`` (the API since 2025-11-19).

Semantics: https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html and
https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html; request and
response shapes: botocore's ``TestStateInput``/``TestStateOutput`` (checked by
``assert_valid_output``). "(recorded)" marks what LocalStack's parity snapshots recorded on
AWS (localstack/localstack tests/aws/services/stepfunctions/v2/test_state/
test_state_mock_validation.snapshot.json, test_state_configuration.snapshot.json).
Nothing here calls anything: every Task is mocked, the connection ARNs do not exist.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from shape_check import assert_valid_output

ROLE = "arn:aws:iam::123456789012:role/sfn"
CONNECTION = "arn:aws:events:us-east-1:123456789012:connection/none/00000000"
MOCK_ERROR = {"error": "MockException", "cause": "Mock the cause of the error."}


def _http_task(**extra) -> dict:
    return {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "QueryLanguage": "JSONata",
            "Arguments": {"ApiEndpoint": "https://example.invalid/hello", "Method": "GET",
                          "InvocationConfig": {"ConnectionArn": CONNECTION}},
            "End": True, **extra}


def _lambda_task(**extra) -> dict:
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "QueryLanguage": "JSONata",
            "Arguments": {"FunctionName": "foo", "Payload": "bar"}, "End": True, **extra}


def _map(**extra) -> dict:
    return {"Type": "Map", "ItemsPath": "$.Values", "End": True,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "HandleItem",
                              "States": {"HandleItem": {"Type": "Pass", "End": True}}},
            **extra}


def _test(aws, state: dict, **kwargs) -> dict:
    kwargs.setdefault("roleArn", ROLE)
    response = aws("stepfunctions").test_state(definition=json.dumps(state), **kwargs)
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    assert_valid_output("stepfunctions", "TestState", body)
    return body


def _refused(aws, state: dict, **kwargs) -> dict:
    kwargs.setdefault("roleArn", ROLE)
    with pytest.raises(ClientError) as refused:
        aws("stepfunctions").test_state(definition=json.dumps(state), **kwargs)
    return refused.value.response["Error"]


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("kind", ["Pass", "Succeed", "Fail"])
def test_a_mock_on_a_state_that_does_no_work_is_refused(aws, kind):
    """(recorded) test_state_type_does_not_accept_mock: ValidationException "State type
    'Pass' is not supported when a mock is specified" (also Fail, Succeed), for a result
    and for an errorOutput."""
    state = {"Type": kind, **({"End": True} if kind == "Pass" else {})}
    for mock in ({"result": json.dumps({"mock": "the unmockable"})},
                 {"errorOutput": {"error": "Error", "cause": "Cause"}}):
        error = _refused(aws, state, mock=mock)
        assert error == {"Code": "ValidationException",
                         "Message": f"State type '{kind}' is not supported when a mock is "
                                    "specified"}


@pytest.mark.parametrize("state", [
    _map(),
    {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}]},
])
def test_map_and_parallel_need_a_mock(aws, state):
    """(recorded) test_state_type_requires_mock[MapState/ParallelState]: InvalidDefinition
    "TestState API does not support Map or Parallel states. Supported state types include:
    [Task, Wait, Pass, Succeed, Fail, Choice]"."""
    error = _refused(aws, state)
    assert error["Code"] == "InvalidDefinition"
    assert error["Message"] == ("TestState API does not support Map or Parallel states. "
                                "Supported state types include: [Task, Wait, Pass, Succeed, "
                                "Fail, Choice]")


def test_the_mock_s_own_rules_in_aws_s_words(aws):
    """(recorded) both result and errorOutput; revealSecrets with a mock; a Map's result not an
    array; a Map with a ResultWriter not an object; a Parallel result not an array or not one
    entry per branch. test-state-isolation.html: the result must be valid JSON."""
    cases = [
        (_http_task(), {"mock": {"result": "{}", "errorOutput": MOCK_ERROR}},
         "A test mock should have only one of the following fields: [result, errorOutput]."),
        (_http_task(), {"mock": {"result": "{}"}, "revealSecrets": True},
         "TestState does not support RevealSecrets when a mock is specified."),
        (_http_task(), {"mock": {"result": "{not json"}}, "Mocked result must be valid JSON"),
        (_map(), {"mock": {"result": "{}"}}, "Mocked result must be an array."),
        (_map(ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                            "Parameters": {"Bucket": "b", "Prefix": "p"}}),
         {"mock": {"result": "[]"}}, "Mocked result must be a JSON object."),
        ({"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}]},
         {"mock": {"result": "{}"}}, "Mocked result must be an array."),
        ({"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}]},
         {"mock": {"result": "[1, 2]"}},
         "Mocked result must contain the same number of items as number of Parallel branches."),
    ]
    for state, kwargs, message in cases:
        error = _refused(aws, state, **kwargs)
        assert (error["Code"], error["Message"]) == ("ValidationException", message), message


def test_field_validation_checks_a_mocked_http_result_against_the_http_task_output(aws):
    """test-state-isolation.html: fieldValidationMode STRICT (default) requires the fields and
    their types, PRESENT checks only the fields given, NONE checks nothing; the HTTP Task's
    output is {Headers, ResponseBody, StatusCode, StatusText} (call-https-apis.html)."""
    no_status = json.dumps({"ResponseBody": {"ok": True}})
    wrong_type = json.dumps({"StatusCode": "200", "StatusText": "OK"})
    strict = _refused(aws, _http_task(), mock={"result": no_status})
    assert strict["Code"] == "ValidationException"
    assert "StatusCode" in strict["Message"]
    present = _test(aws, _http_task(), mock={"result": no_status,
                                             "fieldValidationMode": "PRESENT"})
    assert present["status"] == "SUCCEEDED"
    typed = _refused(aws, _http_task(), mock={"result": wrong_type,
                                              "fieldValidationMode": "PRESENT"})
    assert "'StatusCode' must be a number" in typed["Message"]
    anything = _test(aws, _http_task(), mock={"result": wrong_type, "fieldValidationMode": "NONE"})
    assert json.loads(anything["output"]) == json.loads(wrong_type)


def test_context_and_failure_count_need_a_mock(aws):
    """test-state-isolation.html: context only with a mock; (design, recorded message)
    "TestState does not support MapIterationFailureCount when a mock is not specified."."""
    task = {"Type": "Pass", "End": True}
    assert _refused(aws, task, context="{}")["Code"] == "ValidationException"
    error = _refused(aws, _lambda_task(), stateConfiguration={"mapIterationFailureCount": 1})
    assert error["Message"] == ("TestState does not support MapIterationFailureCount when a "
                                "mock is not specified.")


# --------------------------------------------------------------------------- the HTTP Task


def test_a_mocked_200_runs_the_state_s_data_flow_without_calling(aws):
    """test-state-isolation.html: the mock replaces the integration's response; Arguments,
    Output and Assign still run (the connection ARN here does not exist: nothing is called);
    roleArn is optional with a mock."""
    result = json.dumps({"Headers": {}, "ResponseBody": {"message": "hello"},
                         "StatusCode": 200, "StatusText": "OK"})
    state = _http_task(Output={"said": "{% $states.result.ResponseBody.message %}"},
                       Assign={"code": "{% $states.result.StatusCode %}"})
    body = aws("stepfunctions").test_state(definition=json.dumps(state), mock={"result": result},
                                           inspectionLevel="DEBUG")
    assert body["status"] == "SUCCEEDED"
    assert json.loads(body["output"]) == {"said": "hello"}
    inspection = body["inspectionData"]
    assert json.loads(inspection["afterArguments"])["Method"] == "GET"
    assert json.loads(inspection["variables"]) == {"code": 200}
    assert "request" not in inspection


def test_retrier_walk_from_retriable_to_failed_with_aws_s_backoff(aws):
    """(recorded) test_state_configuration_retrier_retry_count: Retry IntervalSeconds 1,
    MaxAttempts 5, BackoffRate 2; retrierRetryCount 4 -> RETRIABLE, errorDetails {retryIndex 0,
    retryBackoffIntervalSeconds 16}; 5 -> FAILED, errorDetails {retryIndex 0}; the mocked
    error and cause are the response's."""
    state = _lambda_task(Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1,
                                 "MaxAttempts": 5, "BackoffRate": 2}])
    below = _test(aws, state, input='{"Values": [1]}', inspectionLevel="DEBUG",
                  stateConfiguration={"retrierRetryCount": 4}, mock={"errorOutput": MOCK_ERROR})
    assert (below["status"], below["error"], below["cause"]) == (
        "RETRIABLE", "MockException", "Mock the cause of the error.")
    assert below["inspectionData"]["errorDetails"] == {"retryIndex": 0,
                                                       "retryBackoffIntervalSeconds": 16}
    assert json.loads(below["inspectionData"]["afterArguments"]) == {"FunctionName": "foo",
                                                                     "Payload": "bar"}
    spent = _test(aws, state, input='{"Values": [1]}', inspectionLevel="DEBUG",
                  stateConfiguration={"retrierRetryCount": 5}, mock={"errorOutput": MOCK_ERROR})
    assert spent["status"] == "FAILED"
    assert spent["inspectionData"]["errorDetails"] == {"retryIndex": 0}


def test_backoff_is_capped_by_max_delay_seconds(aws):
    """concepts-error-handling.html: MaxDelaySeconds caps the interval IntervalSeconds ×
    BackoffRate^n; the first matching retrier (index 1 here) is the one reported."""
    state = _http_task(Retry=[
        {"ErrorEquals": ["States.Http.StatusCode.404"], "MaxAttempts": 1},
        {"ErrorEquals": ["States.Http.StatusCode.429"], "IntervalSeconds": 3,
         "BackoffRate": 3, "MaxAttempts": 9, "MaxDelaySeconds": 60}])
    error = {"error": "States.Http.StatusCode.429", "cause": "Too Many Requests"}
    seen = [
        _test(aws, state, mock={"errorOutput": error}, inspectionLevel="DEBUG",
              stateConfiguration={"retrierRetryCount": n})["inspectionData"]["errorDetails"]
        for n in (0, 2, 4)]
    assert seen == [{"retryIndex": 1, "retryBackoffIntervalSeconds": 3},
                    {"retryIndex": 1, "retryBackoffIntervalSeconds": 27},
                    {"retryIndex": 1, "retryBackoffIntervalSeconds": 60}]


def test_a_catch_gives_caught_error_next_state_and_catch_index(aws):
    """(recorded) a matching Catch -> CAUGHT_ERROR, nextState = its Next, errorDetails
    {catchIndex}; with the retrier's attempts spent the Catch takes the error."""
    state = _http_task(
        Retry=[{"ErrorEquals": ["States.Http.Socket"], "MaxAttempts": 2}],
        Catch=[{"ErrorEquals": ["States.Http.StatusCode.404"], "Next": "NotFound"},
               {"ErrorEquals": ["States.ALL"], "Next": "Broken",
                "Output": {"why": "{% $states.errorOutput.Error %}"}}])
    socket = {"error": "States.Http.Socket", "cause": "no route"}
    body = _test(aws, state, mock={"errorOutput": socket}, inspectionLevel="DEBUG",
                 stateConfiguration={"retrierRetryCount": 2})
    assert (body["status"], body["nextState"]) == ("CAUGHT_ERROR", "Broken")
    assert json.loads(body["output"]) == {"why": "States.Http.Socket"}
    assert body["inspectionData"]["errorDetails"] == {"retryIndex": 0, "catchIndex": 1}


def test_context_is_the_context_object_the_state_sees(aws):
    """test-state-isolation.html: `context` sets the context object ($$ / $states.context)."""
    state = _lambda_task(Output="{% $states.context.Execution.Name & '/' & "
                                "$string($states.context.State.RetryCount) %}")
    body = _test(aws, state, mock={"result": "{}"},
                 context=json.dumps({"Execution": {"Name": "replayed"}}))
    assert json.loads(body["output"]) == "replayed/0"


# --------------------------------------------------------------------------- Map and Parallel


def test_a_mocked_map_passes_its_result_through_unchanged(aws):
    """(recorded) test_map_state_failure_count[BASE_MAP_STATE_CATCH]: mock "[1, 1, 1]" ->
    output "[1, 1, 1]" (the mock's own text); DEBUG inspectionData has maxConcurrency (0 when
    not set) and toleratedFailureCount when declared; (recorded
    test_state_machine_with_state_error) afterItemsPath for a JSONPath Map."""
    state = _map(ToleratedFailureCount=1)
    body = _test(aws, state, input=json.dumps({"Values": ["first", "second", "third"]}),
                 mock={"result": json.dumps([1, 1, 1])}, inspectionLevel="DEBUG",
                 stateConfiguration={"mapIterationFailureCount": 0})
    assert (body["status"], body["output"]) == ("SUCCEEDED", "[1, 1, 1]")
    inspection = body["inspectionData"]
    assert inspection["maxConcurrency"] == 0
    assert inspection["toleratedFailureCount"] == 1
    assert json.loads(inspection["afterItemsPath"]) == ["first", "second", "third"]


def test_map_iteration_failures_past_the_tolerance_fail_the_map(aws):
    """(recorded) mapIterationFailureCount 2 with ToleratedFailureCount 1 ->
    States.ExceedToleratedFailureThreshold "The specified tolerated failure threshold was
    exceeded", caught (catchIndex 1, nextState HandleThreshold) or retried (retryIndex 1,
    backoff 1); without a declared tolerance the count changes nothing (recorded BASE_MAP_STATE:
    SUCCEEDED)."""
    values = json.dumps({"Values": ["first", "second", "third"]})
    caught = _test(aws, _map(ToleratedFailureCount=1, Catch=[
        {"ErrorEquals": ["States.Timeout"], "Next": "Other"},
        {"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "HandleThreshold"}]),
        input=values, mock={"result": "[0, 0, 1]"}, inspectionLevel="DEBUG",
        stateConfiguration={"mapIterationFailureCount": 2})
    assert (caught["status"], caught["nextState"], caught["error"], caught["cause"]) == (
        "CAUGHT_ERROR", "HandleThreshold", "States.ExceedToleratedFailureThreshold",
        "The specified tolerated failure threshold was exceeded")
    assert caught["inspectionData"]["errorDetails"] == {"catchIndex": 1}
    retried = _test(aws, _map(ToleratedFailureCount=1, Retry=[
        {"ErrorEquals": ["States.Timeout"]},
        {"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "IntervalSeconds": 1}]),
        input=values, mock={"result": "[0, 0, 1]"}, inspectionLevel="DEBUG",
        stateConfiguration={"mapIterationFailureCount": 2})
    assert retried["status"] == "RETRIABLE"
    assert retried["inspectionData"]["errorDetails"] == {"retryIndex": 1,
                                                         "retryBackoffIntervalSeconds": 1}
    untolerant = _test(aws, _map(), input=values, mock={"result": "[0, 0, 1]"},
                       stateConfiguration={"mapIterationFailureCount": 2})
    assert untolerant["status"] == "SUCCEEDED"


def test_more_failures_than_iterations_is_refused(aws):
    """(design, recorded message) "Map iteration failure count must be less than or equal to
    the number of Map iterations"."""
    error = _refused(aws, _map(ToleratedFailureCount=1),
                     input=json.dumps({"Values": [1, 2]}), mock={"result": "[1, 2]"},
                     stateConfiguration={"mapIterationFailureCount": 3})
    assert error["Message"] == ("Map iteration failure count must be less than or equal to "
                                "the number of Map iterations")


def test_a_map_s_mocked_error_and_its_item_reader_data(aws):
    """(recorded) test_map_state_error_caused_by_state: an errorOutput mock on a Map -> FAILED
    with the mock's error and cause; (recorded) mapItemReaderData stands for what the
    ItemReader would read (maxConcurrency 1 as declared)."""
    failed = _test(aws, _map(), input=json.dumps({"Values": [1, 1, 1]}),
                   mock={"errorOutput": {"error": "MockException",
                                         "cause": "Mock the cause of the error."}},
                   stateConfiguration={"errorCausedByState": "HandleItem"})
    assert (failed["status"], failed["error"], failed["cause"]) == (
        "FAILED", "MockException", "Mock the cause of the error.")
    reader = {"Type": "Map", "End": True, "MaxConcurrency": 1,
              "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                             "ReaderConfig": {"InputType": "JSON"},
                             "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key"}},
              "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                    "ExecutionType": "STANDARD"},
                                "StartAt": "HandleItem",
                                "States": {"HandleItem": {"Type": "Pass", "End": True}}}}
    body = _test(aws, reader, input=json.dumps({"Bucket": "test-bucket", "Key": "test-key"}),
                 mock={"result": "[1, 4, 9]"}, inspectionLevel="DEBUG",
                 stateConfiguration={"mapItemReaderData": "[1, 2, 3]"})
    assert (body["status"], body["output"]) == ("SUCCEEDED", "[1, 4, 9]")
    assert body["inspectionData"]["maxConcurrency"] == 1


def test_a_mocked_parallel_gives_one_result_per_branch(aws):
    """test-state-isolation.html: a Parallel's mocked result is an array, one entry per branch;
    ResultSelector/ResultPath still apply."""
    state = {"Type": "Parallel", "End": True, "ResultPath": "$.both", "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}
    body = _test(aws, state, input='{"k": 1}', mock={"result": '[{"a": 1}, {"b": 2}]'},
                 inspectionLevel="DEBUG")
    assert body["status"] == "SUCCEEDED"
    assert json.loads(body["output"]) == {"k": 1, "both": [{"a": 1}, {"b": 2}]}
    inspection = body["inspectionData"]
    assert json.loads(inspection["afterInputPath"]) == {"k": 1}
    assert json.loads(inspection["afterResultPath"]) == {"k": 1, "both": [{"a": 1}, {"b": 2}]}


# --------------------------------------------------------------------------- context, recorded

CONTEXT_FULL = {
    "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:MyStateMachine:run-1",
                  "Input": {"input-value": 0, "values": ["charizard", "pikachu"]},
                  "Name": "run-1", "RoleArn": "arn:aws:iam::123456789012:role/StepFunctionsRole",
                  "StartTime": "2025-01-15T10:30:00.000Z"},
    "State": {"EnteredTime": "2025-01-15T10:30:01.500Z", "Name": "MyTaskState", "RetryCount": 0},
    "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:MyStateMachine",
                     "Name": "MyStateMachine"},
}


def test_the_given_context_is_the_context_object_and_the_mocked_result_is_recorded(aws):
    """(recorded) test_state_task_context_object[ALL]: a JSONPath Task's ResultSelector reading
    "$$" sees the given context object as given (State included); inspectionData has result,
    afterParameters, afterResultSelector, afterResultPath."""
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
             "Parameters": {"FunctionName.$": "$.FunctionName", "Payload": {"Input.$": "$"}},
             "ResultSelector": {"ContextObjectValue.$": "$$", "LambdaOutput.$": "$"}}
    body = _test(aws, state, inspectionLevel="TRACE", context=json.dumps(CONTEXT_FULL),
                 input=json.dumps({"FunctionName": "f", "Payload": {"input-value": 0}}),
                 mock={"result": json.dumps({"pokemon": ["charizard"]})})
    assert body["status"] == "SUCCEEDED"
    output = json.loads(body["output"])
    assert output == {"ContextObjectValue": CONTEXT_FULL,
                      "LambdaOutput": {"pokemon": ["charizard"]}}
    inspection = body["inspectionData"]
    assert json.loads(inspection["result"]) == {"pokemon": ["charizard"]}
    assert json.loads(inspection["afterParameters"])["FunctionName"] == "f"


@pytest.mark.parametrize("context, message", [
    ({"Execution": {"Id": 1}}, "Invalid Context object provided: Execution.Id must be a string"),
    ({"Map": {}}, "Invalid Context object provided: 'Map' field is not supported when mocking "
                  "a Context object"),
    ({"Execution": {"pokemon": "squirtle"}},
     "Invalid Context object provided: Field 'pokemon' is not allowed"),
    ({"Pokedex": {}}, "Invalid Context object provided: Field 'Pokedex' is not allowed"),
    ({"Task": {"Token": "abcd123"}},
     "Invalid Context object provided: Context object contains 'Task' when state is not a Task "
     "state with a '.sync' or '.waitForTaskToken' service integration pattern"),
])
def test_a_context_object_aws_would_not_accept_is_refused_in_its_words(aws, context, message):
    """(recorded) test_state_context_object_validation_failures and _invalid_states: each
    ValidationException message word for word."""
    error = _refused(aws, _lambda_task(), context=json.dumps(context), mock={"result": "{}"})
    assert (error["Code"], error["Message"]) == ("ValidationException", message)


def test_a_token_task_takes_a_task_token_in_its_context(aws):
    """(recorded) test_state_wait_task_context_object: a .waitForTaskToken task with a mock
    and Task.Token in the context reads $$.Task.Token; nextState is the state's Next."""
    state = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
             "Parameters": {"QueueUrl": "https://sqs.us-east-2.amazonaws.com/123456789012/q",
                            "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
             "ResultPath": "$.SQS", "Next": "NEXT_STATE"}
    body = _test(aws, state, inspectionLevel="DEBUG", mock={"result": '{"ok": 1}'},
                 context=json.dumps({**CONTEXT_FULL, "Task": {"Token": "abcd123"}}))
    assert (body["status"], body["nextState"]) == ("SUCCEEDED", "NEXT_STATE")
    assert json.loads(body["output"]) == {"SQS": {"ok": 1}}
    parameters = json.loads(body["inspectionData"]["afterParameters"])
    assert parameters["MessageBody"] == {"TaskToken": "abcd123"}


def test_a_map_over_the_context_object(aws):
    """(recorded) test_state_map_context_object: ItemsPath "$$.Execution.Input.values" reads
    the given context (afterItemsPath, afterResultSelector/afterResultPath written as AWS
    writes them: '["CHARIZARD", "PIKACHU"]'); ItemsPath on an object fails with States.Runtime
    'Reference path "$.Execution.Input" must point to array.'."""
    state = {"Type": "Map", "End": True, "MaxConcurrency": 1,
             "ItemsPath": "$$.Execution.Input.values", "ResultPath": "$",
             "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P",
                               "States": {"P": {"Type": "Pass", "End": True}}}}
    mocked = json.dumps(["CHARIZARD", "PIKACHU"])
    body = _test(aws, state, inspectionLevel="TRACE", input=json.dumps(["fire", "grass"]),
                 context=json.dumps(CONTEXT_FULL), mock={"result": mocked})
    assert (body["status"], body["output"]) == ("SUCCEEDED", mocked)
    inspection = body["inspectionData"]
    assert inspection["afterItemsPath"] == '["charizard", "pikachu"]'
    assert inspection["afterInputPath"] == '["fire", "grass"]'
    assert inspection["afterResultPath"] == mocked
    assert inspection["maxConcurrency"] == 1

    failed = _test(aws, {**state, "ItemsPath": "$$.Execution.Input"},
                   input=json.dumps(["fire", "grass"]), context=json.dumps(CONTEXT_FULL),
                   mock={"result": mocked})
    assert (failed["status"], failed["error"], failed["cause"]) == (
        "FAILED", "States.Runtime", 'Reference path "$.Execution.Input" must point to array.')


# ------------------------------------------------------------- field validation, recorded


def _sdk_task(resource: str) -> dict:
    return {"Type": "Task", "Resource": resource, "End": True}


@pytest.mark.parametrize("resource, result, message", [
    ("arn:aws:states:::events:putEvents", {"Entries": {"EventId": "a"}},
     "Field 'Entries' must be an array"),
    ("arn:aws:states:::events:putEvents", {"Entries": [{"EventId": "a"}, {"EventId": 1}]},
     "Field 'EventId' must be a string"),
    ("arn:aws:states:::states:startExecution", {"StartDate": "2025-01-01T00:00:00Z"},
     "Required field 'ExecutionArn' is missing"),
    ("arn:aws:states:::states:startExecution",
     {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e",
      "StartDate": "2025-01-01T00:00:00Z"},
     "Required field 'ExecutionArn' is missing"),
    ("arn:aws:states:::states:startExecution",
     {"ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e", "StartDate": True},
     "Field 'StartDate' must be a string"),
    ("arn:aws:states:::lambda:invoke", {"StatusCode": "200"},
     "Field 'StatusCode' must be a number"),
    ("arn:aws:states:::aws-sdk:s3:getObject", {"ContentLength": "1"},
     "Field 'ContentLength' must be a number"),
    ("arn:aws:states:::aws-sdk:s3:getObject", {"StorageClass": "NOPE"},
     "Field 'StorageClass' is not an expected value"),
    ("arn:aws:states:::aws-sdk:kms:encrypt", {"CiphertextBlob": 1},
     "Field 'CiphertextBlob' must be a string"),
    ("arn:aws:states:::aws-sdk:kms:encrypt", {"CiphertextBlob": ""},
     "Field 'CiphertextBlob' is smaller than the minimum length"),
    ("arn:aws:states:::aws-sdk:lambda:getFunction", {"Configuration": {"MemorySize": 127}},
     "Field 'MemorySize' is less than the minimum value"),
    ("arn:aws:states:::aws-sdk:lambda:getFunction", {"Configuration": {"MemorySize": 32769}},
     "Field 'MemorySize' exceeds the maximum value"),
])
def test_strict_field_validation_in_aws_s_words(aws, resource, result, message):
    """(recorded) test_field_validation_mode.snapshot.json: STRICT checks required fields (in
    Step Functions' casing), types, enums and the installed botocore's min/max (MemorySize:
    128 to 32768 today), each refused with
    "Mock result schema validation error: <what>"."""
    error = _refused(aws, _sdk_task(resource), mock={"result": json.dumps(result)})
    assert (error["Code"], error["Message"]) == (
        "ValidationException", f"Mock result schema validation error: {message}")


@pytest.mark.parametrize("result", [{"random": "json"}, {}])
def test_fields_outside_the_api_shape_are_accepted(aws, result):
    """(recorded) test_strict_mode_mock_result_field_not_in_api_spec: a field the API does not
    have, or an empty object, passes STRICT (lambda:invoke has no required output field)."""
    body = _test(aws, _sdk_task("arn:aws:states:::lambda:invoke"),
                 mock={"result": json.dumps(result)})
    assert (body["status"], json.loads(body["output"])) == ("SUCCEEDED", result)


def test_callback_sync_and_activity_tasks_take_a_mock(aws):
    """test-state-isolation.html: with a mock, Activity, .sync and .waitForTaskToken tasks can
    be tested (without one TestState does not run them); a callback task's result is what
    SendTaskSuccess would send, so it is not held to the start call's output shape."""
    states = [
        {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:worker",
         "End": True},
        {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
         "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x"},
         "End": True},
        {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
         "Parameters": {"FunctionName": "f", "Payload": {"t.$": "$$.Task.Token"}}, "End": True},
    ]
    for state in states:
        body = _test(aws, state, mock={"result": '{"done": true}'})
        assert (body["status"], json.loads(body["output"])) == ("SUCCEEDED", {"done": True})


MAP_MACHINE = {"StartAt": "State0", "States": {"State0": {
    "Type": "Map", "ItemsPath": "$.Values", "End": True,
    "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "HandleItem",
                      "States": {"HandleItem": {"Type": "Pass", "End": True}}}}}}


def test_state_name_finds_a_state_inside_a_map_and_refuses_an_unknown_one(aws):
    """(recorded) test_base_state_name[BASE_MAP_STATE_MACHINE]: stateName "HandleItem" (inside
    the Map's ItemProcessor) is tested on its own; test_base_state_name_validation_failures:
    an unknown name is ValidationException "State not found in definition"."""
    inner = _test(aws, MAP_MACHINE, stateName="HandleItem", input='{"Value": "HelloWorld"}')
    assert (inner["status"], json.loads(inner["output"])) == (
        "SUCCEEDED", {"Value": "HelloWorld"})
    for name in ("dne", '"invalid"'):
        error = _refused(aws, MAP_MACHINE, stateName=name, input="{}")
        assert (error["Code"], error["Message"]) == (
            "ValidationException", "State not found in definition")


# ----------------------------------------------------------- ItemBatcher, ItemsPointer


def _distributed(**extra) -> dict:
    return _map(ItemProcessor={
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": True}}},
        **extra)


def test_a_mocked_map_reports_its_items_after_the_item_batcher(aws):
    """test-state-isolation.html "Understanding Map state inspection data": afterItemBatcher is
    "an array containing the input values after the ItemBatcher grouping is applied"
    (botocore InspectionData.afterItemBatcher, a string); each batch is a child workflow's
    input {"BatchInput", "Items"} (input-output-itembatcher.html), at most MaxItemsPerBatch
    items, BatchInput's "k.$" paths read from the state input. (moto's grammar cannot read
    ItemBatcher: TestState answered InvalidDefinition "not emulated".)"""
    state = _distributed(ItemBatcher={"MaxItemsPerBatch": 2,
                                      "BatchInput": {"run.$": "$.Run", "fixed": 1}})
    body = _test(aws, state, input=json.dumps({"Values": [1, 2, 3], "Run": "r1"}),
                 inspectionLevel="DEBUG", mock={"result": "[1, 2]"})
    inspection = body["inspectionData"]
    assert json.loads(inspection["afterItemBatcher"]) == [
        {"BatchInput": {"run": "r1", "fixed": 1}, "Items": [1, 2]},
        {"BatchInput": {"run": "r1", "fixed": 1}, "Items": [3]}]
    assert inspection["afterItemsPath"] == "[1, 2, 3]"
    assert "afterItemBatcher" not in _test(
        aws, _distributed(), input=json.dumps({"Values": [1]}), inspectionLevel="DEBUG",
        mock={"result": "[1]"})["inspectionData"]


def test_a_jsonata_map_batches_the_selected_items_by_count_and_bytes(aws):
    """input-output-itembatcher.html: MaxItemsPerBatch (a JSONata expression in a JSONata
    state) and MaxInputBytesPerBatch both bound a batch; the batched items are those after
    ItemSelector (afterItemSelector, then afterItemBatcher)."""
    state = {"Type": "Map", "QueryLanguage": "JSONata", "End": True,
             "Items": "{% $states.input.v %}",
             "ItemSelector": {"n": "{% $states.context.Map.Item.Value %}"},
             "ItemBatcher": {"MaxItemsPerBatch": "{% $states.input.size %}",
                             "MaxInputBytesPerBatch": 30},
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                   "ExecutionType": "STANDARD"},
                               "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
    body = _test(aws, state, input=json.dumps({"v": [1, 2, 3, 4, 5], "size": 3}),
                 inspectionLevel="DEBUG", mock={"result": "[]"})
    batches = json.loads(body["inspectionData"]["afterItemBatcher"])
    assert [len(b["Items"]) for b in batches] == [2, 2, 1]  # 3 items would be 35 bytes
    assert [i["n"] for b in batches for i in b["Items"]] == [1, 2, 3, 4, 5]
    assert all(len(json.dumps(b, separators=(",", ":"))) <= 30 for b in batches)


def test_a_mocked_map_reports_the_items_its_items_pointer_selects(aws):
    """test-state-isolation.html: afterItemsPointer is "the effective input after the
    ItemsPointer filter is applied … only applicable to JSON inputs"; the ItemReader's data is
    stateConfiguration.mapItemReaderData. Sandbox's choice (not recorded): the pointer is
    ReaderConfig.ItemsPointer, a JSON Pointer (RFC 6901); one that reaches no array fails
    the state with States.Runtime."""
    def reading(pointer: str) -> dict:
        state = _distributed(ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON", "ItemsPointer": pointer},
            "Parameters": {"Bucket": "b", "Key": "k.json"}})
        state.pop("ItemsPath")
        return _test(aws, state, input="{}", inspectionLevel="DEBUG", mock={"result": "[]"},
                     stateConfiguration={"mapItemReaderData": json.dumps(
                         {"data": {"items": ["a", "b"]}, "n": 1})})

    assert reading("/data/items")["inspectionData"]["afterItemsPointer"] == '["a", "b"]'
    refused = reading("/n")
    assert (refused["status"], refused["error"]) == ("FAILED", "States.Runtime")


def test_full_jitter_reports_the_backoff_it_draws_below(aws):
    """concepts-error-handling.html: JitterStrategy FULL randomises the wait between 0 and
    the computed interval. AWS records no TestState answer with jitter; the sandbox's choice:
    retryBackoffIntervalSeconds is the computed interval (IntervalSeconds × BackoffRate^n,
    capped by MaxDelaySeconds), the same on every call, so a test can assert on it (the kit's
    own Retry blocks use FULL)."""
    state = _lambda_task(Retry=[{"ErrorEquals": ["MockException"], "IntervalSeconds": 3,
                                 "BackoffRate": 2, "MaxAttempts": 5, "MaxDelaySeconds": 20,
                                 "JitterStrategy": "FULL"}])
    seen = {_test(aws, state, inspectionLevel="DEBUG", mock={"errorOutput": MOCK_ERROR},
                  stateConfiguration={"retrierRetryCount": count}
                  )["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"]
            for count in (2, 2, 2)}
    assert seen == {12}
    capped = _test(aws, state, inspectionLevel="DEBUG", mock={"errorOutput": MOCK_ERROR},
                   stateConfiguration={"retrierRetryCount": 3})
    assert capped["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"] == 20
