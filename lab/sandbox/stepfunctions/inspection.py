"""What TestState's ``inspectionData`` shows of an HTTP Task's request and response.

:mod:`.http_task` records into it while it calls; :mod:`.test_state` asks for it
(:data:`REVEAL_KEY` carries ``revealSecrets``). Both import this module; it imports neither.
"""

from __future__ import annotations

import http
import json

#: Set in ``inspection_data`` by TestState when it was asked to reveal secrets.
REVEAL_KEY = "__lab_reveal_secrets"


def status_text(status: int, reason: str) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return reason


def _header_text(headers: list[tuple[str, str]]) -> str:
    return "[" + ", ".join(f"{name}: {value}" for name, value in headers) + "]"


def record_request(inspection_data: dict, request) -> None:
    """inspectionData.request for the HTTP Task's ``request`` (connection-added parts hidden
    unless TestState was asked to reveal secrets)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    reveal = bool(inspection_data.get(REVEAL_KEY))
    added = request.connection_added
    headers = [
        (name, value)
        for name, value in request.headers.items()
        if reveal or name.lower() not in added.get("headers", set())
    ]
    parts = urlsplit(request.url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not reveal:
        query = [(k, v) for k, v in query if k not in added.get("query", set())]
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    body = (request.body or b"").decode("utf-8", errors="replace")
    hidden_body_keys = added.get("body", set())
    if not reveal and hidden_body_keys and body:
        try:
            value = json.loads(body)
            if isinstance(value, dict):
                body = json.dumps(
                    {k: v for k, v in value.items() if k not in hidden_body_keys},
                    separators=(",", ":"),
                )
        except ValueError:
            body = "&".join(
                pair for pair in body.split("&") if pair.split("=", 1)[0] not in hidden_body_keys
            )
    inspection_data["request"] = {
        "protocol": parts.scheme or "https",
        "method": request.method,
        "url": url,
        "headers": _header_text(headers),
        "body": body,
    }


def record_response(inspection_data: dict, request, response) -> None:
    """inspectionData.response for what came back."""
    from urllib.parse import urlsplit

    inspection_data["response"] = {
        "protocol": urlsplit(request.url).scheme or "https",
        "statusCode": str(response.status),
        "statusMessage": status_text(response.status, response.reason),
        "headers": _header_text(list(response.headers)),
        "body": response.body.decode("utf-8", errors="replace"),
    }
