"""Progress that reads right live, in a committed notebook and after save and reopen.

Two pieces:

- :class:`Progress` — a bar over a known count (executions, resources). In a
  Jupyter kernel it is tqdm's widget while it runs, and when it closes the
  widget is *replaced* by a one-line text summary (``standard: 20/20
  executions in 1.4 s``) through the display's id. A saved or committed
  notebook therefore holds that line, never a widget whose model is gone
  ("Error displaying widget: model not found") nor the frozen
  ``0%| | 0/30`` text tqdm gives a widget before it has moved. In a terminal
  it is tqdm's text bar on stderr, cleared at the end, and the same summary
  line is printed there.
- :class:`StackProgress` — CloudFormation stack events as they arrive, plus a
  :class:`Progress` over the resources. In a kernel the events are one live
  table, a row per resource updated in place (no 120-character lines that
  the browser wraps mid-word); in a terminal, aligned lines like the
  console's Events tab, oldest first::

    21:04:11.204  Vpc8378EB38         AWS::EC2::VPC          CREATE_IN_PROGRESS
    21:04:14.876  Vpc8378EB38         AWS::EC2::VPC          CREATE_COMPLETE

``TQDM_DISABLE=1`` turns bars off (the events and summary lines stay).

tqdm draws the bars; what this module adds by hand is the swap of a finished
widget for text, which neither tqdm nor ipywidgets does.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime

STACK_RESOURCE_TYPE = "AWS::CloudFormation::Stack"

# Column widths: wide enough for this stack's logical ids and types, so the
# columns line up; longer values just push the line out.
_ID_WIDTH = 40
_TYPE_WIDTH = 40
_STATUS_WIDTH = 20


def in_kernel() -> bool:
    """True inside a Jupyter kernel (where widgets and live displays work)."""
    from lab.display import _kernel_shell

    return _kernel_shell() is not None


def _seconds(elapsed: float) -> str:
    return f"{elapsed:.1f} s" if elapsed < 120 else f"{elapsed / 60:.1f} min"


class Progress:
    """A bar over ``total`` items that leaves a one-line summary when it closes.

    ``enabled=False`` shows nothing at all (no bar, no summary).
    """

    def __init__(self, total: int, desc: str, unit: str, *, enabled: bool = True):
        self.total = total
        self.desc = desc
        self.unit = unit
        self.n = 0
        self.enabled = enabled and total > 0
        self._started = time.monotonic()
        self._bar = None
        self._handle = None
        self._closed = False
        if not self.enabled or os.environ.get("TQDM_DISABLE") in ("1", "true", "True"):
            return
        if in_kernel():
            from IPython.display import display
            from tqdm.notebook import tqdm as notebook_tqdm

            self._bar = notebook_tqdm(total=total, desc=desc, unit=unit, leave=True,
                                      display=False)
            self._handle = display(self._bar.container, display_id=True)
        else:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit, leave=False, file=sys.stderr)

    def update(self, n: int = 1) -> None:
        """Count ``n`` more items done."""
        self.n += n
        if self._bar is not None:
            self._bar.update(n)

    def write(self, line: str, file=None) -> None:
        """Print a line without breaking a terminal bar."""
        out = file or sys.stdout
        if self._bar is not None and self._handle is None:
            self._bar.write(line, file=out)
        else:
            print(line, file=out, flush=True)

    def summary(self) -> str:
        """The finished line: ``desc: n/total units in 1.2 s``."""
        plural = self.unit if self.total == 1 else f"{self.unit}s"
        elapsed = _seconds(time.monotonic() - self._started)
        if self.n >= self.total:
            return f"{self.desc}: {self.n}/{self.total} {plural} in {elapsed}"
        return f"{self.desc}: stopped at {self.n}/{self.total} {plural} after {elapsed}"

    def close(self) -> None:
        """Replace the bar by its summary line (idempotent)."""
        if self._closed or not self.enabled:
            self._closed = True
            return
        self._closed = True
        line = self.summary()
        if self._bar is not None:
            self._bar.close()
        if self._handle is not None:
            # The widget goes; the text stays in the notebook for good.
            self._handle.update({"text/plain": line}, raw=True)
            self._bar.container.close()
        else:
            print(line, file=sys.stderr, flush=True)
        self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def format_event(event: dict) -> str:
    """One stack event as ``time  LogicalId  Type  Status  Reason`` (local time, to the ms)."""
    reason = (event.get("ResourceStatusReason") or "").strip()
    line = (
        f"{_clock(event)}  {event.get('LogicalResourceId', ''):<{_ID_WIDTH}}  "
        f"{event.get('ResourceType', ''):<{_TYPE_WIDTH}}  "
        f"{event.get('ResourceStatus', ''):<{_STATUS_WIDTH}}  {reason}"
    )
    return line.rstrip()


def _clock(event: dict) -> str:
    stamp = event.get("Timestamp")
    # milliseconds: in the sandbox a whole stack settles within one second
    if isinstance(stamp, datetime):
        return stamp.astimezone().strftime("%H:%M:%S.%f")[:-3]
    return "--:--:--.---"


def is_resource_event(event: dict) -> bool:
    """True for an event about one of the stack's resources, not the stack itself."""
    return event.get("ResourceType") != STACK_RESOURCE_TYPE


class _EventTable:
    """Stack events as one live table in a kernel: a row per resource, latest status.

    No clock column: in the sandbox a whole stack settles within a second, and the
    terminal's lines keep the times. Its text form is one summary line (the table's 43
    rows padded to an 88-character logical id were 8.5 KB of the cell's output).
    """

    COLUMNS = ["resource", "type", "status", "events", "reason"]

    def __init__(self):
        self._rows: dict[str, dict] = {}
        self._handle = None

    def add(self, event: dict) -> None:
        logical_id = event.get("LogicalResourceId", "")
        row = self._rows.setdefault(logical_id, {"events": 0})
        row.update({
            "resource": logical_id,
            "type": (event.get("ResourceType") or "").removeprefix("AWS::"),
            "status": event.get("ResourceStatus", ""),
            "reason": (event.get("ResourceStatusReason") or "").strip()
            or row.get("reason", ""),
        })
        row["events"] += 1
        self._show()

    #: Shown above the table (lab.display): what a row is and what ``events`` counts.
    CAPTION = ("One row per resource of the stack, with its latest status; events: how many "
               "stack events CloudFormation reported for it (2 = IN_PROGRESS, then COMPLETE).")

    def frame(self):
        """The table as shown: a row per resource, with :attr:`CAPTION`."""
        import pandas as pd

        frame = pd.DataFrame(list(self._rows.values()), columns=self.COLUMNS)
        frame.attrs["caption"] = self.CAPTION
        return frame

    def text(self) -> str:
        """One line: how many resources, by latest status."""
        counts: dict[str, int] = {}
        for row in self._rows.values():
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        plural = "" if len(self._rows) == 1 else "s"
        return f"{len(self._rows)} stack resource{plural}, by latest status: " + ", ".join(
            f"{n} {status}" for status, n in sorted(counts.items()))

    def _show(self) -> None:
        from lab.display import frame_html

        data = {"text/html": frame_html(self.frame()), "text/plain": self.text()}
        if self._handle is None:
            from IPython.display import display

            self._handle = display(data, raw=True, display_id=True)
        else:
            self._handle.update(data, raw=True)


class StackProgress:
    """Shows stack events as they arrive and counts finished resources on a bar.

    ``done_statuses`` are the resource statuses that count a resource as done
    for this operation (e.g. ``CREATE_COMPLETE`` while creating).
    """

    def __init__(
        self,
        description: str,
        total: int,
        done_statuses: tuple[str, ...],
        *,
        out=None,
        bar: bool = True,
    ):
        self._out = out
        self._done_statuses = done_statuses
        self._done: set[str] = set()
        self._progress = Progress(total, description, "resource", enabled=bar)
        # A caller that redirects the output (tests, the CLI's --quiet) gets lines.
        self._table = _EventTable() if out is None and in_kernel() else None

    def _write(self, line: str) -> None:
        self._progress.write(line, file=self._out or sys.stdout)

    def event(self, event: dict) -> None:
        """Show one event and advance the bar if it finished a resource."""
        if self._table is not None:
            self._table.add(event)
        else:
            self._write(format_event(event))
        logical_id = event.get("LogicalResourceId", "")
        if (
            is_resource_event(event)
            and event.get("ResourceStatus") in self._done_statuses
            and logical_id not in self._done
        ):
            self._done.add(logical_id)
            self._progress.update(1)

    def close(self, complete: bool) -> None:
        """Close the bar; on success show it full (an update touches only some resources)."""
        progress = self._progress
        if complete and progress.n < progress.total:
            progress.update(progress.total - progress.n)
        progress.close()

    @property
    def finished(self) -> int:
        """How many resources reached a done status in this operation."""
        return len(self._done)
