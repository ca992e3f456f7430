"""Secrets never reach output: every value the lab prints passes through here."""

from __future__ import annotations

import re
from typing import Any

# Keys whose values are secrets wherever they appear in an AWS response.
_SECRET_KEYS = re.compile(r"(apikeyvalue|^value$|secret(?!arn)|password|token|x-api-key)", re.I)
_ACCESS_KEY = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
# An API key header quoted inside free text (an error cause echoes a request's
# headers or body): keep the name, mask the value.
_SECRET_HEADER = re.compile(
    r"""(?ix)
    (["']?(?:x-api-key|authorization|api[_-]?key)["']?\s*[:=]\s*["']?)
    ([^"',}\s]+)
    """
)
MASK = "****"


def mask_value(value: Any) -> str:
    """Replace a secret with a fixed mask that reveals nothing (not even its length)."""
    return MASK if value not in (None, "") else ""


def mask_secrets(data: Any) -> Any:
    """A copy of ``data`` (dicts/lists from boto3) with every secret-looking value masked."""
    if isinstance(data, dict):
        return {
            k: (mask_value(v) if isinstance(k, str) and _SECRET_KEYS.search(k)
                and isinstance(v, str | int) else mask_secrets(v))
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [mask_secrets(v) for v in data]
    if isinstance(data, str):
        return mask_text(data)
    return data


def mask_text(text: str) -> str:
    """``text`` with access key ids and the values of API-key-like headers masked."""
    text = _SECRET_HEADER.sub(lambda m: m.group(1) + MASK, text)
    return _ACCESS_KEY.sub(MASK, text)
