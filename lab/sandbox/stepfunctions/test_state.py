"""TestState: run one state on its own, as Step Functions' debugging API does.

https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html and
https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html: one state's
definition, an ``input`` and optional ``variables``; ``inspectionLevel`` INFO (output, error,
cause, status, nextState), DEBUG (adds ``inspectionData``: input, afterInputPath,
afterParameters / afterArguments, result, afterResultSelector, afterResultPath, variables) or
TRACE (for an HTTP Task also the raw ``request`` and ``response``). What the connection adds to
the request (the API key header, its query and body parameters) is left out unless
``revealSecrets`` is true, which on AWS needs ``states:RevealSecrets``. TestState does not retry
or follow a catcher: a matching retrier makes the status ``RETRIABLE``, a matching catcher
``CAUGHT_ERROR`` with the catcher's ``Next`` as ``nextState``.

moto 5.2.5 carries LocalStack's TestState interpreter (``TestStateAmazonStateLanguageParser``,
``TestStateEnvironment``) but no TestState response (the API answered HTTP 500); this wires it,
with the HTTP Task going through the same modelled network path as an execution.
Every moto internal used here has a contract test in ``tests/contracts/test_moto_test_state.py``.
"""

from __future__ import annotations

import copy
import datetime
import json
from typing import Any

from lab.sandbox.stepfunctions import jsonata
from lab.sandbox.stepfunctions.exceptions import InvalidDefinition, ValidationException
from lab.sandbox.stepfunctions.inspection import REVEAL_KEY

INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
#: Where the HTTP Task finds TestState's reveal flag (inspection data travels with every frame).
TEST_STATE_NAME = "TestState"
#: Errors ``States.ALL`` does not match (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
NOT_MATCHED_BY_ALL = ("States.Runtime",)


def _json(text: str | None, what: str, default: Any) -> Any:
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError:
        raise ValidationException(f"The {what} is not valid JSON.") from None


def _dumps(value: Any) -> str:
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    return to_json_str(value, separators=(",", ":"))


def _matches(error_equals: list[str], error: str) -> bool:
    if error in error_equals:
        return True
    return "States.ALL" in error_equals and error not in NOT_MATCHED_BY_ALL


def _the_state(definition: dict, state_name: str | None) -> tuple[dict, str | None]:
    """(the state to test, the query language it inherits) from TestState's ``definition``."""
    if "States" in definition:
        if not state_name:
            raise ValidationException(
                "A state machine definition needs stateName naming one of its states."
            )
        from lab.sandbox.stepfunctions.test_state_mocks import find_state

        found = find_state(definition, state_name)
        if found is None:  # (recorded) AWS's words, for a name at no level of the definition
            raise ValidationException("State not found in definition")
        return found
    return definition, None


def test_state(
    region: str,
    account_id: str,
    definition_text: str,
    role_arn: str | None = None,
    input_text: str | None = None,
    inspection_level: str | None = None,
    reveal_secrets: bool = False,
    variables_text: str | None = None,
    state_name: str | None = None,
    mock: dict | None = None,
    context_text: str | None = None,
    state_configuration: dict | None = None,
) -> dict[str, Any]:
    """TestState's output (botocore's ``TestStateOutput`` shape)."""
    from moto.stepfunctions.parser.api import StateMachineType
    from moto.stepfunctions.parser.asl.eval.evaluation_details import AWSExecutionDetails
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventHistoryContext
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramError
    from moto.stepfunctions.parser.asl.eval.states import (
        ContextObjectData,
        ExecutionData,
        StateMachineData,
    )
    from moto.stepfunctions.parser.asl.eval.test_state.environment import TestStateEnvironment
    from moto.stepfunctions.parser.asl.eval.test_state.program_state import (
        ProgramChoiceSelected,
    )
    from moto.stepfunctions.parser.asl.parse.test_state.asl_parser import (
        TestStateAmazonStateLanguageParser,
    )

    from lab.sandbox.stepfunctions.executions import aws_timestamp

    level = inspection_level or "INFO"
    if level not in INSPECTION_LEVELS:
        raise ValidationException(f"inspectionLevel must be one of {', '.join(INSPECTION_LEVELS)}")
    definition = _json(definition_text, "definition", None)
    if not isinstance(definition, dict):
        raise InvalidDefinition("Invalid State Machine Definition: 'the definition must be an "
                                "object: one state, or a state machine with stateName'")
    state, inherited_language = _the_state(definition, state_name)
    if not isinstance(state, dict) or "Type" not in state:
        raise InvalidDefinition("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
                                "These fields are required: [Type] at /'")
    from lab.sandbox.stepfunctions import test_state_mocks as mocks

    if mock is None:  # Map/Parallel and context need a mock
        mocks.validate(state, None, bool(reveal_secrets), context_text)
    config = mocks.configuration_of(state_configuration, mock is not None)
    state = copy.deepcopy(state)
    if inherited_language and "QueryLanguage" not in state:
        state["QueryLanguage"] = inherited_language
    retriers = state.pop("Retry", None) or []
    catchers = state.pop("Catch", None) or []
    execution_input = _json(input_text, "input", {})
    variables = _json(variables_text, "variables", {})
    if not isinstance(variables, dict):
        raise ValidationException("The variables must be a JSON object.")

    try:
        from lab.sandbox.stepfunctions.programs import grammar_readable

        if state["Type"] in ("Map", "Parallel"):
            program = mocks.parse_map_or_parallel(state, state_name or TEST_STATE_NAME)
        else:
            program = TestStateAmazonStateLanguageParser.parse(
                grammar_readable(json.dumps(state)))[0]
    except Exception as error:  # noqa: BLE001 - refused definitions are answered in words
        from lab.sandbox.stepfunctions.definition import (
            not_emulated_message,
            parser_reason,
        )

        raise InvalidDefinition(not_emulated_message(parser_reason(error))) from None
    jsonata.annotate_field_paths(program)
    mocked = None
    if mock is not None:
        mocked = mocks.validate(state, mock, bool(reveal_secrets), context_text, program.test_state)
        config.raw_state = state
        mocks.install(program.test_state, state["Type"], mocked, config)
    _record_after_arguments(program.test_state)

    from moto.moto_api._internal import mock_random

    name = f"{TEST_STATE_NAME}-{mock_random.uuid4().hex[:12]}"  # seeded in the sandbox
    machine_arn = f"arn:aws:states:{region}:{account_id}:stateMachine:{name}"
    role = role_arn or f"arn:aws:iam::{account_id}:role/TestState"
    env = TestStateEnvironment(
        aws_execution_details=AWSExecutionDetails(
            account=account_id, region=region, role_arn=role
        ),
        execution_type=StateMachineType.STANDARD,
        context=ContextObjectData(
            Execution=ExecutionData(
                Id=f"arn:aws:states:{region}:{account_id}:execution:{name}:{name}",
                Input=execution_input,
                Name=name,
                RoleArn=role,
                StartTime=aws_timestamp(datetime.datetime.now(datetime.UTC)),
                RedriveCount=0,
            ),
            StateMachine=StateMachineData(Id=machine_arn, Name=name),
        ),
        event_history_context=EventHistoryContext.of_program_start(),
        activity_store={},
    )
    env.variable_store._inner_scope.update(variables)
    env.inspection_data[REVEAL_KEY] = bool(reveal_secrets)
    if mocked is not None:
        mocks.apply_context(env, mocked.context, program.test_state)
    program.eval(env)
    if config.deferred_error is not None:
        raise config.deferred_error

    inspection = dict(env.inspection_data)
    inspection.pop(REVEAL_KEY, None)
    _complete_jsonpath_steps(inspection, state)
    assigned = {**env.variable_store._outer_scope, **env.variable_store._inner_scope}
    if assigned:
        inspection["variables"] = _dumps(assigned)
    exit_state = env.program_state()
    result: dict[str, Any] = {}
    if isinstance(exit_state, ProgramError):
        error = exit_state.error.get("error") or "States.Runtime"
        cause = exit_state.error.get("cause")
        if mocked is not None:
            cause = mocks.undecorated_cause(error, cause)
        result.update(error=error)
        if cause is not None:
            result["cause"] = cause
        outcome = mocks.error_outcome(error, retriers, catchers, config.retrier_retry_count)
        result["status"] = outcome.status
        if outcome.error_details:
            inspection["errorDetails"] = outcome.error_details
        catcher = outcome.catcher
        if catcher is not None:
            result["nextState"] = catcher.get("Next")
            result["output"] = _dumps(
                _caught_output(catcher, state, execution_input, error, cause, assigned)
            )
    else:
        result["status"] = "SUCCEEDED"
        result["output"] = mocks.output_text(env.states.get_input(), mocked, _dumps)
        if isinstance(exit_state, ProgramChoiceSelected):
            result["nextState"] = exit_state.next_state_name
        elif state.get("Next"):
            result["nextState"] = state["Next"]
    if level in ("DEBUG", "TRACE"):
        if level == "DEBUG":
            inspection.pop("request", None)
            inspection.pop("response", None)
        result["inspectionData"] = inspection
    return result


def _complete_jsonpath_steps(inspection: dict, state: dict) -> None:
    """The JSONPath steps a state went through that its definition does not write out.

    moto records ``afterInputPath``, ``afterParameters``, ``afterResultSelector`` and
    ``afterResultPath`` only for a field the state declares; AWS reports each step the state
    passed, a missing field being the identity (``InputPath``/``ResultPath`` default ``$``).
    Recorded on AWS (LocalStack's parity snapshots, stepfunctions/v2/test_state
    test_base_lambda_task_state[DEBUG]): a Task with none of the fields has input,
    afterInputPath, afterParameters, result, afterResultSelector, afterResultPath; a Pass
    without ``Result`` the same but ``result``; a Pass with ``Result`` has result,
    afterResultSelector, afterResultPath only; Choice, Succeed and Fail have afterInputPath.
    A step after the one that failed is not reported.
    """
    if state.get("QueryLanguage") == "JSONata":
        return
    kind = state.get("Type")
    pass_with_result = kind == "Pass" and "Result" in state

    def default(key: str, field: str, previous: str) -> None:
        if key not in inspection and field not in state and previous in inspection:
            inspection[key] = inspection[previous]

    if kind in ("Task", "Pass", "Choice", "Succeed", "Fail") and not pass_with_result:
        default("afterInputPath", "InputPath", "input")
    if kind == "Task":
        default("afterParameters", "Parameters", "afterInputPath")
        default("afterResultSelector", "ResultSelector", "result")
    elif kind == "Pass" and not pass_with_result:
        default("afterParameters", "Parameters", "afterInputPath")
        default("afterResultSelector", "ResultSelector", "afterParameters")
    elif pass_with_result:
        default("afterResultSelector", "ResultSelector", "result")
    if kind in ("Task", "Pass"):
        default("afterResultPath", "ResultPath", "afterResultSelector")


def _caught_output(catcher, state, state_input, error, cause, variables) -> Any:
    """The catcher's output: ``Output`` (JSONata) or ``ResultPath`` over the input (JSONPath)."""
    error_output = {"Error": error, "Cause": cause or ""}
    if state.get("QueryLanguage") == "JSONata":
        template = catcher.get("Output")
        if template is None:
            return error_output
        return _evaluate_template(template, {**variables, "states": {
            "input": state_input, "errorOutput": error_output}})
    result_path = catcher.get("ResultPath", "$")
    if result_path is None:
        return state_input
    if result_path == "$":
        return error_output
    return _set_path(state_input, result_path, error_output)


def _set_path(document: Any, path: str, value: Any) -> Any:
    """``document`` with ``value`` at the simple JSONPath ``path`` ($.a.b)."""
    out = copy.deepcopy(document) if isinstance(document, dict) else {}
    keys = [k for k in path.lstrip("$").split(".") if k]
    node = out
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    if keys:
        node[keys[-1]] = value
    return out


def _evaluate_template(template: Any, bindings: dict) -> Any:
    if jsonata.is_expression(template):
        value = jsonata.evaluate(template[2:-2].strip(), bindings)
        return None if value is jsonata.UNDEFINED else value
    if isinstance(template, dict):
        return {k: _evaluate_template(v, bindings) for k, v in template.items()}
    if isinstance(template, list):
        return [_evaluate_template(v, bindings) for v in template]
    return template


def _record_after_arguments(state) -> None:
    """Record a JSONata state's evaluated ``Arguments`` as inspectionData.afterArguments."""
    from moto.stepfunctions.parser.asl.component.common.parargs import Arguments

    parargs = getattr(state, "parargs", None)
    if not isinstance(parargs, Arguments):
        return
    evaluate = parargs._eval_body

    def _eval_body(env) -> None:
        evaluate(env)
        env.inspection_data["afterArguments"] = _dumps(env.stack[-1])

    parargs._eval_body = _eval_body


#: TestState request members the sandbox does not emulate (refused, never ignored).
NOT_EMULATED_MEMBERS: tuple[str, ...] = ()


def test_state_response(self):
    """StepFunctionResponse.test_state."""
    from moto.core.responses import ActionResult

    from lab.sandbox.stepfunctions import limits

    limits.check("test_state", self._get_param)
    for member in NOT_EMULATED_MEMBERS:
        if self._get_param(member) is not None:
            raise ValidationException(
                f"not emulated by the sandbox: TestState's '{member}' (leave it out: the "
                "sandbox runs the state itself, with the context of a new execution)")
    return ActionResult(
        test_state(
            region=self.region,
            account_id=self.current_account,
            definition_text=self._get_param("definition"),
            role_arn=self._get_param("roleArn"),
            input_text=self._get_param("input"),
            inspection_level=self._get_param("inspectionLevel"),
            reveal_secrets=bool(self._get_param("revealSecrets")),
            variables_text=self._get_param("variables"),
            state_name=self._get_param("stateName"),
            mock=self._get_param("mock"),
            context_text=self._get_param("context"),
            state_configuration=self._get_param("stateConfiguration"),
        )
    )


def seams():
    """TestState's seam (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    return (
        Seam(
            __name__,
            "moto.stepfunctions.responses:StepFunctionResponse.test_state",
            test_state_response,
            "moto has LocalStack's TestState interpreter but does not answer TestState",
            "tests/contracts/test_moto_test_state.py::"
            "test_moto_has_test_state_machinery_but_no_response",
            kind="add",
        ),
    )
