"""The sandbox's own control plane: small JSON endpoints under ``/lab-api/``.

moto has ``/moto-api/``; this is the same idea for what the lab adds on top:

- ``GET  /lab-api/status``   who is serving (pid, port, uptime, moto version) and
  which CloudFormation stacks exist.
- ``GET  /lab-api/config``   the sandbox's tunables; ``POST`` a JSON object to
  change some of them (e.g. ``{"connection_warmup_seconds": 0}``).
- ``GET  /lab-api/requests`` what the private API's data plane saw (newest last).
- ``GET  /lab-api/leftovers?region=<region>`` every resource of the kinds the lab's
  stack creates that still exists, per service (``lab.sandbox.inventory``).
- ``POST /lab-api/reset``    forget every resource and reseed the ids, as if the
  sandbox had just started.

Every call needs the sandbox's token (``lab.sandbox.access``; the server checks it before
this app runs) and a POST takes ``Content-Type: application/json`` only (415 otherwise).

The settings it serves live in :mod:`lab.sandbox.settings` (which imports no service), so
extensions read them the same way in the server process and in-process under
``moto.mock_aws()``; a reset runs the hooks the services registered there.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from lab.sandbox.settings import (
    _EXAMPLE,
    get_setting,
    reset_settings,
    run_reset_hooks,
    settings,
    update_settings,
)

__all__ = ["get_setting", "reset_settings", "settings", "update_settings"]

#: ``/lab-api/status`` carries this marker so ``lab.sandbox`` can tell its own
#: server from another program that happens to own the port.
SERVICE_MARKER = "private-api-lab-sandbox"

#: Every fresh (or reset) sandbox seeds moto's id generator with this, so the
#: same calls give the same ids and committed notebook outputs reproduce.
ID_SEED = 2024

# Filled in by the server process; stays empty in-process.
_runtime: dict[str, Any] = {}


# --------------------------------------------------------------------------- state


def seed_ids(seed: int = ID_SEED) -> None:
    """Seed moto's random source (what ``POST /moto-api/seed?a=<n>`` does)."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(int(seed))


def enable_state_machine_execution() -> None:
    """Switch on moto's Step Functions interpreter in this process.

    The in-process twin of ``POST /moto-api/config
    {"stepfunctions": {"execute_state_machine": true}}``: the very same call.
    """
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.set_config({"stepfunctions": {"execute_state_machine": True}})


def reset_state() -> None:
    """Forget every resource in every service, clear the request log, reseed ids."""
    from moto.moto_api._internal.models import moto_api_backend

    run_reset_hooks()  # e.g. events queued for API destinations of the resources just forgotten
    moto_api_backend.reset()
    if _dataplane["process"] is not None:
        _dataplane["process"].clear_request_log()
    else:
        from lab.sandbox.dataplane import request_log

        request_log.clear()
    seed_ids()


#: The data plane's own process (``lab.sandbox.dataplane.process``), once the server started
#: it; None: the data plane answers in this process.
_dataplane: dict[str, Any] = {"process": None}


def set_dataplane_process(process: Any) -> None:
    """Called once by the server after it started the data plane's process."""
    _dataplane["process"] = process


def request_log_entries(limit: int | None = None) -> list[Any]:
    """The data plane's request log as JSON-ready dicts, oldest first."""
    if _dataplane["process"] is not None:
        return _dataplane["process"].request_log(limit)
    from lab.sandbox.dataplane import request_log

    return request_log.last(limit)


def dataplane_config() -> dict[str, Any]:
    """What ``GET /lab-api/dataplane-config`` answers: the APIs and endpoints, as JSON.

    The data plane's process asks for it when the config generation moved; the generation
    is read before moto's state, so a change made meanwhile is fetched on the next request.
    """
    from lab.sandbox.dataplane import config

    process = _dataplane["process"]
    generation = process.generation.value if process is not None else 0
    return config.to_json(config.snapshot(generation))


def dataplane_status() -> dict[str, Any]:
    """Where the private API's data plane listens, and in which process."""
    process = _dataplane["process"]
    if process is not None:
        host, port = process.address
        return {"host": host, "port": port, "pid": process.pid, "own_process": True}
    return {
        "host": "127.0.0.1",
        "port": _runtime.get("port"),
        "pid": _runtime.get("pid", os.getpid()),
        "own_process": False,
    }


def deployed_stacks() -> list[dict[str, str]]:
    """Every CloudFormation stack the sandbox holds (deleted ones left out)."""
    module = sys.modules.get("moto.cloudformation.models")
    if module is None:
        return []  # never imported (a 5 s import): no stack can exist yet
    cloudformation_backends = module.cloudformation_backends
    stacks = []
    # dict.items() instead of [] lookups: a lookup would create empty backends.
    for account_id, regional in dict.items(cloudformation_backends):
        for region, backend in dict.items(regional):
            for stack in list(backend.stacks.values()):
                if stack.status == "DELETE_COMPLETE":
                    continue
                stacks.append(
                    {
                        "name": stack.name,
                        "status": stack.status,
                        "region": region,
                        "account": account_id,
                    }
                )
    return stacks


def mark_started(port: int) -> None:
    """Record what ``/lab-api/status`` reports; called once by the server."""
    _runtime.update(
        pid=os.getpid(),
        port=port,
        started_monotonic=time.monotonic(),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def status() -> dict[str, Any]:
    """What ``GET /lab-api/status`` answers."""
    import moto

    started = _runtime.get("started_monotonic")
    return {
        "service": SERVICE_MARKER,
        "pid": _runtime.get("pid", os.getpid()),
        "port": _runtime.get("port"),
        "started_at": _runtime.get("started_at"),
        "uptime_s": round(time.monotonic() - started, 3) if started is not None else None,
        "moto_version": moto.__version__,
        "id_seed": ID_SEED,
        "stacks": deployed_stacks(),
        "dataplane": dataplane_status(),
    }


# --------------------------------------------------------------------------- WSGI


def _json_response(start_response, status: int, body: Any) -> list[bytes]:
    reasons = {
        200: "OK",
        400: "Bad Request",
        403: "Forbidden",
        404: "Not Found",
        405: "Method Not Allowed",
        415: "Unsupported Media Type",
    }
    payload = json.dumps(body, default=str).encode("utf-8")
    start_response(
        f"{status} {reasons.get(status, 'Error')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]


def _read_json(environ) -> Any:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length else b""
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise ValueError(f"the body is not JSON; send an object such as {_EXAMPLE}") from None


def _limit(environ) -> int | None:
    from urllib.parse import parse_qs

    values = parse_qs(environ.get("QUERY_STRING", "")).get("limit")
    if not values:
        return None
    if not values[0].isdigit():
        raise ValueError("limit must be a whole number, e.g. /lab-api/requests?limit=20")
    return int(values[0])


def _region(environ) -> str:
    from urllib.parse import parse_qs

    from lab.config import SANDBOX_REGION

    region = (parse_qs(environ.get("QUERY_STRING", "")).get("region") or [SANDBOX_REGION])[0]
    if not region.replace("-", "").isalnum():
        raise ValueError(f"region {region!r} is not a region name such as {SANDBOX_REGION}")
    return region


def leftovers(region: str) -> dict[str, list[str]]:
    """What ``GET /lab-api/leftovers`` answers: the inventory of the sandbox account."""
    from lab.config import SANDBOX_ACCOUNT
    from lab.sandbox import inventory

    return inventory.leftovers(SANDBOX_ACCOUNT, region)


def _is_json(environ) -> bool:
    media_type = (environ.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def app(environ, start_response):
    """WSGI app for ``/lab-api/...``."""
    path = environ.get("PATH_INFO", "").rstrip("/")
    method = environ.get("REQUEST_METHOD", "GET").upper()
    routes = {
        "/lab-api/status": ("GET",),
        "/lab-api/config": ("GET", "POST"),
        "/lab-api/requests": ("GET",),
        "/lab-api/leftovers": ("GET",),
        "/lab-api/reset": ("POST",),
        "/lab-api/dataplane-config": ("GET",),
    }
    if path not in routes:
        return _json_response(
            start_response,
            404,
            {"message": f"no such sandbox endpoint {path!r}; known: {', '.join(routes)}"},
        )
    if method not in routes[path]:
        return _json_response(
            start_response,
            405,
            {"message": f"{path} answers {' or '.join(routes[path])}, not {method}"},
        )
    if method == "POST" and not _is_json(environ):
        # text/plain, form posts: what a web page can send cross-site without a preflight.
        return _json_response(
            start_response,
            415,
            {"message": f"{path} takes JSON only: send Content-Type: application/json"},
        )
    try:
        if path == "/lab-api/status":
            return _json_response(start_response, 200, status())
        if path == "/lab-api/config":
            if method == "POST":
                return _json_response(start_response, 200, update_settings(_read_json(environ)))
            return _json_response(start_response, 200, settings())
        if path == "/lab-api/requests":
            return _json_response(start_response, 200, request_log_entries(_limit(environ)))
        if path == "/lab-api/dataplane-config":
            return _json_response(start_response, 200, dataplane_config())
        if path == "/lab-api/leftovers":
            return _json_response(start_response, 200, leftovers(_region(environ)))
        reset_state()
        return _json_response(start_response, 200, {"status": "reset", "id_seed": ID_SEED})
    except ValueError as exc:
        return _json_response(start_response, 400, {"message": str(exc)})
