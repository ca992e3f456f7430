"""Executions at concurrency 16 against the sandbox server: none lost, none reordered, none mixed.

The server runs executions on kept threads (``performance.PooledThread``), EXPRESS programs
inline with a shared deadline watch, and the private API in a process of its own that reads a
replica of the APIs; none of that may make a result depend on timing. Every execution must
come back once, in the order asked, SUCCEEDED, and the private API must have received
exactly one request from each (its ``x-lab-execution`` header names the execution).
"""

from __future__ import annotations

import collections
import uuid

import pytest

import lab.sandbox
from cdk_app.names import EXECUTION_HEADER
from lab import harness

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
CONCURRENCY = 16


@pytest.fixture(scope="module")
def run_plan(sandbox):
    from lab.deployment import ensure_deployed

    run_plan = harness.plan("both", outputs=ensure_deployed())
    # A connection just created warms up (AUTHORIZING) first, as on AWS: what is measured
    # here starts once it is ACTIVE, as the bench does.
    harness.wait_until_ready(run_plan, "express")
    harness.wait_until_ready(run_plan, "standard")
    return run_plan


@pytest.mark.parametrize(("workflow", "count"), [("express", 240), ("standard", 120)])
def test_every_execution_comes_back_once_in_order_and_reaches_the_api_once(
    run_plan, workflow, count
):
    prefix = f"c16-{workflow}-{uuid.uuid4().hex[:8]}"
    names = [f"{prefix}-{i:04d}" for i in range(count)]

    records = harness.run_batch(
        run_plan, workflow, names, CONCURRENCY, progress=False, with_history=False
    )
    received = collections.Counter(
        value
        for entry in lab.sandbox.request_log()
        for header, value in entry["headers"].items()
        if header.lower() == EXECUTION_HEADER and value.startswith(prefix)
    )

    assert [r.name for r in records] == names
    failures = [(r.name, r.error, r.cause) for r in records if r.status != "SUCCEEDED"]
    assert failures == []
    assert received == dict.fromkeys(names, 1)
