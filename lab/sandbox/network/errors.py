"""What a call through an EventBridge connection fails with, named as Step Functions names them.

Both senders raise and catch these: Step Functions' HTTP Task turns one into its
``TaskFailed`` event (``error`` is what ``Retry``/``Catch`` ``ErrorEquals`` match, ``cause``
free text), EventBridge's API destination delivery rewords it into its own error
attributes. The connection's readiness (:mod:`lab.sandbox.stepfunctions.connections`),
the network path (:mod:`lab.sandbox.network.path`) and the socket
(:mod:`lab.sandbox.stepfunctions.transport`) raise them.
"""

from __future__ import annotations

HTTP_SOCKET = "States.Http.Socket"

CONNECTION_INVALID_STATE = "Events.ConnectionResource.InvalidConnectionState"
CONNECTION_INVALID_PRIVATE_STATE = "Events.ConnectionResource.InvalidPrivateConnectionState"
CONNECTION_NOT_FOUND = "Events.ConnectionResource.ResourceNotFound"
CONNECTION_AUTH_IN_PROGRESS = "Events.ConnectionResource.AuthInProgress"


class HttpTaskError(Exception):
    """The HTTP Task failed with Step Functions error ``error`` and ``cause``."""

    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class SocketError(HttpTaskError):
    """``States.Http.Socket``: no HTTP response came back (DNS, routing, refused, timeout)."""

    def __init__(self, cause: str):
        super().__init__(HTTP_SOCKET, cause)


#: The role may not read the connection's credentials (call-https-apis.html: the execution
#: role needs events:RetrieveConnectionCredentials and the secret's GetSecretValue /
#: DescribeSecret).
CONNECTION_ACCESS_DENIED = "Events.ConnectionResource.AccessDenied"
