"""Microbenchmark (prints figures; not a test): ``http.client.parse_headers``, stdlib vs fast.

    .venv/bin/python tests/bench_fast_headers.py [--parses 20000] [--rounds 5]

Parses the same header blocks with the standard library's ``http.client.parse_headers``
and with ``lab.sandbox.fast_headers.parse_headers``, alternating the two in each round so
that both see the same machine load, and prints the best and the median round in µs per
parse. The blocks: a boto3 SigV4 request (what the sandbox server reads for every API
call), the HTTP Task transport's request to the data plane (the same server reads it),
and a data plane response (what the transport reads back). A few seconds in all.
"""

from __future__ import annotations

import argparse
import io
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lab.sandbox import fast_headers  # noqa: E402

#: Captured from boto3 1.44.8 (StartExecution), the request line removed.
BOTO3_REQUEST = (
    b"Host: 127.0.0.1:6100\r\n"
    b"Accept-Encoding: identity\r\n"
    b"X-Amz-Target: AWSStepFunctions.StartSyncExecution\r\n"
    b"Content-Type: application/x-amz-json-1.0\r\n"
    b"User-Agent: Boto3/1.44.8 md/Botocore#1.44.8 ua/2.1 os/linux#6.18.44-fc-v1045 "
    b"md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/e,N,b,E,Z "
    b"cfg/retry-mode#standard Botocore/1.44.8\r\n"
    b"X-Amz-Date: 20261202T044331Z\r\n"
    b"Authorization: AWS4-HMAC-SHA256 Credential=testing/20261202/us-east-1/states/"
    b"aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    b"Signature=1e13d9c99aa9ff7d5134bd1acdc11eb8e160d20ec0c6fd79f832de5aafb28791\r\n"
    b"amz-sdk-invocation-id: beeaf3fa-ebb2-41d5-b2b8-31de6374137d\r\n"
    b"amz-sdk-request: attempt=1; max=3\r\n"
    b"Content-Length: 93\r\n"
    b"\r\n"
)

#: What ``lab.sandbox.stepfunctions.transport`` sends to the data plane (http.client).
TRANSPORT_REQUEST = (
    b"Host: abc1234567-vpce-0123456789abcdef0.execute-api.us-east-1.amazonaws.com\r\n"
    b"Content-Type: application/json; charset=UTF-8\r\n"
    b"x-api-key: lab-api-key-0123456789abcdefghijklmnopqrstuv\r\n"
    b"x-lab-execution: 6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f\r\n"
    b"x-lab-source-vpce: vpce-0123456789abcdef0\r\n"
    b"x-lab-network-path: 4b6f1e0f9d3c2a1b0e9f8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)

#: What the data plane answers through lab.sandbox.keepalive (the status line removed).
DATAPLANE_RESPONSE = (
    b"Server: Werkzeug/3.1.3 Python/3.11.7\r\n"
    b"Date: Wed, 02 Dec 2026 04:43:31 GMT\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: 38\r\n"
    b"x-amzn-RequestId: 0f6c8a52-8d9b-4f0e-9d43-2c1b7a6e5d40\r\n"
    b"x-amz-apigw-id: 4c3b2a19f8e7d6c5\r\n"
    b"\r\n"
)

BLOCKS = {
    "boto3 SigV4 request (10 headers)": BOTO3_REQUEST,
    "transport -> data plane request (7)": TRANSPORT_REQUEST,
    "data plane response (6 headers)": DATAPLANE_RESPONSE,
}


def _per_parse_us(parse, block: bytes, parses: int) -> float:
    streams = [io.BytesIO(block) for _ in range(parses)]
    started = time.perf_counter()
    for stream in streams:
        parse(stream)
    return (time.perf_counter() - started) / parses * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tests/bench_fast_headers.py")
    parser.add_argument("--parses", type=int, default=20_000, help="parses per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    stdlib, fast = fast_headers.stdlib_parse_headers, fast_headers.parse_headers
    print(f"µs per parse (best / median of {args.rounds} rounds of {args.parses})")
    print(f"  {'block':38} {'stdlib':>15} {'fast':>15} {'ratio':>7}")
    for label, block in BLOCKS.items():
        assert fast(io.BytesIO(block)).items() == stdlib(io.BytesIO(block)).items()
        slow_rounds, fast_rounds = [], []
        for _ in range(args.rounds):
            slow_rounds.append(_per_parse_us(stdlib, block, args.parses))
            fast_rounds.append(_per_parse_us(fast, block, args.parses))
        slow_best, fast_best = min(slow_rounds), min(fast_rounds)
        slow_text = f"{slow_best:6.2f} / {statistics.median(slow_rounds):6.2f}"
        fast_text = f"{fast_best:6.2f} / {statistics.median(fast_rounds):6.2f}"
        print(f"  {label:38} {slow_text:>15} {fast_text:>15} {slow_best / fast_best:6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
