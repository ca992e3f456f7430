"""``lab events send`` end to end against the sandbox server: every event is accounted for.

With the path intact every event reaches the private API; with a link broken (the
resource gateway's security group without egress, or the wrong API key) every event
lands in the dead-letter queue with EventBridge's error attributes, and none is lost.
"""

from __future__ import annotations

import pytest

from lab import event_delivery
from lab.failures import broken

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]


@pytest.fixture(scope="module")
def deployed(sandbox):
    from lab.deployment import ensure_deployed

    return ensure_deployed()


@pytest.fixture(autouse=True)
def empty_dlq(deployed):
    yield
    event_delivery.redrive()  # leave no dead letters for the next test (they are delivered)


def test_with_the_path_intact_every_event_is_delivered_once(deployed):
    run = event_delivery.send_events(n=200, concurrency=8)
    report = event_delivery.account(run, timeout_s=60)
    assert {k: report[k] for k in ("sent", "delivered", "dead_lettered", "lost", "duplicated")} == {
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
    assert (report["sent"], report["delivered"], report["dead_lettered"], report["lost"]) == (
        30,
        0,
        30,
        0,
    )
    assert sorted(letters["seq"]) == list(range(30))
    assert set(letters["RULE_ARN"]) == {deployed["EventRuleArn"]}
    assert set(letters["TARGET_ARN"]) == {deployed["ApiDestinationArn"]}
    if exhausted:
        assert set(letters["EXHAUSTED_RETRY_CONDITION"]) == {exhausted}
    else:
        assert set(letters["RETRY_ATTEMPTS"]) == {"0"}
        assert letters["ERROR_MESSAGE"].str.contains("403").all()


def test_redriven_dead_letters_are_delivered_after_the_repair(deployed):
    with broken("wrong_api_key"):
        run = event_delivery.send_events(n=10)
        event_delivery.account(run, timeout_s=60)
    assert event_delivery.redrive(run) == {"redriven": 10, "failed": 0}
    report = event_delivery.account(run, timeout_s=60)
    assert (report["delivered"], report["dead_lettered"], report["lost"]) == (10, 0, 0)
