"""moto's SQS, as fast as a dead-letter queue of a few thousand messages needs.

EventBridge writes each failed event to the target's dead-letter queue (``delivery.dead_letter``)
and the lab reads the queue back with ``ReceiveMessage`` (``lab.event_delivery``). moto 5.2.5
answers both correctly, but in time quadratic in the queue's length, which turned "1000 events
dead-lettered, none lost" into minutes (cProfile of 1000 messages written, received, made
visible again and received again):

- ``Message.visible`` and ``Message.delayed`` read the clock (``unix_time_millis``, a few
  microseconds) for every message, and ``Queue.messages`` and the two ``approximate_number``
  counts ask them of every message in the queue;
- ``SendMessage`` computes ``Queue.attributes`` (all three counts) to read one flag;
- ``ReceiveMessage`` checks each message it hands out against the retention period through
  ``get_queue_attributes``, which computes ``Queue.attributes`` three times: nine passes over
  the queue per received message;
- ``pending_message_groups`` (the FIFO groups in flight) is rebuilt for every message that
  became visible again.

The seams below give the same answers with one clock reading per pass (the moment of the
call, as each of moto's per-message readings is), read the retention period from the queue
itself, and skip the message groups a standard queue does not have. Nothing about what SQS
answers changes; ``tests/contracts/test_moto_sqs_reads.py`` compares each with moto's own.
"""

from __future__ import annotations

from typing import Any


def _now_ms() -> float:
    # moto's own clock (frozen by freezegun in moto's tests, as moto's reading is).
    from moto.core.utils import unix_time_millis

    return unix_time_millis()


def messages(self) -> list[Any]:
    """``Queue.messages``: the visible, not delayed messages, read against one clock reading."""
    now = _now_ms()
    return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]


def approximate_number_of_messages_delayed(self) -> int:
    now = _now_ms()
    return sum(1 for m in self._messages if now < m.delayed_until)


def approximate_number_of_messages_not_visible(self) -> int:
    now = _now_ms()
    return sum(1 for m in self._messages if not now > m.visible_at)


def is_message_valid_based_on_retention_period(self, queue_name: str, message: Any) -> bool:
    """``SQSBackend.is_message_valid_based_on_retention_period`` without ``Queue.attributes``.

    moto reads ``MessageRetentionPeriod`` through ``get_queue_attributes``, which is the
    queue's ``message_retention_period`` (an int, set by ``Queue._set_attributes``).
    """
    from moto.core.utils import unix_time

    queue = self.get_queue(queue_name)
    retain_until = queue.message_retention_period + message.sent_timestamp / 1000
    return not retain_until <= unix_time()


#: The replacements, made once (a ``replace`` seam installs this very object).
MESSAGES = property(messages)
DELAYED = property(approximate_number_of_messages_delayed)
NOT_VISIBLE = property(approximate_number_of_messages_not_visible)


def _wrap_pending_message_groups(original: property) -> property:
    """``Queue.pending_message_groups`` that is empty for a standard queue.

    moto recomputes the set over every in-flight message for each message that becomes
    visible again while it receives: O(n²) on a dead-letter queue of a thousand messages
    read twice (seconds per ReceiveMessage). Only FIFO queues have message groups.
    """

    def pending_message_groups(self) -> set[str]:
        if not self.fifo_queue:
            return set()
        return original.fget(self)

    return property(pending_message_groups)


def seams():
    """The dead-letter queue's seams on moto's SQS (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    contracts = "tests/contracts/test_moto_sqs_reads.py::"
    queue = "moto.sqs.models:Queue."
    one_reading = "moto reads the clock once per message of the queue (O(n²) on a growing DLQ)"
    return (
        Seam(
            __name__,
            queue + "pending_message_groups",
            _wrap_pending_message_groups,
            "moto rebuilds the in-flight message groups per received message: O(n²) on a "
            "standard queue, which has no groups",
            contracts + "test_pending_message_groups_are_only_group_ids_of_in_flight_messages",
            kind="wrap",
        ),
        Seam(
            __name__,
            queue + "messages",
            MESSAGES,
            one_reading,
            contracts + "test_visible_messages_and_counts_agree_with_motos",
        ),
        Seam(
            __name__,
            queue + "approximate_number_of_messages_delayed",
            DELAYED,
            one_reading,
            contracts + "test_visible_messages_and_counts_agree_with_motos",
        ),
        Seam(
            __name__,
            queue + "approximate_number_of_messages_not_visible",
            NOT_VISIBLE,
            one_reading,
            contracts + "test_visible_messages_and_counts_agree_with_motos",
        ),
        Seam(
            __name__,
            "moto.sqs.models:SQSBackend.is_message_valid_based_on_retention_period",
            is_message_valid_based_on_retention_period,
            "moto computes every queue attribute three times per received message to read "
            "the retention period",
            contracts + "test_retention_check_agrees_with_motos",
        ),
    )
