"""The lab's stack deployed in the test sandbox, for the tests that break and repair it.

Shared by ``test_failures.py`` (the failure lab) and ``test_mysteries.py`` (the mysteries
built on the same scenarios): each imports :func:`deployed` as its module fixture and
checks with :func:`assert_intact` that a test left every link as the template has it.
"""

from __future__ import annotations

import pytest

import lab
import lab.sandbox
from lab import failures

#: The connection re-warms after every key change; short keeps the modules quick.
WARMUP_S = 0.5


@pytest.fixture(scope="module")
def deployed(sandbox):
    """The lab's stack in the test sandbox, its connection ACTIVE, a short warm-up."""
    from lab.deployment import ensure_deployed

    with lab.sandbox.configured(connection_warmup_seconds=WARMUP_S):
        outputs = ensure_deployed()
        failures.repair_all()  # whatever an earlier, interrupted session left
        yield outputs


def drift() -> dict:
    """Every scenario whose link differs from the deployed template, with what differs."""
    path = failures.DeployedLab("standard")
    found = {name: s.drift(path) for name, s in failures.SCENARIOS.items()}
    return {name: what for name, what in found.items() if what}


def assert_intact() -> None:
    """Fail if a link is left different from the deployed template (repaired first, and the
    short warm-up put back, so the next test starts from the template either way)."""
    left = drift()
    if left:
        failures.repair_all()
    lab.sandbox.configure(connection_warmup_seconds=WARMUP_S)
    assert left == {}
