"""Ctrl-C and SIGTERM for the long CLI commands (``run``, ``soak``): stop, save, exit 130.

The first SIGINT or SIGTERM sets the run's :class:`lab.waiting.Stop`: no execution
starts after it, in-flight ones get the mode's ``drain_s`` to finish, and the command
saves a row for every planned execution (done, in flight, not started, each with its
reason) and exits 130. A second signal abandons the in-flight ones at once; the rows
are still saved. Notebooks are not affected: the kernel's interrupt keeps raising
KeyboardInterrupt there.
"""

from __future__ import annotations

import signal
import sys
import threading

from lab.waiting import Stop

#: The exit status of a command ended by a signal (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopOnSignal:
    """While active, SIGINT/SIGTERM set ``stop`` (first) and abandon in-flight work (second)."""

    def __init__(self, stop: Stop, out=None):
        self.stop = stop
        self.out = out
        self.received: list[str] = []
        self._previous: dict = {}

    def __enter__(self) -> StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._handle) for sig in SIGNALS}
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}

    @property
    def interrupted(self) -> bool:
        return bool(self.received)

    def _handle(self, signum, frame) -> None:
        name = signal.Signals(signum).name
        self.received.append(name)
        out = self.out or sys.stderr
        if len(self.received) == 1:
            self.stop.set(f"interrupted by {name}: no execution started after it")
            print(f"{name}: stopping; no new executions, in-flight ones get a few seconds "
                  "(again to stop at once). Saving every row.", file=out, flush=True)
        else:
            self.stop.abandon()
