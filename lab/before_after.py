"""Notebook 10 and ``python -m lab compare-before-after``: the Lambda proxy beside the HTTP Task.

Both paths call the same private API with the same key: the lab's stack (HTTP Task ->
connection -> VPC Lattice) and the "before" stack ``<stack>-LambdaProxy`` (Step Functions ->
Lambda in the VPC -> execute-api endpoint, the key read through a Secrets Manager endpoint).
This module compares what is static: the code a learner owns (:func:`owned_code`, counted
from the source files) and what each path costs (:func:`cost_comparison`, in the format of
``lab.cost_estimate``, prices with their sources). :mod:`lab.before_after_runs` measures the
rest on the deployed stacks: latency per phase and what each failure looks like.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pandas as pd

from cdk_app.names import PROXY_MEMORY_MB
from lab.config import load_config
from lab.setup import NOT_PER_RUN, PER_GB_ONLY, PRICES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PATHS = ("http_task", "lambda_proxy")

#: The files each path's owner writes and keeps, beyond what both share (the VPC, the
#: execute-api endpoint and the API itself: cdk_app/network.py, private_api.py), each with
#: the top-level names in it that the path does not need (workflows.py's JSONata twin).
OWNED_FILES = {
    "http_task": {
        "handler": (),
        "IaC": (("cdk_app/lattice.py", ()), ("cdk_app/connection.py", ()),
                ("cdk_app/workflows.py", ("JSONATA_OUTPUT", "HttpInvokeJsonata",
                                          "_http_invoke_jsonata"))),
    },
    "lambda_proxy": {
        "handler": (("cdk_app/proxy_handler.py", ()),),
        "IaC": (("cdk_app/lambda_proxy.py", ()),),
    },
}

HOURS_PER_MONTH = 730  # AWS pricing pages' month
#: Lambda (https://aws.amazon.com/lambda/pricing/, us-east-1, x86, no free tier).
LAMBDA_REQUEST_PRICE = ("per 1,000 requests", 0.0002,
                        "https://aws.amazon.com/lambda/pricing/ ($0.20 per million requests)")
LAMBDA_GB_SECOND_PRICE = ("per million GB-seconds", 16.6667,
                          "https://aws.amazon.com/lambda/pricing/ (x86, first 6 billion "
                          "GB-seconds a month)")
SECRETS_API_PRICE = ("per 10,000 API calls", 0.05,
                     "https://aws.amazon.com/secrets-manager/pricing/ ($0.05 per 10,000 "
                     "API calls)")
#: A function in a VPC uses Hyperplane ENIs, which Lambda does not bill.
LAMBDA_ENI_SOURCE = ("https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html "
                     "(Hyperplane ENIs, shared by functions with the same subnets and security "
                     "groups; https://aws.amazon.com/lambda/pricing/ bills no ENI)")
#: What the per-million column assumes where nothing was measured (the notebook passes
#: its measured figures): a warm proxy call of 100 ms, one cold start per 100 calls.
ASSUMED_LAMBDA_MS = 100.0
ASSUMED_COLD_SHARE = 0.01


def code_lines(source: str, leave_out=()) -> int:
    """Lines that hold code: not blank, not only a comment, not part of a docstring, and not
    in a top-level definition or assignment named in ``leave_out``."""
    tree = ast.parse(source)
    docstring_lines: set[int] = set()
    for node in tree.body:
        names = {getattr(node, "name", None)} | {
            getattr(target, "id", None) for target in getattr(node, "targets", [])}
        if names & set(leave_out):
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            docstring_lines.update(range(first, node.end_lineno + 1))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(
                    getattr(body[0], "value", None), ast.Constant) and isinstance(
                    body[0].value.value, str):
                docstring_lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines: set[int] = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENCODING, tokenize.ENDMARKER}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstring_lines)


def owned_code(root: Path | None = None) -> pd.DataFrame:
    """One row per file each path's owner writes: its kind, all its lines, its code lines
    (without what the path does not need, named in ``left_out``)."""
    root = Path(root or PROJECT_ROOT)
    rows = []
    for path, kinds in OWNED_FILES.items():
        for kind, files in kinds.items():
            for name, leave_out in files:
                text = (root / name).read_text()
                rows.append({"path": path, "kind": kind, "file": name,
                             "lines": len(text.splitlines()),
                             "code_lines": code_lines(text, leave_out),
                             "left_out": ", ".join(leave_out)})
    table = pd.DataFrame(rows, columns=["path", "kind", "file", "lines", "code_lines", "left_out"])
    table.attrs["caption"] = ("Code each path's owner writes and keeps (counted from the "
                              "files; code lines leave out blanks, comments and docstrings).")
    return table


def code_totals(table: pd.DataFrame | None = None) -> dict:
    """``{path: {"handler": code lines, "IaC": code lines, "total": ...}}``."""
    table = owned_code() if table is None else table
    totals = {}
    for path in PATHS:
        rows = table[table["path"] == path]
        by_kind = {kind: int(rows[rows["kind"] == kind]["code_lines"].sum())
                   for kind in ("handler", "IaC")}
        totals[path] = {**by_kind, "total": sum(by_kind.values())}
    return totals


def _price(prefix: str) -> tuple[str, float, str]:
    """``(unit, price, source)`` of the 00_setup cost table's row starting with ``prefix``."""
    for component, unit, price, source in PRICES:
        if component.startswith(prefix):
            return unit, price, source
    raise KeyError(prefix)


def cost_comparison(calls: int = 1_000_000, lambda_ms: float | None = None,
                    cold_share: float | None = None, memory_mb: int | None = None
                    ) -> pd.DataFrame:
    """What each path costs per month idle and per ``calls`` STANDARD executions (USD).

    Rows say which path they bill (``both``: the API, its endpoint and key, Step Functions
    and X-Ray, the same on either path). ``lambda_ms`` (billed duration of a warm call) and
    ``cold_share`` (the share of calls that start an execution environment, each reading
    the secret once) default to :data:`ASSUMED_LAMBDA_MS` and :data:`ASSUMED_COLD_SHARE`;
    the notebook passes its measured ones. List prices in us-east-1, no free tier.
    """
    lambda_ms = ASSUMED_LAMBDA_MS if lambda_ms is None else lambda_ms
    cold_share = ASSUMED_COLD_SHARE if cold_share is None else cold_share
    gigabytes = (memory_mb or PROXY_MEMORY_MB) / 1024
    per = f"usd_per_{calls}_calls"
    rows = []

    def row(path, component, unit, price, source, monthly=None, per_calls=None):
        rows.append({
            "path": path, "component": component, "unit": unit, "price_usd": price,
            "usd_per_month_idle": round(monthly, 4) if monthly is not None else "—",
            per: round(per_calls, 4) if per_calls is not None else NOT_PER_RUN,
            "source": source})

    unit, endpoint_hour, source = _price("Interface VPC endpoint")
    row("both", "execute-api interface endpoint, 2 AZs", unit, endpoint_hour, source,
        endpoint_hour * HOURS_PER_MONTH)
    unit, secret_hour, source = _price("Secrets Manager")
    row("both", "API key secret", "per month", round(secret_hour * HOURS_PER_MONTH, 2), source,
        secret_hour * HOURS_PER_MONTH)
    for prefix, factor in (("API Gateway REST API", 1), ("Step Functions STANDARD", 3),
                           ("X-Ray", 1)):
        unit, price, source = _price(prefix)
        # One task state per execution on either path: 3 state transitions (as in 00).
        row("both", prefix, unit, price, source, 0, price * factor * calls / 1000)
    unit, price, source = _price("VPC Lattice")
    rows.append({"path": "http_task", "component": "VPC Lattice data (resource gateway)",
                 "unit": unit, "price_usd": price, "usd_per_month_idle": 0,
                 per: PER_GB_ONLY, "source": source})
    row("lambda_proxy", "Secrets Manager interface endpoint, 2 AZs", "per hour", endpoint_hour,
        _price("Interface VPC endpoint")[2], endpoint_hour * HOURS_PER_MONTH)
    row("lambda_proxy", "Lambda Hyperplane ENIs (function in the VPC)", "per ENI", 0.0,
        LAMBDA_ENI_SOURCE, 0, 0)
    unit, price, source = LAMBDA_REQUEST_PRICE
    row("lambda_proxy", "Lambda requests", unit, price, source, 0, price * calls / 1000)
    unit, price, source = LAMBDA_GB_SECOND_PRICE
    row("lambda_proxy", f"Lambda duration ({gigabytes * 1024:.0f} MB x {lambda_ms:.0f} ms)",
        unit, price, source, 0, price / 1e6 * gigabytes * lambda_ms / 1000 * calls)
    unit, price, source = SECRETS_API_PRICE
    row("lambda_proxy", f"GetSecretValue per cold start ({cold_share:.1%} of calls)", unit,
        price, source, 0, price * cold_share * calls / 10_000)
    table = pd.DataFrame(rows)
    table.attrs["caption"] = (
        f"Monthly cost idle and per {calls:,} STANDARD executions, us-east-1 list prices; "
        "'both' rows are the same on either path.")
    return table


def cost_totals(table: pd.DataFrame) -> dict:
    """``{path: {"usd_per_month_idle": ..., "usd_per_<calls>_calls": ...}}``, shared rows in."""
    per = next(column for column in table.columns if column.startswith("usd_per_")
               and column.endswith("_calls"))
    totals = {}
    for path in PATHS:
        rows = table[table["path"].isin(("both", path))]
        totals[path] = {
            column: round(float(pd.to_numeric(rows[column], errors="coerce").fillna(0).sum()), 2)
            for column in ("usd_per_month_idle", per)}
    return totals


def figures_note() -> str:
    """Whose figures these are: the emulator's in the sandbox, AWS's in aws mode."""
    cfg = load_config()
    if cfg.is_sandbox:
        return ("These figures are the sandbox emulator's (processes on this machine), not "
                "AWS's: compare the shapes, then run the notebook in aws mode for real ones.")
    return f"Measured on AWS in {cfg.region}."


def comparison(executions: int = 8, idle_seconds: float | None = None,
               measure: bool = True) -> dict:
    """Everything ``compare-before-after --json`` prints: code, cost, latency, failures.

    ``measure=False`` leaves out what needs the deployed stacks (latency, failures).
    """
    cfg = load_config()
    code = owned_code()
    report = {"mode": cfg.mode, "region": cfg.region, "note": figures_note(),
              "code": {"files": code.to_dict("records"), "totals": code_totals(code)}}
    lambda_ms = cold_share = None
    if measure:
        from lab import before_after_runs as runs

        latency = runs.latency(n=executions, idle_seconds=idle_seconds)
        report["latency"] = _records(latency)
        lambda_ms, cold_share = runs.lambda_figures(latency)
        report["failures"] = _records(runs.failure_comparison())
    cost = cost_comparison(lambda_ms=lambda_ms, cold_share=cold_share)
    report["cost"] = {"rows": _records(cost), "totals": cost_totals(cost),
                      "assumed": {"lambda_ms": lambda_ms is None, "cold_share": cold_share is None}}
    return report


def _records(table: pd.DataFrame) -> list[dict]:
    """A table as JSON-ready rows (NaN as null)."""
    return [{key: (None if isinstance(value, float) and value != value else value)
             for key, value in row.items()} for row in table.to_dict("records")]


def summary_lines(report: dict) -> list[str]:
    """The comparison as a few lines for a terminal."""
    lines = [report["note"]]
    for path, totals in report["code"]["totals"].items():
        lines.append(f"code {path}: {totals['handler']} handler + {totals['IaC']} IaC lines")
    for path, totals in report["cost"]["totals"].items():
        lines.append(f"cost {path}: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    for row in report.get("latency", []):
        lines.append(f"latency {row['path']} {row['workflow']} {row['phase']} "
                     f"c={row['concurrency']}: p50 {row['p50_ms']} ms p90 {row['p90_ms']} ms")
    for row in report.get("failures", []):
        lines.append(f"failure {row['failure']} on {row['path']}: {row['status']} "
                     f"{row['error']}")
    return lines


def latency_medians(latency: pd.DataFrame) -> pd.DataFrame:
    """The latency table as a reader wants it first: the median (p50, ms) of each phase, one
    row per path, workflow, case and concurrency (the full table, with p90 and samples,
    stays in the variable :func:`lab.before_after_runs.latency` returned)."""
    keys = ["path", "workflow", "when", "concurrency"]
    wide = latency.pivot_table(index=keys, columns="phase", values="p50_ms", sort=False)
    wide = wide.reset_index()
    wide.columns.name = None
    caption = latency.attrs.get("caption", "Latency per phase (ms)")
    wide.attrs["caption"] = f"{caption} Median (p50) per phase; '—' where a path has no such phase."
    return wide.astype(object).where(wide.notna(), "—")


def plot_latency(latency: pd.DataFrame, workflow: str = "standard"):
    """Median latency per phase for both paths: warm at each concurrency, and after idle.

    One bar group per phase, one bar per (path, when); the sentence printed with it gives
    every bar's value (the plot's text alternative).
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from lab.results import _describe

    rows = latency[(latency["workflow"] == workflow) & latency["p50_ms"].notna()]
    phases = list(dict.fromkeys(rows["phase"]))
    series = list(dict.fromkeys(
        zip(rows["path"], rows["when"], rows["concurrency"], strict=True)))
    fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    width = 0.8 / max(1, len(series))
    said = []
    for index, (path, when, concurrency) in enumerate(series):
        label = f"{path}, {when}" + (f", concurrency {concurrency}" if when == "warm" else "")
        picked = rows[(rows["path"] == path) & (rows["when"] == when)
                      & (rows["concurrency"] == concurrency)].set_index("phase")["p50_ms"]
        values = [float(picked.get(phase, np.nan)) for phase in phases]
        ax.bar(np.arange(len(phases)) + index * width, values, width, label=label)
        said.append(f"{label}: " + ", ".join(
            f"{phase} {value:.0f} ms" for phase, value in zip(phases, values, strict=True)
            if value == value))
    ax.set_xticks(np.arange(len(phases)) + width * (len(series) - 1) / 2,
                  [phase.replace(" (", "\n(") for phase in phases], fontsize="small")
    ax.set_yscale("log")
    ax.set_ylabel("median latency (ms, log)")
    ax.grid(True, axis="y", alpha=0.3)
    fig.legend(loc="outside upper center", ncol=2, frameon=False, fontsize="small",
               title=f"Before (lambda_proxy) and after (http_task), {workflow.upper()}")
    _describe(fig, f"The plot: median latency per phase, one bar per path and case. "
                   f"{'; '.join(said)}.")
    return fig
