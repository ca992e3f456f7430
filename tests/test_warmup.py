"""aws mode waits until the private connection carries a call, bounded and saying why.

EventBridge User Guide, eb-target-connection-states.html: after a private connection is
established "there may be a delay of up to several minutes" before HTTPS calls to the
private API succeed; the connection is ACTIVE meanwhile. Probes, clock and sleep are
injected, as StackDeployer's are.
"""

from __future__ import annotations

import pytest

from lab import warmup
from lab.config import LabConfig
from lab.errors import LabError

AWS = LabConfig(mode="aws", region="us-east-1", stack_name="PrivateApiLab", sandbox_port=5599)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def _probe(outcomes):
    results = iter(outcomes)
    return lambda: next(results)


def test_calls_that_time_out_after_active_are_waited_out_saying_why():
    clock, said = Clock(), []
    probe = _probe([(False, "FAILED States.Http.Socket"), (False, "FAILED States.Http.Socket"),
                    (True, "SUCCEEDED")])

    probes = warmup.ensure_path_ready(AWS, probe=probe, key=("r", "c", "t1"), timeout_s=600,
                                      poll_s=5, say=lambda text, **_: said.append(text),
                                      sleep=clock.sleep, clock=clock)

    assert probes == 3 and clock.now == 10
    assert "probe 1 ended FAILED States.Http.Socket" in said[0]
    assert "several minutes after ACTIVE" in said[0]


def test_the_wait_is_bounded_and_names_the_last_failure():
    clock = Clock()

    with pytest.raises(LabError, match="within 30 s .last: FAILED States.Http.Socket"):
        warmup.ensure_path_ready(AWS, probe=lambda: (False, "FAILED States.Http.Socket"),
                                 key=("r", "c", "t2"), timeout_s=30, poll_s=5,
                                 say=lambda *a, **k: None, sleep=clock.sleep, clock=clock)


def test_a_connection_that_carried_a_call_is_not_probed_again():
    def ok():
        return True, "SUCCEEDED"

    def never():
        raise AssertionError("probed again")

    assert warmup.ensure_path_ready(AWS, probe=ok, key=("r", "c", "t3")) == 1
    assert warmup.ensure_path_ready(AWS, probe=never, key=("r", "c", "t3")) == 0


@pytest.mark.parametrize(
    ("answer", "carries"),
    [
        ({"status": "SUCCEEDED"}, True),
        # 07 in the aws-mode rehearsal: inside lab.broken("wrong_api_key") every probe got
        # 403 and the probe waited out its 45 s; an HTTP answer proves the path works.
        ({"status": "FAILED", "error": "States.Http.StatusCode.403"}, True),
        ({"status": "FAILED", "error": "States.Http.Socket"}, False),
        ({"status": "FAILED", "error": "Events.ConnectionResource.AuthInProgress"}, False),
    ],
)
def test_an_http_answer_of_any_status_shows_the_path_carries_calls(answer, carries):
    assert warmup.judge(answer)[0] is carries


def test_an_updated_connection_is_not_probed_again_a_recreated_one_is(monkeypatch):
    """eb-target-connection-states.html documents the delay after a private connection is
    created. A failure lab's UpdateConnection (a wrong key, then the right one) changes
    LastModifiedTime, not CreationTime: 07's rehearsal probed again inside the next break
    (the gateway without egress) and waited out its bound."""
    import datetime

    described = {"CreationTime": datetime.datetime(2026, 12, 5, 10, 0),
                 "LastModifiedTime": datetime.datetime(2026, 12, 5, 10, 0)}

    class Events:
        def describe_connection(self, Name):  # noqa: N803 - boto3's name
            return dict(described)

    monkeypatch.setattr("lab.clients.client", lambda service, cfg=None: Events())
    outputs = {"ConnectionName": "lab-connection-updates"}
    probes = []

    def probe():
        probes.append(1)
        return True, "SUCCEEDED"

    warmup.ensure_path_ready(AWS, outputs, probe=probe)
    described["LastModifiedTime"] = datetime.datetime(2026, 12, 5, 10, 5)  # updated
    warmup.ensure_path_ready(AWS, outputs, probe=probe)
    described["CreationTime"] = datetime.datetime(2026, 12, 5, 11, 0)  # deleted, made again
    warmup.ensure_path_ready(AWS, outputs, probe=probe)

    assert len(probes) == 2
