"""aws mode: wait until a call through the private connection actually gets an HTTP answer.

A private connection can be ACTIVE and still fail calls for "up to several minutes"
(EventBridge User Guide, eb-target-connection-states.html: the connection is ACTIVE
meanwhile; Step Functions' advice is a retry on the HTTP timeouts). The state machines
retry only the connection's own errors, for seconds, so a notebook that runs right after
a deploy would report the warm-up as the path's result. :func:`ensure_path_ready` runs a
probe (one EXPRESS execution, StartSyncExecution) until one gets an HTTP answer (any status:
the request crossed the connection; :func:`judge`), bounded by the
mode's resource timeout, printing why it waits; once a connection (by its creation time)
has carried a call it is not probed again in this process, whatever a failure lab changes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from cdk_app.names import WORKFLOW_OUTPUTS, Output
from lab.config import LabConfig, load_config
from lab.errors import LabError

#: Connections (region, name, CreationTime) that have carried a call.
_PROVEN: set[tuple[str, str, str]] = set()


def _express_probe(cfg: LabConfig, outputs: dict) -> Callable[[], tuple[bool, str]]:
    from lab.clients import client

    sfn = client("stepfunctions", cfg)
    arn = outputs[WORKFLOW_OUTPUTS["express"]]

    def probe() -> tuple[bool, str]:
        try:
            answer = sfn.start_sync_execution(
                stateMachineArn=arn, name=f"lab-warmup-{uuid.uuid4().hex[:12]}", input="{}")
        except (ClientError, BotoCoreError) as exc:
            return False, f"{type(exc).__name__}: {exc}"
        return judge(answer)

    return probe


def judge(answer: dict) -> tuple[bool, str]:
    """Did one probe show the path carrying calls? An HTTP answer of any status did: the
    request crossed the connection and reached the API (a failure lab may be holding a wrong
    key, 403); only no answer (``States.Http.Socket``) or a connection error says not yet."""
    error = answer.get("error") or ""
    if answer.get("status") == "SUCCEEDED" or error.startswith("States.Http.StatusCode."):
        return True, f"{answer.get('status')} {error}".strip()
    return False, f"{answer.get('status')} {error}".strip()


def ensure_path_ready(
    cfg: LabConfig | None = None,
    outputs: dict | None = None,
    *,
    probe: Callable[[], tuple[bool, str]] | None = None,
    key: tuple[str, str, str] | None = None,
    timeout_s: float | None = None,
    poll_s: float | None = None,
    say: Callable[..., None] = print,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """aws mode: probe the path until one call is answered (:func:`judge`); returns the probes.

    Returns 0 in the sandbox (its warm-up ends at ACTIVE unless a setting says otherwise,
    and the harness waits for that) and for a connection already proven in this process.
    Raises :class:`LabError` naming the last failure when nothing succeeded in
    ``timeout_s`` (default: the mode's resource timeout, 15 minutes on AWS).
    """
    from lab.waiting import profile

    cfg = cfg or load_config()
    if cfg.is_sandbox and probe is None:
        return 0
    pace = profile(cfg)
    if outputs is None and (probe is None or key is None):  # callers pass the deployed outputs
        raise ValueError("ensure_path_ready needs the stack's outputs (lab.deployment.outputs())")
    if key is None:
        from lab.clients import client

        name = outputs[Output.ConnectionName]
        described = client("events", cfg).describe_connection(Name=name)
        # AWS documents the delay after a private connection is *created*; an update (a failure
        # lab's new key, its repair) does not re-establish it, so it is not probed again.
        key = (cfg.region, name, str(described.get("CreationTime")))
    if key in _PROVEN:
        return 0
    probe = probe or _express_probe(cfg, outputs)
    timeout_s = pace.resource_timeout_s if timeout_s is None else timeout_s
    poll_s = pace.resource_poll_s if poll_s is None else poll_s
    started = clock()
    probes, said_at, said = 0, None, None
    while True:
        probes += 1
        ok, seen = probe()
        if ok:
            _PROVEN.add(key)
            if probes > 1:
                say(f"the private connection carries calls now (after {probes} probes, "
                    f"{clock() - started:.0f} s)", flush=True)
            return probes
        waited = clock() - started
        if waited >= timeout_s:
            raise LabError(
                f"no call through the private connection succeeded within {timeout_s:.0f} s "
                f"(last: {seen}); look at it with lab.connection() and one execution with "
                "lab.run_once(), or redeploy with `python -m lab deploy`.")
        # Say why at the first failure, when the reason changes, and every six polls.
        if said_at is None or seen != said or clock() - said_at >= 6 * poll_s:
            say(f"waiting for the private connection to carry calls: probe {probes} ended "
                f"{seen} after {waited:.0f} s; a new private connection can take several "
                f"minutes after ACTIVE (trying for up to {timeout_s:.0f} s)", flush=True)
            said_at, said = clock(), seen
        sleep(poll_s)
