"""Contracts: the moto 5.2.5 internals lab/sandbox/stepfunctions/executions.py patches."""

from __future__ import annotations

import inspect

import pytest

from lab.sandbox import seams
from lab.sandbox import stepfunctions as sfn_extension
from lab.sandbox.stepfunctions import executions


@pytest.fixture(scope="module", autouse=True)
def applied():
    sfn_extension.apply()


def test_moto_describe_execution_has_no_redrive_fields():
    """executions.describe_execution replaces it; if moto adds them, compare and maybe drop ours."""

    source = inspect.getsource(seams.original(executions.DESCRIBE_EXECUTION))
    assert "redriveStatus" not in source and "inputDetails" not in source
    assert "self.stepfunction_backend.describe_execution(arn)" in source


def test_moto_list_executions_returns_an_action_result_with_executions():
    """executions.list_executions edits moto's ActionResult.result["executions"]."""

    source = inspect.getsource(seams.original(executions.LIST_EXECUTIONS))
    assert "ActionResult(response)" in source and '"executions": executions' in source
    assert "redriveFilter" not in source


def test_the_execution_worker_builds_the_context_object_without_redrive_count():
    """executions._execution_context adds Execution.RedriveCount to what this method builds."""

    source = inspect.getsource(seams.original(executions.EVALUATION_ENVIRONMENT))
    assert "ExecutionData(" in source and "RedriveCount" not in source
    from moto.stepfunctions.parser.asl.eval.states import States

    assert "ContextObject(context_object=context)" in inspect.getsource(States.__init__)


def test_the_execution_worker_passes_start_time_as_a_datetime():
    """executions._execution_context turns StartTime into text: moto passes the execution's
    start_time (a datetime, set with datetime.now in the provider)."""
    source = inspect.getsource(seams.original(executions.EVALUATION_ENVIRONMENT))
    assert "StartTime=self._evaluation_details.execution_details.start_time" in source


def test_a_state_builds_its_context_entry_through_state_data():
    """executions.state_data replaces the StateData name CommonStateField._eval_body calls
    with EnteredTime (Python's isoformat()) and Name."""
    from moto.stepfunctions.parser.asl.component.state.state import CommonStateField
    from moto.stepfunctions.parser.asl.eval.states import StateData

    assert seams.original(executions.STATE_DATA) is StateData
    source = inspect.getsource(CommonStateField._eval_body)
    assert 'context_object_data["State"] = StateData(' in source
    assert "EnteredTime=datetime.datetime.now(tz=datetime.timezone.utc).isoformat()" in source


def test_interpreter_executions_keep_the_output_as_a_value():
    """describe_execution_response serializes execution.output (set from states.get_input())."""
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    source = inspect.getsource(BaseExecutionWorkerCommunication)
    assert "self.execution.output = self.execution.exec_worker.env.states.get_input()" in source
