"""``AWS::SecretsManager::Secret`` and ``{{resolve:secretsmanager:...}}``.

Both talk to moto's own Secrets Manager backend, so a secret created by a
stack is what ``secretsmanager get_secret_value`` returns, and a dynamic
reference resolves to exactly that value.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel
from moto.secretsmanager.models import SecretsManagerBackend, secretsmanager_backends
from moto.secretsmanager.utils import random_password

from lab.sandbox.cloudformation.base import StackResource, as_bool

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


class SecretsManagerSecret(StackResource, CloudFormationModel):
    """``AWS::SecretsManager::Secret``: Ref and GetAtt Id return the secret's ARN."""

    TYPE = "AWS::SecretsManager::Secret"
    ATTRIBUTES = ("Id",)
    NAME_PROPERTY = "Name"
    MUTABLE_PROPERTIES = frozenset({"Description", "SecretString", "Tags", "KmsKeyId"})

    @classmethod
    def create(cls, name, properties, account_id, region_name, *, logical_id, stack_id):
        if "SecretString" in properties and "GenerateSecretString" in properties:
            raise ValidationError(
                message=f"{logical_id}: set SecretString or GenerateSecretString, not both."
            )
        if "SecretString" in properties:
            value = properties["SecretString"]
        else:
            value = generate_secret_string(
                properties.get("GenerateSecretString") or {}, account_id, region_name
            )
        created = backend(account_id, region_name).create_secret(
            name=name,
            secret_string=value,
            secret_binary=None,
            description=properties.get("Description"),
            tags=properties.get("Tags"),
            kms_key_id=properties.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        return cls(
            json.loads(created)["ARN"], properties, account_id, region_name, logical_id, stack_id
        )

    def attribute(self, name: str) -> Any:
        return self.physical_id  # "Id" is the ARN, like Ref

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        secrets = backend(self.account_id, self.region_name)
        if "SecretString" in changed:
            secrets.put_secret_value(
                secret_id=self.physical_id,
                secret_string=properties.get("SecretString"),
                secret_binary=None,
                client_request_token=None,
                version_stages=["AWSCURRENT"],
            )
        if changed & {"Description", "KmsKeyId"}:
            secrets.update_secret(
                secret_id=self.physical_id,
                secret_string=None,
                secret_binary=None,
                client_request_token=None,
                kms_key_id=properties.get("KmsKeyId"),
                description=properties.get("Description"),
            )
        if "Tags" in changed:
            secret = secrets.describe_secret(self.physical_id)
            secret.tags = properties.get("Tags") or []

    def remove(self) -> None:
        # Without a recovery window, so a redeploy can reuse the name and
        # nothing lingers in the sandbox after DELETE_COMPLETE.
        backend(self.account_id, self.region_name).delete_secret(
            secret_id=self.physical_id,
            recovery_window_in_days=None,
            force_delete_without_recovery=True,
        )
