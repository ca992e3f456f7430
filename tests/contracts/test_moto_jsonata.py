"""Contracts: moto 5.2.5 internals the JSONata engine plugs into (stepfunctions/jsonata.py).

Each test names the sandbox code that relies on the seam. If one fails after a moto upgrade,
fix that place (or drop the patch, when moto ships a working engine itself).
"""

from __future__ import annotations

import inspect

import pytest

from lab.sandbox import seams
from lab.sandbox import stepfunctions as sfn_extension
from lab.sandbox.stepfunctions import jsonata


@pytest.fixture(scope="module", autouse=True)
def applied():
    sfn_extension.apply()


def test_moto_ships_its_jsonata_engine_stubbed():
    """jsonata.seams replace evaluation because moto's bridge calls None. If this fails, moto
    grew an engine: compare it with jsonatapy before keeping ours."""
    from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata

    source = inspect.getsource(moto_jsonata.eval_jsonata_expression)
    assert "_eval_jsonata = None" in source
    with pytest.raises(TypeError, match="'NoneType' object is not callable"):
        moto_jsonata.eval_jsonata_expression("1")


def test_the_two_evaluating_components_are_patched_and_keep_moto_s_originals():
    """_string_jsonata_eval_body and _string_variable_sample_eval_body replace these methods."""
    from moto.stepfunctions.parser.asl.component.common.string.string_expression import (
        StringJSONata,
        StringVariableSample,
    )

    for cls in (StringJSONata, StringVariableSample):
        original = seams.original(f"{jsonata._STRING_EXPRESSION}:{cls.__name__}._eval_body")
        assert "eval_jsonata_expression" in inspect.getsource(original)


def test_string_jsonata_holds_the_expression_without_its_braces():
    """The patched body evaluates self.expression as it is: moto strips {% %} at parse time."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    program = _parse({"Type": "Pass", "Output": "{% 1 + 1 %}", "End": True})
    state = program.states.states["S"]
    assert state.output.jsonata_template_value.string_jsonata.expression.strip() == "1 + 1"
    assert AmazonStateLanguageParser  # the parser the program cache uses


def test_the_environment_exposes_what_the_bindings_are_built_from():
    """_variables reads the variable store's two scopes; _states_bindings reads _states_data."""
    from moto.stepfunctions.parser.asl.eval.states import States
    from moto.stepfunctions.parser.asl.eval.variable_store import VariableStore

    store = VariableStore()
    assert store._outer_scope == {} and store._inner_scope == {}
    assert "_states_data" in inspect.getsource(States.__init__)
    assert "next_field_name" in dir(
        __import__(
            "moto.stepfunctions.parser.asl.eval.environment", fromlist=["Environment"]
        ).Environment
    )


def test_failure_events_decorate_a_query_evaluation_error_cause_with_state_and_event_id():
    """_evaluation_failed relies on moto adding "An error occurred while executing the state …"."""
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEventException,
    )

    for method in ("get_evaluation_failed_event_details", "get_execution_failed_event_details"):
        # jsonata.decorate_once wraps the second: pin moto's own.
        original = seams.original(
            "moto.stepfunctions.parser.asl.component.common.error_name.failure_event:"
            f"FailureEventException.{method}")
        if original is seams.MISSING:
            original = getattr(FailureEventException, method)
        source = inspect.getsource(original)
        assert "An error occurred while executing the state" in source
        assert "StatesQueryEvaluationError" in source


def test_field_paths_follow_the_component_attributes_annotate_field_paths_reads():
    """annotate_field_paths maps attribute names (output, parargs, choices_decl, catch, …)."""
    program = _parse(
        {"Type": "Pass", "Output": {"v": "{% 1 %}", "l": [0, "{% 2 %}"]}, "Next": "C"},
        extra={
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% true %}", "Next": "W"}],
                "Default": "W",
            },
            "W": {"Type": "Wait", "Seconds": "{% 0 %}", "Assign": {"a": "{% 3 %}"}, "End": True},
        },
    )
    paths = sorted(_field_paths(program))
    assert paths == ["Assign/a", "Choices[0]/Condition", "Output/l[1]", "Output/v", "Seconds"]


def _parse(state: dict, extra: dict | None = None):
    import json

    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "S",
        "States": {"S": state, **(extra or {})},
    }
    program = AmazonStateLanguageParser.parse(json.dumps(definition))[0]
    return jsonata.annotate_field_paths(program)


def _field_paths(program):
    from moto.stepfunctions.parser.asl.component.common.string.string_expression import (
        StringJSONata,
    )
    from moto.stepfunctions.parser.asl.component.component import Component

    found, seen = [], set()

    def walk(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, StringJSONata):
            found.append(node.field_path)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)
        elif isinstance(node, Component):
            for v in vars(node).values():
                walk(v)

    walk(program)
    return found


def test_the_error_output_is_built_from_the_failure_event_details():
    """jsonata.decorated_error_output: moto's error output is {Error, Cause} from the failure
    event's details, built by a staticmethod that execution, Map and Parallel states call."""
    original = seams.original(
        "moto.stepfunctions.parser.asl.component.state.exec.execute_state:"
        "ExecutionState._construct_error_output_value")
    source = inspect.getsource(original)
    assert '"Error": spec_event_details.get("error", "")' in source
    assert '"Cause": spec_event_details.get("cause", "")' in source
    assert list(inspect.signature(original).parameters) == ["failure_event"]


def test_a_task_state_records_its_failure_event_details_itself():
    """jsonata.record_once: a Task state records the failure event's own details object, the
    one _evaluation_failed recorded already."""
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState

    source = inspect.getsource(ExecutionState._eval_state)
    assert "event_details=failure_event.event_details" in source
    add_event = seams.original(
        "moto.stepfunctions.parser.asl.eval.event.event_manager:EventManager.add_event")
    assert list(inspect.signature(add_event).parameters)[:4] == [
        "self", "context", "event_type", "event_details"]
