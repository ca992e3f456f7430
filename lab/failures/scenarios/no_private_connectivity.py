"""The task calls through a public connection with the same key.

Expected: API Gateway's public front end refuses the private API (HTTP 403).
"""

from __future__ import annotations

import json
from typing import Any

from cdk_app.names import Output
from lab.failures.scenario import Scenario, Undo
from lab.failures.stack import TEMP_PREFIX, DeployedLab, delete_role_policy

TEMP_POLICY_NAME = f"{TEMP_PREFIX}-temporary-connection"

def _temp_connection_name(lab: DeployedLab) -> str:
    return f"{TEMP_PREFIX}-public-{lab.cfg.stack_name}"[:64]


def _break_no_private_connectivity(lab: DeployedLab, undo: Undo) -> None:
    events, sfn, iam = lab.client("events"), lab.client("stepfunctions"), lab.client("iam")
    name = _temp_connection_name(lab)
    undo.push("delete the temporary public connection", lambda: _delete_temp_connection(lab))
    created = events.create_connection(
        Name=name,
        Description="Private API Lab failure lab: the same key, no private connectivity "
                    "(temporary; lab.failures deletes it)",
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": lab.api_key_name(),
                                                 "ApiKeyValue": lab.api_key_value()}},
    )
    lab.wait_connection(name, ready="AUTHORIZED")
    temp = events.describe_connection(Name=name)

    machine = sfn.describe_state_machine(stateMachineArn=lab.state_machine_arn)
    role = machine["roleArn"].rsplit("/", 1)[-1]
    # The execution role may use only the stack's connection; let it use the temporary one.
    undo.push("remove the temporary role policy", lambda: _delete_temp_policy(lab, role))
    iam.put_role_policy(RoleName=role, PolicyName=TEMP_POLICY_NAME, PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "events:RetrieveConnectionCredentials",
             "Resource": created["ConnectionArn"]},
            {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue",
                                           "secretsmanager:DescribeSecret"],
             "Resource": temp["SecretArn"]},
        ],
    }))
    undo.push("point the state machines back at the stack's connection",
              lambda: _restore_definitions(lab))
    sfn.update_state_machine(
        stateMachineArn=lab.state_machine_arn,
        definition=machine["definition"].replace(lab.outputs[Output.ConnectionArn],
                                                 created["ConnectionArn"]),
    )
    lab.settle()


def _delete_temp_connection(lab: DeployedLab) -> None:
    events = lab.client("events")
    try:
        events.delete_connection(Name=_temp_connection_name(lab))
    except events.exceptions.ResourceNotFoundException:
        return


def _delete_temp_policy(lab: DeployedLab, role: str) -> None:
    delete_role_policy(lab, role, TEMP_POLICY_NAME)


def _connection_arns_in(definition: str) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "ConnectionArn" and isinstance(value, str):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(definition))
    return found


def _restore_definitions(lab: DeployedLab) -> None:
    sfn = lab.client("stepfunctions")
    intended = lab.outputs[Output.ConnectionArn]
    for arn in lab.state_machine_arns:
        definition = sfn.describe_state_machine(stateMachineArn=arn)["definition"]
        for other in _connection_arns_in(definition) - {intended}:
            definition = definition.replace(other, intended)
            sfn.update_state_machine(stateMachineArn=arn, definition=definition)
    lab.settle()


def _roles(lab: DeployedLab) -> list[str]:
    sfn = lab.client("stepfunctions")
    return [sfn.describe_state_machine(stateMachineArn=arn)["roleArn"].rsplit("/", 1)[-1]
            for arn in lab.state_machine_arns]


def _drift_private_connectivity(lab: DeployedLab) -> str | None:
    sfn, problems = lab.client("stepfunctions"), []
    for arn in lab.state_machine_arns:
        definition = sfn.describe_state_machine(stateMachineArn=arn)["definition"]
        if _connection_arns_in(definition) != {lab.outputs[Output.ConnectionArn]}:
            problems.append(f"{arn.rsplit(':', 1)[-1]} calls through another connection")
    try:
        lab.client("events").describe_connection(Name=_temp_connection_name(lab))
        problems.append("the temporary public connection exists")
    except lab.client("events").exceptions.ResourceNotFoundException:
        pass
    iam = lab.client("iam")
    for role in _roles(lab):
        if TEMP_POLICY_NAME in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            problems.append(f"role {role} has the temporary policy")
    return "; ".join(problems) or None


def _restore_private_connectivity(lab: DeployedLab) -> None:
    _restore_definitions(lab)
    for role in _roles(lab):
        _delete_temp_policy(lab, role)
    _delete_temp_connection(lab)


SCENARIO = Scenario(
    "no_private_connectivity",
    "the task calls through a temporary connection with the same key but no private "
    "connectivity (CreateConnection, UpdateStateMachine)",
    "States.Http.StatusCode.403",
    "point the task back at the private connection; delete the temporary one",
    "the public DNS name reaches API Gateway's public endpoint, which refuses a private "
    "API with 403 Forbidden",
    _break_no_private_connectivity, _drift_private_connectivity,
    _restore_private_connectivity,
)
