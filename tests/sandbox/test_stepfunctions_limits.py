"""AWS's Step Functions size quotas: 256 KiB payloads, 1 MiB definitions (in-process moto)."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from lab.sandbox.stepfunctions.limits import MAX_DEFINITION_BYTES, MAX_PAYLOAD_BYTES

ROLE = "arn:aws:iam::123456789012:role/sfn"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _json_string_of(size: int, char: str = "a") -> str:
    """A JSON document (a string) of exactly ``size`` bytes of UTF-8."""
    width = len(char.encode())
    assert (size - 2) % width == 0
    return '"' + char * ((size - 2) // width) + '"'


def _machine(sfn, definition=PASS, kind="STANDARD", name="limits") -> str:
    return sfn.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=ROLE, type=kind
    )["stateMachineArn"]


def _refused(call, member: str, limit: int) -> None:
    with pytest.raises(ClientError) as refused:
        call()
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        f"Member must have length less than or equal to {limit}"
    )


def _wait(sfn, arn: str) -> dict:
    deadline = time.monotonic() + 20
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return described


def test_execution_input_of_256_kib_runs_and_one_byte_more_is_refused(moto_inprocess):
    sfn = moto_inprocess("stepfunctions")
    arn = _machine(sfn)

    started = sfn.start_execution(stateMachineArn=arn, input=_json_string_of(MAX_PAYLOAD_BYTES))
    _refused(
        lambda: sfn.start_execution(
            stateMachineArn=arn, input=_json_string_of(MAX_PAYLOAD_BYTES + 1)
        ),
        "input",
        MAX_PAYLOAD_BYTES,
    )

    assert started["executionArn"]


def test_the_limit_counts_utf8_bytes_not_characters(moto_inprocess):
    sfn = moto_inprocess("stepfunctions")
    arn = _machine(sfn)
    # 140,000 characters, 280,002 bytes.
    _refused(
        lambda: sfn.start_execution(stateMachineArn=arn, input='"' + "é" * 140_000 + '"'),
        "input",
        MAX_PAYLOAD_BYTES,
    )


def test_sync_execution_input_is_limited_too(moto_inprocess):
    sfn = moto_inprocess("stepfunctions")
    arn = _machine(sfn, kind="EXPRESS", name="limits-express")

    _refused(
        lambda: sfn.start_sync_execution(
            stateMachineArn=arn, input=_json_string_of(MAX_PAYLOAD_BYTES + 2)
        ),
        "input",
        MAX_PAYLOAD_BYTES,
    )


def _padded_definition(size: int) -> str:
    base = json.dumps({**PASS, "Comment": ""})
    padding = size - len(base.encode())
    return json.dumps({**PASS, "Comment": "x" * padding})


def test_definitions_over_1_mib_are_refused_on_create_and_update(moto_inprocess):
    sfn = moto_inprocess("stepfunctions")
    at_limit = _padded_definition(MAX_DEFINITION_BYTES)
    over = _padded_definition(MAX_DEFINITION_BYTES + 1)
    assert len(at_limit.encode()) == MAX_DEFINITION_BYTES

    arn = sfn.create_state_machine(name="big", definition=at_limit, roleArn=ROLE)[
        "stateMachineArn"
    ]
    _refused(
        lambda: sfn.create_state_machine(name="bigger", definition=over, roleArn=ROLE),
        "definition",
        MAX_DEFINITION_BYTES,
    )
    _refused(
        lambda: sfn.update_state_machine(stateMachineArn=arn, definition=over),
        "definition",
        MAX_DEFINITION_BYTES,
    )

    assert [m["name"] for m in sfn.list_state_machines()["stateMachines"]] == ["big"]


def test_a_state_output_over_256_kib_fails_the_execution_with_data_limit_exceeded(
    moto_inprocess,
):
    sfn = moto_inprocess("stepfunctions")
    grow = {
        "StartAt": "Grow",
        "States": {"Grow": {"Type": "Pass", "Result": "x" * MAX_PAYLOAD_BYTES, "End": True}},
    }
    arn = _machine(sfn, grow, name="grow")

    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    described = _wait(sfn, execution)

    assert described["status"] == "FAILED"
    assert described["error"] == "States.DataLimitExceeded"
    assert described["cause"] == (
        "The state/task 'Grow' returned a result with a size exceeding the maximum number "
        "of bytes service limit."
    )


def test_test_state_input_over_256_kib_is_refused(moto_inprocess):
    sfn = moto_inprocess("stepfunctions")

    _refused(
        lambda: sfn.test_state(
            definition=json.dumps({"Type": "Pass", "End": True}),
            roleArn=ROLE,
            input=_json_string_of(MAX_PAYLOAD_BYTES + 2),
        ),
        "input",
        MAX_PAYLOAD_BYTES,
    )
