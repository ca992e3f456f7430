"""What GetRestApi answers for a REST API's resource policy, as AWS answers it.

API Gateway stores a resource policy with its shorthand resources expanded: a policy
put with ``"Resource": "execute-api:/*"`` reads back as
``"arn:aws:execute-api:<region>:<account>:<api-id>/*"`` (the API Gateway developer
guide's resource-policy examples show both forms). moto returns the text it was given,
so a drift check comparing the template's policy with the live one passed in the
sandbox and failed on every AWS stack; the sandbox now answers in AWS's form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.utilities.utils import get_partition

SHORTHAND = "execute-api:/"


def expand_policy(text: str | None, api_arn: str) -> str | None:
    """``text`` with every ``execute-api:/…`` resource written as ``<api_arn>/…``."""
    if not text:
        return text
    try:
        document = json.loads(text)
    except ValueError:
        return text  # not JSON: AWS would have refused it; say nothing new about it
    if not isinstance(document, dict):
        return text

    def expand(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(SHORTHAND):
            return api_arn + value[len(SHORTHAND) - 1:]
        if isinstance(value, list):
            return [expand(v) for v in value]
        return value

    for statement in document.get("Statement") or []:
        if isinstance(statement, dict):
            for key in ("Resource", "NotResource"):
                if key in statement:
                    statement[key] = expand(statement[key])
    return json.dumps(document, separators=(",", ":"))


def wrap_rest_api_to_dict(original: Callable[..., dict]) -> Callable[..., dict]:
    """``RestAPI.to_dict`` answering the policy in AWS's expanded form."""

    def to_dict(self) -> dict[str, Any]:
        answer = original(self)
        if answer.get("policy"):
            api_arn = (f"arn:{get_partition(self.region_name)}:execute-api:"
                       f"{self.region_name}:{self.account_id}:{self.id}")
            answer["policy"] = expand_policy(answer["policy"], api_arn)
        return answer

    return to_dict
