"""How a sender sees its EventBridge connection: resolved once, then ready or not.

The events extension owns connections, their credentials (kept in the connection's
secret) and their states; :func:`connection_runtime` asks it once per call for a
:class:`~lab.sandbox.events.runtime.ConnectionRuntime` (state, credentials, the VPC Lattice
models of a private connection), which the HTTP Task and API destination delivery pass on.

A connection that is not ready fails the task with the error Step Functions documents:

- ``CREATING``/``UPDATING``/``AUTHORIZING``: ``Events.ConnectionResource.AuthInProgress``;
- ``DEAUTHORIZED``/``DEAUTHORIZING``/``DELETING``:
  ``Events.ConnectionResource.InvalidConnectionState``;
- ``FAILED_CONNECTIVITY``, or a private connection in any other state but ``ACTIVE``:
  ``Events.ConnectionResource.InvalidPrivateConnectionState``;
- no such connection: ``Events.ConnectionResource.ResourceNotFound``;
- a new private connection ACTIVE for less than ``connection_settle_seconds`` (off by
  default; AWS: up to several minutes): ``States.Http.Socket``, a timeout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lab.sandbox.network.errors import (
    CONNECTION_AUTH_IN_PROGRESS,
    CONNECTION_INVALID_PRIVATE_STATE,
    CONNECTION_INVALID_STATE,
    CONNECTION_NOT_FOUND,
    HttpTaskError,
    SocketError,
)

if TYPE_CHECKING:
    from lab.sandbox.events.runtime import ConnectionRuntime

_IN_PROGRESS = {"CREATING", "UPDATING", "AUTHORIZING"}
_INVALID = {"DEAUTHORIZED", "DEAUTHORIZING", "DELETING"}


def parse_connection_arn(arn: str) -> tuple[str, str, str]:
    """``(region, account, name)`` of a connection ARN.

    The format is ``arn:aws:events:<region>:<account>:connection/<name>/<id>``.
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "events" or not parts[5].startswith("connection/"):
        raise HttpTaskError(
            CONNECTION_NOT_FOUND,
            f"{arn!r} is not an EventBridge connection ARN "
            "(arn:aws:events:<region>:<account>:connection/<name>/<id>).",
        )
    return parts[3], parts[4], parts[5].split("/")[1]


def connection_runtime(arn: str) -> ConnectionRuntime:
    """Connection ``arn`` resolved once for this call; raises ``ResourceNotFound`` if none."""
    from lab.sandbox.events.runtime import resolve as events_runtime

    region, account, _ = parse_connection_arn(arn)
    try:
        runtime = events_runtime(account, region, arn)
    except LookupError:  # a region moto does not know
        runtime = None
    except Exception as exc:  # moto's ResourceNotFoundException is not a LookupError
        if "NotFound" not in type(exc).__name__:
            raise
        runtime = None
    if runtime is None:
        raise HttpTaskError(
            CONNECTION_NOT_FOUND,
            f"Connection {arn} does not exist; create it or fix the task's ConnectionArn.",
        )
    return runtime


def check_ready(runtime: ConnectionRuntime) -> None:
    """Raise the task error for a connection that cannot carry a request now."""
    arn, state = runtime.arn, runtime.state
    suffix = f" ({runtime.state_reason})" if runtime.state_reason else ""
    private = runtime.is_private
    if state == "ACTIVE" and runtime.unready_for_s > 0:
        # AWS: "a delay of up to several minutes" after a private connection is established
        # before calls succeed; Step Functions suggests retrying httpTimeoutExceptions.
        raise SocketError(
            f"Connection {arn} is ACTIVE but its private connectivity is not carrying calls "
            f"yet (about {runtime.unready_for_s:.0f} s more; AWS documents up to several "
            "minutes after a private connection is created): the request timed out."
        )
    if state == "ACTIVE" or (state == "AUTHORIZED" and not private):
        return
    if state in _IN_PROGRESS:
        raise HttpTaskError(
            CONNECTION_AUTH_IN_PROGRESS,
            f"Connection {arn} is {state}{suffix}; it cannot be used until it is "
            f"{'ACTIVE' if private else 'AUTHORIZED'}. Retry, or wait for it.",
        )
    if state in _INVALID:  # de-authorized or going: the credentials, private or not
        raise HttpTaskError(
            CONNECTION_INVALID_STATE, f"Connection {arn} is {state}{suffix}; re-authorize it."
        )
    if state == "FAILED_CONNECTIVITY" or private:
        raise HttpTaskError(
            CONNECTION_INVALID_PRIVATE_STATE,
            f"Connection {arn} is {state}{suffix}, not ACTIVE: its private connectivity "
            "is not established.",
        )
    raise HttpTaskError(CONNECTION_INVALID_STATE, f"Connection {arn} is {state}{suffix}.")
