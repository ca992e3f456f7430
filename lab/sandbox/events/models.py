"""EventBridge connections with private connectivity, on top of moto's ``Connection``.

moto 5.2.5 drops ``InvocationConnectivityParameters``, always says AUTHORIZED,
returns the API key value from DescribeConnection, ignores a new key on
UpdateConnection (the secret keeps the old one) and silently replaces a
connection created twice. The sandbox keeps moto's ``Connection`` objects (so
its secret handling stays) and gives each one declared extension,
``connection.lab`` (:class:`ConnectionExtension`, made when the connection is created):

- ``invocation_connectivity_parameters``: ``{"ResourceParameters":
  {"ResourceConfigurationArn": …}}`` as given;
- ``resource_association_arn``: the service-network resource association
  EventBridge makes in its own service network (``lab.sandbox.vpclattice``);
- ``connectivity_started_at`` / ``warmup_seconds`` / ``first_state``: the
  timeline of the state machine below, evaluated lazily (no threads);
- ``kms_key_identifier``: as given (moto drops it).

States of a private connection (``w`` = the sandbox's
``connection_warmup_seconds`` when it was created or updated)::

    [0, w/2)  CREATING (UPDATING after an update)
    [w/2, w)  AUTHORIZING         } FAILED_CONNECTIVITY instead, with a
    >= w      ACTIVE              } StateReason, if the resource configuration
                                    is missing or not ACTIVE (checked on
                                    every read after the first phase)

A connection without connectivity parameters behaves as moto made it:
AUTHORIZED from the start.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import time
from dataclasses import dataclass
from typing import Any

from lab.sandbox.events import private_connectivity

PRIVATE_READY_STATE = "ACTIVE"

# Which AuthParameters members hold secrets (never returned by Describe).
_SECRET_MEMBERS = {
    "ApiKeyAuthParameters": ("ApiKeyValue",),
    "BasicAuthParameters": ("Password",),
}


def _lattice(account_id: str, region: str) -> Any:
    from lab.sandbox.vpclattice import lattice_backend

    return lattice_backend(account_id, region)


def warmup_seconds() -> float:
    """The sandbox's current warm-up (``/lab-api/config``, ``LAB_SANDBOX_WARMUP_SECONDS``)."""
    from lab.sandbox import settings

    return float(settings.get_setting("connection_warmup_seconds"))


@dataclass
class ConnectionExtension:
    """What the sandbox keeps on moto's ``Connection``, declared once: ``connection.lab``.

    Made in one place, when the connection is created (:func:`wrap_create_connection`);
    every other function reads and writes these fields, never ad-hoc attributes.
    """

    #: ``{"ResourceParameters": {"ResourceConfigurationArn": …}}`` as given (None: public)
    invocation_connectivity_parameters: dict[str, Any] | None = None
    kms_key_identifier: str | None = None
    #: the managed service-network resource association (``lab.sandbox.vpclattice``)
    resource_association_arn: str | None = None
    #: the state timeline: when it started, how long the warm-up lasts, its first state
    connectivity_started_at: float = 0.0
    warmup_seconds: float = 0.0
    first_state: str = "CREATING"
    #: after ACTIVE, how long a new connection still cannot carry calls (its creation's
    #: ``connection_settle_seconds``; AWS: up to several minutes)
    settle_seconds: float = 0.0
    #: when DeauthorizeConnection was called (None: authorized); UpdateConnection clears it
    deauthorized_at: float | None = None


def resource_configuration_arn(connection: Any) -> str | None:
    """The resource configuration a private connection points at (None if not private)."""
    params = connection.lab.invocation_connectivity_parameters or {}
    return (params.get("ResourceParameters") or {}).get("ResourceConfigurationArn") or None


def is_private(connection: Any) -> bool:
    return resource_configuration_arn(connection) is not None


def restart_timeline(connection: Any, first_state: str) -> None:
    """Start the state machine again from ``first_state`` (CREATING or UPDATING)."""
    connection.lab.deauthorized_at = None
    connection.lab.connectivity_started_at = time.time()
    connection.lab.warmup_seconds = warmup_seconds()
    connection.lab.first_state = first_state
    # eb-target-connection-states.html documents the delay for a connection being created.
    connection.lab.settle_seconds = settle_seconds() if first_state == "CREATING" else 0.0


def settle_seconds() -> float:
    """The sandbox's current ``connection_settle_seconds`` (0 unless switched on)."""
    from lab.sandbox import settings

    return float(settings.get_setting("connection_settle_seconds"))


def unready_for(connection: Any, now: float | None = None) -> float:
    """Seconds an ACTIVE private connection still cannot carry calls (0: it can)."""
    if not is_private(connection) or not connection.lab.settle_seconds:
        return 0.0
    now = time.time() if now is None else now
    ready_at = (connection.lab.connectivity_started_at + connection.lab.warmup_seconds
                + connection.lab.settle_seconds)
    return max(0.0, ready_at - now)


def start_connectivity(connection: Any, account_id: str, region: str, first_state: str) -> None:
    """Restart the timeline and make the managed association (if the connection is private)."""
    restart_timeline(connection, first_state)
    connection.lab.resource_association_arn = None
    arn = resource_configuration_arn(connection)
    if arn:
        association = private_connectivity.create_managed_resource_association(
            _lattice(account_id, region), arn
        )
        connection.lab.resource_association_arn = association.arn


def stop_connectivity(connection: Any, account_id: str, region: str) -> None:
    """Remove the managed association (the connection is going or going public)."""
    association_arn = connection.lab.resource_association_arn
    if association_arn:
        private_connectivity.delete_managed_resource_association(
            _lattice(account_id, region), association_arn
        )
    connection.lab.resource_association_arn = None


#: ``configuration=`` default: look the resource configuration up.
_LOOK_UP = object()


def _connectivity_problem(
    connection: Any, account_id: str, region: str, configuration: Any = _LOOK_UP
) -> str | None:
    from lab.sandbox.vpclattice.exceptions import LatticeError

    arn = resource_configuration_arn(connection)
    lattice = _lattice(account_id, region)
    if configuration is _LOOK_UP:
        try:
            configuration = lattice.get_resource_configuration(arn)
        except LatticeError:
            configuration = None
    if configuration is None:
        return (
            f"Resource configuration {arn} was not found; create it (or point the connection "
            "at an existing one) and update the connection."
        )
    if configuration.status != "ACTIVE":
        return f"Resource configuration {arn} is {configuration.status}, not ACTIVE."
    association_arn = connection.lab.resource_association_arn
    association = lattice.service_network_resource_associations.get(
        (association_arn or "").rsplit("/", 1)[-1]
    )
    if association is None or association.status != "ACTIVE":
        return f"The service network resource association for {arn} is not ACTIVE."
    return None


def evaluate_state(
    connection: Any,
    account_id: str,
    region: str,
    now: float | None = None,
    configuration: Any = _LOOK_UP,
) -> tuple[str, str | None]:
    """``(ConnectionState, StateReason or None)`` of ``connection`` at ``now``.

    ``configuration``: its resource configuration when the caller has looked it up
    already (None: it does not exist).
    """
    now = time.time() if now is None else now
    if connection.lab.deauthorized_at is not None:
        deauthorizing = now - connection.lab.deauthorized_at < DEAUTHORIZING_SECONDS
        return ("DEAUTHORIZING" if deauthorizing else "DEAUTHORIZED"), None
    key_problem = kms_key_problem(connection, account_id, region)
    if key_problem:  # encryption-connections.html: an unusable key de-authorizes it
        return "DEAUTHORIZED", key_problem
    if not is_private(connection):
        return connection.state, None
    elapsed = now - connection.lab.connectivity_started_at
    wait = connection.lab.warmup_seconds
    if elapsed < wait / 2:
        return connection.lab.first_state, None
    problem = _connectivity_problem(connection, account_id, region, configuration)
    if problem:
        return "FAILED_CONNECTIVITY", problem
    if elapsed < wait:
        return "AUTHORIZING", None
    return PRIVATE_READY_STATE, None


def short_description(connection: Any, account_id: str, region: str, state: str | None = None):
    """What Create/Update/DeleteConnection answer: ARN, state and times."""
    state = state or evaluate_state(connection, account_id, region)[0]
    body: dict[str, Any] = {
        "ConnectionArn": connection.arn,
        "ConnectionState": state,
        "CreationTime": connection.creation_time,
        "LastModifiedTime": last_modified_time(connection),
    }
    authorized = last_authorized_time(connection, state)
    if authorized is not None:
        body["LastAuthorizedTime"] = authorized
    return body


def describe_dict(connection: Any, account_id: str, region: str) -> dict[str, Any]:
    """DescribeConnection's answer for ``connection``: no secret values, state as of now."""
    state, reason = evaluate_state(connection, account_id, region)
    body: dict[str, Any] = {
        "ConnectionArn": connection.arn,
        "Name": connection.name,
        "ConnectionState": state,
        "AuthorizationType": connection.authorization_type,
        "SecretArn": connection.secret_arn,
        "AuthParameters": public_auth_parameters(connection.auth_parameters),
        "CreationTime": connection.creation_time,
        "LastModifiedTime": last_modified_time(connection),
    }
    if connection.description:
        body["Description"] = connection.description
    connectivity = connectivity_for_describe(connection)
    if connectivity:
        body["InvocationConnectivityParameters"] = connectivity
    if reason:
        body["StateReason"] = reason
    if connection.lab.kms_key_identifier:
        body["KmsKeyIdentifier"] = connection.lab.kms_key_identifier
    authorized = last_authorized_time(connection, state)
    if authorized is not None:
        body["LastAuthorizedTime"] = authorized
    return body


def model_describe(connection: Any) -> dict[str, Any]:
    """Replacement for moto's ``Connection.describe`` (used by CloudFormation GetAtt etc.).

    moto's returns the API key value; this is the API's answer instead.
    """
    account_id = connection.arn.split(":")[4]
    return describe_dict(connection, account_id, connection.region)


def last_modified_time(connection: Any) -> float:
    return connection.lab.connectivity_started_at or connection.creation_time


def last_authorized_time(connection: Any, state: str) -> float | None:
    if not is_private(connection):
        return connection.creation_time
    if state == PRIVATE_READY_STATE:
        return connection.lab.connectivity_started_at + connection.lab.warmup_seconds
    return None


def public_auth_parameters(auth_parameters: dict[str, Any] | None) -> dict[str, Any]:
    """AuthParameters as DescribeConnection shows them: no key, password or secret values."""
    shown = copy.deepcopy(auth_parameters or {})
    for member, secret_keys in _SECRET_MEMBERS.items():
        for key in secret_keys:
            (shown.get(member) or {}).pop(key, None)
    oauth = shown.get("OAuthParameters") or {}
    (oauth.get("ClientParameters") or {}).pop("ClientSecret", None)
    for http in (shown.get("InvocationHttpParameters"), oauth.get("OAuthHttpParameters")):
        for kind in ("HeaderParameters", "QueryStringParameters", "BodyParameters"):
            for item in (http or {}).get(kind) or []:
                if item.get("IsValueSecret"):
                    item.pop("Value", None)
    return shown


def connectivity_for_describe(connection: Any) -> dict[str, Any] | None:
    """``InvocationConnectivityParameters`` as DescribeConnection returns it."""
    arn = resource_configuration_arn(connection)
    if arn is None:
        return None
    params: dict[str, Any] = {"ResourceConfigurationArn": arn}
    if connection.lab.resource_association_arn:
        params["ResourceAssociationArn"] = connection.lab.resource_association_arn
    return {"ResourceParameters": params}


def merge_auth_parameters(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """UpdateConnection semantics: members given replace those members, others stay."""
    merged = copy.deepcopy(current or {})
    for member, value in (changes or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(member), dict):
            merged[member] = {**merged[member], **value}
        else:
            merged[member] = copy.deepcopy(value)
    return merged


def secret_payload(auth_parameters: dict[str, Any]) -> str:
    """The connection secret's SecretString, in the layout moto's Connection writes."""
    from moto.utilities.utils import CamelToUnderscoresWalker as Walker

    value: dict[str, Any] = {}
    for key, item in (auth_parameters or {}).items():
        if key == "InvocationHttpParameters":
            value["InvocationHttpParameters"] = item
        elif key != "ConnectivityParameters":
            value.update(item)
    return json.dumps(Walker.parse(value))


def read_secret(connection: Any, account_id: str, region: str) -> dict[str, Any]:
    """The connection's secret as stored in Secrets Manager (server-internal)."""
    from moto.events.models import get_secrets_manager_backend

    backend = get_secrets_manager_backend(account_id, region)
    secret = backend.get_secret_value(connection.secret_arn, None, None)
    return json.loads(secret.get("SecretString") or "{}")


def write_secret(connection: Any, account_id: str, region: str) -> None:
    """Store the connection's current auth parameters as a new secret version."""
    from moto.events.models import get_secrets_manager_backend

    backend = get_secrets_manager_backend(account_id, region)
    name = backend.describe_secret(connection.secret_arn).name
    from moto.moto_api._internal import mock_random

    # A fresh client token: without one moto refuses to add a version.
    backend.update_secret(
        name,
        secret_string=secret_payload(connection.auth_parameters),
        client_request_token=str(mock_random.uuid4()),
    )


# --------------------------------------------------------------------------- backend methods
# Seams on moto's EventsBackend (declared in lab.sandbox.events.seams).

_RESOURCE_CONFIGURATION_ARN = re.compile(
    r"^arn:[a-z0-9\-]+:vpc-lattice:[a-zA-Z0-9\-]+:\d{12}:resourceconfiguration/rcfg-[0-9a-z]{17}$"
)


def secret_name(connection: Any) -> str:
    """The name AWS gives a connection's managed secret: ``events!connection/<name>/<uuid>``
    (recorded on AWS: LocalStack's parity snapshots, events test_api_destinations_and_connection
    test_connection_secrets, ``"Name": "events!connection/<connection-name>/<secret-uuid>"``).
    The uuid is the secret's own, derived from the connection's ARN so the sandbox's seeded
    ids stay as they were."""
    import uuid

    return f"events!connection/{connection.name}/{uuid.uuid5(uuid.NAMESPACE_URL, connection.arn)}"


def rename_secret(connection: Any, account_id: str, region: str) -> None:
    """Give moto's secret (``events!connection/<name>/<uuid>/auth``) AWS's name, in place:
    same value, versions and ARN suffix, so no seeded id is drawn again."""
    from moto.events.models import get_secrets_manager_backend

    store = get_secrets_manager_backend(account_id, region).secrets
    secret = store.get(connection.secret_arn)
    if secret is None:
        return
    new_name = secret_name(connection)
    prefix, suffix = secret.arn.rsplit(":secret:", 1)[0], secret.arn.rsplit("-", 1)[1]
    dict.pop(store, secret.name, None)
    secret.name = secret.secret_id = new_name
    secret.arn = f"{prefix}:secret:{new_name}-{suffix}"
    dict.__setitem__(store, new_name, secret)
    connection.secret_arn = secret.arn


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


def _check_kms_key(identifier: str | None, account: str, region: str, name: str) -> None:
    """Refuse a customer managed key EventBridge cannot use (:mod:`.kms_key`)."""
    from moto.events.exceptions import ValidationException

    from lab.sandbox.events import kms_key

    if not identifier:
        return
    secret = f"arn:aws:secretsmanager:{region}:{account}:secret:events!connection/{name}/*"
    found = kms_key.problem(identifier, account, region, secret)
    if found:
        raise ValidationException(found)


def kms_key_problem(connection: Any, account_id: str, region: str) -> str | None:
    """Why the connection's customer managed key is no longer usable (None: it is, or none)."""
    from lab.sandbox.events import kms_key

    identifier = connection.lab.kms_key_identifier
    if not identifier:
        return None
    return kms_key.problem(identifier, account_id, region, connection.secret_arn)


def wrap_create_connection(original):
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
        _check_kms_key(kms_key_identifier, self.account_id, self.region_name, name)
        connection = original(self, name, description, authorization_type, auth_parameters)
        rename_secret(connection, self.account_id, self.region_name)
        connection.lab = ConnectionExtension(
            invocation_connectivity_parameters=connectivity,
            kms_key_identifier=kms_key_identifier,
        )
        start_connectivity(connection, self.account_id, self.region_name, "CREATING")
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
    if kms_key_identifier:
        _check_kms_key(kms_key_identifier, self.account_id, self.region_name, name)
    if description is not None:
        connection.description = description
    if kms_key_identifier is not None:
        connection.lab.kms_key_identifier = kms_key_identifier or None
    if authorization_type is not None and authorization_type != connection.authorization_type:
        connection.authorization_type = authorization_type
        connection.auth_parameters = {
            k: v
            for k, v in connection.auth_parameters.items()
            if k in ("InvocationHttpParameters", "ConnectivityParameters")
        }
    if auth_parameters is not None or authorization_type is not None:
        connection.auth_parameters = merge_auth_parameters(
            connection.auth_parameters, auth_parameters or {}
        )
        write_secret(connection, self.account_id, self.region_name)
    connectivity = _check_connectivity(invocation_connectivity_parameters)
    if invocation_connectivity_parameters is not None and connectivity != (
        connection.lab.invocation_connectivity_parameters
    ):
        stop_connectivity(connection, self.account_id, self.region_name)
        connection.lab.invocation_connectivity_parameters = connectivity
        start_connectivity(connection, self.account_id, self.region_name, "UPDATING")
    elif is_private(connection):
        # Same resource configuration, same association; the states run again.
        restart_timeline(connection, "UPDATING")
    else:
        connection.lab.deauthorized_at = None  # new credentials authorize it again
    return short_description(connection, self.account_id, self.region_name)


#: How long DeauthorizeConnection's DEAUTHORIZING lasts before DEAUTHORIZED.
DEAUTHORIZING_SECONDS = 1.0
#: The members of AuthParameters that hold credentials (DeauthorizeConnection removes them).
CREDENTIAL_MEMBERS = ("ApiKeyAuthParameters", "BasicAuthParameters", "OAuthParameters")


def deauthorize_connection(self, name):
    """DeauthorizeConnection (API reference): "Removes all authorization parameters from the
    connection", which goes DEAUTHORIZING -> DEAUTHORIZED; calls through it then fail with
    ``Events.ConnectionResource.InvalidConnectionState``; UpdateConnection with new
    credentials authorizes it again."""
    connection = get_connection(self, name)
    connection.auth_parameters = {
        k: v for k, v in (connection.auth_parameters or {}).items() if k not in CREDENTIAL_MEMBERS
    }
    write_secret(connection, self.account_id, self.region_name)
    connection.lab.deauthorized_at = time.time()
    return short_description(connection, self.account_id, self.region_name)


def wrap_delete_connection(original):
    @functools.wraps(original)
    def delete_connection(self, name):
        connection = get_connection(self, name)
        stop_connectivity(connection, self.account_id, self.region_name)
        result = original(self, name)
        result.update(short_description(connection, self.account_id, self.region_name))
        result["ConnectionState"] = "DELETING"
        return result

    return delete_connection


def find_connection(account_id: str, region: str, connection_arn: str) -> Any | None:
    """The moto ``Connection`` with this ARN, or None."""
    from moto.events.models import events_backends

    backend = events_backends[account_id][region]
    for connection in list(backend.connections.values()):
        if connection.arn == connection_arn:
            return connection
    return None
