"""lab.waiting: one mode profile and one wait_for for every client-side wait."""

from __future__ import annotations

import pytest

from lab import waiting
from lab.errors import LabError


class FakeClock:
    """A clock that moves only when the wait sleeps."""

    def __init__(self):
        self.now = 0.0
        self.naps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += seconds


def test_wait_for_returns_the_first_value_the_check_gives():
    clock, answers = FakeClock(), iter([None, None, "ACTIVE"])

    got = waiting.wait_for(lambda: next(answers), what="x", timeout_s=10, poll_s=1,
                           clock=clock, sleep=clock.sleep)

    assert (got, clock.naps) == ("ACTIVE", [1, 1])


def test_wait_for_grows_its_interval_up_to_the_cap():
    clock, answers = FakeClock(), iter([None] * 5 + ["done"])

    waiting.wait_for(lambda: next(answers), what="x", timeout_s=100, poll_s=1, growth=2,
                     max_poll_s=5, first_s=0.5, clock=clock, sleep=clock.sleep)

    assert clock.naps == [0.5, 1, 2, 4, 5, 5]


def test_wait_for_gives_up_with_what_it_saw_and_the_fix():
    clock = FakeClock()

    with pytest.raises(waiting.WaitTimedOut, match=r"^the connection to be ACTIVE did not happen "
                       r"within 3 s \(still AUTHORIZING\); run it again\.$") as caught:
        waiting.wait_for(lambda: None, what="the connection to be ACTIVE", timeout_s=3,
                         poll_s=1, fix="run it again", describe=lambda: "still AUTHORIZING",
                         clock=clock, sleep=clock.sleep)
    assert caught.value.checks == 4


def test_a_set_stop_ends_the_wait_at_once_with_its_reason():
    stop = waiting.Stop()
    stop.set("interrupted (Ctrl-C)")

    with pytest.raises(waiting.WaitStopped, match="interrupted"):
        waiting.wait_for(lambda: None, what="x", timeout_s=600, poll_s=60, first_s=60, stop=stop)


def test_the_aws_profile_waits_minutes_where_the_sandbox_waits_seconds():
    sandbox, aws = waiting.profile("sandbox"), waiting.profile("aws")

    assert aws.resource_timeout_s >= 10 * sandbox.resource_timeout_s
    assert aws.settle_s > 0 == sandbox.settle_s
    assert aws.execution.poll_s > sandbox.execution.poll_s


def test_a_wait_scale_shortens_aws_waits_but_never_the_sandbox_nor_to_zero(monkeypatch):
    monkeypatch.setenv("LAB_WAIT_SCALE", "0.01")

    aws = waiting.profile("aws")

    assert aws.resource_timeout_s == pytest.approx(9.0)
    assert aws.settle_s == pytest.approx(0.1)
    assert waiting.profile("sandbox") == waiting.SANDBOX


@pytest.mark.parametrize("raw", ["0", "-1", "2", "fast"])
def test_a_wait_scale_outside_zero_to_one_is_refused_with_the_fix(monkeypatch, raw):
    monkeypatch.setenv("LAB_WAIT_SCALE", raw)

    with pytest.raises(LabError, match=r"LAB_WAIT_SCALE=.*above 0 and at most 1"):
        waiting.profile("aws")
