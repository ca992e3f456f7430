"""A connection resolved once for one call through it: the typed object both senders pass on.

:func:`resolve` looks up the connection, its state as of now, the credentials EventBridge
adds (from the connection's secret), its invocation parameters and, for a private
connection, the VPC Lattice models it reaches through: the resource configuration and its
resource gateway (each None when it does not exist). Step Functions' HTTP Task and
EventBridge's API destination delivery get one :class:`ConnectionRuntime` per call
(:func:`lab.sandbox.stepfunctions.connections.connection_runtime`), build their request from
it and hand it to the network path (:func:`lab.sandbox.network.private_route`), which checks
the links from its models on: nothing is looked up, parsed or fetched twice.

Server-internal: ``api_key_value`` and ``auth_headers`` must only ever leave the process as
the request's headers.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from lab.sandbox.events import models


@dataclass(frozen=True)
class ConnectionRuntime:
    """What EventBridge knows when a call goes through connection ``arn``."""

    arn: str
    account: str
    region: str
    state: str
    state_reason: str | None = None
    authorization_type: str = ""
    api_key_name: str | None = None
    api_key_value: str | None = None
    #: header -> value EventBridge adds (API_KEY, BASIC)
    auth_headers: dict[str, str] = field(default_factory=dict)
    #: the connection's ``InvocationHttpParameters``, with values
    invocation_http_parameters: dict[str, Any] = field(default_factory=dict)
    #: the Secrets Manager secret holding the credentials
    secret_arn: str | None = None
    #: the customer managed KMS key encrypting that secret (None: an AWS owned key)
    kms_key_arn: str | None = None
    #: None for a public connection
    resource_configuration_arn: str | None = None
    resource_association_arn: str | None = None
    #: ``lab.sandbox.vpclattice.models.ResourceConfiguration`` (None: not private, or gone)
    resource_configuration: Any | None = None
    #: ``lab.sandbox.vpclattice.models.ResourceGateway`` (None: none, or gone)
    resource_gateway: Any | None = None
    #: an ACTIVE private connection that cannot carry calls yet: for this many seconds
    unready_for_s: float = 0.0

    @property
    def is_private(self) -> bool:
        return self.resource_configuration_arn is not None


def _lattice_models(arn: str, account: str, region: str) -> tuple[Any | None, Any | None]:
    """The resource configuration ``arn`` and its gateway, each None if it does not exist."""
    from lab.sandbox.vpclattice import lattice_backend
    from lab.sandbox.vpclattice.exceptions import LatticeError

    # arn:aws:vpc-lattice:<region>:<account>:resourceconfiguration/rcfg-...
    parts = arn.split(":", 5)
    if len(parts) == 6:
        region, account = parts[3] or region, parts[4] or account
    lattice = lattice_backend(account, region)
    try:
        configuration = lattice.get_resource_configuration(arn)
    except LatticeError:
        return None, None
    try:
        gateway = lattice.get_resource_gateway(configuration.resource_gateway_id or "")
    except LatticeError:
        gateway = None
    return configuration, gateway


def _auth_headers(connection: Any, secret: dict[str, Any], api_key_name: str | None):
    api_key_value = secret.get("api_key_value")
    if connection.authorization_type == "API_KEY" and api_key_name and api_key_value:
        return {api_key_name: api_key_value}
    if connection.authorization_type == "BASIC":
        pair = f"{secret.get('username', '')}:{secret.get('password', '')}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    return {}


def _kms_key_arn(connection: Any, account: str, region: str) -> str | None:
    identifier = connection.lab.kms_key_identifier
    if not identifier:
        return None
    from lab.sandbox.events import kms_key

    # a key that is gone keeps its identifier: the caller's Decrypt on it is then refused
    return kms_key.key_arn(identifier, account, region) or identifier


def resolve(account: str, region: str, arn: str) -> ConnectionRuntime | None:
    """Connection ``arn`` (in ``account``/``region``) as a call sees it now; None if none."""
    connection = models.find_connection(account, region, arn)
    if connection is None:
        return None
    configuration_arn = models.resource_configuration_arn(connection)
    configuration = gateway = None
    if configuration_arn:
        configuration, gateway = _lattice_models(configuration_arn, account, region)
    state, reason = models.evaluate_state(
        connection, account, region, configuration=configuration
    )
    secret = models.read_secret(connection, account, region)
    api_key = (connection.auth_parameters or {}).get("ApiKeyAuthParameters") or {}
    api_key_name = api_key.get("ApiKeyName") or secret.get("api_key_name")
    return ConnectionRuntime(
        arn=arn,
        account=account,
        region=region,
        state=state,
        state_reason=reason,
        authorization_type=connection.authorization_type,
        api_key_name=api_key_name,
        api_key_value=secret.get("api_key_value"),
        auth_headers=_auth_headers(connection, secret, api_key_name),
        invocation_http_parameters=(connection.auth_parameters or {}).get(
            "InvocationHttpParameters"
        )
        or {},
        secret_arn=connection.secret_arn,
        kms_key_arn=_kms_key_arn(connection, account, region),
        resource_configuration_arn=configuration_arn,
        resource_association_arn=connection.lab.resource_association_arn,
        resource_configuration=configuration,
        resource_gateway=gateway,
        unready_for_s=models.unready_for(connection) if state == models.PRIVATE_READY_STATE
        else 0.0,
    )
