"""The 60-second wait SQS imposes before a deleted queue's name can be used again."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from moto.core.utils import unix_time
from moto.sqs.exceptions import SQSException

#: SQS's wait (API reference, DeleteQueue and CreateQueue's QueueDeletedRecently).
#: ``LAB_SANDBOX_QUEUE_NAME_REUSE_SECONDS`` shortens it for tests that must not wait.
DELETED_RECENTLY_SECONDS = 60.0


def _reuse_after_s() -> float:
    return float(os.environ.get("LAB_SANDBOX_QUEUE_NAME_REUSE_SECONDS", DELETED_RECENTLY_SECONDS))


class QueueDeletedRecently(SQSException):
    """CreateQueue's error for a name deleted less than 60 s ago (botocore's SQS model)."""

    def __init__(self) -> None:
        super().__init__(
            "AWS.SimpleQueueService.QueueDeletedRecently",
            "You must wait 60 seconds after deleting a queue before you can create another "
            "queue with the same name.",
        )


def _deleted(backend: Any) -> dict[str, float]:
    # Kept on the backend, so moto's reset (a new backend) forgets it as AWS never would.
    if not hasattr(backend, "lab_deleted_queue_names"):
        backend.lab_deleted_queue_names = {}
    return backend.lab_deleted_queue_names


def wrap_delete_queue(original: Callable[..., None]) -> Callable[..., None]:
    """``SQSBackend.delete_queue`` that remembers when the name was let go."""

    @functools.wraps(original)
    def delete_queue(self, queue_name: str) -> None:
        original(self, queue_name)
        _deleted(self)[queue_name] = unix_time()

    return delete_queue


def wrap_create_queue(original: Callable[..., Any]) -> Callable[..., Any]:
    """``SQSBackend.create_queue`` that refuses a name deleted less than 60 s ago."""

    @functools.wraps(original)
    def create_queue(self, name: str, tags: dict[str, str] | None = None, **kwargs: Any):
        deleted_at = _deleted(self).get(name)
        if deleted_at is not None and name not in self.queues:
            if unix_time() - deleted_at < _reuse_after_s():
                raise QueueDeletedRecently()
            _deleted(self).pop(name, None)
        return original(self, name, tags, **kwargs)

    return create_queue
