"""``python -m lab …``: the notebook steps, headless.

Every subcommand prints its result last and exits 0, or prints one line
``error: …`` naming the fix and exits 2. No tracebacks for learner mistakes.
"""

from __future__ import annotations

import argparse
import json
import sys

from lab.errors import LabError


def _positive_int(name: str, upper: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, got {text!r}")
        if not 1 <= value <= upper:
            raise argparse.ArgumentTypeError(f"{name} must be between 1 and {upper}, got {value}")
        return value

    return parse


def _cmd_synth(args) -> int:
    from lab.synth import synth

    print(synth(out_dir=args.out))
    return 0


def _cmd_deploy(args) -> int:
    from lab.deploy import deploy

    outputs = deploy()
    print(json.dumps(outputs, indent=2, sort_keys=True))
    return 0


def _cmd_destroy(args) -> int:
    from lab.deploy import destroy

    print(destroy())
    return 0


def _cmd_outputs(args) -> int:
    from lab.deploy import outputs

    values = outputs()
    if args.json:
        print(json.dumps(values, sort_keys=True))
    else:
        for key in sorted(values):
            print(f"{key:32} {values[key]}")
    return 0


def _cmd_sandbox(args) -> int:
    from lab import sandbox

    if args.action == "start":
        print(sandbox.start())
    elif args.action == "stop":
        print(sandbox.stop())
    else:
        print(sandbox.status_text())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lab",
        description="Private API Lab: the notebook steps, headless.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("synth", help="synthesize the CDK app; prints the template path last")
    p.add_argument("--out", default=None, help="directory for <stack>.template.json")
    p.set_defaults(func=_cmd_synth)

    p = sub.add_parser("deploy", help="create or update the stack; prints its outputs")
    p.set_defaults(func=_cmd_deploy)

    p = sub.add_parser("destroy", help="delete the stack and wait until it is gone")
    p.set_defaults(func=_cmd_destroy)

    p = sub.add_parser("outputs", help="print the stack's outputs")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=_cmd_outputs)

    p = sub.add_parser("sandbox", help="start, stop or inspect the local sandbox")
    p.add_argument("action", choices=("start", "stop", "status"))
    p.set_defaults(func=_cmd_sandbox)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; run the same command again to resume.", file=sys.stderr)
        return 130
