"""The data plane's request log is bounded by entries and by bytes."""

from __future__ import annotations

import json

from lab.sandbox.dataplane.request_log import DEFAULT_MAX_BYTES, MAX_TEXT_CHARS, RequestLog


def _entry(i: int, header: str = "v") -> dict:
    return {"request_id": str(i), "path": "/prod/hello", "headers": {"x-big": header}}


def test_the_log_keeps_at_most_its_capacity_of_entries():
    log = RequestLog(capacity=3, max_bytes=10**9)

    for i in range(5):
        log.add(_entry(i))

    assert [e["request_id"] for e in log.entries()] == ["2", "3", "4"]


def test_long_header_values_and_paths_are_kept_cut_with_what_was_left_out():
    log = RequestLog()

    log.add({**_entry(0, "v" * 60_000), "path": "/" + "p" * 5000})

    entry = log.entries()[0]
    assert entry["headers"]["x-big"] == (
        "v" * MAX_TEXT_CHARS + f"... [{60_000 - MAX_TEXT_CHARS} more characters not kept]"
    )
    assert entry["path"].startswith("/" + "p" * (MAX_TEXT_CHARS - 1))
    assert "more characters not kept" in entry["path"]


def test_the_oldest_entries_go_when_the_bytes_are_over_the_cap():
    log = RequestLog(capacity=500, max_bytes=20_000)

    for i in range(100):
        log.add(_entry(i, "v" * 1500))

    kept = log.entries()
    assert len(json.dumps(kept).encode()) <= 20_000 < len(json.dumps(kept).encode()) + 2000
    assert kept[-1]["request_id"] == "99"
    assert 0 < log.bytes <= 20_000


def test_600_requests_with_four_60_kb_headers_stay_within_the_default_caps():
    log = RequestLog()
    big = "v" * 60_000

    for i in range(600):
        log.add({**_entry(i), "headers": {f"x-big-{n}": big for n in range(4)}})

    held = len(json.dumps(log.entries()).encode())
    assert len(log) == 600
    assert held <= 600 * 4 * (MAX_TEXT_CHARS + 100)  # not 600 x 240 KB
    assert log.bytes <= DEFAULT_MAX_BYTES


def test_many_large_requests_are_held_to_the_byte_cap():
    log = RequestLog(max_bytes=1024 * 1024)
    big = "v" * 60_000

    for i in range(600):
        log.add({**_entry(i), "headers": {f"x-big-{n}": big for n in range(4)}})

    assert len(json.dumps(log.entries()).encode()) <= 1024 * 1024
    assert log.entries()[-1]["request_id"] == "599"


def test_clear_forgets_the_bytes_too():
    log = RequestLog()
    log.add(_entry(0))

    log.clear()

    assert (len(log), log.bytes) == (0, 0)
