"""pytest fixtures for testing your own workflows with TestState mocks, against the sandbox.

Use it from a ``conftest.py`` (``pytest_plugins = ["lab.sandbox.pytest_plugin"]``), with
``pytest -p lab.sandbox.pytest_plugin``, or by importing the fixtures into a test module
(``from lab.sandbox.pytest_plugin import lab_target, stepfunctions``).

- ``lab_target`` (session): in sandbox mode (``LAB_MODE`` unset or ``sandbox``) starts the
  sandbox server on ``LAB_SANDBOX_PORT`` unless it is already running, and stops it at the
  end of the session if it started it; in aws mode it starts nothing. Yields the mode.
- ``stepfunctions``: a Step Functions client in that mode (the lab's own client).

The same tests then run against a real account with ``LAB_MODE=aws``: TestState with a mock
calls nothing, so they need only ``states:TestState`` (no role, no deployed API).
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def lab_target():
    """The lab's mode; in sandbox mode, a running sandbox for the session."""
    from lab.config import load_config

    mode = load_config().mode
    if mode != "sandbox":
        yield mode
        return
    import lab.sandbox

    was_running = bool(lab.sandbox.status().get("running"))
    lab.sandbox.start(quiet=True)
    yield mode
    if not was_running:
        lab.sandbox.stop()


@pytest.fixture(scope="session")
def stepfunctions(lab_target):
    """A Step Functions client pointed where the lab points (sandbox or AWS)."""
    from lab.clients import client

    return client("stepfunctions")
