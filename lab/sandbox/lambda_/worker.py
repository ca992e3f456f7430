"""One Lambda execution environment: a long-lived Python process running one handler.

Started by :mod:`lab.sandbox.lambda_.runtime` as ``python worker.py <control fd>`` (by path,
standard library only: it never imports the lab). The INIT phase imports the handler's
module once; every invoke afterwards calls the handler in the same process, so module-level
state persists between invokes as in a warm Lambda execution environment.

Protocol: requests arrive as JSON lines on stdin; answers go as JSON lines to the control
file descriptor. Everything the handler (or the runtime) prints goes to stdout/stderr, which
the parent reads into the function's log stream; each phase ends with a marker
(``\\x1e<phase>\\x1e``) on stdout so the parent knows it has every line of that phase.

The sandbox's contract, in the worker:

- ``/tmp``: the instance's own directory (``TMPDIR``); ``open``, ``os`` file calls and
  ``tempfile`` given a path under ``/tmp`` use it instead;
- outbound HTTPS to ``*.amazonaws.com`` through ``http.client`` (``urllib.request`` too)
  asks the parent's egress gate (``LAB_LAMBDA_EGRESS``, host:port) whether the modelled
  network path holds; the request then goes in clear text to the gate, which forwards it.
  A blocked path fails the connection with ``TimeoutError`` after the sandbox's bound;
  boto3 reaches AWS APIs through ``AWS_ENDPOINT_URL`` (the same gate).
"""

from __future__ import annotations

import builtins
import http.client
import io
import json
import os
import resource
import sys
import threading
import time
import traceback

MARK = "\x1e"
TMP = "/tmp"


def _send(control, message: dict) -> None:
    control.write(json.dumps(message) + "\n")
    control.flush()


def _end_phase(phase: str) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    os.write(1, f"{MARK}{phase}{MARK}".encode())


# --------------------------------------------------------------------------- /tmp


def _install_tmp(instance_tmp: str) -> None:
    """Paths under ``/tmp`` mean the instance's directory (each instance has its own)."""

    def mapped(path):
        if isinstance(path, str) and (path == TMP or path.startswith(TMP + "/")):
            if not path.startswith(instance_tmp):
                return instance_tmp + path[len(TMP) :]
        return path

    def wrap(function, positions=(0,)):
        def call(*args, **kwargs):
            args = list(args)
            for position in positions:
                if position < len(args):
                    args[position] = mapped(args[position])
            return function(*args, **kwargs)

        call.__wrapped__ = function
        return call

    builtins.open = io.open = wrap(io.open)
    for name in ("listdir", "scandir", "stat", "lstat", "remove", "unlink", "mkdir", "rmdir",
                 "open", "access", "chmod", "utime"):
        setattr(os, name, wrap(getattr(os, name)))
    for name in ("rename", "replace"):
        setattr(os, name, wrap(getattr(os, name), (0, 1)))
    os.environ["TMPDIR"] = instance_tmp
    import tempfile

    tempfile.tempdir = instance_tmp


# --------------------------------------------------------------------------- network


def _install_egress(gate: str, bound: float) -> None:
    """HTTPS to ``*.amazonaws.com`` goes through the gate, which checks the modelled path."""
    gate_host, _, gate_port = gate.rpartition(":")
    https_connect = http.client.HTTPSConnection.connect

    def connect(self):
        host = (self.host or "").lower()
        if not host.endswith(".amazonaws.com"):
            return https_connect(self)
        import socket

        sock = socket.create_connection((gate_host, int(gate_port)), timeout=30)
        try:
            sock.sendall(f"CONNECT {host}:{self.port} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except OSError:
            sock.close()
            raise
        head, _, body = answer.partition(b"\r\n\r\n")
        status = head.split(b" ", 2)[1:2]
        if status == [b"200"]:
            sock.settimeout(self.timeout if isinstance(self.timeout, int | float) else None)
            self.sock = sock
            return
        try:
            while True:  # the gate closes the connection after the cause
                chunk = sock.recv(4096)
                if not chunk:
                    break
                body += chunk
        except OSError:
            pass
        sock.close()
        cause = body.decode(errors="replace").strip() or "the network path is broken"
        wait = bound
        if isinstance(self.timeout, int | float):
            wait = min(wait, self.timeout)
        time.sleep(wait)
        raise TimeoutError(f"timed out (sandbox network path: {cause})")

    http.client.HTTPSConnection.connect = connect


# --------------------------------------------------------------------------- the runtime


class Context:
    """The Lambda context object, as the Python runtime passes it to the handler."""

    def __init__(self, request: dict, environ: dict) -> None:
        self.function_name = environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = request["invoked_function_arn"]
        self.memory_limit_in_mb = environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.aws_request_id = request["request_id"]
        self.log_group_name = environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = int(request["deadline_ms"])

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def _error(exc: BaseException, error_type: str | None = None, skip: int = 1) -> dict:
    """The Python runtime's error object; paths under the code directory read /var/task."""
    tb = exc.__traceback__
    for _ in range(skip):
        if tb is not None:
            tb = tb.tb_next
    root = os.environ.get("LAMBDA_TASK_ROOT", "")
    frames = traceback.format_list(traceback.extract_tb(tb))
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": [frame.replace(root, "/var/task") if root else frame for frame in frames],
    }


def max_memory_kb() -> int:
    """This process's peak resident memory (``VmHWM``; ``ru_maxrss`` survives exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _error_log(error: dict) -> str:
    """The runtime's log line for an error: ``[ERROR] Type: message`` and the traceback."""
    lines = [f"[ERROR] {error['errorType']}: {error['errorMessage']}"]
    if error.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        lines.extend(entry.rstrip("\n") for entry in error["stackTrace"])
    return "\n".join(lines)


def _init(handler_name: str):
    """Import the handler's module (the INIT phase); ``(handler, error)``."""
    module_name, _, function_name = handler_name.rpartition(".")
    try:
        module = __import__(module_name.replace("/", "."), fromlist=["_"])
    except SyntaxError as exc:
        return None, {
            "errorMessage": f"Syntax error in module '{module_name}': {exc}",
            "errorType": "Runtime.UserCodeSyntaxError",
            "stackTrace": [],
        }
    except ImportError as exc:
        return None, {
            "errorMessage": f"Unable to import module '{module_name}': {exc}",
            "errorType": "Runtime.ImportModuleError",
            "stackTrace": [],
        }
    except Exception as exc:
        return None, _error(exc)
    handler = getattr(module, function_name, None)
    if handler is None:
        return None, {
            "errorMessage": f"Handler '{function_name}' missing on module '{module_name}'",
            "errorType": "Runtime.HandlerNotFound",
            "stackTrace": [],
        }
    return handler, None


def _watch_parent(parent: int) -> None:
    """Exit when the sandbox that started us is gone (no orphan workers)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def main() -> None:
    control = os.fdopen(int(sys.argv[1]), "w", buffering=1)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    environ = os.environ
    _install_tmp(environ["TMPDIR"])
    if environ.get("LAB_LAMBDA_EGRESS"):
        bound = float(environ.get("LAB_LAMBDA_CONNECT_BOUND", "1"))
        _install_egress(environ["LAB_LAMBDA_EGRESS"], bound)
    sys.path.insert(0, environ["LAMBDA_TASK_ROOT"])
    handler, error = _init(environ["_HANDLER"])
    log = _error_log(error) if error else None
    _end_phase("init")
    _send(control, {"type": "ready", "error": error, "log": log})
    if error:
        return
    for line in sys.stdin:
        request = json.loads(line)
        context = Context(request, environ)
        answer: dict = {"type": "result"}
        try:
            event = json.loads(request["event"])
            result = handler(event, context)
            try:
                answer["payload"] = json.dumps(result)
            except (TypeError, ValueError) as exc:
                answer["error"] = {
                    "errorMessage": f"Unable to marshal response: {exc}",
                    "errorType": "Runtime.MarshalError",
                    "stackTrace": [],
                }
        except Exception as exc:
            answer["error"] = _error(exc)
        if "error" in answer:
            error = answer["error"]
            answer["error"] = {
                "errorMessage": error["errorMessage"],
                "errorType": error["errorType"],
                "requestId": request["request_id"],
                "stackTrace": error["stackTrace"],
            }
            answer["log"] = _error_log(answer["error"])
        answer["max_rss_kb"] = max_memory_kb()
        _end_phase(request["request_id"])
        _send(control, answer)


if __name__ == "__main__":
    main()
