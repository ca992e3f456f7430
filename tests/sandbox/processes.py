"""Process helpers the sandbox tests share: a process gone, a server of one's own."""

from __future__ import annotations

import json
import os
import time

from lab.sandbox import access


def gone(pid: int, timeout: float = 10.0) -> bool:
    """True once ``pid`` has exited (a zombie, not yet reaped by its parent, counts) within
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def server_status(port: int, token: str):
    """The server's /lab-api/status, or None while it does not answer."""
    import http.client

    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request(
            "GET",
            "/lab-api/status",
            headers={"Host": f"127.0.0.1:{port}", "Authorization": access.authorization(token)},
        )
        response = connection.getresponse()
        return json.loads(response.read()) if response.status == 200 else None
    except OSError:
        return None
