"""``python -m cdk_app [--out DIR]``: write the cloud assembly, print the template path.

The stack name comes from ``LAB_STACK_NAME`` (default PrivateApiLab); the
output directory from ``--out``, else ``CDK_OUTDIR`` (set by ``cdk synth``),
else ``cdk.out``.
"""

from __future__ import annotations

import argparse
import os
import sys

from cdk_app import DEFAULT_STACK_NAME, synthesize


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cdk_app", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        default=os.environ.get("CDK_OUTDIR") or "cdk.out",
        help="cloud assembly directory (default: $CDK_OUTDIR or cdk.out)",
    )
    parser.add_argument(
        "--variant",
        choices=("http_task", "lambda_proxy"),
        default=None,
        help='the stack to build: the lab\'s own (http_task, default) or the "before" stack '
        "(lambda_proxy, named <stack>-LambdaProxy); -c variant=... does the same in `cdk synth`",
    )
    args = parser.parse_args(argv)
    stack_name = os.environ.get("LAB_STACK_NAME", "").strip() or DEFAULT_STACK_NAME
    print(synthesize(stack_name, args.out, args.variant))
    return 0


if __name__ == "__main__":
    sys.exit(main())
