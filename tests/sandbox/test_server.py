"""The sandbox server process and its lifecycle (python -m lab sandbox start|stop|status)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from http_invoke_builders import ensure_execution_role, run_execution_by_arn
from lab_api_client import lab_api

import lab.sandbox
from lab.errors import LabError
from lab.sandbox import control, server

pytestmark = pytest.mark.sandbox

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, host: str | None = None):
    headers = {"Host": host} if host else {}
    if "/lab-api/" in url:
        headers.update(lab.sandbox.auth_headers(int(url.split("/")[2].rsplit(":", 1)[1])))
    request = urllib.request.Request(url, headers=headers)
    try:
        with _NO_PROXY.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# --------------------------------------------------------------------------- lifecycle


def test_start_again_reuses_the_running_server_and_ends_with_the_endpoint(sandbox):
    first_pid = lab_api(sandbox, "status")["pid"]

    text = lab.sandbox.start()

    assert text.splitlines()[-1] == sandbox
    assert lab_api(sandbox, "status")["pid"] == first_pid


def test_ensure_running_returns_the_endpoint(sandbox):
    assert lab.sandbox.ensure_running() == sandbox == lab.sandbox.endpoint()


def test_status_text_names_endpoint_pid_uptime_and_stacks(sandbox):
    text = lab.sandbox.status_text()

    pid = lab_api(sandbox, "status")["pid"]
    assert f"endpoint: {sandbox}" in text
    assert f"pid:      {pid}" in text
    assert "uptime:" in text and "stacks:" in text
    host, port = lab.sandbox.dataplane_address()
    assert f"api:      {host}:{port} (the private API's data plane, pid " in text


def test_status_reports_the_server(sandbox):
    info = lab_api(sandbox, "status")

    assert info["service"] == control.SERVICE_MARKER
    assert info["port"] == int(os.environ["LAB_SANDBOX_PORT"])
    assert info["moto_version"] == "5.2.5"
    assert info["uptime_s"] >= 0
    assert isinstance(info["stacks"], list)


def test_a_port_held_by_another_program_is_refused_naming_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("LAB_STATE_DIR", str(tmp_path))
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        monkeypatch.setenv("LAB_SANDBOX_PORT", str(other.getsockname()[1]))

        with pytest.raises(LabError, match="LAB_SANDBOX_PORT"):
            lab.sandbox.start()


def test_stop_clears_a_stale_pidfile(monkeypatch, tmp_path):
    monkeypatch.setenv("LAB_STATE_DIR", str(tmp_path))
    port = _free_port()
    monkeypatch.setenv("LAB_SANDBOX_PORT", str(port))
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pidfile = tmp_path / f"sandbox-{port}.pid"
    pidfile.write_text(finished.stdout.strip())  # that process is gone

    assert lab.sandbox.stop() == "sandbox was not running"
    assert not pidfile.exists()


# Listens like a sandbox and never answers: a server too busy to reply. The last argument
# puts "lab.sandbox.server" in its command line, which is how lab.sandbox recognises its own.
_BUSY_SERVER = """
import socket, sys, time
sock = socket.socket()
sock.bind(("127.0.0.1", int(sys.argv[1])))
sock.listen()
print("listening", flush=True)
time.sleep(120)
"""


@pytest.fixture
def busy_sandbox(monkeypatch, tmp_path):
    """A fake sandbox that accepts connections and never answers; yields (port, pid)."""
    monkeypatch.setenv("LAB_STATE_DIR", str(tmp_path))
    port = _free_port()
    monkeypatch.setenv("LAB_SANDBOX_PORT", str(port))
    monkeypatch.setattr(lab.sandbox, "BUSY_STATUS_TIMEOUT_S", 0.2)
    process = subprocess.Popen(
        [sys.executable, "-c", _BUSY_SERVER, str(port), "lab.sandbox.server"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "listening"
    yield port, process.pid
    process.kill()
    process.wait()


def test_stop_finds_a_busy_sandbox_without_its_pidfile(busy_sandbox):
    port, pid = busy_sandbox

    message = lab.sandbox.stop()

    assert message == f"sandbox stopped (pid {pid})"
    assert not lab.sandbox._pid_alive(pid)


def test_status_of_a_busy_sandbox_says_it_runs(busy_sandbox, tmp_path):
    port, pid = busy_sandbox
    (tmp_path / f"sandbox-{port}.pid").write_text(str(pid))

    info = lab.sandbox.status()

    assert (info["running"], info["busy"], info["pid"]) == (True, True, pid)
    assert "too busy to answer" in lab.sandbox.status_text()


def test_start_waits_for_a_busy_sandbox_instead_of_blaming_another_program(
    busy_sandbox, monkeypatch
):
    monkeypatch.setattr(lab.sandbox, "START_TIMEOUT_S", 0.5)

    with pytest.raises(LabError, match="did not answer within"):
        lab.sandbox.start()


def test_status_of_a_stopped_sandbox_says_how_to_start_it(monkeypatch, tmp_path):
    monkeypatch.setenv("LAB_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("LAB_SANDBOX_PORT", str(_free_port()))

    assert "python -m lab sandbox start" in lab.sandbox.status_text()
    assert lab.sandbox.status()["running"] is False


@pytest.mark.slow
def test_a_second_server_lifecycle(monkeypatch, tmp_path):
    """Two simultaneous starts share one server; stop leaves nothing behind.

    One scenario, not two tests: each extra server costs a cold start (5-20 s).
    """
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setenv("LAB_STATE_DIR", str(tmp_path))
    port = _free_port()
    monkeypatch.setenv("LAB_SANDBOX_PORT", str(port))
    began = time.perf_counter()
    try:
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: lab.sandbox.start(), range(2)))
        print(f"\nsandbox cold start: {time.perf_counter() - began:.2f} s")
        pids = {lab_api(answer.splitlines()[-1], "status")["pid"] for answer in answers}
    finally:
        message = lab.sandbox.stop()

    assert len(pids) == 1
    assert sorted(a.splitlines()[0].split(" (")[0] for a in answers) == [
        "sandbox already running",
        "sandbox started",
    ]
    assert message == f"sandbox stopped (pid {pids.pop()})"
    assert not (tmp_path / f"sandbox-{port}.pid").exists()
    assert lab.sandbox.status()["running"] is False
    assert "sandbox stopped" in (tmp_path / f"sandbox-{port}.log").read_text()  # clean exit


# --------------------------------------------------------------------------- binding


def test_the_server_refuses_to_bind_beyond_loopback():
    with pytest.raises(LabError, match="127.0.0.1"):
        server.check_bind_address("0.0.0.0")


def test_the_server_process_exits_with_an_error_for_a_public_bind(capsys):
    assert server.main(["--port", str(_free_port()), "--host", "0.0.0.0"]) == 2
    assert "127.0.0.1" in capsys.readouterr().err


def test_the_request_handler_turns_nagle_off():
    assert server._request_handler().disable_nagle_algorithm is True


# --------------------------------------------------------------------------- routing


def test_execute_api_hosts_go_to_the_data_plane_not_moto(sandbox):
    status, body = _get(
        f"{sandbox}/lab-api/status", host="abc123.execute-api.us-east-1.amazonaws.com:443"
    )

    assert b"private-api-lab-sandbox" not in body  # the data plane answered, not /lab-api


def test_unknown_lab_api_paths_answer_404_json(sandbox):
    status, body = _get(f"{sandbox}/lab-api/nope")

    assert status == 404
    assert "known" in json.loads(body)["message"]


def test_everything_else_is_moto(sandbox, sandbox_client):
    vpcs = sandbox_client("ec2").describe_vpcs()["Vpcs"]

    assert any(v["IsDefault"] for v in vpcs)


# --------------------------------------------------------------------------- config and state


def test_config_changes_are_validated_and_kept(clean_sandbox):
    assert (
        lab_api(clean_sandbox, "config", {"connection_warmup_seconds": 0})[
            "connection_warmup_seconds"
        ]
        == 0
    )
    assert lab_api(clean_sandbox, "config")["connection_warmup_seconds"] == 0


@pytest.mark.parametrize("bad", [{"connection_warmup_seconds": -1}, {"no_such_setting": 1}])
def test_bad_config_is_refused_with_400(clean_sandbox, bad):
    request = urllib.request.Request(
        f"{clean_sandbox}/lab-api/config",
        data=json.dumps(bad).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **lab.sandbox.auth_headers()},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        _NO_PROXY.open(request, timeout=10)

    assert refused.value.code == 400


def test_reset_forgets_resources(clean_sandbox, sandbox_client):
    ec2 = sandbox_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]

    lab_api(clean_sandbox, "reset", {})

    assert vpc_id not in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]


def test_the_same_calls_after_a_reset_give_the_same_ids(clean_sandbox, sandbox_client):
    # Request ids draw from the same seeded source, so the call sequence must match.
    ec2 = sandbox_client("ec2")
    first = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]

    lab_api(clean_sandbox, "reset", {})

    assert ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"] == first


def test_reset_helper_and_configure_helper_talk_to_the_server(clean_sandbox):
    assert lab.sandbox.configure(connection_warmup_seconds=1)["connection_warmup_seconds"] == 1
    assert "reset" in lab.sandbox.reset()


def test_configured_puts_each_setting_back_even_when_the_block_raises(clean_sandbox):
    with pytest.raises(RuntimeError), lab.sandbox.configured(connection_warmup_seconds=0.5,
                                                             lambda_idle_seconds=7):
        assert lab.sandbox.configure()["lambda_idle_seconds"] == 7
        raise RuntimeError("the block failed")
    after = lab.sandbox.configure()
    assert (after["connection_warmup_seconds"], after["lambda_idle_seconds"]) == (2, 300)


def test_data_plane_requests_show_in_the_request_log_until_reset(clean_sandbox):
    host = "abc1234567.execute-api.us-east-1.amazonaws.com"
    _get(f"{clean_sandbox}/prod/hello", host=host)

    logged = lab.sandbox.request_log()
    lab_api(clean_sandbox, "reset", {})

    assert [(e["host"], e["path"]) for e in logged] == [(host, "/prod/hello")]
    assert lab.sandbox.request_log() == []


def test_the_request_log_can_be_limited(clean_sandbox):
    for path in ("/prod/a", "/prod/b", "/prod/c"):
        _get(f"{clean_sandbox}{path}", host="abc1234567.execute-api.us-east-1.amazonaws.com")

    assert [e["path"] for e in lab.sandbox.request_log(limit=2)] == ["/prod/b", "/prod/c"]


def test_step_functions_executes_definitions(clean_sandbox, sandbox_client):
    sfn = sandbox_client("stepfunctions")
    machine = sfn.create_state_machine(
        name="pass-through",
        roleArn=ensure_execution_role(sandbox_client, "sfn"),
        definition=json.dumps(
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}}
        ),
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, name="run-1")["executionArn"]

    described = run_execution_by_arn(sandbox_client, execution)

    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"ok": 1}


def test_the_whole_context_object_is_described_not_a_500(clean_sandbox, sandbox_client):
    """Issue 26: `"ctx.$": "$$"` then DescribeExecution through the server (its direct path)
    answered HTTP 500 ("Object of type datetime is not JSON serializable"); AWS gives the
    context object as JSON (input-output-contextobject.html)."""
    sfn = sandbox_client("stepfunctions")
    machine = sfn.create_state_machine(
        name="whole-context", roleArn=ensure_execution_role(sandbox_client, "sfn"),
        definition=json.dumps({"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Parameters": {"ctx.$": "$$"}, "End": True}}}),
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    described = run_execution_by_arn(sandbox_client, execution)
    assert described["status"] == "SUCCEEDED"
    context = json.loads(described["output"])["ctx"]
    assert context["Execution"]["Id"] == execution
    assert context["Execution"]["StartTime"].endswith("Z")


def test_the_server_that_serves_the_data_plane_sets_its_address(monkeypatch):
    from lab.sandbox import network

    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    previous = network.set_dataplane_address(None)
    parse_headers = http.client.parse_headers  # make_server installs the server's own
    made = server.make_server(0)
    try:
        assert network.dataplane_address() == ("127.0.0.1", made.server_port)
    finally:
        made.server_close()
        network.restore_dataplane_address(previous)
        http.client.parse_headers = parse_headers


def test_the_server_process_collects_garbage_less_often_than_python_s_default():
    import gc

    from lab.sandbox import process_policy

    previous = gc.get_threshold()
    try:
        process_policy.apply_gc_policy()
        assert gc.get_threshold() == process_policy.GC_THRESHOLDS
        pairs = zip(process_policy.GC_THRESHOLDS, (700, 10, 10), strict=True)
        assert all(ours >= default for ours, default in pairs)
    finally:
        gc.set_threshold(*previous)
