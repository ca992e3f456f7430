"""The offline sandbox: moto extended with this architecture's path, on 127.0.0.1.

One server process per port, shared by every notebook kernel, so state lives
from ``01_deploy_stack`` to ``99_cleanup``::

    lab.sandbox.start()        # idempotent; returns text whose last line is the endpoint
    lab.sandbox.status_text()  # endpoint, pid, uptime, deployed stacks
    lab.sandbox.stop()         # idempotent; leaves nothing running

The process writes its log to ``.lab/sandbox.log`` (``.lab/sandbox-<port>.log``
for a port other than the default), its pid to ``.lab/sandbox-<port>.pid`` and
its control token to ``.lab/sandbox-<port>.token`` (mode 0600; every call to
``/lab-api`` sends it, see ``lab.sandbox.access``) at the project root
(``LAB_STATE_DIR`` overrides the directory).

Imports go inward: ``server`` -> ``control`` -> ``settings``; the services (``events``,
``stepfunctions``, ``lambda_``, ...) -> ``settings`` (they register reset hooks there), never
``control`` or ``server``; ``server`` and ``dataplane.process`` share ``process_policy``;
``server`` stops ``lambda_``'s worker processes when it stops. Of the lab, only
``config``, ``errors`` and ``masking`` are imported.

``once``, ``paging`` and ``members`` are leaves (they import nothing of the lab) any module may use.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from lab.config import DEFAULT_SANDBOX_PORT, SANDBOX_HOST, load_config
from lab.errors import LabError

__all__ = [
    "auth_headers",
    "configure",
    "configured",
    "dataplane_address",
    "endpoint",
    "ensure_running",
    "leftovers",
    "network_path_headers",
    "request_log",
    "reset",
    "start",
    "status",
    "status_text",
    "stop",
    "token_path",
]

SERVICE_MARKER = "private-api-lab-sandbox"  # same as control.SERVICE_MARKER (kept import-light)
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
#: How long a status request may take when the process is known to be ours: a sandbox
#: busy with a soak or a benchmark can take seconds to answer.
BUSY_STATUS_TIMEOUT_S = 10.0
_POLL_S = 0.05


# --------------------------------------------------------------------------- paths


def state_dir() -> Path:
    """Where the pid and log files go: ``$LAB_STATE_DIR`` or ``<project root>/.lab``."""
    override = os.environ.get("LAB_STATE_DIR", "").strip()
    if override:
        return Path(override)
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").exists():  # installed as a package, not a checkout
        root = Path.cwd()
    return root / ".lab"


def _pidfile(port: int) -> Path:
    return state_dir() / f"sandbox-{port}.pid"


def log_path(port: int | None = None) -> Path:
    """The server's log file for ``port`` (default: the configured one)."""
    port = port or _port()
    name = "sandbox.log" if port == DEFAULT_SANDBOX_PORT else f"sandbox-{port}.log"
    return state_dir() / name


def _port() -> int:
    return load_config().sandbox_port


def endpoint() -> str:
    """The sandbox's URL, e.g. ``http://127.0.0.1:5599`` (whether or not it runs)."""
    return f"http://{SANDBOX_HOST}:{_port()}"


# --------------------------------------------------------------------------- probes


def token_path(port: int | None = None) -> Path:
    """Where the sandbox on ``port`` (default: the configured one) keeps its control token."""
    from lab.sandbox import access

    return access.token_file(state_dir(), port or _port())


def auth_headers(port: int | None = None) -> dict[str, str]:
    """The header that opens the sandbox's control API (``/lab-api``), read from its token file.

    Empty if no sandbox was started from this state directory (the server then refuses).
    """
    from lab.sandbox import access

    token = access.read_token_file(token_path(port))
    return {"Authorization": access.authorization(token)} if token else {}


def network_path_headers(source_vpce: str | None, port: int | None = None) -> dict[str, str]:
    """What the sandbox's network path adds to a request "from" ``source_vpce``.

    For the lab's own measurements of the bare data plane (``lab.bench``'s floor): they hold
    the sandbox's token, as only its user can. Raises LabError when there is no token.
    """
    from lab.sandbox import access

    port = port or _port()
    token = access.read_token_file(token_path(port))
    if token is None:
        raise LabError(
            f"No sandbox token in {token_path(port)}: start the sandbox from this checkout "
            "(python -m lab sandbox start)."
        )
    headers = {access.PATH_PROOF_HEADER: access.path_proof(source_vpce, token)}
    if source_vpce:
        headers["x-lab-source-vpce"] = source_vpce
    return headers


def _fetch_status(port: int, timeout: float = 1.0) -> dict[str, Any] | None:
    """Our server's status, or None if nothing (or something else) answers.

    A sandbox that refuses this state directory's token (started from another checkout or
    ``LAB_STATE_DIR``) answers ``{"service": ..., "token_refused": True}``.
    """
    url = f"http://{SANDBOX_HOST}:{port}/lab-api/status"
    request = urllib.request.Request(url, headers=auth_headers(port))
    try:
        with _NO_PROXY.open(request, timeout=timeout) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 403 and exc.headers.get(_MARKER_HEADER) == SERVICE_MARKER:
            return {"service": SERVICE_MARKER, "token_refused": True}
        return None
    except (OSError, ValueError):  # URLError is an OSError
        return None
    if isinstance(body, dict) and body.get("service") == SERVICE_MARKER:
        return body
    return None


#: Every refusal of the sandbox's control API names the service in this header, so the lab
#: can tell "our sandbox, but another token" from "another program".
_MARKER_HEADER = "x-lab-service"


def _token_refused_error(port: int) -> LabError:
    return LabError(
        f"The sandbox on port {port} was started from another state directory (its token is "
        f"not {token_path(port)}); stop it from there, or set LAB_SANDBOX_PORT to another port."
    )


def _usable(running: dict[str, Any] | None, port: int) -> dict[str, Any] | None:
    if running and running.get("token_refused"):
        raise _token_refused_error(port)
    return running


# Loopback never goes through an HTTP proxy, whatever the environment says.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((SANDBOX_HOST, port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by us) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def _is_our_server_pid(pid: int) -> bool:
    """True if ``pid`` is a live ``lab.sandbox.server`` (guards against pid reuse)."""
    if not _pid_alive(pid):
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"lab.sandbox.server" in fh.read()
    except OSError:
        return True  # no /proc (macOS): trust the pidfile


def _read_pid(port: int) -> int | None:
    try:
        return int(_pidfile(port).read_text().strip())
    except (OSError, ValueError):
        return None


def _listener_pid(port: int) -> int | None:
    """The pid of the process listening on ``127.0.0.1:port`` (Linux ``/proc``), or None."""
    wanted = f"0100007F:{port:04X}"
    inodes = set()
    try:
        with open("/proc/net/tcp") as fh:
            next(fh, None)
            for line in fh:
                fields = line.split()
                # local_address, st == 0A (LISTEN), inode
                if len(fields) > 9 and fields[1] == wanted and fields[3] == "0A":
                    inodes.add(f"socket:[{fields[9]}]")
    except OSError:
        return None
    if not inodes:
        return None
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            for fd in os.scandir(f"/proc/{entry.name}/fd"):
                if os.readlink(fd.path) in inodes:
                    return int(entry.name)
        except OSError:  # gone meanwhile, or not ours to look at
            continue
    return None


def _our_server_on(port: int) -> int | None:
    """The pid of our server on ``port`` even when it is too busy to answer, or None.

    The pidfile first; then whoever listens on the port (if it is ``lab.sandbox.server``);
    then, where ``/proc`` cannot tell, a status request with a long timeout.
    """
    pid = _read_pid(port)
    if pid is not None and _is_our_server_pid(pid):
        return pid
    listener = _listener_pid(port)
    if listener is not None:
        return listener if _is_our_server_pid(listener) else None
    if not _port_in_use(port):
        return None
    running = _fetch_status(port, timeout=BUSY_STATUS_TIMEOUT_S)
    return int(running["pid"]) if running and "pid" in running else None


def _clear_stale_pidfile(port: int) -> None:
    pid = _read_pid(port)
    if pid is not None and not _is_our_server_pid(pid):
        _pidfile(port).unlink(missing_ok=True)


def _reap(pid: int) -> None:
    # If we spawned it in this process, collect its exit status (no zombie).
    try:
        os.waitpid(pid, os.WNOHANG)
    except (ChildProcessError, OSError):
        pass


def _port_taken_error(port: int) -> LabError:
    return LabError(
        f"Port {port} on {SANDBOX_HOST} is taken by another program, not the lab's sandbox; "
        f"stop that program or set LAB_SANDBOX_PORT to a free port (e.g. LAB_SANDBOX_PORT=5600)."
    )


def _log_tail(port: int, lines: int = 5) -> str:
    try:
        text = log_path(port).read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


# --------------------------------------------------------------------------- lifecycle


@contextlib.contextmanager
def _start_lock(port: int):
    """One starter at a time per port (two kernels calling start() at once)."""
    directory = state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f"sandbox-{port}.lock", "w") as handle:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, the bind itself still refuses a twin
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start(quiet: bool = False) -> str:
    """Start the sandbox server if it is not running; idempotent.

    Returns a short report whose LAST line is the endpoint URL (the CLI prints
    it). Raises :class:`LabError` if the port belongs to another program or the
    server does not come up.
    """
    port = _port()
    with _start_lock(port):
        return _start(port, quiet)


def _start(port: int, quiet: bool) -> str:
    url = f"http://{SANDBOX_HOST}:{port}"
    running = _usable(_fetch_status(port), port)
    if running:
        return f"sandbox already running (pid {running['pid']})\n{url}"

    _clear_stale_pidfile(port)
    pid = _read_pid(port)
    if pid is not None:
        # Our process exists but does not answer yet: it is still starting.
        running = _wait_until_serving(port, pid)
        return f"sandbox already running (pid {running['pid']})\n{url}"
    if _port_in_use(port):
        # Ours but busy (its pidfile lost)? Look before blaming another program.
        pid = _our_server_on(port)
        if pid is None:
            raise _port_taken_error(port)
        running = _wait_until_serving(port, pid)
        return f"sandbox already running (pid {running['pid']})\n{url}"

    began = time.monotonic()
    directory = state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    pidfile = _pidfile(port)
    with open(log_path(port), "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lab.sandbox.server",
                "--port",
                str(port),
                "--pidfile",
                str(pidfile),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own session: the server outlives the kernel or CLI that started
            # it, and a Ctrl-C in the notebook does not reach it.
            start_new_session=True,
            cwd=str(directory.parent),
            env=_server_env(),
        )
    pidfile.write_text(str(process.pid))
    running = _wait_until_serving(port, process.pid, process)
    took = time.monotonic() - began
    lines = [f"sandbox started (pid {running['pid']}, {took:.1f} s); log: {log_path(port)}"]
    if quiet:
        lines = []
    return "\n".join([*lines, url])


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    # The server imports `lab` from this checkout even if the caller's cwd differs.
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _wait_until_serving(
    port: int, pid: int, process: subprocess.Popen | None = None
) -> dict[str, Any]:
    deadline = time.monotonic() + START_TIMEOUT_S
    refused_since = None
    while time.monotonic() < deadline:
        running = _fetch_status(port, timeout=0.5)
        if running and running.get("token_refused"):
            # A starting server writes its token just before it answers: give it a moment.
            refused_since = refused_since or time.monotonic()
            if time.monotonic() - refused_since > 2.0:
                raise _token_refused_error(port)
        elif running:
            return running
        exited = process.poll() is not None if process else not _pid_alive(pid)
        if exited:
            _pidfile(port).unlink(missing_ok=True)
            if _port_in_use(port) and not _fetch_status(port):
                raise _port_taken_error(port)
            raise LabError(
                f"The sandbox server exited while starting ({_log_tail(port)}); "
                f"read {log_path(port)} and run `python -m lab sandbox start` again."
            )
        time.sleep(_POLL_S)
    raise LabError(
        f"The sandbox server did not answer within {START_TIMEOUT_S:.0f} s; "
        f"read {log_path(port)}, then run `python -m lab sandbox stop` and start it again."
    )


def stop() -> str:
    """Stop the sandbox server on the configured port; idempotent.

    Leaves nothing running and no pidfile behind. Returns one line.
    """
    port = _port()
    _clear_stale_pidfile(port)
    # Never by a status request alone: a sandbox busy with a soak may not answer in time.
    pid = _our_server_on(port)
    if pid is None:
        return "sandbox was not running"
    _terminate(pid)
    _pidfile(port).unlink(missing_ok=True)
    return f"sandbox stopped (pid {pid})"


def _terminate(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        _reap(pid)
        if not _pid_alive(pid):
            return
        time.sleep(_POLL_S)
    try:
        os.kill(pid, signal.SIGKILL)  # it ignored SIGTERM for STOP_TIMEOUT_S
    except ProcessLookupError:
        return
    for _ in range(100):
        _reap(pid)
        if not _pid_alive(pid):
            return
        time.sleep(_POLL_S)


def status() -> dict[str, Any]:
    """The sandbox as a dict: running, endpoint, pid, uptime_s, stacks, log."""
    port = _port()
    url = f"http://{SANDBOX_HOST}:{port}"
    running = _usable(_fetch_status(port), port)
    if running is None:
        pid = _our_server_on(port)  # ours but busy? (a longer look)
        if pid is not None:
            running = _usable(_fetch_status(port, timeout=BUSY_STATUS_TIMEOUT_S), port) or {
                "pid": pid
            }
    if running is None:
        return {
            "running": False,
            "endpoint": url,
            "port": port,
            "log": str(log_path(port)),
            "port_taken_by_other_program": _port_in_use(port),
        }
    return {
        "running": True,
        # Busy: the process is ours and alive but did not answer a status request.
        "busy": "service" not in running,
        "endpoint": url,
        "port": port,
        "pid": running["pid"],
        "started_at": running.get("started_at"),
        "uptime_s": running.get("uptime_s"),
        "moto_version": running.get("moto_version"),
        "stacks": running.get("stacks", []),
        "dataplane": running.get("dataplane"),
        "log": str(log_path(port)),
    }


def status_text() -> str:
    """A few human lines: endpoint, pid, uptime, deployed stacks."""
    info = status()
    if not info["running"]:
        note = (
            f"; port {info['port']} is used by another program"
            if info["port_taken_by_other_program"]
            else ""
        )
        return f"sandbox not running{note} (start it: python -m lab sandbox start)"
    if info["busy"]:
        return "\n".join(
            [
                f"endpoint: {info['endpoint']}",
                f"pid:      {info['pid']} (running, but too busy to answer within "
                f"{BUSY_STATUS_TIMEOUT_S:g} s; try again)",
                f"log:      {info['log']}",
            ]
        )
    stacks = info["stacks"]
    stack_text = ", ".join(f"{s['name']} ({s['status']})" for s in stacks) if stacks else "none"
    lines = [
        f"endpoint: {info['endpoint']}",
        f"pid:      {info['pid']}",
        f"uptime:   {_duration(info['uptime_s'])}",
        f"stacks:   {stack_text}",
    ]
    where = info.get("dataplane")
    if where and where.get("own_process"):
        address = f"{where['host']}:{where['port']}"
        lines.append(f"api:      {address} (the private API's data plane, pid {where['pid']})")
    lines.append(f"log:      {info['log']}")
    return "\n".join(lines)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"


def ensure_running() -> str:
    """Start the sandbox if needed (quietly) and return its endpoint URL."""
    return start(quiet=True).splitlines()[-1]


# --------------------------------------------------------------------------- control calls


def _lab_api(path: str, body: dict[str, Any] | None = None) -> Any:
    port = _port()
    url = f"http://{SANDBOX_HOST}:{port}/lab-api/{path}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="GET" if data is None else "POST",
        headers={"Content-Type": "application/json", **auth_headers(port)},
    )
    try:
        with _NO_PROXY.open(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        message = json.loads(exc.read() or b"{}").get("message", exc.reason)
        raise LabError(f"The sandbox refused {path}: {message}.") from None
    except OSError:
        raise LabError(
            f"The sandbox is not running on port {port}; start it: python -m lab sandbox start"
        ) from None


def dataplane_address() -> tuple[str, int]:
    """``(host, port)`` where the private API's data plane answers (its own process's port).

    For the lab's measurements of the bare data plane (``lab.bench``'s floor).
    """
    where = _lab_api("status").get("dataplane") or {}
    if not where.get("port"):
        raise LabError(
            "The sandbox did not say where its data plane listens; restart it "
            "(python -m lab sandbox stop, then start)."
        )
    return where["host"], int(where["port"])


def request_log(limit: int | None = None) -> list[dict[str, Any]]:
    """What the private API's data plane received, oldest first (secrets masked)."""
    return _lab_api("requests" if limit is None else f"requests?limit={int(limit)}")


def leftovers(region: str | None = None) -> dict[str, list[str]]:
    """Per service, every resource of the kinds the lab's stack creates still in the sandbox.

    Empty lists everywhere after a clean ``destroy`` (moto's own defaults, such
    as the default VPC, are not counted). ``region`` defaults to the lab's.
    """
    region = region or load_config().region
    return _lab_api(f"leftovers?region={region}")


def configure(**settings: Any) -> dict[str, Any]:
    """Change sandbox settings, e.g. ``configure(connection_warmup_seconds=0)``.

    Returns every setting afterwards. Settings survive :func:`reset`.
    """
    return _lab_api("config", settings)


@contextlib.contextmanager
def configured(**settings: Any):
    """Sandbox settings changed for a ``with`` block, each put back as it was afterwards."""
    current = configure()
    before = {name: current[name] for name in settings}
    configure(**settings)
    try:
        yield
    finally:
        configure(**before)


def reset() -> str:
    """Forget every resource in the sandbox and reseed its ids (settings are kept)."""
    _lab_api("reset", {})
    return "sandbox reset: no resources, ids reseeded"
