"""The sandbox server process: ``python -m lab.sandbox.server --port N``.

One threaded WSGI server on 127.0.0.1 that answers, by request:

- Host ``<anything>.execute-api.<region>.amazonaws.com[:port]`` -> the private
  API's data plane (``lab.sandbox.dataplane.make_app()``), which plays the
  execute-api VPC endpoint;
- path ``/lab-api/...`` -> the sandbox's control endpoints (``control.py``);
- the four Step Functions calls that carry executions -> the direct path
  (``direct_path.py``: moto's own actions, without its generic dispatch, answering
  byte for byte as moto would);
- anything else -> moto, exactly as ``moto_server`` would serve it.

Before it serves anything it applies every extension (moto builds each
service's app on that service's first request, from the url table it finds
then), switches on moto's Step Functions interpreter and seeds moto's ids.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import signal
import sys
import threading
from typing import Any

from lab.errors import LabError
from lab.sandbox import access
from lab.sandbox.dataplane import hosts
from lab.sandbox.dataplane.config import changes_config
from lab.sandbox.process_policy import apply_gc_policy, use_fast_header_parser

LOOPBACK = "127.0.0.1"


_QUIET_LOGGERS = ("werkzeug", "moto", "botocore", "urllib3")
# moto's interpreter logs, at ERROR, the full state (a few KB) of every component a failed
# state's error passes through; the execution's history already says what failed.
_SILENT_LOGGERS = ("moto.stepfunctions.parser.asl.component.eval_component",)


def silence_loggers() -> None:
    """Keep werkzeug's access log and moto's chatter out of the log (and of nbval)."""
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    for name in _SILENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def prepare_moto() -> None:
    """Everything that must happen before the first request, in order."""
    from lab.sandbox import control, seams

    seams.install()
    control.enable_state_machine_execution()
    control.seed_ids()


class _DataPlaneGate:
    """Builds the data plane app on its first request (the server starts without it)."""

    def __init__(self) -> None:
        self._app: Any = None
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if self._app is None:
            with self._lock:
                if self._app is None:
                    from lab.sandbox import dataplane

                    self._app = dataplane.make_app()
        return self._app(environ, start_response)


#: How many distinct Host names the moto dispatcher remembers the backend of.
BACKEND_CACHE_SIZE = 1024


def cached_moto_dispatcher():
    """moto's ``DomainDispatcherApplication``, with each Host's backend looked up once.

    moto looks the backend up on every request, under a lock every request shares:
    it lists moto's ~175 package directories (a ``stat`` each) and then tries every
    service's URL regex. The answer depends only on the host name and on tables
    that are complete before the server serves (``seams.install`` runs
    first), so it is remembered per host name.
    """
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    class CachedDomainDispatcher(DomainDispatcherApplication):
        def __init__(self, create_app) -> None:
            super().__init__(create_app)
            lookup = super().get_backend_for_host
            self._cached_backend_for_host = functools.lru_cache(maxsize=BACKEND_CACHE_SIZE)(lookup)

        def get_backend_for_host(self, host):
            return self._cached_backend_for_host(host)

    return CachedDomainDispatcher(create_backend_app)


def _refusal(start_response, status: str, message: str, error_type: str | None = None):
    body = json.dumps({"message": message}).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        # lab.sandbox tells "our sandbox refused" from "another program" by this.
        ("x-lab-service", "private-api-lab-sandbox"),
    ]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    start_response(status, headers)
    return [body]


def _without_cors(start_response):
    """``start_response`` that drops every ``Access-Control-*`` header moto adds."""

    def start(status, headers, exc_info=None):
        return start_response(status, access.without_cors_headers(headers), exc_info)

    return start


class SandboxApp:
    """The WSGI dispatcher: data plane, control endpoints, or moto; after the access checks.

    ``lab.sandbox.access`` says what is checked and why. ``port`` is the port the server
    listens on (the only one a loopback ``Host`` may name); None accepts any port.
    """

    def __init__(self, port: int | None = None) -> None:
        from lab.sandbox import control
        from lab.sandbox.direct_path import DirectPath

        self.port = port
        self.moto = cached_moto_dispatcher()
        self.direct = DirectPath(self.moto)
        self.control = control.app
        self.dataplane = _DataPlaneGate()
        #: The config generation to bump around changing calls (None: nobody reads one).
        self.generation = None

    def use_generation(self, generation) -> None:
        """Bump ``generation`` (a ``dataplane.config.Generation``) around config changes."""
        self.generation = generation

    def use_dataplane_process(self, process) -> None:
        """Send the data plane's requests to ``process`` (a started ``DataPlaneProcess``)."""
        from lab.sandbox.dataplane.process import Forwarder

        self.dataplane = Forwarder(process.address)

    def _changing(self, app, environ, start_response, changes: bool):
        """Call ``app``; if it ``changes`` the config, bump the generation before and after."""
        if not changes or self.generation is None:
            return app(environ, start_response)
        self.generation.bump()
        try:
            return app(environ, start_response)
        finally:
            self.generation.bump()

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST", "")
        if hosts.EXECUTE_API_HOST.match(host):
            # The data plane itself refuses what did not come along the network path.
            return self.dataplane(environ, start_response)
        if not access.loopback_host(host, self.port):
            where = f"127.0.0.1:{self.port}" if self.port else "127.0.0.1:<port>"
            return _refusal(
                start_response,
                "403 Forbidden",
                f"The sandbox answers only requests addressed to {where} (or localhost, [::1] "
                f"with that port), not Host {host[:100]!r}; use the endpoint "
                "`python -m lab sandbox status` prints.",
            )
        why = access.cross_site(environ)
        if why:
            return _refusal(
                start_response,
                "403 Forbidden",
                f"The sandbox refuses this request: {why}. Only the lab, boto3 and other AWS "
                "clients on this machine may drive it.",
            )
        path = environ.get("PATH_INFO", "")
        if _under(path, "/lab-api") or _under(path, "/moto-api"):
            if not access.token_matches(environ.get("HTTP_AUTHORIZATION"), access.process_token()):
                return _refusal(
                    start_response,
                    "403 Forbidden",
                    f"{path} needs this sandbox's token (Authorization: token <token>, the "
                    "token in the sandbox's state directory: .lab/sandbox-<port>.token); "
                    "call it through lab.sandbox.",
                )
            changes = environ.get("REQUEST_METHOD", "GET") != "GET"
            if _under(path, "/lab-api"):
                return self._changing(self.control, environ, start_response, changes)
            return self._changing(self.moto, environ, _without_cors(start_response), changes)
        if not access.signed(environ):
            return _refusal(
                start_response,
                "403 Forbidden",
                "Missing Authentication Token",
                "MissingAuthenticationTokenException",
            )
        start = _reporting_errors(environ, _without_cors(start_response))
        try:
            answer = self.direct(environ, start)
            if answer is not None:
                return answer
            return self._changing(self.moto, environ, start, changes_config(environ))
        except Exception as exc:
            log_internal_error(environ, "an exception", exc)
            raise


_LOG = logging.getLogger(__name__)


def _request_body(environ) -> bytes | None:
    """The request's body if it can still be read (the direct path keeps it as BytesIO)."""
    import io

    stream = environ.get("wsgi.input")
    if isinstance(stream, io.BytesIO):
        return stream.getvalue()
    return None


def log_internal_error(environ, what: str, exc: BaseException | None = None) -> None:
    """One log line naming the request behind an internal error: the operation and, for Step
    Functions, the state machine, execution and definition (never inputs or secrets)."""
    from lab.sandbox.stepfunctions.internal_errors import request_context

    context = request_context(environ.get("HTTP_X_AMZ_TARGET"), _request_body(environ))
    _LOG.error("internal error (%s) answering %s %s: %s%s", what,
               environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""), context,
               f": {exc!r}" if exc is not None else "", exc_info=exc)


def _reporting_errors(environ, start_response):
    """``start_response`` that logs the request behind any 5xx answer (moto's Flask app turns
    an exception into a 500 itself), and keeps a Step Functions request's body readable for
    that line."""
    import io

    target = environ.get("HTTP_X_AMZ_TARGET") or ""
    if target.startswith("AWSStepFunctions.") and not isinstance(
            environ.get("wsgi.input"), io.BytesIO):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0:
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length))

    def start(status, headers, exc_info=None):
        if str(status).startswith("5"):
            log_internal_error(environ, f"HTTP {str(status).split()[0]}")
        return start_response(status, headers, exc_info)

    return start


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _request_handler():
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    from lab.sandbox.keepalive import keep_alive_handler

    # Keep-alive: without it every call (boto3's, the HTTP Task's) opened a new connection
    # and the server a new thread for it.
    class SandboxRequestHandler(keep_alive_handler(MotoRequestHandler)):
        # Without TCP_NODELAY a small response waits for the client's delayed
        # ACK: ~40 ms on every call, which would dwarf what the lab measures.
        disable_nagle_algorithm = True

        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            pass  # no access log: it would fill the log file and nbval's stderr

    return SandboxRequestHandler


def check_bind_address(host: str) -> str:
    """Only loopback: the sandbox has no authentication and must not be reachable."""
    if host != LOOPBACK:
        raise LabError(
            f"The sandbox only listens on {LOOPBACK} (it has no authentication), "
            f"not on {host!r}; drop the --host option."
        )
    return host


def make_server(port: int, host: str = LOOPBACK):
    """A ready-to-serve threaded server (seams installed, ids seeded, fast header parsing)."""
    from werkzeug.serving import make_server as werkzeug_make_server

    check_bind_address(host)
    silence_loggers()
    prepare_moto()
    use_fast_header_parser()
    app = SandboxApp(port or None)
    server = werkzeug_make_server(
        host, port, app, threaded=True, request_handler=_request_handler()
    )
    app.port = server.server_port  # port 0: the one the system picked
    # The data plane is this server's: HTTP Tasks and API destinations reach it here.
    from lab.sandbox import network

    network.set_dataplane_address(host, server.server_port)
    return server


def _stop_on_signal(signum: int, frame: Any) -> None:
    # serve_forever runs in the main thread; raising here unwinds it cleanly.
    raise SystemExit(0)


def _remove_pidfile(pidfile: str | None) -> None:
    if not pidfile:
        return
    try:
        with open(pidfile) as fh:
            owner = fh.read().strip()
        if owner == str(os.getpid()):
            os.remove(pidfile)
    except OSError:
        pass


def _token_file(args: argparse.Namespace):
    from pathlib import Path

    if args.token_file:
        return Path(args.token_file)
    from lab.sandbox import state_dir

    return access.token_file(state_dir(), args.port)


def _remove_token_file(path, token: str) -> None:
    if access.read_token_file(path) == token:  # not a newer sandbox's
        try:
            os.remove(path)
        except OSError:
            pass


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m lab.sandbox.server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default=LOOPBACK, help=f"must be {LOOPBACK}")
    parser.add_argument("--pidfile", default=None, help="removed on exit if it holds our pid")
    parser.add_argument(
        "--token-file",
        default=None,
        help="where to write this run's control token (default: <state dir>/sandbox-<port>.token)",
    )
    args = parser.parse_args(argv)

    from lab.sandbox import control

    try:
        check_bind_address(args.host)
        # moto builds some URLs that point back at itself from MOTO_PORT.
        os.environ.setdefault("MOTO_PORT", str(args.port))
        # The lab launches no instances; without this every fresh EC2 backend (each
        # reset, each region) loads moto's AMI catalogue: ~0.2-0.5 s per reset.
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        # No CORS headers at all (moto's flask_cors echoed any Origin); the app strips them too.
        os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"
        server = make_server(args.port, args.host)
        # After the bind (a second server on a taken port must not overwrite the first's
        # token) and before serving: whoever gets an answer can already read it.
        token_file = _token_file(args)
        token = access.new_token()
        access.set_process_token(token)
        access.write_token_file(token_file, token)
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"error: cannot listen on {args.host}:{args.port} ({exc.strerror}); "
            "set LAB_SANDBOX_PORT to a free port.",
            file=sys.stderr,
        )
        return 2

    from lab.sandbox import network
    from lab.sandbox.dataplane import process as dataplane_process
    from lab.sandbox.dataplane.config import Generation

    # What has changed since: the data plane's replica and the network path's route cache
    # read it; every call through this server that can change their inputs bumps it.
    generation = Generation()
    server.app.use_generation(generation)
    network.use_config_generation(generation)
    child = None
    if dataplane_process.enabled_from_env():
        # The private API's data plane gets a process (and a core) of its own.
        child = dataplane_process.DataPlaneProcess(server.server_port, token, generation)
        network.set_dataplane_address(*child.start())
        server.app.use_dataplane_process(child)
        control.set_dataplane_process(child)
    control.mark_started(args.port)
    apply_gc_policy()
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    print(f"sandbox serving on http://{args.host}:{args.port} (pid {os.getpid()})", flush=True)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
        if child is not None:
            child.stop()
        from lab.sandbox import lambda_

        lambda_.shutdown()  # every Lambda execution environment (worker process) too
        _remove_pidfile(args.pidfile)
        _remove_token_file(token_file, token)
        print("sandbox stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
