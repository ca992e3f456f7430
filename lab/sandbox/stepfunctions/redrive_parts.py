"""A redrive re-runs only what failed inside the Map or Parallel state it resumes at.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html:
"For workflows that include an Inline Map or Parallel state, RedriveExecution API action
reschedules and redrives only the iterations and branches that failed or aborted." and
"The parent workflow redrives all the unsuccessful states, including a failed Map Run"
(redrive-map-run.html: the Map Run itself is redriven: ``MapRunRedriven {mapRunArn,
redriveCount}``, DescribeMapRun's ``redriveCount``/``redriveDate``).

How: every top-level Map or Parallel state (one the execution's own program runs, not one
inside an iteration or branch) notes, while it runs, the output of each iteration or branch
that succeeded; the note is dropped once the state succeeds. A redrive that resumes at such a
state (:func:`resume_at`) hands it the note: the iterations/branches in it are not run again
and their outputs take their places in the state's result; every other one runs (those that
failed, were aborted, or never started). A Distributed Map resumed this way redrives its own
Map Run: the same ``mapRunArn`` (ListMapRuns still lists one run), ``MapRunRedriven`` in the
history where the first attempt had ``MapRunStarted``, the item counts started again from
the items kept.

An execution stopped while a Map or Parallel runs stays ABORTED (:func:`stopped_stays_stopped`),
so a redrive of it finds the iterations and branches the stop aborted and runs them again.

Choices where AWS records nothing we could find (listed in the Step Functions README): the
redriven state is entered again with its ``*StateEntered``/``*StateStarted`` events (the
Map's ``length`` is every item), and only the iterations/branches that run again have
``MapIteration*``/branch events; a Map or Parallel nested inside an iteration or branch that
runs again runs whole; a Retry of the redriven state runs every iteration/branch again, as a
retry always does.

The moto internals used here have contract tests in ``tests/contracts/test_moto_redrive.py``.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any

from lab.sandbox.stepfunctions.json_copy import deepcopy

#: Where the notes live: on the execution's event manager, which a redrive keeps.
NOTES = "_lab_redrive_parts"
#: On a MapRunRecord: how often it was redriven and when last.
MAP_RUN_REDRIVES = "_lab_redrive_count"
MAP_RUN_REDRIVE_DATE = "_lab_redrive_date"

INLINE_EVAL_BODY = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration."
    "inline_iteration_component:InlineIterationComponent._eval_body"
)
DISTRIBUTED_EVAL_BODY = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration."
    "distributed_iteration_component:DistributedIterationComponent._eval_body"
)
BRANCHES_EVAL_BODY = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branches_decl:"
    "BranchesDecl._eval_body"
)
SET_ERROR = "moto.stepfunctions.parser.asl.eval.environment:Environment.set_error"
MAP_RUN_DESCRIBE = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor."
    "map_run_record:MapRunRecord.describe"
)

_LOCK = threading.Lock()


class Notes:
    """What one execution remembers of its top-level Map and Parallel states."""

    def __init__(self) -> None:
        self.resume: str | None = None
        #: state name -> {iteration or branch index: output} of its last entry
        self.outputs: dict[str, dict[int, Any]] = {}
        #: Distributed Map state name -> the MapRunRecord of its last entry
        self.map_runs: dict[str, Any] = {}


def notes(event_manager: Any) -> Notes:
    with _LOCK:
        found = getattr(event_manager, NOTES, None)
        if found is None:
            found = Notes()
            setattr(event_manager, NOTES, found)
        return found


def resume_at(event_manager: Any, state_name: str) -> None:
    """The redrive resumes at ``state_name``: its first entry keeps what succeeded."""
    notes(event_manager).resume = state_name


def _begin(env: Any, name: str) -> tuple[dict[int, Any], dict[int, Any], bool]:
    """(outputs kept from the last attempt, the note this entry fills, whether redriven)."""
    found = notes(env.event_manager)
    with _LOCK:
        redriven = found.resume == name
        if redriven:
            found.resume = None
        kept = found.outputs.get(name, {}) if redriven else {}
        succeeded = dict(kept)
        found.outputs[name] = succeeded
    return kept, succeeded, redriven


def _succeeded(env: Any, name: str) -> None:
    found = notes(env.event_manager)
    with _LOCK:
        found.outputs.pop(name, None)
        found.map_runs.pop(name, None)


def _top_level(env: Any) -> bool:
    """Whether ``env`` runs a state of the execution's own program: its variable store is the
    execution's (a state's timeout frame shares it), not an iteration's or branch's inner
    scope."""
    from lab.sandbox.stepfunctions.variables import INNER_SCOPE

    return not getattr(env.variable_store, INNER_SCOPE, False)


class _Noted:
    """An iteration's program that notes the iteration's output when it succeeds."""

    def __init__(self, program: Any, succeeded: dict[int, Any], index: int) -> None:
        self._program, self._succeeded, self._index = program, succeeded, index

    def eval(self, env: Any) -> None:
        from moto.stepfunctions.parser.asl.eval.program_state import ProgramEnded

        self._program.eval(env)
        if isinstance(env.program_state(), ProgramEnded):
            self._succeeded[self._index] = deepcopy(env.states.get_input())


def _run_items(component: Any, env: Any, eval_input: Any, items: list, kept: dict[int, Any],
               succeeded: dict[int, Any]) -> list:
    """moto's inline/distributed job pool over the items not in ``kept``; the outputs of all
    items in order (``kept`` ones from the note)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.job import (
        Job,
        JobPool,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.max_concurrency import (
        DEFAULT_MAX_CONCURRENCY_VALUE,
    )

    program = component._get_iteration_program()
    jobs = [Job(job_index=index, job_program=_Noted(program, succeeded, index), job_input=item)
            for index, item in enumerate(items) if index not in kept]
    pool = JobPool(job_program=program, job_inputs=[])
    pool._jobs_number = len(jobs)
    pool._open_jobs[:] = list(reversed(jobs))
    if jobs:
        workers = eval_input.max_concurrency
        if workers == DEFAULT_MAX_CONCURRENCY_VALUE:
            workers = len(jobs)
        for _ in range(min(workers, len(jobs))):
            component._launch_worker(env=env, eval_input=eval_input, job_pool=pool)
        pool.await_jobs()
    failure = pool.get_worker_exception()
    if failure is not None:
        raise failure
    outputs = dict(kept)
    outputs.update({closed.job_index: closed.job_output for closed in pool.get_closed_jobs()})
    return [outputs.get(index) for index in range(len(items))]


# --------------------------------------------------------------------------- inline Map


def inline_map(moto_eval_body):
    """``InlineIterationComponent._eval_body``: a top-level inline Map notes its iterations."""

    def _eval_body(self, env) -> None:
        if not _top_level(env):
            return moto_eval_body(self, env)
        eval_input = env.stack.pop()
        kept, succeeded, _ = _begin(env, eval_input.state_name)
        env.stack.append(_run_items(self, env, eval_input, list(eval_input.input_items), kept,
                                    succeeded))
        _succeeded(env, eval_input.state_name)
        return None

    return _eval_body


# --------------------------------------------------------------------------- Parallel


def parallel_branches(moto_eval_body):
    """``BranchesDecl._eval_body``: a top-level Parallel notes its branches' outputs and, when
    redriven, runs only the branches not noted (moto's body otherwise)."""

    def _eval_body(self, env) -> None:
        if not _top_level(env):
            return moto_eval_body(self, env)
        name = env.states.context_object.context_object_data["State"]["Name"]
        kept, succeeded, _ = _begin(env, name)
        _run_branches(self, env, kept, succeeded)
        _succeeded(env, name)
        return None

    return _eval_body


def _run_branches(decl: Any, env: Any, kept: dict[int, Any], succeeded: dict[int, Any]) -> None:
    """moto's ``BranchesDecl._eval_body`` for the branches not in ``kept``."""
    from moto.stepfunctions.parser.api import HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
        CustomErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branch_worker import (
        BranchWorker,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branches_decl import (
        BranchWorkerPool,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramEnded

    input_value = env.stack.pop()
    running = [(index, program) for index, program in enumerate(decl.programs)
               if index not in kept]
    pool = BranchWorkerPool(workers_num=len(running))
    workers: list[tuple[int, Any]] = []
    for index, program in running:
        frame = env.open_inner_frame()
        frame.states.reset(input_value=deepcopy(input_value))
        worker = BranchWorker(branch_worker_comm=pool, program=program, env=frame)
        workers.append((index, worker))
        worker.start()
    if workers:
        pool.wait()
    for index, worker in workers:
        if isinstance(worker.env.program_state(), ProgramEnded):
            succeeded[index] = deepcopy(worker.env.states.get_input())
    failure = pool.get_exit_event_details()
    if failure is not None:
        for _index, worker in workers:
            worker.stop(stop_date=datetime.datetime.now(), cause=None, error=None)
            env.close_frame(worker.env)
        raise FailureEventException(failure_event=FailureEvent(
            env=env,
            error_name=CustomErrorName(error_name=failure.get("error")),
            event_type=HistoryEventType.ExecutionFailed,
            event_details=EventDetails(executionFailedEventDetails=failure),
        ))
    outputs = dict(kept)
    for index, worker in workers:
        outputs[index] = worker.env.states.get_input()
        env.close_frame(worker.env)
    env.stack.append([outputs[index] for index in range(len(decl.programs))])


# --------------------------------------------------------------------------- Distributed Map


def distributed_map(moto_eval_body):
    """``DistributedIterationComponent._eval_body``: a top-level Distributed Map notes its
    items and its Map Run; when redriven, the same Map Run is redriven (``MapRunRedriven``)
    and only the items not noted run."""

    def _eval_body(self, env) -> None:
        if not _top_level(env):
            return moto_eval_body(self, env)
        eval_input = env.stack[-1]
        kept, succeeded, redriven = _begin(env, eval_input.state_name)
        found = notes(env.event_manager)
        previous = found.map_runs.get(eval_input.state_name) if redriven else None
        if previous is None:
            found.map_runs[eval_input.state_name] = eval_input.map_run_record
            eval_input.lab_parts = (kept, succeeded)
            moto_eval_body(self, env)
        else:
            env.stack.pop()
            _redrive_map_run(self, env, eval_input, previous, kept, succeeded)
        _succeeded(env, eval_input.state_name)
        return None

    return _eval_body


def run_map_run(component: Any, env: Any, eval_input: Any, moto_map_run) -> None:
    """``DistributedIterationComponent._map_run`` (called by :mod:`.map_runs`): the items not
    kept, when the Map is a top-level one; moto's run otherwise."""
    parts = getattr(eval_input, "lab_parts", None)
    if parts is None:
        return moto_map_run(component, env, eval_input)
    kept, succeeded = parts
    items = env.stack.pop()
    env.stack.append(_run_items(component, env, eval_input, list(items), kept, succeeded))
    return None


def _restart_counts(record: Any, kept: int) -> None:
    """The Map Run's item and execution counts as the redrive starts: the kept items
    succeeded, the others are counted again as they run."""
    for counter in (record.item_counter, record.execution_counter):
        for name in ("aborted", "failed", "pending", "running", "timed_out"):
            part = getattr(counter, name)
            part.offset(-part.get())
        for name in ("succeeded", "results_written", "total"):
            part = getattr(counter, name)
            part.offset(kept - part.get())


def _redrive_map_run(component: Any, env: Any, eval_input: Any, record: Any,
                     kept: dict[int, Any], succeeded: dict[int, Any]) -> None:
    """moto's ``DistributedIterationComponent._eval_body`` for a redriven Map Run."""
    from moto.stepfunctions.parser.api import HistoryEventType, MapRunStatus
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager

    new = eval_input.map_run_record
    pool = env.map_run_record_pool_manager
    pool._pool.pop(new.map_run_arn, None)  # the state made a new run: the old one is redriven
    if pool.get(record.map_run_arn) is None:
        pool.add(record)
    eval_input.map_run_record = record
    eval_input.lab_parts = (kept, succeeded)
    count = getattr(record, MAP_RUN_REDRIVES, 0) + 1
    setattr(record, MAP_RUN_REDRIVES, count)
    setattr(record, MAP_RUN_REDRIVE_DATE, datetime.datetime.now(tz=datetime.UTC))
    record.status, record.stop_date = MapRunStatus.RUNNING, None
    _restart_counts(record, len(kept))
    env.event_manager.add_event(
        context=env.event_history_context,
        event_type=HistoryEventType.MapRunRedriven,
        event_details=EventDetails(mapRunRedrivenEventDetails={
            "mapRunArn": record.map_run_arn, "redriveCount": count}),
    )
    parent = env.event_manager
    try:
        if eval_input.item_reader:
            eval_input.item_reader.eval(env=env)
        else:
            env.stack.append(eval_input.input_items)
        env.event_manager = EventManager()
        component._map_run(env=env, eval_input=eval_input)
    except Exception as failure:
        env.event_manager = parent
        details = {}
        pair = getattr(failure, "extract_error_cause_pair", None)
        if pair is not None and pair():
            error, cause = pair()
            details = {k: v for k, v in (("error", error), ("cause", cause)) if v}
        env.event_manager.add_event(
            context=env.event_history_context,
            event_type=HistoryEventType.MapRunFailed,
            event_details=EventDetails(mapRunFailedEventDetails=details),
        )
        record.set_stop(status=MapRunStatus.FAILED)
        raise
    finally:
        env.event_manager = parent
    env.event_manager.add_event(context=env.event_history_context,
                                event_type=HistoryEventType.MapRunSucceeded)
    record.set_stop(status=MapRunStatus.SUCCEEDED)


def describe_map_run(moto_describe):
    """``MapRunRecord.describe``: DescribeMapRun's ``redriveCount`` (0 until redriven) and
    ``redriveDate`` (botocore's DescribeMapRunOutput)."""

    def describe(self):
        from moto.core.utils import iso_8601_datetime_with_milliseconds

        output = moto_describe(self)
        output["redriveCount"] = getattr(self, MAP_RUN_REDRIVES, 0)
        date = getattr(self, MAP_RUN_REDRIVE_DATE, None)
        if date is not None:
            output["redriveDate"] = iso_8601_datetime_with_milliseconds(date)
        return output

    return describe


def stopped_stays_stopped(moto_set_error):
    """``Environment.set_error``: an execution (or frame) that StopExecution stopped stays
    stopped. moto set the error over it when a Map or Parallel state still running failed
    because its iterations/branches were stopped, so the execution ended FAILED instead of
    ABORTED (API_StopExecution.html) and a redrive could not tell what was aborted."""

    def set_error(self, error) -> None:
        from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped

        if isinstance(self._program_state, ProgramStopped):
            return
        moto_set_error(self, error)

    return set_error


def seams():
    """The partial redrive's seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    rows = (
        (INLINE_EVAL_BODY, inline_map, "test_an_inline_map_runs_its_items_in_a_job_pool",
         "moto's inline Map always runs every iteration (a redrive re-ran the succeeded ones)"),
        (BRANCHES_EVAL_BODY, parallel_branches,
         "test_a_parallel_runs_each_branch_in_a_branch_worker",
         "moto's Parallel always runs every branch (a redrive re-ran the succeeded ones)"),
        (DISTRIBUTED_EVAL_BODY, distributed_map,
         "test_a_distributed_map_starts_a_map_run_and_runs_it",
         "moto starts a new Map Run for every entry of a Distributed Map, a redrive too"),
        (MAP_RUN_DESCRIBE, describe_map_run, "test_a_distributed_map_starts_a_map_run_and_runs_it",
         "moto's DescribeMapRun has no redriveCount or redriveDate"),
        (SET_ERROR, stopped_stays_stopped, "test_an_environment_keeps_its_program_state",
         "moto turns a stopped execution FAILED when a Map or Parallel fails on the stop"),
    )
    return tuple(Seam(__name__, target, replacement, why,
                      "tests/contracts/test_moto_redrive.py::" + contract, kind="wrap")
                 for target, replacement, contract, why in rows)
