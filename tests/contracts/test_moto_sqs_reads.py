"""Contracts: moto 5.2.5's SQS internals lab/sandbox/events/dead_letter_queue.py replaces.

Each replacement must answer what moto's own answers, only faster; these tests run both on
the same queue. When one fails after a moto upgrade, check whether moto still needs the
seam (it may read the clock once per pass itself by then) and drop or fix it.
"""

from __future__ import annotations

import inspect

import pytest

from lab.sandbox import seams

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture(scope="module", autouse=True)
def installed():
    seams.install()


def _original(target: str):
    return seams.original(f"moto.sqs.models:{target}")


def _queue_with_every_kind_of_message():
    """A standard queue: visible, in flight, delayed, delayed and in flight, due just now."""
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import Message, Queue

    queue = Queue("dlq", REGION, ACCOUNT)
    now = unix_time_millis()
    shapes = [
        (0.0, 0.0),  # never received: visible
        (now + 60_000, 0.0),  # received, hidden for a minute
        (0.0, now + 60_000),  # sent with a delay
        (now + 60_000, now + 60_000),
        (now - 1, now - 1),  # hidden and delayed until a moment ago: visible
    ]
    for index, (visible_at, delayed_until) in enumerate(shapes * 3):
        message = Message(f"m-{index}", "{}")
        message.visible_at, message.delayed_until = visible_at, delayed_until
        queue._messages.append(message)
    return queue


def test_message_visibility_is_a_comparison_of_the_clock_with_two_fields():
    """dead_letter_queue compares one clock reading with visible_at and delayed_until."""
    from moto.sqs.models import Message

    visible = inspect.getsource(Message.visible.fget)
    delayed = inspect.getsource(Message.delayed.fget)
    assert "current_time = unix_time_millis()" in visible and "current_time > self.visible_at" in (
        visible
    )
    assert "current_time = unix_time_millis()" in delayed
    assert "current_time < self.delayed_until" in delayed
    assert "message.visible and not message.delayed" in inspect.getsource(
        _original("Queue.messages").fget
    )
    from moto.sqs.models import Queue

    # The third count is moto's own, through the replaced Queue.messages.
    assert "len(self.messages)" in inspect.getsource(Queue.approximate_number_of_messages.fget)


def test_visible_messages_and_counts_agree_with_motos():
    queue = _queue_with_every_kind_of_message()
    for name in (
        "messages",
        "approximate_number_of_messages_delayed",
        "approximate_number_of_messages_not_visible",
    ):
        ours = getattr(queue, name)
        motos = _original(f"Queue.{name}").fget(queue)
        assert ours == motos, name
    assert [m.id for m in queue.messages] == ["m-0", "m-4", "m-5", "m-9", "m-10", "m-14"]
    assert queue.approximate_number_of_messages == 6
    # GetQueueAttributes reads them through Queue.attributes.
    attributes = queue.attributes
    assert (
        attributes["ApproximateNumberOfMessages"],
        attributes["ApproximateNumberOfMessagesNotVisible"],
        attributes["ApproximateNumberOfMessagesDelayed"],
    ) == (6, 6, 6)


def test_retention_check_agrees_with_motos():
    """moto reads MessageRetentionPeriod through get_queue_attributes: the queue's own int."""
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import Message, SQSBackend

    source = inspect.getsource(_original("SQSBackend.is_message_valid_based_on_retention_period"))
    assert '["MessageRetentionPeriod"]' in source
    assert "retention_period + message.sent_timestamp / 1000" in source
    backend = SQSBackend(REGION, ACCOUNT)
    backend.create_queue("dlq", MessageRetentionPeriod="60")
    assert backend.get_queue("dlq").message_retention_period == 60
    motos = _original("SQSBackend.is_message_valid_based_on_retention_period")
    for age_s in (0, 59, 61, 3600):
        message = Message(f"aged-{age_s}", "{}")
        message.sent_timestamp = int(unix_time_millis()) - age_s * 1000
        ours = backend.is_message_valid_based_on_retention_period("dlq", message)
        assert ours == motos(backend, "dlq", message) == (age_s < 60), age_s


def test_pending_message_groups_are_only_group_ids_of_in_flight_messages():
    """dead_letter_queue._wrap_pending_message_groups answers an empty set for a standard
    queue; moto's only reader uses it for FIFO queues
    (``message.group_id and queue.fifo_queue``)."""
    from moto.sqs.models import Queue, SQSBackend

    original = _original("Queue.pending_message_groups")
    assert isinstance(original, property)
    source = inspect.getsource(original.fget)
    assert "self._pending_messages" in source and "message.group_id is not None" in source
    receive = inspect.getsource(SQSBackend.receive_message)
    assert "if message.group_id and queue.fifo_queue:" in receive
    assert "in currently_pending_groups" in receive
    assert isinstance(Queue.__dict__["pending_message_groups"], property)


def test_a_large_dead_letter_queue_is_written_and_read_in_linear_time(monkeypatch):
    """What the seams are for: 2,000 dead letters sent, received (10 at a time, with their
    attributes), made visible and received again, each exactly once per pass, with the
    clock read a bounded number of times per message (counted, not timed: these machines
    are noisy). Without the seams every pass over the queue reads the clock once per
    message, and a receive of 10 makes a pass, so reads grow with the square of the queue."""
    import moto.core.utils
    import moto.sqs.models
    from moto.sqs.models import SQSBackend

    reads = {"clock": 0}
    clock = moto.core.utils.unix_time_millis

    def counted(*args, **kwargs):
        reads["clock"] += 1
        return clock(*args, **kwargs)

    monkeypatch.setattr(moto.core.utils, "unix_time_millis", counted)
    monkeypatch.setattr(moto.sqs.models, "unix_time_millis", counted)
    backend = SQSBackend(REGION, ACCOUNT)
    backend.create_queue("dlq")
    attributes = {
        name: {"DataType": "String", "StringValue": "x" * 40}
        for name in ("RULE_ARN", "TARGET_ARN", "ERROR_CODE", "ERROR_MESSAGE", "RETRY_ATTEMPTS")
    }
    messages = 2000
    for seq in range(messages):
        backend.send_message("dlq", f'{{"seq": {seq}}}', message_attributes=attributes)
    for _ in range(2):
        seen = []
        while batch := backend.receive_message("dlq", 10, 0, 60, ["All"]):
            seen += [m.body for m in batch]
        assert sorted(seen) == sorted(f'{{"seq": {seq}}}' for seq in range(messages))
        for message in backend.get_queue("dlq")._messages:
            message.change_visibility(0)
    # 2 passes of 200 receives each over 2,000 messages: per-message clock reads would be
    # about 800,000; linear reads stay within a small multiple of the messages handled.
    assert 0 < reads["clock"] < 20 * messages, reads
