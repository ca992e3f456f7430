"""Workflow variables as AWS documents them: size limits and scopes (moto has neither).

https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html, "Limits":

- a single variable holds at most 256 KiB (262,144 bytes of its JSON text, UTF-8);
- all the variables of one ``Assign`` field together hold at most 256 KiB;
- all the variables stored in one execution hold at most 10 MiB (10,485,760 bytes).

The page does not name the error; the sandbox fails the assigning state with
``States.DataLimitExceeded`` (the error AWS names for a payload over a size quota,
concepts-error-handling.html), after the ``Assign`` expressions are evaluated and before any
value is assigned, so nothing of the refused ``Assign`` is stored. What counts toward the
execution's 10 MiB are the variables that are still stored: when a Map iteration or a
Parallel branch ends, its variables go out of scope and no longer count.

"Variable scope" on the same page:

- states inside a Parallel branch or a Map iteration read the variables of outer scopes
  (moto copies them into the inner scope, as they were when the branch or iteration began);
- what they assign stays in their own scope and goes out of scope when the state ends
  (moto's inner store);
- "a variable assigned in an inner scope cannot have the same name as one assigned in an
  outer scope": such an ``Assign`` fails the state with ``States.Runtime`` in plain words
  (moto raised an ``IllegalOuterScopeWrite`` that surfaced as a mangled Python message). AWS
  documents no validation error for this, so definitions are not refused for it;
- a ``Catch``'s ``Assign`` on a Map or Parallel state assigns in the scope the state is in
  (moto evaluates it there);
- "Distributed Map states cannot currently reference variables in outer scopes": a
  Distributed Map's child workflow starts with no variables (its ``ItemSelector``, a field of
  the Map state itself, still reads them).

Every moto internal used here has a contract test in ``tests/contracts/test_moto_variables.py``.
"""

from __future__ import annotations

import json
import threading
import weakref
from typing import Any

#: Largest variable, and largest ``Assign`` field, in bytes (256 KiB).
MAX_VARIABLE_BYTES = 262_144
MAX_ASSIGN_BYTES = 262_144
#: Largest total of the variables stored in one execution, in bytes (10 MiB).
MAX_EXECUTION_VARIABLES_BYTES = 10_485_760

DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
RUNTIME = "States.Runtime"


def variable_size(value: Any) -> int:
    """Bytes of ``value`` as compact JSON text in UTF-8 (how Step Functions sizes data)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode("utf-8", "surrogatepass"))


class Budget:
    """The bytes of variables one execution holds, across all its scopes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.total = 0

    def release(self, sizes: dict[str, int]) -> None:
        with self.lock:
            self.total -= sum(sizes.values())
            sizes.clear()


def _budget(store) -> Budget:
    budget = store.__dict__.get("_lab_budget")
    if budget is None:
        budget = store.__dict__.setdefault("_lab_budget", Budget())
    return budget


def _sizes(store) -> dict[str, int]:
    """The bytes of each variable ``store`` holds in its own scope (released with the store)."""
    sizes = store.__dict__.get("_lab_sizes")
    if sizes is None:
        sizes = store.__dict__.setdefault("_lab_sizes", {})
        weakref.finalize(store, _budget(store).release, sizes)
    return sizes


def release_scope(moto_remove_frame):
    """``Environment.delete_frame`` / ``close_frame``: a frame with its own (inner) scope
    that ends gives its variables' bytes back to the execution's budget ("When a Parallel
    or Map state completes, all of their variables will go out of scope")."""

    def remove_frame(self, frame):
        moto_remove_frame(self, frame)
        store = getattr(frame, "variable_store", None)
        if store is not None and store is not self.variable_store:
            sizes = store.__dict__.get("_lab_sizes")
            if sizes:
                _budget(store).release(sizes)

    return remove_frame


#: Set on a variable store made for a Map iteration or a Parallel branch.
INNER_SCOPE = "_lab_inner_scope"


def inner_scope_of(moto_as_inner_scope_of):
    """``VariableStore.as_inner_scope_of``: the inner scope shares its execution's budget and
    says it is one (:data:`INNER_SCOPE`: a Map iteration's or Parallel branch's store, not the
    execution's own)."""

    def as_inner_scope_of(cls, outer_variable_store):
        inner = moto_as_inner_scope_of(outer_variable_store=outer_variable_store)
        inner.__dict__["_lab_budget"] = _budget(outer_variable_store)
        inner.__dict__[INNER_SCOPE] = True
        return inner

    return classmethod(as_inner_scope_of)


def _failure(env, error: str, cause: str):
    """The exception that fails the current state with ``error`` and ``cause``."""
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
        CustomErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
        StatesErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    names = {
        RUNTIME: StatesErrorNameType.StatesRuntime,
        DATA_LIMIT_EXCEEDED: StatesErrorNameType.StatesStatesDataLimitExceeded,
        "States.ExceedToleratedFailureThreshold": (
            StatesErrorNameType.StatesExceedToleratedFailureThreshold
        ),
        "States.ResultPathMatchFailure": StatesErrorNameType.StatesResultPathMatchFailure,
        "States.IntrinsicFailure": StatesErrorNameType.StatesIntrinsicFailure,
    }
    typ = names.get(error)
    error_name = StatesErrorName(typ=typ) if typ is not None else CustomErrorName(error)
    return FailureEventException(
        failure_event=FailureEvent(
            env=env,
            error_name=error_name,
            event_type=HistoryEventType.TaskFailed,
            event_details=EventDetails(
                taskFailedEventDetails=TaskFailedEventDetails(error=error, cause=cause)
            ),
        )
    )


def _state_name(env) -> str:
    state = env.states.context_object.context_object_data.get("State") or {}
    return state.get("Name", "")


def check_and_assign(env, declarations: dict[str, Any]) -> None:
    """Store ``declarations`` (evaluated already) in ``env``'s scope, within AWS's limits."""
    store = env.variable_store
    state = _state_name(env)
    for name in declarations:
        if name in store._outer_scope:
            raise _failure(
                env,
                RUNTIME,
                f"The state '{state}' assigns the variable '{name}', which is assigned in an "
                "outer scope: a variable assigned inside a Parallel branch or a Map iteration "
                "cannot have the name of one assigned outside it.",
            )
    sizes = {name: variable_size(value) for name, value in declarations.items()}
    for name, size in sizes.items():
        if size > MAX_VARIABLE_BYTES:
            raise _failure(
                env,
                DATA_LIMIT_EXCEEDED,
                f"The state '{state}' assigns the variable '{name}' a value of {size} bytes; "
                f"a variable can hold at most {MAX_VARIABLE_BYTES} bytes (256 KiB).",
            )
    combined = sum(sizes.values())
    if combined > MAX_ASSIGN_BYTES:
        raise _failure(
            env,
            DATA_LIMIT_EXCEEDED,
            f"The Assign field of the state '{state}' assigns {combined} bytes of variables; "
            f"one Assign can assign at most {MAX_ASSIGN_BYTES} bytes (256 KiB) in all.",
        )
    budget, held = _budget(store), _sizes(store)
    with budget.lock:
        total = budget.total + sum(size - held.get(name, 0) for name, size in sizes.items())
        if total > MAX_EXECUTION_VARIABLES_BYTES:
            raise _failure(
                env,
                DATA_LIMIT_EXCEEDED,
                f"The state '{state}' would bring the variables stored in this execution to "
                f"{total} bytes; an execution can store at most "
                f"{MAX_EXECUTION_VARIABLES_BYTES} bytes (10 MiB) of variables.",
            )
        budget.total = total
        held.update(sizes)
    for name, value in declarations.items():
        store.set(variable_identifier=name, variable_value=value)


def assign_eval_body(self, env) -> None:
    """``AssignDecl._eval_body``: evaluate every binding first, then check and assign."""
    declarations: dict[str, Any] = {}
    for declaration_binding in self.declaration_bindings:
        declaration_binding.eval(env=env)
        declarations.update(env.stack.pop())
    check_and_assign(env, declarations)


def distributed_child_without_outer_variables(moto_eval_job):
    """``DistributedItemProcessorWorker._eval_job``: the child workflow sees no outer variable.

    The item's input (``ItemSelector``/``Parameters``, fields of the Map state) is evaluated
    with the outer variables; the child workflow's states then run in a scope without them.
    """

    def _eval_job(self, env, job):
        evaluate_input = self._eval_input

        def eval_input_then_leave_the_outer_scope(env_frame):
            evaluate_input(env_frame)
            env_frame.variable_store._outer_scope.clear()

        self._eval_input = eval_input_then_leave_the_outer_scope
        try:
            return moto_eval_job(self, env, job)
        finally:
            del self._eval_input

    return _eval_job


_CONTRACTS = "tests/contracts/test_moto_variables.py::"
_WORKER = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor."
    "distributed_item_processor_worker:DistributedItemProcessorWorker._eval_job"
)


def seams():
    """The variables' seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    return (
        Seam(
            __name__,
            "moto.stepfunctions.parser.asl.component.common.assign.assign_decl:"
            "AssignDecl._eval_body",
            assign_eval_body,
            "moto has no variable size limits and fails an outer-scope name with Python text",
            _CONTRACTS + "test_assign_decl_evaluates_every_binding_then_sets_each_variable",
        ),
        Seam(
            __name__,
            "moto.stepfunctions.parser.asl.eval.variable_store:VariableStore.as_inner_scope_of",
            inner_scope_of,
            "the execution's 10 MiB of variables spans every scope",
            _CONTRACTS + "test_inner_scopes_copy_the_outer_variables_into_their_outer_scope",
            kind="wrap",
        ),
        *(
            Seam(
                __name__,
                f"moto.stepfunctions.parser.asl.eval.environment:Environment.{name}",
                release_scope,
                "a finished Map iteration's or Parallel branch's variables count no more",
                _CONTRACTS + "test_frames_are_removed_by_delete_frame_and_close_frame",
                kind="wrap",
            )
            for name in ("delete_frame", "close_frame")
        ),
        Seam(
            __name__,
            _WORKER,
            distributed_child_without_outer_variables,
            "moto lets a Distributed Map's child workflow read outer variables",
            _CONTRACTS + "test_a_distributed_map_job_evaluates_its_input_then_its_program",
            kind="wrap",
        ),
    )
