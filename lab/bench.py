"""Benchmark the sandbox: what an execution costs over a bare call to the private API.

``bench(n)`` measures three paths side by side, each at concurrency 1 and 8:

- ``floor``: a direct ``GET /<stage>/hello`` to the sandbox's private API data
  plane, with the API's host name, the VPC endpoint header, the proof the
  sandbox's network path adds (made from the sandbox's token) and the API key,
  on a kept-alive connection: the least any execution's HTTP task can cost.
- ``express``: ``start_sync_execution`` of the EXPRESS state machine, one
  round trip (``client_ms`` of ``lab.harness``).
- ``standard``: ``start_execution`` of the STANDARD state machine until the
  harness observes its terminal status (``client_ms``; includes up to one
  poll interval, 2 ms growing to 20 ms).

Latencies are client round trips (``time.perf_counter``), throughput is calls
completed per second of wall time for the cell. Ratios compare medians at
concurrency 1: ``express_ratio = express_p50 / floor_p50`` and
``standard_ratio = standard_p50 / floor_p50``. ``executions_per_s_c8`` is the
EXPRESS throughput at concurrency 8 (``standard_per_s_c8`` is reported too).
The goals (``express_ratio <= 5``, ``standard_ratio <= 10``, ``>= 300``
executions/s at concurrency 8) are reported as booleans under ``goals``;
nothing asserts them: this is a measurement, not a test.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import numpy as np

from cdk_app.names import Output
from lab import harness
from lab.config import LabConfig, load_config
from lab.deployment import api_key_value
from lab.errors import LabError
from lab.sandbox import network_path_headers

CONCURRENCIES = (1, 8)
PATHS = ("floor", "express", "standard")
GOALS = {"express_ratio": 5.0, "standard_ratio": 10.0, "executions_per_s_c8": 300.0}
WARMUP = 10


class FloorClient:
    """GETs the private API's ``/hello`` straight from the sandbox's data plane.

    Holds the API key privately (it is sent as a header, never returned,
    printed or put in a report). One kept-alive connection per thread, as
    botocore keeps its connections alive too.
    """

    def __init__(self, cfg: LabConfig, outputs: dict):
        root = urlsplit(outputs[Output.ApiRootUrl])
        self._port = cfg.sandbox_port
        self._path = root.path.rstrip("/") + "/hello"
        key = api_key_value(cfg, outputs[Output.ApiKeyId])
        # The data plane believes the endpoint header only with the proof the sandbox's
        # network path adds; the floor stands in for that path (it holds the token).
        self._headers = {
            "Host": root.netloc,
            **network_path_headers(outputs[Output.VpcEndpointId], cfg.sandbox_port),
            "x-api-key": key,
            "Accept": "application/json",
        }
        self._local = threading.local()

    def __repr__(self) -> str:  # never show the headers (they hold the key)
        return f"FloorClient(path={self._path!r})"

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
            self._local.conn = conn
        return conn

    def get(self) -> tuple[int, float]:
        """One GET; returns ``(status, ms)``. Reconnects once if the server closed."""
        for attempt in range(2):
            conn = self._connection()
            t0 = time.perf_counter()
            try:
                conn.request("GET", self._path, headers=self._headers)
                response = conn.getresponse()
                response.read()
                return response.status, (time.perf_counter() - t0) * 1000.0
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                self._local.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


def _stats(latencies: list[float], count: int, failures: int, wall_s: float) -> dict:
    values = np.asarray(latencies, dtype=float)
    quantiles = np.percentile(values, [50, 90, 99]) if values.size else [np.nan] * 3
    return {
        "n": count,
        "failures": failures,
        "p50_ms": round(float(quantiles[0]), 2),
        "p90_ms": round(float(quantiles[1]), 2),
        "p99_ms": round(float(quantiles[2]), 2),
        "per_s": round(count / wall_s, 1) if wall_s > 0 else None,
        "wall_s": round(wall_s, 3),
    }


def _floor_cell(floor: FloorClient, n: int, concurrency: int) -> dict:
    def one(_):
        try:
            return floor.get()
        except (OSError, http.client.HTTPException):
            return None, None

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="lab-bench") as pool:
        outcomes = list(pool.map(one, range(n)))
    wall = time.perf_counter() - t0
    ok = [ms for status, ms in outcomes if status == 200]
    return _stats(ok, n, n - len(ok), wall)


def _execution_cell(run_plan, workflow: str, names: list[str], concurrency: int) -> dict:
    t0 = time.perf_counter()
    # No history reads: they are not part of "start -> terminal", and they are
    # the most expensive call the sandbox serves (they would slow the others).
    records = harness.run_batch(
        run_plan, workflow, names, concurrency, progress=False, with_history=False
    )
    wall = time.perf_counter() - t0
    ok = [r for r in records if r.status == "SUCCEEDED"]
    cell = _stats([r.client_ms for r in ok], len(records), len(records) - len(ok), wall)
    server = [r.execution_ms for r in ok if r.execution_ms is not None]
    cell["server_p50_ms"] = round(float(np.median(server)), 2) if server else None
    kinds = {r.error or r.status for r in records if r.status != "SUCCEEDED"}
    if kinds:
        cell["failure_kinds"] = sorted(kinds)
    return cell


def _ratio(numerator, denominator):
    if numerator is None or not denominator or np.isnan(denominator) or np.isnan(numerator):
        return None
    return round(numerator / denominator, 2)


def bench(n: int = 200, progress: bool = True, concurrencies=CONCURRENCIES) -> dict:
    """Measure floor, EXPRESS and STANDARD in the sandbox; returns the figures.

    Starts the sandbox and deploys the stack if needed (both idempotent).
    ``n`` calls per path and concurrency, after a short warm-up. Returns a
    dict: the headline keys (``floor_p50_ms``, ``express_p50_ms``,
    ``standard_p50_ms``, ``express_ratio``, ``standard_ratio``,
    ``executions_per_s_c8``, ...), ``goals`` met or not, and ``cells`` with
    every path x concurrency's p50/p90/p99, throughput and failures.
    """
    harness.validate("both", n, max(concurrencies))
    load_at_start = round(os.getloadavg()[0], 2)
    cfg = load_config()
    if not cfg.is_sandbox:
        raise LabError(
            "bench measures the local sandbox; unset LAB_MODE (or LAB_MODE=sandbox), "
            "or time AWS with `python -m lab run --workflow both`."
        )
    from lab import sandbox
    from lab.deployment import ensure_deployed

    sandbox.ensure_running()
    stack_outputs = ensure_deployed(cfg)
    run_plan = harness.plan("both", cfg, stack_outputs)
    floor = FloorClient(cfg, stack_outputs)
    # Right after a deploy the connection is still warming up: wait for it.
    harness.wait_until_ready(run_plan, "express")
    harness.wait_until_ready(run_plan, "standard")

    counter = iter(range(10**9))

    def names(count: int) -> list[str]:
        return [f"lab-{run_plan.run_id}-{next(counter):06d}" for _ in range(count)]

    from lab.progress import Progress

    steps = [(c, path) for c in concurrencies for path in PATHS]
    bar = Progress(len(steps) + 1, "bench", "step", enabled=progress)
    # Warm up every path once over: first calls build clients, connections
    # and the sandbox's caches, which is not what we measure.
    warm = min(WARMUP, n)
    _floor_cell(floor, warm, 1)
    for workflow in ("express", "standard"):
        _execution_cell(run_plan, workflow, names(warm), 1)
    bar.update(1)

    cells = []
    for concurrency, path in steps:
        if path == "floor":
            cell = _floor_cell(floor, n, concurrency)
        else:
            cell = _execution_cell(run_plan, path, names(n), concurrency)
        cells.append({"path": path, "concurrency": concurrency, **cell})
        bar.update(1)
    bar.close()

    def pick(path: str, concurrency: int, key: str):
        for cell in cells:
            if cell["path"] == path and cell["concurrency"] == concurrency:
                return cell[key]
        return None

    low, high = min(concurrencies), max(concurrencies)
    report = {
        "floor_p50_ms": pick("floor", low, "p50_ms"),
        "express_p50_ms": pick("express", low, "p50_ms"),
        "standard_p50_ms": pick("standard", low, "p50_ms"),
        "floor_p99_ms": pick("floor", low, "p99_ms"),
        "express_p99_ms": pick("express", low, "p99_ms"),
        "standard_p99_ms": pick("standard", low, "p99_ms"),
        "standard_server_p50_ms": pick("standard", low, "server_p50_ms"),
        "express_server_p50_ms": pick("express", low, "server_p50_ms"),
        f"floor_p50_ms_c{high}": pick("floor", high, "p50_ms"),
        f"express_p50_ms_c{high}": pick("express", high, "p50_ms"),
        f"standard_p50_ms_c{high}": pick("standard", high, "p50_ms"),
        f"executions_per_s_c{high}": pick("express", high, "per_s"),
        f"standard_per_s_c{high}": pick("standard", high, "per_s"),
        f"floor_per_s_c{high}": pick("floor", high, "per_s"),
        "failures": sum(cell["failures"] for cell in cells),
    }
    report["express_ratio"] = _ratio(report["express_p50_ms"], report["floor_p50_ms"])
    report["standard_ratio"] = _ratio(report["standard_p50_ms"], report["floor_p50_ms"])
    report["goals"] = {
        "express_ratio<=5": _meets(report["express_ratio"], GOALS["express_ratio"], below=True),
        "standard_ratio<=10": _meets(report["standard_ratio"], GOALS["standard_ratio"], below=True),
        "executions_per_s_c8>=300": _meets(
            report.get("executions_per_s_c8"), GOALS["executions_per_s_c8"], below=False
        ),
    }
    report["n"] = n
    report["concurrencies"] = list(concurrencies)
    report["run_id"] = run_plan.run_id
    meta = harness.run_metadata(run_plan)
    report["versions"] = meta["versions"]
    # Other programs on this machine slow the sandbox down: keep the load with the figures.
    report["host"] = {**meta["host"], "load_1min_at_start": load_at_start}
    report["cells"] = cells
    return report


def _meets(value, goal: float, below: bool) -> bool | None:
    if value is None:
        return None
    return value <= goal if below else value >= goal


def format_table(report: dict) -> str:
    """The cells as a table, then the ratios and goals (human-readable)."""
    header = f"{'path':9} {'conc':>4} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'per s':>8} fail"
    lines = [header, "-" * len(header)]
    for cell in report["cells"]:
        lines.append(
            f"{cell['path']:9} {cell['concurrency']:>4} {cell['p50_ms']:>8} {cell['p90_ms']:>8} "
            f"{cell['p99_ms']:>8} {cell['per_s']:>8} {cell['failures']:>4}"
        )
    lines.append("")
    lines.append(
        f"express/floor p50 = {report['express_ratio']}   "
        f"standard/floor p50 = {report['standard_ratio']}   "
        f"express executions/s at c8 = {report.get('executions_per_s_c8')}"
    )
    lines.append(
        "goals: "
        + ", ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in report["goals"].items())
    )
    return "\n".join(lines)
