"""Contracts: moto 5.2.5 internals lab/sandbox/stepfunctions/redrive.py is built on."""

from __future__ import annotations

import inspect

from lab.sandbox import seams


def test_moto_has_no_redrive_execution():
    """redrive.redrive_execution_response is added: moto's response class has none (HTTP 500)."""
    from moto.stepfunctions.responses import StepFunctionResponse

    seams.install()
    assert seams.original(
        "moto.stepfunctions.responses:StepFunctionResponse.redrive_execution") is seams.MISSING
    assert StepFunctionResponse.redrive_execution.__module__ == (
        "lab.sandbox.stepfunctions.redrive")


def test_an_execution_runs_in_a_worker_whose_logic_can_be_given_per_instance():
    """Execution._get_start_execution_worker builds the worker; ExecutionWorker.start runs
    self._execution_logic in a thread (an instance attribute wins); the logic parses, builds
    the environment, evaluates the program and tells the execution it terminated."""
    from moto.stepfunctions.parser.backend.execution import Execution
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    assert "Thread(target=self._execution_logic" in inspect.getsource(ExecutionWorker.start)
    logic = inspect.getsource(ExecutionWorker._execution_logic)
    for step in ("self._get_evaluation_entrypoint()", "self._get_evaluation_environment()",
                 "program.eval(self.env)", "self._execution_communication.terminated()"):
        assert step in logic, step
    assert callable(Execution._get_start_execution_worker)
    reflect = inspect.getsource(
        __import__("moto.stepfunctions.parser.backend.execution", fromlist=["x"])
        .BaseExecutionWorkerCommunication._reflect_execution_status)
    assert "self.execution.exec_worker.env.program_state()" in reflect


def test_a_program_starts_at_its_start_at_and_reads_its_input_from_the_states():
    """Program.eval starts at self.start_at.start_at_name (a copy with another StartAt resumes
    there); the history reads env.event_manager; ExecutionRedriven is a moto event type."""
    from moto.stepfunctions.parser.api import ExecutionRedrivenEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.flow.start_at import StartAt
    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.backend.execution import Execution

    assert "env.next_state_name = self.start_at.start_at_name" in inspect.getsource(Program.eval)
    assert StartAt(start_at_name="X").start_at_name == "X"
    assert "env.event_manager.get_event_history()" in inspect.getsource(
        Execution.to_history_output)
    assert HistoryEventType.ExecutionRedriven.value == "ExecutionRedriven"
    assert "redriveCount" in ExecutionRedrivenEventDetails.__annotations__
