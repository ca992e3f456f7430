"""Executions share one parsed program per definition (the parse cache); none may change it.

Each test pickles the cached program before and after executions: any write an evaluation
made into it (a lazily drawn key, a mutated literal) changes the bytes.
"""

from __future__ import annotations

import json
import pickle
from concurrent.futures import ThreadPoolExecutor

from http_invoke_builders import (
    create_state_machine,
    run_execution,
)

from lab.sandbox.stepfunctions import programs

# Pass with Result and ResultPath, intrinsic functions, the context object, Choice, Map
# with ItemSelector, Parallel, and a failing branch retried then caught.
JSONPATH_DEFINITION = {
    "StartAt": "Seed",
    "States": {
        "Seed": {"Type": "Pass", "Result": {"items": [1, 2, 3], "nested": {"n": 1}},
                 "ResultPath": "$.seed", "Next": "Name"},
        "Name": {"Type": "Pass",
                 "Parameters": {"greeting.$": "States.Format('hi {}', $$.Execution.Name)",
                                "seed.$": "$.seed"},
                 "Next": "Pick"},
        "Pick": {"Type": "Choice",
                 "Choices": [{"Variable": "$.seed.items[0]", "NumericEquals": 1, "Next": "Each"}],
                 "Default": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.seed.items",
                 "ItemSelector": {"value.$": "$$.Map.Item.Value"},
                 "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Echo",
                                   "States": {"Echo": {"Type": "Pass", "End": True}}},
                 "ResultPath": "$.mapped", "Next": "Both"},
        "Both": {"Type": "Parallel",
                 "Branches": [
                     {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "Result": [7],
                                                         "End": True}}},
                     {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Lab.Boom",
                                                             "Cause": "on purpose"}}},
                 ],
                 "Retry": [{"ErrorEquals": ["Lab.Boom"], "MaxAttempts": 1,
                            "IntervalSeconds": 1, "MaxDelaySeconds": 1,
                            "JitterStrategy": "FULL"}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught",
                            "Next": "Done"}],
                 "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}  # fmt: skip

# Literal Assign and Output values only: moto 5.2.5 ships its JSONata evaluator stubbed out.
JSONATA_DEFINITION = {
    "QueryLanguage": "JSONata",
    "StartAt": "Remember",
    "States": {
        "Remember": {"Type": "Pass", "Assign": {"kept": {"list": [1, 2]}},
                     "Output": {"from": "literal", "values": [1, 2]}, "Next": "Again"},
        "Again": {"Type": "Pass", "Output": {"values": [3], "nested": {"n": None}}, "End": True},
    },
}  # fmt: skip


def _cached_bytes(definition: dict) -> bytes:
    return pickle.dumps(programs.program_cache.template(json.dumps(definition)))


def test_jsonpath_states_leave_the_shared_program_untouched(aws):
    arn = create_state_machine(aws, JSONPATH_DEFINITION)
    before = _cached_bytes(JSONPATH_DEFINITION)

    first = run_execution(aws, arn, name="one")
    second = run_execution(aws, arn, name="one-again")

    assert first["status"] == second["status"] == "SUCCEEDED"
    first_output, second_output = json.loads(first["output"]), json.loads(second["output"])
    assert (first_output.pop("greeting"), second_output.pop("greeting")) == (
        "hi one",
        "hi one-again",
    )
    assert first_output["mapped"] == [{"value": 1}, {"value": 2}, {"value": 3}]
    assert first_output["caught"]["Error"] == "Lab.Boom"
    assert first_output == second_output
    assert _cached_bytes(JSONPATH_DEFINITION) == before


def test_jsonata_states_leave_the_shared_program_untouched(aws):
    arn = create_state_machine(aws, JSONATA_DEFINITION)
    before = _cached_bytes(JSONATA_DEFINITION)

    outputs = [json.loads(run_execution(aws, arn)["output"]) for _ in range(2)]

    assert outputs == [{"values": [3], "nested": {"n": None}}] * 2
    assert _cached_bytes(JSONATA_DEFINITION) == before


def test_concurrent_executions_of_one_program_each_get_their_own_results(aws):
    definition = {
        "StartAt": "Seed",
        "States": {
            "Seed": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.seed", "Next": "Name"},
            "Name": {"Type": "Pass", "Parameters": {"name.$": "$$.Execution.Name",
                                                    "seed.$": "$.seed"}, "End": True},
        },
    }  # fmt: skip
    arn = create_state_machine(aws, definition)
    before = _cached_bytes(definition)
    names = [f"run-{i}" for i in range(16)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        described = list(pool.map(lambda name: run_execution(aws, arn, name=name), names))

    assert [json.loads(d["output"]) for d in described] == [
        {"name": name, "seed": {"n": 1}} for name in names
    ]
    assert _cached_bytes(definition) == before
