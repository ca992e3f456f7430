"""Contracts: moto 5.2.5 internals lab/sandbox/stepfunctions/test_state.py builds TestState on."""

from __future__ import annotations

import inspect

from lab.sandbox import stepfunctions as sfn_extension


def test_moto_has_test_state_machinery_but_no_response():
    """test_state.test_state_response is ours; the interpreter pieces are moto's."""
    from moto.stepfunctions.parser.asl.eval.test_state.environment import TestStateEnvironment
    from moto.stepfunctions.parser.asl.parse.test_state.asl_parser import (
        TestStateAmazonStateLanguageParser,
    )
    from moto.stepfunctions.responses import StepFunctionResponse

    sfn_extension.apply()
    assert StepFunctionResponse.test_state.__module__ == "lab.sandbox.stepfunctions.test_state"
    assert "inspection_data" in inspect.getsource(TestStateEnvironment.__init__)
    assert callable(TestStateAmazonStateLanguageParser.parse)


def test_the_test_state_preprocessor_records_the_jsonpath_steps_and_not_arguments():
    """_record_after_arguments adds what moto's TestStatePreprocessor does not record."""
    from moto.stepfunctions.parser.asl.parse.test_state import preprocessor

    keys = {k.value for k in preprocessor.InspectionDataKey}
    assert {"afterInputPath", "afterParameters", "afterResultPath"} <= keys
    assert "afterArguments" not in keys


def test_the_test_state_program_turns_failures_into_program_errors():
    """test_state reads env.program_state(): ProgramError(error={error, cause}) on failure."""
    from moto.stepfunctions.parser.asl.component.test_state.program.test_state_program import (
        TestStateProgram,
    )

    source = inspect.getsource(TestStateProgram._eval_body)
    assert "env.set_error(error=ex.get_execution_failed_event_details())" in source
    assert 'env.inspection_data["input"]' in source


def test_environment_constructor_keywords():
    """test_state builds TestStateEnvironment with these keyword arguments."""
    from moto.stepfunctions.parser.asl.eval.test_state.environment import TestStateEnvironment

    parameters = set(inspect.signature(TestStateEnvironment.__init__).parameters)
    assert {"aws_execution_details", "execution_type", "context", "event_history_context",
            "activity_store"} <= parameters
