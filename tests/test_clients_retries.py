"""Calls that start work are never repeated by botocore after an ambiguous failure.

botocore's retry handlers (``botocore/retries/standard.py``) retry a read timeout, a
dropped connection and a 5xx. For ``StartSyncExecution`` each retry is another EXPRESS
execution (the Step Functions API reference: EXPRESS names are not idempotent), and a
call that outlasts botocore's default 60 s read timeout is ordinary when the HTTP Task
itself waits out its 60 s timeout. The requests here never leave the process: a
``before-send`` handler plays the network and counts the attempts.
"""

from __future__ import annotations

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from lab import clients
from lab.config import LabConfig

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:lab-express"


@pytest.fixture
def sfn(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda s: None)  # no real backoff
    clients._client.cache_clear()
    cfg = LabConfig(mode="aws", region="us-east-1", stack_name="PrivateApiLab",
                    sandbox_port=5599)
    yield clients.client("stepfunctions", cfg)
    clients._client.cache_clear()


def _network(sfn, outcomes):
    """Answer each attempt with the next outcome (an exception, or (status, body))."""
    attempts = []

    def send(request, **_):
        attempts.append(request.url)
        outcome = outcomes[min(len(attempts), len(outcomes)) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        status, body = outcome
        raw = type("Raw", (), {"stream": lambda self, *a, **k: iter([body])})()
        return AWSResponse(request.url, status, {"content-type": "application/x-amz-json-1.0"},
                           raw)

    sfn.meta.events.register("before-send.sfn", send)
    return attempts


def test_a_timed_out_start_sync_execution_is_not_sent_again(sfn):
    attempts = _network(sfn, [ReadTimeoutError(endpoint_url="https://sync-states")])

    with pytest.raises(ReadTimeoutError):
        sfn.start_sync_execution(stateMachineArn=ARN, name="once", input="{}")

    assert len(attempts) == 1


def test_a_server_error_on_test_state_is_not_sent_again(sfn):
    attempts = _network(sfn, [(500, b'{"__type":"InternalServerError","message":"x"}')])

    with pytest.raises(sfn.exceptions.ClientError):
        sfn.test_state(definition="{}", roleArn="arn:aws:iam::123456789012:role/r")

    assert len(attempts) == 1


def test_a_start_that_never_connected_or_was_throttled_is_retried(sfn):
    ok = (200, b'{"executionArn":"' + ARN.encode() + b':x","startDate":0,"stopDate":0,'
          b'"status":"SUCCEEDED"}')
    attempts = _network(sfn, [
        EndpointConnectionError(endpoint_url="https://sync-states"),
        (400, b'{"__type":"ThrottlingException","message":"Rate exceeded"}'),
        ok,
    ])

    answer = sfn.start_sync_execution(stateMachineArn=ARN, name="once", input="{}")

    assert (answer["status"], len(attempts)) == ("SUCCEEDED", 3)


def test_other_calls_keep_botocores_retries(sfn):
    attempts = _network(sfn, [ReadTimeoutError(endpoint_url="https://states"),
                              (200, b'{"executions":[]}')])

    sfn.list_executions(stateMachineArn=ARN)

    assert len(attempts) == 2


def test_the_step_functions_client_outwaits_the_longest_execution(sfn):
    """The state machines' TimeoutSeconds is 300 s; TestState runs for up to 5 minutes."""
    assert sfn.meta.config.read_timeout > clients.LONGEST_CALL_S >= 300
