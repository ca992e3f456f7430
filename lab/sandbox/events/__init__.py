"""Sandbox extension: EventBridge connections with private connectivity (see ``models.py``),
API destinations (``api_destinations.py``) and their delivery (``delivery.py``).

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

For the HTTP task (server-internal): :func:`connection_runtime`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from lab.sandbox.events import models

__all__ = ["apply", "connection_runtime", "find_connection", "seams"]

_RESOURCE_CONFIGURATION_ARN = re.compile(
    r"^arn:[a-z0-9\-]+:vpc-lattice:[a-zA-Z0-9\-]+:\d{12}:resourceconfiguration/rcfg-[0-9a-z]{17}$"
)


def _not_found(name: str):
    from moto.events.exceptions import ResourceNotFoundException

    return ResourceNotFoundException(f"Connection '{name}' does not exist.")


def _check_connectivity(params: dict[str, Any] | None) -> dict[str, Any] | None:
    from moto.events.exceptions import ValidationException

    if params is None:
        return None
    arn = (params.get("ResourceParameters") or {}).get("ResourceConfigurationArn")
    if arn is None:
        raise ValidationException(
            "InvocationConnectivityParameters.ResourceParameters.ResourceConfigurationArn "
            "is required."
        )
    if arn and not _RESOURCE_CONFIGURATION_ARN.match(arn):
        raise ValidationException(
            f"ResourceConfigurationArn {arn!r} is not a VPC Lattice resource configuration ARN."
        )
    return {"ResourceParameters": {"ResourceConfigurationArn": arn}} if arn else None


def _wrap_create(original):
    @functools.wraps(original)
    def create_connection(
        self,
        name,
        description,
        authorization_type,
        auth_parameters,
        invocation_connectivity_parameters=None,
        kms_key_identifier=None,
    ):
        from moto.events.exceptions import ResourceAlreadyExistsException

        if name in self.connections:
            raise ResourceAlreadyExistsException(f"Connection {name} already exists.")
        connectivity = _check_connectivity(invocation_connectivity_parameters)
        connection = original(self, name, description, authorization_type, auth_parameters)
        connection.invocation_connectivity_parameters = connectivity
        connection.kms_key_identifier = kms_key_identifier
        models.start_connectivity(connection, self.account_id, self.region_name, "CREATING")
        return connection

    return create_connection


def get_connection(self, name):
    """The moto ``Connection`` called ``name`` (ResourceNotFoundException if none)."""
    connection = self.connections.get(name)
    if connection is None:
        raise _not_found(name)
    return connection


def update_connection(
    self,
    name,
    description=None,
    authorization_type=None,
    auth_parameters=None,
    invocation_connectivity_parameters=None,
    kms_key_identifier=None,
):
    """UpdateConnection: given members replace old ones; a private connection re-warms."""
    connection = get_connection(self, name)
    if description is not None:
        connection.description = description
    if kms_key_identifier is not None:
        connection.kms_key_identifier = kms_key_identifier
    if authorization_type is not None and authorization_type != connection.authorization_type:
        connection.authorization_type = authorization_type
        connection.auth_parameters = {
            k: v
            for k, v in connection.auth_parameters.items()
            if k in ("InvocationHttpParameters", "ConnectivityParameters")
        }
    if auth_parameters is not None or authorization_type is not None:
        connection.auth_parameters = models.merge_auth_parameters(
            connection.auth_parameters, auth_parameters or {}
        )
        models.write_secret(connection, self.account_id, self.region_name)
    connectivity = _check_connectivity(invocation_connectivity_parameters)
    if invocation_connectivity_parameters is not None and connectivity != (
        connection.invocation_connectivity_parameters
    ):
        models.stop_connectivity(connection, self.account_id, self.region_name)
        connection.invocation_connectivity_parameters = connectivity
        models.start_connectivity(connection, self.account_id, self.region_name, "UPDATING")
    elif models.is_private(connection):
        # Same resource configuration, same association; the states run again.
        models.restart_timeline(connection, "UPDATING")
    return models.short_description(connection, self.account_id, self.region_name)


def _wrap_delete(original):
    @functools.wraps(original)
    def delete_connection(self, name):
        connection = get_connection(self, name)
        models.stop_connectivity(connection, self.account_id, self.region_name)
        result = original(self, name)
        result.update(models.short_description(connection, self.account_id, self.region_name))
        result["ConnectionState"] = "DELETING"
        result.pop("LastAuthorizedTime", None)
        return result

    return delete_connection


def seams():
    """The EventBridge seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.events import api_destinations, responses
    from lab.sandbox.seams import Seam, methods

    owner = __name__
    contracts = "tests/contracts/test_moto_events.py::"
    backend = "moto.events.models:EventsBackend."
    return (
        Seam(
            owner,
            backend + "create_connection",
            _wrap_create,
            "moto drops InvocationConnectivityParameters and KmsKeyIdentifier",
            contracts + "test_create_connection_takes_four_arguments",
            kind="wrap",
        ),
        Seam(
            owner,
            backend + "delete_connection",
            _wrap_delete,
            "a private connection's managed resource association goes with it",
            contracts + "test_delete_connection_deletes_the_secret_and_returns_a_dict",
            kind="wrap",
        ),
        Seam(
            owner,
            backend + "get_connection",
            get_connection,
            "one lookup by name that raises ResourceNotFoundException",
            contracts + "test_the_helpers_we_import_exist",
            kind="add",
        ),
        Seam(
            owner,
            backend + "update_connection",
            update_connection,
            "moto's update forgets connectivity, the secret and the state timeline",
            contracts + "test_the_connection_model_attributes_we_read",
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
            replaces=[function.__name__ for function in responses.RESPONSE_METHODS],
        ),
        *api_destinations.seams(),
        Seam(
            owner,
            "moto.events.models:Rule.send_to_targets",
            _wrap_send_to_targets,
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


class _OtherTargets:
    """The rule as moto's ``send_to_targets`` sees it, minus its API destination targets.

    moto would run its own input transformation on them (which breaks on templates with a
    string placeholder outside quotes, valid on AWS) before its no-op HTTP branch.
    """

    def __init__(self, rule, targets):
        self._rule = rule
        self.targets = targets

    def __getattr__(self, name):
        return getattr(self._rule, name)


def _is_api_destination(target) -> bool:
    return ":api-destination/" in str(target.get("Arn", ""))


def _wrap_send_to_targets(original):
    @functools.wraps(original)
    def send_to_targets(self, original_event, transform_input=True):
        others = [t for t in list(self.targets) if not _is_api_destination(t)]
        if others:
            original(_OtherTargets(self, others), original_event, transform_input)
        if self.state == "ENABLED" and self.event_pattern.matches_event(original_event):
            from lab.sandbox.events import delivery

            delivery.enqueue(self, original_event)

    return send_to_targets


# --------------------------------------------------------------------------- for the HTTP task


def find_connection(account_id: str, region: str, connection_arn: str) -> Any | None:
    """The moto ``Connection`` with this ARN, or None."""
    from moto.events.models import events_backends

    backend = events_backends[account_id][region]
    for connection in list(backend.connections.values()):
        if connection.arn == connection_arn:
            return connection
    return None


def connection_runtime(account_id: str, region: str, connection_arn: str) -> dict[str, Any] | None:
    """What EventBridge knows when the HTTP task calls through ``connection_arn`` (None if none).

    Server-internal: ``api_key_value`` comes from the connection's Secrets
    Manager secret and must only ever leave the process as the request header.
    Keys: ``state``, ``state_reason``, ``authorization_type``, ``api_key_name``,
    ``api_key_value``, ``auth_headers`` (header -> value EventBridge adds for
    API_KEY/BASIC), ``invocation_http_parameters`` (with values),
    ``resource_configuration_arn`` (None for a public connection),
    ``resource_association_arn``.
    """
    connection = find_connection(account_id, region, connection_arn)
    if connection is None:
        return None
    state, reason = models.evaluate_state(connection, account_id, region)
    secret = models.read_secret(connection, account_id, region)
    api_key = (connection.auth_parameters or {}).get("ApiKeyAuthParameters") or {}
    api_key_name = api_key.get("ApiKeyName") or secret.get("api_key_name")
    api_key_value = secret.get("api_key_value")
    auth_headers: dict[str, str] = {}
    if connection.authorization_type == "API_KEY" and api_key_name and api_key_value:
        auth_headers[api_key_name] = api_key_value
    elif connection.authorization_type == "BASIC":
        import base64

        pair = f"{secret.get('username', '')}:{secret.get('password', '')}".encode()
        auth_headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    return {
        "state": state,
        "state_reason": reason,
        "authorization_type": connection.authorization_type,
        "api_key_name": api_key_name,
        "api_key_value": api_key_value,
        "auth_headers": auth_headers,
        "invocation_http_parameters": (connection.auth_parameters or {}).get(
            "InvocationHttpParameters"
        )
        or {},
        "resource_configuration_arn": models.resource_configuration_arn(connection),
        "resource_association_arn": getattr(connection, "resource_association_arn", None),
    }
