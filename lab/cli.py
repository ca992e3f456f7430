"""``python -m lab …``: the notebook steps, headless.

Every subcommand prints its result last and exits 0, or prints one line
``error: …`` naming the fix and exits 2 (a usage mistake too). No tracebacks
for learner mistakes; an untranslated AWS error is one line and exit 1
(``LAB_DEBUG=1`` shows its traceback).

A subcommand is a ``_cmd_<name>(args) -> int`` function plus a block in
:func:`build_parser` that adds its parser and ``set_defaults(func=...)``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from lab.errors import LabError

#: ``lab events send --break`` choices: lab.event_delivery.BREAKS (not imported here: pandas).
EVENT_BREAKS = ("wrong_api_key", "gateway_sg_no_egress")
#: ``lab run/soak --workflow`` choices: two of cdk_app.names.WORKFLOW_OUTPUTS, or both (not
#: imported here: importing cdk_app asks node its version, ~23 ms on every CLI start).
RUN_WORKFLOWS = ("standard", "express", "both")


def _positive_int(name: str, upper: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number, got {text!r}"
            ) from None
        if not 1 <= value <= upper:
            raise argparse.ArgumentTypeError(f"{name} must be between 1 and {upper}, got {value}")
        return value

    return parse


def _cmd_synth(args) -> int:
    from lab.synthesis import synth

    print(synth(out_dir=args.out))
    return 0


def _cmd_deploy(args) -> int:
    from lab.deployment import ensure_deployed
    from lab.lambda_proxy import ensure_proxy_deployed
    from lab.variants import deploy

    if args.if_changed:
        outputs = ensure_proxy_deployed() if args.variant == "lambda_proxy" else ensure_deployed()
    else:
        outputs = deploy(variant=args.variant)
    print(json.dumps(outputs, indent=2, sort_keys=True))
    return 0


def _cmd_destroy(args) -> int:
    from lab.variants import destroy

    print(destroy(variant=args.variant))
    return 0


def _cmd_compare(args) -> int:
    import contextlib

    from lab.before_after import comparison

    # Deploy progress goes to stderr, so stdout is the report alone.
    with contextlib.redirect_stdout(sys.stderr):
        report = comparison(executions=args.n, idle_seconds=args.idle_seconds)
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
    else:
        from lab.before_after import summary_lines

        print("\n".join(summary_lines(report)))
    return 0


def _cmd_outputs(args) -> int:
    from lab.deployment import outputs

    values = outputs()
    if args.json:
        print(json.dumps(values, sort_keys=True))
    else:
        for key in sorted(values):
            print(f"{key:32} {values[key]}")
    return 0


def _cmd_preflight(args) -> int:
    """Exit 0 when nothing blocks a deploy, 1 when a check failed."""
    from lab import preflight

    rows = preflight.run_checks()
    print(preflight.as_json(rows) if args.json else preflight.render(rows))
    return 1 if any(row.status == "fail" for row in rows) else 0


def _cmd_sandbox(args) -> int:
    from lab import sandbox

    if args.action == "start":
        print(sandbox.start())
    elif args.action == "stop":
        print(sandbox.stop())
    else:
        print(sandbox.status_text())
    return 0


def _json_line(payload: dict) -> str:
    """One line of strict JSON (NaN becomes null) for the last line of stdout."""
    import math

    def clean(value):
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return json.dumps(clean(payload), sort_keys=True, default=str)


def _interrupted_line(records, path) -> str:
    """``interrupted: k of n executions ran (…); results: <path>``: the one line of a Ctrl-C."""
    statuses = [getattr(r, "status", r) for r in records]
    not_started = sum(1 for s in statuses if s == "NOT_STARTED")
    unobserved = sum(1 for s in statuses if s == "UNKNOWN")
    ran = len(statuses) - not_started - unobserved
    return (f"interrupted: {ran} of {len(statuses)} executions ran, {unobserved} were in flight, "
            f"{not_started} not started (each row says why); results: {path}")


def _cmd_run(args) -> int:
    from lab import harness, results
    from lab.interrupts import EXIT_INTERRUPTED, StopOnSignal

    checkpoints = results.Checkpoints(args.out)  # a bad results location fails now, not at the end
    stop = harness.RunStop()
    with StopOnSignal(stop) as signals:
        df = harness.run(
            args.workflow, n=args.n, concurrency=args.concurrency,
            progress=not args.no_progress, stop=stop, checkpoints=checkpoints,
        )
        meta = df.attrs.get("lab_meta", {})
        path = results.save(df, path=checkpoints.path_for(meta["run_id"]))
    if signals.interrupted:
        print(_interrupted_line(list(df["status"]), path), file=sys.stderr)
        return EXIT_INTERRUPTED
    table = results.summary(df)
    print(table.to_string(index=False))
    if meta.get("stopped"):
        print(f"stopped: {meta['stopped']}")
    print(f"results: {path}")
    if args.json:
        print(
            _json_line(
                {
                    "summary": table.to_dict(orient="records"),
                    "results": str(path),
                    "run_id": meta.get("run_id"),
                    "mode": meta.get("mode"),
                    "stopped": meta.get("stopped"),
                }
            )
        )
    return 1 if meta.get("stopped") else 0


def _cmd_bench(args) -> int:
    if args.exercises:
        from lab.exercises.bench import bench_exercises, format_rows

        rows = bench_exercises(n=args.exercise_checks)
        print(format_rows(rows))
        if args.json:
            print(_json_line({"exercises": rows}))
        return 0
    from lab.bench import bench, format_table

    report = bench(n=args.n, progress=not args.no_progress)
    print(format_table(report))
    if args.json:
        print(_json_line(report))
    return 0


def _cmd_progress(args) -> int:
    from lab.exercises import progress_rows

    rows = progress_rows()
    if args.json:
        from lab.exercises import state

        mysteries = state.load().get("_mysteries", {})
        print(_json_line({"exercises": rows, "mysteries": {
            "drawn": int(mysteries.get("drawn", 0)), "solved": mysteries.get("solved", [])}}))
        return 0
    import pandas as pd

    print(pd.DataFrame(rows).set_index("exercise").drop(columns=["checked_at"]).to_string())
    return 0


def _cmd_soak(args) -> int:
    from lab import harness
    from lab.interrupts import EXIT_INTERRUPTED, StopOnSignal
    from lab.soak import format_report, soak

    stop = harness.RunStop()
    with StopOnSignal(stop) as signals:
        report = soak(
            n=args.n,
            concurrency=args.concurrency,
            workflow=args.workflow,
            progress=not args.no_progress,
            stop=stop,
        )
    if signals.interrupted:
        print(f"interrupted: {report['terminal']} of {report['requested']} executions ran, "
              f"{report['lost']} were in flight, {report['errors']} not started (each row says "
              f"why); results: {report.get('results')}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(format_report(report))
    if args.json:
        print(_json_line(report))
    return 0 if report["clean"] else 1


def _cmd_events(args) -> int:
    from lab.deployment import ensure_deployed
    from lab.event_delivery import send_and_account

    ensure_deployed()
    try:
        report = send_and_account(
            n=args.n, concurrency=args.concurrency, timeout_s=args.timeout,
            break_link=args.break_link, keep_dead_letters=args.keep_dead_letters,
        )
    except KeyboardInterrupt:
        repaired = f"; {args.break_link} was repaired" if args.break_link else ""
        print(f"error: interrupted before every event was accounted for{repaired}; events "
              "already put are still delivered or dead-lettered.", file=sys.stderr)
        return 130
    keys = ["sent", "delivered", "dead_lettered", "lost", "duplicated", "p50_ms", "p99_ms",
            "wall_s"]
    for key in keys + (["broken"] if args.break_link else []):
        print(f"{key:14} {report[key]}")
    if args.json:
        print(_json_line(report))
    return 0 if report["lost"] == 0 else 1


def _cmd_walkthrough(args) -> int:
    from lab import notebooks

    notebooks.run_all(in_place=args.in_place)
    notebooks.print_latency_summary()
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one ``error: …`` line (exit 2), like a LabError."""

    def error(self, message: str):
        self.exit(2, f"error: {message}; see `{self.prog} --help`.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m lab",
        description="Private API Lab: the notebook steps, headless.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("synth", help="synthesize the CDK app; prints the template path last")
    p.add_argument("--out", default=None, help="directory for <stack>.template.json")
    p.set_defaults(func=_cmd_synth, tables=False)

    p = sub.add_parser("deploy", help="create or update the stack; prints its outputs")
    p.add_argument(
        "--if-changed",
        action="store_true",
        help="do nothing if the stack already runs the current template (lab.ensure_deployed)",
    )
    p.add_argument(
        "--variant", choices=("http_task", "lambda_proxy"), default="http_task",
        help='the lab\'s stack (http_task, default) or the "before" stack beside it '
        "(lambda_proxy: <stack>-LambdaProxy, a Lambda proxy in the VPC on the same API)",
    )
    p.set_defaults(func=_cmd_deploy)

    p = sub.add_parser(
        "preflight",
        help="check everything knowable before deploying, one row each with its fix "
        "(exit 1 if something blocks)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=_cmd_preflight)

    p = sub.add_parser("destroy", help="delete the stacks and wait until they are gone")
    p.add_argument(
        "--variant", choices=("http_task", "lambda_proxy"), default=None,
        help="delete only this one (default: both, the lambda_proxy stack first)",
    )
    p.set_defaults(func=_cmd_destroy)

    p = sub.add_parser(
        "compare-before-after",
        help='the Lambda proxy ("before") beside the HTTP Task: code, cost, latency, failures',
    )
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("-n", type=_positive_int("n", 1000), default=8,
                   help="executions per path and concurrency (default 8)")
    p.add_argument("--idle-seconds", type=float, default=None,
                   help="idle time before the cold start is measured (default: the mode's)")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("outputs", help="print the stack's outputs")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=_cmd_outputs, tables=False)

    p = sub.add_parser("sandbox", help="start, stop or inspect the local sandbox")
    p.add_argument("action", choices=("start", "stop", "status"))
    p.set_defaults(func=_cmd_sandbox, tables=False)

    p = sub.add_parser("run", help="run executions and time them; prints a latency summary")
    p.add_argument("--workflow", choices=RUN_WORKFLOWS, default="standard")
    p.add_argument(
        "-n", type=_positive_int("n", 100_000), default=100, help="executions per workflow"
    )
    p.add_argument(
        "--concurrency",
        type=_positive_int("concurrency", 64),
        default=4,
        help="executions in flight at once",
    )
    p.add_argument("--out", default=None, help="results CSV path (default results/<run id>.csv)")
    p.add_argument("--json", action="store_true", help="also print one JSON line last")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "bench",
        help="sandbox benchmark: HTTP floor vs EXPRESS, STANDARD, JSONata, API destination",
    )
    p.add_argument("-n", type=_positive_int("n", 100_000), default=200, help="calls per cell")
    p.add_argument("--exercises", action="store_true",
                   help="instead: time each build exercise's check (notebook 08), median and max")
    p.add_argument("--exercise-checks", type=_positive_int("exercise-checks", 100), default=5,
                   help="with --exercises: checks per exercise")
    p.add_argument("--json", action="store_true", help="also print one JSON line last")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("progress", help="the build exercises (notebook 08): each one's state")
    p.add_argument("--json", action="store_true", help="one JSON line (for a facilitator)")
    p.set_defaults(func=_cmd_progress)

    p = sub.add_parser("soak", help="run many executions and account for every one")
    p.add_argument("-n", type=_positive_int("n", 100_000), default=1000, help="executions")
    p.add_argument("--concurrency", type=_positive_int("concurrency", 64), default=16)
    p.add_argument("--workflow", choices=RUN_WORKFLOWS, default="standard")
    p.add_argument("--json", action="store_true", help="also print one JSON line last")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_soak)

    p = sub.add_parser("events", help="EventBridge API destination: send events, account for each")
    events_sub = p.add_subparsers(dest="events_action", required=True, metavar="ACTION")
    q = events_sub.add_parser(
        "send", help="put N events, wait until each was received or dead-lettered (bounded)"
    )
    q.add_argument("-n", type=_positive_int("n", 100_000), default=100, help="events to put")
    q.add_argument("--concurrency", type=_positive_int("concurrency", 64), default=4,
                   help="PutEvents calls in flight at once (10 events each)")
    q.add_argument("--timeout", type=_positive_int("timeout", 3600), default=None,
                   help="seconds to wait for the last event (default 120 sandbox, 600 aws)")
    q.add_argument("--break", dest="break_link", choices=EVENT_BREAKS, default=None,
                   help="break this link of the path for the run, repair it after (also on "
                   "Ctrl-C): every event should be dead-lettered, none lost")
    q.add_argument("--keep-dead-letters", action="store_true",
                   help="with --break: leave the run's dead letters in the queue (default: "
                   "deleted once counted)")
    q.add_argument("--json", action="store_true", help="also print one JSON line last")
    q.set_defaults(func=_cmd_events)

    p = sub.add_parser(
        "walkthrough",
        help="run every notebook headless against a fresh sandbox; prints the latency table last",
    )
    p.add_argument("--in-place", action="store_true",
                   help="write outputs back into notebooks/ (how committed outputs are made)")
    p.set_defaults(func=_cmd_walkthrough)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "tables", True):  # commands that print no table skip importing pandas
        from lab.display import pandas_options

        pandas_options()
    try:
        code = args.func(args)
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was running yet, so nothing was saved.",
              file=sys.stderr)
        return 130
    except Exception as exc:
        # An AWS or sandbox answer the lab does not translate: still one line,
        # unless LAB_DEBUG asks for the traceback.
        if not _is_aws_error(exc) or os.environ.get("LAB_DEBUG"):
            raise
        print(f"error: {exc}; run again with LAB_DEBUG=1 for the full traceback.", file=sys.stderr)
        return 1
    _exit_now_if_calls_linger(code)
    return code


def _exit_now_if_calls_linger(code: int) -> None:
    """After an interrupt, exit now: everything is saved, and calls abandoned in flight
    (or the interpreter's slow teardown of a large run) must not hold the process open."""
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _is_aws_error(exc: Exception) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    return isinstance(exc, BotoCoreError | ClientError | ResponseParserError)
