"""Execution environments: worker processes per function, cold starts, reuse, concurrency.

An :class:`Instance` is one execution environment: a worker process
(:mod:`lab.sandbox.lambda_.worker`) with its own code directory and ``/tmp``, that imported
the handler once (INIT) and then serves one invoke at a time. A :class:`FunctionInstances`
keeps a function's instances: an invoke takes an idle one (warm) or starts another (cold)
while fewer than the function's concurrency limit run; beyond it the invoke is throttled
(:class:`Throttled`). Instances idle longer than the ``lambda_idle_seconds`` setting are
stopped; :func:`shutdown` stops every instance (sandbox stop, reset, interpreter exit).

What an invoke printed is returned with its result (:class:`Outcome`); writing it to
CloudWatch Logs is :mod:`lab.sandbox.lambda_.invoke`'s.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab.sandbox.settings import get_setting

WORKER = Path(__file__).with_name("worker.py")
MARK = b"\x1e"
#: How long an instance may take to import its handler before it counts as failed.
INIT_TIMEOUT_S = 10.0  # AWS: the INIT phase may take 10 s (lambda-runtime-environment.html)


class Throttled(Exception):
    """No instance free and the concurrency limit reached (HTTP 429 on AWS)."""

    def __init__(self, reason: str, limit: int):
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


@dataclass
class Outcome:
    """What one invoke did: a payload or an error, the lines printed, the figures."""

    request_id: str
    payload: str | None = None
    error: dict[str, Any] | None = None
    timed_out: bool = False
    lines: list[str] = field(default_factory=list)
    init_lines: list[str] = field(default_factory=list)
    init_ms: float | None = None  #: set on a cold start only
    duration_ms: float = 0.0
    max_memory_mb: int = 0
    log_stream: str = ""


class _Output:
    """Reads a worker's stdout in a thread; hands out each phase's text at its marker."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self._buffer = b""
        self._phases: dict[str, bytes] = {}
        self._cond = threading.Condition()
        self.closed = False
        threading.Thread(target=self._read, daemon=True, name="lambda-worker-output").start()

    def _read(self) -> None:
        fd = self._stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self.closed = True
                    self._cond.notify_all()
                    return
                self._buffer += chunk
                while True:
                    start = self._buffer.find(MARK)
                    end = self._buffer.find(MARK, start + 1) if start >= 0 else -1
                    if end < 0:
                        break
                    phase = self._buffer[start + 1 : end].decode(errors="replace")
                    self._phases[phase] = self._buffer[:start]
                    self._buffer = self._buffer[end + 1 :]
                self._cond.notify_all()

    def phase(self, name: str, timeout: float = 2.0) -> list[str]:
        """The lines printed in phase ``name`` (waits for its marker, or for the end)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while name not in self._phases and not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            text = self._phases.pop(name, None)
            if text is None:  # the worker died (or was killed) mid-phase
                text, self._buffer = self._buffer, b""
        return text.decode(errors="replace").splitlines()


class Instance:
    """One execution environment (a worker process), cold until :meth:`start` returns."""

    def __init__(self, function: Any, environment: dict[str, str], stream: str) -> None:
        self.function_name = function.function_name
        self.root = Path(tempfile.mkdtemp(prefix=f"lab-lambda-{self.function_name[:40]}-"))
        self.task_root = self.root / "task"
        self.tmp = self.root / "tmp"
        self.tmp.mkdir()
        with zipfile.ZipFile(io.BytesIO(function.code_bytes)) as archive:
            archive.extractall(self.task_root)
        self.log_stream = stream
        self.busy = True
        self.last_used = time.monotonic()
        self.invokes = 0
        env = dict(environment)
        env.update(
            LAMBDA_TASK_ROOT=str(self.task_root),
            TMPDIR=str(self.tmp),
            AWS_LAMBDA_LOG_STREAM_NAME=stream,
            PYTHONPATH=str(self.task_root),
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONUNBUFFERED="1",
            # Not the learner's ~/.aws files: the handler's boto3 reads only its environment.
            HOME=str(self.tmp),
            AWS_CONFIG_FILE=str(self.root / "no-aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(self.root / "no-aws-credentials"),
        )
        read_fd, write_fd = os.pipe()
        self._spawned = time.monotonic()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-u", str(WORKER), str(write_fd)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                cwd=self.task_root,
                env=env,
                start_new_session=True,  # its own process group: a timeout kills it whole
            )
        finally:
            os.close(write_fd)
        self._control = os.fdopen(read_fd, "rb")
        self._pending = b""
        self.output = _Output(self.process.stdout)

    @property
    def pid(self) -> int:
        return self.process.pid

    def _message(self, timeout: float) -> dict[str, Any] | None:
        """The worker's next answer, or None when ``timeout`` passes (or it dies)."""
        deadline = time.monotonic() + timeout
        fd = self._control.fileno()
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return json.loads(line)

    def start(self) -> tuple[float, list[str], dict[str, Any] | None, str | None]:
        """INIT: ``(init ms, lines printed, error or None, the error's log text)``.

        The INIT phase's duration runs from the process's start to the handler's module
        imported, as Lambda's ``Init Duration`` covers the runtime's start and the function's
        static code (lambda-runtime-environment.html)."""
        ready = self._message(INIT_TIMEOUT_S)
        init_ms = (time.monotonic() - self._spawned) * 1000
        lines = self.output.phase("init")
        if ready is None:
            self.stop()
            return INIT_TIMEOUT_S * 1000, lines, {
                "errorMessage": f"INIT phase did not finish within {INIT_TIMEOUT_S:g} seconds",
                "errorType": "Runtime.Unknown",
                "stackTrace": [],
            }, None
        return init_ms, lines, ready.get("error"), ready.get("log")

    def invoke(self, request_id: str, event: str, timeout_s: float, arn: str) -> Outcome:
        """One invoke; the worker is killed if it runs past ``timeout_s``."""
        started = time.monotonic()
        deadline_ms = int(time.time() * 1000 + timeout_s * 1000)
        request = {
            "request_id": request_id,
            "event": event,
            "deadline_ms": deadline_ms,
            "invoked_function_arn": arn,
        }
        outcome = Outcome(request_id=request_id, log_stream=self.log_stream)
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
            answer = self._message(timeout_s)
        except (BrokenPipeError, OSError):
            answer = None
        outcome.duration_ms = (time.monotonic() - started) * 1000
        self.invokes += 1
        if answer is None:
            timed_out = self.process.poll() is None
            outcome.max_memory_mb = self._peak_mb()
            self.stop()
            outcome.lines = self.output.phase(request_id, timeout=1.0)
            if timed_out:
                outcome.timed_out = True
                outcome.duration_ms = timeout_s * 1000
                outcome.error = {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {request_id} Error: Task timed out after "
                    f"{timeout_s:.2f} seconds",
                }
            else:
                outcome.error = {
                    "errorType": "Runtime.ExitError",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with "
                    f"error: exit status {self.process.returncode}",
                }
            return outcome
        outcome.lines = self.output.phase(request_id)
        if answer.get("log"):
            outcome.lines.append(answer["log"])
        outcome.payload = answer.get("payload")
        outcome.error = answer.get("error")
        outcome.max_memory_mb = max(1, int(answer.get("max_rss_kb", 0)) // 1024)
        return outcome

    def _peak_mb(self) -> int:
        """The worker's peak resident memory, read before it is killed (Linux ``/proc``)."""
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return max(1, int(line.split()[1]) // 1024)
        except (OSError, ValueError):
            pass
        return 0

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Kill the worker (its whole process group) and remove its directories."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdin, self._control):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


class FunctionInstances:
    """One function's execution environments, keyed by the function's code and config."""

    def __init__(self, key: tuple) -> None:
        self.key = key
        self.instances: list[Instance] = []

    def busy(self) -> int:
        return sum(1 for instance in self.instances if instance.busy)


_lock = threading.Lock()
_functions: dict[str, FunctionInstances] = {}


def _total_busy() -> int:
    return sum(pool.busy() for pool in _functions.values())


def acquire(arn: str, key: tuple, limit: int | None, make) -> tuple[Instance, bool]:
    """A free instance for the function ``arn`` (warm) or a new one from ``make()`` (cold).

    ``key`` changes with the function's code and configuration: instances of an older key
    are stopped (as AWS stops environments after an update). ``limit`` is the function's
    reserved concurrency (None: the account's, the ``lambda_account_concurrency`` setting).
    Raises :class:`Throttled` when every instance is busy and the limit is reached.
    """
    stale: list[Instance] = []
    with _lock:
        pool = _functions.get(arn)
        if pool is None or pool.key != key:
            if pool is not None:
                stale = [i for i in pool.instances if not i.busy]
            pool = _functions[arn] = FunctionInstances(key)
        # Reserved concurrency bounds the invocations in flight whether or not a warm
        # instance is free: 0 throttles every invoke (lambda/latest/dg/configuration-
        # concurrency.html, "set reserved concurrency to 0 to throttle all invocations").
        if limit is not None and pool.busy() >= limit:
            raise Throttled("ReservedFunctionConcurrentInvocationLimitExceeded", limit)
        idle = [i for i in pool.instances if not i.busy and i.alive]
        if idle:
            instance = max(idle, key=lambda i: i.last_used)
            instance.busy = True
            cold = False
        else:
            account = int(get_setting("lambda_account_concurrency"))
            if _total_busy() >= account:
                raise Throttled("ConcurrentInvocationLimitExceeded", account)
            instance = make()
            pool.instances.append(instance)
            cold = True
    for old in stale:
        old.stop()
    return instance, cold


def release(arn: str, instance: Instance) -> None:
    """The invoke on ``instance`` is over: it is free again, or forgotten if it died."""
    with _lock:
        instance.busy = False
        instance.last_used = time.monotonic()
        pool = _functions.get(arn)
        dead = not instance.alive or pool is None or instance not in pool.instances
        if dead and pool is not None and instance in pool.instances:
            pool.instances.remove(instance)
    if dead:
        instance.stop()
    _ensure_reaper()


def forget(arn: str, instance: Instance) -> None:
    """Drop ``instance`` (its INIT failed) and stop it."""
    with _lock:
        pool = _functions.get(arn)
        if pool is not None and instance in pool.instances:
            pool.instances.remove(instance)
    instance.stop()


def retire(function_arn: str) -> int:
    """The function is gone: stop its idle instances (and those of its versions); a busy
    one stops when its invoke ends. How many were stopped now."""
    with _lock:
        arns = [a for a in _functions if a == function_arn or a.startswith(function_arn + ":")]
        pools = [_functions.pop(a) for a in arns]
        idle = [i for pool in pools for i in pool.instances if not i.busy]
    for instance in idle:
        instance.stop()
    return len(idle)


def instances(arn: str | None = None) -> list[Instance]:
    """The live instances of one function (or of every function)."""
    with _lock:
        pools = [_functions[arn]] if arn in _functions else ([] if arn else _functions.values())
        return [i for pool in pools for i in pool.instances]


def expire_idle(now: float | None = None) -> int:
    """Stop every instance idle longer than ``lambda_idle_seconds``; how many were stopped."""
    idle_s = float(get_setting("lambda_idle_seconds"))
    now = time.monotonic() if now is None else now
    expired: list[Instance] = []
    with _lock:
        for pool in _functions.values():
            for instance in list(pool.instances):
                if not instance.busy and now - instance.last_used >= idle_s:
                    pool.instances.remove(instance)
                    expired.append(instance)
    for instance in expired:
        instance.stop()
    return len(expired)


def shutdown() -> None:
    """Stop every instance of every function (sandbox stop, reset, exit)."""
    with _lock:
        everything = [i for pool in _functions.values() for i in pool.instances]
        _functions.clear()
    for instance in everything:
        instance.stop()


_reaper: threading.Thread | None = None


def _reap_forever() -> None:
    while True:
        idle_s = float(get_setting("lambda_idle_seconds"))
        time.sleep(min(max(idle_s / 4, 0.05), 5.0))
        expire_idle()


def _ensure_reaper() -> None:
    global _reaper
    with _lock:
        if _reaper is None:
            _reaper = threading.Thread(target=_reap_forever, daemon=True, name="lambda-reaper")
            _reaper.start()


atexit.register(shutdown)
