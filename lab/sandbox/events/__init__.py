"""Sandbox extension: EventBridge connections with private connectivity, API destinations
and their delivery.

- ``models.py``: connections (states, secrets, descriptions) and the backend methods below;
- ``responses.py``: the connection operations' handlers;
- ``api_destinations.py``: API destinations (backend and handlers);
- ``delivery.py``: events matched by a rule, sent to API destinations;
- ``runtime.py``: a connection resolved once for one call (state, credentials, models);
- ``dead_letter_queue.py``: moto's SQS reads and writes of a large dead-letter queue in
  linear time (the same answers);
- ``cloudformation.py``: handlers for Connection, ApiDestination, EventBus, SQS QueuePolicy.

Seams in moto's events service (:func:`seams`, installed by :mod:`lab.sandbox.seams`):

- ``EventsBackend``: ``create_connection`` (keeps ``InvocationConnectivityParameters``
  and ``KmsKeyIdentifier``, refuses a duplicate name, makes the managed
  service-network resource association), ``update_connection`` (merges auth
  parameters, rewrites the secret, restarts the timeline), ``delete_connection``
  (removes the association, answers DELETING), ``get_connection``.
- ``EventsHandler``: the five connection operations' response methods.
- API destinations: see ``api_destinations.seams``.
- ``Rule.send_to_targets`` (called by ``PutEvents`` for every rule of the bus): after
  moto's own targets, a matched event is queued for each API destination target
  (``delivery.enqueue``); moto's own API destination call stays off
  (``MOTO_EVENTS_INVOKE_HTTP`` is forced to false).
- SQS, for the dead-letter queue: see ``dead_letter_queue.seams``.

For both senders (server-internal): :func:`connection_runtime`, one typed
:class:`~lab.sandbox.events.runtime.ConnectionRuntime` per call (``runtime.py``).

Imports: ``models`` -> ``settings``, ``vpclattice``; ``runtime`` -> ``models``; ``delivery``
-> ``network``, ``stepfunctions`` (``connections``, ``http_request``, ``transport``) and
``settings``; ``delivery`` and the List responses also use the leaf helpers ``once`` and ``paging``.
The other way, ``stepfunctions`` and ``network.path`` import ``runtime`` only, never this
``__init__`` or ``delivery``.
"""

from __future__ import annotations

from lab.sandbox.events import models
from lab.sandbox.events.models import find_connection

__all__ = ["apply", "connection_runtime", "find_connection", "seams"]


def seams():
    """The EventBridge seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.events import (
        api_destinations,
        dead_letter_queue,
        delivery,
        responses,
        target_role,
    )
    from lab.sandbox.seams import Seam, methods

    owner = models.__name__
    contracts = "tests/contracts/test_moto_events.py::"
    backend = "moto.events.models:EventsBackend."
    return (
        Seam(
            owner,
            backend + "create_connection",
            models.wrap_create_connection,
            "moto drops InvocationConnectivityParameters and KmsKeyIdentifier",
            contracts + "test_create_connection_takes_four_arguments",
            kind="wrap",
        ),
        Seam(
            owner,
            backend + "delete_connection",
            models.wrap_delete_connection,
            "a private connection's managed resource association goes with it",
            contracts + "test_delete_connection_deletes_the_secret_and_returns_a_dict",
            kind="wrap",
        ),
        Seam(
            owner,
            backend + "get_connection",
            models.get_connection,
            "one lookup by name that raises ResourceNotFoundException",
            contracts + "test_the_helpers_we_import_exist",
            kind="add",
        ),
        Seam(
            owner,
            backend + "update_connection",
            models.update_connection,
            "moto's update forgets connectivity, the secret and the state timeline",
            contracts + "test_the_connection_model_attributes_we_read",
        ),
        Seam(
            owner,
            backend + "deauthorize_connection",
            models.deauthorize_connection,
            "moto does not implement DeauthorizeConnection",
            contracts + "test_moto_has_no_deauthorize_connection",
            kind="add",
        ),
        Seam(
            "lab.sandbox.events.models",
            "moto.events.models:Connection.describe",
            models.model_describe,
            "moto's describe (read by CloudFormation's GetAtt) returns the API key value",
            contracts + "test_connection_describe_is_a_plain_method_we_can_replace",
            origin="moto.events.models",
        ),
        *methods(
            "lab.sandbox.events.responses",
            "moto.events.responses:EventsHandler",
            responses.RESPONSE_METHODS,
            why="the connection operations answer with connectivity and the state as of now",
            contract=contracts + "test_the_handler_exposes_backend_and_headers",
            replaces=[
                function.__name__
                for function in responses.RESPONSE_METHODS
                if function is not responses.deauthorize_connection  # moto has none
            ],
        ),
        *api_destinations.seams(),
        *dead_letter_queue.seams(),
        *target_role.seams(),
        Seam(
            delivery.__name__,
            "moto.events.models:Rule.send_to_targets",
            delivery.wrap_send_to_targets,
            "moto calls an API destination itself (no connection, no retries) after"
            " transforming the input its own way",
            "tests/contracts/test_moto_events_delivery.py::"
            "test_send_to_targets_reads_targets_through_self_and_gates_its_own_http_call",
            kind="wrap",
        ),
    )


def finish() -> None:
    """moto would call an API destination's endpoint itself: the delivery engine does."""
    import os

    os.environ["MOTO_EVENTS_INVOKE_HTTP"] = "false"


def apply() -> None:
    """Install this package's seams, and VPC Lattice's first (idempotent)."""
    from lab.sandbox import seams

    # private connections make lattice associations
    seams.install("lab.sandbox.vpclattice", __name__)


# --------------------------------------------------------------------------- for the HTTP task


def connection_runtime(account_id: str, region: str, connection_arn: str):
    """The connection as a call through it sees it now (:func:`.runtime.resolve`); None if none."""
    from lab.sandbox.events.runtime import resolve

    return resolve(account_id, region, connection_arn)
