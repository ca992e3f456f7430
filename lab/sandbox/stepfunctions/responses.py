"""Response handlers added to moto's ``StepFunctionResponse``, named after botocore operations."""

from __future__ import annotations

from moto.core.exceptions import AWSError
from moto.core.responses import ActionResult

from lab.sandbox.stepfunctions import limits
from lab.sandbox.stepfunctions.models import sync_execution_output


def start_sync_execution(self) -> ActionResult:
    """StartSyncExecution: run an EXPRESS state machine and answer with its result."""
    limits.check("start_sync_execution", self._get_param)
    backend = self.stepfunction_backend
    if not hasattr(backend, "start_sync_execution"):
        raise AWSError(
            "StartSyncExecution runs state machines, so it needs moto's Step Functions "
            'interpreter: POST /moto-api/config {"stepfunctions": {"execute_state_machine": '
            "true}} (the sandbox server does this at start).",
            "ValidationException",
        )
    execution = backend.start_sync_execution(
        self._get_param("stateMachineArn"),
        name=self._get_param("name"),
        execution_input=self._get_param("input", if_none="{}"),
        trace_header=self._get_param("traceHeader"),
    )
    return ActionResult(sync_execution_output(execution))

