"""The sandbox's settings, and what a reset must also forget; imports no service.

Services read their settings here (:func:`get_setting`) and register what a reset of the
sandbox must clear (:func:`on_reset`); :mod:`lab.sandbox.control` serves the settings at
``/lab-api/config`` and runs the hooks at ``/lab-api/reset``. The arrows point here:
control and the services import this module, it imports neither.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from lab.config import SANDBOX_CONNECTION_WARMUP_SECONDS

_EXAMPLE = '{"connection_warmup_seconds": 0}'

#: ``LAB_SANDBOX_DIRECT_PATH=0`` switches :mod:`lab.sandbox.direct_path` off at start.
DIRECT_PATH_ENV_SWITCH = "LAB_SANDBOX_DIRECT_PATH"


def direct_path_from_env() -> bool:
    """``LAB_SANDBOX_DIRECT_PATH=0`` switches the direct path off (default on)."""
    return os.environ.get(DIRECT_PATH_ENV_SWITCH, "1").strip().lower() not in (
        "0",
        "false",
        "no",
        "off",
    )


_MAX_WARMUP_SECONDS = 3600.0

_lock = threading.Lock()
_settings: dict[str, Any] | None = None


def _seconds(name: str) -> Callable[[Any], float]:
    """A validator of a number of seconds between 0 and an hour, for setting ``name``."""

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number of seconds")
        if not 0 <= value <= _MAX_WARMUP_SECONDS:
            raise ValueError(f"{name} must be between 0 and {_MAX_WARMUP_SECONDS:g}")
        return float(value)

    return check


_check_warmup = _seconds("connection_warmup_seconds")
_check_settle = _seconds("connection_settle_seconds")
_check_lambda_idle = _seconds("lambda_idle_seconds")
_check_lambda_connect = _seconds("lambda_connect_timeout_seconds")

#: The sandbox's Lambda defaults (lab.sandbox.lambda_): an idle execution environment is
#: stopped after 5 minutes (AWS does not document how long it keeps one); a dropped
#: connection fails after 1 s (on AWS: the client's connect timeout); at most 10 execution
#: environments run at once in the account (AWS's default quota is 1,000; each one here is
#: a Python process on the learner's machine).
LAMBDA_IDLE_SECONDS = 300.0
LAMBDA_CONNECT_TIMEOUT_SECONDS = 1.0
LAMBDA_ACCOUNT_CONCURRENCY = 10
_MAX_LAMBDA_CONCURRENCY = 1000


def _check_concurrency(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("lambda_account_concurrency must be a whole number")
    if not 1 <= value <= _MAX_LAMBDA_CONCURRENCY:
        raise ValueError(
            f"lambda_account_concurrency must be between 1 and {_MAX_LAMBDA_CONCURRENCY}"
        )
    return value


def _seconds_from_env(variable: str, default: float, check: Callable[[Any], float]) -> float:
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        return check(float(raw))
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{variable}={raw!r} is not usable: {exc}; "
            f"unset it or give seconds between 0 and {_MAX_WARMUP_SECONDS:g}."
        ) from None


def _switch(name: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value

    return check


def _iam_from_env() -> bool:
    return os.environ.get("LAB_SANDBOX_IAM", "1").strip().lower() not in ("0", "false", "off")


def enforce_iam_from_env() -> bool:
    """``LAB_SANDBOX_ENFORCE_IAM=1`` evaluates callers' IAM policies (default off)."""
    raw = os.environ.get("LAB_SANDBOX_ENFORCE_IAM", "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ValueError(
        f"LAB_SANDBOX_ENFORCE_IAM={raw!r} is not usable; set it to 1 (evaluate callers' IAM "
        "policies) or 0 (the default: every caller may do everything)."
    )


# name -> validator returning the normalised value (raises ValueError)
_VALIDATORS = {
    "connection_warmup_seconds": _check_warmup,
    "connection_settle_seconds": _check_settle,
    "direct_path": _switch("direct_path"),
    "iam_evaluation": _switch("iam_evaluation"),
    "enforce_iam": _switch("enforce_iam"),
    "lambda_idle_seconds": _check_lambda_idle,
    "lambda_connect_timeout_seconds": _check_lambda_connect,
    "lambda_account_concurrency": _check_concurrency,
}


def _current() -> dict[str, Any]:
    global _settings
    if _settings is None:
        _settings = {
            "connection_warmup_seconds": _seconds_from_env(
                "LAB_SANDBOX_WARMUP_SECONDS", SANDBOX_CONNECTION_WARMUP_SECONDS, _check_warmup
            ),
            "connection_settle_seconds": _seconds_from_env(
                "LAB_SANDBOX_CONNECTION_SETTLE_SECONDS", 0.0, _check_settle
            ),
            "direct_path": direct_path_from_env(),
            "iam_evaluation": _iam_from_env(),
            "enforce_iam": enforce_iam_from_env(),
            "lambda_idle_seconds": LAMBDA_IDLE_SECONDS,
            "lambda_connect_timeout_seconds": LAMBDA_CONNECT_TIMEOUT_SECONDS,
            "lambda_account_concurrency": LAMBDA_ACCOUNT_CONCURRENCY,
        }
    return _settings


def get_setting(name: str) -> Any:
    """The current value of one sandbox setting (see :func:`settings`)."""
    with _lock:
        return _current()[name]


def settings() -> dict[str, Any]:
    """A copy of every sandbox setting.

    ``connection_warmup_seconds``: how long a private EventBridge connection
    stays in CREATING/AUTHORIZING before it is ACTIVE (default 2 s, or
    ``LAB_SANDBOX_WARMUP_SECONDS``).
    ``connection_settle_seconds``: how long a newly created private connection, once
    ACTIVE, still cannot carry calls (default 0, or ``LAB_SANDBOX_CONNECTION_SETTLE_SECONDS``):
    AWS documents "a delay of up to several minutes" after a private connection is
    established (eb-target-connection-states.html); calls meanwhile time out
    (``States.Http.Socket``; EventBridge retries them). The aws-mode rehearsal turns it on.
    ``direct_path``: whether the four execution calls take the server's direct path
    (``lab.sandbox.direct_path``; default on, ``LAB_SANDBOX_DIRECT_PATH=0`` off); the
    answers are the same either way, which is what the bench's A/B relies on.
    ``iam_evaluation``: whether the roles the path's services assume are evaluated as AWS
    evaluates them (trust at CreateStateMachine, the execution role's and an EventBridge
    target role's policies at run time; :mod:`lab.sandbox.roles`). Default on, as on AWS;
    ``LAB_SANDBOX_IAM=0`` off.
    ``enforce_iam``: whether callers' requests are evaluated against their IAM policies
    (``lab.sandbox.iam.enforcement``; default off, ``LAB_SANDBOX_ENFORCE_IAM=1`` on).
    ``lambda_idle_seconds``: how long a Lambda execution environment stays warm unused
    (default 300). ``lambda_connect_timeout_seconds``: how long a Lambda handler's
    connection along a broken network path takes to fail (default 1).
    ``lambda_account_concurrency``: how many execution environments may run at once in the
    account (default 10; AWS's quota is 1,000).
    """
    with _lock:
        return dict(_current())


def update_settings(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate and apply ``changes``; returns every setting afterwards.

    Raises ``ValueError`` naming the bad key or value; nothing is applied then. The hooks
    registered with :func:`on_change` for a setting whose value changed run afterwards.
    """
    if not isinstance(changes, dict):
        raise ValueError(f"the body must be a JSON object such as {_EXAMPLE}")
    unknown = sorted(set(changes) - set(_VALIDATORS))
    if unknown:
        raise ValueError(
            f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(_VALIDATORS))}"
        )
    normalised = {key: _VALIDATORS[key](value) for key, value in changes.items()}
    with _lock:
        current = _current()
        changed = {k: v for k, v in normalised.items() if current.get(k) != v}
        current.update(normalised)
        after = dict(current)
    _notify(changed)
    return after


def reset_settings() -> None:
    """Back to the defaults (and the environment); used by tests."""
    global _settings
    with _lock:
        before = dict(_settings or {})
        _settings = None
        after = dict(_current())
    _notify({k: v for k, v in after.items() if k in before and before[k] != v})


# --------------------------------------------------------------------------- change hooks

_change_hooks: dict[str, list[Callable[[Any], None]]] = {}


def on_change(name: str, hook: Callable[[Any], None]) -> Callable[[Any], None]:
    """Register ``hook(new value)`` to run when setting ``name`` changes; idempotent. A
    service that must act on a setting (switch moto's request checks on) registers here,
    so this module never imports it."""
    with _lock:
        hooks = _change_hooks.setdefault(name, [])
        if hook not in hooks:
            hooks.append(hook)
    return hook


def _notify(changed: dict[str, Any]) -> None:
    for name, value in changed.items():
        for hook in list(_change_hooks.get(name, ())):
            hook(value)


# --------------------------------------------------------------------------- reset hooks

_reset_hooks: list[Callable[[], None]] = []


def on_reset(hook: Callable[[], None]) -> Callable[[], None]:
    """Register ``hook`` to run when the sandbox is reset (``/lab-api/reset``); idempotent."""
    with _lock:
        if hook not in _reset_hooks:
            _reset_hooks.append(hook)
    return hook


def run_reset_hooks() -> None:
    """Run every registered hook, in the order they were registered."""
    with _lock:
        hooks = list(_reset_hooks)
    for hook in hooks:
        hook()
