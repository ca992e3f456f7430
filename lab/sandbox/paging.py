"""One page of a List operation's items, for the sandbox's own List handlers.

The sandbox's token is the offset of the next page as a string (opaque to clients, as
AWS's tokens are); a token that is not a number starts at the beginning. Imports nothing
of the lab.
"""

from __future__ import annotations

from typing import Any

DEFAULT_LIMIT = 100


def page(
    items: list[Any], limit: Any, token: Any, key: str, token_key: str = "NextToken"
) -> dict[str, Any]:
    """The List answer: under ``key`` the items of the page ``token`` starts (``limit`` of
    them at most, default 100), under ``token_key`` the next page's token (none on the last)."""
    size = int(limit or DEFAULT_LIMIT)
    start = int(token) if token and str(token).isdigit() else 0
    body: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        body[token_key] = str(start + size)
    return body
