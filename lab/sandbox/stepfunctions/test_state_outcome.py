"""TestState's status after an error: RETRIABLE, CAUGHT_ERROR or FAILED, and ``errorDetails``.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html (status,
``inspectionData.errorDetails {catchIndex, retryIndex, retryBackoffIntervalSeconds}``),
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html (retrier
defaults, backoff) and ``stateConfiguration.retrierRetryCount`` (test-state-isolation.html):
TestState does not retry or follow a catcher; it says what the state would do next.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

#: Retrier defaults (concepts-error-handling.html).
DEFAULT_INTERVAL_SECONDS = 1
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_BACKOFF_RATE = 2.0
#: Errors ``States.ALL`` does not match (concepts-error-handling.html).
NOT_MATCHED_BY_ALL = ("States.Runtime",)


def matches(error_equals: list[str], error: str) -> bool:
    if error in error_equals:
        return True
    return "States.ALL" in error_equals and error not in NOT_MATCHED_BY_ALL


def backoff_seconds(retrier: dict, retry_count: int) -> int:
    """What the retrier waits before attempt ``retry_count + 1``: IntervalSeconds ×
    BackoffRate^retry_count, at most MaxDelaySeconds (concepts-error-handling.html;
    recorded: IntervalSeconds 1, BackoffRate 2, retrierRetryCount 4 -> 16)."""
    interval = retrier.get("IntervalSeconds", DEFAULT_INTERVAL_SECONDS)
    rate = retrier.get("BackoffRate", DEFAULT_BACKOFF_RATE)
    seconds = interval * (rate**retry_count)
    cap = retrier.get("MaxDelaySeconds")
    if cap is not None:
        seconds = min(seconds, cap)
    return int(math.floor(seconds))


@dataclass
class Outcome:
    status: str
    catcher: dict | None = None
    error_details: dict = field(default_factory=dict)


def error_outcome(error: str, retriers: list, catchers: list, retry_count: int) -> Outcome:
    """Status after ``error``: RETRIABLE while the first matching retrier has attempts left
    (retrierRetryCount < MaxAttempts), then the first matching catcher (CAUGHT_ERROR), else
    FAILED; ``errorDetails`` names the retrier and catcher that matched (recorded: count 4 of
    MaxAttempts 5 -> RETRIABLE {retryIndex 0, retryBackoffIntervalSeconds 16}; count 5 ->
    FAILED {retryIndex 0}; a Catch -> CAUGHT_ERROR {catchIndex})."""
    details: dict[str, int] = {}
    for index, retrier in enumerate(retriers):
        if matches(retrier.get("ErrorEquals", []), error):
            details["retryIndex"] = index
            if retry_count < retrier.get("MaxAttempts", DEFAULT_MAX_ATTEMPTS):
                details["retryBackoffIntervalSeconds"] = backoff_seconds(retrier, retry_count)
                return Outcome("RETRIABLE", error_details=details)
            break
    for index, catcher in enumerate(catchers):
        if matches(catcher.get("ErrorEquals", []), error):
            details["catchIndex"] = index
            return Outcome("CAUGHT_ERROR", catcher=catcher, error_details=details)
    return Outcome("FAILED", error_details=details)


_DECORATION = re.compile(
    r"^An error occurred while executing the state '[^']*' \(entered at the event id #\d+\)\. ")


def undecorated_cause(error: str, cause: str | None) -> str | None:
    """TestState's cause of a States.Runtime error, without the prefix an execution's
    ExecutionFailed gives it (recorded with a mock: 'Reference path "$" must point to
    array.', no "An error occurred while executing the state …")."""
    if cause is None or error != "States.Runtime":
        return cause
    return _DECORATION.sub("", cause, count=1)
