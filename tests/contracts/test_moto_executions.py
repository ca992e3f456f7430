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


def test_moto_sets_the_end_status_before_the_output():
    """executions.reflect_status_last replaces it: same fields, the status written last. If
    this fails, moto changed how an execution ends: compare, and drop ours if it now writes
    the status last."""
    from moto.stepfunctions.parser.backend.execution import SyncExecutionWorkerCommunication

    source = inspect.getsource(seams.original(executions.REFLECT_STATUS))
    lines = [line.strip() for line in source.splitlines()]
    assigned = [line.split(" = ")[0] for line in lines
                if line.startswith("self.execution.") and " = " in line]
    assert assigned == [
        "self.execution.stop_date",
        "self.execution.exec_status", "self.execution.output",  # SUCCEEDED, then its output
        "self.execution.exec_status",
        "self.execution.exec_status", "self.execution.error", "self.execution.cause",
        "self.execution.exec_status",
    ]
    for name in ("ProgramEnded", "ProgramStopped", "ProgramError", "ProgramTimedOut",
                 "env.states.get_input()", 'error.get("error")', 'error.get("cause")'):
        assert name in source, name
    # StartSyncExecution's status follows from the base class's, through super().
    assert "super()._reflect_execution_status()" in inspect.getsource(
        SyncExecutionWorkerCommunication._reflect_execution_status)


def test_a_state_builds_its_context_entry_through_state_data():
    """executions.state_data replaces the StateData name CommonStateField._eval_body calls
    with EnteredTime (Python's isoformat()) and Name."""
    from moto.stepfunctions.parser.asl.component.state.state import CommonStateField
    from moto.stepfunctions.parser.asl.eval.states import StateData

    assert seams.original(executions.STATE_DATA) is StateData
    source = inspect.getsource(CommonStateField._eval_body)
    assert 'context_object_data["State"] = StateData(' in source
    assert "EnteredTime=datetime.datetime.now(tz=datetime.timezone.utc).isoformat()" in source


def test_a_task_failure_event_comes_from_from_error():
    """executions.task_failure_names_the_resource: ExecutionState._eval_state records the
    FailureEvent _from_error returns (a FailureEventException's own) as the failure event; a
    task service names its resource with _get_sfn_resource/_get_sfn_resource_type."""
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (  # noqa: E501
        StateTaskService,
    )

    assert "return ex.failure_event" in inspect.getsource(seams.original(executions.FROM_ERROR))
    source = inspect.getsource(ExecutionState._eval_state)
    assert "failure_event: FailureEvent = self._from_error(env=env, ex=ex)" in source
    assert "event_details=failure_event.event_details" in source
    assert callable(StateTaskService._get_sfn_resource)
    assert callable(StateTaskService._get_sfn_resource_type)


def test_interpreter_executions_keep_the_output_as_a_value():
    """describe_execution_response serializes execution.output (set from states.get_input())."""
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    source = inspect.getsource(BaseExecutionWorkerCommunication)
    assert "self.execution.output = self.execution.exec_worker.env.states.get_input()" in source
