"""Connection response handlers that replace moto's (named after the botocore operations).

They become methods of moto's ``EventsHandler``: parse, call the backend,
serialize, with the connection's state evaluated at the moment of the call.
"""

from __future__ import annotations

import json
from typing import Any

from lab.sandbox.events import models
from lab.sandbox.members import keyword_arguments
from lab.sandbox.paging import page


def _state(self, connection) -> tuple[str, str | None]:
    return models.evaluate_state(connection, self.current_account, self.region)


def _short(self, connection, state: str | None = None) -> dict[str, Any]:
    return models.short_description(connection, self.current_account, self.region, state)


def describe(self, connection) -> dict[str, Any]:
    """The DescribeConnection answer: no secret values, state as of now."""
    return models.describe_dict(connection, self.current_account, self.region)


def create_connection(self):
    connection = self.events_backend.create_connection(
        self._get_param("Name"),
        self._get_param("Description"),
        self._get_param("AuthorizationType"),
        self._get_param("AuthParameters"),
        invocation_connectivity_parameters=self._get_param("InvocationConnectivityParameters"),
        kms_key_identifier=self._get_param("KmsKeyIdentifier"),
    )
    body = _short(self, connection)
    body.pop("LastAuthorizedTime", None)  # not in CreateConnection's answer
    return json.dumps(body), self.response_headers


def describe_connection(self):
    name = self._get_param("Name")
    connection = self.events_backend.connections.get(name)
    if connection is None:
        from moto.events.exceptions import ResourceNotFoundException

        # Recorded on AWS (LocalStack's parity snapshot, events
        # test_api_destinations_and_connection test_delete_connection).
        raise ResourceNotFoundException(
            f"Failed to describe the connection(s). Connection '{name}' does not exist.")
    return json.dumps(describe(self, connection)), self.response_headers


def list_connections(self):
    prefix = self._get_param("NamePrefix") or ""
    wanted_state = self._get_param("ConnectionState")
    rows = []
    for connection in self.events_backend.list_connections():
        if not connection.name.startswith(prefix):
            continue
        state, reason = _state(self, connection)
        if wanted_state and state != wanted_state:
            continue
        row = {
            "ConnectionArn": connection.arn,
            "Name": connection.name,
            "ConnectionState": state,
            "AuthorizationType": connection.authorization_type,
            "CreationTime": connection.creation_time,
            "LastModifiedTime": models.last_modified_time(connection),
        }
        if reason:
            row["StateReason"] = reason
        authorized = models.last_authorized_time(connection, state)
        if authorized is not None:
            row["LastAuthorizedTime"] = authorized
        rows.append(row)
    body = page(rows, self._get_param("Limit"), self._get_param("NextToken"), "Connections")
    return json.dumps(body), self.response_headers


def update_connection(self):
    connection = self.events_backend.update_connection(
        self._get_param("Name"),
        **keyword_arguments(
            self._get_param, "Description", "AuthorizationType", "AuthParameters",
            "InvocationConnectivityParameters", "KmsKeyIdentifier",
        ),
    )
    return json.dumps(connection), self.response_headers


def deauthorize_connection(self):
    result = self.events_backend.deauthorize_connection(self._get_param("Name"))
    return json.dumps(result), self.response_headers


def delete_connection(self):
    result = self.events_backend.delete_connection(self._get_param("Name"))
    return json.dumps(result), self.response_headers


RESPONSE_METHODS = (
    create_connection,
    describe_connection,
    list_connections,
    update_connection,
    deauthorize_connection,
    delete_connection,
)
