"""CloudFormation resource handler for ``AWS::Logs::LogGroup`` (moto's cannot be updated).

It calls moto's CloudWatch Logs backend. Ref and GetAtt follow the CloudFormation resource
schemas (cfn-lint 1.58).
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.logs.models import logs_backends

from lab.sandbox.cloudformation.base import StackResource, tags_to_dict


class LogsLogGroup(StackResource, CloudFormationModel):
    """``AWS::Logs::LogGroup``: Ref is the name; GetAtt Arn ends in ``:*`` as on AWS.

    moto's model cannot be updated (a retention change failed the update).
    """

    TYPE = "AWS::Logs::LogGroup"
    BACKENDS = logs_backends
    ATTRIBUTES = ("Arn",)
    NAME_PROPERTY = "LogGroupName"
    MUTABLE_PROPERTIES = frozenset({"RetentionInDays", "Tags", "KmsKeyId", "DataProtectionPolicy"})

    def make(self, name: str, properties: dict[str, Any]) -> str:
        logs = self.moto_backend
        group = logs.create_log_group(
            name, tags_to_dict(properties.get("Tags")), kmsKeyId=properties.get("KmsKeyId")
        )
        if properties.get("RetentionInDays") is not None:
            logs.put_retention_policy(group.name, int(properties["RetentionInDays"]))
        return group.name

    def attribute(self, name: str) -> Any:
        group = self.moto_backend.groups[self.physical_id]
        return f"{group.arn}:*"

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        logs = self.moto_backend
        group = logs.groups[self.physical_id]
        if "RetentionInDays" in changed:
            if properties.get("RetentionInDays") is None:
                logs.delete_retention_policy(self.physical_id)
            else:
                logs.put_retention_policy(self.physical_id, int(properties["RetentionInDays"]))
        if "KmsKeyId" in changed:
            group.kms_key_id = properties.get("KmsKeyId")
        if "Tags" in changed:
            old = tags_to_dict(self.properties.get("Tags"))
            if old:
                logs.untag_resource(group.arn, list(old))
            logs.tag_resource(group.arn, tags_to_dict(properties.get("Tags")))

    def remove(self) -> None:
        logs = self.moto_backend
        if self.physical_id in logs.groups:
            logs.delete_log_group(self.physical_id)
