"""The failure labs' rows as a reader sees them: where a failure surfaced, a short cause, tables."""

from __future__ import annotations

import json

import pandas as pd

from lab.failures.scenarios import SCENARIOS
from lab.http_answer import http_answer
from lab.masking import MASK, mask_secrets

#: Longest cause text a row shows.
CAUSE_LIMIT = 160

FAILURE_COLUMNS = ["scenario", "workflow", "expected_error", "error", "as_expected", "surfaced_at",
                   "failed_event", "task_attempts", "time_to_fail_ms", "after_repair",
                   "after_redrive", "cause"]


def short_cause(cause: str | None, secret: str | None) -> str | None:
    """The cause, masked and short; an HTTP answer as ``HTTP <code> <text>: <body>``."""
    if not cause:
        return cause
    text = cause
    answer = http_answer(cause)
    if answer is not None:
        body = answer.body
        text = (f"HTTP {answer.status} {answer.status_text}: "
                f"{body if isinstance(body, str) else json.dumps(body)}")
    text = str(mask_secrets(text))
    if secret:
        text = text.replace(secret, MASK)
    return text if len(text) <= CAUSE_LIMIT else text[: CAUSE_LIMIT - 1] + "…"


def surfaced_at(error: str | None, cause: str | None) -> str:
    """Which part of the path reported the failure, in words."""
    if not error:
        return "nowhere: the execution succeeded"
    if error.startswith("States.Http.StatusCode."):
        code = error.rsplit(".", 1)[-1]
        answer = http_answer(cause, require_status=False)
        message = answer.message if answer else None
        return f"API Gateway: HTTP {code}" + (f" ({message})" if message else "")
    if error == "States.Http.Socket":
        return "network path: no HTTP response (States.Http.Socket)"
    if error.startswith("Events.ConnectionResource."):
        return f"EventBridge connection: {error.rsplit('.', 1)[-1]}"
    return f"Step Functions: {error}"


def scenarios() -> pd.DataFrame:
    """The seven scenarios: what each breaks, the error expected, the fix, what AWS adds."""
    rows = [{"scenario": s.name, "what breaks": s.breaks, "expected error": s.expected_error,
             "fix": s.fix, "on AWS": s.on_aws} for s in SCENARIOS.values()]
    return pd.DataFrame(rows)


def failure_table(results: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Rows from :func:`lab.failures.run_scenario` as one table, in a fixed column order."""
    df = results.copy() if isinstance(results, pd.DataFrame) else pd.DataFrame(list(results))
    for column in FAILURE_COLUMNS:
        if column not in df.columns:
            df[column] = None
    return df[FAILURE_COLUMNS].reset_index(drop=True)
