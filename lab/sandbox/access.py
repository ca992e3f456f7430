"""Who may drive the sandbox: only its user, never a web page or another client.

Anything listening on 127.0.0.1 is reachable from the learner's browser: a page can send
"simple" cross-site requests (``text/plain`` or form POSTs, GETs) without a preflight,
and DNS rebinding points a name the page controls at 127.0.0.1, defeating a loopback
bind alone. The Jupyter server's answer is the model (its ``check_host``, token and
XSRF checks); the sandbox does the same, per request, before anything else runs:

1. **Host**: only ``127.0.0.1``, ``localhost`` or ``[::1]`` with the sandbox's port
   (a rebinding page's requests carry *its* host name). The one exception is the private
   API's host names (``*.execute-api.*.amazonaws.com``), and only on requests that came
   along the sandbox's own network path (3).
2. **Cross-site requests**: a request that a browser marks as coming from a page of
   another origin (an ``Origin`` header, or ``Sec-Fetch-Site: cross-site|same-site``) is
   refused, and no response ever carries CORS headers (moto's ``flask_cors`` answered
   every ``Origin`` with ``Access-Control-Allow-Origin: <that origin>`` and allowed
   ``x-amz-target``, so a page could read ``GetSecretValue``). AWS API calls must be
   signed (an ``Authorization`` header, or a presigned URL), as AWS requires: a browser
   cannot add that header cross-site without a preflight, which the sandbox never grants.
3. **The control API** (``/lab-api/*``, and moto's own ``/moto-api/*``) needs the
   sandbox's token: ``Authorization: token <token>``. The server draws a new token each
   time it starts and writes it to ``<state dir>/sandbox-<port>.token``, readable only by
   its user (mode 0600); ``lab.sandbox`` reads it from there. State-changing endpoints
   take JSON only (``Content-Type: application/json``), never a simple-request type.
4. **The network path**: the data plane trusts ``x-lab-source-vpce`` (which VPC endpoint
   a request "arrived through") only with a proof that the sandbox's network path added:
   an HMAC of the endpoint id keyed by a secret derived from the token. A request sent
   straight to the data plane, even with the header and a valid API key, arrives from
   outside the VPC, and AWS refuses that for a private API with 403 Forbidden.

Written by hand: no library does host, token and network-path checks for a WSGI app that
dispatches to moto; each check is a few lines over the standard library.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
from pathlib import Path

from lab.sandbox.once import Once

#: ``Authorization: token <token>`` (Jupyter's scheme) opens the control API.
TOKEN_SCHEME = "token"
#: The header the sandbox's network path adds to each request it carries to the data plane.
PATH_PROOF_HEADER = "x-lab-network-path"

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
_HOST = re.compile(r"^(?P<name>\[[0-9a-fA-F:.]+\]|[^:\[\]]+)(?::(?P<port>\d+))?$")


# --------------------------------------------------------------------------- the token


def new_token() -> str:
    """A fresh random token (48 hex digits)."""
    return secrets.token_hex(24)


_token: Once[str] = Once(new_token)


def process_token() -> str:
    """This process's token: the server's (set when it starts) or, in-process, a random one."""
    return _token.get()


def set_process_token(token: str) -> None:
    """Use ``token`` from now on (the server, once, before it serves)."""
    _token.set(token)
    path_secret.cache_clear()


def token_file(state_dir: Path, port: int) -> Path:
    """Where the sandbox on ``port`` keeps its token."""
    return Path(state_dir) / f"sandbox-{int(port)}.token"


def write_token_file(path: Path, token: str) -> None:
    """Write ``token`` to ``path``, readable and writable by this user only (0600), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="ascii") as stream:
            os.fchmod(stream.fileno(), 0o600)  # mkstemp already creates 0600; say it anyway
            stream.write(token)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_token_file(path: Path) -> str | None:
    """The token in ``path``, or None if there is none (no sandbox started from here)."""
    try:
        token = Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeError):
        return None
    return token or None


def authorization(token: str) -> str:
    """The ``Authorization`` header value that opens the control API."""
    return f"{TOKEN_SCHEME} {token}"


def token_matches(header: str | None, token: str) -> bool:
    """True if the ``Authorization`` header ``header`` carries ``token`` (constant time)."""
    if not header:
        return False
    scheme, _, presented = header.strip().partition(" ")
    if scheme.lower() != TOKEN_SCHEME:
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


# --------------------------------------------------------------------------- the network path


def _derive(token: str) -> bytes:
    return hmac.new(token.encode(), b"lab-sandbox-network-path", hashlib.sha256).digest()


class _SecretCache:
    """The network-path secret of this process's token, derived once per token."""

    def __init__(self) -> None:
        self._for: tuple[str, bytes] | None = None

    def __call__(self) -> bytes:
        token = process_token()
        cached = self._for
        if cached is None or cached[0] != token:
            cached = (token, _derive(token))
            self._for = cached
        return cached[1]

    def cache_clear(self) -> None:
        self._for = None


path_secret = _SecretCache()


def path_proof(source_vpce: str | None, token: str | None = None) -> str:
    """The proof the network path adds for a request from ``source_vpce`` (None: no endpoint).

    ``token`` defaults to this process's; a client that holds the sandbox's token (the
    lab's benchmark floor) can compute the same proof.
    """
    key = _derive(token) if token is not None else path_secret()
    message = f"x-lab-source-vpce:{source_vpce or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def path_proof_valid(proof: str | None, source_vpce: str | None) -> bool:
    """True if ``proof`` is what this process's network path adds for ``source_vpce``."""
    if not proof:
        return False
    return hmac.compare_digest(proof.encode(), path_proof(source_vpce).encode())


# --------------------------------------------------------------------------- host and origin


def split_host(host: str) -> tuple[str, int | None] | None:
    """``("localhost", 5599)`` for ``"localhost:5599"``; None for a malformed Host."""
    match = _HOST.match(host.strip())
    if match is None:
        return None
    port = match["port"]
    return match["name"].lower(), int(port) if port else None


def loopback_host(host: str | None, port: int | None) -> bool:
    """True if ``host`` names loopback (127.0.0.1, localhost, [::1]) with ``port``."""
    if not host:
        return False
    parts = split_host(host)
    if parts is None:
        return False
    name, given = parts
    if name.rstrip(".") not in LOOPBACK_NAMES:
        return False
    return port is None or given == port


def cross_site(environ: dict) -> str | None:
    """Why a browser marked this request as sent by another origin's page, or None."""
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        return f"it comes from a web page (Origin: {origin[:100]})"
    site = (environ.get("HTTP_SEC_FETCH_SITE") or "").strip().lower()
    if site in ("cross-site", "same-site"):
        return f"it comes from a web page (Sec-Fetch-Site: {site})"
    return None


def signed(environ: dict) -> bool:
    """True if an AWS API request carries a signature (header or presigned query)."""
    if environ.get("HTTP_AUTHORIZATION"):
        return True
    query = environ.get("QUERY_STRING", "")
    return "X-Amz-Signature=" in query or "Signature=" in query


def without_cors_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``headers`` with every ``Access-Control-*`` header dropped."""
    return [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
