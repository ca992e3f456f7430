"""Property: the Step Functions sandbox never answers HTTP 500 and never crashes an execution.

Hypothesis generates state machines (Pass, Choice, Wait, Map, Parallel, the HTTP Task, Succeed,
Fail; Parameters, ResultSelector, ResultPath, InputPath, OutputPath, Assign in JSONPath;
Arguments, Output, Assign in JSONata; paths into ``$``, ``$$`` and variables; intrinsic
functions and JSONata functions Step Functions documents) and inputs, and runs each in the
sandbox (in-process moto with the lab's extensions; the HTTP Task calls a REST API deployed in
it through an EventBridge connection). Every call must answer as botocore's model of the
operation allows (a response ``shape_check`` accepts, or an error the operation lists: never a
5xx, never a Python exception), and every execution must end with a status AWS has and, when
it fails, an error AWS documents (error-handling.html's ``States.*`` names, the HTTP Task's
``States.Http.*`` and ``Events.ConnectionResource.*``, or the Fail state's own), never the
sandbox's "not emulated" crash cause or Python's exception text.

Bounded by default (a fixed seed: ``derandomize=True``; ``LAB_PROPERTY_EXAMPLES`` examples,
default 150, about 30 s); ``LAB_PROPERTY_EXAMPLES=1500`` (about 3-5 minutes) explores longer
(``.ci/run``). Every failure it has found is a plain regression test at the end of this file.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from botocore.exceptions import ClientError
from http_invoke_builders import create_private_connection, deploy_api
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shape_check import checked

ROLE = "arn:aws:iam::123456789012:role/sfn"
EXAMPLES = int(os.environ.get("LAB_PROPERTY_EXAMPLES", "150"))

#: Errors AWS documents (concepts-error-handling.html; call-https-apis.html for the HTTP Task;
#: the Fail states below raise CUSTOM_ERROR).
STATES_ERRORS = {
    "States.ALL", "States.BranchFailed", "States.DataLimitExceeded",
    "States.ExceedToleratedFailureThreshold", "States.HeartbeatTimeout",
    "States.IntrinsicFailure", "States.ItemReaderFailed", "States.NoChoiceMatched",
    "States.ParameterPathFailure", "States.Permissions", "States.QueryEvaluationError",
    "States.ResultPathMatchFailure", "States.ResultWriterFailed", "States.Runtime",
    "States.TaskFailed", "States.Timeout", "States.Http.Socket",
}
CUSTOM_ERROR = "Lab.Custom"
DOCUMENTED_PREFIXES = ("States.Http.StatusCode.", "Events.ConnectionResource.")
TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
#: What a crash looks like: the sandbox's own words for one, or Python's.
CRASH_MARKS = ("not emulated by the sandbox", "Traceback", "Error(", "object has no attribute",
               "is not JSON serializable", "NoneType")

# --------------------------------------------------------------------------- strategies

INPUT_PATHS = ["$", "$.a", "$.n", "$.arr", "$.arr[0]", "$.s", "$.a.b", "$.missing"]
CONTEXT_PATHS = ["$$", "$$.Execution", "$$.Execution.Id", "$$.Execution.Input",
                 "$$.Execution.StartTime", "$$.Execution.Name", "$$.Execution.RoleArn",
                 "$$.Execution.RedriveCount", "$$.State.Name", "$$.State.EnteredTime",
                 "$$.StateMachine.Id", "$$.StateMachine.Name"]
VARIABLE_PATHS = ["$v1", "$v2", "$v1.b"]
INTRINSICS = [
    "States.Format('{} and {}', $.s, $.n)", "States.Format('{}', $$.Execution.Name)",
    "States.StringToJson($.js)", "States.JsonToString($.a)", "States.JsonToString($$)",
    "States.Array($.n, $.s)", "States.ArrayLength($.arr)", "States.ArrayContains($.arr, $.n)",
    "States.ArrayRange(1, 9, 2)", "States.ArrayGetItem($.arr, 0)",
    "States.ArrayPartition($.arr, 2)", "States.ArrayUnique($.arr)", "States.MathAdd($.n, 1)",
    "States.MathRandom(1, 10)", "States.UUID()", "States.Hash($.s, 'SHA-256')",
    "States.Base64Encode($.s)", "States.Base64Decode('aGVsbG8=')",
    "States.JsonMerge($.a, $.a, false)", "States.StringSplit($.s, ',')",
    "States.Format('{}', $v1)",
]
JSONATA = [
    "{% $states.input %}", "{% $states.input.a %}", "{% $states.input.n + 1 %}",
    "{% $count($states.input.arr) %}", "{% $states.context %}",
    "{% $states.context.Execution.StartTime %}", "{% $states.context.State.Name %}",
    "{% $states.context.Execution %}", "{% $v1 %}", "{% $string($states.input.n) %}",
    "{% $uuid() %}", "{% $partition($states.input.arr, 2) %}", "{% $range(0, 3) %}",
    "{% $hash($states.input.s, 'SHA-256') %}", "{% $parse($states.input.js) %}",
    "{% $random() %}", "{% $states.input.missing %}", "{% $states.input.arr[0] %}",
    "{% $states.input.s & '!' %}", "{% $now() %}", "{% $millis() %}",
    "{% $states.input.n > 1 %}", "{% $exists($states.input.a) %}",
    "{% $toMillis($states.context.Execution.StartTime) %}", "{% $parse('nope') %}",
    "{% $partition($states.input.arr, 0) %}", "{% $states.input.s + 1 %}", "{% $v1.b %}",
]


def jsonpath_value() -> st.SearchStrategy:
    return st.sampled_from(INPUT_PATHS + CONTEXT_PATHS + VARIABLE_PATHS + INTRINSICS)


@st.composite
def jsonpath_template(draw) -> dict:
    """A Parameters/ResultSelector/Assign-like object: keys ending ``.$`` take paths."""
    template = {}
    for index in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            template[f"k{index}.$"] = draw(jsonpath_value())
        else:
            template[f"k{index}"] = draw(st.one_of(st.integers(-5, 5), st.text(max_size=4),
                                                   st.none(), st.just({"x": [1]})))
    return template


@st.composite
def jsonata_value(draw):
    if draw(st.integers(0, 3)) == 0:
        return {"k": draw(st.sampled_from(JSONATA)), "lit": draw(st.integers(0, 3))}
    return draw(st.sampled_from(JSONATA))


@st.composite
def jsonpath_assign(draw) -> dict:
    assign = {}
    for name in draw(st.lists(st.sampled_from(["v1", "v2"]), min_size=1, max_size=2,
                              unique=True)):
        if draw(st.booleans()):
            assign[f"{name}.$"] = draw(st.sampled_from(INPUT_PATHS + CONTEXT_PATHS + INTRINSICS))
        else:
            assign[name] = draw(st.one_of(st.integers(0, 3), st.just({"b": "x"})))
    return assign


@st.composite
def jsonata_assign(draw) -> dict:
    names = draw(st.lists(st.sampled_from(["v1", "v2"]), min_size=1, max_size=2, unique=True))
    return {name: draw(jsonata_value()) for name in names}


@st.composite
def io_fields(draw, jsonata: bool, kind: str) -> dict:
    """The fields a state of ``kind`` may carry, each drawn or left out."""
    fields: dict = {}
    if jsonata:
        if kind in ("Task", "Map", "Parallel") and draw(st.booleans()):
            fields["Output"] = draw(st.one_of(jsonata_value(), st.just("{% $states.result %}")))
        elif kind == "Pass" and draw(st.booleans()):
            fields["Output"] = draw(jsonata_value())
        if kind != "Choice" and draw(st.booleans()):
            fields["Assign"] = draw(jsonata_assign())
        return fields
    if draw(st.booleans()):
        fields["InputPath"] = draw(st.sampled_from(["$", "$.a", "$$.Execution.Input"]))
    if kind in ("Pass", "Task", "Map", "Parallel") and draw(st.booleans()):
        fields["ResultPath"] = draw(st.sampled_from(["$", "$.r", "$.a.r", None]))
    if kind in ("Pass", "Task") and draw(st.booleans()):
        fields["Parameters"] = draw(jsonpath_template())
    if kind in ("Task", "Map", "Parallel") and draw(st.booleans()):
        fields["ResultSelector"] = draw(jsonpath_template())
    if draw(st.booleans()):
        fields["OutputPath"] = draw(st.sampled_from(["$", "$.r", "$.a", "$.missing", "$.arr[0]"]))
    if kind != "Choice" and draw(st.booleans()):
        fields["Assign"] = draw(jsonpath_assign())
    return fields


@st.composite
def inner_chain(draw, jsonata: bool, depth: int) -> dict:
    """A StartAt/States pair for a Map's ItemProcessor or a Parallel branch."""
    states = draw(chain(jsonata, depth + 1, http=None, allow_fail=True, prefix="I"))
    return {"StartAt": next(iter(states)), "States": states}


@st.composite
def state(draw, kind: str, jsonata: bool, depth: int, http: dict | None) -> dict:
    body: dict = {"Type": kind}
    if kind == "Pass" and not jsonata and draw(st.booleans()):
        body["Result"] = draw(st.one_of(st.integers(), st.just({"b": 1}), st.just([1, 2])))
    if kind == "Wait":
        if jsonata:
            body["Seconds"] = draw(st.sampled_from([0, "{% 0 %}"]))
        else:
            body.update(draw(st.sampled_from([
                {"Seconds": 0}, {"SecondsPath": "$.zero"}, {"SecondsPath": "$.n"},
                {"SecondsPath": "$.s"}, {"TimestampPath": "$.s"},
                {"Timestamp": "2016-03-14T01:59:00Z"}])))
    if kind == "Map":
        body["ItemProcessor"] = draw(inner_chain(jsonata, depth))
        if jsonata:
            body["Items"] = draw(st.sampled_from(["{% $states.input.arr %}", "{% [1, 2] %}"]))
            if draw(st.booleans()):
                body["ItemSelector"] = {"v": "{% $states.context.Map.Item.Value %}",
                                        "i": "{% $states.context.Map.Item.Index %}"}
        else:
            body["ItemsPath"] = draw(st.sampled_from(["$.arr", "$", "$.s", "$.a"]))
            if draw(st.booleans()):
                body["ItemSelector"] = {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index",
                                        "s.$": draw(jsonpath_value())}
        body.update(draw(st.sampled_from([{"MaxConcurrency": 0}, {"MaxConcurrency": 1},
                                          {"MaxConcurrencyPath": "$.n"}]
                                         if not jsonata else [{"MaxConcurrency": 1}])))
    if kind == "Parallel":
        body["Branches"] = draw(st.lists(inner_chain(jsonata, depth), min_size=1, max_size=2))
    if kind == "Task":
        method = draw(st.sampled_from(["GET", "GET", "POST"]))  # the API has GET /hello only
        arguments = {"ApiEndpoint": http["url"], "Method": method,
                     "InvocationConfig": {"ConnectionArn": http["connection"]}}
        if jsonata:
            if draw(st.booleans()):
                arguments["QueryParameters"] = {"q": draw(st.sampled_from(JSONATA[:4]))}
            body["Arguments"] = arguments
        else:
            if draw(st.booleans()):
                arguments["RequestBody.$"] = draw(st.sampled_from(["$", "$$.Execution", "$.a"]))
            body["Resource"] = "arn:aws:states:::http:invoke"
            body["Parameters"] = arguments
        body["Resource"] = "arn:aws:states:::http:invoke"
        body["TimeoutSeconds"] = 20
    fields = draw(io_fields(jsonata, kind))
    if kind == "Task" and "Parameters" in fields:
        fields.pop("Parameters")  # the task's own Parameters above
    if kind == "Pass" and "Result" in body:
        fields.pop("Parameters", None)
    body.update(fields)
    return body


@st.composite
def chain(draw, jsonata: bool, depth: int, http: dict | None, allow_fail: bool,
          prefix: str = "S") -> dict:
    """States run one after the other (a Choice goes on to the next either way)."""
    kinds = ["Pass", "Choice", "Wait"]
    if depth < 2:
        kinds += ["Map", "Parallel"]
    if http is not None:
        kinds.append("Task")
    count = draw(st.integers(1, 3 if depth == 0 else 2))
    names = [f"{prefix}{depth}_{i}" for i in range(count)]
    states: dict = {}
    for index, name in enumerate(names):
        kind = draw(st.sampled_from(kinds))
        following = names[index + 1] if index + 1 < count else None
        if kind == "Choice":
            after = following or f"{name}_end"
            if jsonata:
                rule = {"Condition": draw(st.sampled_from(
                    ["{% $states.input.n > 1 %}", "{% $exists($states.input.a) %}",
                     "{% $v1 = 1 %}"])), "Next": after}
                if draw(st.booleans()):
                    rule["Output"] = draw(jsonata_value())
                if draw(st.booleans()):
                    rule["Assign"] = draw(jsonata_assign())
            else:
                rule = draw(st.sampled_from([
                    {"Variable": "$.n", "NumericGreaterThan": 1},
                    {"Variable": "$.a", "IsPresent": True},
                    {"Variable": "$v1", "NumericEquals": 1},
                    {"Variable": "$$.Execution.RedriveCount", "NumericEquals": 0},
                    {"Variable": "$.s", "StringMatches": "x*"},
                    {"Variable": "$.s", "TimestampEquals": "2016-03-14T01:59:00Z"},
                    {"Variable": "$.s", "IsTimestamp": True},
                    {"Variable": "$$.Execution.StartTime", "TimestampLessThanPath": "$.s"},
                    {"Not": {"Variable": "$.arr", "IsNull": True}},
                    {"And": [{"Variable": "$.n", "NumericGreaterThanEquals": 0},
                             {"Variable": "$.missing", "IsPresent": False}]},
                    {"Variable": "$.n", "NumericEqualsPath": "$v1"},
                ])) | {"Next": after}
            body = draw(state("Choice", jsonata, depth, http))
            body["Choices"] = [rule]
            body["Default"] = after
            states[name] = body
            if following is None:
                states[after] = {"Type": "Succeed"}
            continue
        body = draw(state(kind, jsonata, depth, http))
        if following:
            body["Next"] = following
        else:
            body["End"] = True
        if kind in ("Task", "Map", "Parallel") and draw(st.booleans()):
            catcher = {"ErrorEquals": [draw(st.sampled_from(
                ["States.ALL", "States.Runtime", CUSTOM_ERROR, "States.QueryEvaluationError"]))],
                "Next": following or f"{name}_caught"}
            if jsonata:
                if draw(st.booleans()):
                    catcher["Output"] = "{% $states.errorOutput %}"
                if draw(st.booleans()):
                    catcher["Assign"] = {"v1": "{% $states.errorOutput.Error %}"}
            elif draw(st.booleans()):
                catcher["ResultPath"] = draw(st.sampled_from(["$.err", "$", None]))
            body["Catch"] = [catcher]
            if following is None:
                states[f"{name}_caught"] = {"Type": "Succeed"}
        states[name] = body
    if allow_fail and draw(st.integers(0, 5)) == 0:
        last = names[-1]
        if states[last].get("End"):
            states[last].pop("End")
            states[last]["Next"] = f"{prefix}{depth}_fail"
            states[f"{prefix}{depth}_fail"] = {"Type": "Fail", "Error": CUSTOM_ERROR,
                                                "Cause": "generated"}
    return states


@st.composite
def definitions(draw, http: dict | None) -> dict:
    jsonata = draw(st.booleans())
    states = draw(chain(jsonata, 0, http, allow_fail=True))
    definition = {"StartAt": next(iter(states)), "States": states}
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    return definition


def inputs() -> st.SearchStrategy:
    full = st.fixed_dictionaries(
        {"a": st.just({"b": 2}), "n": st.integers(-3, 3),
         "arr": st.lists(st.integers(0, 3), max_size=3), "s": st.sampled_from(["x,y", "", "é"]),
         "zero": st.just(0), "js": st.sampled_from(['{"x":1}', "nope"])})
    return full.flatmap(lambda d: st.sets(st.sampled_from(sorted(d)), max_size=2).map(
        lambda drop: {k: v for k, v in d.items() if k not in drop}))


# --------------------------------------------------------------------------- the property


def documented(error: str | None) -> bool:
    return (error in STATES_ERRORS or error == CUSTOM_ERROR
            or (error or "").startswith(DOCUMENTED_PREFIXES))


def modelled_error(client, operation: str, error: ClientError) -> None:
    """A ClientError must be one of the errors botocore lists for ``operation``, never 5xx."""
    code = error.response["Error"]["Code"]
    status = error.response["ResponseMetadata"]["HTTPStatusCode"]
    model = client.meta.service_model.operation_model(operation)
    allowed = {shape.name for shape in model.error_shapes} | {"ValidationException"}
    assert status < 500, f"{operation} answered HTTP {status}: {error}"
    assert code in allowed, f"{operation} answered {code}, not an error its model lists: {error}"


def check_execution(sfn, raw, definition: dict, execution_input: dict, name: str,
                    express: bool = False) -> None:
    """Create, run and read back one execution (STANDARD: StartExecution, DescribeExecution,
    GetExecutionHistory; EXPRESS: StartSyncExecution); then TestState its first state."""
    try:
        machine = sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                           roleArn=ROLE, type="EXPRESS" if express else
                                           "STANDARD")["stateMachineArn"]
    except ClientError as error:
        modelled_error(raw, "CreateStateMachine", error)
        assert "not emulated by the sandbox" not in str(error), str(error)
        return
    if express:
        described = sfn.start_sync_execution(stateMachineArn=machine,
                                             input=json.dumps(execution_input))
    else:
        execution = sfn.start_execution(stateMachineArn=machine,
                                        input=json.dumps(execution_input))["executionArn"]
        deadline = time.monotonic() + 30
        while True:
            described = sfn.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        sfn.get_execution_history(executionArn=execution, maxResults=1000)
    assert described["status"] in TERMINAL, f"still {described['status']} after 30 s"
    if described["status"] == "FAILED":
        error, cause = described.get("error"), described.get("cause") or ""
        assert documented(error), f"undocumented error {error!r}: {cause}"
        assert not any(mark in cause for mark in CRASH_MARKS), f"{error}: {cause}"
    else:
        json.loads(described["output"])
    first = definition["States"][definition["StartAt"]]
    if first["Type"] in ("Map", "Parallel"):
        return
    if "QueryLanguage" in definition:
        first = {**first, "QueryLanguage": definition["QueryLanguage"]}
    try:
        tested = sfn.test_state(definition=json.dumps(first), roleArn=ROLE,
                                input=json.dumps(execution_input), inspectionLevel="DEBUG")
    except ClientError as error:
        modelled_error(raw, "TestState", error)
        return
    if tested["status"] == "FAILED":
        assert documented(tested.get("error")), tested
        assert not any(mark in tested.get("cause", "") for mark in CRASH_MARKS), tested


@pytest.fixture
def http_target(aws, dataplane):
    """A REST API deployed in the sandbox and a public API_KEY connection to it."""
    api = deploy_api(aws, endpoint_type="REGIONAL")
    connection = create_private_connection(aws, name="prop", api_key=api.api_key,
                                           configuration_arn=None)
    return {"url": api.url(), "connection": connection}


_counter = iter(range(10**9))
_CHECKED: dict[int, checked] = {}


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(data=st.data())
def test_generated_state_machines_answer_as_the_model_allows(aws, http_target, data):
    raw = aws("stepfunctions")
    if id(raw) not in _CHECKED:  # one validating wrapper (and event handler) per client
        _CHECKED[id(raw)] = checked(raw)
    sfn = _CHECKED[id(raw)]
    definition = data.draw(definitions(http_target), label="definition")
    execution_input = data.draw(inputs(), label="input")
    express = data.draw(st.integers(0, 3), label="express") == 3
    check_execution(sfn, raw, definition, execution_input, f"p{next(_counter)}", express)


# --------------------------------------------------------------------------- what it found


@pytest.fixture
def sfn(aws):
    return aws("stepfunctions")


def _run(sfn, definition: dict, execution_input=None) -> dict:
    from sfn_run import run

    return run(sfn, definition, {} if execution_input is None else execution_input,
               name=f"r{next(_counter)}")[0]


def test_a_result_path_the_input_cannot_take_is_a_result_path_match_failure(sfn):
    """Found by the property: a ResultPath `$.r` on a state whose input is a number made moto
    crash (TypeError in jsonpath-ng: "not emulated by the sandbox"); AWS fails the state with
    States.ResultPathMatchFailure, "A state's ResultPath field cannot be applied to the input
    the state received" (concepts-error-handling.html)."""
    described = _run(sfn, {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": 0, "Next": "B"},
        "B": {"Type": "Pass", "ResultPath": "$.r", "End": True}}})
    assert (described["status"], described["error"]) == ("FAILED", "States.ResultPathMatchFailure")
    assert "'$.r'" in described["cause"] and "not emulated" not in described["cause"]
    caught = _run(sfn, {"StartAt": "B", "States": {
        "B": {"Type": "Parallel", "ResultPath": "$.a.r", "End": True,
              "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}],
              "Catch": [{"ErrorEquals": ["States.ResultPathMatchFailure"], "Next": "C"}]},
        "C": {"Type": "Succeed"}}}, {"a": 5})
    assert caught["status"] == "SUCCEEDED"


def test_a_task_failing_in_its_result_selector_names_its_resource(aws, http_target, sfn):
    """Found by the property: a Task whose ResultSelector path is not in the result failed with
    a TaskFailed event lacking `resource` and `resourceType`, both required by botocore's
    TaskFailedEventDetails (GetExecutionHistory answered a shape AWS never sends)."""
    from sfn_run import run
    from shape_check import assert_valid_output

    described, history = run(sfn, {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::http:invoke", "End": True,
        "Parameters": {"ApiEndpoint": http_target["url"], "Method": "GET",
                       "InvocationConfig": {"ConnectionArn": http_target["connection"]}},
        "ResultSelector": {"k.$": "$.missing"}}}}, name="selector")
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    (failed,) = [e for e in history if e["type"] == "TaskFailed"]
    details = failed["taskFailedEventDetails"]
    assert (details["resourceType"], details["resource"]) == ("http", "invoke")
    assert_valid_output("stepfunctions", "GetExecutionHistory", {"events": history})


def test_a_failed_parallel_stops_its_other_branches_without_a_thread_crash(sfn):
    """Found by the property: when one branch of a Parallel fails, moto stops the others; a
    branch whose worker thread had not begun yet then crashed ("RuntimeError: Could not set
    NextState value when in state ProgramStopped", an unhandled exception in a thread, in
    the sandbox's log). AWS stops the other branches (amazon-states-language-parallel-state.html:
    "If any branch fails … the entire Parallel state fails"), nothing else."""
    import threading

    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branch_worker import (
        BranchWorker,
    )

    routine = BranchWorker._thread_routine

    def late(self):  # every branch but the failing one starts after the Parallel stopped it
        if self._program.start_at.start_at_name != "F":
            time.sleep(0.05)
        routine(self)

    crashes = []
    previous = threading.excepthook
    threading.excepthook = lambda args: crashes.append(args.exc_value)
    BranchWorker._thread_routine = late
    try:
        branches = [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": CUSTOM_ERROR}}}]
        branches += [{"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Next": "Q"}, "Q": {"Type": "Pass", "End": True}}}] * 2
        for _ in range(2):
            described = _run(sfn, {"StartAt": "Par", "States": {
                "Par": {"Type": "Parallel", "Branches": branches, "End": True}}})
            assert (described["status"], described["error"]) == ("FAILED", CUSTOM_ERROR)
        time.sleep(0.2)
    finally:
        BranchWorker._thread_routine = routine
        threading.excepthook = previous
    assert crashes == []


def test_an_intrinsic_function_its_arguments_do_not_fit_is_an_intrinsic_failure(sfn):
    """Found by the property: `States.ArrayGetItem($.arr, 0)` on an empty array made moto crash
    ("not emulated by the sandbox"), and `States.StringToJson` of text that is not JSON put
    Python's "JSONDecodeError(…)" in the cause; AWS fails the state with
    States.IntrinsicFailure ("an attempt to invoke an intrinsic function within a payload
    template failed", concepts-error-handling.html), which a Catch can handle."""
    for expression in ("States.ArrayGetItem($.arr, 0)", "States.StringToJson($.js)",
                       "States.MathAdd($.s, 1)", "States.JsonMerge($.s, $.a, false)"):
        for field in ("Parameters", "Assign"):
            described = _run(sfn, {"StartAt": "S", "States": {
                "S": {"Type": "Pass", field: {"x.$": expression}, "End": True}}},
                {"arr": [], "js": "nope", "s": "x,y", "a": {}})
            assert (described["status"], described["error"]) == (
                "FAILED", "States.IntrinsicFailure"), (expression, described.get("cause"))
            assert expression in described["cause"]
            assert not any(mark in described["cause"] for mark in CRASH_MARKS), described
    caught = _run(sfn, {"StartAt": "P", "States": {"P": {
        "Type": "Parallel", "End": True, "Catch": [
            {"ErrorEquals": ["States.IntrinsicFailure"], "Next": "C"}],
        "Branches": [{"StartAt": "S", "States": {"S": {
            "Type": "Pass", "Parameters": {"x.$": "States.ArrayGetItem($.arr, 3)"},
            "End": True}}}]},
        "C": {"Type": "Succeed"}}}, {"arr": [1]})
    assert caught["status"] == "SUCCEEDED"
