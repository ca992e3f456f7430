"""A sandbox that dies mid-soak: the soak ends cleanly with the rest as errors, and a
restarted sandbox is brought back by lab.ensure_deployed().

Uses its own sandbox process (the shared `sandbox` fixture must not be killed).
"""

import os
import signal
import socket
import threading
import time

import pytest

from lab import sandbox, soak
from lab.clients import client
from lab.config import load_config
from lab.deployment import ensure_deployed, outputs

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_sandbox(monkeypatch, tmp_path):
    monkeypatch.setenv("LAB_MODE", "sandbox")
    monkeypatch.setenv("LAB_SANDBOX_PORT", str(_free_port()))
    monkeypatch.setenv("LAB_STATE_DIR", str(tmp_path))
    sandbox.start(quiet=True)
    yield
    sandbox.stop()


def test_a_soak_whose_sandbox_dies_ends_with_errors_and_the_stack_recovers(own_sandbox):
    ensure_deployed()
    pid = sandbox.status()["pid"]
    report = {}
    runner = threading.Thread(
        target=lambda: report.update(soak.soak(n=400, concurrency=4, progress=False, save=False))
    )
    sfn = client("stepfunctions", load_config())
    arn = outputs()["StandardStateMachineArn"]
    runner.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill once some executions have run, not all
        if len(sfn.list_executions(stateMachineArn=arn)["executions"]) >= 20:
            break
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    runner.join(timeout=120)

    assert not runner.is_alive(), "the soak hung after the sandbox died"
    assert report["requested"] == 400
    assert 0 < report["succeeded"] < 400
    assert report["errors"] > 0
    # Every execution is one of: terminal, lost (started, never seen to end) or an error.
    assert report["terminal"] + report["lost"] + report["errors"] == 400

    sandbox.start(quiet=True)  # a fresh process: everything deployed before is gone
    recovered = ensure_deployed()
    assert recovered == outputs()
    machine = client("stepfunctions", load_config()).describe_state_machine(
        stateMachineArn=recovered["StandardStateMachineArn"]
    )
    assert machine["status"] == "ACTIVE"
