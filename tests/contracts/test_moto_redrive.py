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
    # terminated() reflects the program's end state: moto's method, or the sandbox's
    # replacement (lab.sandbox.stepfunctions.executions.reflect_status_last) once installed.
    from lab.sandbox.stepfunctions import executions

    moto_reflect = inspect.getsource(seams.original(executions.REFLECT_STATUS))
    assert "self.execution.exec_worker.env.program_state()" in moto_reflect
    assert "execution.exec_worker.env.program_state()" in inspect.getsource(
        executions.reflect_status_last)


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


def test_an_inline_map_runs_its_items_in_a_job_pool():
    """redrive_parts.inline_map rebuilds InlineIterationComponent._eval_body: it pops an eval
    input (state_name, max_concurrency, input_items), fills a JobPool of Job(job_index,
    job_program, job_input) (the pool's _open_jobs popped from the end, _jobs_number counted),
    launches workers with _launch_worker, awaits the jobs, raises a worker's exception and
    pushes the closed jobs' outputs; a worker evaluates job.job_program.eval(env) and reads the
    output from env.states; an iteration's variable store is made by as_inner_scope_of."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import (
        inline_iteration_component,
        iteration_worker,
        job,
    )
    from moto.stepfunctions.parser.asl.eval.environment import Environment

    body = inspect.getsource(seams.original(
        "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration."
        "inline_iteration_component:InlineIterationComponent._eval_body"))
    for step in ("env.stack.pop()", "self._get_iteration_program()", "self._launch_worker(",
                 "job_pool.await_jobs()", "job_pool.get_worker_exception()",
                 "job_pool.get_closed_jobs()", "env.stack.append(outputs)"):
        assert step in body, step
    assert inline_iteration_component.InlineIterationComponent._launch_worker
    pool = inspect.getsource(job.JobPool)
    assert "self._open_jobs.pop()" in pool and "self._jobs_number" in pool
    assert list(inspect.signature(job.Job).parameters) == ["job_index", "job_program", "job_input"]
    assert "job.job_program.eval(env)" in inspect.getsource(iteration_worker.IterationWorker)
    assert "VariableStore.as_inner_scope_of" in inspect.getsource(Environment.open_inner_frame)
    assert "variable_store=env.variable_store" in inspect.getsource(Environment.as_frame_of)


def test_a_parallel_runs_each_branch_in_a_branch_worker():
    """redrive_parts.parallel_branches rebuilds BranchesDecl._eval_body: the input popped, one
    inner frame and BranchWorker per program, a BranchWorkerPool(workers_num) waited on, its
    exit details raised as a FailureEventException, the branch outputs pushed in order."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import (
        branch_worker,
        branches_decl,
    )

    body = inspect.getsource(seams.original(
        "moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branches_decl:"
        "BranchesDecl._eval_body"))
    for step in ("env.stack.pop()", "BranchWorkerPool(workers_num=len(self.programs))",
                 "env.open_inner_frame()", "BranchWorker(", "worker.start()",
                 "branch_worker_pool.wait()", "get_exit_event_details()",
                 "FailureEventException(", "env.close_frame(", "env.stack.append(result_list)"):
        assert step in body, step
    assert list(inspect.signature(branch_worker.BranchWorker).parameters) == [
        "branch_worker_comm", "program", "env"]
    assert callable(branches_decl.BranchWorkerPool.get_exit_event_details)


def test_a_distributed_map_starts_a_map_run_and_runs_it():
    """redrive_parts.distributed_map rebuilds DistributedIterationComponent._eval_body for a
    redriven Map Run: MapRunStarted, the item reader (or the input items), a fresh
    EventManager for the run, self._map_run, MapRunFailed/MapRunSucceeded and set_stop; the
    Map state adds its new MapRunRecord to env.map_run_record_pool_manager (a dict _pool);
    DescribeMapRun is MapRunRecord.describe; MapRunRedriven is a moto event type."""
    from moto.stepfunctions.parser.api import HistoryEventType, MapRunRedrivenEventDetails
    from moto.stepfunctions.parser.asl.component.state.exec.state_map import state_map
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor import (  # noqa: E501
        map_run_record,
    )
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    body = inspect.getsource(seams.original(
        "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration."
        "distributed_iteration_component:DistributedIterationComponent._eval_body"))
    for step in ("HistoryEventType.MapRunStarted", "eval_input.item_reader.eval(env=env)",
                 "env.stack.append(eval_input.input_items)", "env.event_manager = EventManager()",
                 "self._map_run(env=env, eval_input=eval_input)", "HistoryEventType.MapRunFailed",
                 "map_run_record.set_stop(status=MapRunStatus.SUCCEEDED)"):
        assert step in body, step
    assert "env.map_run_record_pool_manager.add(map_run_record)" in inspect.getsource(
        state_map.StateMap)
    pool = map_run_record.MapRunRecordPoolManager()
    assert pool._pool == {}
    counter = map_run_record.ItemCounter()
    for name in ("aborted", "failed", "pending", "running", "timed_out", "succeeded",
                 "results_written", "total"):
        getattr(counter, name).offset(2)
        assert getattr(counter, name).get() == 2
    assert "map_run_record_pool_manager" in inspect.getsource(
        StepFunctionsParserBackend.describe_map_run)
    assert HistoryEventType.MapRunRedriven.value == "MapRunRedriven"
    assert set(MapRunRedrivenEventDetails.__annotations__) == {"mapRunArn", "redriveCount"}


def test_an_environment_keeps_its_program_state():
    """redrive_parts.stopped_stays_stopped: Environment.set_error sets _program_state to a
    ProgramError whatever it was (a ProgramStopped included) and wakes program_state_event;
    set_stop only stops a running program; a stopped iteration's details are text."""
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped

    set_error = inspect.getsource(seams.original(
        "moto.stepfunctions.parser.asl.eval.environment:Environment.set_error"))
    assert "self._program_state = ProgramError(error=error)" in set_error
    assert "if isinstance" not in set_error
    assert "isinstance(self._program_state, ProgramRunning)" in inspect.getsource(
        Environment.set_stop)
    assert ProgramStopped(stop_date=None, error="e", cause="c").error == "e"
