"""CloudFormation resource handler for ``AWS::SecretsManager::Secret`` (moto has no model).

It calls moto's own Secrets Manager backend, so a secret created by a stack is what
``secretsmanager get_secret_value`` returns.
"""

from __future__ import annotations

import json
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel

from lab.sandbox.cloudformation.base import StackResource
from lab.sandbox.secretsmanager.models import backend, generate_secret_string


class SecretsManagerSecret(StackResource, CloudFormationModel):
    """``AWS::SecretsManager::Secret``: Ref and GetAtt Id return the secret's ARN."""

    TYPE = "AWS::SecretsManager::Secret"
    ATTRIBUTES = ("Id",)
    NAME_PROPERTY = "Name"
    MUTABLE_PROPERTIES = frozenset({"Description", "SecretString", "Tags", "KmsKeyId"})

    def make(self, name: str, properties: dict[str, Any]) -> str:
        if "SecretString" in properties and "GenerateSecretString" in properties:
            raise ValidationError(
                message=f"{self.logical_id}: set SecretString or GenerateSecretString, not both."
            )
        if "SecretString" in properties:
            value = properties["SecretString"]
        else:
            value = generate_secret_string(
                properties.get("GenerateSecretString") or {}, self.account_id, self.region_name
            )
        created = backend(self.account_id, self.region_name).create_secret(
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
        return json.loads(created)["ARN"]

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
