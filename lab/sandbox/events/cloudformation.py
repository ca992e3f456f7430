"""CloudFormation handlers for the EventBridge types moto 5.2.5 has no model for.

- ``AWS::Events::Connection``: Ref is the name; GetAtt Arn, ArnForPolicy, SecretArn and the
  private connectivity's ResourceAssociationArn; no model in moto.

- ``AWS::Events::ApiDestination``: Ref is the name; GetAtt ``Arn`` and ``ArnForPolicy``
  (the ARN without its UUID suffix), per the resource schema.
- ``AWS::SQS::QueuePolicy`` (here because EventBridge's dead-letter queue is why the lab
  has one): sets each listed queue's ``Policy``; deleting it removes the policy. Ref is a
  generated id, as on AWS.

- ``AWS::Events::EventBus``: moto's model has no physical id, so ``Ref`` (the bus name, read
  by the rule's ``EventBusName``) returns the model object. GetAtt ``Arn``, ``Name``,
  ``Policy``.

``AWS::Events::Rule`` (with ``Targets``) is moto's own.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.events.models import events_backends
from moto.sqs.models import sqs_backends

from lab.sandbox.cloudformation.base import StackResource


def _arn_for_policy(model: Any) -> str:
    """GetAtt ``ArnForPolicy``: the ARN without its UUID suffix (connections, destinations)."""
    return model.arn.rsplit("/", 1)[0]


def _resource_association_arn(connection: Any) -> str | None:
    """The private connectivity's association ARN, as DescribeConnection shows it."""
    parameters = connection.describe().get("InvocationConnectivityParameters") or {}
    return (parameters.get("ResourceParameters") or {}).get("ResourceAssociationArn")


class _EventsResource(StackResource):
    """A handler of an EventBridge type: its backend is moto's (as the sandbox extends it)."""

    BACKENDS = events_backends


class EventsConnection(_EventsResource, CloudFormationModel):
    """``AWS::Events::Connection``: Ref is the name; GetAtt Arn, ArnForPolicy, SecretArn and
    the private connectivity's ResourceAssociationArn."""

    TYPE = "AWS::Events::Connection"
    ATTRIBUTES = (
        "Arn",
        "ArnForPolicy",
        "SecretArn",
        "InvocationConnectivityParameters.ResourceParameters.ResourceAssociationArn",
    )
    NAME_PROPERTY = "Name"
    MODEL_ATTRIBUTES = {
        "Arn": "arn",
        "ArnForPolicy": _arn_for_policy,
        "SecretArn": "secret_arn",
        "InvocationConnectivityParameters.ResourceParameters.ResourceAssociationArn": (
            _resource_association_arn
        ),
    }
    MUTABLE_PROPERTIES = frozenset(
        {
            "AuthParameters",
            "AuthorizationType",
            "Description",
            "InvocationConnectivityParameters",
            "KmsKeyIdentifier",
        }
    )

    def make(self, name: str, properties: dict[str, Any]) -> str:
        connection = self.moto_backend.create_connection(
            name=name,
            description=properties.get("Description", ""),
            authorization_type=properties.get("AuthorizationType"),
            auth_parameters=properties.get("AuthParameters") or {},
            invocation_connectivity_parameters=properties.get("InvocationConnectivityParameters"),
            kms_key_identifier=properties.get("KmsKeyIdentifier"),
        )
        return connection.name

    def model(self) -> Any:
        return self.moto_backend.connections[self.physical_id]

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        self.moto_backend.update_connection(
            self.physical_id,
            description=properties.get("Description", ""),
            authorization_type=properties.get("AuthorizationType"),
            auth_parameters=properties.get("AuthParameters")
            if "AuthParameters" in changed
            else None,
            invocation_connectivity_parameters=properties.get("InvocationConnectivityParameters"),
            kms_key_identifier=properties.get("KmsKeyIdentifier"),
        )

    def remove(self) -> None:
        self.moto_backend.delete_connection(self.physical_id)


class EventsEventBus(_EventsResource, CloudFormationModel):
    """``AWS::Events::EventBus``: Ref is the name."""

    TYPE = "AWS::Events::EventBus"
    ATTRIBUTES = ("Arn", "Name", "Policy")
    MODEL_ATTRIBUTES = {"Arn": "arn", "Name": "name", "Policy": "policy"}
    NAME_PROPERTY = "Name"
    MUTABLE_PROPERTIES = frozenset({"Description", "Tags"})

    def make(self, name: str, properties: dict[str, Any]) -> str:
        bus = self.moto_backend.create_event_bus(
            name=name,
            event_source_name=properties.get("EventSourceName"),
            description=properties.get("Description"),
            tags=properties.get("Tags"),
        )
        return bus.name

    def model(self) -> Any:
        return self.moto_backend.describe_event_bus(self.physical_id)

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        self.model().description = properties.get("Description")

    def remove(self) -> None:
        self.moto_backend.delete_event_bus(self.physical_id)


class EventsApiDestination(_EventsResource, CloudFormationModel):
    """``AWS::Events::ApiDestination``."""

    TYPE = "AWS::Events::ApiDestination"
    ATTRIBUTES = ("Arn", "ArnForPolicy")
    MODEL_ATTRIBUTES = {"Arn": "arn", "ArnForPolicy": _arn_for_policy}
    NAME_PROPERTY = "Name"
    MUTABLE_PROPERTIES = frozenset(
        {
            "ConnectionArn",
            "Description",
            "HttpMethod",
            "InvocationEndpoint",
            "InvocationRateLimitPerSecond",
        }
    )

    def make(self, name: str, properties: dict[str, Any]) -> str:
        destination = self.moto_backend.create_api_destination(
            name,
            properties.get("Description"),
            properties.get("ConnectionArn"),
            properties.get("InvocationEndpoint"),
            properties.get("InvocationRateLimitPerSecond"),
            properties.get("HttpMethod"),
        )
        return destination.name

    def model(self) -> Any:
        return self.moto_backend.get_api_destination(self.physical_id)

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        self.moto_backend.update_api_destination(
            self.physical_id,
            description=properties.get("Description", ""),
            connection_arn=properties.get("ConnectionArn"),
            invocation_endpoint=properties.get("InvocationEndpoint"),
            invocation_rate_limit_per_second=properties.get("InvocationRateLimitPerSecond"),
            http_method=properties.get("HttpMethod"),
        )

    def remove(self) -> None:
        self.moto_backend.delete_api_destination(self.physical_id)


def _queue_name(queue_url: str) -> str:
    return str(queue_url).rstrip("/").rsplit("/", 1)[-1]


class SQSQueuePolicy(StackResource, CloudFormationModel):
    """``AWS::SQS::QueuePolicy``: the policy document on every queue in ``Queues``."""

    TYPE = "AWS::SQS::QueuePolicy"
    BACKENDS = sqs_backends
    ATTRIBUTES = ("Id",)
    MUTABLE_PROPERTIES = frozenset({"PolicyDocument", "Queues"})

    def make(self, name: str, properties: dict[str, Any]) -> str:
        from moto.moto_api._internal import mock_random

        self.physical_id = f"{self.logical_id or name}-{mock_random.get_random_string(12).upper()}"
        self._write(properties.get("Queues") or [], properties.get("PolicyDocument"))
        return self.physical_id

    def _write(self, queues: list[str], document: Any) -> None:
        backend = self.moto_backend
        # default=str: YAML reads an unquoted Version: 2012-10-17 as a date; CloudFormation
        # keeps the text.
        policy = json.dumps(document, default=str) if document is not None else ""
        for queue_url in queues:
            backend.set_queue_attributes(_queue_name(queue_url), {"Policy": policy})

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        dropped = set(self.properties.get("Queues") or []) - set(properties.get("Queues") or [])
        self._write(sorted(dropped), None)
        self._write(properties.get("Queues") or [], properties.get("PolicyDocument"))

    def remove(self) -> None:
        backend = self.moto_backend
        for queue_url in self.properties.get("Queues") or []:
            if _queue_name(queue_url) in backend.queues:  # the queue may be gone already
                backend.set_queue_attributes(_queue_name(queue_url), {"Policy": ""})
