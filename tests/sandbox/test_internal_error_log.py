"""The sandbox log names the request and the definition behind an internal error (issue 26),
so the next one is one step from a regression test; it never writes inputs or secrets."""

from __future__ import annotations

import io
import json
import logging

from sfn_run import run

DEFINITION = {"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True}}}


def test_a_5xx_answer_is_logged_with_the_operation_state_machine_and_definition(
        moto_inprocess, caplog):
    """An HTTP 500 (moto's Flask app answers one for any exception) is logged with the
    operation (X-Amz-Target), the execution and the definition behind it."""
    from lab.sandbox import server

    described, _ = run(moto_inprocess("stepfunctions"), DEFINITION, {"secret-input": "s3cr3t"})
    body = json.dumps({"executionArn": described["executionArn"]}).encode()
    environ = {"HTTP_X_AMZ_TARGET": "AWSStepFunctions.DescribeExecution",
               "REQUEST_METHOD": "POST", "PATH_INFO": "/", "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BufferedReader(io.BytesIO(body))}
    answered = []
    start = server._reporting_errors(environ, lambda status, headers, exc_info=None:
                                     answered.append(status))
    assert json.loads(environ["wsgi.input"].read()) == {"executionArn": described["executionArn"]}
    with caplog.at_level(logging.ERROR, logger="lab.sandbox.server"):
        start("500 INTERNAL SERVER ERROR", [])
    (record,) = [r for r in caplog.records if r.name == "lab.sandbox.server"]
    line = record.getMessage()
    assert "HTTP 500" in line and "operation DescribeExecution" in line
    assert described["executionArn"] in line
    assert '"StartAt": "S"' in line
    assert "s3cr3t" not in line
    assert answered == ["500 INTERNAL SERVER ERROR"]


def test_other_services_are_named_by_operation_only():
    """Outside Step Functions only the operation is named: a CreateConnection body carries
    the API key value, which must never reach the log."""
    from lab.sandbox.stepfunctions.internal_errors import request_context

    body = b'{"Name": "c", "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyValue": "k3y"}}}'
    assert request_context("AWSEvents.CreateConnection", body) == "operation CreateConnection"


def test_a_state_that_crashes_is_logged_with_its_execution_and_definition(
        moto_inprocess, caplog, monkeypatch):
    """A crash inside the interpreter (here a Pass state made to raise TypeError) fails the
    state with "not emulated by the sandbox" and logs the execution, the state machine and
    the definition; before, the log named only the state."""
    from moto.stepfunctions.parser.asl.component.state.state_pass.state_pass import StatePass

    def crash(self, env):
        raise TypeError("made to crash")

    monkeypatch.setattr(StatePass, "_eval_state", crash)
    with caplog.at_level(logging.WARNING, logger="lab.sandbox.stepfunctions.internal_errors"):
        described, _ = run(moto_inprocess("stepfunctions"), DEFINITION)
    assert described["status"] == "FAILED"
    (record,) = [r for r in caplog.records if "crashed in moto's interpreter" in r.getMessage()]
    line = record.getMessage()
    assert described["executionArn"] in line and described["stateMachineArn"] in line
    assert '"StartAt": "S"' in line
