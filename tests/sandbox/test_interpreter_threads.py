"""Programs and states that cannot time out run in the waiting thread; the others keep
moto's watchdog thread (from the pool, ``performance.PooledThread``), so TimeoutSeconds
still stops them.
"""

from __future__ import annotations

import threading

from http_invoke_builders import (
    create_state_machine,
    run_execution,
)

from lab.sandbox.stepfunctions import performance


def test_a_program_timeout_still_times_the_execution_out(aws):
    definition = {
        "TimeoutSeconds": 1,
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": 5, "End": True}},
    }

    described = run_execution(aws, create_state_machine(aws, definition))

    assert described["status"] == "TIMED_OUT"


def test_a_state_timeout_still_stops_the_state(aws, monkeypatch):
    # AWS refuses TimeoutSeconds on a Parallel state (SCHEMA_VALIDATION_FAILED); moto honours
    # it, which is the way to reach moto's watchdog without a slow Task. Skip AWS's check.
    from lab.sandbox.stepfunctions import definition as definition_checks

    monkeypatch.setattr(definition_checks, "diagnostics", lambda text: [])
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "TimeoutSeconds": 1,
                "Branches": [
                    {
                        "StartAt": "Nap",
                        "States": {"Nap": {"Type": "Wait", "Seconds": 5, "End": True}},
                    }
                ],
                "End": True,
            }
        },
    }

    described = run_execution(aws, create_state_machine(aws, definition))

    # moto reports a Parallel state's timeout as States.Runtime (EvalTimeoutError).
    assert described["status"] == "FAILED"
    assert "EvalTimeoutError" in described["cause"]


def test_an_execution_without_timeouts_starts_no_interpreter_threads_beyond_its_own(
    aws, monkeypatch
):
    started = []
    real_start = threading.Thread.start
    real_pooled_start = performance.PooledThread.start

    def counting_start(thread):
        if not thread.name.startswith("lab-sfn-"):  # the pool's own kept threads
            started.append(thread.name)
        return real_start(thread)

    def counting_pooled_start(thread):
        started.append("pooled")
        return real_pooled_start(thread)

    definition = {
        "StartAt": "Seed",
        "States": {
            "Seed": {"Type": "Pass", "Result": {"n": 1}, "Next": "Both"},
            "Both": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}],
                "End": True,
            },
        },
    }
    arn = create_state_machine(aws, definition)
    monkeypatch.setattr(threading.Thread, "start", counting_start)
    monkeypatch.setattr(performance.PooledThread, "start", counting_pooled_start)

    described = run_execution(aws, arn)

    assert described["status"] == "SUCCEEDED"
    # The execution's own thread (StartExecution returns at once; from the pool) and the
    # Parallel branch worker; moto also started one per program and one per Parallel state.
    assert len(started) == 2 and started.count("pooled") == 1


# --------------------------------------------------------------------------- PooledThread


def test_a_pooled_thread_joins_with_a_timeout_as_a_thread_does():
    release = threading.Event()
    thread = performance.PooledThread(target=release.wait, args=(5,), daemon=True)

    thread.start()
    thread.join(timeout=0.05)
    alive_after_timeout = thread.is_alive()
    release.set()
    thread.join(timeout=5)

    assert alive_after_timeout is True
    assert thread.is_alive() is False


def test_a_pooled_thread_runs_elsewhere_in_a_fresh_context_and_reports_exceptions(monkeypatch):
    import contextvars

    marker = contextvars.ContextVar("marker", default="fresh")
    marker.set("caller's")
    reported, seen = [], []
    monkeypatch.setattr(threading, "excepthook", reported.append)

    def look():
        seen.append((threading.get_ident(), marker.get()))
        raise RuntimeError("boom")

    thread = performance.PooledThread(target=look)
    thread.start()
    thread.join(timeout=5)

    assert seen and seen[0][0] != threading.get_ident()
    assert seen[0][1] == "fresh"
    assert [type(args.exc_value) for args in reported] == [RuntimeError]


def test_a_pooled_thread_starts_once_and_joins_only_when_started():
    import pytest

    thread = performance.PooledThread(target=lambda: None)
    with pytest.raises(RuntimeError):
        thread.join()
    thread.start()
    with pytest.raises(RuntimeError):
        thread.start()


def test_the_pool_keeps_its_threads_and_never_waits_for_one():
    # Sixteen tasks at once, each starting and joining a nested one (a program's thread
    # starting its states'): all run, none waits for a free worker.
    results, lock = [], threading.Lock()

    def inner(i):
        with lock:
            results.append(("inner", i))

    def outer(i):
        nested = performance.PooledThread(target=inner, args=(i,))
        nested.start()
        nested.join(timeout=10)
        with lock:
            results.append(("outer", i))

    threads = [performance.PooledThread(target=outer, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    kept = {t.ident for t in threading.enumerate() if t.name.startswith("lab-sfn-")}
    again = performance.PooledThread(
        target=lambda: results.append(("again", threading.get_ident()))
    )
    again.start()
    again.join(timeout=10)

    assert sorted(results[:32]) == sorted(
        [("inner", i) for i in range(16)] + [("outer", i) for i in range(16)]
    )
    assert results[-1][1] in kept  # a kept thread ran it, not a new one


def test_an_exception_in_an_inline_thread_is_reported_not_raised(monkeypatch):
    reported = []
    monkeypatch.setattr(threading, "excepthook", reported.append)

    def fails():
        raise RuntimeError("boom")

    thread = performance._InlineThread(target=fails, daemon=True)
    thread.start()
    thread.join()

    assert not thread.is_alive()
    assert [type(args.exc_value) for args in reported] == [RuntimeError]


def _alive(prefix: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(prefix + "-")]


def _until(condition, timeout: float = 5.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_an_idle_worker_ends_and_the_next_task_gets_a_new_one():
    pool = performance._ThreadPool(idle_timeout_s=0.05, prefix="test-idle")
    ran = threading.Event()
    pool.run(lambda: None)

    ended = _until(lambda: not _alive("test-idle"))
    pool.run(ran.set)

    assert ended
    assert ran.wait(5)
    assert [t.name for t in _alive("test-idle")] in (["test-idle-2"], [])
    pool.shutdown()


def test_shutdown_ends_every_idle_worker_in_its_own_thread():
    pool = performance._ThreadPool(prefix="test-shutdown")
    release = threading.Event()
    for _ in range(3):
        pool.run(lambda: release.wait(5))
    release.set()
    assert _until(lambda: pool.idle() == 3)
    workers = _alive("test-shutdown")

    pool.shutdown()

    assert len(workers) == 3
    assert not any(t.is_alive() for t in workers)
    assert pool.idle() == 0


# --------------------------------------------------------------------------- EXPRESS deadlines


def _express_sync(aws, definition: dict) -> tuple[dict, float]:
    import time

    arn = create_state_machine(aws, definition, express=True)
    started = time.monotonic()
    result = aws("stepfunctions").start_sync_execution(stateMachineArn=arn, input="{}")
    return result, time.monotonic() - started


def test_an_express_program_times_out_at_its_deadline_without_a_thread_of_its_own(aws, monkeypatch):
    started = []
    real_pooled_start = performance.PooledThread.start

    def counting_pooled_start(thread):
        started.append(thread)
        return real_pooled_start(thread)

    monkeypatch.setattr(performance.PooledThread, "start", counting_pooled_start)
    definition = {
        "TimeoutSeconds": 1,
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": 20, "End": True}},
    }

    result, took = _express_sync(aws, definition)

    assert result["status"] == "TIMED_OUT"
    assert 0.9 < took < 10  # the deadline, not the Wait's 20 s
    assert started == []  # ran in the calling thread


def test_an_express_program_within_its_timeout_succeeds_and_cancels_its_deadline(aws):
    definition = {
        "TimeoutSeconds": 300,
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}},
    }

    result, _ = _express_sync(aws, definition)

    assert result["status"] == "SUCCEEDED"
    assert result["output"] == '{"ok":true}'
    assert performance.DEADLINES.pending() == 0  # its deadline was cancelled


def test_a_cancelled_deadline_lets_go_of_its_environment_and_the_heap_is_compacted():
    import gc
    import weakref

    class Env:
        def set_timed_out(self):
            raise AssertionError("cancelled: never timed out")

    watch = performance._DeadlineWatch()
    envs = [Env() for _ in range(watch.COMPACT_AT * 2)]
    refs = [weakref.ref(env) for env in envs]
    numbers = [watch.watch(env, 300) for env in envs]
    del envs
    for number in numbers:
        watch.cancel(number)
    gc.collect()

    assert watch.pending() == 0
    assert all(ref() is None for ref in refs)
    assert len(watch._due) <= watch.COMPACT_AT


def test_a_deadline_that_comes_times_its_program_out():
    fired = threading.Event()

    class Env:
        def set_timed_out(self):
            fired.set()

    watch = performance._DeadlineWatch()
    watch.watch(Env(), 300)  # a later one first: the sooner one must still wake the watch
    watch.watch(Env(), 0.05)

    assert fired.wait(5)
    assert watch.pending() == 1
