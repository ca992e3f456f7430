"""Contracts: moto 5.2.5 internals the variables' limits and scopes and the timeout fields plug
into (stepfunctions/variables.py, stepfunctions/timeouts.py).

Each test names the sandbox code that relies on what it pins.
"""

from __future__ import annotations

import inspect

import pytest

from lab.sandbox import seams
from lab.sandbox import stepfunctions as sfn_extension

_ITEMPROCESSOR = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor"
)


@pytest.fixture(scope="module", autouse=True)
def applied():
    sfn_extension.apply()


def _original(target: str):
    return seams.original(target)


def test_assign_decl_evaluates_every_binding_then_sets_each_variable():
    """variables.assign_eval_body does what moto's body did (each binding pushes a dict, then
    every name is set through the variable store), with the checks in between."""
    source = inspect.getsource(_original(
        "moto.stepfunctions.parser.asl.component.common.assign.assign_decl:AssignDecl._eval_body"))
    assert "declaration_binding.eval(env=env)" in source
    assert "env.stack.pop()" in source
    assert "env.variable_store.set(" in source


def test_inner_scopes_copy_the_outer_variables_into_their_outer_scope():
    """variables.check_and_assign reads store._outer_scope as "assigned in an outer scope";
    inner_scope_of relies on as_inner_scope_of being a classmethod taking the outer store."""
    from moto.stepfunctions.parser.asl.eval.variable_store import VariableStore

    outer = VariableStore()
    outer.set("x", 1)
    inner = VariableStore.as_inner_scope_of(outer_variable_store=outer)
    assert inner._outer_scope == {"x": 1} and inner._inner_scope == {}
    assert inner.__dict__["_lab_budget"] is outer.__dict__["_lab_budget"]
    source = inspect.getsource(_original(
        "moto.stepfunctions.parser.asl.eval.variable_store:VariableStore.as_inner_scope_of"))
    assert "_outer_scope.update" in source


def test_frames_are_removed_by_delete_frame_and_close_frame():
    """variables.release_scope: Map iterations end with delete_frame, Parallel branches with
    close_frame, each taking the frame (whose inner scope the iteration's variables are in)."""
    for name in ("delete_frame", "close_frame"):
        original = _original(f"moto.stepfunctions.parser.asl.eval.environment:Environment.{name}")
        assert list(inspect.signature(original).parameters) == ["self", "frame"]
    worker = inspect.getsource(__import__(
        "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.iteration_worker",
        fromlist=["x"]))
    assert "open_inner_frame()" in worker and "close_frame(job_frame)" in worker
    branches = inspect.getsource(__import__(
        "moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branches_decl",
        fromlist=["x"]))
    assert "open_inner_frame()" in branches


def test_a_distributed_map_job_evaluates_its_input_then_its_program():
    """variables.distributed_child_without_outer_variables swaps self._eval_input for one
    call of _eval_job: moto evaluates the item's input through it, then the child program."""
    source = inspect.getsource(_original(
        f"{_ITEMPROCESSOR}.distributed_item_processor_worker:DistributedItemProcessorWorker._eval_job"))
    evaluates_input = source.index("self._eval_input(env_frame=env)")
    assert evaluates_input < source.index("job.job_program.eval(env)")


def test_the_jsonata_timeouts_int_whatever_the_expression_returns():
    """timeouts._jsonata_seconds replaces these bodies: moto evaluates string_jsonata, then
    int()s the popped value (the crash and the silent truncation the seam removes)."""
    for target in (
        "moto.stepfunctions.parser.asl.component.common.timeouts.timeout:"
        "TimeoutSecondsJSONata._eval_seconds",
        "moto.stepfunctions.parser.asl.component.common.timeouts.heartbeat:"
        "HeartbeatSecondsJSONata._eval_seconds",
    ):
        source = inspect.getsource(_original(target))
        assert "self.string_jsonata.eval(env=env)" in source
        assert "int(env.stack.pop())" in source


def test_the_path_timeouts_sample_then_pop_the_value():
    """timeouts._path_seconds calls moto's body for the lookup and judges what it returns (or
    the ValueError it raises); the path is string_sampler.literal_value."""
    for target in (
        "moto.stepfunctions.parser.asl.component.common.timeouts.timeout:"
        "TimeoutSecondsPath._eval_seconds",
        "moto.stepfunctions.parser.asl.component.common.timeouts.heartbeat:"
        "HeartbeatSecondsPath._eval_seconds",
    ):
        source = inspect.getsource(_original(target))
        assert "self.string_sampler.eval(env=env)" in source
        assert "raise ValueError" in source and "return seconds" in source


def test_states_and_tasks_turn_any_exception_into_a_cause():
    """internal_errors: moto's Task states make any exception's text the cause (the base
    _from_error's str(ex)) after _evaluate_with_timeout raised it, and the program makes
    "TypeError(...)" of one raised by any other state's _eval_body."""
    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState

    assert "cause=str(ex)" in inspect.getsource(ExecutionState._from_error)
    assert "self._evaluate_with_timeout(env)" in inspect.getsource(ExecutionState._eval_state)
    assert 'f"{type(ex).__name__}({str(ex)})"' in inspect.getsource(Program._eval_body)


def test_result_path_updates_the_input_with_jsonpath_ng():
    """internal_errors.result_path_failures: moto's ResultPath applies the path with
    jsonpath-ng's update_or_create to the state's input, which raises Python's TypeError when
    a step of the path is no object; self.result_path_src is the path as written."""
    from moto.stepfunctions.parser.asl.component.common.path.result_path import ResultPath

    source = inspect.getsource(_original(
        "moto.stepfunctions.parser.asl.component.common.path.result_path:ResultPath._eval_body"))
    assert "result_expr.update_or_create(" in source and "state_input" in source
    assert "self.result_path_src = result_path_src" in inspect.getsource(ResultPath.__init__)


def test_a_branch_worker_runs_its_program_on_its_own_env():
    """internal_errors.stopped_branches_end_quietly: BranchWorker._thread_routine evaluates
    self._program on self.env, whose program_state() is ProgramStopped once the Parallel has
    stopped it; setting next_state_name then raises RuntimeError."""
    from moto.stepfunctions.parser.asl.eval.environment import Environment

    source = inspect.getsource(_original(
        "moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branch_worker:"
        "BranchWorker._thread_routine"))
    assert "self._program.eval(self.env)" in source
    assert "self._branch_worker_comm.on_terminated(env=self.env)" in source
    setter = inspect.getsource(Environment.next_state_name.fset)
    assert "raise RuntimeError(" in setter


def test_an_intrinsic_function_is_evaluated_by_its_string_expression():
    """internal_errors.intrinsic_failures: StringIntrinsicFunction evaluates self.function
    (the States.* function) in its _eval_body and keeps the text as written in
    intrinsic_function_derivation; a path not found raises NoSuchJsonPathError."""
    from moto.stepfunctions.parser.asl.component.common.string.string_expression import (
        StringIntrinsicFunction,
    )
    from moto.stepfunctions.parser.asl.utils.json_path import NoSuchJsonPathError

    source = inspect.getsource(_original(
        "moto.stepfunctions.parser.asl.component.common.string.string_expression:"
        "StringIntrinsicFunction._eval_body"))
    assert "self.function.eval(env=env)" in source
    assert "self.intrinsic_function_derivation = intrinsic_function_derivation" in (
        inspect.getsource(StringIntrinsicFunction.__init__))
    assert issubclass(NoSuchJsonPathError, Exception)


def test_a_map_run_counts_failed_items_and_pushes_the_outputs():
    """map_runs.tolerated_failures reads the run record's item counters and thresholds after
    moto's _map_run pushed the outputs (it pops them when the run fails)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor.map_run_record import (  # noqa: E501
        MapRunRecord,
    )

    source = inspect.getsource(_original(
        "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration."
        "distributed_iteration_component:DistributedIterationComponent._map_run"))
    assert source.rstrip().endswith("env.stack.append(outputs)")
    init = inspect.getsource(MapRunRecord.__init__)
    assert "self.item_counter = ItemCounter()" in init
    assert "self.tolerated_failure_count = tolerated_failure_count" in init
    worker = inspect.getsource(__import__(
        f"{_ITEMPROCESSOR}.distributed_item_processor_worker", fromlist=["x"]))
    assert "item_counter.failed.count()" in worker and "item_counter.timed_out.count()" in worker


def test_moto_implements_none_of_the_actions_answered_as_not_emulated():
    """not_emulated adds these handlers: moto's response class has none of them (its
    dispatcher then raises NotImplementedError, a 500), and its backend's describe_execution
    raises ExecutionDoesNotExist for an unknown ARN."""
    from moto.stepfunctions.responses import StepFunctionResponse

    from lab.sandbox.stepfunctions import not_emulated

    for _action, (name, _why) in not_emulated.ACTIONS.items():
        assert seams.original(f"moto.stepfunctions.responses:StepFunctionResponse.{name}") is (
            seams.MISSING)
        assert hasattr(StepFunctionResponse, name)
    source = inspect.getsource(__import__("moto.stepfunctions.models", fromlist=["x"]))
    assert "raise ExecutionDoesNotExist(" in source
