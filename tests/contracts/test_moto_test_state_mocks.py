"""Contracts: moto 5.2.5 internals lab/sandbox/stepfunctions/test_state_mocks.py relies on.

The mocks patch no moto class: they replace ``_eval_execution`` on the one parsed state object
a TestState request tests, so these tests pin what that replacement assumes.
"""

from __future__ import annotations

import inspect
import json


def test_execution_states_do_their_work_in_eval_execution_inside_evaluate_with_timeout():
    """ExecutionState._evaluate_with_timeout calls self._eval_execution(frame) and takes the
    frame's last stack value as the result, then ResultSelector/ResultPath; a raised
    FailureEventException is the state's error (Retry/Catch run in _eval_state)."""
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState

    source = inspect.getsource(ExecutionState._evaluate_with_timeout)
    assert "self._eval_execution(frame)" in source
    assert "execution_outputs.extend(frame.stack)" in source
    assert "self.result_selector" in source and "self.result_path" in source


def test_moto_s_test_state_parser_cannot_read_a_map_with_an_item_processor():
    """Why parse_map_or_parallel reads Map/Parallel with the state machine parser: moto's
    TestState preprocessor turns the nested states into test programs and fails."""
    import pytest
    from moto.stepfunctions.parser.asl.parse.test_state.asl_parser import (
        TestStateAmazonStateLanguageParser,
    )

    state = {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}}
    with pytest.raises(AttributeError):
        TestStateAmazonStateLanguageParser.parse(json.dumps(state))


def test_a_map_state_keeps_the_fields_the_mock_reads():
    """StateMap attributes read by _map_execution, and TestStateProgram(test_state=...)."""
    from moto.stepfunctions.parser.asl.component.test_state.program.test_state_program import (
        TestStateProgram,
    )
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    machine = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemsPath": "$.v", "ToleratedFailureCount": 1,
        "ItemProcessor": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}}}}
    state = AmazonStateLanguageParser.parse(json.dumps(machine))[0].states.states["M"]
    for name in ("max_concurrency_decl", "items_path", "items", "item_reader", "item_selector",
                 "tolerated_failure_count_decl", "tolerated_failure_percentage_decl",
                 "result_writer"):
        assert hasattr(state, name), name
    assert callable(state._is_language_query_jsonpath)
    assert TestStateProgram(test_state=state).test_state is state


def test_service_tasks_name_their_botocore_operation():
    """Field validation finds an integration's output shape through these helpers."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (  # noqa: E501
        StateTaskService,
    )

    assert StateTaskService._to_sfn_cased("StatusCode") == "StatusCode"
    assert StateTaskService._to_sfn_cased("FunctionError") == "FunctionError"
    for name in ("_get_boto_service_name", "_get_boto_service_action"):
        assert callable(getattr(StateTaskService, name))


def test_a_task_failure_is_a_failure_event_exception_with_task_failed_details():
    """_mock_failure builds what moto's own mocked mode raises (mock_eval_utils)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import mock_eval_utils

    source = inspect.getsource(mock_eval_utils._eval_mocked_response_throw)
    assert "CustomErrorName(mocked_response.error)" in source
    assert "taskFailedEventDetails" in source
