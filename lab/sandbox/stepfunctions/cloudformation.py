"""CloudFormation resource handler for ``AWS::StepFunctions::StateMachine``.

moto's model ignores the type and the logging configuration, and writes into the backend
that does not execute. Ref and GetAtt follow the CloudFormation resource schemas (cfn-lint 1.58).
"""

from __future__ import annotations

import json
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel

from lab.sandbox.cloudformation.base import StackResource, as_bool, tags_to_dict


def stepfunctions(account_id: str, region_name: str) -> Any:
    """The Step Functions backend the API uses right now.

    With ``execute_state_machine`` on, moto's API reads and executes state
    machines in its parser backend, otherwise in the plain one; a stack must
    write where the API reads.
    """
    from moto.stepfunctions.responses import get_backend

    return get_backend(account_id, region_name)


class StepFunctionsStateMachine(StackResource, CloudFormationModel):
    """``AWS::StepFunctions::StateMachine``: Ref and GetAtt Arn are the ARN; keeps the
    type (STANDARD/EXPRESS) and the logging configuration."""

    TYPE = "AWS::StepFunctions::StateMachine"
    ATTRIBUTES = ("Arn", "Name", "StateMachineRevisionId")
    NAME_PROPERTY = "StateMachineName"
    MUTABLE_PROPERTIES = frozenset(
        {
            "Definition",
            "DefinitionString",
            "DefinitionSubstitutions",
            "DefinitionS3Location",
            "EncryptionConfiguration",
            "LoggingConfiguration",
            "RoleArn",
            "Tags",
            "TracingConfiguration",
        }
    )

    def make(self, name: str, properties: dict[str, Any]) -> str:
        backend = stepfunctions(self.account_id, self.region_name)
        machine = backend.create_state_machine(
            name=name,
            definition=_definition(properties, self.logical_id),
            roleArn=properties["RoleArn"],
            tags=[
                {"key": key, "value": value}
                for key, value in tags_to_dict(properties.get("Tags")).items()
            ],
            loggingConfiguration=_logging_configuration(properties.get("LoggingConfiguration")),
            tracingConfiguration=_tracing_configuration(properties.get("TracingConfiguration")),
            sm_type=properties.get("StateMachineType", "STANDARD"),
        )
        self.physical_id = machine.arn
        self.backend = backend
        return self.physical_id

    def machine(self) -> Any:
        return self.backend.describe_state_machine(self.physical_id)

    def attribute(self, name: str) -> Any:
        if name == "Arn":
            return self.physical_id
        machine = self.machine()
        if name == "Name":
            return machine.name
        return getattr(machine, "revision_id", None) or machine.arn

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        self.backend.update_state_machine(
            self.physical_id,
            definition=_definition(properties, self.logical_id),
            role_arn=properties["RoleArn"],
            logging_configuration=_logging_configuration(properties.get("LoggingConfiguration")),
            tracing_configuration=_tracing_configuration(properties.get("TracingConfiguration")),
        )

    def remove(self) -> None:
        self.backend.delete_state_machine(self.physical_id)


def _definition(properties: dict[str, Any], logical_id: str) -> str:
    """The ASL text from DefinitionString or Definition, with DefinitionSubstitutions applied."""
    if "DefinitionString" in properties:
        text = properties["DefinitionString"]
    elif "Definition" in properties:
        text = json.dumps(properties["Definition"])
    else:
        raise ValidationError(
            message=f"{logical_id}: the sandbox needs DefinitionString or Definition "
            "(DefinitionS3Location is not emulated)."
        )
    for key, value in (properties.get("DefinitionSubstitutions") or {}).items():
        text = text.replace("${" + key + "}", str(value))
    return text


def _logging_configuration(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """Template LoggingConfiguration -> the API's ``loggingConfiguration``."""
    if not config:
        return None
    return {
        "level": config.get("Level", "OFF"),
        "includeExecutionData": as_bool(config.get("IncludeExecutionData", False)),
        "destinations": [
            {
                "cloudWatchLogsLogGroup": {
                    "logGroupArn": destination["CloudWatchLogsLogGroup"]["LogGroupArn"]
                }
            }
            for destination in config.get("Destinations") or []
        ],
    }


def _tracing_configuration(config: dict[str, Any] | None) -> dict[str, Any] | None:
    if not config:
        return None
    return {"enabled": as_bool(config.get("Enabled", False))}
