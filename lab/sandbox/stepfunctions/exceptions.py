"""Errors Step Functions' HTTP Task raises beyond the connection's and the path's, and API errors.

A task failure carries an ``error`` (what ``Retry``/``Catch`` ``ErrorEquals`` match) and a
``cause`` (free text); the base class and the failures a call through a connection shares
with EventBridge (connection state, ``States.Http.Socket``) are in
:mod:`lab.sandbox.network.errors`. ``States.Http.*`` names start with the ``States.`` prefix
that the ASL spec reserves; moto's parser refuses such custom names unless the extension
allows this family (``allow_http_error_names`` in :mod:`lab.sandbox.stepfunctions`).
"""

from __future__ import annotations

from moto.core.exceptions import AWSError

from lab.sandbox.network.errors import HttpTaskError

STATES_RUNTIME = "States.Runtime"
HTTP_STATUS_PREFIX = "States.Http.StatusCode."


class HttpTaskRuntimeError(HttpTaskError):
    """A ``States.Runtime`` failure: the task as written cannot run (e.g. a forbidden header)."""

    def __init__(self, cause: str):
        super().__init__(STATES_RUNTIME, cause)


def status_code_error(status: int) -> str:
    """The error name for an HTTP response with a non-2xx ``status``."""
    return f"{HTTP_STATUS_PREFIX}{status}"


# --------------------------------------------------------------------------- API errors


class StateMachineTypeNotSupported(AWSError):
    """StartSyncExecution on a STANDARD state machine."""

    TYPE = "StateMachineTypeNotSupported"
    STATUS = 400

    def __init__(self) -> None:
        super().__init__("This operation is not supported by this type of state machine")


class InvalidExecutionInput(AWSError):
    """The execution input is not JSON."""

    TYPE = "InvalidExecutionInput"
    STATUS = 400


class InvalidDefinition(AWSError):
    """CreateStateMachine/UpdateStateMachine with a definition Step Functions refuses.

    moto's own ``InvalidDefinition`` carries no error code (botocore then reports ``''``).
    """

    TYPE = "InvalidDefinition"
    STATUS = 400


class AccessDeniedException(AWSError):
    """CreateStateMachine/UpdateStateMachine with a role Step Functions cannot assume."""

    TYPE = "AccessDeniedException"
    STATUS = 400


class ValidationException(AWSError):
    """A request Step Functions refuses (TestState's members, as AWS words them)."""

    TYPE = "ValidationException"
    STATUS = 400
