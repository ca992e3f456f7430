"""Backend additions to moto's executing Step Functions backend (``StepFunctionsParserBackend``).

- ``start_sync_execution``: StartSyncExecution for EXPRESS state machines, on moto's unwired
  ``SyncExecution`` classes; runs the execution to its end on the caller's thread.
- ``start_execution`` without a name gets a fresh UUID name, as on AWS (moto reuses ``None``,
  so a second unnamed execution collides with the first).
- A parse cache: moto re-runs the ANTLR parse of the definition for every execution (more
  than half of an execution's time). The parsed program is kept per definition string and
  every execution evaluates that same object. Sharing is safe because evaluating a program
  writes nothing into it once :func:`.performance.assign_heap_keys` has drawn the keys
  components would otherwise draw lazily (retriers key their counters by them), and a Pass
  state's ``Result`` hands out a copy (:func:`.performance.copy_pass_results`). A deep copy
  per execution cost about a quarter of an EXPRESS execution's CPU.
"""

from __future__ import annotations

import collections
import datetime
import json
import math
import threading
from typing import Any

from moto.moto_api._internal import mock_random

from lab.sandbox.stepfunctions import jsonata, performance
from lab.sandbox.stepfunctions.exceptions import (
    InvalidExecutionInput,
    StateMachineTypeNotSupported,
)

#: How many distinct definitions the parse cache keeps (oldest evicted first).
PARSE_CACHE_SIZE = 128
#: Express workflows are billed in 64 MB steps of memory and 100 ms steps of duration.
BILLED_MEMORY_MB = 64
BILLING_STEP_MS = 100


class ProgramCache:
    """Parsed ASL programs by definition string, shared by every execution of a definition."""

    def __init__(self, size: int = PARSE_CACHE_SIZE):
        self._programs: collections.OrderedDict[str, Any] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._size = size
        self.hits = 0
        self.misses = 0

    def template(self, definition: str) -> Any:
        """The cached (never evaluated) program for ``definition``; parses on a miss.

        Raises whatever moto's parser raises for an invalid definition (nothing is cached).
        """
        with self._lock:
            program = self._programs.get(definition)
            if program is not None:
                self._programs.move_to_end(definition)
                self.hits += 1
                return program
        from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

        # Parse outside the lock: two threads may both parse a new definition; both
        # results are equivalent and the second simply replaces the first.
        program = performance.assign_heap_keys(AmazonStateLanguageParser.parse(definition)[0])
        jsonata.annotate_field_paths(program)
        with self._lock:
            self.misses += 1
            self._programs[definition] = program
            self._programs.move_to_end(definition)
            while len(self._programs) > self._size:
                self._programs.popitem(last=False)
        return program

    def program(self, definition: str) -> Any:
        """The program for ``definition``, to evaluate (executions share it; see the module doc)."""
        return self.template(definition)

    def clear(self) -> None:
        """Forget every program and the hit/miss counts."""
        with self._lock:
            self._programs.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._programs)


program_cache = ProgramCache()


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
