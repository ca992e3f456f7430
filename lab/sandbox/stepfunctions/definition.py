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
import re
import unicodedata
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


#: Longest variable name (workflow-variables.html, "Variable name syntax").
MAX_VARIABLE_NAME = 80
_ID_START = {"Lu", "Ll", "Lt", "Lm", "Lo", "Nl"}
_ID_CONTINUE = _ID_START | {"Mn", "Mc", "Nd", "Pc"}
_STATES_RESULT = re.compile(r"\$states\.result\b")
_STATES_ERROR_OUTPUT = re.compile(r"\$states\.errorOutput\b")


def variable_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a variable, or None.

    https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html: names follow
    Unicode identifiers (UAX #31: the first character ID_Start, the others ID_Continue), at
    most 80 characters; ``$states`` is reserved; a part of a variable (``x.y``, ``x[2]``)
    cannot be assigned.
    """
    if not name:
        return "a variable name cannot be empty"
    if len(name) > MAX_VARIABLE_NAME:
        return f"a variable name can have at most {MAX_VARIABLE_NAME} characters"
    if name == "states":
        return "'states' is reserved ($states)"
    if "." in name or "[" in name:
        return "a part of a variable cannot be assigned, only a whole variable"
    if unicodedata.category(name[0]) not in _ID_START:
        return "a variable name must start with a Unicode ID_Start character (a letter)"
    if any(unicodedata.category(c) not in _ID_CONTINUE for c in name[1:]):
        return "a variable name can only continue with Unicode ID_Continue characters"
    return None


def _assign_diagnostics(assign: Any, where: str, jsonpath: bool) -> list[Diagnostic]:
    if not isinstance(assign, dict):
        return []
    found = []
    for key in assign:
        name = key[:-2] if jsonpath and key.endswith(".$") else key
        problem = variable_name_problem(name)
        if problem:
            found.append(Diagnostic(
                SCHEMA_VALIDATION_FAILED, f"The variable name '{name}' is not valid: {problem}",
                f"{where}/Assign"))
    return found


def _expressions(value: Any, path: str):
    """(path, expression) for every JSONata string in ``value``."""
    if isinstance(value, str):
        if _is_jsonata(value):
            yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _expressions(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _expressions(item, f"{path}/{index}")


def _states_reference_diagnostics(state: dict, where: str) -> list[Diagnostic]:
    """``$states.result`` / ``$states.errorOutput`` where a JSONata state cannot have them:
    "Attempting to access $states.result or $states.errorOutput in fields and states where
    they are not accessible will be caught at creation, update, or validation of the state
    machine" (workflow-variables.html). The result is the Output and Assign of a Task,
    Parallel or Map state; the error output, a Catch's Output and Assign."""
    found = []
    has_result = state.get("Type") in ("Task", "Parallel", "Map")
    result_fields = {"Output", "Assign"} if has_result else set()
    for field, value in state.items():
        if field in ("ItemProcessor", "Iterator", "Branches"):
            continue
        if field == "Catch" and isinstance(value, list):
            for index, catcher in enumerate(value):
                if not isinstance(catcher, dict):
                    continue
                for key, item in catcher.items():
                    for path, expression in _expressions(item, f"{where}/Catch/{index}/{key}"):
                        if _STATES_RESULT.search(expression) or (
                            key not in ("Output", "Assign")
                            and _STATES_ERROR_OUTPUT.search(expression)
                        ):
                            found.append(_reference_diagnostic(expression, path))
            continue
        for path, expression in _expressions(value, f"{where}/{field}"):
            if _STATES_ERROR_OUTPUT.search(expression) or (
                field not in result_fields and _STATES_RESULT.search(expression)
            ):
                found.append(_reference_diagnostic(expression, path))
    return found


def _reference_diagnostic(expression: str, path: str) -> Diagnostic:
    name = "$states.errorOutput" if _STATES_ERROR_OUTPUT.search(expression) else "$states.result"
    return Diagnostic(
        SCHEMA_VALIDATION_FAILED,
        f"The JSONata expression '{expression}' uses {name}, which is not accessible in this "
        "field ($states.result: the Output and Assign of a Task, Parallel or Map state; "
        "$states.errorOutput: a Catch's Output and Assign)",
        path,
    )


def _variable_diagnostics(definition: dict, base: str = "", inherited: str = "JSONPath"):
    """Variable names and ``$states`` references, in every scope of ``definition``."""
    states = definition.get("States")
    if not isinstance(states, dict):
        return []
    language = definition.get("QueryLanguage", inherited)
    found = []
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        where = f"{base}/States/{name}"
        state_language = state.get("QueryLanguage", language)
        jsonpath = state_language != "JSONata"
        found += _assign_diagnostics(state.get("Assign"), where, jsonpath)
        for key in ("Choices", "Catch"):
            for index, rule in enumerate(state.get(key) or []):
                if isinstance(rule, dict):
                    found += _assign_diagnostics(rule.get("Assign"), f"{where}/{key}/{index}",
                                                 jsonpath)
        if not jsonpath:
            found += _states_reference_diagnostics(state, where)
        for index, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, dict):
                found += _variable_diagnostics(branch, f"{where}/Branches/{index}",
                                               state_language)
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                found += _variable_diagnostics(state[key], f"{where}/{key}", state_language)
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
    return _transition_diagnostics(definition) + _variable_diagnostics(definition)


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
