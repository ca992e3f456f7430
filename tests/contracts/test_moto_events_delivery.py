"""Contracts: the moto 5.2.5 internals lab/sandbox/events' API destinations and delivery use.

Each test names the sandbox code that depends on the seam; when one fails after a moto
upgrade, fix that code (or drop it, if moto now does the job).
"""

from __future__ import annotations

import inspect


def _original(function):
    return getattr(function, "__wrapped__", function)


def test_put_events_hands_every_rule_of_the_bus_to_send_to_targets():
    """delivery.wrap_send_to_targets is where delivery is queued."""
    from moto.events.models import EventsBackend

    source = inspect.getsource(EventsBackend.put_events)
    assert "for rule in event_bus.rules.values():" in source
    assert "rule.send_to_targets(event_msg)" in source
    # The event message fields delivery.aws_event reshapes.
    for key in ('"id"', '"detail-type"', '"source"', '"account"', '"time"', '"region"', '"detail"'):
        assert f"event_msg[{key}]" in source, key


def test_send_to_targets_reads_targets_through_self_and_gates_its_own_http_call():
    """delivery._OtherTargets hands moto a view with only the other targets, and
    events.finish forces MOTO_EVENTS_INVOKE_HTTP off."""
    from moto.events.models import Rule

    original = _original(Rule.send_to_targets)
    parameters = list(inspect.signature(original).parameters)
    assert parameters == ["self", "original_event", "transform_input"]
    source = inspect.getsource(original)
    assert "for target in self.targets:" in source
    assert 'arn.resource_type == "api-destination"' in source
    assert "settings.events_invoke_http()" in source


def test_rule_model_attributes_delivery_reads():
    """delivery.enqueue reads arn, name, event_bus_name, account_id, region_name, state,
    targets and event_pattern.matches_event of moto's Rule."""
    from moto.events.models import EventPattern, Rule

    source = inspect.getsource(Rule.__init__)
    for attribute in (
        "self.name",
        "self.account_id",
        "self.region_name",
        "self.event_bus_name",
        "self.state",
        "self.targets",
        "self.event_pattern",
    ):
        assert attribute in source, attribute
    assert "def arn" in inspect.getsource(Rule)
    assert callable(EventPattern.matches_event)


def test_destination_model_attributes_api_destinations_reads():
    """api_destinations.describe/update read and write these Destination attributes."""
    from moto.events.models import Destination

    source = inspect.getsource(Destination.__init__)
    for attribute in (
        "self.name",
        "self.description",
        "self.connection_arn",
        "self.invocation_endpoint",
        "self.invocation_rate_limit_per_second",
        "self.creation_time",
        "self.http_method",
        "self.state",
        "self.arn",
    ):
        assert attribute in source, attribute
    assert "api-destination/{name}/{self.uuid}" in source


def test_create_api_destination_takes_six_arguments_and_stores_by_name():
    """api_destinations._wrap_create calls the original positionally, then reads
    self.destinations[name]."""
    from moto.events.models import EventsBackend

    original = _original(EventsBackend.create_api_destination)
    assert list(inspect.signature(original).parameters) == [
        "self",
        "name",
        "description",
        "connection_arn",
        "invocation_endpoint",
        "invocation_rate_limit_per_second",
        "http_method",
    ]
    assert "self.destinations[name] = destination" in inspect.getsource(original)


def test_moto_still_lacks_what_api_destinations_adds():
    """The gaps api_destinations.py fills; if moto closes them, slim it down."""
    from moto.events.models import Destination, EventsBackend

    assert 'self.state = "ACTIVE"' in inspect.getsource(Destination.__init__)
    assert "already exists" not in inspect.getsource(
        _original(EventsBackend.create_api_destination)
    )


def test_event_bus_model_has_no_physical_id_so_ref_breaks():
    """events/cloudformation.EventsEventBus exists because of this."""
    from moto.events.models import EventBus

    assert "physical_resource_id" not in vars(EventBus)


def test_no_moto_model_for_api_destinations_or_queue_policies():
    """events/cloudformation defines AWS::Events::ApiDestination and AWS::SQS::QueuePolicy."""
    from moto.core.common_models import CloudFormationModel

    from lab.sandbox.cloudformation.base import StackResource

    moto_types = {
        model.cloudformation_type()
        for model in CloudFormationModel.__subclasses__()
        if not issubclass(model, StackResource)
    }
    assert "AWS::Events::ApiDestination" not in moto_types
    assert "AWS::SQS::QueuePolicy" not in moto_types


def test_sqs_queue_policy_attribute_and_backend_calls_delivery_uses():
    """delivery.dead_letter reads Queue.policy and backend.queues and calls send_message with
    message_attributes; events/cloudformation.SQSQueuePolicy calls set_queue_attributes."""
    from moto.sqs.models import Queue, SQSBackend

    assert 'self.policy = attributes.get("Policy")' in inspect.getsource(Queue._set_attributes)
    send = inspect.signature(SQSBackend.send_message).parameters
    assert ["queue_name", "message_body", "message_attributes"] == list(send)[1:4]
    assert list(inspect.signature(SQSBackend.set_queue_attributes).parameters) == [
        "self",
        "queue_name",
        "attributes",
    ]


def test_cloudwatch_put_metric_data_takes_a_namespace_and_api_shaped_data():
    """delivery._metric publishes AWS/Events metrics through this backend method."""
    from moto.cloudwatch.models import CloudWatchBackend

    parameters = list(inspect.signature(CloudWatchBackend.put_metric_data).parameters)
    assert parameters == ["self", "namespace", "metric_data"]
    source = inspect.getsource(CloudWatchBackend.put_metric_data)
    assert 'metric_member["MetricName"]' in source and 'metric_member.get("Dimensions"' in source
