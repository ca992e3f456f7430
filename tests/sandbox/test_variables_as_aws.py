"""Workflow variables' limits and scopes, and Task timeouts from expressions, as AWS documents them.

Variables: https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
("Variable scope", "Limits"). Timeouts: https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
and the error names of https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html.
"""

from __future__ import annotations

import itertools
import json

import pytest
from sfn_run import events, jsonata, output
from sfn_run import run as _run_named

VARIABLES = "https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html"
CONNECTION = "arn:aws:events:us-east-1:123456789012:connection/c/0"
KIB = 1024


@pytest.fixture
def sfn(moto_inprocess):
    return moto_inprocess("stepfunctions")


_names = itertools.count()


def run(sfn, definition, execution_input=None, name=None):
    """sfn_run.run under a fresh state machine name (a name already taken keeps its definition)."""
    return _run_named(sfn, definition, execution_input, name=f"{name or 'm'}{next(_names)}")


def _text(n: int) -> str:
    """A JSONata expression making a string whose JSON text is ``n`` bytes (quotes included)."""
    return "{% $pad('', " + str(n - 2) + ", 'a') %}"


def _map(inner: dict, *, mode: str = "INLINE", **extra) -> dict:
    processor = {"StartAt": next(iter(inner)), "States": inner}
    if mode == "DISTRIBUTED":
        processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    return {"Type": "Map", "Items": "{% $states.input.items %}", "ItemProcessor": processor,
            **extra}


# ---------------------------------------------------------------------------------- limits


def test_a_variable_of_256_kib_is_stored_and_one_byte_more_fails(sfn):
    """"The maximum size of a single variable is 256Kib" (workflow-variables.html, Limits):
    262,144 bytes of JSON text are stored; 262,145 fail the assigning state with
    States.DataLimitExceeded (the error AWS names for data over a size quota) and nothing of
    that Assign is stored."""
    ok, _ = run(sfn, jsonata({
        "A": {"Type": "Pass", "Assign": {"x": _text(256 * KIB)}, "Next": "B"},
        "B": {"Type": "Pass", "Output": "{% $length($x) %}", "End": True}}))
    assert (ok["status"], output(ok)) == ("SUCCEEDED", 256 * KIB - 2)

    failed, history = run(sfn, jsonata({
        "A": {"Type": "Pass", "Assign": {"x": _text(256 * KIB + 1)}, "End": True}}))
    assert (failed["status"], failed["error"]) == ("FAILED", "States.DataLimitExceeded")
    assert "'x'" in failed["cause"] and "262144 bytes" in failed["cause"]
    assert "Traceback" not in failed["cause"] and "Error(" not in failed["cause"]
    assert events(history, "PassStateExited") == []


def test_one_assign_holds_at_most_256_kib_in_all(sfn):
    """"The maximum combined size for all variables in a single Assign field is also 256Kib.
    For example, you could assign X and Y to 128KiB, but you could not assign both X and Y to
    256KiB in the same Assign field" (workflow-variables.html, Limits)."""
    half = 128 * KIB
    ok, _ = run(sfn, jsonata({"A": {"Type": "Pass", "End": True,
                                    "Assign": {"x": _text(half), "y": _text(half)}}}))
    assert ok["status"] == "SUCCEEDED"
    failed, _ = run(sfn, jsonata({"A": {"Type": "Pass", "End": True,
                                        "Assign": {"x": _text(half), "y": _text(half + 1)}}}))
    assert (failed["error"], "Assign" in failed["cause"]) == ("States.DataLimitExceeded", True)


def test_an_execution_stores_at_most_10_mib_of_variables(sfn):
    """"The total size of all stored variables cannot exceed 10MiB per execution"
    (workflow-variables.html, Limits): forty 256 KiB variables, assigned by Pass states one
    Assign at a time, fit (10 MiB exactly); the forty-first fails; reassigning a name
    replaces its bytes rather than adding to them."""
    names = [f"v{i}" for i in range(41)]
    states = {f"S{i}": {"Type": "Pass", "Assign": {name: _text(256 * KIB)}, "Next": f"S{i + 1}"}
              for i, name in enumerate(names)}
    states["S40"] = {"Type": "Pass", "Assign": {"v0": _text(256 * KIB)}, "Next": "S41"}
    states["S41"] = {"Type": "Pass", "Assign": {"v40": _text(256 * KIB)}, "End": True}
    described, history = run(sfn, jsonata(states))
    assert (described["status"], described["error"]) == ("FAILED", "States.DataLimitExceeded")
    assert "S41" in described["cause"] and "10485760 bytes" in described["cause"]
    assert len(events(history, "PassStateExited")) == 41


def test_a_finished_map_iteration_no_longer_counts_toward_the_total(sfn):
    """workflow-variables.html: "When a Parallel or Map state completes, all of their
    variables will go out of scope"; what an execution stores is what is still in scope, so
    iterations one after another may assign more than 10 MiB in all."""
    inner = {"I": {"Type": "Pass", "Assign": {"local": _text(256 * KIB)}, "End": True}}
    described, _ = run(sfn, jsonata({"M": _map(inner, MaxConcurrency=1, Output="done",
                                               End=True)}), {"items": list(range(45))})
    assert (described["status"], output(described)) == ("SUCCEEDED", "done")


def test_jsonpath_assign_has_the_same_limits(sfn):
    """Variables and their limits are the same in JSONPath states (workflow-variables.html,
    "Using variables in JSONPath states"; in a Pass state `$` in Assign is the result): a
    result of two 128 KiB strings fits one variable only as its two halves."""
    def machine(assign):
        return {"StartAt": "A", "States": {"A": {
            "Type": "Pass", "Parameters": {"a.$": "$.s", "b.$": "$.s"}, "ResultPath": None,
            "Assign": assign, "End": True}}}

    half = {"s": "a" * (128 * KIB)}
    described, _ = run(sfn, machine({"a.$": "$.a"}), half)
    assert described["status"] == "SUCCEEDED"
    described, _ = run(sfn, machine({"both.$": "$"}), half)
    assert described["error"] == "States.DataLimitExceeded"
    assert "'both'" in described["cause"]


# ---------------------------------------------------------------------------------- scopes


def test_map_iterations_read_outer_variables_and_keep_their_own(sfn):
    """"States inside Parallel or Map states can refer to outer scope variables, but they
    create and maintain their own separate workflow-local variables"; "When a Parallel or
    Map state completes, all of their variables will go out of scope" (workflow-variables.html,
    Variable scope)."""
    inner = {"I": {"Type": "Pass", "Assign": {"mine": "{% $outer + $states.input %}"},
                   "Next": "J"},
             "J": {"Type": "Pass", "Output": "{% $mine %}", "End": True}}
    described, _ = run(sfn, jsonata({
        "A": {"Type": "Pass", "Assign": {"outer": 10}, "Next": "M"},
        "M": _map(inner, Next="B"),
        "B": {"Type": "Pass", "Output": {"r": "{% $states.input %}", "o": "{% $outer %}",
                                         "mine": "{% $exists($mine) %}"}, "End": True}}),
        {"items": [1, 2]})
    assert output(described) == {"r": [11, 12], "o": 10, "mine": False}


def test_inner_variables_are_not_visible_after_the_map(sfn):
    """workflow-variables.html: an inner scope's variables "stop being accessible" when the
    Map completes; reading one after it is undefined (States.QueryEvaluationError)."""
    inner = {"I": {"Type": "Pass", "Assign": {"inner": 1}, "End": True}}
    described, _ = run(sfn, jsonata({"M": _map(inner, Next="B"),
                                     "B": {"Type": "Pass", "Output": "{% $inner %}",
                                           "End": True}}), {"items": [1]})
    assert described["error"] == "States.QueryEvaluationError"
    assert "'$inner'" in described["cause"] and "returned nothing (undefined)" in described["cause"]


def test_parallel_branches_read_outer_variables_not_each_others(sfn):
    """"Parallel branches and Map iterations can access variable values from outer scopes,
    but they do not have access to variable values from other concurrent branches"
    (workflow-variables.html)."""
    described, _ = run(sfn, jsonata({
        "A": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "P"},
        "P": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "X", "States": {"X": {"Type": "Pass", "Assign": {"x": 1},
                                              "Output": "{% $outer %}", "End": True}}},
            {"StartAt": "Y", "States": {"Y": {"Type": "Pass", "Output": "{% $exists($x) %}",
                                              "End": True}}}]}}))
    assert output(described) == ["o", False]


def test_an_inner_state_cannot_assign_a_name_assigned_outside(sfn):
    """"A variable assigned in an inner scope cannot have the same name as one assigned in an
    outer scope" (workflow-variables.html). AWS documents no validation error for it, so the
    definition is accepted; the assignment fails the state with States.Runtime in words, never
    Python's or moto's text."""
    inner = {"I": {"Type": "Pass", "Assign": {"outer": 2}, "End": True}}
    described, _ = run(sfn, jsonata({
        "A": {"Type": "Pass", "Assign": {"outer": 1}, "Next": "M"},
        "M": _map(inner, End=True)}), {"items": [1]})
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert described["cause"].startswith(
        "An error occurred while executing the state 'I' (entered at the event id #")
    assert "'outer'" in described["cause"] and "outer scope" in described["cause"]
    assert described["cause"].count("An error occurred") == 1
    assert "Custom Error Names" not in described["cause"]


def test_a_catch_on_a_map_assigns_in_the_map_s_own_scope(sfn):
    """"When handling errors, the Assign field in a Catch can assign values to variables in
    the outer scope, that is, the scope in which the Parallel/Map state exists"
    (workflow-variables.html)."""
    inner = {"I": {"Type": "Fail", "Error": "Broken", "Cause": "c"}}
    described, _ = run(sfn, jsonata({
        "A": {"Type": "Pass", "Assign": {"attempts": 1}, "Next": "M"},
        "M": _map(inner, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "B",
                                 "Assign": {"attempts": "{% $attempts + 1 %}",
                                            "why": "{% $states.errorOutput.Error %}"}}],
                  End=True),
        "B": {"Type": "Pass", "Output": {"a": "{% $attempts %}", "w": "{% $why %}"},
              "End": True}}), {"items": [1]})
    assert output(described) == {"a": 2, "w": "Broken"}


def test_a_distributed_map_child_cannot_read_outer_variables(sfn):
    """"Exception: Distributed Map states cannot currently reference variables in outer
    scopes" (workflow-variables.html): the same child workflow sees the outer variable in an
    inline Map and not in a Distributed Map."""
    inner = {"I": {"Type": "Pass", "Output": "{% $exists($outer) %}", "End": True}}
    results = {}
    for mode in ("INLINE", "DISTRIBUTED"):
        described, _ = run(sfn, jsonata({
            "A": {"Type": "Pass", "Assign": {"outer": 1}, "Next": "M"},
            "M": _map(inner, mode=mode, End=True)}), {"items": [1]}, name=mode.lower())
        results[mode] = output(described)
    assert results == {"INLINE": [True], "DISTRIBUTED": [False]}


def test_a_failed_map_iteration_keeps_the_inner_error_and_cause(sfn):
    """A States.QueryEvaluationError inside a Map iteration fails the execution with that
    error and the inner state's cause, said once (moto failed the Map with "Custom Error
    Names MUST NOT begin with the prefix 'States.'")."""
    inner = {"I": {"Type": "Pass", "Output": "{% $states.input.none %}", "End": True}}
    described, _ = run(sfn, jsonata({"M": _map(inner, End=True)}), {"items": [{"a": 1}]})
    assert described["error"] == "States.QueryEvaluationError"
    assert described["cause"].startswith("An error occurred while executing the state 'I' ")
    assert described["cause"].count("An error occurred") == 1


# ---------------------------------------------------------------------------------- timeouts


def _http_task(**fields) -> dict:
    return {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
            "Arguments": {"ApiEndpoint": "https://example.com", "Method": "GET",
                          "InvocationConfig": {"ConnectionArn": CONNECTION}},
            "End": True, **fields}


@pytest.mark.parametrize("value", ["'ten'", "1.5", "0", "-5", "100000000", "null", "[5]"])
def test_a_timeout_expression_that_is_no_positive_integer_fails(sfn, value):
    """TimeoutSeconds and HeartbeatSeconds "must be positive, non-zero integers" (state-task.html);
    a JSONata expression with an incorrectly typed result fails with
    States.QueryEvaluationError (concepts-error-handling.html), naming the field, with an
    EvaluationFailed event; never Python's text (moto: "invalid literal for int()")."""
    for field in ("TimeoutSeconds", "HeartbeatSeconds"):
        extra = {"TimeoutSeconds": 300} if field == "HeartbeatSeconds" else {}
        state = _http_task(**{field: "{% " + value + " %}"}, **extra)
        described, history = run(sfn, jsonata({"T": state}), name=f"t{field[0]}")
        assert (described["status"], described["error"]) == ("FAILED",
                                                              "States.QueryEvaluationError")
        assert f"specified for the field '{field}'" in described["cause"]
        assert "positive integer" in described["cause"]
        assert "int()" not in described["cause"]
        (failed,) = events(history, "EvaluationFailed")
        assert failed["evaluationFailedEventDetails"]["location"] == field


def test_a_valid_timeout_expression_on_the_http_task_is_evaluated(sfn):
    """`{% %}` TimeoutSeconds/HeartbeatSeconds on the HTTP Task (state-task.html): a whole
    number, even written 30.0, is taken and the task runs (here to the connection it lacks)."""
    state = _http_task(TimeoutSeconds="{% $states.input.t %}",
                       HeartbeatSeconds="{% $states.input.t / 2 %}")
    described, _ = run(sfn, jsonata({"T": state}), {"t": 30.0})
    assert described["error"] == "Events.ConnectionResource.ResourceNotFound"


@pytest.fixture
def queue(moto_inprocess):
    return moto_inprocess("sqs").create_queue(QueueName="tokens")["QueueUrl"]


def _callback_task(queue_url: str, **fields) -> dict:
    """A Task that waits for a task token nobody sends back."""
    return {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Arguments": {"QueueUrl": queue_url, "MessageBody": "{% $states.context.Task.Token %}"},
            "End": True, **fields}


def test_a_timeout_expression_bounds_the_task(sfn, queue):
    """A Task running longer than its TimeoutSeconds fails with States.Timeout
    (concepts-error-handling.html); the seconds come from the expression (1 s here: the
    execution ends long before its 99999999 s default)."""
    state = _callback_task(queue, TimeoutSeconds="{% $states.input.t %}")
    described, history = run(sfn, jsonata({"T": state}), {"t": 1})
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert events(history, "TaskTimedOut")


def test_a_heartbeat_expression_bounds_the_wait_between_heartbeats(sfn, queue):
    """A Task that "failed to send a heartbeat for a period longer than the HeartbeatSeconds
    value" fails with States.Timeout (concepts-error-handling.html, States.Timeout; moto's
    interpreter, from LocalStack's AWS-recorded tests, names it so too); the seconds come from
    the expression: the task ends after about 1 s, long before its TimeoutSeconds of 30."""
    state = _callback_task(queue, TimeoutSeconds=30, HeartbeatSeconds="{% $states.input.h %}")
    described, _ = run(sfn, jsonata({"T": state}), {"h": 1})
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert (described["stopDate"] - described["startDate"]).total_seconds() < 10


def test_timeout_seconds_path_reads_a_variable_and_is_judged(sfn):
    """`TimeoutSecondsPath: "$timeout"` reads a variable (workflow-variables.html: variables in
    any field that accepts a JSONPath); a value that is no positive integer fails with
    States.Runtime in words."""
    def machine(timeout):
        return {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"timeout": timeout}, "Next": "T"},
            "T": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                  "Parameters": {"ApiEndpoint": "https://example.com", "Method": "GET",
                                 "Authentication": {"ConnectionArn": CONNECTION}},
                  "TimeoutSecondsPath": "$timeout", "End": True}}}

    described, _ = run(sfn, machine(5), name="ok")
    assert described["error"] == "Events.ConnectionResource.ResourceNotFound"
    for bad in ("soon", 0, 2.5):
        described, _ = run(sfn, machine(bad), name="bad")
        assert (described["error"], "'$timeout'" in described["cause"]) == ("States.Runtime", True)
        assert "positive integer" in described["cause"]


@pytest.mark.parametrize(("thresholds", "failing", "status"), [
    ({}, [2], "FAILED"),
    ({"ToleratedFailureCount": 1}, [2], "SUCCEEDED"),
    ({"ToleratedFailureCount": 1}, [1, 2], "FAILED"),
    ({"ToleratedFailurePercentage": 50}, [1, 2], "SUCCEEDED"),
    ({"ToleratedFailurePercentage": 25}, [1, 2], "FAILED"),
])
def test_a_distributed_map_fails_past_its_tolerated_failures(sfn, thresholds, failing, status):
    """Distributed Map: by default no failed item is tolerated; ToleratedFailureCount and
    ToleratedFailurePercentage raise the threshold; past it the Map fails with
    States.ExceedToleratedFailureThreshold
    (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html;
    moto ended such a run as succeeded, with null for each failed item, and its grammar could
    not read an integer ToleratedFailurePercentage)."""
    inner = {"C": {"Type": "Choice", "Default": "Ok", "Choices": [
        {"Condition": "{% $states.input in " + json.dumps(failing) + " %}", "Next": "Bad"}]},
             "Bad": {"Type": "Fail", "Error": "Item"}, "Ok": {"Type": "Succeed"}}
    described, history = run(sfn, jsonata({"M": _map(inner, mode="DISTRIBUTED", End=True,
                                                     **thresholds)}), {"items": [1, 2, 3, 4]})
    assert described["status"] == status
    if status == "FAILED":
        assert described["error"] == "States.ExceedToleratedFailureThreshold"
        assert events(history, "MapRunFailed")


def test_the_variable_limit_holds_for_express_workflows_too(sfn):
    """"The maximum size of a single variable is 256Kib, for both Standard and Express
    workflows" (workflow-variables.html, Limits): StartSyncExecution of an EXPRESS machine."""
    arn = sfn.create_state_machine(
        name=f"express{next(_names)}", type="EXPRESS", roleArn="arn:aws:iam::123456789012:role/sfn",
        definition=json.dumps(jsonata({"A": {"Type": "Pass", "End": True,
                                             "Assign": {"x": _text(256 * KIB + 1)}}})),
    )["stateMachineArn"]
    result = sfn.start_sync_execution(stateMachineArn=arn, input="{}")
    assert (result["status"], result["error"]) == ("FAILED", "States.DataLimitExceeded")
