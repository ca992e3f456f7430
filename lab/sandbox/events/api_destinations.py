"""EventBridge API destinations as AWS answers for them, on top of moto's ``Destination``.

moto 5.2.5 stores API destinations (create/describe/list/update/delete) but: replaces a
destination created twice, accepts a connection that does not exist and any rate limit,
keeps ``LastModifiedTime`` at the creation time, ignores ``NamePrefix``/``ConnectionArn``
filters and always says ``ACTIVE``. The sandbox keeps moto's ``Destination`` objects and
fixes those, per the EventBridge API reference:

- ``Name`` 1-64 of ``[.\\-_A-Za-z0-9]``; ``InvocationRateLimitPerSecond`` 1-300 (default
  300); ``HttpMethod`` one of POST, GET, HEAD, OPTIONS, PUT, PATCH, DELETE;
  ``InvocationEndpoint`` an ``https://`` URL; ``ConnectionArn`` an existing connection.
- ``ApiDestinationState``: ``ACTIVE`` while its connection exists and is not
  ``DEAUTHORIZED`` or ``FAILED_CONNECTIVITY``, ``INACTIVE`` otherwise (the sandbox's
  reading of "the destination cannot be invoked"; AWS documents the two values only).
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from typing import Any

from lab.sandbox.members import keyword_arguments
from lab.sandbox.paging import page

HTTP_METHODS = ("POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE")
DEFAULT_RATE_LIMIT = 300
MAX_RATE_LIMIT = 300
_NAME = re.compile(r"^[\.\-_A-Za-z0-9]{1,64}$")
_UNUSABLE_CONNECTION_STATES = frozenset({"DEAUTHORIZED", "FAILED_CONNECTIVITY", "DELETING"})


def _validation(message: str) -> Exception:
    from moto.events.exceptions import ValidationException

    return ValidationException(message)


def _connection_for(backend: Any, connection_arn: str) -> Any | None:
    for connection in list(backend.connections.values()):
        if connection.arn == connection_arn:
            return connection
    return None


def check_rate_limit(value: Any) -> int:
    """``InvocationRateLimitPerSecond`` as an int, or ValidationException."""
    if value is None:
        return DEFAULT_RATE_LIMIT
    try:
        rate = int(value)
    except (TypeError, ValueError):
        raise _validation("InvocationRateLimitPerSecond must be a whole number.") from None
    if not 1 <= rate <= MAX_RATE_LIMIT:
        raise _validation(
            f"1 validation error detected: Value '{rate}' at 'invocationRateLimitPerSecond' "
            f"failed to satisfy constraint: Member must have value between 1 and {MAX_RATE_LIMIT}"
        )
    return rate


def _check(backend: Any, connection_arn: Any, endpoint: Any, http_method: Any) -> None:
    from moto.events.exceptions import ResourceNotFoundException

    if connection_arn is not None and _connection_for(backend, connection_arn) is None:
        raise ResourceNotFoundException(f"Connection '{connection_arn}' does not exist.")
    if endpoint is not None and not str(endpoint).startswith("https://"):
        raise _validation(
            f"InvocationEndpoint {endpoint!r} is not an https:// URL; API destinations call "
            "HTTPS endpoints only."
        )
    if http_method is not None and str(http_method).upper() not in HTTP_METHODS:
        raise _validation(f"HttpMethod must be one of {', '.join(HTTP_METHODS)}.")


def state(destination: Any, backend: Any) -> str:
    """``ACTIVE`` or ``INACTIVE`` as of now (see the module docstring)."""
    from lab.sandbox.events import models

    connection = _connection_for(backend, destination.connection_arn)
    if connection is None:
        return "INACTIVE"
    connection_state, _ = models.evaluate_state(connection, backend.account_id, backend.region_name)
    return "INACTIVE" if connection_state in _UNUSABLE_CONNECTION_STATES else "ACTIVE"


def describe(destination: Any, backend: Any) -> dict[str, Any]:
    """DescribeApiDestination's answer."""
    body = {
        "ApiDestinationArn": destination.arn,
        "Name": destination.name,
        "ApiDestinationState": state(destination, backend),
        "ConnectionArn": destination.connection_arn,
        "InvocationEndpoint": destination.invocation_endpoint,
        "HttpMethod": destination.http_method,
        "InvocationRateLimitPerSecond": int(destination.invocation_rate_limit_per_second),
        "CreationTime": destination.creation_time,
        "LastModifiedTime": last_modified(destination),
    }
    if destination.description:
        body["Description"] = destination.description
    return body


def short(destination: Any, backend: Any) -> dict[str, Any]:
    """What Create/UpdateApiDestination answer."""
    return {
        "ApiDestinationArn": destination.arn,
        "ApiDestinationState": state(destination, backend),
        "CreationTime": destination.creation_time,
        "LastModifiedTime": last_modified(destination),
    }


@dataclass
class DestinationExtension:
    """What the sandbox keeps on moto's ``Destination``, declared once: ``destination.lab``.

    Made when the destination is created (:func:`_wrap_create`).
    """

    #: None until the first UpdateApiDestination (then LastModifiedTime is this, not creation)
    last_modified_time: float | None = None


def last_modified(destination: Any) -> float:
    return destination.lab.last_modified_time or destination.creation_time


# --------------------------------------------------------------------------- backend methods


def _wrap_create(original):
    @functools.wraps(original)
    def create_api_destination(
        self,
        name,
        description,
        connection_arn,
        invocation_endpoint,
        invocation_rate_limit_per_second,
        http_method,
    ):
        from moto.events.exceptions import ResourceAlreadyExistsException

        if not _NAME.match(str(name or "")):
            raise _validation(
                f"Name {name!r} must be 1-64 characters of letters, digits, '.', '-' and '_'."
            )
        if name in self.destinations:
            raise ResourceAlreadyExistsException(f"An api-destination '{name}' already exists.")
        _check(self, connection_arn, invocation_endpoint, http_method)
        rate = check_rate_limit(invocation_rate_limit_per_second)
        original(
            self,
            name,
            description,
            connection_arn,
            invocation_endpoint,
            rate,
            str(http_method).upper(),
        )
        destination = self.destinations[name]
        destination.lab = DestinationExtension()
        return destination

    return create_api_destination


def get_api_destination(self, name):
    """The moto ``Destination`` called ``name`` (ResourceNotFoundException if none)."""
    from moto.events.exceptions import ResourceNotFoundException

    destination = self.destinations.get(name)
    if destination is None:
        raise ResourceNotFoundException(f"An api-destination '{name}' does not exist.")
    return destination


def find_api_destination(self, arn):
    """The ``Destination`` with ARN ``arn`` (a rule target's ``Arn``), or None."""
    name = arn.split(":api-destination/", 1)[-1].split("/", 1)[0]
    destination = self.destinations.get(name)
    if destination is None or destination.arn != arn:
        return None
    return destination


def backend_update_api_destination(
    self,
    name,
    description=None,
    connection_arn=None,
    invocation_endpoint=None,
    invocation_rate_limit_per_second=None,
    http_method=None,
):
    """UpdateApiDestination: the members given replace the old ones."""
    destination = get_api_destination(self, name)
    _check(self, connection_arn, invocation_endpoint, http_method)
    if invocation_rate_limit_per_second is not None:
        destination.invocation_rate_limit_per_second = check_rate_limit(
            invocation_rate_limit_per_second
        )
    if description is not None:
        destination.description = description
    if connection_arn is not None:
        destination.connection_arn = connection_arn
    if invocation_endpoint is not None:
        destination.invocation_endpoint = invocation_endpoint
    if http_method is not None:
        destination.http_method = str(http_method).upper()
    destination.lab.last_modified_time = time.time()
    return destination


def backend_list_api_destinations(self, name_prefix=None, connection_arn=None):
    """ListApiDestinations with its filters."""
    return [
        destination
        for destination in self.destinations.values()
        if destination.name.startswith(name_prefix or "")
        and (connection_arn is None or destination.connection_arn == connection_arn)
    ]


# --------------------------------------------------------------------------- responses


def _json(self, body) -> tuple[str, dict[str, Any]]:
    import json

    return json.dumps(body), self.response_headers


def create_api_destination(self):
    destination = self.events_backend.create_api_destination(
        self._get_param("Name"),
        self._get_param("Description"),
        self._get_param("ConnectionArn"),
        self._get_param("InvocationEndpoint"),
        self._get_param("InvocationRateLimitPerSecond"),
        self._get_param("HttpMethod"),
    )
    return _json(self, short(destination, self.events_backend))


def describe_api_destination(self):
    destination = self.events_backend.get_api_destination(self._get_param("Name"))
    return _json(self, describe(destination, self.events_backend))


def list_api_destinations(self):
    rows = []
    for destination in self.events_backend.list_api_destinations(
        name_prefix=self._get_param("NamePrefix"),
        connection_arn=self._get_param("ConnectionArn"),
    ):
        row = describe(destination, self.events_backend)
        row.pop("Description", None)  # ListApiDestinations' items carry no description
        rows.append(row)
    body = page(rows, self._get_param("Limit"), self._get_param("NextToken"), "ApiDestinations")
    return _json(self, body)


def update_api_destination(self):
    destination = self.events_backend.update_api_destination(
        self._get_param("Name"),
        **keyword_arguments(
            self._get_param, "Description", "ConnectionArn", "InvocationEndpoint",
            "InvocationRateLimitPerSecond", "HttpMethod",
        ),
    )
    return _json(self, short(destination, self.events_backend))


def delete_api_destination(self):
    self.events_backend.delete_api_destination(self._get_param("Name"))
    return _json(self, {})


RESPONSE_METHODS = (
    create_api_destination,
    describe_api_destination,
    list_api_destinations,
    update_api_destination,
    delete_api_destination,
)


def seams():
    """The API destinations' seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam, methods

    contracts = "tests/contracts/test_moto_events_delivery.py::"
    backend = "moto.events.models:EventsBackend"
    lacks = contracts + "test_moto_still_lacks_what_api_destinations_adds"
    return (
        Seam(
            __name__,
            f"{backend}.create_api_destination",
            _wrap_create,
            "moto checks neither the name, the connection, the endpoint nor the rate limit",
            contracts + "test_create_api_destination_takes_six_arguments_and_stores_by_name",
            kind="wrap",
        ),
        Seam(
            __name__,
            f"{backend}.get_api_destination",
            get_api_destination,
            "one lookup by name that raises ResourceNotFoundException",
            lacks,
            kind="add",
        ),
        Seam(
            __name__,
            f"{backend}.find_api_destination",
            find_api_destination,
            "the delivery engine finds a destination by ARN",
            lacks,
            kind="add",
        ),
        Seam(
            __name__,
            f"{backend}.update_api_destination",
            backend_update_api_destination,
            "moto's update skips the create checks",
            lacks,
        ),
        Seam(
            __name__,
            f"{backend}.list_api_destinations",
            backend_list_api_destinations,
            "moto's list ignores the filters",
            lacks,
        ),
        *methods(
            __name__,
            "moto.events.responses:EventsHandler",
            RESPONSE_METHODS,
            why="the API destination operations answer as AWS does",
            contract=contracts + "test_destination_model_attributes_api_destinations_reads",
            replaces=[function.__name__ for function in RESPONSE_METHODS],
        ),
    )
