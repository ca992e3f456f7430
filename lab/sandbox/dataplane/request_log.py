"""A bounded, thread-safe log of the requests the private API's data plane answered.

Learners read it (``/lab-api/requests`` in the server) to see what actually reached the
API: which VPC endpoint it came through, which headers Step Functions added, what the
API answered. Secret header values are masked before they are stored, so nothing
secret can leak from the log.
"""

from __future__ import annotations

import collections
import threading
from typing import Any

from lab.masking import mask_value

# Enough for `python -m lab events send -n 5000` to find every event it sent.
DEFAULT_CAPACITY = 10_000
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie"})


def masked_headers(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` with every secret header's value replaced by the lab's mask."""
    return {
        name: mask_value(value) if name.lower() in SECRET_HEADERS else value
        for name, value in headers.items()
    }


class RequestLog:
    """The last ``capacity`` requests, oldest first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY):
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=capacity)
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        """Store ``entry``; its ``headers`` are masked here, whoever built it."""
        entry = dict(entry)
        entry["headers"] = masked_headers(entry.get("headers") or {})
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        """A copy of the stored entries, oldest first."""
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
