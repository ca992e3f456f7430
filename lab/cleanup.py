"""Notebook 99: prove nothing the lab created is left, then stop the sandbox."""

from __future__ import annotations

import pandas as pd

from lab.clients import client
from lab.config import load_config

COLUMNS = ["service", "resource"]


def _aws_leftovers(stack_name: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    cfn = client("cloudformation")
    try:
        stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
        if stack["StackStatus"] != "DELETE_COMPLETE":
            found.append(("cloudformation", f"{stack_name} ({stack['StackStatus']})"))
    except cfn.exceptions.ClientError as exc:
        if "does not exist" not in str(exc):
            raise
    # Anything CloudFormation created carries its stack-name tag, even if the
    # stack lost track of it (e.g. a resource that failed to delete).
    tagging = client("resourcegroupstaggingapi")
    pages = tagging.get_paginator("get_resources").paginate(
        TagFilters=[{"Key": "aws:cloudformation:stack-name", "Values": [stack_name]}]
    )
    for page in pages:
        for item in page["ResourceTagMappingList"]:
            arn = item["ResourceARN"]
            found.append((arn.split(":")[2], arn.split(":", 5)[-1]))
    return found


def leftovers() -> pd.DataFrame:
    """Everything of the lab's that still exists: one row per resource, empty when clean.

    The sandbox enumerates every backend the stack touches (EC2, API Gateway,
    Secrets Manager, VPC Lattice, EventBridge, Step Functions, IAM, Logs); in
    aws mode the lab looks for the stack and for anything tagged with its name.
    """
    cfg = load_config()
    if cfg.is_sandbox:
        from lab import sandbox

        if not sandbox.status().get("running"):
            return _described(pd.DataFrame(columns=COLUMNS), cfg, "the sandbox is not running")
        found = sandbox.leftovers()
        rows = [(service, name) for service, names in sorted(found.items()) for name in names]
    else:
        rows = _aws_leftovers(cfg.stack_name)
    return _described(pd.DataFrame(rows, columns=COLUMNS), cfg)


def _described(table: pd.DataFrame, cfg, why: str = "") -> pd.DataFrame:
    """The table with the sentence a notebook shows for it (lab.display): empty says clean."""
    where = ("in the sandbox" + (f" ({why})" if why else "") if cfg.is_sandbox
             else f"in {cfg.region} (the stack, and anything tagged with its name)")
    table.attrs["empty"] = f"Nothing of the lab's stack {cfg.stack_name} is left {where}."
    if not table.empty:
        table.attrs["caption"] = (f"{len(table)} resource(s) of the lab's stack "
                                  f"{cfg.stack_name} still exist {where}.")
    return table


def stop_sandbox() -> str:
    """Stop the sandbox process (a no-op in aws mode, or when it is not running)."""
    if not load_config().is_sandbox:
        return "aws mode: no sandbox to stop"
    from lab import sandbox

    return sandbox.stop()
