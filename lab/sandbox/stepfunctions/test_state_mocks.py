"""TestState with mocks, ``context`` and ``stateConfiguration`` (the API since 2025-11-19).

https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html and
https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html (botocore
1.41+: ``MockInput``, ``TestStateConfiguration``, ``InspectionErrorDetails``):

- ``mock``: ``result`` (JSON text) or ``errorOutput {error, cause}``, never both, instead of
  calling the integration; only on Task, Map and Parallel states; ``fieldValidationMode``
  STRICT (default) | PRESENT | NONE checks a mocked result against the integration's output
  shape (the HTTP Task's ``{Headers, ResponseBody, StatusCode, StatusText}``, an AWS SDK or
  optimised integration's botocore output shape);
- ``context`` (only with a mock): the context object ``$$`` the state sees (Execution,
  State, StateMachine, Task; validated with AWS's recorded messages);
- ``stateConfiguration``: ``retrierRetryCount`` (which attempt the state is on: RETRIABLE
  with the backoff the matching retrier would wait, or FAILED / CAUGHT_ERROR when its
  MaxAttempts are spent), ``errorCausedByState``, ``mapIterationFailureCount`` (judged against
  the Map's ToleratedFailureCount/Percentage), ``mapItemReaderData`` (the items a Map's
  ItemReader would have read);
- ``inspectionData``: ``errorDetails {catchIndex, retryIndex, retryBackoffIntervalSeconds}``
  and, for a Map, ``afterItemsPath``, ``afterItemsPointer``, ``afterItemSelector``,
  ``afterItemBatcher`` (:mod:`.test_state_batching`), ``maxConcurrency``,
  ``toleratedFailureCount``, ``toleratedFailurePercentage``.

Messages are AWS's, word for word, where AWS recorded them (LocalStack's parity snapshots
``tests/aws/services/stepfunctions/v2/test_state/*.snapshot.json``, recorded on AWS):
:data:`MAP_OR_PARALLEL_WITHOUT_MOCK`, :func:`not_mockable`, :data:`BOTH_RESULT_AND_ERROR`,
:data:`REVEAL_SECRETS_WITH_MOCK`, :data:`RESULT_NOT_JSON`, :data:`RESULT_NOT_ARRAY`,
:data:`RESULT_NOT_OBJECT`, :data:`PARALLEL_BRANCH_COUNT`, :data:`EXCEEDED_THRESHOLD_CAUSE`;
the schema messages ("Mock result schema validation error: Field 'Entries' must be an array",
"… Required field 'ExecutionArn' is missing", "… is not an expected value", "… is smaller than
the minimum length", "… is less than the minimum value", "… exceeds the maximum value") were
recorded too (test_field_validation_mode.snapshot.json); the rest are the sandbox's, marked so.

The mocked state runs through moto's own interpreter (InputPath, Parameters/Arguments,
ResultSelector, ResultPath, OutputPath, Output, Assign); only the state's work is replaced,
on that one parsed state object (an instance attribute, no moto class is patched).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from lab.sandbox.stepfunctions.exceptions import InvalidDefinition, ValidationException
from lab.sandbox.stepfunctions.test_state_outcome import (  # noqa: F401 - test_state's hooks
    error_outcome,
    undecorated_cause,
)

MOCKABLE_TYPES = ("Task", "Map", "Parallel")


MAP_OR_PARALLEL_WITHOUT_MOCK = (
    "TestState API does not support Map or Parallel states. Supported state types include: "
    "[Task, Wait, Pass, Succeed, Fail, Choice]"
)
BOTH_RESULT_AND_ERROR = (
    "A test mock should have only one of the following fields: [result, errorOutput]."
)
REVEAL_SECRETS_WITH_MOCK = "TestState does not support RevealSecrets when a mock is specified."
RESULT_NOT_JSON = "Mocked result must be valid JSON"
RESULT_NOT_ARRAY = "Mocked result must be an array."
RESULT_NOT_OBJECT = "Mocked result must be a JSON object."
PARALLEL_BRANCH_COUNT = (
    "Mocked result must contain the same number of items as number of Parallel branches."
)
FAILURE_COUNT_WITHOUT_MOCK = (
    "TestState does not support MapIterationFailureCount when a mock is not specified."
)
FAILURE_COUNT_ABOVE_ITERATIONS = (
    "Map iteration failure count must be less than or equal to the number of Map iterations"
)
EXCEEDED_THRESHOLD = "States.ExceedToleratedFailureThreshold"
EXCEEDED_THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"
# The sandbox's wording (AWS's not recorded):
CONTEXT_WITHOUT_MOCK = "TestState does not support Context when a mock is not specified."
MOCK_WITHOUT_RESULT = "A test mock should have one of the following fields: [result, errorOutput]."
FIELD_VALIDATION_MODES = ("STRICT", "PRESENT", "NONE")

#: The HTTP Task's output (call-https-apis.html): field -> JSON type ("any" for the body).
HTTP_TASK_OUTPUT = {
    "Headers": "object",
    "ResponseBody": "any",
    "StatusCode": "number",
    "StatusText": "string",
}
#: What a mocked HTTP Task result must carry in STRICT mode (the sandbox's choice: AWS
#: documents no required list for http:invoke; a status is what every response has).
HTTP_TASK_REQUIRED = ("StatusCode", "StatusText")


@dataclass
class Mock:
    """A validated ``mock``: a result (value and its text) or an error."""

    result_text: str | None = None
    result: Any = None
    error: str | None = None
    cause: str | None = None
    #: The validated ``context`` (the context object the state sees), if one was given.
    context: dict | None = None


@dataclass
class Configuration:
    """A validated ``stateConfiguration``."""

    retrier_retry_count: int = 0
    error_caused_by_state: str | None = None
    map_iteration_failure_count: int | None = None
    map_item_reader_data: Any = None
    #: The tested state's definition (which tolerance fields it declares).
    raw_state: dict = field(default_factory=dict)
    #: A validation error found while the state ran (raised once it has).
    deferred_error: Exception | None = field(default=None, repr=False)


def not_mockable(state_type: str) -> str:
    """AWS's refusal of a mock on ``state_type`` (recorded for Pass, Fail, Succeed)."""
    return f"State type '{state_type}' is not supported when a mock is specified"


def _json_text(text: Any, message: str) -> Any:
    if not isinstance(text, str):
        raise ValidationException(message)
    try:
        return json.loads(text)
    except ValueError:
        raise ValidationException(message) from None


def configuration_of(raw: dict | None, mocked: bool) -> Configuration:
    """``stateConfiguration`` checked as AWS checks it."""
    raw = raw or {}
    config = Configuration()
    count = raw.get("retrierRetryCount")
    if count is not None:
        if not isinstance(count, int) or count < 0:
            raise ValidationException("retrierRetryCount must be an integer of at least 0.")
        config.retrier_retry_count = count
    config.error_caused_by_state = raw.get("errorCausedByState")
    failures = raw.get("mapIterationFailureCount")
    if failures is not None:
        if not mocked:
            raise ValidationException(FAILURE_COUNT_WITHOUT_MOCK)
        if not isinstance(failures, int) or failures < 0:
            raise ValidationException("mapIterationFailureCount must be an integer of at least 0.")
        config.map_iteration_failure_count = failures
    reader = raw.get("mapItemReaderData")
    if reader is not None:
        config.map_item_reader_data = _json_text(
            reader, "mapItemReaderData must be valid JSON (the items the ItemReader would read)."
        )
    return config


def validate(
    state: dict,
    raw_mock: dict | None,
    reveal_secrets: bool,
    context_text: str | None,
    state_program: Any = None,
) -> Mock | None:
    """The request's ``mock`` checked in AWS's order; None without one."""
    kind = state.get("Type")
    if raw_mock is None:
        if kind in ("Map", "Parallel"):
            raise InvalidDefinition(MAP_OR_PARALLEL_WITHOUT_MOCK)
        if context_text is not None:
            raise ValidationException(CONTEXT_WITHOUT_MOCK)
        return None
    if kind not in MOCKABLE_TYPES:
        raise ValidationException(not_mockable(str(kind)))
    if reveal_secrets:
        raise ValidationException(REVEAL_SECRETS_WITH_MOCK)
    if "result" in raw_mock and "errorOutput" in raw_mock:
        raise ValidationException(BOTH_RESULT_AND_ERROR)
    mode = raw_mock.get("fieldValidationMode") or "STRICT"
    if mode not in FIELD_VALIDATION_MODES:
        raise ValidationException(
            f"fieldValidationMode must be one of {', '.join(FIELD_VALIDATION_MODES)}.")
    given_context = None if context_text is None else validate_context(context_text, state)
    if "errorOutput" in raw_mock:
        error_output = raw_mock.get("errorOutput") or {}
        return Mock(error=error_output.get("error"), cause=error_output.get("cause"),
                    context=given_context)
    if "result" not in raw_mock:
        raise ValidationException(MOCK_WITHOUT_RESULT)
    text = raw_mock["result"]
    result = _json_text(text, RESULT_NOT_JSON)
    if kind == "Map":
        if "ResultWriter" in state:
            if not isinstance(result, dict):
                raise ValidationException(RESULT_NOT_OBJECT)
        elif not isinstance(result, list):
            raise ValidationException(RESULT_NOT_ARRAY)
    elif kind == "Parallel":
        if not isinstance(result, list):
            raise ValidationException(RESULT_NOT_ARRAY)
        if len(result) != len(state.get("Branches") or []):
            raise ValidationException(PARALLEL_BRANCH_COUNT)
    elif kind == "Task" and mode != "NONE" and result is not None:
        _validate_task_result(state, result, mode, state_program)
    return Mock(result_text=text, result=result, context=given_context)


# --------------------------------------------------------------------------- field validation


def _schema_error(text: str) -> ValidationException:
    return ValidationException(f"Mock result schema validation error: {text}")


def _json_type_ok(value: Any, kind: str) -> bool:
    if kind == "any":
        return True
    if kind == "object":
        return isinstance(value, dict)
    if kind == "string":
        return isinstance(value, str)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return True


_TYPE_WORDS = {"object": "an object", "string": "a string", "number": "a number"}


def validate_http_result(result: Any, mode: str) -> None:
    """A mocked HTTP Task result against ``{Headers, ResponseBody, StatusCode, StatusText}``."""
    if not isinstance(result, dict):
        raise ValidationException(
            "Mock result must be a valid JSON object: the HTTP Task's output is "
            "{Headers, ResponseBody, StatusCode, StatusText}.")
    if mode == "STRICT":
        for name in HTTP_TASK_REQUIRED:
            if name not in result:
                raise _schema_error(f"Required field '{name}' is missing")
    for name, kind in HTTP_TASK_OUTPUT.items():
        if name in result and not _json_type_ok(result[name], kind):
            raise _schema_error(f"Field '{name}' must be {_TYPE_WORDS[kind]}")


def _validate_task_result(state: dict, result: Any, mode: str, state_program: Any) -> None:
    resource = str(state.get("Resource", ""))
    if resource.startswith("arn:aws:states:::http:invoke"):
        validate_http_result(result, mode)
        return
    if resource.endswith((".sync", ".sync:2", ".waitForTaskToken")):
        # A callback task's result is what SendTaskSuccess sent, a .sync task's that of the
        # job's describe call: not the start call's output shape (the sandbox checks neither).
        return
    shape = _botocore_output_shape(state_program)
    if shape is not None:
        _validate_shape(result, shape, mode, None)


def _botocore_output_shape(state_program: Any) -> Any:
    """The botocore output shape of an AWS SDK / optimised integration (None if unknown)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (  # noqa: E501
        StateTaskService,
    )

    if not isinstance(state_program, StateTaskService):
        return None
    try:
        import botocore.session

        service = state_program._get_boto_service_name()
        action = state_program._get_boto_service_action()
        model = botocore.session.get_session().get_service_model(service)
        for name in model.operation_names:
            if _snake(name) == action:
                return model.operation_model(name).output_shape
    except Exception:  # noqa: BLE001 - an integration botocore does not know: nothing to check
        return None
    return None


def _snake(name: str) -> str:
    from moto.stepfunctions.parser.utils import camel_to_snake_case

    return camel_to_snake_case(name)


def _check_range(measure: float, shape: Any, name: str | None, what: str) -> None:
    """botocore's min/max (recorded: "Field 'CiphertextBlob' is smaller than the minimum
    length", "Field 'MemorySize' is less than the minimum value", "… exceeds the maximum
    value"; "… exceeds the maximum length" follows the same pattern, not recorded)."""
    metadata = getattr(shape, "metadata", {}) or {}
    low, high = metadata.get("min"), metadata.get("max")
    if low is not None and measure < low:
        words = "is smaller than the minimum length" if what == "length" else (
            "is less than the minimum value")
        raise _schema_error(f"Field '{name}' {words}")
    if high is not None and measure > high:
        raise _schema_error(f"Field '{name}' exceeds the maximum {what}")


def _validate_shape(value: Any, shape: Any, mode: str, name: str | None) -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (  # noqa: E501
        StateTaskService,
    )

    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise _schema_error(f"Field '{name}' must be an object")
        members = {StateTaskService._to_sfn_cased(k): v for k, v in shape.members.items()}
        if mode == "STRICT":
            for required in shape.required_members:
                key = StateTaskService._to_sfn_cased(required)
                if key not in value:
                    raise _schema_error(f"Required field '{key}' is missing")
        for key, member_value in value.items():
            if key in members:
                _validate_shape(member_value, members[key], mode, key)
    elif kind == "list":
        if not isinstance(value, list):
            raise _schema_error(f"Field '{name}' must be an array")
        for item in value:
            _validate_shape(item, shape.member, mode, name)
    elif kind == "map":
        if not isinstance(value, dict):
            raise _schema_error(f"Field '{name}' must be an object")
        for item in value.values():
            _validate_shape(item, shape.value, mode, name)
    elif kind in ("string", "timestamp", "blob"):
        if not isinstance(value, str):
            raise _schema_error(f"Field '{name}' must be a string")
        enum = getattr(shape, "enum", None)
        if enum and value not in enum:
            raise _schema_error(f"Field '{name}' is not an expected value")
        _check_range(len(value), shape, name, "length")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise _schema_error(f"Field '{name}' must be a number")
        _check_range(value, shape, name, "value")
    elif kind in ("float", "double"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise _schema_error(f"Field '{name}' must be a number")
        _check_range(value, shape, name, "value")
    elif kind == "boolean" and not isinstance(value, bool):
        raise _schema_error(f"Field '{name}' must be a boolean")


# --------------------------------------------------------------------------- parsing


def find_state(machine: dict, name: str, language: str | None = None
               ) -> tuple[dict, str | None] | None:
    """(the state ``name`` of a state machine definition, the query language it inherits),
    at any depth: a Map's ItemProcessor/Iterator and a Parallel's branches count (recorded:
    stateName "HandleItem", a state inside a Map's ItemProcessor, is tested on its own)."""
    language = machine.get("QueryLanguage", language)
    states = machine.get("States")
    if not isinstance(states, dict):
        return None
    if isinstance(states.get(name), dict):
        return states[name], language
    for state in states.values():
        if not isinstance(state, dict):
            continue
        inner_language = state.get("QueryLanguage", language)
        for inner in (state.get("ItemProcessor"), state.get("Iterator"),
                      *(state.get("Branches") or [])):
            if isinstance(inner, dict):
                found = find_state(inner, name, inner_language)
                if found is not None:
                    return found
    return None



def parse_map_or_parallel(state: dict, name: str) -> Any:
    """A TestState program for a Map or Parallel state.

    moto's TestState parser reads nested states as test programs (and fails on an
    ItemProcessor or a branch), so the state is read by the state machine parser inside a
    one-state machine and wrapped in moto's ``TestStateProgram``.
    """
    from moto.stepfunctions.parser.asl.component.test_state.program.test_state_program import (
        TestStateProgram,
    )
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    from lab.sandbox.stepfunctions import test_state_batching
    from lab.sandbox.stepfunctions.programs import grammar_readable

    readable = test_state_batching.grammar_readable(state)  # ItemBatcher, ItemsPointer
    single = {k: v for k, v in readable.items() if k not in ("Next", "End")}
    single["End"] = True
    machine = {"StartAt": name, "States": {name: single}}
    if state.get("QueryLanguage"):
        machine["QueryLanguage"] = state["QueryLanguage"]
    program = AmazonStateLanguageParser.parse(grammar_readable(json.dumps(machine)))[0]
    return TestStateProgram(test_state=program.states.states[name])


# --------------------------------------------------------------------------- running


def _spaced(value: Any) -> str:
    """JSON text as AWS writes a Map's inspection data (recorded: "[\"first\", \"second\"]")."""
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    return to_json_str(value)


def _dumps(value: Any) -> str:
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    return to_json_str(value, separators=(",", ":"))


def _mock_failure(env: Any, error: str | None, cause: str | None) -> Exception:
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
        CustomErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    details = TaskFailedEventDetails()
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return FailureEventException(
        failure_event=FailureEvent(
            env=env,
            error_name=CustomErrorName(error or ""),
            event_type=HistoryEventType.TaskFailed,
            event_details=EventDetails(taskFailedEventDetails=details),
        )
    )


def install(state: Any, kind: str, mock: Mock, config: Configuration) -> None:
    """Replace ``state``'s work (this parsed object only) by the mock."""
    state._lab_raw = config.raw_state
    if kind in ("Map", "Parallel"):
        _record_after(state, "result_selector", "afterResultSelector", lambda env: env.stack[-1])
        _record_after(state, "result_path", "afterResultPath", lambda env: env.stack[-1])
    if kind == "Task":
        state._eval_execution = _task_execution(state, mock)
    elif kind == "Map":
        state._eval_execution = _map_execution(state, mock, config)
    elif kind == "Parallel":
        state._eval_execution = _parallel_execution(state, mock)


def _record_after(state: Any, attribute: str, key: str, value_of) -> None:
    """Record inspectionData[key] after the state's ``attribute`` component runs (moto's
    TestState parser does this for the states it reads; Map and Parallel are read by the
    state machine parser)."""
    component = getattr(state, attribute, None)
    if component is None or not state._is_language_query_jsonpath():
        return
    evaluate = component._eval_body

    def _eval_body(env: Any) -> None:
        evaluate(env)
        env.inspection_data[key] = _spaced(value_of(env))

    component._eval_body = _eval_body


def _task_execution(state: Any, mock: Mock):
    def _eval_execution(env: Any) -> None:
        if getattr(state, "parargs", None) is not None:  # afterParameters / afterArguments
            state.parargs.eval(env=env)
            env.stack.pop()
        if mock.error is not None or mock.result_text is None:
            raise _mock_failure(env, mock.error, mock.cause)
        env.stack.append(copy.deepcopy(mock.result))
        env.inspection_data["result"] = _spaced(env.stack[-1])

    return _eval_execution


def _parallel_execution(state: Any, mock: Mock):
    def _eval_execution(env: Any) -> None:
        if state._is_language_query_jsonpath():
            env.inspection_data["afterInputPath"] = _spaced(env.states.get_input())
        if env.stack:
            env.stack.pop()  # the branches' input
        if mock.error is not None or mock.result_text is None:
            raise _mock_failure(env, mock.error, mock.cause)
        env.stack.append(copy.deepcopy(mock.result))

    return _eval_execution


def _map_execution(state: Any, mock: Mock, config: Configuration):
    from lab.sandbox.stepfunctions import test_state_batching as batching

    def _eval_execution(env: Any) -> None:
        inspection = env.inspection_data
        jsonpath = state._is_language_query_jsonpath()
        if jsonpath:
            inspection["afterInputPath"] = _spaced(env.states.get_input())
        state.max_concurrency_decl.eval(env=env)
        inspection["maxConcurrency"] = int(env.stack.pop())
        items = _map_items(state, env, config)
        if items is not None and state.items_path is not None and state.item_reader is None:
            inspection["afterItemsPath"] = _spaced(items)
        tolerated_count, tolerated_percentage = _tolerance(state, env)
        if tolerated_count is not None:
            inspection["toleratedFailureCount"] = tolerated_count
        if tolerated_percentage is not None:
            inspection["toleratedFailurePercentage"] = float(tolerated_percentage)
        if items is not None and batching.items_pointer(config.raw_state) is not None:
            inspection["afterItemsPointer"] = _spaced(items)
        selected = items
        if items is not None and state.item_selector is not None:
            selected = batching.select_items(state, env, items)
            if selected is not None:
                inspection["afterItemSelector"] = _spaced(selected)
        batched = batching.batches(config.raw_state, env, selected, not jsonpath) \
            if selected is not None else None
        if batched is not None:
            inspection["afterItemBatcher"] = _spaced(batched)
        failures = config.map_iteration_failure_count
        if failures is not None and items is not None and failures > len(items):
            config.deferred_error = ValidationException(FAILURE_COUNT_ABOVE_ITERATIONS)
            raise _mock_failure(env, "States.Runtime", FAILURE_COUNT_ABOVE_ITERATIONS)
        if mock.error is not None or mock.result_text is None:
            raise _mock_failure(env, mock.error, mock.cause)
        if failures and _exceeds(failures, len(items or []), tolerated_count, tolerated_percentage):
            raise _mock_failure(env, EXCEEDED_THRESHOLD, EXCEEDED_THRESHOLD_CAUSE)
        env.stack.append(copy.deepcopy(mock.result))

    return _eval_execution


def _map_items(state: Any, env: Any, config: Configuration) -> list | None:
    if state.item_reader is not None:
        from lab.sandbox.stepfunctions.test_state_batching import pointed_items

        try:
            data = pointed_items(config.raw_state, config.map_item_reader_data)
        except ValueError as error:
            raise _mock_failure(env, "States.Runtime", str(error)) from None
        return data if isinstance(data, list) else None
    if state.items_path is not None:
        state.items_path.eval(env=env)
    elif getattr(state, "items", None) is not None:
        state.items.eval(env=env)
    else:
        return None
    items = env.stack.pop()
    if not isinstance(items, list) and state.items_path is not None:
        # (recorded) ItemsPath "$$.Execution.Input" on an object: States.Runtime
        # 'Reference path "$.Execution.Input" must point to array.'
        path = str((getattr(state, "_lab_raw", {}) or {}).get("ItemsPath", "$"))
        path = "$" + path[2:] if path.startswith("$$") else path
        raise _mock_failure(env, "States.Runtime", f'Reference path "{path}" must point to array.')
    return items if isinstance(items, list) else None


def _tolerance(state: Any, env: Any) -> tuple[int | None, float | None]:
    count = percentage = None
    raw = getattr(state, "_lab_raw", {}) or {}
    if "ToleratedFailureCount" in raw or "ToleratedFailureCountPath" in raw:
        state.tolerated_failure_count_decl.eval(env=env)
        count = int(env.stack.pop())
    if "ToleratedFailurePercentage" in raw or "ToleratedFailurePercentagePath" in raw:
        state.tolerated_failure_percentage_decl.eval(env=env)
        percentage = env.stack.pop()
    return count, percentage


def _exceeds(failures: int, total: int, count: int | None, percentage: float | None) -> bool:
    """Past the threshold (use-dist-map-orchestrate…: a Map fails when the failures exceed
    ToleratedFailureCount or ToleratedFailurePercentage). A Map declaring neither was
    recorded succeeding with mapIterationFailureCount 2 of 3 (LocalStack's
    test_map_state_failure_count[BASE_MAP_STATE], recorded on AWS)."""
    if count is None and percentage is None:
        return False
    if count is not None and failures > count:
        return True
    return bool(percentage is not None and total and failures * 100.0 / total > percentage)


#: The context object fields a mocked TestState accepts (contextobject.html; recorded: any
#: other is "Field '<name>' is not allowed", and 'Map' has its own message).
CONTEXT_FIELDS = {
    "Execution": {"Id": "string", "Input": "any", "Name": "string", "RoleArn": "string",
                  "StartTime": "string", "RedriveCount": "integer", "RedriveTime": "string"},
    "State": {"EnteredTime": "string", "Name": "string", "RetryCount": "integer"},
    "StateMachine": {"Id": "string", "Name": "string"},
    "Task": {"Token": "string"},
}
CONTEXT_PREFIX = "Invalid Context object provided: "
CONTEXT_MAP = CONTEXT_PREFIX + "'Map' field is not supported when mocking a Context object"
CONTEXT_TASK = (CONTEXT_PREFIX + "Context object contains 'Task' when state is not a Task "
                "state with a '.sync' or '.waitForTaskToken' service integration pattern")


def validate_context(context_text: str, state: dict) -> dict:
    """The request's ``context`` checked with AWS's recorded messages (LocalStack's
    test_state_context_object.snapshot.json, recorded on AWS)."""
    value = _json_text(context_text, CONTEXT_PREFIX + "the context must be valid JSON")
    if not isinstance(value, dict):
        raise ValidationException(CONTEXT_PREFIX + "the context must be a JSON object")
    for key, part in value.items():
        if key == "Map":
            raise ValidationException(CONTEXT_MAP)
        if key not in CONTEXT_FIELDS:
            raise ValidationException(CONTEXT_PREFIX + f"Field '{key}' is not allowed")
        if not isinstance(part, dict):
            raise ValidationException(CONTEXT_PREFIX + f"{key} must be an object")
        for field_name, field_value in part.items():
            kind = CONTEXT_FIELDS[key].get(field_name)
            if kind is None:
                raise ValidationException(CONTEXT_PREFIX + f"Field '{field_name}' is not allowed")
            if kind == "string" and not isinstance(field_value, str):
                raise ValidationException(CONTEXT_PREFIX + f"{key}.{field_name} must be a string")
            if kind == "integer" and (not isinstance(field_value, int)
                                      or isinstance(field_value, bool)):
                raise ValidationException(
                    CONTEXT_PREFIX + f"{key}.{field_name} must be an integer")
    resource = str(state.get("Resource", ""))
    if "Task" in value and not (state.get("Type") == "Task" and resource.endswith(
            (".sync", ".sync:2", ".waitForTaskToken"))):
        raise ValidationException(CONTEXT_TASK)
    return value


class _Part(dict):
    """A given context object part: a field it leaves out reads as null inside the
    interpreter (moto's frames read ``Execution.Input``) and is still left out of ``$$``."""

    def __missing__(self, key: str) -> None:
        return None


def apply_context(env: Any, given: dict | None, state: Any = None) -> None:
    """The request's ``context`` as the context object ``$$`` (recorded: the given object
    replaces it). The sandbox keeps its own Execution and StateMachine when the given context
    leaves them out (moto's interpreter needs them to open frames), and the given State is
    put back when the state starts (moto writes its own on entering a state)."""
    if given is None:
        return
    data = env.states.context_object.context_object_data
    for key in list(data):
        if key in given or key not in ("Execution", "StateMachine"):
            data.pop(key)
    for key, part in given.items():
        data[key] = _Part(copy.deepcopy(part))
    if "Task" in given:  # a callback task takes the given token rather than a new one
        context_object = env.states.context_object

        def update_task_token() -> str | None:
            context_object.context_object_data["Task"] = _Part(copy.deepcopy(given["Task"]))
            return given["Task"].get("Token")

        context_object.update_task_token = update_task_token
    if "State" in given and state is not None:
        evaluate = state._eval_state

        def _eval_state(env: Any) -> None:
            env.states.context_object.context_object_data["State"] = _Part(copy.deepcopy(
                given["State"]))
            evaluate(env)

        state._eval_state = _eval_state


def output_text(value: Any, mock: Mock | None, dumps) -> str:
    """The output as AWS writes it: a mocked result passed through unchanged keeps the
    mock's own text (recorded: mock "[1, 4, 9]" -> output "[1, 4, 9]")."""
    if mock is not None and mock.result_text is not None and value == mock.result:
        return mock.result_text
    return dumps(value)
