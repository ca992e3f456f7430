"""Benchmark: how much the sandbox grows when its data plane logs large requests.

Starts ``python -m lab.sandbox.server`` on a free loopback port, reads its resident set
size (``VmRSS`` in ``/proc/<pid>/status``), sends ``--requests`` GETs (default 600) to a
private API host name, each with four 60 KB headers, reads the RSS again and prints both,
the growth, and what the request log holds (entries, bytes). Bounded: the requests are
counted, each has a 10 s timeout, and the server is stopped at the end.

    .venv/bin/python tests/bench_request_log.py
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lab.sandbox import access  # noqa: E402

HOST = "abc1234567.execute-api.us-east-1.amazonaws.com"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _control(port: int, token: str, path: str):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/lab-api/{path}",
        headers={"Authorization": access.authorization(token)},
    )
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
        request, timeout=30
    ) as response:
        return json.loads(response.read())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--header-kb", type=int, default=60)
    args = parser.parse_args()

    port = _free_port()
    token_file = Path(tempfile.mkdtemp()) / "token"
    process = subprocess.Popen(
        [sys.executable, "-m", "lab.sandbox.server", "--port", str(port),
         "--token-file", str(token_file)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            token = access.read_token_file(token_file)
            try:
                if token:
                    _control(port, token, "status")
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the sandbox did not start")
            time.sleep(0.1)
        # Warm the data plane (first use imports it) before the first reading.
        for _ in range(5):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/prod/hello", headers={"Host": HOST})
            connection.getresponse().read()
            connection.close()
        time.sleep(0.5)
        before = _rss_mb(process.pid)
        big = "v" * (args.header_kb * 1000)
        headers = {"Host": HOST, **{f"x-big-{i}": big for i in range(4)}}
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(args.requests):
            connection.request("GET", "/prod/hello", headers=headers)
            connection.getresponse().read()
        connection.close()
        took = time.monotonic() - started
        time.sleep(0.5)
        after = _rss_mb(process.pid)
        entries = _control(port, token, "requests")
        held = len(json.dumps(entries).encode())
        print(
            f"{args.requests} requests with 4 x {args.header_kb} KB headers in {took:.1f} s: "
            f"RSS {before:.1f} MB -> {after:.1f} MB (+{after - before:.1f} MB); "
            f"request log holds {len(entries)} entries, {held / 1e6:.2f} MB as JSON"
        )
    finally:
        process.terminate()
        process.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
