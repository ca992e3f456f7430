"""Ctrl-C, SIGTERM, `lab destroy` and `lab sandbox stop` during `python -m lab run|soak`.

Real signals to a real `python -m lab` subprocess, against a sandbox of this module's
own (the stack is destroyed here). Each test asserts the command's one-line ending,
its exit status, and that the results file holds a row for every planned execution.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lab import results, sandbox, timed_execution
from lab.deployment import destroy, ensure_deployed

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
N = 20_000  # far more than runs before the signal: most rows are NOT_STARTED


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory):
    """A sandbox process of this module's own, with the stack deployed."""
    state = tmp_path_factory.mktemp("state")
    saved = {k: os.environ.get(k) for k in ("LAB_SANDBOX_PORT", "LAB_STATE_DIR")}
    os.environ["LAB_SANDBOX_PORT"] = str(_free_port())
    os.environ["LAB_STATE_DIR"] = str(state)
    sandbox.start(quiet=True)
    ensure_deployed()
    yield
    sandbox.stop()
    for key, value in saved.items():
        os.environ[key] = value if value is not None else ""
        if value is None:
            del os.environ[key]


@pytest.fixture
def deployed(own_sandbox):
    ensure_deployed()  # a test may have destroyed it


def _start(tmp_path, *args) -> subprocess.Popen:
    env = {**os.environ, "LAB_RESULTS_DIR": str(tmp_path / "results"), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "lab", *args, "--no-progress"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_for_checkpoint(tmp_path, timeout_s: float = 60.0) -> None:
    """Until the run has saved its first rows (so executions are really running)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if list((tmp_path / "results").rglob("*.meta.json")):
            return
        time.sleep(0.05)
    raise AssertionError("the run saved no checkpoint within a minute")


def _signal_and_time(proc, *signals, gap_s: float = 0.0) -> float:
    sent = time.monotonic()
    for i, sig in enumerate(signals):
        if i:
            time.sleep(gap_s)
        proc.send_signal(sig)
    proc.wait(timeout=60)
    return time.monotonic() - sent


def _results_path(stderr: str) -> Path:
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("interrupted: ") and "; results: " in last, stderr
    return Path(last.rsplit("; results: ", 1)[1])


def test_ctrl_c_stops_a_run_saves_every_planned_row_and_exits_130(deployed, tmp_path, capsys):
    proc = _start(tmp_path, "run", "-n", str(N), "--concurrency", "8")
    _wait_for_checkpoint(tmp_path)
    took = _signal_and_time(proc, signal.SIGINT)
    out, err = proc.communicate()
    with capsys.disabled():
        print(f"\nrun: SIGINT -> exit {took:.2f} s")

    assert proc.returncode == 130, err
    assert "Traceback" not in err
    df = results.load(_results_path(err))
    assert len(df) == N
    assert (df["status"] == "SUCCEEDED").sum() > 0
    not_started = df[df["status"] == "NOT_STARTED"]
    assert len(not_started) > 0
    assert not_started["cause"].str.startswith("interrupted by SIGINT").all()
    assert df.attrs["lab_meta"]["partial"] is True
    assert took < 15


def test_a_second_ctrl_c_exits_at_once_and_still_saves(deployed, tmp_path, capsys):
    proc = _start(tmp_path, "run", "-n", str(N), "--concurrency", "8")
    _wait_for_checkpoint(tmp_path)
    took = _signal_and_time(proc, signal.SIGINT, signal.SIGINT, gap_s=0.05)
    _, err = proc.communicate()
    with capsys.disabled():
        print(f"\nrun: SIGINT, SIGINT -> exit {took:.2f} s")

    assert proc.returncode == 130, err
    assert len(results.load(_results_path(err))) == N
    assert took < 10


def test_sigterm_stops_a_soak_the_same_way(deployed, tmp_path, capsys):
    proc = _start(tmp_path, "soak", "-n", str(N), "--concurrency", "8")
    _wait_for_checkpoint(tmp_path)
    took = _signal_and_time(proc, signal.SIGTERM)
    _, err = proc.communicate()
    with capsys.disabled():
        print(f"\nsoak: SIGTERM -> exit {took:.2f} s")

    assert proc.returncode == 130, err
    path = _results_path(err)
    assert path.parent.name == "soak"
    df = results.load(path)
    assert len(df) == N
    assert df[df["status"] == "NOT_STARTED"]["cause"].str.startswith("interrupted by SIGTERM").all()


def test_ctrl_c_stops_a_soak_and_exits_130(deployed, tmp_path, capsys):
    proc = _start(tmp_path, "soak", "-n", str(N), "--concurrency", "8")
    _wait_for_checkpoint(tmp_path)
    took = _signal_and_time(proc, signal.SIGINT)
    _, err = proc.communicate()
    with capsys.disabled():
        print(f"\nsoak: SIGINT -> exit {took:.2f} s")

    assert proc.returncode == 130, err
    assert len(results.load(_results_path(err))) == N
    assert took < 15


def test_a_destroy_during_a_run_ends_it_with_the_reason_and_no_traceback(deployed, tmp_path):
    proc = _start(tmp_path, "run", "-n", str(N), "--concurrency", "8")
    _wait_for_checkpoint(tmp_path)
    destroy()
    out, err = proc.communicate(timeout=120)

    assert proc.returncode == 1, err
    assert "Traceback" not in err + out
    assert "stopped: the state machine or its executions are gone" in out
    assert "python -m lab deploy" in out
    path = Path(out.strip().splitlines()[-1].removeprefix("results: "))
    df = results.load(path)
    assert len(df) == N
    not_started = df[df["status"] == "NOT_STARTED"]
    # The first calls meet the missing state machine; every later row says why it never ran.
    assert set(not_started["error"]) <= {"lab.RunStopped", *timed_execution.GONE_CODES}
    stopped = not_started[not_started["error"] == "lab.RunStopped"]
    assert len(stopped) > N / 2 and stopped["cause"].str.contains("destroyed").all()


def test_a_results_location_that_is_a_file_is_refused_before_anything_runs(deployed, tmp_path):
    (tmp_path / "results").write_text("not a folder")
    proc = _start(tmp_path, "run", "-n", "5")
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 2
    assert err.strip().count("\n") == 0
    assert err.startswith("error: LAB_RESULTS_DIR=") and "is a file, not a folder" in err


def test_a_sandbox_stopped_during_a_run_ends_it_with_the_reason_and_no_traceback(
    deployed, tmp_path
):
    proc = _start(tmp_path, "run", "-n", str(N), "--concurrency", "8")
    _wait_for_checkpoint(tmp_path)
    try:
        sandbox.stop()
        out, err = proc.communicate(timeout=120)
    finally:
        sandbox.start(quiet=True)  # the module's fixture stops it at the end

    assert proc.returncode == 1, err
    assert "Traceback" not in err + out
    assert "stopped: the sandbox stopped answering" in out
    path = Path(out.strip().splitlines()[-1].removeprefix("results: "))
    df = results.load(path)
    assert len(df) == N
    assert df["status"].isin(["SUCCEEDED", "FAILED", "UNKNOWN", "NOT_STARTED"]).all()
    assert df[df["error"] == "lab.RunStopped"]["cause"].str.contains("sandbox stopped").all()
