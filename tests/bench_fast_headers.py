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
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from header_samples import BOTO3_REQUEST, DATAPLANE_RESPONSE, TRANSPORT_REQUEST  # noqa: E402

from lab.sandbox import fast_headers  # noqa: E402

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
