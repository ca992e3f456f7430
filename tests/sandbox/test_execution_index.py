"""Executions are found through an index (performance.index_executions), with moto's answers."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from http_invoke_builders import (
    create_state_machine,
    run_execution,
)

from lab.sandbox.stepfunctions import performance


def _state_machine(arn: str):
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    return stepfunctions_parser_backends["123456789012"]["us-east-1"].describe_state_machine(arn)


PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}}


def test_each_execution_is_described_among_many(aws):
    arn = create_state_machine(aws, PASS)
    described = [run_execution(aws, arn, name=f"run-{i}") for i in range(5)]

    sfn = aws("stepfunctions")
    again = [sfn.describe_execution(executionArn=d["executionArn"]) for d in described]

    assert [d["name"] for d in again] == [f"run-{i}" for i in range(5)]
    assert isinstance(_state_machine(arn).executions, performance._ExecutionList)


def test_an_unknown_execution_is_execution_does_not_exist(aws):
    arn = create_state_machine(aws, PASS)
    run_execution(aws, arn, name="known")
    unknown = arn.replace(":stateMachine:", ":execution:") + ":unknown"

    with pytest.raises(ClientError) as raised:
        aws("stepfunctions").describe_execution(executionArn=unknown)

    assert raised.value.response["Error"]["Code"] == "ExecutionDoesNotExist"


def test_a_finished_execution_name_cannot_be_reused(aws):
    arn = create_state_machine(aws, PASS)
    run_execution(aws, arn, name="once")

    with pytest.raises(ClientError) as raised:
        aws("stepfunctions").start_execution(stateMachineArn=arn, name="once", input="{}")

    assert raised.value.response["Error"]["Code"] == "ExecutionAlreadyExists"


def test_starting_a_running_execution_again_with_its_input_returns_it(aws):
    arn = create_state_machine(aws, WAIT)
    sfn = aws("stepfunctions")
    first = sfn.start_execution(stateMachineArn=arn, name="twice", input='{"a": 1}')

    second = sfn.start_execution(stateMachineArn=arn, name="twice", input='{"a": 1}')
    with pytest.raises(ClientError) as raised:
        sfn.start_execution(stateMachineArn=arn, name="twice", input='{"a": 2}')

    assert second["executionArn"] == first["executionArn"]
    assert raised.value.response["Error"]["Code"] == "ExecutionAlreadyExists"


def test_the_index_follows_every_change_to_the_list():
    class Execution:
        def __init__(self, name):
            self.name, self.execution_arn = name, f"arn:{name}"

    one, two, three = Execution("one"), Execution("two"), Execution("three")
    executions = performance._ExecutionList([one])
    executions.append(two)
    executions.extend([three])
    executions.remove(one)

    assert executions.by_arn == {"arn:two": two, "arn:three": three}
    assert executions.by_name == {"two": [two], "three": [three]}
