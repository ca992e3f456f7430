"""``lab events send`` end to end against the sandbox server: every event is accounted for.

With the path intact every event reaches the private API; with a link broken (the
resource gateway's security group without egress, or the wrong API key) every event
lands in the dead-letter queue with EventBridge's error attributes, and none is lost.
The same at n=1000 is ``make test-events-load`` (marker ``events_load``, not in ``make test``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lab import event_delivery
from lab.failures import broken, repair_all

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]
COUNTS = ("sent", "delivered", "dead_lettered", "lost", "duplicated")


@pytest.fixture(scope="module")
def deployed(sandbox):
    from lab.deployment import ensure_deployed

    return ensure_deployed()


@pytest.fixture(autouse=True)
def empty_dlq(deployed):
    yield
    event_delivery.redrive()  # leave no dead letters for the next test (they are delivered)


def _counts(report: dict) -> tuple:
    return tuple(report[k] for k in COUNTS)


def _nothing_left_broken() -> None:
    table = repair_all()
    assert set(table["action"]) == {"none"}, table.to_dict("records")


def test_with_the_path_intact_every_event_is_delivered_once(deployed):
    run = event_delivery.send_events(n=200, concurrency=8)
    report = event_delivery.account(run, timeout_s=60)
    assert {k: report[k] for k in COUNTS} == {
        "sent": 200,
        "delivered": 200,
        "dead_lettered": 0,
        "lost": 0,
        "duplicated": 0,
    }
    assert 0 < report["p50_ms"] <= report["p99_ms"]


@pytest.mark.parametrize(
    ("scenario", "exhausted"),
    [("gateway_sg_no_egress", "MaximumRetryAttempts"), ("wrong_api_key", None)],
)
def test_with_a_link_broken_every_event_is_dead_lettered_none_lost(deployed, scenario, exhausted):
    with broken(scenario):
        run = event_delivery.send_events(n=30, concurrency=4)
        report = event_delivery.account(run, timeout_s=60)
        letters = event_delivery.dead_letters(run)
    assert _counts(report)[:4] == (30, 0, 30, 0)
    assert sorted(letters["seq"]) == list(range(30))
    assert set(letters["RULE_ARN"]) == {deployed["EventRuleArn"]}
    assert set(letters["TARGET_ARN"]) == {deployed["ApiDestinationArn"]}
    if exhausted:
        # MaximumRetryAttempts 2: the first attempt and two retries, then the DLQ.
        assert set(letters["EXHAUSTED_RETRY_CONDITION"]) == {exhausted}
        assert set(letters["RETRY_ATTEMPTS"]) == {2}  # a count, as a number (lab.dead_letters)
    else:  # a 4xx other than 429 is not retried
        assert set(letters["RETRY_ATTEMPTS"]) == {0}
        assert letters["ERROR_MESSAGE"].str.contains("403").all()


def test_counting_with_delete_removes_only_the_runs_own_dead_letters(deployed):
    with broken("wrong_api_key"):
        earlier = event_delivery.send_events(n=5)
        event_delivery.account(earlier, timeout_s=60)  # its 5 letters stay
        run = event_delivery.send_events(n=20)
        report = event_delivery.account(run, timeout_s=60, delete_dead_letters=True)

    assert _counts(report) == (20, 0, 20, 0, 0)
    assert report["dead_letters_deleted"] == 20
    assert event_delivery.dead_letters(run).empty
    assert sorted(event_delivery.dead_letters(earlier)["seq"]) == list(range(5))


def test_an_interrupted_broken_run_is_repaired(deployed, monkeypatch):
    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(event_delivery, "send_events", interrupted)
    with pytest.raises(KeyboardInterrupt):
        event_delivery.send_and_account(n=10, break_link="gateway_sg_no_egress")
    _nothing_left_broken()


def test_a_broken_run_ended_by_sigterm_is_repaired(deployed, monkeypatch):
    def terminated(**kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the signal arrives first
        raise AssertionError("SIGTERM did not stop the run")

    monkeypatch.setattr(event_delivery, "send_events", terminated)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        event_delivery.send_and_account(n=10, break_link="wrong_api_key")
    assert signal.getsignal(signal.SIGTERM) == before  # SIGTERM is itself again
    _nothing_left_broken()


def test_sigterm_repairs_even_where_sigint_is_ignored(deployed, monkeypatch):
    """A shell's background job starts with SIGINT ignored; SIGTERM must still stop the run
    (it was handed to the ignored SIGINT, and the run went on to its end)."""
    def terminated(**kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the signal arrives first
        raise AssertionError("SIGTERM did not stop the run")

    monkeypatch.setattr(event_delivery, "send_events", terminated)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with pytest.raises(KeyboardInterrupt):
            event_delivery.send_and_account(n=10, break_link="wrong_api_key")
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
    _nothing_left_broken()


def test_an_unknown_break_is_refused_before_anything_breaks(deployed):
    from lab.cli import EVENT_BREAKS
    from lab.errors import LabError

    assert EVENT_BREAKS == tuple(event_delivery.BREAKS)
    with pytest.raises(LabError, match="unknown break 'connection_not_active'"):
        event_delivery.send_and_account(n=1, break_link="connection_not_active")


def _lab(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    return subprocess.run([sys.executable, "-m", "lab", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_cli_accounts_for_every_event_with_the_path_broken(deployed):
    done = _lab("events", "send", "-n", "30", "--break", "gateway_sg_no_egress", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert _counts(report) == (30, 0, 30, 0, 0)
    assert (report["broken"], report["dead_letters_deleted"]) == ("gateway_sg_no_egress", 30)
    assert report["wall_s"] > 0
    _nothing_left_broken()
    intact = event_delivery.send_and_account(n=20, timeout_s=60)  # the link works again
    assert _counts(intact) == (20, 20, 0, 0, 0)


@pytest.mark.events_load
@pytest.mark.parametrize(
    ("scenario", "bound_s"),
    # The floor is the API destination's 200/s rate limit over every attempt: 1000
    # attempts with the wrong key (5 s), 3000 with no answer (15 s, two retries each).
    [("wrong_api_key", 60), ("gateway_sg_no_egress", 90)],
)
def test_a_thousand_events_with_the_path_broken_are_all_dead_lettered(deployed, scenario,
                                                                       bound_s):
    started = time.perf_counter()
    report = event_delivery.send_and_account(n=1000, concurrency=16, timeout_s=300,
                                             break_link=scenario)
    print(f"\n{scenario}: {report} in {time.perf_counter() - started:.1f} s")
    assert _counts(report) == (1000, 0, 1000, 0, 0)
    assert report["dead_letters_deleted"] == 1000
    assert report["wall_s"] < bound_s
    _nothing_left_broken()
