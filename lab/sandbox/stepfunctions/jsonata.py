"""JSONata in the sandbox's Step Functions: a real engine where moto 5.2.5 ships a stub.

moto's interpreter (taken from LocalStack) parses every JSONata field of ASL and evaluates
each ``{% … %}`` string through ``eval_jsonata_expression``, which in 5.2.5 calls ``None``
(LocalStack runs jsonata-java in a JVM; moto left the bridge out). It also reads JSONPath
variables (``"x.$": "$myVar"``) the same way. Every such field crashed with
``TypeError('NoneType' object is not callable)``.

This module replaces the two evaluating components (``StringJSONata`` and
``StringVariableSample``) with ones that hand the expression and its bindings to
**jsonatapy** (a Rust implementation of JSONata; ``tools/compare_jsonata_engines.py`` prints
why: 99.9% of the JSONata reference suite, undefined kept apart from null, a few µs per
evaluation). moto's own way composed ``$x := <value>;`` declarations as text in front of
each expression (string values unescaped) and would have re-compiled per evaluation; here
each expression is compiled once and ``$states`` and the workflow's variables are real
bindings.

What Step Functions adds to JSONata is written here because no library has it: the functions
``$partition``, ``$range``, ``$hash``, ``$random`` (with an optional seed), ``$uuid`` and
``$parse`` (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html), the
refusal of ``$eval``, and AWS's failure texts: an expression that returns nothing fails the
state with ``States.QueryEvaluationError`` and an ``EvaluationFailed`` history event whose
cause names the expression and the field (``Output/v``, ``Arguments/ApiEndpoint``,
``Choices[0]/Condition``). The field path is worked out once per parsed program
(:func:`annotate_field_paths`).

Every moto internal used here has a contract test in ``tests/contracts/test_moto_jsonata.py``.
"""

from __future__ import annotations

import collections
import hashlib
import json
import random
import threading
import uuid
from typing import Any

import jsonatapy

#: How many distinct expressions the compile cache keeps.
COMPILE_CACHE_SIZE = 4096

#: ``$hash`` algorithms Step Functions documents.
HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}

QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"


class Undefined:
    """What an expression that matched nothing returns (JSONata's ``undefined``)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED = Undefined()


class JsonataError(Exception):
    """The expression did not compile or threw while evaluating (``message``: JSONata's)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ------------------------------------------------------------- Step Functions' functions


def _sfn_error(message: str):
    # Raised inside a host function, the message reaches the failure cause as written.
    raise ValueError(message)


def sfn_partition(array=None, size=None):
    """``$partition(array, chunkSize)``: the array cut into chunks of ``chunkSize``."""
    if not isinstance(array, list):
        _sfn_error("The first argument of $partition must be an array")
    if not isinstance(size, (int, float)) or isinstance(size, bool) or size <= 0:
        _sfn_error("The second argument of $partition must be a positive integer")
    size = int(size)
    return [array[i : i + size] for i in range(0, len(array), size)]


def sfn_range(start=None, end=None, step=None):
    """``$range(start, end, step)``: numbers from ``start`` to ``end`` inclusive, by ``step``."""
    for name, value in (("start", start), ("end", end), ("step", step)):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            _sfn_error(f"The {name} argument of $range must be a number")
    if step == 0:
        _sfn_error("The step argument of $range must not be 0")
    values, current = [], start
    while (step > 0 and current <= end) or (step < 0 and current >= end):
        values.append(int(current) if float(current).is_integer() else current)
        current += step
        if len(values) > 1000:
            _sfn_error("$range can return at most 1000 items")
    return values


def sfn_hash(data=None, algorithm=None):
    """``$hash(data, algorithm)``: the hex digest of a string (MD5, SHA-1, SHA-256/384/512)."""
    if not isinstance(data, str):
        _sfn_error("The first argument of $hash must be a string")
    if algorithm not in HASH_ALGORITHMS:
        _sfn_error(f"The second argument of $hash must be one of {', '.join(HASH_ALGORITHMS)}")
    return hashlib.new(HASH_ALGORITHMS[algorithm], data.encode()).hexdigest()


def sfn_random(seed=None):
    """``$random([seed])``: a number in [0, 1); the same seed gives the same number."""
    if seed is None:
        return random.random()
    return random.Random(seed).random()


def sfn_uuid():
    """``$uuid()``: a version 4 UUID."""
    return str(uuid.uuid4())


def sfn_parse(text=None):
    """``$parse(jsonString)``: the JSON value a string holds."""
    if not isinstance(text, str):
        _sfn_error("The argument of $parse must be a string")
    try:
        return json.loads(text)
    except ValueError:
        _sfn_error(f"The argument of $parse is not valid JSON: {text[:100]}")


def _no_eval(*_args):
    _sfn_error("$eval is not supported in Step Functions; use $parse")


SFN_FUNCTIONS = {
    "partition": sfn_partition,
    "range": sfn_range,
    "hash": sfn_hash,
    "uuid": sfn_uuid,
    "parse": sfn_parse,
}
SFN_OVERRIDES = {"random": sfn_random, "eval": _no_eval}


# --------------------------------------------------------------------------- the engine


class _CompiledExpressions(threading.local):
    """Compiled expressions by text, one cache per thread.

    jsonatapy's compiled expressions are bound to the thread that made them (a PyO3
    ``unsendable`` class: used or dropped on another thread, it raises), and executions run
    on several threads.
    """

    def __init__(self):
        self.by_text: collections.OrderedDict[str, Any] = collections.OrderedDict()


_compiled = _CompiledExpressions()


def compile_expression(expression: str):
    """The compiled expression, Step Functions' functions registered; cached per thread."""
    cache = _compiled.by_text
    compiled = cache.get(expression)
    if compiled is not None:
        return compiled
    try:
        compiled = jsonatapy.compile(expression)
    except ValueError as exc:
        raise JsonataError(str(exc)) from None
    for name, function in SFN_FUNCTIONS.items():
        compiled.register(name, function)
    for name, function in SFN_OVERRIDES.items():
        compiled.register_override(name, function)
    cache[expression] = compiled
    if len(cache) > COMPILE_CACHE_SIZE:
        cache.popitem(last=False)
    return compiled


def evaluate(expression: str, bindings: dict[str, Any] | None = None) -> Any:
    """Evaluate ``expression`` (without ``{% %}``) with ``bindings`` (names without ``$``).

    Returns the JSON value, or :data:`UNDEFINED` when the expression returns nothing.
    Raises :class:`JsonataError` with JSONata's own message when it cannot be evaluated.
    """
    compiled = compile_expression(expression)
    try:
        text = compiled.evaluate_json_or_none(None, bindings or None)
    except (ValueError, TypeError) as exc:
        raise JsonataError(str(exc)) from None
    if text is None:
        return UNDEFINED
    return json.loads(text)


def is_expression(value: Any) -> bool:
    """True when ``value`` is a JSONata expression string: exactly ``{% … %}``, nothing around."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


# --------------------------------------------------------------------------- field paths

#: How AWS names a field of a state, by the attribute of moto's component that holds it.
_FIELD_BY_ATTRIBUTE = {
    "output": "Output",
    "assign_decl": "Assign",
    "assign": "Assign",
    "parargs": "Arguments",
    "choices_decl": "Choices",
    "comparison": "Condition",
    "catch": "Catch",
    "items": "Items",
    "item_selector": "ItemSelector",
    "timeout": "TimeoutSeconds",
    "heartbeat": "HeartbeatSeconds",
    "max_items_decl": "MaxItems",
    "max_concurrency_decl": "MaxConcurrency",
    "tolerated_failure_count": "ToleratedFailureCount",
    "tolerated_failure_percentage": "ToleratedFailurePercentage",
    "error": "Error",
    "cause": "Cause",
}
#: Lists whose position is part of the field's name (``Choices[0]``, ``Catch[1]``, ``a[2]``).
_INDEXED_LISTS = {"rules", "catchers", "values"}
#: Wait's ``Seconds``/``Timestamp`` live in one attribute; the class says which.
_WAIT_FIELDS = {"SecondsJSONata": "Seconds", "TimestampJSONata": "Timestamp"}


def annotate_field_paths(program: Any) -> Any:
    """Give each JSONata string of a parsed ``program`` the field path AWS names it by.

    Sets ``field_path`` on every ``StringJSONata`` (``Output/v``, ``Arguments/ApiEndpoint``,
    ``Choices[0]/Condition``, ``Catch[0]/Output``, ``Output/list[1]``). Done once per parsed
    program (the parse cache shares programs between executions). Returns ``program``.
    """
    from moto.stepfunctions.parser.asl.component.common.string.string_expression import (
        StringJSONata,
    )
    from moto.stepfunctions.parser.asl.component.component import Component
    from moto.stepfunctions.parser.asl.component.state.state import CommonStateField

    seen: set[int] = set()

    def join(path: str, segment: str) -> str:
        if not path:
            return segment
        return f"{path}{segment}" if segment.startswith("[") else f"{path}/{segment}"

    def walk(node: Any, path: str) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, StringJSONata):
            node.field_path = path
            return
        if isinstance(node, CommonStateField):
            path = ""
        if isinstance(node, dict):
            for value in node.values():
                walk(value, path)
            return
        if not isinstance(node, Component):
            return
        identifier = getattr(node, "identifier", None)
        if isinstance(identifier, str) and not isinstance(node, CommonStateField):
            path = join(path, identifier)
        for attribute, value in vars(node).items():
            segment = _FIELD_BY_ATTRIBUTE.get(attribute)
            if attribute == "wait_function":
                segment = _WAIT_FIELDS.get(type(value).__name__)
            child = join(path, segment) if segment else path
            if isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    item_path = join(child, f"[{index}]") if attribute in _INDEXED_LISTS else child
                    walk(item, item_path)
            else:
                walk(value, child)

    walk(program, "")
    return program


# --------------------------------------------------------------------------- moto components


def _variables(env) -> dict[str, Any]:
    store = env.variable_store
    return {**store._outer_scope, **store._inner_scope}


def _states_bindings(env) -> dict[str, Any]:
    """``$states`` as JSON data (moto keeps the context's times as ``datetime``)."""
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    data = env.states._states_data
    states = {"input": data.get("input"), "context": json.loads(to_json_str(data.get("context")))}
    for key in ("result", "errorOutput"):
        if data.get(key) is not None:
            states[key] = data[key]
    return states


def _evaluation_failed(env, expression: str, field: str, cause: str):
    """Record AWS's EvaluationFailed event and return the exception that fails the state."""
    from moto.stepfunctions.parser.api import EvaluationFailedEventDetails, HistoryEventType
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

    error_name = StatesErrorName(typ=StatesErrorNameType.StatesQueryEvaluationError)
    details = EvaluationFailedEventDetails(
        error=QUERY_EVALUATION_ERROR, cause=cause, location=field
    )
    exception = FailureEventException(
        failure_event=FailureEvent(
            env=env,
            error_name=error_name,
            event_type=HistoryEventType.EvaluationFailed,
            event_details=EventDetails(evaluationFailedEventDetails=details),
        )
    )
    # The event as AWS records it (cause decorated, the state named) is the failure's own
    # details too: a Task state records its failure's details again (ExecutionState
    # ._eval_state), and record_once keeps that second record of the same details out.
    decorated = EventDetails(
        evaluationFailedEventDetails=exception.get_evaluation_failed_event_details()
    )
    exception.failure_event.event_details = decorated
    env.event_manager.add_event(
        context=env.event_history_context,
        event_type=HistoryEventType.EvaluationFailed,
        event_details=decorated,
    )
    return exception


#: How many recently recorded failure details each event manager remembers.
_RECENT_DETAILS = 16


def record_once(moto_add_event):
    """``EventManager.add_event``: the very same failure details are recorded once.

    An ``EvaluationFailed`` raised inside a Task state was recorded where it happened and
    again by the Task's failure handling, so its history had two ``EvaluationFailed``
    events (the second without the state's name); AWS records one."""

    def add_event(self, context, event_type, event_details=None, *args, **kwargs):
        recent = self.__dict__.setdefault("_lab_recent_details", collections.deque(
            maxlen=_RECENT_DETAILS))
        if event_details is not None and str(event_type).endswith("EvaluationFailed"):
            for details, event_id in recent:
                if details is event_details:
                    return event_id
        event_id = moto_add_event(self, context, event_type, event_details, *args, **kwargs)
        if event_details is not None and str(event_type).endswith("EvaluationFailed"):
            recent.append((event_details, event_id))
        return event_id

    return add_event


def _string_jsonata_eval_body(self, env) -> None:
    field = getattr(self, "field_path", None) or env.next_field_name or "Output"
    bindings = {**_variables(env), "states": _states_bindings(env)}
    try:
        result = evaluate(self.expression, bindings)
    except JsonataError as exc:
        raise _evaluation_failed(
            env,
            self.expression,
            field,
            f"The JSONata expression '{self.expression}' specified for the field '{field}' "
            f"threw an error during evaluation. {exc.message}",
        ) from None
    if result is UNDEFINED:
        raise _evaluation_failed(
            env,
            self.expression,
            field,
            f"The JSONata expression '{self.expression}' specified for the field '{field}' "
            "returned nothing (undefined).",
        )
    env.stack.append(result)


def _string_variable_sample_eval_body(self, env) -> None:
    """A ``$name…`` read: a variable in JSONPath (``"x.$": "$v"``, ``*Path``) or JSONata."""
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
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
    from moto.stepfunctions.parser.asl.component.common.query_language import QueryLanguageMode
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    bindings = _variables(env)
    if self.query_language_mode == QueryLanguageMode.JSONata:
        bindings["states"] = _states_bindings(env)
    try:
        result = evaluate(self.expression, bindings)
    except JsonataError:
        result = UNDEFINED
    if result is UNDEFINED:
        variables = json.dumps(bindings, separators=(",", ":"), default=str)
        cause = (
            f"The JSONPath '{self.expression}' specified for the field "
            f"'{env.next_field_name}' could not be found in the variables '{variables}'"
        )
        raise FailureEventException(
            failure_event=FailureEvent(
                env=env,
                error_name=StatesErrorName(typ=StatesErrorNameType.StatesRuntime),
                event_type=HistoryEventType.TaskFailed,
                event_details=EventDetails(
                    taskFailedEventDetails=TaskFailedEventDetails(
                        error=StatesErrorNameType.StatesRuntime.to_name(), cause=cause
                    )
                ),
            )
        )
    env.stack.append(result)


def decorated_error_output(moto_construct_error_output_value):
    """``ExecutionState._construct_error_output_value``: a caught ``States.QueryEvaluationError``
    carries the cause AWS gives it, "An error occurred while executing the state '<name>'
    (entered at the event id #<n>). …", in ``$states.errorOutput`` / the Catch's output too
    (moto put the undecorated sentence there, and the decorated one in the history). A Map
    iteration aborted by StopExecution carries its details as text, not an object: its
    output is ``{"Error": "", "Cause": ""}`` (moto crashed on it with AttributeError)."""

    def _construct_error_output_value(failure_event):
        from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
            FailureEventException,
        )

        details = getattr(failure_event, "event_details", None) or {}
        if any(not isinstance(detail, dict) for detail in details.values()):
            return {"Error": "", "Cause": ""}
        value = moto_construct_error_output_value(failure_event)
        if value.get("Error") == QUERY_EVALUATION_ERROR and value.get("Cause"):
            details = FailureEventException(failure_event).get_execution_failed_event_details()
            if details and details.get("cause"):
                value["Cause"] = details["cause"]
        return value

    return staticmethod(_construct_error_output_value)


#: How Step Functions opens the cause of a States.Runtime / States.QueryEvaluationError.
CAUSE_PREFIX = "An error occurred while executing the state '"


def decorate_once(moto_get_execution_failed_event_details):
    """``FailureEventException.get_execution_failed_event_details``: a cause that already
    names its state is not decorated again. A Map iteration's failure reaches the Map state
    with the inner state's decorated cause, which moto prefixed a second time ("… the state
    'None' (entered at …). An error occurred while executing the state 'I' …")."""

    def get_execution_failed_event_details(self):
        details = moto_get_execution_failed_event_details(self)
        pair = self.extract_error_cause_pair()
        if details and pair and isinstance(pair[1], str) and pair[1].startswith(CAUSE_PREFIX):
            details["cause"] = pair[1]
        return details

    return get_execution_failed_event_details


_STRING_EXPRESSION = "moto.stepfunctions.parser.asl.component.common.string.string_expression"
_CONTRACTS = "tests/contracts/test_moto_jsonata.py::"


def seams():
    """The JSONata engine's seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    contract = (
        _CONTRACTS + "test_the_two_evaluating_components_are_patched_and_keep_moto_s_originals"
    )
    why = "moto 5.2.5 ships its JSONata engine stubbed out"
    return (
        Seam(
            __name__,
            f"{_STRING_EXPRESSION}:StringJSONata._eval_body",
            _string_jsonata_eval_body,
            why,
            contract,
        ),
        Seam(
            __name__,
            f"{_STRING_EXPRESSION}:StringVariableSample._eval_body",
            _string_variable_sample_eval_body,
            why,
            contract,
        ),
        Seam(
            __name__,
            "moto.stepfunctions.parser.asl.component.state.exec.execute_state:"
            "ExecutionState._construct_error_output_value",
            decorated_error_output,
            "moto's error output for a caught QueryEvaluationError lacks AWS's cause prefix",
            _CONTRACTS + "test_the_error_output_is_built_from_the_failure_event_details",
            kind="wrap",
        ),
        Seam(
            __name__,
            "moto.stepfunctions.parser.asl.component.common.error_name.failure_event:"
            "FailureEventException.get_execution_failed_event_details",
            decorate_once,
            "moto decorates a Map iteration's already decorated cause a second time",
            _CONTRACTS
            + "test_failure_events_decorate_a_query_evaluation_error_cause_with_state_and_event_id",
            kind="wrap",
        ),
        Seam(
            __name__,
            "moto.stepfunctions.parser.asl.eval.event.event_manager:EventManager.add_event",
            record_once,
            "a Task state recorded an EvaluationFailed a second time",
            _CONTRACTS + "test_a_task_state_records_its_failure_event_details_itself",
            kind="wrap",
        ),
    )
