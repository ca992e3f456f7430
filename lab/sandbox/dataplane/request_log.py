"""A bounded, thread-safe log of the requests the private API's data plane answered.

Learners read it (``/lab-api/requests`` in the server) to see what actually reached the
API: which VPC endpoint it came through, which headers Step Functions added, what the
API answered. Secret header values are masked before they are stored, so nothing
secret can leak from the log.

Bounded by entries **and** bytes: at most ``capacity`` entries (10,000) and ``max_bytes``
(32 MiB, measured as the entries' JSON) in all; a header value, path or query string longer
than ``MAX_TEXT_CHARS`` (2,048) is kept cut, with how much was left out (bodies are cut to
4 KiB by the data plane). Without these caps, 500 requests with 4 x 60 KB headers held
120 MB (``tests/bench_request_log.py`` measures it).
"""

from __future__ import annotations

import collections
import json
import threading
from typing import Any

from lab.masking import mask_value

# Enough for `python -m lab events send -n 5000` to find every event it sent.
DEFAULT_CAPACITY = 10_000
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: Longest header value, path or query string kept whole.
MAX_TEXT_CHARS = 2048
_CUT_FIELDS = ("path", "query", "host")
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie"})


def masked_headers(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` with every secret header's value replaced by the lab's mask."""
    return {
        name: mask_value(value) if name.lower() in SECRET_HEADERS else value
        for name, value in headers.items()
    }


def cut(text: Any, limit: int = MAX_TEXT_CHARS) -> Any:
    """``text`` if it is short; else its first ``limit`` characters and how many were left out."""
    if not isinstance(text, str) or len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit} more characters not kept]"


def _size(entry: dict[str, Any]) -> int:
    return len(json.dumps(entry, default=str).encode("utf-8"))


class RequestLog:
    """The last requests, oldest first: at most ``capacity`` entries and ``max_bytes``."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, max_bytes: int = DEFAULT_MAX_BYTES):
        self._entries: collections.deque[tuple[dict[str, Any], int]] = collections.deque()
        self._capacity = capacity
        self._max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        """Store ``entry``; its ``headers`` are masked (and long texts cut) here."""
        entry = dict(entry)
        entry["headers"] = {
            cut(name, 256): cut(value)
            for name, value in masked_headers(entry.get("headers") or {}).items()
        }
        for name in _CUT_FIELDS:
            if name in entry:
                entry[name] = cut(entry[name])
        size = _size(entry)
        with self._lock:
            self._entries.append((entry, size))
            self._bytes += size
            while self._entries and (
                len(self._entries) > self._capacity or self._bytes > self._max_bytes
            ):
                _, dropped = self._entries.popleft()
                self._bytes -= dropped

    @property
    def bytes(self) -> int:
        """How many bytes (as JSON) the stored entries take."""
        with self._lock:
            return self._bytes

    def entries(self) -> list[dict[str, Any]]:
        """A copy of the stored entries, oldest first."""
        with self._lock:
            return [dict(e) for e, _ in self._entries]

    def last(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The last ``limit`` entries (None: all), oldest first, as copies."""
        entries = self.entries()
        if limit is None:
            return entries
        return entries[-limit:] if limit else []

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
