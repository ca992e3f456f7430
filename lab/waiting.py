"""How long the lab waits, and how often it looks, in each mode: one profile, one ``wait_for``.

AWS takes minutes where the sandbox takes milliseconds (a connection authorizes in
seconds to minutes, a stack builds in ten, an IAM change needs seconds to be seen),
so every client-side wait reads its pacing from :func:`profile` and loops through
:func:`wait_for`::

    pace = profile(cfg)
    wait_for(lambda: state() == "ACTIVE" or None, what="the connection to be ACTIVE",
             timeout_s=pace.resource_timeout_s, poll_s=pace.resource_poll_s, fix="...")

``LAB_WAIT_SCALE`` (a number in (0, 1], default 1) shrinks every aws-mode wait and
poll interval: a rehearsal of aws mode against the sandbox sets it so the aws-mode
waits still happen, only shorter. It never applies to the sandbox profile and never
makes a wait zero.

Written by hand because the waits need the lab's own stop flag (a Ctrl-C stops
them at once) and its error sentences; ``tenacity``'s retry loop would add a
dependency for the dozen lines below.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from lab.config import ModeBound
from lab.errors import LabError

T = TypeVar("T")

WAIT_SCALE_VARIABLE = "LAB_WAIT_SCALE"


@dataclass(frozen=True)
class ExecutionPacing:
    """How the harness watches one execution and backs off a throttled call."""

    poll_first_s: float  # first describe_execution after the start call
    poll_s: float  # then every poll_s, growing by poll_growth up to poll_max_s
    poll_growth: float
    poll_max_s: float
    timeout_s: float  # give up on one execution after this long
    retry_base_s: float  # throttle backoff: full jitter over base * 2**attempt
    retry_max_s: float
    max_attempts: int


@dataclass(frozen=True)
class ModeProfile(ModeBound):
    """Every client-side wait of one mode (sandbox or aws)."""

    #: A resource's state (connection, resource configuration): read this often...
    resource_poll_s: float
    #: ...for at most this long (a private connection can take minutes on AWS).
    resource_timeout_s: float
    #: After an IAM or state machine update: AWS is eventually consistent, the sandbox is not.
    settle_s: float
    #: CloudFormation stack events: read this often, for at most this long.
    stack_poll_s: float
    stack_timeout_s: float
    #: One execution run to its end (``lab.run_once``): poll interval and limit.
    execution: ExecutionPacing
    #: In-flight calls get this long to finish after a first Ctrl-C before they are abandoned.
    drain_s: float


#: The two profiles side by side, one row a setting: (sandbox, aws).
_PROFILES: dict[str, tuple] = {
    "resource_poll_s": (0.1, 5.0),
    "resource_timeout_s": (60.0, 900.0),
    "settle_s": (0.0, 10.0),
    "stack_poll_s": (0.2, 5.0),
    # aws: creating the stack takes minutes (the VPC endpoint and resource gateway are
    # slow); an hour means something is stuck.
    "stack_timeout_s": (600.0, 3600.0),
    "execution": (
        # 2 ms, 5 ms, then growing to one poll per 20 ms: most executions end within a few ms
        # of their start, and polling faster would compete with the interpreter for the CPU.
        ExecutionPacing(0.002, 0.005, 1.5, 0.02, 120.0, 0.05, 2.0, 8),
        # 1 s growing to 5 s; an HTTP Task that gets no answer fails after 60 s per attempt.
        ExecutionPacing(1.0, 1.0, 1.5, 5.0, 900.0, 0.5, 20.0, 8),
    ),
    "drain_s": (3.0, 5.0),
}

SANDBOX, AWS = (
    ModeProfile(mode=mode, **{name: values[column] for name, values in _PROFILES.items()})
    for column, mode in enumerate(("sandbox", "aws"))
)


def wait_scale(env=None) -> float:
    """``LAB_WAIT_SCALE`` as a number in (0, 1]; 1 when unset."""
    env = os.environ if env is None else env
    raw = env.get(WAIT_SCALE_VARIABLE, "").strip()
    if not raw:
        return 1.0
    try:
        scale = float(raw)
    except ValueError:
        scale = -1.0
    if not 0.0 < scale <= 1.0:
        raise LabError(
            f"{WAIT_SCALE_VARIABLE}={raw!r} is not a scale the lab takes; set a number "
            f"above 0 and at most 1 (e.g. {WAIT_SCALE_VARIABLE}=0.05), or unset it."
        )
    return scale


def _scaled(base: ModeProfile, scale: float) -> ModeProfile:
    e = base.execution
    return replace(
        base,
        resource_poll_s=base.resource_poll_s * scale,
        resource_timeout_s=base.resource_timeout_s * scale,
        settle_s=base.settle_s * scale,
        stack_poll_s=base.stack_poll_s * scale,
        execution=replace(
            e,
            poll_first_s=e.poll_first_s * scale,
            poll_s=e.poll_s * scale,
            poll_max_s=e.poll_max_s * scale,
            retry_base_s=e.retry_base_s * scale,
            retry_max_s=e.retry_max_s * scale,
        ),
    )


def profile(mode_or_cfg=None) -> ModeProfile:
    """The pacing for a mode (``"sandbox"``/``"aws"``) or a ``LabConfig``; default: the current."""
    if mode_or_cfg is None:
        from lab.config import load_config

        mode_or_cfg = load_config()
    mode = getattr(mode_or_cfg, "mode", mode_or_cfg)
    if mode == "sandbox":
        return SANDBOX
    scale = wait_scale()
    return AWS if scale == 1.0 else _scaled(AWS, scale)


class Stop:
    """A shared "stop now" flag with its reason; waits return as soon as it is set."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: str | None = None
        #: Set by a second Ctrl-C: stop waiting for in-flight work too.
        self.abandoned = False

    def set(self, reason: str) -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def abandon(self, reason: str = "interrupted twice") -> None:
        """Stop, and do not wait for what is still in flight either."""
        self.set(reason)
        self.abandoned = True

    def wait(self, seconds: float) -> bool:
        return self._event.wait(seconds)


class WaitTimedOut(LabError):
    """:func:`wait_for` gave up; ``checks`` says how often it looked."""

    def __init__(self, message: str, checks: int = 0):
        super().__init__(message)
        self.checks = checks


class WaitStopped(LabError):
    """:func:`wait_for` returned early because its :class:`Stop` was set."""

    def __init__(self, message: str, checks: int = 0):
        super().__init__(message)
        self.checks = checks


def wait_for(
    check: Callable[[], T | None],
    *,
    what: str,
    timeout_s: float,
    poll_s: float,
    fix: str = "run the same call again later",
    first_s: float | None = None,
    growth: float = 1.0,
    max_poll_s: float | None = None,
    stop: Stop | None = None,
    started: float | None = None,
    describe: Callable[[], str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``check()`` until it returns something other than None; return that.

    ``check`` raises to end the wait with an error (a state that will never become
    ready), returns None to keep waiting. It is called at once (or after ``first_s``),
    then every ``poll_s`` seconds, the interval growing by ``growth`` up to
    ``max_poll_s``. After ``timeout_s`` (counted from ``started``, default now) it
    raises :class:`WaitTimedOut`: "<what> did not happen within N s (<describe()>);
    <fix>" (``describe`` says what was seen last). A set ``stop`` ends the wait at
    once with :class:`WaitStopped`.
    """
    start = clock() if started is None else started
    deadline = start + timeout_s
    delay = first_s if first_s is not None else 0.0
    interval = poll_s
    checks = 0
    while True:
        if delay > 0:
            if stop is not None:
                if stop.wait(delay):
                    raise WaitStopped(f"stopped waiting for {what}: {stop.reason}", checks)
            else:
                sleep(delay)
        elif stop is not None and stop.is_set():
            raise WaitStopped(f"stopped waiting for {what}: {stop.reason}", checks)
        checks += 1
        last = check()
        if last is not None:
            return last
        if clock() >= deadline:
            seen = f" ({describe()})" if describe else ""
            raise WaitTimedOut(
                f"{what} did not happen within {timeout_s:.0f} s{seen}; {fix}.", checks
            )
        delay = interval
        interval = interval * growth
        if max_poll_s is not None:
            interval = min(max_poll_s, interval)


#: Connection states that never become ready by themselves.
CONNECTION_FAILED = ("FAILED_CONNECTIVITY", "DEAUTHORIZED")


def wait_for_connection(
    cfg,
    name: str,
    *,
    ready: str = "ACTIVE",
    timeout_s: float | None = None,
    failed_fix: str = "see notebook 04_connection_state, then redeploy with `python -m lab deploy`",
    timeout_fix: str = "run again later, or look at it in notebook 04_connection_state",
    stop: Stop | None = None,
) -> float:
    """Wait until EventBridge connection ``name`` is ``ready``; returns the seconds waited.

    ``ready`` is ACTIVE for a private connection, AUTHORIZED for a public one. A
    connection that fails (FAILED_CONNECTIVITY, DEAUTHORIZED) raises at once with
    its ``StateReason`` and ``failed_fix``; one still warming up after the mode's
    ``resource_timeout_s`` raises with ``timeout_fix``.
    """
    from lab.clients import client

    pace = profile(cfg)
    events = client("events", cfg)
    seen: dict = {}

    def check():
        described = events.describe_connection(Name=name)
        seen["state"] = state = described["ConnectionState"]
        if state == ready:
            return state
        if state in CONNECTION_FAILED:
            raise LabError(
                f"connection {name} is {state} "
                f"({described.get('StateReason', 'no reason given')}); {failed_fix}."
            )
        return None

    started = time.monotonic()
    wait_for(
        check,
        what=f"connection {name} to be {ready}",
        timeout_s=timeout_s or pace.resource_timeout_s,
        poll_s=pace.resource_poll_s,
        fix=timeout_fix,
        stop=stop,
        describe=lambda: f"still {seen.get('state')}",
    )
    return time.monotonic() - started
