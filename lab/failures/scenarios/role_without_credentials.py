"""The execution role loses ``events:RetrieveConnectionCredentials``.

Expected: ``Events.ConnectionResource.AccessDenied``: Step Functions reads the connection's
credentials as the execution role, which needs ``events:RetrieveConnectionCredentials`` on
the connection (and ``secretsmanager:GetSecretValue``/``DescribeSecret`` on its secret;
call-https-apis.html). The break adds an inline policy that denies the action (an explicit
``Deny`` wins over the stack's ``Allow``, as a learner's too-narrow policy would leave it
out); the repair deletes it. IAM changes reach AWS's services with a delay (IAM is
eventually consistent), so on AWS the first runs after the break, or after the repair, may
still see the old policy.
"""

from __future__ import annotations

import json

from lab.failures.scenario import Scenario, Undo
from lab.failures.stack import TEMP_PREFIX, DeployedLab, delete_role_policy

DENY_POLICY_NAME = f"{TEMP_PREFIX}-deny-connection-credentials"
ACTION = "events:RetrieveConnectionCredentials"


def _roles(lab: DeployedLab) -> list[str]:
    sfn = lab.client("stepfunctions")
    names = []
    for arn in lab.state_machine_arns:
        name = sfn.describe_state_machine(stateMachineArn=arn)["roleArn"].rsplit("/", 1)[-1]
        if name not in names:
            names.append(name)
    return names


def _break_role_without_credentials(lab: DeployedLab, undo: Undo) -> None:
    iam = lab.client("iam")
    document = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "FailureLabDenyConnectionCredentials",
            "Effect": "Deny",
            "Action": ACTION,
            "Resource": "*",
        }],
    })
    for role in _roles(lab):
        undo.push(f"delete the deny policy of role {role}", lambda role=role: _delete(lab, role))
        iam.put_role_policy(RoleName=role, PolicyName=DENY_POLICY_NAME, PolicyDocument=document)
    lab.settle()


def _delete(lab: DeployedLab, role: str) -> None:
    delete_role_policy(lab, role, DENY_POLICY_NAME)


def _drift_role_without_credentials(lab: DeployedLab) -> str | None:
    iam = lab.client("iam")
    problems = [
        f"role {role} has the deny policy {DENY_POLICY_NAME}"
        for role in _roles(lab)
        if DENY_POLICY_NAME in iam.list_role_policies(RoleName=role)["PolicyNames"]
    ]
    return "; ".join(problems) or None


def _restore_role_without_credentials(lab: DeployedLab) -> None:
    for role in _roles(lab):
        _delete(lab, role)
    lab.settle()


SCENARIO = Scenario(
    "role_without_credentials",
    f"the execution role may no longer call {ACTION} (an inline Deny policy, PutRolePolicy)",
    "Events.ConnectionResource.AccessDenied",
    f"give the execution role {ACTION} on the connection again (delete the Deny)",
    "IAM is eventually consistent: a change takes seconds to reach Step Functions, so the "
    "first runs after the break (or the repair) may still see the old policy",
    _break_role_without_credentials, _drift_role_without_credentials,
    _restore_role_without_credentials,
    reproducible_on_aws=False,
)
