"""The HTTP answer an HTTP Task reports: its output, or the cause of a non-2xx failure.

Read by :mod:`lab.timed_execution` (a run's ``http_status``) and :mod:`lab.failures.report`;
it imports nothing of the lab.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


def parse_json(text):
    """``text`` parsed as JSON; anything else (or text that is not JSON) as it is."""
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text


@dataclass(frozen=True)
class HttpAnswer:
    """What an HTTP Task received: its output, or the cause of a non-2xx failure.

    Both are the document AWS documents for the task, ``{Headers, ResponseBody,
    StatusCode, StatusText}``; it is read at its top level, once.
    """

    status: int | None
    status_text: str
    body: Any

    @property
    def message(self) -> str | None:
        """API Gateway's ``message`` (or the body itself when it is text)."""
        if isinstance(self.body, dict):
            return self.body.get("message") or self.body.get("Message")
        return self.body if isinstance(self.body, str) else None


def http_answer(document: str | dict | None, require_status: bool = True) -> HttpAnswer | None:
    """The HTTP answer in a task's output or cause document; None if it holds none."""
    parsed = parse_json(document) if document else None
    if not isinstance(parsed, dict):
        return None
    status = parsed.get("StatusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool):
        if require_status or "ResponseBody" not in parsed:
            return None
        status = None
    return HttpAnswer(status, str(parsed.get("StatusText", "") or ""), parsed.get("ResponseBody"))
