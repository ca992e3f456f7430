"""EventBridge API destinations: the API, and delivery of matched events along the path.

Built in-process like the HTTP Task's tests: the private path with boto3, plus ``POST
/events`` on the API, an event bus, a rule with an input transformer, an API destination
through the same private connection and a dead-letter queue with EventBridge's policy.
"""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError
from http_invoke_builders import (
    build_private_path,
    create_private_connection,
    wait_for_connection,
)

from lab.sandbox.dataplane import request_log
from lab.sandbox.events import delivery

SOURCE = "lab.private-api"
TEMPLATE = '{"eventId":<id>,"note":"event <id> from <source>","detail":<detail>}'


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    # The sandbox's backoff base (0.5 s) would make the retry tests wait seconds.
    monkeypatch.setattr(delivery, "RETRY_BASE_SECONDS", 0.01)
    yield
    delivery.reset()


def add_events_method(aws, api, status: int = 200) -> str:
    """``POST /events`` (MOCK answering ``status``, API key required) on ``api``; its URL."""
    apigw = aws("apigateway")
    root = [r for r in apigw.get_resources(restApiId=api.id)["items"] if r["path"] == "/"][0]
    resource = apigw.create_resource(restApiId=api.id, parentId=root["id"], pathPart="events")
    ids = {"restApiId": api.id, "resourceId": resource["id"], "httpMethod": "POST"}
    apigw.put_method(**ids, authorizationType="NONE", apiKeyRequired=True)
    apigw.put_integration(
        **ids,
        type="MOCK",
        requestTemplates={"application/json": json.dumps({"statusCode": status})},
    )
    apigw.put_method_response(**ids, statusCode=str(status))
    apigw.put_integration_response(
        **ids, statusCode=str(status), responseTemplates={"application/json": '{"ok": true}'}
    )
    apigw.create_deployment(restApiId=api.id, stageName=api.stage)
    return api.url("/events")


def wire_rule(aws, connection_arn: str, url: str, *, rate: int = 300, retries: int = 2) -> dict:
    """Bus, API destination, DLQ (with EventBridge's policy) and a rule targeting them."""
    events, sqs = aws("events"), aws("sqs")
    destination = events.create_api_destination(
        Name="lab-events",
        ConnectionArn=connection_arn,
        InvocationEndpoint=url,
        HttpMethod="POST",
        InvocationRateLimitPerSecond=rate,
    )["ApiDestinationArn"]
    queue_url = sqs.create_queue(QueueName="lab-dlq")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.create_event_bus(Name="lab-bus")
    rule_arn = events.put_rule(
        Name="lab-rule", EventBusName="lab-bus", EventPattern=json.dumps({"source": [SOURCE]})
    )["RuleArn"]
    sqs.set_queue_attributes(
        QueueUrl=queue_url,
        Attributes={
            "Policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "events.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": queue_arn,
                            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
                        }
                    ]
                }
            )
        },
    )
    events.put_targets(
        Rule="lab-rule",
        EventBusName="lab-bus",
        Targets=[
            {
                "Id": "api",
                "Arn": destination,
                "RoleArn": "arn:aws:iam::123456789012:role/lab-events",
                "RetryPolicy": {"MaximumRetryAttempts": retries, "MaximumEventAgeInSeconds": 60},
                "DeadLetterConfig": {"Arn": queue_arn},
                "InputTransformer": {
                    "InputPathsMap": {"id": "$.id", "source": "$.source", "detail": "$.detail"},
                    "InputTemplate": TEMPLATE,
                },
            }
        ],
    )
    return {"destination": destination, "queue_url": queue_url, "rule_arn": rule_arn}


def put(aws, n: int, source: str = SOURCE) -> list[str]:
    entries = [
        {
            "Source": source,
            "DetailType": "LabEvent",
            "EventBusName": "lab-bus",
            "Detail": json.dumps({"seq": i}),
        }
        for i in range(n)
    ]
    ids = []
    for start in range(0, n, 10):
        answer = aws("events").put_events(Entries=entries[start : start + 10])
        ids += [e["EventId"] for e in answer["Entries"]]
    return ids


def received(path: str = "/prod/events") -> list[dict]:
    return [e for e in request_log.entries() if e["path"] == path]


def wait_until(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def dead_letters(aws, queue_url: str) -> list[dict]:
    messages = []
    while True:
        batch = (
            aws("sqs")
            .receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
            )
            .get("Messages", [])
        )
        if not batch:
            return messages
        messages += batch


def attributes(message: dict) -> dict[str, str]:
    return {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}


def private_path_with_events(aws, **breaks):
    path = build_private_path(aws, **breaks)
    url = add_events_method(aws, path.api)
    return path, url


# --------------------------------------------------------------------------- the API


def test_api_destination_lifecycle_as_the_api_reference_describes(aws):
    events = aws("events")
    connection = create_private_connection(aws, name="c", api_key="k", configuration_arn=None)
    url = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/events"
    created = events.create_api_destination(
        Name="d",
        ConnectionArn=connection,
        InvocationEndpoint=url,
        HttpMethod="POST",
        InvocationRateLimitPerSecond=20,
    )
    assert created["ApiDestinationState"] == "ACTIVE"
    described = events.describe_api_destination(Name="d")
    assert (described["InvocationRateLimitPerSecond"], described["HttpMethod"]) == (20, "POST")
    time.sleep(0.01)
    updated = events.update_api_destination(Name="d", InvocationRateLimitPerSecond=5)
    assert updated["LastModifiedTime"] > updated["CreationTime"]
    assert events.describe_api_destination(Name="d")["InvocationRateLimitPerSecond"] == 5
    assert [d["Name"] for d in events.list_api_destinations(NamePrefix="d")["ApiDestinations"]] == [
        "d"
    ]
    assert events.list_api_destinations(NamePrefix="x")["ApiDestinations"] == []
    events.delete_api_destination(Name="d")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        events.describe_api_destination(Name="d")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"InvocationRateLimitPerSecond": 301}, "ValidationException"),
        (
            {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/none/x"},
            "ResourceNotFoundException",
        ),
        ({"InvocationEndpoint": "http://plain.example.com/"}, "ValidationException"),
    ],
)
def test_create_api_destination_refuses_what_eventbridge_refuses(aws, change, error):
    connection = create_private_connection(aws, name="c", api_key="k", configuration_arn=None)
    params = {
        "Name": "d",
        "ConnectionArn": connection,
        "HttpMethod": "POST",
        "InvocationEndpoint": "https://abc123.execute-api.us-east-1.amazonaws.com/p/e",
        **change,
    }
    with pytest.raises(ClientError, match=error):
        aws("events").create_api_destination(**params)


def test_a_second_destination_with_the_same_name_is_refused(aws):
    connection = create_private_connection(aws, name="c", api_key="k", configuration_arn=None)
    params = {
        "Name": "d",
        "ConnectionArn": connection,
        "HttpMethod": "POST",
        "InvocationEndpoint": "https://abc123.execute-api.us-east-1.amazonaws.com/p/e",
    }
    aws("events").create_api_destination(**params)
    with pytest.raises(ClientError, match="ResourceAlreadyExistsException"):
        aws("events").create_api_destination(**params)


def test_a_destination_whose_connection_is_gone_is_inactive(aws):
    connection = create_private_connection(aws, name="c", api_key="k", configuration_arn=None)
    aws("events").create_api_destination(
        Name="d",
        ConnectionArn=connection,
        HttpMethod="POST",
        InvocationEndpoint="https://abc123.execute-api.us-east-1.amazonaws.com/p/e",
    )
    aws("events").delete_connection(Name="c")
    assert aws("events").describe_api_destination(Name="d")["ApiDestinationState"] == "INACTIVE"


# --------------------------------------------------------------------------- delivery


def test_matched_events_reach_the_private_api_through_the_endpoint_with_eventbridges_headers(
    aws, dataplane
):
    path, url = private_path_with_events(aws)
    wire_rule(aws, path.connection_arn, url)
    ids = put(aws, 3)
    put(aws, 2, source="someone.else")  # the pattern does not match these

    arrived = wait_until(lambda: len(received()) >= 3 and received())
    time.sleep(0.1)
    assert len(received()) == 3
    entry = arrived[0]
    assert entry["status"] == 200 and entry["method"] == "POST"
    assert entry["source_vpce"] == path.vpc.endpoint_id
    headers = {k.lower(): v for k, v in entry["headers"].items()}
    assert headers["user-agent"] == "Amazon/EventBridge/ApiDestinations"
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["x-api-key"] == "****"  # the connection's key was sent (and masked in the log)
    bodies = sorted((json.loads(e["body"]) for e in received()), key=lambda b: b["detail"]["seq"])
    assert [b["eventId"] for b in bodies] == ids
    assert bodies[0]["note"] == f"event {ids[0]} from {SOURCE}"


def test_put_events_answers_before_delivery_and_the_rate_limit_spaces_the_calls(aws, dataplane):
    path, url = private_path_with_events(aws)
    wire_rule(aws, path.connection_arn, url, rate=4)
    put(aws, 8)
    assert len(received()) < 8  # PutEvents answered; delivery goes on behind it
    arrived = wait_until(lambda: len(received()) >= 8 and received(), timeout=15)
    stamps = sorted(e["time"] for e in arrived)
    import datetime

    spread = (
        datetime.datetime.fromisoformat(stamps[-1]) - datetime.datetime.fromisoformat(stamps[0])
    ).total_seconds()
    # A full bucket lets 4 through at once; the other 4 follow at 4 per second.
    assert spread >= 0.9


def test_a_wrong_key_is_not_retried_and_lands_in_the_dlq_at_once(aws, dataplane):
    path, url = private_path_with_events(aws)
    wrong = create_private_connection(
        aws, name="wrong-key", api_key="not-the-key", configuration_arn=path.configuration_arn
    )
    wait_for_connection(aws, "wrong-key")
    wired = wire_rule(aws, wrong, url, retries=5)
    [event_id] = put(aws, 1)

    [message] = wait_until(lambda: dead_letters(aws, wired["queue_url"]))
    assert len(received()) == 1  # one attempt: a 403 is not retried
    assert json.loads(message["Body"])["id"] == event_id
    attrs = attributes(message)
    assert attrs["RULE_ARN"] == wired["rule_arn"]
    assert attrs["TARGET_ARN"] == wired["destination"]
    assert attrs["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in attrs
    assert "403" in attrs["ERROR_MESSAGE"] and attrs["ERROR_CODE"]


def test_a_gateway_without_egress_is_retried_until_the_policy_runs_out(aws, dataplane):
    path, url = private_path_with_events(aws, gateway_egress_cidr=None)
    wired = wire_rule(aws, path.connection_arn, url, retries=2)
    put(aws, 2)

    messages: list[dict] = []
    wait_until(lambda: messages.extend(dead_letters(aws, wired["queue_url"])) or len(messages) >= 2)
    assert len(messages) == 2
    assert received() == []  # nothing got through the security group
    for message in messages:
        attrs = attributes(message)
        assert attrs["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
        assert attrs["RETRY_ATTEMPTS"] == "2"
        assert "egress" in attrs["ERROR_MESSAGE"]


def test_server_errors_are_retried_and_each_attempt_reaches_the_api(aws, dataplane):
    path = build_private_path(aws)
    url = add_events_method(aws, path.api, status=503)
    wired = wire_rule(aws, path.connection_arn, url, retries=3)
    put(aws, 1)

    [message] = wait_until(lambda: dead_letters(aws, wired["queue_url"]))
    assert len(received()) == 4  # the first attempt and three retries
    assert attributes(message)["RETRY_ATTEMPTS"] == "3"


def _metric_total(aws, name: str) -> float:
    import datetime

    now = datetime.datetime.now(datetime.UTC)
    points = aws("cloudwatch").get_metric_statistics(
        Namespace="AWS/Events",
        MetricName=name,
        Period=60,
        Statistics=["Sum"],
        Dimensions=[
            {"Name": "EventBusName", "Value": "lab-bus"},
            {"Name": "RuleName", "Value": "lab-rule"},
        ],
        StartTime=now - datetime.timedelta(minutes=5),
        EndTime=now + datetime.timedelta(minutes=1),
    )["Datapoints"]
    return sum(p["Sum"] for p in points)


def test_delivery_is_published_as_aws_events_metrics(aws, dataplane):
    path, url = private_path_with_events(aws)
    wire_rule(aws, path.connection_arn, url)
    put(aws, 3)
    wait_until(lambda: len(received()) >= 3)
    time.sleep(0.1)

    def total(name: str) -> float:
        return _metric_total(aws, name)

    assert total("SuccessfulInvocationAttempts") == 3
    assert total("Invocations") == 3
    assert total("FailedInvocations") == 0


def test_a_dead_lettered_event_is_counted_as_invocations_sent_to_dlq(aws, dataplane):
    """eb-monitoring.html: events moved to a DLQ are ``InvocationsSentToDlq``;
    ``DeadLetterInvocations`` counts targets that were not invoked at all."""
    path, url = private_path_with_events(aws)
    wrong = create_private_connection(
        aws, name="wrong-key", api_key="not-the-key", configuration_arn=path.configuration_arn
    )
    wait_for_connection(aws, "wrong-key")
    wired = wire_rule(aws, wrong, url, retries=0)
    put(aws, 1)
    wait_until(lambda: dead_letters(aws, wired["queue_url"]))
    time.sleep(0.1)

    assert _metric_total(aws, "InvocationsSentToDlq") == 1
    assert _metric_total(aws, "DeadLetterInvocations") == 0


def test_the_lab_reads_the_documented_dead_letter_metric():
    from lab.event_delivery import METRICS

    assert "InvocationsSentToDlq" in METRICS and "DeadLetterInvocations" not in METRICS


def test_input_transformer_follows_eventbridges_quoting_rules():
    event = {"id": "abc", "detail": {"n": 1, "s": 'say "hi"'}, "source": "x"}
    transformer = {
        "InputPathsMap": {
            "id": "$.id",
            "n": "$.detail.n",
            "s": "$.detail.s",
            "d": "$.detail",
            "missing": "$.nope",
        },
        "InputTemplate": '{"id":<id>,"text":"<id>: <s>","n":<n>,"d":<d>,"m":<missing>}',
    }
    assert json.loads(delivery.transform(transformer, event)) == {
        "id": "abc",
        "text": 'abc: say "hi"',
        "n": 1,
        "d": {"n": 1, "s": 'say "hi"'},
        "m": None,
    }
