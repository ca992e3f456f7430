"""Speed-ups: moto 5.2.5's Step Functions interpreter, cheaper per execution, doing the same work.

Each seam (:func:`seams`, installed by :mod:`lab.sandbox.seams`) removes work moto repeats for
every execution although its result cannot change. What sharing one parsed program between
executions needs for correctness is not here but beside the cache (:mod:`.programs`).

- ``parse`` (JSONPath): moto builds a new JSONPath parser (a PLY grammar) for every
  path it evaluates (``InputPath``, ``$.x`` bindings, ``$$.Execution.Name``, ``ResultPath``...).
  Parsed paths are kept per path string; a parsed path is only read when it is applied.
- failure logs: every component a failure passes through formats its full
  ``repr`` (the whole state, a few KB) for an ERROR log line, before the logger decides
  whether to emit it. The server silences that logger; formatting is now skipped when the
  line would not be emitted.
- ``TMP_THREADS``: moto appends every interpreter thread to a module-level
  list (``TMP_THREADS``) that nothing reads or empties: two ``Thread`` objects per EXPRESS
  execution, three per STANDARD one, kept for the life of the process (~6 KB each execution).
- watchdog threads: moto runs every program and every Task state in a
  thread of its own only to be able to stop waiting for it after ``TimeoutSeconds``. A
  program without ``TimeoutSeconds`` and a state whose timeout is the default (99999999 s,
  over three years) never time out, so they now run in the thread that would have waited
  for them: two threads fewer per execution.
- pooled threads: the threads moto still needs (a program's watchdog when it has
  ``TimeoutSeconds``, as the lab's workflows do; a state's when its timeout is not the
  default; the thread that runs a STANDARD execution after StartExecution returned) come
  from a pool of kept threads (:class:`PooledThread`) instead of a new OS thread each:
  the target still runs in another thread, in a fresh ``contextvars`` context, and
  ``join(timeout)``/``is_alive()`` answer as a ``Thread``'s, so a timeout behaves the same.
  A new thread cost every EXPRESS execution of the lab ~0.15 ms of wall time (creation
  and the start handshake) before its first state ran.
- the execution index: moto finds an execution by scanning every execution the state
  machine ever had, on every DescribeExecution (each poll) and every StartExecution (the
  name check): the cost of a STANDARD execution grew with the sandbox's age (about 1 ms
  per scan after 5000 executions). Each state machine's list now keeps an index by ARN and
  by name.

Every seam has a contract test in ``tests/contracts/test_moto_stepfunctions.py``.
"""

from __future__ import annotations

import atexit
import functools
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

_EVAL_COMPONENT = "moto.stepfunctions.parser.asl.component.eval_component:EvalComponent."
_EXECUTE_STATE = "moto.stepfunctions.parser.asl.component.state.exec.execute_state"
_PROGRAM = "moto.stepfunctions.parser.asl.component.program.program"
_EXECUTION_WORKER = "moto.stepfunctions.parser.backend.execution_worker"
_CONTRACTS = "tests/contracts/test_moto_stepfunctions.py::"


# --------------------------------------------------------------------------- JSONPath


def cached_parse(moto_parse):
    """jsonpath_ng's ``parse``, once per path string (a parsed path is only read)."""
    return functools.lru_cache(maxsize=JSON_PATH_CACHE_SIZE)(moto_parse)


# --------------------------------------------------------------------------- failure logs


def quiet_failure_log(moto_method):
    """moto's failure log method, called only when its logger would emit the line."""
    log = logging.getLogger(EVAL_COMPONENT_LOGGER)

    @functools.wraps(moto_method)
    def method(self, *args, **kwargs) -> None:
        if log.isEnabledFor(logging.ERROR):
            moto_method(self, *args, **kwargs)

    return method


# --------------------------------------------------------------------------- TMP_THREADS


class _ForgetfulList(list):
    """Stands in for ``TMP_THREADS``: keeps nothing (moto only ever appends to it)."""

    def append(self, item: Any) -> None:
        pass


#: The one ``TMP_THREADS`` every interpreter module shares.
FORGETFUL_THREADS = _ForgetfulList()


# --------------------------------------------------------------------------- watchdog threads


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


class _Worker:
    """One kept thread: runs what it is given, then waits in the pool for more."""

    def __init__(self, pool: _ThreadPool, number: int) -> None:
        import queue

        self._pool = pool
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(
            target=self._loop, name=f"{pool.prefix}-{number}", daemon=True
        )

    def give(self, task) -> None:
        self._tasks.put(task)

    def _loop(self) -> None:
        import queue

        while True:
            try:
                task = self._tasks.get(timeout=self._pool.idle_timeout_s)
            except queue.Empty:
                if self._pool.retire(self):
                    return
                continue  # the pool handed it a task meanwhile: it is in the queue
            if task is None:
                return
            task()
            del task
            if not self._pool.rest(self):
                return


class _ThreadPool:
    """Idle workers, newest first; a new one when none is idle (never a wait for a worker:
    a program's thread starts its states' threads, so a bounded pool could deadlock).

    A worker idle for ``idle_timeout_s`` ends, and every idle worker ends at exit: each in its
    own thread, so what it holds per thread (jsonatapy's compiled expressions, which must
    be dropped by the thread that made them) goes with it.
    """

    def __init__(
        self, keep_idle: int = 64, idle_timeout_s: float = 60.0, prefix: str = "lab-sfn"
    ) -> None:
        self.prefix = prefix
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._keep_idle = keep_idle
        self.idle_timeout_s = idle_timeout_s
        self._count = 0

    def run(self, task) -> None:
        with self._lock:
            worker = self._idle.pop() if self._idle else None
            if worker is None:
                self._count += 1
                number = self._count
        if worker is None:
            worker = _Worker(self, number)
            worker.give(task)
            worker.thread.start()
            return
        worker.give(task)

    def rest(self, worker: _Worker) -> bool:
        """Back to the pool after a task; False: the pool is full, the worker ends."""
        with self._lock:
            if len(self._idle) >= self._keep_idle:
                return False
            self._idle.append(worker)
            return True

    def retire(self, worker: _Worker) -> bool:
        """An idle worker timed out: True if it may end (no task was handed to it)."""
        with self._lock:
            if worker in self._idle:
                self._idle.remove(worker)
                return True
            return False

    def idle(self) -> int:
        with self._lock:
            return len(self._idle)

    def shutdown(self, timeout_s: float = 2.0) -> None:
        """End every idle worker and wait (up to ``timeout_s``) until they have."""
        import time

        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.give(None)
        deadline = time.monotonic() + timeout_s
        for worker in workers:
            worker.thread.join(max(0.0, deadline - time.monotonic()))


POOL = _ThreadPool()
atexit.register(POOL.shutdown)


class PooledThread:
    """A ``Thread`` as moto uses it (``start``, ``join(timeout)``, ``is_alive``), from :data:`POOL`.

    The target runs in a pool thread, in a fresh ``contextvars`` context as a new thread's
    would; an exception goes to ``threading.excepthook``, as from a thread.
    """

    def __init__(
        self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None
    ) -> None:
        self._call = (target, tuple(args), dict(kwargs or {}))
        self.name = name
        self.daemon = True if daemon is None else daemon
        self._started = False
        self._done = threading.Event()

    def start(self) -> None:
        if self._started:
            raise RuntimeError("threads can only be started once")
        self._started = True
        POOL.run(self._run)

    def _run(self) -> None:
        import contextvars

        target, args, kwargs = self._call
        self._call = None
        try:
            if target is not None:
                contextvars.Context().run(target, *args, **kwargs)
        except BaseException:
            threading.excepthook(threading.ExceptHookArgs((*sys.exc_info(), None)))
        finally:
            self._done.set()

    def join(self, timeout: float | None = None) -> None:
        if not self._started:
            raise RuntimeError("cannot join thread before it is started")
        self._done.wait(timeout)

    def is_alive(self) -> bool:
        return self._started and not self._done.is_set()


class _DeadlineWatch:
    """One thread for every inline EXPRESS program's TimeoutSeconds: at a program's deadline
    it does what moto's waiting thread does then, ``env.set_timed_out()``.

    A finished program cancels its entry, which lets go of its environment at once; cancelled
    entries leave the heap when they come first or when they are most of it.
    """

    COMPACT_AT = 1024

    def __init__(self) -> None:
        self._due: list[list[Any]] = []  # [deadline, number, env or None], a heap
        self._entries: dict[int, list[Any]] = {}  # number -> its heap entry, while live
        self._wake = threading.Condition()
        self._numbers = iter(range(1, 2**62))
        self._thread: threading.Thread | None = None

    def watch(self, env: Any, seconds: float) -> int:
        import heapq
        import time

        with self._wake:
            number = next(self._numbers)
            entry = [time.monotonic() + seconds, number, env]
            self._entries[number] = entry
            heapq.heappush(self._due, entry)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="lab-sfn-deadlines", daemon=True
                )
                self._thread.start()
            if self._due[0] is entry:
                self._wake.notify()  # the new deadline comes first
            return number

    def cancel(self, number: int) -> None:
        import heapq

        with self._wake:
            entry = self._entries.pop(number, None)
            if entry is not None:
                entry[2] = None  # the environment is free now
            if len(self._due) > self.COMPACT_AT and len(self._entries) * 2 < len(self._due):
                self._due = [e for e in self._due if e[2] is not None]
                heapq.heapify(self._due)

    def pending(self) -> int:
        """How many programs are being watched (not finished, not yet timed out)."""
        with self._wake:
            return len(self._entries)

    def _run(self) -> None:
        import heapq
        import time

        while True:
            with self._wake:
                while self._due and self._due[0][2] is None:
                    heapq.heappop(self._due)
                if not self._due:
                    self._wake.wait()
                    continue
                deadline = self._due[0][0]  # not its env: a wait must not hold on to it
                now = time.monotonic()
                if deadline > now:
                    self._wake.wait(deadline - now)
                    continue
                _, number, env = heapq.heappop(self._due)
                self._entries.pop(number, None)
            env.set_timed_out()
            del env


DEADLINES = _DeadlineWatch()


class _ExpressProgramThread(_InlineThread):
    """An EXPRESS program with TimeoutSeconds, inline: :data:`DEADLINES` times it out.

    moto starts a thread for the program and joins it for TimeoutSeconds; past that it calls
    ``env.set_timed_out()`` and returns. Here the program runs in the calling thread and the
    shared watch makes that call at the deadline: a Wait state wakes at once and the program
    ends after its current state, as moto's thread does. The caller returns when that state
    has ended rather than at the deadline itself, which only a state that blocks without
    watching the program's state could tell; an EXPRESS workflow has none of those that
    wait long (AWS allows no activities, ``.sync`` or ``.waitForTaskToken`` in them, and the
    sandbox's HTTP Task answers or fails at once).
    """

    def __init__(self, target, env: Any, seconds: float, **options: Any) -> None:
        super().__init__(target, (env,), None, **options)
        self._env, self._seconds = env, seconds

    def start(self) -> None:
        number = DEADLINES.watch(self._env, self._seconds)
        try:
            super().start()
        finally:
            DEADLINES.cancel(number)


def _program_thread(*args: Any, target=None, **kwargs: Any):
    """``Program.eval``'s worker thread: inline without TimeoutSeconds, and for EXPRESS."""
    program = getattr(target, "__self__", None)
    timeout = getattr(program, "timeout_seconds", None) if program is not None else None
    if program is not None and not timeout:
        return _InlineThread(target, *args, **kwargs)
    call_args = kwargs.get("args") or ()  # Thread(target=super().eval, args=(env,), ...)
    env = call_args[0] if len(call_args) == 1 and not args else None
    if env is not None and _is_express(env):
        options = {k: v for k, v in kwargs.items() if k != "args"}
        return _ExpressProgramThread(target, env, timeout.timeout_seconds, **options)
    return PooledThread(*args, target=target, **kwargs)


def _is_express(env: Any) -> bool:
    """An EXPRESS execution (``models.typed_state_machine_details`` sets the type right)."""
    from moto.stepfunctions.parser.api import StateMachineType

    return getattr(env, "execution_type", None) == StateMachineType.EXPRESS


def _state_thread(*args: Any, **kwargs: Any):
    """``_evaluate_with_timeout``'s thread; inline when the state's wrapper said so."""
    if getattr(_inline, "next_state_thread", False):
        _inline.next_state_thread = False  # this call only, not threads its target starts
        return _InlineThread(*args, **kwargs)
    return PooledThread(*args, **kwargs)


#: ``threading`` as ``Program.eval`` sees it: the real module, with an inline-capable Thread.
PROGRAM_THREADING = types.ModuleType(
    "threading", "threading, with Program.eval's worker made inline"
)
PROGRAM_THREADING.__dict__.update(vars(threading))
PROGRAM_THREADING.Thread = _program_thread


def inline_default_timeout(moto_evaluate):
    """``_evaluate_with_timeout``: a state with the default timeout runs in this thread."""
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds

    @functools.wraps(moto_evaluate)
    def _evaluate_with_timeout(self, env) -> None:
        timeout = self.timeout
        _inline.next_state_thread = (
            type(timeout) is TimeoutSeconds
            and timeout.timeout_seconds >= TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS
        )
        try:
            moto_evaluate(self, env)
        except Exception as exception:
            # A crash inside the task (Python's own exception) would become its cause as
            # Python wrote it: it fails the task in plain words instead (internal_errors.py).
            from lab.sandbox.stepfunctions import internal_errors

            if internal_errors.is_internal(exception):
                raise internal_errors.failure(self, env, exception) from None
            raise
        finally:
            _inline.next_state_thread = False

    return _evaluate_with_timeout


# --------------------------------------------------------------------------- execution index


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


def indexed_executions(moto_init):
    """``StateMachineInstance.__init__``: the executions list keeps an index."""

    @functools.wraps(moto_init)
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        moto_init(self, *args, **kwargs)
        self.executions = _ExecutionList(self.executions)

    return __init__


def name_check_by_index(moto_name_check):
    """moto's name check, over the executions with this name only."""

    @functools.wraps(moto_name_check)
    def _handle_name_input_idempotency(self, name, execution_input):
        executions = self.executions
        if isinstance(executions, _ExecutionList):
            named = executions.by_name.get(name, [])
            return moto_name_check(_Executions(named), name, execution_input)
        return moto_name_check(self, name, execution_input)

    return _handle_name_input_idempotency


def describe_by_index(moto_describe):
    """moto's describe_execution, with the index instead of the scan."""
    from moto.stepfunctions.exceptions import ExecutionDoesNotExist

    @functools.wraps(moto_describe)
    def describe_execution(self, execution_arn: str):
        self._validate_execution_arn(execution_arn)
        state_machine = self._get_state_machine_for_execution(execution_arn)
        executions = state_machine.executions
        if not isinstance(executions, _ExecutionList):
            return moto_describe(self, execution_arn)
        execution = executions.by_arn.get(execution_arn)
        if not execution:
            raise ExecutionDoesNotExist("Execution Does Not Exist: '" + execution_arn + "'")
        return execution

    return describe_execution


# --------------------------------------------------------------------------- the seams


def seams():
    """The speed-ups' seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    owner = __name__
    parse_contract = _CONTRACTS + "test_json_paths_are_parsed_through_a_module_level_parse_function"
    log_contract = _CONTRACTS + "test_failure_logs_are_formatted_before_the_logger_is_asked"
    machines = "moto.stepfunctions.models:"
    return (
        *(
            Seam(
                owner,
                f"{module}:parse",
                cached_parse,
                "moto builds a new JSONPath parser for every path it evaluates",
                parse_contract,
                kind="wrap",
                origin="jsonpath_ng",
            )
            for module in JSON_PATH_MODULES
        ),
        *(
            Seam(
                owner,
                _EVAL_COMPONENT + name,
                quiet_failure_log,
                "moto formats a few KB of repr for a log line the server silences",
                log_contract,
                kind="wrap",
            )
            for name in ("_log_failure_event_exception", "_log_exception")
        ),
        Seam(
            owner,
            "moto.stepfunctions.parser.utils:TMP_THREADS",
            FORGETFUL_THREADS,
            "moto keeps every interpreter thread it ever started in a list nothing reads",
            _CONTRACTS + "test_tmp_threads_is_only_ever_appended_to_in_the_modules_the_patch_knows",
            also=tuple(f"{module}:TMP_THREADS" for module in TMP_THREADS_MODULES),
        ),
        Seam(
            owner,
            f"{_PROGRAM}:threading",
            PROGRAM_THREADING,
            "a program without TimeoutSeconds needs no watchdog thread",
            _CONTRACTS + "test_a_program_runs_in_a_thread_it_only_starts_and_joins_for_its_timeout",
            origin="threading",
        ),
        Seam(
            owner,
            f"{_EXECUTE_STATE}:Thread",
            _state_thread,
            "a state with the default timeout (over three years) needs no watchdog thread",
            _CONTRACTS
            + "test_a_state_runs_in_a_thread_it_only_starts_and_waits_for_with_its_timeout",
            origin="threading",
        ),
        Seam(
            owner,
            f"{_EXECUTION_WORKER}:Thread",
            PooledThread,
            "moto starts a new OS thread for every STANDARD execution",
            _CONTRACTS + "test_a_standard_execution_runs_in_a_thread_it_only_starts",
            origin="threading",
        ),
        Seam(
            owner,
            f"{_EXECUTE_STATE}:ExecutionState._evaluate_with_timeout",
            inline_default_timeout,
            "tells the Thread above whether this state's timeout is the default",
            _CONTRACTS
            + "test_a_state_runs_in_a_thread_it_only_starts_and_waits_for_with_its_timeout",
            kind="wrap",
        ),
        Seam(
            owner,
            machines + "StateMachineInstance.__init__",
            indexed_executions,
            "moto scans every execution a state machine ever had to find one",
            _CONTRACTS + "test_a_state_machine_keeps_its_executions_in_a_list_it_only_appends_to",
            kind="wrap",
        ),
        Seam(
            owner,
            machines + "StateMachine._handle_name_input_idempotency",
            name_check_by_index,
            "StartExecution's name check scans every execution",
            _CONTRACTS + "test_the_name_check_reads_only_the_executions_of_its_state_machine",
            kind="wrap",
        ),
        Seam(
            owner,
            machines + "StepFunctionBackend.describe_execution",
            describe_by_index,
            "each DescribeExecution (every poll) scans every execution",
            _CONTRACTS + "test_describe_execution_is_a_scan_for_the_arn_the_index_replaces",
            kind="wrap",
        ),
    )
