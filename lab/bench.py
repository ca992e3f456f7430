"""Benchmark the sandbox: what an execution costs over a bare call to the private API.

``bench(n)`` measures five paths side by side, each at concurrency 1 and 8:

- ``floor``: a direct ``GET /<stage>/hello`` to the sandbox's private API data
  plane (on its own process's port, ``lab.sandbox.dataplane.process``), with the
  API's host name, the VPC endpoint header, the proof the sandbox's network path
  adds (made from the sandbox's token) and the API key, on a kept-alive
  connection: the least any execution's HTTP task can cost.
- ``express``: ``start_sync_execution`` of the EXPRESS state machine, one
  round trip (``client_ms`` of ``lab.harness``).
- ``standard``: ``start_execution`` of the STANDARD state machine until the
  harness observes its terminal status (``client_ms``; includes up to one
  poll interval, 2 ms growing to 20 ms).
- ``jsonata``: the same for the STANDARD workflow's JSONata twin (``Arguments``,
  ``InvocationConfig`` and an ``Output`` expression, evaluated by the JSONata engine).
- ``api_destination``: ``PutEvents`` of one event per call on the lab's bus, until the
  private API received it through the rule's API destination (put -> receipt, from the
  data plane's log, ``lab.event_delivery.account``); its throughput is events received
  per second from the first put to the last receipt, and is capped by the destination's
  ``InvocationRateLimitPerSecond`` (the stack sets 200).

Latencies are client round trips (``time.perf_counter``), throughput is calls
completed per second of wall time for the cell. Ratios compare medians at
concurrency 1: ``express_ratio = express_p50 / floor_p50``,
``standard_ratio = standard_p50 / floor_p50`` (``jsonata_ratio`` and
``api_destination_ratio`` likewise, without goals). ``executions_per_s_c8`` is the
EXPRESS throughput at concurrency 8 (``standard_per_s_c8`` is reported too).
The goals (``express_ratio <= 5``, ``standard_ratio <= 10``, ``>= 300``
executions/s at concurrency 8) are reported as booleans under ``goals``;
nothing asserts them: this is a measurement, not a test.
"""

from __future__ import annotations

import dataclasses
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
PATHS = ("floor", "express", "standard", "jsonata", "api_destination")
GOALS = {"express_ratio": 5.0, "standard_ratio": 10.0, "executions_per_s_c8": 300.0}
#: How long the api_destination cell waits for its events to be received or dead-lettered.
EVENTS_TIMEOUT_S = 60.0
WARMUP = 10


class FloorClient:
    """GETs the private API's ``/hello`` straight from the sandbox's data plane.

    Holds the API key privately (it is sent as a header, never returned,
    printed or put in a report). One kept-alive connection per thread, as
    botocore keeps its connections alive too.
    """

    def __init__(self, cfg: LabConfig, outputs: dict):
        from lab.sandbox import dataplane_address

        root = urlsplit(outputs[Output.ApiRootUrl])
        # The data plane's own address (its own process's port, unless it shares the server's).
        self._host, self._port = dataplane_address()
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
            conn = http.client.HTTPConnection(self._host, self._port, timeout=30)
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
    if workflow == "jsonata":
        # The JSONata twin is a STANDARD state machine: run it as the standard workflow.
        machines = {**run_plan.state_machines, "standard": run_plan.state_machines["jsonata"]}
        run_plan, workflow = dataclasses.replace(run_plan, state_machines=machines), "standard"
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


def _events_cell(n: int, concurrency: int, run_id: str) -> dict:
    """PutEvents one event per call, ``concurrency`` calls at a time; put -> receipt."""
    from lab import event_delivery

    t0 = time.perf_counter()
    run = event_delivery.send_events(n, concurrency=concurrency, run_id=run_id, batch=1)
    report = event_delivery.account(run, timeout_s=EVENTS_TIMEOUT_S)
    wall = time.perf_counter() - t0
    span = report.get("receipt_span_s")
    failures = n - report["delivered"]
    cell = {
        "n": n,
        "failures": failures,
        "p50_ms": report["p50_ms"],
        "p90_ms": report["p90_ms"],
        "p99_ms": report["p99_ms"],
        "per_s": round(report["delivered"] / span, 1) if span else None,
        "wall_s": round(wall, 3),
    }
    if failures:
        cell["failure_kinds"] = [
            f"{key}={report[key]}" for key in ("put_failed", "dead_lettered", "lost") if report[key]
        ]
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
    jsonata_arn = stack_outputs.get(Output.JsonataStateMachineArn)
    if not jsonata_arn or Output.EventBusName not in stack_outputs:
        raise LabError(
            "the deployed stack has no JSONata twin or EventBridge bus yet; redeploy it with "
            "`python -m lab deploy --if-changed`, then bench again."
        )
    run_plan = dataclasses.replace(
        run_plan, state_machines={**run_plan.state_machines, "jsonata": jsonata_arn}
    )
    floor = FloorClient(cfg, stack_outputs)
    # Right after a deploy the connection is still warming up: wait for it.
    harness.wait_until_ready(run_plan, "express")
    harness.wait_until_ready(run_plan, "standard")

    counter = iter(range(10**9))

    def names(count: int) -> list[str]:
        return [f"lab-{run_plan.run_id}-{next(counter):06d}" for _ in range(count)]

    from lab.progress_bars import Progress

    steps = [(c, path) for c in concurrencies for path in PATHS]
    bar = Progress(len(steps) + 1, "bench", "step", enabled=progress)
    # Warm up every path once over: first calls build clients, connections
    # and the sandbox's caches, which is not what we measure.
    warm = min(WARMUP, n)
    _floor_cell(floor, warm, 1)
    for workflow in ("express", "standard", "jsonata"):
        _execution_cell(run_plan, workflow, names(warm), 1)
    _events_cell(warm, 1, f"lab-{run_plan.run_id}-warm")
    bar.update(1)

    cells = []
    for concurrency, path in steps:
        if path == "floor":
            cell = _floor_cell(floor, n, concurrency)
        elif path == "api_destination":
            cell = _events_cell(n, concurrency, f"lab-{run_plan.run_id}-events-c{concurrency}")
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
        "jsonata_p50_ms": pick("jsonata", low, "p50_ms"),
        "api_destination_p50_ms": pick("api_destination", low, "p50_ms"),
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
        f"jsonata_per_s_c{high}": pick("jsonata", high, "per_s"),
        f"api_destination_per_s_c{high}": pick("api_destination", high, "per_s"),
        "failures": sum(cell["failures"] for cell in cells),
    }
    report["express_ratio"] = _ratio(report["express_p50_ms"], report["floor_p50_ms"])
    report["standard_ratio"] = _ratio(report["standard_p50_ms"], report["floor_p50_ms"])
    report["jsonata_ratio"] = _ratio(report["jsonata_p50_ms"], report["floor_p50_ms"])
    report["api_destination_ratio"] = _ratio(
        report["api_destination_p50_ms"], report["floor_p50_ms"]
    )
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


#: The comparison rows: label, report key, goal text (None: no goal), report key of the goal.
COMPARISON = (
    ("EXPRESS p50 / floor p50", "express_ratio", "<= 5", "express_ratio<=5"),
    ("STANDARD p50 / floor p50", "standard_ratio", "<= 10", "standard_ratio<=10"),
    ("EXPRESS executions/s, c8", "executions_per_s_c8", ">= 300", "executions_per_s_c8>=300"),
    ("JSONata p50 / floor p50", "jsonata_ratio", None, None),
    ("STANDARD executions/s, c8", "standard_per_s_c8", None, None),
    ("API destination put->receipt / floor", "api_destination_ratio", None, None),
    ("API destination events/s, c8", "api_destination_per_s_c8", None, None),
)


_MET = {True: "yes", False: "NO", None: "-"}


def _text(value) -> str:
    return "-" if value is None else str(value)


def format_table(report: dict) -> str:
    """One screen: every cell, then the figures beside their goals (human-readable)."""
    header = f"{'path':15} {'conc':>4} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'per s':>8} fail"
    lines = [header, "-" * len(header)]
    for cell in report["cells"]:
        lines.append(
            f"{cell['path']:15} {cell['concurrency']:>4} {_text(cell['p50_ms']):>8} "
            f"{_text(cell['p90_ms']):>8} {_text(cell['p99_ms']):>8} {_text(cell['per_s']):>8} "
            f"{cell['failures']:>4}"
        )
    lines.append("")
    row = f"{'figure':38} {'measured':>9} {'goal':>7}  met"
    lines += [row, "-" * len(row)]
    goals = report.get("goals", {})
    for label, key, goal, goal_key in COMPARISON:
        met = "-" if goal_key is None else _MET[goals.get(goal_key)]
        lines.append(f"{label:38} {_text(report.get(key)):>9} {goal or '-':>7}  {met}")
    host = report.get("host", {})
    if host:
        lines.append(
            f"load (1 min) {host.get('load_1min_at_start')} at start, {host.get('load_1min')} "
            f"at end, {host.get('cpus')} CPUs"
        )
    return "\n".join(lines)
