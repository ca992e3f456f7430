"""``lab_api``: call the test sandbox's ``/lab-api/...`` endpoints (for tests and fixtures)."""

from __future__ import annotations

import json
import urllib.request

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def lab_api(endpoint: str, path: str, body: dict | None = None, method: str | None = None):
    """Call a ``/lab-api/...`` endpoint of the sandbox (with its token); returns the JSON."""
    import lab.sandbox

    data = None if body is None else json.dumps(body).encode()
    port = int(endpoint.rsplit(":", 1)[1])
    request = urllib.request.Request(
        f"{endpoint}/lab-api/{path}",
        data=data,
        method=method or ("POST" if data is not None else "GET"),
        headers={"Content-Type": "application/json", **lab.sandbox.auth_headers(port)},
    )
    with _NO_PROXY.open(request, timeout=30) as response:
        return json.loads(response.read())
