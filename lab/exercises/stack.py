"""An exercise stack: the lab's stack with one learner's piece in place, in the local sandbox.

:func:`try_piece` synthesizes the CDK app in this process (the learner's function is a
Python object, so it cannot travel to ``python -m cdk_app``), deploys the template into
the sandbox as a stack of its own (:data:`EXERCISE_STACK`, never the learner's lab
stack), runs one EXPRESS execution through it, reads what the check needs, and deletes
the stack again, whatever happened. Always the sandbox, in aws mode too: seconds, free.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lab.config import SANDBOX_REGION, LabConfig, load_config
from lab.errors import LabError

#: The exercise stack's name, one per kernel (two learners' kernels may share a sandbox); a
#: check deletes its stack before it answers.
EXERCISE_STACK = f"LabExercise-{os.getpid()}"
#: How long an execution through the exercise stack may take (retries included).
EXECUTION_TIMEOUT_S = 30.0


class LearnerError(Exception):
    """The learner's function raised, or returned what the stack cannot use."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAttempted(Exception):  # noqa: N818  (a state, not a failure)
    """The learner's function returned None: nothing written yet."""


@dataclass
class Trial:
    """What one check saw: the template, the deploy, the execution, the deployed values."""

    template: dict = field(default_factory=dict)
    deploy_error: str | None = None
    status: str | None = None
    error: str | None = None
    cause: str | None = None
    outputs: dict = field(default_factory=dict)
    seen: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


def sandbox_config(cfg: LabConfig | None = None) -> LabConfig:
    """The sandbox on the learner's port, with the exercise stack's name (any mode)."""
    cfg = cfg or load_config()
    return LabConfig(mode="sandbox", region=SANDBOX_REGION, stack_name=EXERCISE_STACK,
                     sandbox_port=cfg.sandbox_port)


def synthesize(pieces) -> dict:
    """The exercise stack's template with ``pieces`` (:class:`cdk_app.pieces.Pieces`)."""
    return synthesize_named(pieces, EXERCISE_STACK)


def synthesize_named(pieces, stack_name: str) -> dict:
    """The lab's template for ``stack_name`` with ``pieces``, synthesized in this process."""
    from cdk_app.app import build_app, check_assembly

    with tempfile.TemporaryDirectory(prefix="lab-exercise-") as outdir:
        app, _stack = build_app(stack_name, outdir, pieces=pieces)
        with contextlib.redirect_stderr(io.StringIO()):
            path = check_assembly(app.synth(), stack_name)
        return json.loads(path.read_text())


def _first_failure_reason(cfn, stack_name: str) -> str:
    """The first CREATE_FAILED reason CloudFormation recorded (the cause, not the cascade)."""
    try:
        events = cfn.describe_stack_events(StackName=stack_name)["StackEvents"]
    except Exception:  # the stack may be gone already
        return ""
    failed = [e for e in reversed(events) if e.get("ResourceStatus", "").endswith("_FAILED")
              and e.get("LogicalResourceId") != stack_name]
    if not failed:
        return ""
    first = failed[0]
    reason = first.get("ResourceStatusReason", "")
    return f"{first['LogicalResourceId']} ({first['ResourceType']}): {reason}"


def _deploy_reason(message: str) -> str:
    """CloudFormation's reason without the lab stack's advice (this stack is the kit's own)."""
    message = re.sub(r"^Creating stack \S+ failed at ", "", message)
    return re.sub(r";? ?the stack was rolled back.*$", "", message, flags=re.S).rstrip(". ") + "."


def try_piece(
    pieces,
    *,
    inspect: Callable[[Callable[[str], Any], dict], dict] | None = None,
    before_run: Callable[[Callable[[str], Any], dict], None] | None = None,
    wait_for_connection: bool = True,
    run: Callable[[Callable[[str], Any], Trial], None] | None = None,
    cfg: LabConfig | None = None,
) -> Trial:
    """Synthesize, deploy, run one execution, read, delete; returns the :class:`Trial`.

    ``inspect(client, outputs)`` reads what the check needs from the deployed stack;
    ``before_run`` may change the sandbox just before the execution starts.
    Raises :class:`LearnerError` / :class:`NotAttempted` from the learner's function.
    """
    from lab.clients import client as make_client
    from lab.deployment import StackDeployer
    from lab.sandbox import ensure_running

    started = time.monotonic()
    trial = Trial(template=synthesize(pieces))
    cfg = sandbox_config(cfg)
    ensure_running()

    def client(service: str):
        return make_client(service, cfg)

    deployer = StackDeployer(cfg, template=lambda: trial.template, out=io.StringIO(),
                             progress_bar=False)
    try:
        _remove_leftover(deployer)
        try:
            trial.outputs = deployer.deploy()
        except LabError as exc:
            reason = _first_failure_reason(client("cloudformation"), cfg.stack_name)
            trial.deploy_error = reason or _deploy_reason(str(exc))
            return trial
        if wait_for_connection:
            _wait_connection(client, trial.outputs)
        if before_run:
            before_run(client, trial.outputs)
        (run or run_execution)(client, trial)
        if inspect:
            trial.seen = inspect(client, trial.outputs)
    finally:
        with contextlib.suppress(Exception):
            deployer.destroy()
        trial.seconds = time.monotonic() - started
    return trial


def _remove_leftover(deployer) -> None:
    """A check interrupted before its cleanup leaves the stack: delete it first."""
    if deployer.describe() is not None:
        deployer.destroy()


def _wait_connection(client, outputs: dict, timeout_s: float = 15.0) -> None:
    from cdk_app.names import Output

    events = client("events")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = events.describe_connection(Name=outputs[Output.ConnectionName])["ConnectionState"]
        if state in ("ACTIVE", "FAILED_CONNECTIVITY", "AUTHORIZED", "DEAUTHORIZED"):
            return
        time.sleep(0.1)


def run_execution(client, trial: Trial) -> None:
    """One EXPRESS execution (StartSyncExecution answers when it has finished)."""
    from cdk_app.names import Output

    sfn = client("stepfunctions")
    out = sfn.start_sync_execution(
        stateMachineArn=trial.outputs[Output.ExpressStateMachineArn],
        name=f"lab-exercise-{int(time.time() * 1000)}",
        input="{}",
    )
    trial.status = out.get("status")
    trial.error = out.get("error")
    trial.cause = out.get("cause")


def run_event(client, trial: Trial, timeout_s: float = 10.0) -> None:
    """One lab event on the bus: delivered to ``POST /events``, or dead-lettered (why)."""
    from cdk_app.event_delivery import EVENT_DETAIL_TYPE, EVENT_SOURCE
    from cdk_app.names import Output
    from lab.sandbox import request_log

    run_id = f"lab-exercise-{int(time.time() * 1000)}"
    client("events").put_events(Entries=[{
        "Source": EVENT_SOURCE, "DetailType": EVENT_DETAIL_TYPE,
        "EventBusName": trial.outputs[Output.EventBusName],
        "Detail": json.dumps({"runId": run_id}),
    }])
    sqs = client("sqs")
    queue = trial.outputs[Output.EventDeadLetterQueueUrl]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(run_id in str(entry.get("body") or "") for entry in request_log(limit=20)):
            trial.status = "SUCCEEDED"
            return
        messages = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"],
                                       MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            if run_id in message.get("Body", ""):
                attributes = message.get("MessageAttributes", {})
                trial.status = "FAILED"
                trial.error = attributes.get("ERROR_CODE", {}).get("StringValue", "")
                trial.cause = attributes.get("ERROR_MESSAGE", {}).get("StringValue", "")
                trial.seen["dead_lettered"] = True
                return
        time.sleep(0.1)
    trial.status = "FAILED"
    trial.error = "TIMEOUT"
    trial.cause = (f"the event was neither delivered nor dead-lettered within {timeout_s:g} s "
                   "(EventBridge is still retrying it)")


def replace_piece(pieces, name: str, function: Callable) -> Any:
    """``pieces`` with field ``name`` replaced by ``function``."""
    return dataclasses.replace(pieces, **{name: function})
