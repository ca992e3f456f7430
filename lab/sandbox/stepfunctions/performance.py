"""Make moto 5.2.5's Step Functions interpreter cheaper per execution, doing the same work.

Each patch removes work moto repeats for every execution although its result cannot change:

- :func:`cache_json_path_parsers`: moto builds a new JSONPath parser (a PLY grammar) for every
  path it evaluates (``InputPath``, ``$.x`` bindings, ``$$.Execution.Name``, ``ResultPath``...).
  Parsed paths are kept per path string; a parsed path is only read when it is applied.
- :func:`assign_heap_keys`: components name their per-execution counters (retriers' attempt
  numbers, backoff multipliers) with a key each component draws lazily on first use, the only
  write an evaluation makes to the program. Drawing every key when the program is parsed
  lets executions share one program (``models.ProgramCache``) instead of deep-copying it.
- :func:`copy_pass_results`: a Pass state's ``Result`` pushes the very object it holds, so a
  later step that mutated the value would change the shared program; it now pushes a copy.
- :func:`quiet_failure_logs`: every component a failure passes through formats its full
  ``repr`` (the whole state, a few KB) for an ERROR log line, before the logger decides
  whether to emit it. The server silences that logger; formatting is now skipped when the
  line would not be emitted.
- :func:`forget_finished_threads`: moto appends every interpreter thread to a module-level
  list (``TMP_THREADS``) that nothing reads or empties: two ``Thread`` objects per EXPRESS
  execution, three per STANDARD one, kept for the life of the process (~6 KB each execution).
- :func:`run_without_watchdog_threads`: moto runs every program and every Task state in a
  thread of its own only to be able to stop waiting for it after ``TimeoutSeconds``. A
  program without ``TimeoutSeconds`` and a state whose timeout is the default (99999999 s,
  over three years) never time out, so they now run in the thread that would have waited
  for them: two threads fewer per execution.
- :func:`index_executions`: moto finds an execution by scanning every execution the state
  machine ever had, on every DescribeExecution (each poll) and every StartExecution (the
  name check): the cost of a STANDARD execution grew with the sandbox's age (about 1 ms
  per scan after 5000 executions). Each state machine's list now keeps an index by ARN and
  by name.

Every seam has a contract test in ``tests/contracts/test_moto_stepfunctions.py``.
"""

from __future__ import annotations

import copy
import functools
import importlib
import logging
import sys
import threading
import types
from typing import Any

#: How many distinct JSONPath strings each parser cache keeps.
JSON_PATH_CACHE_SIZE = 4096

#: The moto modules that bind ``TMP_THREADS`` at import (``from ...utils import TMP_THREADS``).
TMP_THREADS_MODULES = (
    "moto.stepfunctions.parser.backend.execution_worker",
    "moto.stepfunctions.parser.asl.component.program.program",
    "moto.stepfunctions.parser.asl.component.test_state.program.test_state_program",
    "moto.stepfunctions.parser.asl.component.state.exec.execute_state",
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.inline_iteration_component",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback",
    "moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branch_worker",
)
#: The modules whose ``parse`` (jsonpath_ng's) is replaced by a cached one.
JSON_PATH_MODULES = (
    "moto.stepfunctions.parser.asl.utils.json_path",
    "moto.stepfunctions.parser.asl.component.common.path.result_path",
)
#: The logger of ``EvalComponent._log_failure_event_exception`` and ``_log_exception``.
EVAL_COMPONENT_LOGGER = "moto.stepfunctions.parser.asl.component.eval_component"


def cache_json_path_parsers() -> None:
    """Parse each JSONPath string once (per module) instead of once per evaluation."""
    for name in JSON_PATH_MODULES:
        module = importlib.import_module(name)
        if hasattr(module.parse, "moto_original"):
            continue
        cached = functools.lru_cache(maxsize=JSON_PATH_CACHE_SIZE)(module.parse)
        cached.moto_original = module.parse
        module.parse = cached


def assign_heap_keys(program: Any) -> Any:
    """Draw the heap key of every component of a parsed ``program`` now; returns ``program``.

    After this, evaluating the program writes nothing into it, so concurrent executions can
    share it.
    """
    from moto.stepfunctions.parser.asl.component.component import Component
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    seen: set[int] = set()
    pending = [program]
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, EvalComponent):
            _ = item.heap_key  # drawn and stored on first access
        if isinstance(item, Component):
            pending.extend(getattr(item, "__dict__", {}).values())
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    return program


def copy_pass_results() -> None:
    """A Pass state's ``Result`` hands each execution its own copy of the value."""
    from moto.stepfunctions.parser.asl.component.state.state_pass.result import Result

    if hasattr(Result._eval_body, "moto_original"):
        return
    moto_eval_body = Result._eval_body

    def _eval_body(self, env) -> None:
        env.stack.append(copy.deepcopy(self.result_obj))

    _eval_body.moto_original = moto_eval_body
    Result._eval_body = _eval_body


def quiet_failure_logs() -> None:
    """Skip formatting moto's per-component failure log lines when they would not be emitted."""
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    log = logging.getLogger(EVAL_COMPONENT_LOGGER)
    for name in ("_log_failure_event_exception", "_log_exception"):
        moto_method = getattr(EvalComponent, name)
        if hasattr(moto_method, "moto_original"):
            continue

        def method(self, *args, _moto_method=moto_method, **kwargs) -> None:
            if log.isEnabledFor(logging.ERROR):
                _moto_method(self, *args, **kwargs)

        method.moto_original = moto_method
        method.__name__ = name
        setattr(EvalComponent, name, method)


class _ForgetfulList(list):
    """Stands in for ``TMP_THREADS``: keeps nothing (moto only ever appends to it)."""

    def append(self, item: Any) -> None:
        pass


def forget_finished_threads() -> None:
    """Stop moto from keeping every interpreter thread it ever started."""
    from moto.stepfunctions.parser import utils

    kept = utils.TMP_THREADS
    forgetful = kept if isinstance(kept, _ForgetfulList) else _ForgetfulList()
    utils.TMP_THREADS = forgetful  # for modules imported from now on
    for name in TMP_THREADS_MODULES:
        importlib.import_module(name).TMP_THREADS = forgetful
    kept.clear()


class _InlineThread:
    """What moto gets instead of a ``Thread`` it would only start and wait for.

    ``start()`` runs the target in the calling thread; afterwards the "thread" has ended.
    An exception is reported through ``threading.excepthook``, as from a thread, and not
    raised: moto would carry on after the join.
    """

    def __init__(self, target, args=(), kwargs=None, **_options: Any) -> None:
        self._call = (target, tuple(args), dict(kwargs or {}))

    def start(self) -> None:
        target, args, kwargs = self._call
        try:
            target(*args, **kwargs)
        except Exception:
            threading.excepthook(threading.ExceptHookArgs((*sys.exc_info(), None)))

    def join(self, timeout: float | None = None) -> None:
        pass

    def is_alive(self) -> bool:
        return False


_inline = threading.local()


def _program_thread(*args: Any, target=None, **kwargs: Any):
    """``Program.eval``'s worker thread; inline when the program has no TimeoutSeconds."""
    program = getattr(target, "__self__", None)
    if program is not None and not getattr(program, "timeout_seconds", None):
        return _InlineThread(target, *args, **kwargs)
    return threading.Thread(*args, target=target, **kwargs)


def _state_thread(*args: Any, **kwargs: Any):
    """``_evaluate_with_timeout``'s thread; inline when the state's wrapper said so."""
    if getattr(_inline, "next_state_thread", False):
        _inline.next_state_thread = False  # this call only, not threads its target starts
        return _InlineThread(*args, **kwargs)
    return threading.Thread(*args, **kwargs)


def run_without_watchdog_threads() -> None:
    """Run programs and Task states that cannot time out in the waiting thread."""
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
    from moto.stepfunctions.parser.asl.component.program import program
    from moto.stepfunctions.parser.asl.component.state.exec import execute_state

    if getattr(program.threading, "lab_shim", False):
        return
    shim = types.ModuleType("threading", "threading, with Program.eval's worker made inline")
    shim.__dict__.update(vars(threading))
    shim.Thread = _program_thread
    shim.lab_shim = True
    program.threading = shim

    execute_state.Thread = _state_thread
    state_class = execute_state.ExecutionState
    moto_evaluate = state_class._evaluate_with_timeout

    def _evaluate_with_timeout(self, env) -> None:
        timeout = self.timeout
        _inline.next_state_thread = (
            type(timeout) is TimeoutSeconds
            and timeout.timeout_seconds >= TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS
        )
        try:
            moto_evaluate(self, env)
        finally:
            _inline.next_state_thread = False

    _evaluate_with_timeout.moto_original = moto_evaluate
    state_class._evaluate_with_timeout = _evaluate_with_timeout


class _ExecutionList(list):
    """A state machine's executions, indexed by ARN and by name (moto only appends)."""

    def __init__(self, executions=()) -> None:
        super().__init__(executions)
        self._reindex()

    def _reindex(self) -> None:
        self.by_arn: dict[str, Any] = {}
        self.by_name: dict[str, list[Any]] = {}
        for execution in self:
            self._index(execution)

    def _index(self, execution: Any) -> None:
        self.by_arn.setdefault(execution.execution_arn, execution)
        self.by_name.setdefault(execution.name, []).append(execution)

    def append(self, execution: Any) -> None:
        super().append(execution)
        self._index(execution)

    def _changed(method):  # noqa: N805  (wraps list methods below)
        def changed(self, *args: Any, **kwargs: Any) -> Any:
            result = method(self, *args, **kwargs)
            self._reindex()
            return result

        return changed

    extend = _changed(list.extend)
    insert = _changed(list.insert)
    remove = _changed(list.remove)
    pop = _changed(list.pop)
    clear = _changed(list.clear)
    sort = _changed(list.sort)
    reverse = _changed(list.reverse)
    __setitem__ = _changed(list.__setitem__)
    __delitem__ = _changed(list.__delitem__)
    __iadd__ = _changed(list.__iadd__)
    del _changed


class _Executions:
    """What moto's name check reads from a state machine: only the executions so named."""

    def __init__(self, executions: list[Any]) -> None:
        self.executions = executions


def index_executions() -> None:
    """Find executions by ARN and by name through an index, not a scan of every execution."""
    from moto.stepfunctions.exceptions import ExecutionDoesNotExist
    from moto.stepfunctions.models import StateMachine, StateMachineInstance, StepFunctionBackend

    if hasattr(StateMachineInstance.__init__, "moto_original"):
        return
    moto_init = StateMachineInstance.__init__
    moto_name_check = StateMachine._handle_name_input_idempotency
    moto_describe = StepFunctionBackend.describe_execution

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        moto_init(self, *args, **kwargs)
        self.executions = _ExecutionList(self.executions)

    def _handle_name_input_idempotency(self, name, execution_input):
        executions = self.executions
        if isinstance(executions, _ExecutionList):
            # moto's own check, over the executions with this name only.
            named = executions.by_name.get(name, [])
            return moto_name_check(_Executions(named), name, execution_input)
        return moto_name_check(self, name, execution_input)

    def describe_execution(self, execution_arn: str):
        # moto's describe_execution, with the index instead of the scan.
        self._validate_execution_arn(execution_arn)
        state_machine = self._get_state_machine_for_execution(execution_arn)
        executions = state_machine.executions
        if not isinstance(executions, _ExecutionList):
            return moto_describe(self, execution_arn)
        execution = executions.by_arn.get(execution_arn)
        if not execution:
            raise ExecutionDoesNotExist("Execution Does Not Exist: '" + execution_arn + "'")
        return execution

    for function, original in (
        (__init__, moto_init),
        (_handle_name_input_idempotency, moto_name_check),
        (describe_execution, moto_describe),
    ):
        function.moto_original = original
    StateMachineInstance.__init__ = __init__  # state machines and their versions
    StateMachine._handle_name_input_idempotency = _handle_name_input_idempotency
    StepFunctionBackend.describe_execution = describe_execution


def apply() -> None:
    """Every patch above. Idempotent."""
    cache_json_path_parsers()
    copy_pass_results()
    quiet_failure_logs()
    forget_finished_threads()
    run_without_watchdog_threads()
    index_executions()
