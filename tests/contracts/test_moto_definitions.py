"""Contracts: what lab/sandbox/stepfunctions/definition.py relies on (moto 5.2.5, cfn-lint)."""

from __future__ import annotations

import inspect
import json
from importlib import resources

from lab.sandbox import stepfunctions as sfn_extension
from lab.sandbox.stepfunctions import definition


def test_cfn_lint_ships_the_states_language_schema_with_jsonata():
    """definition._validator loads this file; it must know QueryLanguage and JSONata states."""
    text = resources.files(definition.SCHEMA_PACKAGE).joinpath(definition.SCHEMA_FILE).read_text()
    schema = json.loads(text)
    assert schema["required"] == ["States", "StartAt"] or set(schema["required"]) == {
        "States", "StartAt"}
    assert "JSONata" in text and "QueryLanguage" in schema["properties"]


def test_moto_validates_definitions_in_one_static_method():
    """stepfunctions._patch_backend replaces _validate_definition for both operations."""
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    sfn_extension.apply()
    for name in ("create_state_machine", "update_state_machine"):
        assert "_validate_definition(definition=definition)" in inspect.getsource(
            getattr(StepFunctionsParserBackend, name))


def test_moto_has_no_validate_state_machine_definition_response():
    """responses.validate_state_machine_definition is ours; moto's provider copy is not wired."""
    import moto.stepfunctions.responses as moto_responses

    source = inspect.getsource(moto_responses)
    assert "def validate_state_machine_definition" not in source


def test_moto_shares_one_query_language_scope_list_between_parses():
    """definition._own_query_language_scopes gives each Preprocessor its own list."""
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    sfn_extension.apply()
    assert isinstance(Preprocessor.__dict__["_query_language_per_scope"], list)
    assert Preprocessor()._query_language_per_scope is not Preprocessor()._query_language_per_scope
