"""``TimeoutSeconds`` / ``HeartbeatSeconds`` from JSONata expressions and ``*Path`` fields.

A Task's ``TimeoutSeconds`` and ``HeartbeatSeconds`` "must be positive, non-zero integers"
(https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html); in a JSONata state
either may be a ``{% %}`` expression, and in a JSONPath state ``TimeoutSecondsPath`` /
``HeartbeatSecondsPath`` read the value from the input or a variable. moto evaluated the
expression and called ``int()`` on whatever came back: a string failed the state with
``invalid literal for int() …`` as its cause, ``1.5`` became ``1`` and ``0`` or ``-5`` were
taken as they were.

Here the value must be an integer from 1 to 99,999,999 (the largest TimeoutSeconds, and
moto's default for it). Otherwise the state fails with ``States.QueryEvaluationError`` in a
JSONata state ("an incorrectly typed result", concepts-error-handling.html) — with an
``EvaluationFailed`` event, like any JSONata failure — and with ``States.Runtime`` for a
``*Path`` field. Both causes say what the field must hold and what it got.

The evaluated timeout is what moto's watchdog waits for (``ExecutionState
._evaluate_with_timeout``): a Task still running after it fails with ``States.Timeout``;
the heartbeat is what a callback or activity task waits for between heartbeats
(``States.HeartbeatTimeout``).
"""

from __future__ import annotations

import json
from typing import Any

#: The largest TimeoutSeconds / HeartbeatSeconds Step Functions takes (and its default).
MAX_SECONDS = 99_999_999


def valid_seconds(value: Any) -> int | None:
    """``value`` as whole seconds if it is an integer from 1 to :data:`MAX_SECONDS`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    seconds = int(value)
    return seconds if 1 <= seconds <= MAX_SECONDS else None


def _describe(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _jsonata_seconds(field: str):
    def _eval_seconds(self, env) -> int:
        from lab.sandbox.stepfunctions.jsonata import _evaluation_failed

        self.string_jsonata.eval(env=env)
        value = env.stack.pop()
        seconds = valid_seconds(value)
        if seconds is not None:
            return seconds
        expression = self.string_jsonata.expression
        raise _evaluation_failed(
            env,
            expression,
            field,
            f"The JSONata expression '{expression}' specified for the field '{field}' returned "
            f"an unexpected result: expected a positive integer from 1 to {MAX_SECONDS}, but "
            f"was '{_json_type(value)}' for value: {_describe(value)}",
        )

    _eval_seconds.__name__ = f"{field.lower()}_jsonata_eval_seconds"
    return _eval_seconds


def _path_seconds(field: str):
    def wrap(moto_eval_seconds):
        def _eval_seconds(self, env) -> int:
            from lab.sandbox.stepfunctions.variables import RUNTIME, _failure

            # moto's own lookup (its "Invalid path …" failure for a path that matches
            # nothing); its ValueError/TypeError on the value is judged here instead.
            try:
                value = moto_eval_seconds(self, env)
            except (ValueError, TypeError):
                value = None
                failed = True
            else:
                failed = valid_seconds(value) is None
            if not failed:
                return int(value)
            path = self.string_sampler.literal_value
            raise _failure(
                env,
                RUNTIME,
                f"The value at the path '{path}' specified for the field '{field}' must be a "
                f"positive integer from 1 to {MAX_SECONDS}.",
            )

        return _eval_seconds

    return wrap


#: The replacements (one object each: the registry checks the installed value is the seam's).
TIMEOUT_SECONDS_JSONATA = _jsonata_seconds("TimeoutSeconds")
HEARTBEAT_SECONDS_JSONATA = _jsonata_seconds("HeartbeatSeconds")

_TIMEOUT = "moto.stepfunctions.parser.asl.component.common.timeouts.timeout"
_HEARTBEAT = "moto.stepfunctions.parser.asl.component.common.timeouts.heartbeat"
_CONTRACTS = "tests/contracts/test_moto_variables.py::"


def seams():
    """The timeout fields' seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    why_jsonata = "moto calls int() on an expression's result (Python text, 1.5 -> 1, 0 taken)"
    why_path = "moto takes any value a *Path gives (and raises ValueError on some)"
    contract_jsonata = _CONTRACTS + "test_the_jsonata_timeouts_int_whatever_the_expression_returns"
    contract_path = _CONTRACTS + "test_the_path_timeouts_sample_then_pop_the_value"
    return (
        Seam(__name__, f"{_TIMEOUT}:TimeoutSecondsJSONata._eval_seconds",
             TIMEOUT_SECONDS_JSONATA, why_jsonata, contract_jsonata),
        Seam(__name__, f"{_HEARTBEAT}:HeartbeatSecondsJSONata._eval_seconds",
             HEARTBEAT_SECONDS_JSONATA, why_jsonata, contract_jsonata),
        Seam(__name__, f"{_TIMEOUT}:TimeoutSecondsPath._eval_seconds",
             _path_seconds("TimeoutSecondsPath"), why_path, contract_path, kind="wrap"),
        Seam(__name__, f"{_HEARTBEAT}:HeartbeatSecondsPath._eval_seconds",
             _path_seconds("HeartbeatSecondsPath"), why_path, contract_path, kind="wrap"),
    )
