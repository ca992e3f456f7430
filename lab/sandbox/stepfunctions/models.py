"""Backend additions to moto's executing Step Functions backend (``StepFunctionsParserBackend``).

- ``start_sync_execution``: StartSyncExecution for EXPRESS state machines, on moto's unwired
  ``SyncExecution`` classes; runs the execution to its end on the caller's thread.
- ``start_execution`` without a name gets a fresh UUID name, as on AWS (moto reuses ``None``,
  so a second unnamed execution collides with the first).
- ``get_start_state_machine_details`` says what type the state machine is: moto's state
  machines set ``sm_type = "STANDARD"`` whatever their ``type``, so every execution's
  environment claimed to be STANDARD (``env.execution_type``).
- The parse cache executions share is :mod:`.programs`.
"""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

from moto.moto_api._internal import mock_random

from lab.sandbox.stepfunctions.exceptions import (
    InvalidExecutionInput,
    StateMachineTypeNotSupported,
)

#: Express workflows are billed in 64 MB steps of memory and 100 ms steps of duration.
BILLED_MEMORY_MB = 64
BILLING_STEP_MS = 100


def typed_state_machine_details(moto_details):
    """``Execution.get_start_state_machine_details`` with the state machine's own ``type``."""
    import functools

    @functools.wraps(moto_details)
    def get_start_state_machine_details(self: Any) -> Any:
        from moto.stepfunctions.parser.api import StateMachineType

        details = moto_details(self)
        kind = str(getattr(self.state_machine, "type", "") or "").upper()
        if kind in StateMachineType.__members__:
            details.typ = StateMachineType(kind)
        return details

    return get_start_state_machine_details


def billing_details(start: datetime.datetime, stop: datetime.datetime) -> dict[str, int]:
    """Express billing: duration rounded up to 100 ms (at least 100 ms), 64 MB of memory."""
    elapsed_ms = max((stop - start).total_seconds() * 1000.0, 0.0)
    billed = max(BILLING_STEP_MS, int(math.ceil(elapsed_ms / BILLING_STEP_MS)) * BILLING_STEP_MS)
    return {"billedMemoryUsedInMB": BILLED_MEMORY_MB, "billedDurationInMilliseconds": billed}


def _express_execution_arn(backend: Any, state_machine: Any, name: str) -> str:
    # Express execution ARNs: ...:express:<state machine>:<execution name>:<uuid>
    return (
        f"arn:{backend.partition}:states:{backend.region_name}:{backend.account_id}:"
        f"express:{state_machine.name}:{name}:{mock_random.uuid4()}"
    )


def name_unnamed_executions(moto_start_execution):
    """``start_execution``: an unnamed execution is named with a UUID, as on AWS."""

    def start_execution(
        self, state_machine_arn, name=None, execution_input=None, trace_header=None
    ):
        if name:
            self._validate_name(name)
        else:
            name = str(mock_random.uuid4())  # AWS names an unnamed execution with a UUID
        return moto_start_execution(self, state_machine_arn, name, execution_input, trace_header)

    return start_execution


def start_sync_execution(
    self: Any,
    state_machine_arn: str,
    name: str | None = None,
    execution_input: str | None = None,
    trace_header: str | None = None,
) -> Any:
    """StartSyncExecution: run an EXPRESS state machine to its end and return the execution.

    Raises ``StateMachineTypeNotSupported`` for a STANDARD state machine, as AWS does. The
    execution is not kept: AWS offers no DescribeExecution for express executions.
    """
    from moto.stepfunctions.parser.api import StateMachineType
    from moto.stepfunctions.parser.backend.execution import SyncExecution

    if name:
        self._validate_name(name)
    state_machine = self.describe_state_machine(state_machine_arn)
    if str(getattr(state_machine, "type", "STANDARD")).upper() != "EXPRESS":
        raise StateMachineTypeNotSupported()
    input_data = "{}" if execution_input is None else execution_input
    try:
        json.loads(input_data)
    except ValueError as exc:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{exc}'") from None
    name = name or str(mock_random.uuid4())
    execution = SyncExecution(
        name=name,
        sm_type=StateMachineType.EXPRESS,
        role_arn=state_machine.roleArn,
        exec_arn=_express_execution_arn(self, state_machine, name),
        account_id=self.account_id,
        region_name=self.region_name,
        state_machine=state_machine,
        start_date=datetime.datetime.now(tz=datetime.UTC),
        cloud_watch_logging_session=None,
        activity_store={},
        input_data=input_data,
        trace_header=trace_header,
    )
    execution.start()  # SyncExecutionWorker runs the program on this thread
    return execution


def sync_execution_output(execution: Any) -> dict[str, Any]:
    """The StartSyncExecution response for a finished ``execution``."""
    output = dict(execution.to_start_sync_execution_output())
    output["status"] = str(getattr(output.get("status"), "value", output.get("status")))
    output["billingDetails"] = billing_details(execution.start_date, execution.stop_date)
    return {k: v for k, v in output.items() if v is not None}
