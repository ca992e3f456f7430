"""Fixtures for tests/sandbox: in-process moto (``aws``) and the data plane on loopback.

``aws`` yields a boto3 client factory inside ``moto.mock_aws`` with every seam installed and
the Step Functions interpreter on; ``dataplane`` points HTTP Tasks at a data plane serving
on an ephemeral port for the module. The builders that use them are in
``http_invoke_builders.py``.
"""

from __future__ import annotations

import pytest
from http_invoke_builders import REGION

_CLIENTS: dict[tuple[str, str], object] = {}


@pytest.fixture
def aws(monkeypatch):
    """In-process moto with the lab's extensions and the Step Functions interpreter on.

    Yields a client factory: ``aws("apigateway")``.
    """
    import boto3
    from moto import mock_aws

    from lab.sandbox import control, seams

    # moto's EC2 backend otherwise loads thousands of AMIs for every fresh mock.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    seams.install()
    control.reset_settings()
    # Private connections in the sandbox warm up before turning ACTIVE; tests that want
    # the warm-up set it themselves. These tests name roles that do not exist: IAM
    # evaluation (on by default, as on AWS) is switched on by the tests about it.
    control.update_settings({"connection_warmup_seconds": 0, "iam_evaluation": False})
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        control.seed_ids()

        def client(service: str, region: str = REGION):
            # A boto3 client costs ~100 ms to build; one per service serves every test
            # (moto's stub hooks into every client made after moto is imported).
            if (service, region) not in _CLIENTS:
                _CLIENTS[service, region] = boto3.client(service, region_name=region)
            return _CLIENTS[service, region]

        yield client
    control.reset_settings()


@pytest.fixture(scope="module")
def dataplane_server():
    """The data plane on an ephemeral loopback port, for a whole test module."""
    from lab.sandbox.dataplane import serve_in_thread

    server = serve_in_thread()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def dataplane(aws, dataplane_server):
    """HTTP Tasks pointed at the module's data plane, with an empty log; yields the port."""
    from lab.sandbox import network
    from lab.sandbox.dataplane import request_log

    request_log.clear()
    previous = network.set_dataplane_address("127.0.0.1", dataplane_server.server_port)
    yield dataplane_server.server_port
    network.restore_dataplane_address(previous)
    request_log.clear()


@pytest.fixture
def own_server(tmp_path):
    """A server process of the test's own, started by ``start(**env)``: (proc, port, token,
    status); killed at the end."""
    import os
    import socket
    import subprocess
    import sys
    import time

    from processes import server_status

    from lab.sandbox import access

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = []

    def start(**env):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lab.sandbox.server",
                "--port",
                str(port),
                "--token-file",
                str(tmp_path / "token"),
            ],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        started.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            token = access.read_token_file(tmp_path / "token")
            if token:
                status = server_status(port, token)
                if status:
                    return proc, port, token, status
            time.sleep(0.05)
        raise AssertionError("the server did not start")

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
