"""Programs and states that cannot time out run in the waiting thread; the others keep
moto's watchdog thread, so TimeoutSeconds still stops them
(``performance.run_without_watchdog_threads``).
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

    def counting_start(thread):
        started.append(thread.name)
        return real_start(thread)

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

    described = run_execution(aws, arn)

    assert described["status"] == "SUCCEEDED"
    # The execution's own thread (StartExecution returns at once) and the Parallel branch
    # worker; moto also started one per program and one per Parallel state.
    assert len(started) == 2


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
