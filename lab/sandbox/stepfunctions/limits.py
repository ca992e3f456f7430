"""Step Functions' size quotas, refused as AWS refuses them (moto accepts any size).

- Execution input (``StartExecution``, ``StartSyncExecution``), ``TestState`` input,
  variables and context, and ``SendTaskSuccess`` output: at most 262,144 bytes ("256 KiB of
  data as a UTF-8 encoded string", the Step Functions quota page; botocore's model gives
  ``SensitiveData`` ``max: 262144``).
- Definitions (``CreateStateMachine``, ``UpdateStateMachine``, ``TestState``): at most
  1,048,576 bytes (botocore's ``Definition`` ``max: 1048576``; the quota page's 1 MB).

A request over a limit is answered the way AWS answers a request that breaks its model's
constraints: ``ValidationException`` "1 validation error detected: Value at 'input' failed
to satisfy constraint: Member must have length less than or equal to 262144" (the value
itself is not echoed: these members are sensitive). A state whose output is over the
limit fails the execution with ``States.DataLimitExceeded``: moto's interpreter already
does that (``moto.stepfunctions.parser.quotas``), for every state including the HTTP Task.

:func:`seams` wraps moto's response handlers (``StepFunctionResponse``); the sandbox's own
StartSyncExecution and TestState handlers call :func:`check` themselves.
"""

from __future__ import annotations

import functools
from typing import Any

#: Step Functions' input/output/payload quota, bytes of UTF-8.
MAX_PAYLOAD_BYTES = 262_144
#: Largest definition CreateStateMachine/UpdateStateMachine/TestState accept, bytes.
MAX_DEFINITION_BYTES = 1_048_576

#: Response handler -> ((request member, limit), ...).
LIMITS: dict[str, tuple[tuple[str, int], ...]] = {
    "start_execution": (("input", MAX_PAYLOAD_BYTES),),
    "start_sync_execution": (("input", MAX_PAYLOAD_BYTES),),
    "test_state": (
        ("definition", MAX_DEFINITION_BYTES),
        ("input", MAX_PAYLOAD_BYTES),
        ("variables", MAX_PAYLOAD_BYTES),
        ("context", MAX_PAYLOAD_BYTES),
    ),
    "create_state_machine": (("definition", MAX_DEFINITION_BYTES),),
    "update_state_machine": (("definition", MAX_DEFINITION_BYTES),),
    "send_task_success": (("output", MAX_PAYLOAD_BYTES),),
}


def size_in_bytes(value: Any) -> int:
    """How many bytes ``value`` (a request member, usually a string) has as UTF-8."""
    if isinstance(value, bytes):
        return len(value)
    return len(str(value).encode("utf-8", "surrogatepass"))


def validation_message(member: str, limit: int) -> str:
    """AWS's text for a member over its maximum length (the value is not shown)."""
    return (
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        f"Member must have length less than or equal to {limit}"
    )


def check(handler: str, get_param) -> None:
    """Raise moto's ``ValidationException`` if a member of ``handler``'s request is too big."""
    from moto.stepfunctions.exceptions import ValidationException

    for member, limit in LIMITS.get(handler, ()):
        value = get_param(member)
        if value is not None and size_in_bytes(value) > limit:
            raise ValidationException(validation_message(member, limit))


def _limited(name: str, handler):
    @functools.wraps(handler)
    def limited(self, *args, **kwargs):
        check(name, self._get_param)
        return handler(self, *args, **kwargs)

    return limited


def limit(name: str):
    """The ``wrap`` replacement for response handler ``name``: check, then moto's handler."""

    def wrap(handler):
        return _limited(name, handler)

    wrap.__name__ = f"limit_{name}"
    return wrap


#: moto's own handlers that get the check (StartSyncExecution and TestState are the sandbox's
#: own handlers, which call :func:`check` themselves).
WRAPPED = ("start_execution", "create_state_machine", "update_state_machine", "send_task_success")


def seams():
    """One ``wrap`` seam per moto response handler in :data:`WRAPPED`."""
    from lab.sandbox.seams import Seam

    return tuple(
        Seam(
            __name__,
            f"moto.stepfunctions.responses:StepFunctionResponse.{name}",
            limit(name),
            "moto accepts inputs, outputs and definitions of any size",
            "tests/contracts/test_moto_stepfunctions_limits.py::"
            "test_the_wrapped_response_handlers_read_their_members_with_get_param",
            kind="wrap",
        )
        for name in WRAPPED
    )
