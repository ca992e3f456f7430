"""The sandbox runs Python Lambda handlers without Docker, with the runtime's contract.

Each test names the AWS page whose behaviour it encodes; without ``lab.sandbox.lambda_``
moto tries Docker (and fails), so every one of them fails.
"""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from lambda_builders import create_function, invoke, log_messages

from lab.sandbox import lambda_


@pytest.fixture
def aws_lambda(aws):
    """In-process moto with the sandbox's Lambda; every execution environment stopped after."""
    yield aws
    lambda_.shutdown()


COUNTER = """
import os, time
COUNT = 0
print("init line")

def handler(event, context):
    global COUNT
    COUNT += 1
    print("invoke", COUNT)
    time.sleep(event.get("sleep", 0))
    return {"count": COUNT, "pid": os.getpid()}
"""


def test_a_handler_past_its_timeout_is_killed_and_answers_sandbox_timedout(aws_lambda):
    """configuration-timeout.html, troubleshooting-invocation.html#troubleshooting-timeouts
    (``Sandbox.Timedout``) and API_Invoke.html: a function running past Timeout is stopped;
    Invoke answers 200 with ``X-Amz-Function-Error: Unhandled`` and the error object
    ``{"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: … Error: Task timed out
    after 1.00 seconds"}``; the log says "Task timed out" and REPORT has ``Status: timeout``."""
    create_function(aws_lambda, COUNTER, timeout=1)
    started = time.monotonic()
    response, payload = invoke(aws_lambda, event={"sleep": 5})
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 6.0  # the timeout, plus a cold start on a busy machine
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    request_id = response["ResponseMetadata"]["RequestId"]
    assert payload == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }
    messages = log_messages(aws_lambda)
    assert any(m.endswith(f"{request_id} Task timed out after 1.00 seconds") for m in messages)
    report = [m for m in messages if m.startswith(f"REPORT RequestId: {request_id}")]
    assert len(report) == 1 and "Status: timeout" in report[0]
    assert lambda_.instances() == []  # the timed-out environment is gone; the next is cold


def test_cold_start_then_warm_reuse_keeps_module_state(aws_lambda):
    """lambda-runtime-environment.html: the INIT phase runs once per execution environment;
    later invokes reuse it, so module-level state persists, and only the first invoke's
    REPORT line has ``Init Duration`` (python-logging.html shows the REPORT line)."""
    create_function(aws_lambda, COUNTER)
    first = invoke(aws_lambda)[1]
    second = invoke(aws_lambda)[1]
    assert (first["count"], second["count"]) == (1, 2)
    assert first["pid"] == second["pid"]
    messages = log_messages(aws_lambda)
    reports = [m for m in messages if m.startswith("REPORT RequestId:")]
    assert len(reports) == 2
    assert "Init Duration:" in reports[0] and "Init Duration:" not in reports[1]
    for field in ("Duration:", "Billed Duration:", "Memory Size: 128 MB", "Max Memory Used:"):
        assert field in reports[1], field
    assert messages.count("init line") == 1  # INIT ran once
    assert messages[0].startswith("INIT_START")


def test_idle_environments_expire_and_the_next_invoke_is_cold(aws_lambda):
    """lambda-runtime-environment.html (shutdown phase): an environment unused for a while
    is shut down, and the next invoke starts a new one. The sandbox's idle time is the
    ``lambda_idle_seconds`` setting."""
    from lab.sandbox import control
    from lab.sandbox.lambda_ import runtime

    control.update_settings({"lambda_idle_seconds": 0.2})
    create_function(aws_lambda, COUNTER)
    first = invoke(aws_lambda)[1]
    (instance,) = lambda_.instances()
    deadline = time.monotonic() + 5
    while lambda_.instances() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lambda_.instances() == []
    assert instance.process.wait(timeout=5) is not None  # stopped, not only forgotten
    assert runtime.expire_idle() == 0
    second = invoke(aws_lambda)[1]
    assert second["count"] == 1 and second["pid"] != first["pid"]


def test_reserved_concurrency_throttles_with_429(aws_lambda):
    """configuration-concurrency.html and API_Invoke.html: with every environment busy and
    ReservedConcurrentExecutions reached, Invoke fails with ``TooManyRequestsException``
    (HTTP 429), ``Reason: ReservedFunctionConcurrentInvocationLimitExceeded``; an invoke
    while one is free reuses it."""
    create_function(aws_lambda, COUNTER, timeout=5)
    aws_lambda("lambda").put_function_concurrency(
        FunctionName="fn", ReservedConcurrentExecutions=1
    )
    invoke(aws_lambda)  # one warm environment
    error = _throttled_while_fn_is_busy(aws_lambda, "fn")
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert len(lambda_.instances()) == 1


def test_concurrent_invokes_start_more_environments_up_to_the_limit(aws_lambda):
    """lambda-concurrency.html: an invoke while every environment is busy starts another
    (a cold start), each with its own ``/tmp`` (configuration-ephemeral-storage.html)."""
    code = """
import os, time
def handler(event, context):
    path = "/tmp/mine"
    seen = os.path.exists(path)
    open(path, "w").write(str(os.getpid()))
    time.sleep(event.get("sleep", 0))
    return {"pid": os.getpid(), "seen": seen, "tmp": os.listdir("/tmp"),
            "tmpdir": os.environ["TMPDIR"]}
"""
    create_function(aws_lambda, code, timeout=5)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(invoke(aws_lambda, event={"sleep": 1.5})[1]))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r["pid"] for r in results}) == 2
    assert [r["seen"] for r in results] == [False, False]  # /tmp is not shared
    assert results[0]["tmpdir"] != results[1]["tmpdir"]
    again = invoke(aws_lambda)[1]
    assert again["seen"] is True and again["tmp"] == ["mine"]  # /tmp survives a warm invoke


def test_the_handler_sees_its_environment_and_context(aws_lambda):
    """configuration-envvars.html ("Defined runtime environment variables") and
    python-context.html: the function's variables and the runtime's reserved ones; the
    context's fields and remaining time; the sandbox's own credentials never reach it."""
    code = """
import os
def handler(event, context):
    names = ["MY_SETTING", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME",
             "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
             "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_EXECUTION_ENV",
             "_HANDLER", "LAMBDA_TASK_ROOT", "TZ", "LAB_SECRET_OF_THE_SANDBOX"]
    return {"env": {n: os.environ.get(n) for n in names},
            "cwd": os.getcwd(),
            "context": [context.function_name, context.function_version,
                        context.invoked_function_arn, context.memory_limit_in_mb,
                        context.aws_request_id, context.log_group_name,
                        context.log_stream_name],
            "remaining": context.get_remaining_time_in_millis(), "event": event}
"""
    os.environ["LAB_SECRET_OF_THE_SANDBOX"] = "never-in-a-worker"
    try:
        arn = create_function(
            aws_lambda,
            code,
            timeout=2,
            MemorySize=256,
            Environment={"Variables": {"MY_SETTING": "on", "TZ_NOTE": "utc"}},
        )
        response, payload = invoke(aws_lambda, event={"k": [1, 2]})
    finally:
        del os.environ["LAB_SECRET_OF_THE_SANDBOX"]
    env = payload["env"]
    assert env["MY_SETTING"] == "on"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/fn"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["_HANDLER"] == "index.handler" and env["TZ"] == ":UTC"
    assert env["LAMBDA_TASK_ROOT"] == payload["cwd"]
    assert env["LAB_SECRET_OF_THE_SANDBOX"] is None
    request_id = response["ResponseMetadata"]["RequestId"]
    stream = env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert payload["context"] == ["fn", "$LATEST", arn, "256", request_id, "/aws/lambda/fn", stream]
    assert 1000 < payload["remaining"] <= 2000
    assert payload["event"] == {"k": [1, 2]}
    assert stream.endswith("]" + stream.rsplit("]", 1)[1]) and "[$LATEST]" in stream
    assert f"START RequestId: {request_id} Version: $LATEST" in log_messages(aws_lambda)


def test_reserved_variables_are_refused_in_the_environment(aws_lambda):
    """configuration-envvars.html: the reserved keys cannot be set; CreateFunction and
    UpdateFunctionConfiguration answer ``InvalidParameterValueException`` naming them."""
    from botocore.exceptions import ClientError

    message = "Reserved keys used in this request: AWS_REGION, LAMBDA_TASK_ROOT"
    reserved = {"Variables": {"AWS_REGION": "eu-west-1", "OK": "1", "LAMBDA_TASK_ROOT": "/x"}}
    with pytest.raises(ClientError, match=message) as raised:
        create_function(aws_lambda, COUNTER, Environment=reserved)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
    create_function(aws_lambda, COUNTER)
    with pytest.raises(ClientError, match=message):
        aws_lambda("lambda").update_function_configuration(FunctionName="fn", Environment=reserved)


def test_a_handler_error_answers_as_the_python_runtime(aws_lambda):
    """python-exceptions.html: an uncaught exception answers ``FunctionError: Unhandled``
    with ``errorMessage``, ``errorType``, ``requestId`` and ``stackTrace`` (frames of
    ``/var/task/index.py``), and the log has ``[ERROR] Type: message`` with the traceback."""
    code = """
def handler(event, context):
    print("about to fail")
    raise ValueError("the API key is missing")
"""
    create_function(aws_lambda, code)
    response, payload = invoke(aws_lambda)
    assert response["FunctionError"] == "Unhandled"
    assert list(payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert payload["errorMessage"] == "the API key is missing"
    assert payload["errorType"] == "ValueError"
    assert payload["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert len(payload["stackTrace"]) == 1
    assert payload["stackTrace"][0].startswith('  File "/var/task/index.py", line 4, in handler')
    messages = log_messages(aws_lambda)
    assert "about to fail" in messages
    error = [m for m in messages if m.startswith("[ERROR]")]
    assert error[0].startswith("[ERROR] ValueError: the API key is missing\nTraceback")


def test_an_import_error_fails_init(aws_lambda):
    """python-exceptions.html / lambda-runtime-environment.html: a module that cannot be
    imported fails INIT: ``Runtime.ImportModuleError``, "Unable to import module 'index'"."""
    create_function(aws_lambda, "import no_such_module_anywhere\n")
    response, payload = invoke(aws_lambda)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.ImportModuleError"
    assert payload["errorMessage"].startswith("Unable to import module 'index': No module named")
    assert lambda_.instances() == []


def test_log_tail_and_log_group(aws_lambda):
    """API_Invoke.html: ``LogType: Tail`` returns the last 4 KB of the invoke's log, base64;
    lambda monitoring-cloudwatchlogs.html: the log group is ``/aws/lambda/<name>``."""
    import base64

    create_function(aws_lambda, COUNTER)
    response, _ = invoke(aws_lambda, LogType="Tail")
    tail = base64.b64decode(response["LogResult"]).decode()
    request_id = response["ResponseMetadata"]["RequestId"]
    assert f"START RequestId: {request_id}" in tail and "invoke 1" in tail
    assert tail.rstrip().splitlines()[-1].startswith(f"REPORT RequestId: {request_id}")
    groups = aws_lambda("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/")
    assert [g["logGroupName"] for g in groups["logGroups"]] == ["/aws/lambda/fn"]
    assert response["ExecutedVersion"] == "$LATEST"


def test_inline_code_from_a_template(aws_lambda):
    """aws-properties-lambda-function-code.html: ``Code.ZipFile`` (inline, up to 4 MB) is
    the handler's source, as ``index.py``; the function runs it."""
    from lambda_builders import ensure_role

    template = {
        "Resources": {
            "Proxy": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": "proxy",
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": ensure_role(aws_lambda),
                    "Timeout": 1,
                    "Code": {"ZipFile": "def handler(event, context):\n    return {'ok': 1}\n"},
                },
            }
        }
    }
    aws_lambda("cloudformation").create_stack(StackName="s", TemplateBody=json.dumps(template))
    assert invoke(aws_lambda, "proxy")[1] == {"ok": 1}


def test_an_asynchronous_invoke_answers_202_and_runs_later(aws_lambda):
    """API_Invoke.html: ``InvocationType: Event`` queues the event and answers 202 with an
    empty body; the function runs (its lines reach the log group)."""
    create_function(aws_lambda, COUNTER)
    response = aws_lambda("lambda").invoke(
        FunctionName="fn", InvocationType="Event", Payload=b'{"sleep": 0.2}'
    )
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        group = aws_lambda("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/fn")
        if group["logGroups"] and any(m.startswith("REPORT") for m in log_messages(aws_lambda)):
            break
        time.sleep(0.05)
    assert "invoke 1" in log_messages(aws_lambda)


def test_the_account_limit_throttles_every_function(aws_lambda):
    """lambda-concurrency.html (account concurrency, 1,000 by default; the sandbox's
    ``lambda_account_concurrency``): with every execution environment of the account busy,
    an invoke of another function is throttled, ``Reason: ConcurrentInvocationLimitExceeded``."""
    from lab.sandbox import control

    control.update_settings({"lambda_account_concurrency": 1})
    create_function(aws_lambda, COUNTER, timeout=5)
    create_function(aws_lambda, COUNTER, name="other")
    error = _throttled_while_fn_is_busy(aws_lambda, "other")
    assert error["Reason"] == "ConcurrentInvocationLimitExceeded"
    assert invoke(aws_lambda, "other")[1]["count"] == 1  # free again: it runs


def test_max_memory_used_is_the_workers_peak(aws_lambda):
    """python-logging.html: REPORT's ``Max Memory Used`` is the memory the environment
    used at most, next to the configured ``Memory Size`` (reported, not enforced here)."""
    code = """
def handler(event, context):
    block = bytearray(80 * 1024 * 1024)
    return len(block)
"""
    create_function(aws_lambda, code, MemorySize=512)
    invoke(aws_lambda)
    (report,) = [m for m in log_messages(aws_lambda) if m.startswith("REPORT")]
    used = int(report.split("Max Memory Used: ")[1].split(" MB")[0])
    assert "Memory Size: 512 MB" in report
    assert 80 <= used < 512


def _throttled_while_fn_is_busy(aws_lambda, name: str) -> dict:
    """Invoke ``name`` while an invoke of ``fn`` holds an environment for 3 s: the
    TooManyRequestsException's response (the test fails if the invoke is not throttled)."""
    import boto3
    from botocore.config import Config

    # Without retries: botocore retries a 429 (the slow invoke would end meanwhile).
    client = boto3.client(
        "lambda", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )
    slow = threading.Thread(target=invoke, args=(aws_lambda,), kwargs={"event": {"sleep": 3}})
    slow.start()
    deadline = time.monotonic() + 5
    while not any(i.busy for i in lambda_.instances()) and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        with pytest.raises(client.exceptions.TooManyRequestsException) as raised:
            client.invoke(FunctionName=name, Payload=b"{}")
    finally:
        slow.join()
    return raised.value.response
