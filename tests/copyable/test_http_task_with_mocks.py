"""Unit tests of the stack's HTTP Task with TestState mocks: copy this file into your repository.

How AWS recommends testing a workflow (https://docs.aws.amazon.com/step-functions/latest/dg/
test-state-isolation.html): test each state on its own with TestState, mocking what the
integration answers; nothing is called. These tests run against the lab's sandbox (the
``lab_target`` fixture starts and stops it) and, unchanged, against a real account with
``LAB_MODE=aws`` (they test the deployed workflow's HTTP Task when the stack is deployed,
else the CDK app's own rendering of it).

Facts encoded (each test says which): the stack's Retry block (``cdk_app/workflows.py``:
429/502/503/504, IntervalSeconds 1, BackoffRate 2, MaxAttempts 3, MaxDelaySeconds 8);
TestState's RETRIABLE/FAILED/CAUGHT_ERROR and ``errorDetails`` (API_TestState.html; recorded on
AWS: IntervalSeconds 1, BackoffRate 2, retrierRetryCount 4 -> backoff 16); the HTTP Task's
output ``{Headers, ResponseBody, StatusCode, StatusText}`` and its error for a non-2xx status,
``States.Http.StatusCode.<code>`` (call-https-apis.html).
"""

from __future__ import annotations

import json

import pytest

from lab.sandbox.pytest_plugin import lab_target, stepfunctions  # noqa: F401 - fixtures
from lab.state_tests import (
    http_response_mock,
    http_task_under_test,
    socket_error_mock,
    try_http_task,
    walk_retrier,
)


@pytest.fixture(scope="module")
def jsonata_task(lab_target):  # noqa: F811 - the imported fixture
    return http_task_under_test("jsonata")


def test_a_200_is_reshaped_by_the_output(stepfunctions, jsonata_task):  # noqa: F811
    """The JSONata twin's Output keeps "<StatusCode> <StatusText>" and the body."""
    answer = try_http_task(http_response_mock(200, {"message": "hello"}), state=jsonata_task)
    assert answer["status"] == "SUCCEEDED"
    output = json.loads(answer["output"])
    assert (output["status"], output["body"]) == ("200 OK", {"message": "hello"})


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_and_gateway_errors_are_retried_three_times(stepfunctions, jsonata_task,  # noqa: F811
                                                               status):
    """Retry on 429/503: RETRIABLE at retrierRetryCount 0, 1, 2 with backoff 1, 2, 4 s
    (1 × 2^n), FAILED at 3 (MaxAttempts 3)."""
    rows = walk_retrier(http_response_mock(status), state=jsonata_task).to_dict("records")
    assert [(r["status"], r["backoff_s"]) for r in rows] == [
        ("RETRIABLE", 1), ("RETRIABLE", 2), ("RETRIABLE", 4), ("FAILED", None)]
    assert {r["error"] for r in rows} == {f"States.Http.StatusCode.{status}"}


def test_a_404_and_a_socket_error_are_not_retried(stepfunctions, jsonata_task):  # noqa: F811
    """No retrier names States.Http.StatusCode.404 or States.Http.Socket: FAILED at once."""
    for mock in (http_response_mock(404), socket_error_mock()):
        assert try_http_task(mock, state=jsonata_task)["status"] == "FAILED"


def test_the_backoff_is_capped_by_max_delay_seconds(stepfunctions, jsonata_task):  # noqa: F811
    """With more attempts the interval 1 × 2^n stops at MaxDelaySeconds 8."""
    state = json.loads(json.dumps(jsonata_task))
    state["Retry"][0]["MaxAttempts"] = 6
    rows = walk_retrier(http_response_mock(502), state=state).to_dict("records")
    assert [r["backoff_s"] for r in rows] == [1, 2, 4, 8, 8, 8, None]


def test_a_catch_sends_the_error_to_its_next_state(stepfunctions, jsonata_task):  # noqa: F811
    """A Catch after the retries: CAUGHT_ERROR, nextState = the catcher's Next."""
    state = {**jsonata_task, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Alert"}]}
    answer = try_http_task(socket_error_mock(), state=state)
    assert (answer["status"], answer["nextState"]) == ("CAUGHT_ERROR", "Alert")
    assert answer["inspectionData"]["errorDetails"] == {"catchIndex": 0}
