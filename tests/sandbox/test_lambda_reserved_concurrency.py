"""Reserved concurrency bounds a function's invocations even when a warm instance is free.

AWS Lambda Developer Guide, "Configuring reserved concurrency"
(https://docs.aws.amazon.com/lambda/latest/dg/configuring-concurrency.html): a function's
reserved concurrency is the most instances it runs at once, and setting it to 0 throttles
every invocation (the "before" comparison's throttled-function failure relies on this).
"""

from __future__ import annotations

import pytest

from lab.sandbox.lambda_ import runtime

ARN = "arn:aws:lambda:us-east-1:123456789012:function:reserved-test"


class _Warm:
    """An execution environment that is already started and free."""

    def __init__(self) -> None:
        self.busy = False
        self.alive = True
        self.last_used = 0.0

    def stop(self) -> None:
        self.alive = False


@pytest.fixture
def warm_pool():
    instance = _Warm()
    pool = runtime.FunctionInstances(("key",))
    pool.instances.append(instance)
    runtime._functions[ARN] = pool
    yield instance
    runtime._functions.pop(ARN, None)


def test_reserved_concurrency_zero_throttles_even_with_a_warm_instance(warm_pool):
    with pytest.raises(runtime.Throttled):
        runtime.acquire(ARN, ("key",), 0, make=lambda: pytest.fail("no new instance"))
    assert warm_pool.busy is False


def test_a_warm_instance_is_reused_within_the_reserved_concurrency(warm_pool):
    instance, cold = runtime.acquire(ARN, ("key",), 1, make=lambda: pytest.fail("not cold"))
    assert (instance, cold) == (warm_pool, False)
