"""Errors the HTTP Task raises, named exactly as Step Functions names them.

A task failure carries an ``error`` (what ``Retry``/``Catch`` ``ErrorEquals`` match) and a
``cause`` (free text). ``States.Http.*`` names start with the ``States.`` prefix that the
ASL spec reserves; moto's parser refuses such custom names unless the extension allows
this family (see ``lab.sandbox.stepfunctions.error_names``).
"""

from __future__ import annotations

from moto.core.exceptions import AWSError

STATES_RUNTIME = "States.Runtime"
HTTP_SOCKET = "States.Http.Socket"
HTTP_STATUS_PREFIX = "States.Http.StatusCode."

CONNECTION_INVALID_STATE = "Events.ConnectionResource.InvalidConnectionState"
CONNECTION_INVALID_PRIVATE_STATE = "Events.ConnectionResource.InvalidPrivateConnectionState"
CONNECTION_ACCESS_DENIED = "Events.ConnectionResource.AccessDenied"
CONNECTION_NOT_FOUND = "Events.ConnectionResource.ResourceNotFound"
CONNECTION_AUTH_IN_PROGRESS = "Events.ConnectionResource.AuthInProgress"
CONNECTION_CONCURRENT_MODIFICATION = "Events.ConnectionResource.ConcurrentModification"
CONNECTION_INTERNAL_ERROR = "Events.ConnectionResource.InternalError"


class HttpTaskError(Exception):
    """The HTTP Task failed with Step Functions error ``error`` and ``cause``."""

    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class HttpTaskRuntimeError(HttpTaskError):
    """A ``States.Runtime`` failure: the task as written cannot run (e.g. a forbidden header)."""

    def __init__(self, cause: str):
        super().__init__(STATES_RUNTIME, cause)


class SocketError(HttpTaskError):
    """``States.Http.Socket``: no HTTP response came back (DNS, routing, refused, timeout)."""

    def __init__(self, cause: str):
        super().__init__(HTTP_SOCKET, cause)


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
