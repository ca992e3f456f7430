"""Live CloudFormation progress: one line per stack event, and a bar over the resources.

Event lines read like the console's Events tab, oldest first::

    21:04:11.204  Vpc8378EB38         AWS::EC2::VPC          CREATE_IN_PROGRESS
    21:04:14.876  Vpc8378EB38         AWS::EC2::VPC          CREATE_COMPLETE

The bar is ``tqdm.auto``: a widget in JupyterLab, text on stderr in a terminal.
``TQDM_DISABLE=1`` turns it off (the event lines stay).
"""

from __future__ import annotations

import sys
from datetime import datetime

STACK_RESOURCE_TYPE = "AWS::CloudFormation::Stack"

# Column widths: wide enough for this stack's logical ids and types, so the
# columns line up; longer values just push the line out.
_ID_WIDTH = 40
_TYPE_WIDTH = 40
_STATUS_WIDTH = 20


def format_event(event: dict) -> str:
    """One stack event as ``time  LogicalId  Type  Status  Reason`` (local time, to the ms)."""
    stamp = event.get("Timestamp")
    # milliseconds: in the sandbox a whole stack settles within one second
    when = (
        stamp.astimezone().strftime("%H:%M:%S.%f")[:-3]
        if isinstance(stamp, datetime)
        else "--:--:--.---"
    )
    reason = (event.get("ResourceStatusReason") or "").strip()
    line = (
        f"{when}  {event.get('LogicalResourceId', ''):<{_ID_WIDTH}}  "
        f"{event.get('ResourceType', ''):<{_TYPE_WIDTH}}  "
        f"{event.get('ResourceStatus', ''):<{_STATUS_WIDTH}}  {reason}"
    )
    return line.rstrip()


def is_resource_event(event: dict) -> bool:
    """True for an event about one of the stack's resources, not the stack itself."""
    return event.get("ResourceType") != STACK_RESOURCE_TYPE


class StackProgress:
    """Prints stack events as they arrive and counts finished resources on a bar.

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
        self._bar = None
        if bar and total > 0:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=description, unit="resource", leave=True)

    def _write(self, line: str) -> None:
        out = self._out or sys.stdout
        if self._bar is not None:
            # tqdm.write keeps a terminal bar intact below the printed line
            self._bar.write(line, file=out)
        else:
            print(line, file=out, flush=True)

    def event(self, event: dict) -> None:
        """Print one event and advance the bar if it finished a resource."""
        self._write(format_event(event))
        logical_id = event.get("LogicalResourceId", "")
        if (
            is_resource_event(event)
            and event.get("ResourceStatus") in self._done_statuses
            and logical_id not in self._done
        ):
            self._done.add(logical_id)
            if self._bar is not None:
                self._bar.update(1)

    def close(self, complete: bool) -> None:
        """Close the bar; on success show it full (an update touches only some resources)."""
        if self._bar is None:
            return
        if complete and self._bar.n < self._bar.total:
            self._bar.update(self._bar.total - self._bar.n)
        self._bar.close()
        self._bar = None

    @property
    def finished(self) -> int:
        """How many resources reached a done status in this operation."""
        return len(self._done)
