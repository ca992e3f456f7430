"""The connection is re-authorized and used before it is ACTIVE again.

Expected: ``Events.ConnectionResource.AuthInProgress`` after the task's retries. AWS
decides how long re-authorizing takes, so on AWS the run may succeed instead.
"""

from __future__ import annotations

from cdk_app.names import Output
from lab.config import SANDBOX_CONNECTION_WARMUP_SECONDS
from lab.failures.scenario import Scenario, Undo
from lab.failures.stack import DeployedLab, set_api_key

#: In the sandbox the connection stays UPDATING/AUTHORIZING this long, well past the
#: task's retries (3 attempts, at most 1 + 2 + 4 s apart).
SANDBOX_NOT_ACTIVE_WARMUP_S = 120.0

def _break_connection_not_active(lab: DeployedLab, undo: Undo) -> None:
    if lab.is_sandbox:
        from lab import sandbox

        before = sandbox.configure()["connection_warmup_seconds"]
        undo.push("wait until the connection is ACTIVE again",
                  lambda: _restore_connection_active(lab, before))
        sandbox.configure(connection_warmup_seconds=SANDBOX_NOT_ACTIVE_WARMUP_S)
    else:
        undo.push("wait until the connection is ACTIVE again",
                  lambda: _restore_connection_active(lab, None))
    # Setting the same key again re-authorizes the connection: UPDATING -> AUTHORIZING -> ACTIVE.
    set_api_key(lab, lab.api_key_value())


def _restore_connection_active(lab: DeployedLab, sandbox_warmup: float | None) -> None:
    name = lab.outputs[Output.ConnectionName]
    if lab.is_sandbox:
        from lab import sandbox

        current = sandbox.configure()["connection_warmup_seconds"]
        if sandbox_warmup is None:  # repair_all: no record of the value before the break
            sandbox_warmup = (SANDBOX_CONNECTION_WARMUP_SECONDS
                              if current == SANDBOX_NOT_ACTIVE_WARMUP_S else current)
        sandbox.configure(connection_warmup_seconds=sandbox_warmup)
        if lab.connection()["ConnectionState"] != "ACTIVE":
            # The sandbox fixed the long warm-up when the break updated the connection;
            # updating it again starts a warm-up of the normal length.
            set_api_key(lab, lab.api_key_value())
    lab.wait_connection(name)


def _drift_connection_active(lab: DeployedLab) -> str | None:
    problems = []
    state = lab.connection()["ConnectionState"]
    if state != "ACTIVE":
        problems.append(f"the connection is {state}")
    if lab.is_sandbox:
        from lab import sandbox

        if sandbox.configure()["connection_warmup_seconds"] == SANDBOX_NOT_ACTIVE_WARMUP_S:
            problems.append("the sandbox's connection warm-up is still the failure lab's")
    return "; ".join(problems) or None


SCENARIO = Scenario(
    "connection_not_active",
    "the connection is re-authorized (UpdateConnection) and used before it is ACTIVE "
    "again; the sandbox stretches its warm-up",
    "Events.ConnectionResource.AuthInProgress",
    "wait until the connection is ACTIVE",
    "AWS re-authorizes in seconds to minutes: if it is ACTIVE within the task's retries "
    "(about 7 s), the run succeeds",
    _break_connection_not_active, _drift_connection_active,
    lambda lab: _restore_connection_active(lab, None),
    reproducible_on_aws=False,
)
