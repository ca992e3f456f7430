"""State machine definitions checked the way Step Functions checks them, in its words.

CreateStateMachine / UpdateStateMachine refuse an invalid definition with ``InvalidDefinition``
"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required:
[States] at /'" (recorded on AWS); ValidateStateMachineDefinition returns the same findings as
diagnostics (``severity``, ``code``, ``message``, ``location``; codes listed at
https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html).
moto 5.2.5 answered with a Python ``ValueError``/``ASLParserException`` dump and has no
ValidateStateMachineDefinition.

The schema is cfn-lint's Amazon States Language schema (``cfnlint/data/schemas/other/
step_functions/statemachine.json``, kept up to date with ASL, JSONata included), applied with
jsonschema; what no schema can say (``StartAt`` and ``Next`` naming a state) is checked here.
A definition that passes both but that moto's ANTLR grammar cannot read is refused with
"not emulated by the sandbox: …", never with the parser's exception.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from importlib import resources
from typing import Any

SCHEMA_PACKAGE = "cfnlint.data.schemas.other.step_functions"
SCHEMA_FILE = "statemachine.json"

SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"
INVALID_JSON_DESCRIPTION = "INVALID_JSON_DESCRIPTION"
MISSING_TRANSITION_TARGET = "MISSING_TRANSITION_TARGET"
MISSING_DESCRIPTION = "MISSING_DESCRIPTION"


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    """One finding, shaped like ValidateStateMachineDefinitionDiagnostic."""

    code: str
    message: str
    location: str | None = None
    severity: str = "ERROR"

    def text(self) -> str:
        """As it appears inside InvalidDefinition's message: ``CODE: message at /loc``."""
        where = f" at {self.location}" if self.location is not None else ""
        return f"{self.code}: {self.message}{where}"

    def to_dict(self) -> dict[str, str]:
        out = {"severity": self.severity, "code": self.code, "message": self.message}
        if self.location is not None:
            out["location"] = self.location
        return out


@functools.cache
def _validator():
    import jsonschema

    text = resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_FILE).read_text()
    # Parallel's Branches refer to the whole schema as "#/" (cfn-lint's resolver reads that
    # as the root; jsonschema's as a property named "").
    schema = json.loads(text.replace('"$ref": "#/"', '"$ref": "#"'))
    return jsonschema.Draft202012Validator(schema)


#: Fields the schema types as numbers, which a JSONata state may write as an expression.
NUMERIC_FIELDS = (
    "TimeoutSeconds", "HeartbeatSeconds", "Seconds", "MaxConcurrency",
    "ToleratedFailureCount", "ToleratedFailurePercentage", "MaxItems",
)


SUCCEED_FIELDS_NOT_IN_SCHEMA = ("QueryLanguage", "InputPath", "OutputPath")


def _is_jsonata(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def _as_schema_sees_it(definition: Any, inherited: str = "JSONPath") -> Any:
    """A copy the schema can judge: each state names its query language (states inherit the
    top level's; the schema only looks at the state's own), and a JSONata expression standing
    in a numeric field counts as a number (it is evaluated when the state runs)."""
    if not isinstance(definition, dict):
        return definition
    language = definition.get("QueryLanguage", inherited)
    states = definition.get("States")
    if not isinstance(states, dict):
        return definition
    copied = dict(definition)
    copied["States"] = {}
    for name, state in states.items():
        if not isinstance(state, dict):
            copied["States"][name] = state
            continue
        state = dict(state)
        state_language = state.get("QueryLanguage", language)
        if state.get("Type") == "Succeed":
            # cfn-lint's Succeed schema lacks fields AWS accepts on it (QueryLanguage,
            # InputPath, OutputPath): they are not judged here.
            for field in SUCCEED_FIELDS_NOT_IN_SCHEMA:
                state.pop(field, None)
        else:
            state["QueryLanguage"] = state_language
        if state.get("Type") == "Pass" and "ResultPath" in state and state["ResultPath"] is None:
            # "ResultPath": null discards the result (input-output-resultpath.html), on a Pass
            # state too; cfn-lint's Pass schema takes only a string there.
            state.pop("ResultPath")
        if state_language == "JSONata":
            # "Output accepts any JSON value (object, array, string, number, boolean, null)"
            # and ItemSelector a JSONata expression (the CDK's JSONata props, from AWS's
            # docs); cfn-lint's schema takes only a string or an object for the first and an
            # object for the second.
            if "Output" in state and not isinstance(state["Output"], (str, dict)):
                state["Output"] = {}
            if _is_jsonata(state.get("ItemSelector")):
                state["ItemSelector"] = {}
            for field in NUMERIC_FIELDS:
                value = state.get(field)
                if isinstance(value, str) and value.startswith("{%") and value.endswith("%}"):
                    state[field] = 1
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                state[key] = _as_schema_sees_it(state[key], state_language)
        if isinstance(state.get("Branches"), list):
            state["Branches"] = [_as_schema_sees_it(b, state_language) for b in state["Branches"]]
        copied["States"][name] = state
    return copied


def _pointer(path) -> str:
    return "/" + "/".join(str(p) for p in path)


def _schema_diagnostic(error) -> Diagnostic:
    """A jsonschema error in the words Step Functions uses for it."""
    location = _pointer(error.absolute_path)
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        return Diagnostic(
            SCHEMA_VALIDATION_FAILED,
            f"These fields are required: [{', '.join(missing)}]",
            location,
        )
    if error.validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        fields = ", ".join(extra)
        return Diagnostic(
            SCHEMA_VALIDATION_FAILED,
            f"The field{'s' if len(extra) > 1 else ''} '{fields}' "
            f"{'are' if len(extra) > 1 else 'is'} not supported by Step Functions",
            location,
        )
    if error.validator == "enum":
        values = ", ".join(str(v) for v in error.validator_value)
        return Diagnostic(
            SCHEMA_VALIDATION_FAILED,
            f"The value for the field '{error.absolute_path[-1] if error.absolute_path else ''}' "
            f"must be one of [{values}]",
            location,
        )
    if error.validator == "type":
        return Diagnostic(
            SCHEMA_VALIDATION_FAILED,
            f"The value for the field '{error.absolute_path[-1] if error.absolute_path else ''}' "
            f"must be of type {error.validator_value}",
            location,
        )
    return Diagnostic(SCHEMA_VALIDATION_FAILED, error.message, location)


def _leaf_errors(errors):
    """The most specific errors (jsonschema nests if/then and allOf failures in ``context``)."""
    for error in errors:
        if error.context:
            yield from _leaf_errors(error.context)
        else:
            yield error


def _transition_diagnostics(definition: dict, base: str = "") -> list[Diagnostic]:
    """StartAt / Next / Default naming no state of their scope (the schema cannot see it)."""
    states = definition.get("States")
    if not isinstance(states, dict):
        return []
    found = []
    names = set(states)
    start = definition.get("StartAt")
    if isinstance(start, str) and start not in names:
        found.append(Diagnostic(
            MISSING_TRANSITION_TARGET, f"Missing 'Next' target: {start}", f"{base}/StartAt"))
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        where = f"{base}/States/{name}"
        targets = [("Next", state.get("Next")), ("Default", state.get("Default"))]
        for index, choice in enumerate(state.get("Choices") or []):
            if isinstance(choice, dict):
                targets.append((f"Choices/{index}/Next", choice.get("Next")))
        for index, catcher in enumerate(state.get("Catch") or []):
            if isinstance(catcher, dict):
                targets.append((f"Catch/{index}/Next", catcher.get("Next")))
        for field, target in targets:
            if isinstance(target, str) and target not in names:
                found.append(Diagnostic(
                    MISSING_TRANSITION_TARGET, f"Missing 'Next' target: {target}",
                    f"{where}/{field}"))
        for index, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, dict):
                found += _transition_diagnostics(branch, f"{where}/Branches/{index}")
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                found += _transition_diagnostics(state[key], f"{where}/{key}")
    return found


def diagnostics(definition_text: str | None) -> list[Diagnostic]:
    """Every finding for ``definition_text`` (empty: Step Functions would accept it)."""
    if not definition_text or not definition_text.strip():
        return [Diagnostic(MISSING_DESCRIPTION, "Received a null or empty workflow input")]
    try:
        definition = json.loads(definition_text)
    except ValueError as exc:
        return [Diagnostic(INVALID_JSON_DESCRIPTION, f"Invalid JSON: {exc.msg} at line "
                                                     f"{exc.lineno}, column {exc.colno}")]
    errors = sorted(
        _validator().iter_errors(_as_schema_sees_it(definition)),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    found: list[Diagnostic] = []
    for error in _leaf_errors(errors):
        diagnostic = _schema_diagnostic(error)
        if diagnostic not in found:
            found.append(diagnostic)
    if found:
        return found
    return _transition_diagnostics(definition)


def invalid_definition_message(found: list[Diagnostic]) -> str:
    """InvalidDefinition's message for ``found`` (AWS lists every finding, comma-separated)."""
    return "Invalid State Machine Definition: '" + ", ".join(d.text() for d in found) + "'"


def not_emulated_message(reason: str) -> str:
    """The refusal of a definition AWS would take but the sandbox's interpreter cannot run."""
    return f"Invalid State Machine Definition: 'not emulated by the sandbox: {reason}'"


def parser_reason(exception: BaseException) -> str:
    """What moto's parser could not read, in a sentence (never the exception's repr)."""
    errors = getattr(exception, "errors", None)
    if errors:
        first = str(errors[0])
        return f"moto 5.2.5's ASL grammar cannot read this definition ({first[:300]})"
    message = str(exception) or type(exception).__name__
    return message[:300]


def check(definition_text: str | None) -> tuple[list[Diagnostic], str | None]:
    """(AWS's findings, why the sandbox cannot run it) for ``definition_text``.

    A definition without findings is parsed through the program cache (so the first
    execution skips the parse); the HTTP Task's own checks run there.
    """
    from moto.stepfunctions.parser.asl.parse.asl_parser import ASLParserException

    from lab.sandbox.stepfunctions import programs
    from lab.sandbox.stepfunctions.http_task import HttpTaskDefinitionError

    found = diagnostics(definition_text)
    if found:
        return found, None
    try:
        programs.program_cache.template(definition_text)
    except HttpTaskDefinitionError as error:
        return [Diagnostic(SCHEMA_VALIDATION_FAILED, str(error).rstrip("."))], None
    except ASLParserException as error:
        return [], parser_reason(error)
    except Exception as error:  # noqa: BLE001 - any other parser failure, said in words
        return [], parser_reason(error)
    return [], None


def validate_response(definition_text: str | None) -> dict[str, Any]:
    """ValidateStateMachineDefinition's output for ``definition_text``.

    A definition only the sandbox cannot run is valid ASL: the result is OK, as on AWS.
    """
    found, _ = check(definition_text)
    return {
        "result": "FAIL" if found else "OK",
        "diagnostics": [d.to_dict() for d in found],
        "truncated": False,
    }


def own_query_language_scopes(moto_init):
    """``Preprocessor.__init__`` wrapped: each parse gets its own query-language scope stack.

    moto 5.2.5 declares ``_query_language_per_scope`` as a class attribute, one list shared
    by every parse in the process: a definition refused half-way (a missing field, an HTTP
    Task without a connection) leaves its scopes behind and every later parse reads the
    wrong query language ("Unsupported declaration in QueryLanguage=JSONPath block"); two
    parses on two threads interleave on it.
    """

    def __init__(self, *args, **kwargs):
        moto_init(self, *args, **kwargs)
        self._query_language_per_scope = []

    return __init__


def validate_definition(definition: str) -> None:
    """``StepFunctionsParserBackend._validate_definition``: AWS's checks in AWS's words, then
    moto's parse (through the program cache), whose refusals of valid ASL are the sandbox's."""
    from lab.sandbox.stepfunctions.exceptions import InvalidDefinition

    found, not_emulated = check(definition)
    if found:
        raise InvalidDefinition(invalid_definition_message(found))
    if not_emulated:
        raise InvalidDefinition(not_emulated_message(not_emulated))


#: moto calls it on the class: a static method (one object, so the registry can find it).
VALIDATE_DEFINITION = staticmethod(validate_definition)


def validate_state_machine_definition(self):
    """``StepFunctionResponse.validate_state_machine_definition`` (moto 5.2.5 has none)."""
    from moto.core.responses import ActionResult

    return ActionResult(validate_response(self._get_param("definition")))


def seams():
    """The definition checks' seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    contracts = "tests/contracts/test_moto_definitions.py::"
    return (
        Seam(
            __name__,
            "moto.stepfunctions.parser.asl.parse.preprocessor:Preprocessor.__init__",
            own_query_language_scopes,
            "moto's parser keeps its query-language scopes in one list shared by every parse",
            contracts + "test_moto_shares_one_query_language_scope_list_between_parses",
            kind="wrap",
            origin="builtins",
        ),
        Seam(
            __name__,
            "moto.stepfunctions.parser.models:StepFunctionsParserBackend._validate_definition",
            VALIDATE_DEFINITION,
            "moto answers an invalid definition with a Python exception's text",
            contracts + "test_moto_validates_definitions_in_one_static_method",
        ),
        Seam(
            __name__,
            "moto.stepfunctions.responses:StepFunctionResponse.validate_state_machine_definition",
            validate_state_machine_definition,
            "moto does not answer ValidateStateMachineDefinition",
            contracts + "test_moto_has_no_validate_state_machine_definition_response",
            kind="add",
        ),
    )
