"""A state that reaches what the sandbox's interpreter cannot do fails in plain words.

moto's interpreter turns any exception into the failure's cause as Python wrote it: a Task
whose code path moto never finished fails with ``States.Runtime`` and a cause such as
"AWSError.__init__() missing 1 required positional argument: 'message'" (an activity task:
moto's interpreter cannot see the activities the API created), and a crash in any other state
becomes "TypeError(…)". AWS has no such failures; the sandbox says what it is instead: the
state fails with ``States.Runtime`` and the cause "not emulated by the sandbox: …", naming the
state (the Python details go to the sandbox's log).

An exception counts as such a crash when its class is one of Python's own (``TypeError``,
``KeyError``, ``AttributeError``, ``ValueError``, …) except the OS errors (``TimeoutError``,
``ConnectionError``): moto signals what AWS does with its own exception classes
(``FailureEventException``, botocore's ``ClientError``, ``EvalTimeoutError``, the callback
outcomes), which pass through unchanged.
"""

from __future__ import annotations

import functools
import json
import logging

LOG = logging.getLogger(__name__)

NOT_EMULATED = "not emulated by the sandbox"


def is_internal(exception: BaseException) -> bool:
    """True for a Python built-in exception that is not an OS error (a crash, not AWS)."""
    return type(exception).__module__ == "builtins" and not isinstance(exception, OSError)


def cause_for(state, exception: BaseException) -> str:
    """The plain-words cause for ``state`` having crashed with ``exception``."""
    name = getattr(state, "name", "")
    if type(state).__name__ == "StateTaskActivity":
        return (
            f"{NOT_EMULATED}: activity tasks (the state '{name}' cannot hand its task to an "
            "activity worker in the sandbox)"
        )
    return (
        f"{NOT_EMULATED}: the state '{name}' reached a part of Step Functions that the "
        "sandbox's interpreter (moto 5.2.5) does not implement; the sandbox log has the details"
    )


#: How much of a definition the log shows next to an internal error.
DEFINITION_EXCERPT = 600
#: Request members that name what a Step Functions call is about (never its input or secrets).
_NAMING_MEMBERS = ("stateMachineArn", "executionArn", "name", "mapRunArn", "activityArn")


def definition_of(arn: str | None) -> str | None:
    """The definition of the state machine ``arn`` names (a state machine's or an execution's
    ARN), from the Step Functions backend; None if there is none."""
    if not arn or not arn.startswith("arn:"):
        return None
    try:
        from moto.stepfunctions.responses import get_backend

        parts = arn.split(":")
        backend = get_backend(parts[4], parts[3])
        if parts[5] in ("execution", "express"):
            arn = backend.describe_execution(arn).state_machine_arn
        return backend.describe_state_machine(arn).definition
    except Exception:  # noqa: BLE001 - a log line must never fail the request
        return None


def excerpt(text: str | None, limit: int = DEFINITION_EXCERPT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def request_context(target: str | None, body: bytes | None) -> str:
    """What a log line about an internal error names: the operation (``X-Amz-Target``) and,
    for Step Functions, the state machine, execution and definition behind the call, so that
    the next failure is one step from a test. Only naming members are read from the body:
    inputs and whatever else a request carries are left out."""
    operation = (target or "").rpartition(".")[2] or "an unnamed operation"
    words = [f"operation {operation}"]
    if not (target or "").startswith("AWSStepFunctions.") or not body:
        return words[0]
    try:
        request = json.loads(body)
    except ValueError:
        return words[0]
    if not isinstance(request, dict):
        return words[0]
    words += [f"{key} {request[key]}" for key in _NAMING_MEMBERS if isinstance(
        request.get(key), str)]
    definition = request.get("definition") if isinstance(request.get("definition"), str) else (
        definition_of(request.get("executionArn") or request.get("stateMachineArn")))
    if definition:
        words.append(f"definition {excerpt(definition)}")
    return "; ".join(words)


def failure(state, env, exception: BaseException):
    """The ``FailureEventException`` (``States.Runtime``) that replaces a crash; the log names
    the execution, its state machine and definition, and the state."""
    from lab.sandbox.stepfunctions.variables import RUNTIME, _failure

    context = getattr(getattr(env, "states", None), "context_object", None)
    data = getattr(context, "context_object_data", None) or {}
    execution = (data.get("Execution") or {}).get("Id")
    machine = (data.get("StateMachine") or {}).get("Id")
    LOG.warning(
        "state %r crashed in moto's interpreter (execution %s, state machine %s, definition %s)",
        getattr(state, "name", ""), execution, machine, excerpt(definition_of(machine)),
        exc_info=exception)
    return _failure(env, RUNTIME, cause_for(state, exception))


def plain_state_failures(moto_eval_body):
    """``CommonStateField._eval_body``: a crash in a state fails it in plain words."""

    @functools.wraps(moto_eval_body)
    def _eval_body(self, env) -> None:
        try:
            moto_eval_body(self, env)
        except Exception as exception:
            if is_internal(exception):
                raise failure(self, env, exception) from None
            raise

    return _eval_body


RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"


def result_path_failures(moto_eval_body):
    """``ResultPath._eval_body``: a ``ResultPath`` that cannot be applied to the state's input
    (``$.r`` into a number, a string, an array, or through a field that is no object) fails
    the state with ``States.ResultPathMatchFailure`` ("A state's ResultPath field cannot be
    applied to the input the state received", concepts-error-handling.html); moto crashed in
    jsonpath-ng ("argument of type 'int' is not iterable"). The cause is the sandbox's
    wording (AWS's is not recorded)."""

    @functools.wraps(moto_eval_body)
    def _eval_body(self, env) -> None:
        try:
            moto_eval_body(self, env)
        except Exception as exception:
            if not is_internal(exception):
                raise
            from lab.sandbox.stepfunctions.variables import _failure

            state_input = env.states.get_input()
            raise _failure(
                env, RESULT_PATH_MATCH_FAILURE,
                f"Unable to apply ResultPath '{self.result_path_src}' to the state's input "
                f"{json.dumps(state_input, separators=(',', ':'))[:200]}: the path needs an "
                "object at each step.",
            ) from None

    return _eval_body


INTRINSIC_FAILURE = "States.IntrinsicFailure"


def intrinsic_failures(moto_eval_body):
    """``StringIntrinsicFunction._eval_body``: an intrinsic function that cannot be applied
    to its arguments (``States.ArrayGetItem`` past the end, ``States.StringToJson`` of text
    that is not JSON, ``States.MathAdd`` of a string, ``States.Hash`` with an unknown
    algorithm, …) fails the state with ``States.IntrinsicFailure`` ("an attempt to invoke an
    intrinsic function within a payload template failed", concepts-error-handling.html);
    moto crashed ("not emulated by the sandbox") or put Python's exception in the cause
    ("JSONDecodeError(…)"). A path that is not found stays moto's ``States.Runtime``. The
    cause is the sandbox's wording (AWS's is not recorded)."""

    @functools.wraps(moto_eval_body)
    def _eval_body(self, env) -> None:
        from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
            FailureEventException,
        )
        from moto.stepfunctions.parser.asl.utils.json_path import NoSuchJsonPathError

        try:
            moto_eval_body(self, env)
        except (FailureEventException, NoSuchJsonPathError):
            raise
        except Exception as exception:  # noqa: BLE001 - every other failure is the function's
            from lab.sandbox.stepfunctions.variables import _failure

            LOG.info("intrinsic function %s failed", self.intrinsic_function_derivation,
                     exc_info=exception)
            raise _failure(
                env, INTRINSIC_FAILURE,
                f"The intrinsic function {self.intrinsic_function_derivation} could not be "
                f"applied to its arguments: {_plain_reason(exception)}",
            ) from None

    return _eval_body


def _plain_reason(exception: BaseException) -> str:
    """Why an intrinsic function failed, in words (moto's own messages, "Expected …", are
    kept; Python's internals are not shown)."""
    text = str(exception)
    if isinstance(exception, IndexError):
        return "an index is out of the array's range"
    if isinstance(exception, (AttributeError, KeyError)) or "object" in text or "arg " in text:
        return "they are not of the types or values it takes"
    return text


def stopped_branches_end_quietly(moto_thread_routine):
    """``BranchWorker._thread_routine``: a Parallel branch stopped before its thread began
    (another branch failed first and the Parallel stopped them all) ends without running;
    moto's thread crashed with "RuntimeError: Could not set NextState value when in state
    ProgramStopped", an unhandled exception in the sandbox's log. A branch that is still
    running when it crashes is not hidden."""

    @functools.wraps(moto_thread_routine)
    def _thread_routine(self) -> None:
        if _stopped(self.env):
            return
        try:
            moto_thread_routine(self)
        except RuntimeError:
            if not _stopped(self.env):
                raise

    return _thread_routine


def _stopped(env) -> bool:
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramEnded, ProgramStopped

    return isinstance(env.program_state(), (ProgramStopped, ProgramEnded))


def seams():
    """The seam that turns crashes into plain-words failures (see :mod:`lab.sandbox.seams`).

    Task states catch their own exceptions before this: :mod:`.performance`'s
    ``_evaluate_with_timeout`` wrapper calls :func:`failure` for them.
    """
    from lab.sandbox.seams import Seam

    return (
        Seam(
            __name__,
            "moto.stepfunctions.parser.asl.component.state.state:CommonStateField._eval_body",
            plain_state_failures,
            "moto puts Python's exception text in a failed state's cause",
            "tests/contracts/test_moto_variables.py::"
            "test_states_and_tasks_turn_any_exception_into_a_cause",
            kind="wrap",
        ),
        Seam(
            __name__,
            "moto.stepfunctions.parser.asl.component.common.path.result_path:ResultPath._eval_body",
            result_path_failures,
            "moto crashes (TypeError) on a ResultPath its state's input cannot take",
            "tests/contracts/test_moto_variables.py::"
            "test_result_path_updates_the_input_with_jsonpath_ng",
            kind="wrap",
        ),
        Seam(
            __name__,
            "moto.stepfunctions.parser.asl.component.common.string.string_expression:"
            "StringIntrinsicFunction._eval_body",
            intrinsic_failures,
            "moto crashes, or puts Python's exception text in the cause, on an intrinsic "
            "function its arguments do not fit",
            "tests/contracts/test_moto_variables.py::"
            "test_an_intrinsic_function_is_evaluated_by_its_string_expression",
            kind="wrap",
        ),
        Seam(
            __name__,
            "moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branch_worker:"
            "BranchWorker._thread_routine",
            stopped_branches_end_quietly,
            "a Parallel branch stopped before its thread began crashes that thread",
            "tests/contracts/test_moto_variables.py::"
            "test_a_branch_worker_runs_its_program_on_its_own_env",
            kind="wrap",
        ),
    )
