"""Benchmark (prints figures; not a test): the definition parse cache and the data plane.

    .venv/bin/python tests/bench_parse_cache.py [--executions 200] [--gets 500]

In-process (moto.mock_aws, every extension, the data plane on an ephemeral port), the
lab's architecture built with boto3, then:

1. the lab's HTTP Task state machine (EXPRESS, StartSyncExecution) run N times with
   moto's behaviour (parse the definition on every execution) and with the parse cache;
   the same for a one-state Pass machine, which shows the interpreter's own overhead;
2. GET /prod/hello on the data plane with http.client (what one HTTP Task call costs on
   the wire), in this process and against the sandbox server in its own process.

Figures depend on the machine; compare the two columns, not absolute numbers.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "sandbox")]

import http_invoke_builders as support  # noqa: E402


def _client_factory():
    import boto3

    clients: dict = {}

    def client(service: str, region: str = support.REGION):
        if (service, region) not in clients:
            clients[service, region] = boto3.client(service, region_name=region)
        return clients[service, region]

    return client


def _summary(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    median_ms = statistics.median(samples) * 1000
    return (
        f"{len(samples) / sum(samples):7.1f} exec/s   median {median_ms:6.2f} ms"
        f"   p95 {p95 * 1000:6.2f} ms"
    )


def _time_sync_executions(sfn, arn: str, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        result = sfn.start_sync_execution(stateMachineArn=arn)
        samples.append(time.perf_counter() - started)
        assert result["status"] == "SUCCEEDED", result
    return samples


def bench_parse_cache(executions: int) -> None:
    from moto import mock_aws
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    from lab.sandbox import control, network, seams
    from lab.sandbox.dataplane import serve_in_thread
    from lab.sandbox.stepfunctions import programs

    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    seams.install()
    control.update_settings({"connection_warmup_seconds": 0})
    server = serve_in_thread()
    network.set_dataplane_address("127.0.0.1", server.server_port)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        aws = _client_factory()
        path = support.build_private_path(aws)
        http_arn = support.create_state_machine(
            aws,
            support.http_task_definition(
                path.api.url(),
                path.connection_arn,
                headers={"x-lab-execution.$": "$$.Execution.Name"},
            ),
            express=True,
            name="http",
        )
        pass_arn = support.create_state_machine(
            aws,
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            express=True,
            name="pass",
        )
        sfn = aws("stepfunctions")
        cached_program = programs.ProgramCache.program

        def parse_every_time(self, definition):
            return AmazonStateLanguageParser.parse(definition)[0]

        print(f"\nStartSyncExecution x {executions}, sequential, in-process (EXPRESS)")
        for label, arn in (("HTTP Task -> private API", http_arn), ("Pass state", pass_arn)):
            _time_sync_executions(sfn, arn, 10)  # warm up both paths
            programs.ProgramCache.program = parse_every_time
            before = _time_sync_executions(sfn, arn, executions)
            programs.ProgramCache.program = cached_program
            after = _time_sync_executions(sfn, arn, executions)
            print(f"  {label}")
            print(f"    parse per execution (moto): {_summary(before)}")
            print(f"    parse cache               : {_summary(after)}")
        definition = json.dumps(support.http_task_definition(path.api.url(), path.connection_arn))
        samples = []
        for _ in range(20):
            started = time.perf_counter()
            AmazonStateLanguageParser.parse(definition)
            samples.append(time.perf_counter() - started)
        copies = []
        template = programs.program_cache.template(definition)
        for _ in range(200):
            started = time.perf_counter()
            programs.ProgramCache.program(programs.program_cache, definition)
            copies.append(time.perf_counter() - started)
        parse_ms = statistics.median(samples) * 1000
        copy_ms = statistics.median(copies) * 1000
        print(
            f"  one ANTLR parse of the HTTP Task definition: {parse_ms:.2f} ms; "
            f"handing out the cached program (shared, no copy): {copy_ms:.3f} ms"
        )
        del template
        bench_dataplane_in_process(path, server.server_port)
    server.shutdown()


def _gets(port: int, host: str, path: str, headers: dict, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path, headers={"Host": host, **headers})
        response = connection.getresponse()
        response.read()
        connection.close()
        samples.append(time.perf_counter() - started)
        assert response.status == 200, response.status
    return samples


def bench_dataplane_in_process(path, port: int, count: int = 500) -> None:
    from lab.sandbox import access

    vpce = path.vpc.endpoint_id
    headers = {
        "x-lab-source-vpce": vpce,
        access.PATH_PROOF_HEADER: access.path_proof(vpce),
        "x-api-key": path.api.api_key,
    }
    _gets(port, path.api.host, "/prod/hello", headers, 20)
    samples = _gets(port, path.api.host, "/prod/hello", headers, count)
    print(f"\nData plane GET /prod/hello x {count}, new connection each (werkzeug closes them)")
    print(f"  in-process server thread : {_summary(samples).replace('exec/s', 'GET/s ')}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_dataplane_server(count: int) -> None:
    """GETs against ``python -m lab.sandbox.server`` in its own process (no shared GIL)."""
    import boto3

    from lab.sandbox import access

    port = _free_port()
    token_file = ROOT / ".lab" / f"bench-sandbox-{port}.token"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lab.sandbox.server",
            "--port",
            str(port),
            "--token-file",
            str(token_file),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                token = access.read_token_file(token_file) or ""
                status = urllib.request.Request(
                    f"http://127.0.0.1:{port}/lab-api/status",
                    headers={"Authorization": access.authorization(token)},
                )
                urllib.request.urlopen(status, timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )

        def aws(service: str, region: str = "us-east-1"):
            return session.client(service, endpoint_url=f"http://127.0.0.1:{port}")

        api = support.deploy_api(aws, endpoint_type="REGIONAL", api_key_required=False)
        through_path = {access.PATH_PROOF_HEADER: access.path_proof(None, token)}
        _gets(port, api.host, "/prod/hello", through_path, 20)
        samples = _gets(port, api.host, "/prod/hello", through_path, count)
        print(f"  sandbox server process   : {_summary(samples).replace('exec/s', 'GET/s ')}")
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=200)
    parser.add_argument("--gets", type=int, default=500)
    parser.add_argument("--no-server", action="store_true", help="skip the server process")
    args = parser.parse_args()
    import logging

    logging.getLogger("moto").setLevel(logging.CRITICAL)
    bench_parse_cache(args.executions)
    if not args.no_server:
        bench_dataplane_server(args.gets)


if __name__ == "__main__":
    main()
