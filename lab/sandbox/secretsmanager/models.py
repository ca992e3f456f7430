"""``{{resolve:secretsmanager:...}}`` dynamic references and ``GenerateSecretString``.

Both talk to moto's own Secrets Manager backend, so a dynamic reference resolves to exactly
what ``secretsmanager get_secret_value`` returns. The ``AWS::SecretsManager::Secret``
handler is :mod:`.cloudformation`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.secretsmanager.models import SecretsManagerBackend, secretsmanager_backends
from moto.secretsmanager.utils import random_password

from lab.sandbox.cloudformation.base import as_bool

# {{resolve:secretsmanager:secret-id:SecretString:json-key:version-stage:version-id}}
# (AWS CloudFormation user guide, "Dynamic references"); every part after the
# secret id is optional, and the secret id may be a full ARN (with colons).
DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:secretsmanager:(?P<body>[^}]*)\}\}")
ARN_PARTS = 7  # arn:aws:secretsmanager:<region>:<account>:secret:<name>


def backend(account_id: str, region_name: str) -> SecretsManagerBackend:
    """moto's Secrets Manager backend for one account and region."""
    return secretsmanager_backends[account_id][region_name]


def resolve_references(text: str, account_id: str, region_name: str) -> str:
    """Replace every ``{{resolve:secretsmanager:...}}`` in ``text`` by the secret's value.

    Raises ``ValidationError`` (the stack fails, as on AWS) when the secret,
    the version or the JSON key does not exist.
    """
    return DYNAMIC_REFERENCE.sub(
        lambda match: _resolve(match.group("body"), match.group(0), account_id, region_name),
        text,
    )


def _resolve(body: str, reference: str, account_id: str, region_name: str) -> str:
    parts = body.split(":")
    if parts[0] == "arn":
        secret_id, rest = ":".join(parts[:ARN_PARTS]), parts[ARN_PARTS:]
    else:
        secret_id, rest = parts[0], parts[1:]
    rest += [""] * (4 - len(rest))
    secret_string, json_key, version_stage, version_id = rest[:4]
    if secret_string not in ("", "SecretString"):
        raise ValidationError(
            message=f"Dynamic reference {reference} is malformed: the part after the secret id "
            "must be SecretString."
        )
    try:
        value = backend(account_id, region_name).get_secret_value(
            secret_id, version_id or None, version_stage or None
        )
    except Exception as error:  # moto raises its own per-cause exception types
        raise ValidationError(
            message=f"Dynamic reference {reference} could not be resolved: secret {secret_id} "
            f"was not found ({error}). Create the secret first, or fix the reference."
        ) from error
    string = value.get("SecretString", "")
    if not json_key:
        return string
    try:
        return str(json.loads(string)[json_key])
    except (ValueError, KeyError, TypeError) as error:
        raise ValidationError(
            message=f"Dynamic reference {reference} could not be resolved: the secret's "
            f"SecretString has no JSON key {json_key!r}."
        ) from error


def generate_secret_string(settings: dict[str, Any], account_id: str, region_name: str) -> str:
    """The secret value CloudFormation makes from a ``GenerateSecretString`` property."""
    password = random_password(
        password_length=int(settings.get("PasswordLength", 32)),
        exclude_characters=settings.get("ExcludeCharacters", ""),
        exclude_numbers=as_bool(settings.get("ExcludeNumbers", False)),
        exclude_punctuation=as_bool(settings.get("ExcludePunctuation", False)),
        exclude_uppercase=as_bool(settings.get("ExcludeUppercase", False)),
        exclude_lowercase=as_bool(settings.get("ExcludeLowercase", False)),
        include_space=as_bool(settings.get("IncludeSpace", False)),
        require_each_included_type=as_bool(settings.get("RequireEachIncludedType", True)),
    )
    template = settings.get("SecretStringTemplate")
    key = settings.get("GenerateStringKey")
    if template is None and key is None:
        return password
    if template is None or key is None:
        raise ValidationError(
            message="GenerateSecretString needs both SecretStringTemplate and "
            "GenerateStringKey, or neither."
        )
    document = json.loads(template)
    document[key] = password
    return json.dumps(document)
