"""EventApiDestination: EventBridge events delivered to the private API through the same connection.

The second consumer of the private connection (the first is the HTTP Task): a custom
event bus, a rule with an event pattern, and an API destination that POSTs each matching
event to ``<api root>/events`` through the connection that carries the HTTP Task's calls
into the VPC. The rule's target reshapes the event with an input transformer, retries
throttling and server errors within its retry policy, and sends what it could not deliver
to an SQS dead-letter queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk_app.acknowledgments import acknowledge

#: The event the lab sends (``python -m lab events send``, notebook 07) and the rule matches.
EVENT_SOURCE = "lab.private-api"
EVENT_DETAIL_TYPE = "LabEvent"


@dataclass(frozen=True)
class DeliverySettings:
    """How EventBridge paces and retries delivery to the API destination.

    - ``rate_limit_per_second``: the API destination's ``InvocationRateLimitPerSecond``
      (EventBridge queues events beyond it; 1-300 for a new destination by default).
    - ``retry_attempts`` / ``max_event_age``: the target's ``RetryPolicy``. Kept small so a
      broken link lands events in the dead-letter queue within about a minute, not the
      default 24 hours and 185 attempts.
    - ``dlq_retention``: how long dead-lettered events wait for a redrive.
    """

    rate_limit_per_second: int = 200
    retry_attempts: int = 2
    max_event_age: Duration = Duration.seconds(60)
    dlq_retention: Duration = Duration.days(4)

    def __post_init__(self) -> None:
        if not 1 <= self.rate_limit_per_second <= 300:
            raise ValueError("rate_limit_per_second must be 1-300 (the API destination's range)")
        if not 0 <= self.retry_attempts <= 185:
            raise ValueError("retry_attempts must be 0-185 (RetryPolicy.MaximumRetryAttempts)")
        if not 60 <= self.max_event_age.to_seconds() <= 86_400:
            raise ValueError("max_event_age must be 60 s to 24 h (MaximumEventAgeInSeconds)")


def api_destination_target(
    api_destination: events.IApiDestination,
    *,
    event: events.RuleTargetInput,
    dead_letter_queue: sqs.IQueue,
    settings: DeliverySettings,
) -> targets.ApiDestination:
    """The rule's target: the API destination, its input, its retry policy and its DLQ.

    CDK gives the target a role that trusts ``events.amazonaws.com`` and allows
    ``events:InvokeApiDestination`` on this destination. ``settings`` carries the retry
    policy (a few retries within a minute, not EventBridge's 185 attempts over 24 hours),
    and the dead-letter queue keeps what could not be delivered.
    """
    return targets.ApiDestination(
        api_destination,
        event=event,
        retry_attempts=settings.retry_attempts,
        max_event_age=settings.max_event_age,
        # Also grants events.amazonaws.com sqs:SendMessage for this rule only
        # (the queue policy's aws:SourceArn condition).
        dead_letter_queue=dead_letter_queue,
    )


class EventApiDestination(Construct):
    """Event bus -> rule (pattern) -> API destination (the private connection) -> ``POST /events``.

    What arrives at the API is the input transformer's template, not the whole event: the
    event's id, source, detail type, time, and its ``detail`` object (which carries the
    sender's timestamp, so the lab can time put -> receipt).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        connection: events.IConnection,
        endpoint_url: str,
        settings: DeliverySettings = DeliverySettings(),  # noqa: B008  (frozen, immutable)
        pieces,
    ) -> None:
        super().__init__(scope, construct_id)

        self.bus = events.EventBus(self, "Bus", event_bus_name=f"{name_prefix}-events")
        self.api_destination = events.ApiDestination(
            self,
            "ApiDestination",
            # Names are at most 64 characters; queue names 80 (a stack name may have 128).
            api_destination_name=f"{name_prefix[:50]}-events",
            description="Private API Lab: POST /events on the private API, private connection",
            connection=connection,
            endpoint=endpoint_url,
            http_method=events.HttpMethod.POST,
            rate_limit_per_second=settings.rate_limit_per_second,
        )
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            # No queue_name: CloudFormation names it <stack>-<logical id>-<random> on each
            # create. SQS refuses a name deleted less than 60 s ago (QueueDeletedRecently),
            # so a fixed name failed a quick destroy-and-deploy.
            retention_period=settings.dlq_retention,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        acknowledge(
            self.dead_letter_queue,
            "AwsSolutions-SQS3",
            "This queue is the dead-letter queue of the rule's API destination target "
            "(DeadLetterConfig); cdk-nag only recognises queues named in another queue's "
            "RedrivePolicy.",
        )

        self.target = pieces.rule_target(
            self.api_destination,
            event=events.RuleTargetInput.from_object(
                {
                    "eventId": events.EventField.event_id,
                    "source": events.EventField.source,
                    "detailType": events.EventField.detail_type,
                    "time": events.EventField.time,
                    "detail": events.EventField.from_path("$.detail"),
                }
            ),
            dead_letter_queue=self.dead_letter_queue,
            settings=settings,
        )
        self.rule = events.Rule(
            self,
            "Rule",
            event_bus=self.bus,
            description="Private API Lab: lab events -> the private API's POST /events",
            event_pattern=events.EventPattern(
                source=[EVENT_SOURCE], detail_type=[EVENT_DETAIL_TYPE]
            ),
            targets=[self.target],
        )
