"""No orphan workers: a Lambda execution environment dies with the sandbox that started it.

A learner's Ctrl-C, ``python -m lab sandbox stop`` (SIGTERM: the server's ``finally``
calls ``lab.sandbox.lambda_.shutdown``), a reset, or the sandbox killed outright must not
leave Python processes behind. These tests fail without ``lab.sandbox.lambda_`` (no
worker runs at all) and without its shutdown paths (the worker outlives its parent).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from lambda_builders import create_function, invoke
from processes import gone

from lab.sandbox import lambda_

ROOT = Path(__file__).resolve().parents[2]

STAY = """
import json
import os
def handler(event, context):
    return os.getpid()
"""


def test_shutdown_and_reset_stop_every_worker(aws):
    from lab.sandbox import control

    create_function(aws, STAY)
    first = invoke(aws)[1]
    assert invoke(aws)[1] == first  # warm: the same worker
    lambda_.shutdown()
    assert gone(first) and lambda_.instances() == []
    create_function(aws, STAY, name="other")
    second = invoke(aws, "other")[1]
    control.reset_state()  # /lab-api/reset runs the reset hooks
    assert gone(second) and lambda_.instances() == []


def test_deleting_the_function_stops_its_environments(aws):
    """API_DeleteFunction.html: the function is gone; so are its execution environments."""
    create_function(aws, STAY)
    pid = invoke(aws)[1]
    aws("lambda").delete_function(FunctionName="fn")
    assert gone(pid) and lambda_.instances() == []


SCRIPT = """
import faulthandler, io, json, signal, sys, time, zipfile
faulthandler.register(signal.SIGUSR1)  # the test asks for every thread's stack if it hangs
# Ctrl-C as in a terminal, even where this test runs with SIGINT ignored (a CI job started in
# the background inherits SIG_IGN, and Python then installs no KeyboardInterrupt handler).
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, {tests!r})
import boto3
from moto import mock_aws
from lab.sandbox import control, seams
seams.install()
control.update_settings({{"iam_evaluation": False}})
from lambda_builders import create_function, invoke
from processes import gone
with mock_aws():
    aws = lambda service: boto3.client(service, region_name="us-east-1")
    create_function(aws, {code!r})
    print(invoke(aws)[1], flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_a_worker_dies_with_its_parent(tmp_path, how):
    """The parent killed outright (no cleanup runs: the worker notices its parent is gone)
    or interrupted with Ctrl-C (KeyboardInterrupt: the exit handlers stop the workers)."""
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(SCRIPT.format(tests=str(ROOT / "tests" / "sandbox"), code=STAY))
    )
    env = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false", "PYTHONPATH": str(ROOT)}
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as stderr:
        parent = subprocess.Popen(
            [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=stderr, text=True,
            env=env, cwd=ROOT,
        )
    try:
        worker = int(parent.stdout.readline())
        assert worker != parent.pid and not gone(worker, timeout=0.2)
        parent.send_signal(how)
        try:
            parent.wait(timeout=60)  # a loaded CI machine: seconds, not a minute
        except subprocess.TimeoutExpired:
            parent.send_signal(signal.SIGUSR1)
            time.sleep(1)
            pytest.fail(f"the parent did not exit within 60 s of {how.name}; its threads:\n"
                        + errors.read_text()[-6000:])
        assert gone(worker), f"worker {worker} outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_sandbox_stop_stops_the_workers(own_server):
    """``python -m lab sandbox stop`` sends SIGTERM: the server's exit stops every execution
    environment it started. Also the server's own path: Invoke over HTTP runs the handler."""
    import boto3
    from botocore.config import Config
    from lambda_builders import ROLE_NAME, TRUST, zipped

    proc, port, _, _ = own_server()
    config = Config(retries={"total_max_attempts": 1})

    def client(service):
        return boto3.client(
            service,
            region_name="us-east-1",
            endpoint_url=f"http://127.0.0.1:{port}",
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
            config=config,
        )

    client("iam").create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(TRUST))
    client("lambda").create_function(
        FunctionName="fn",
        Runtime="python3.12",
        Role=f"arn:aws:iam::123456789012:role/{ROLE_NAME}",
        Handler="index.handler",
        Code={"ZipFile": zipped(STAY)},
    )
    answer = client("lambda").invoke(FunctionName="fn", Payload=b"{}")
    worker = json.loads(answer["Payload"].read())
    assert not gone(worker, timeout=0.2)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert gone(worker), f"worker {worker} outlived the sandbox"
