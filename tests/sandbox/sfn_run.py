"""Run a definition to its end in in-process moto (with the lab's extensions) and read it back."""

from __future__ import annotations

import json
import time

ROLE = "arn:aws:iam::123456789012:role/sfn"


def run(sfn, definition: dict, execution_input=None, name: str = "m"):
    """(describe_execution, history events) of one STANDARD execution of ``definition``."""
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    execution = sfn.start_execution(
        stateMachineArn=arn, input=json.dumps({} if execution_input is None else execution_input)
    )["executionArn"]
    deadline = time.monotonic() + 10
    while True:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    return described, sfn.get_execution_history(executionArn=execution)["events"]


def output(described) -> object:
    return json.loads(described["output"])


def events(history, event_type: str) -> list[dict]:
    return [e for e in history if e["type"] == event_type]


def jsonata(states: dict, start: str | None = None) -> dict:
    """A JSONata state machine of ``states`` starting at the first one."""
    return {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}
