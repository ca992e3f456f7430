"""A value this process makes once, on first use, under a lock.

For the process-wide singletons of the sandbox (the control token, the delivery engine):
made by the first caller, the same object for every later one, replaceable by ``set``.
Imports nothing of the lab.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    """What ``make()`` returned on the first :meth:`get` (or what :meth:`set` put there)."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._value: T | None = None

    def get(self) -> T:
        """The value, made now if no call made it yet."""
        with self._lock:
            if self._value is None:
                self._value = self._make()
            return self._value

    def set(self, value: T) -> None:
        """Use ``value`` from now on."""
        with self._lock:
            self._value = value

    @property
    def made(self) -> T | None:
        """The value if it was made (or set), else None; never makes it."""
        return self._value
