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


def _warmup_from_env() -> float:
    raw = os.environ.get("LAB_SANDBOX_WARMUP_SECONDS", "").strip()
    if not raw:
        return SANDBOX_CONNECTION_WARMUP_SECONDS
    try:
        return _check_warmup(float(raw))
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"LAB_SANDBOX_WARMUP_SECONDS={raw!r} is not usable: {exc}; "
            f"unset it or give seconds between 0 and {_MAX_WARMUP_SECONDS:g}."
        ) from None


def _check_warmup(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("connection_warmup_seconds must be a number of seconds")
    if not 0 <= value <= _MAX_WARMUP_SECONDS:
        raise ValueError(f"connection_warmup_seconds must be between 0 and {_MAX_WARMUP_SECONDS:g}")
    return float(value)


def _check_switch(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("direct_path must be true or false")
    return value


# name -> validator returning the normalised value (raises ValueError)
_VALIDATORS = {"connection_warmup_seconds": _check_warmup, "direct_path": _check_switch}


def _current() -> dict[str, Any]:
    global _settings
    if _settings is None:
        _settings = {
            "connection_warmup_seconds": _warmup_from_env(),
            "direct_path": direct_path_from_env(),
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
    ``direct_path``: whether the four execution calls take the server's direct path
    (``lab.sandbox.direct_path``; default on, ``LAB_SANDBOX_DIRECT_PATH=0`` off); the
    answers are the same either way, which is what the bench's A/B relies on.
    """
    with _lock:
        return dict(_current())


def update_settings(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate and apply ``changes``; returns every setting afterwards.

    Raises ``ValueError`` naming the bad key or value; nothing is applied then.
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
        _current().update(normalised)
        return dict(_current())


def reset_settings() -> None:
    """Back to the defaults (and the environment); used by tests."""
    global _settings
    with _lock:
        _settings = None


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
