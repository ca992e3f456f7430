"""Failure labs (notebook 06): break one link of the path on purpose, watch it fail, repair it.

Six scenarios, each a one-call break through the public AWS APIs (the same
calls in the sandbox and on AWS) and a repair that always runs::

    with lab.broken("gateway_sg_no_egress"):
        lab.run_once()                         # fails: States.Http.Socket
    lab.run_once()                             # repaired: SUCCEEDED

    row = lab.run_failure("wrong_api_key")     # break, run, repair, run again -> one row
    lab.failure_table([row, ...])              # the rows as a table
    lab.failure_scenarios()                    # what each scenario breaks, and its fix

The repair runs when the ``with`` block ends however it ends: normally, with an
exception, or with a KeyboardInterrupt (the kernel's "interrupt" button); a
second interrupt during the repair is held back until the repair is done. If
the kernel died in the middle, :func:`repair_all` compares every link with the
deployed template's intent and puts back whatever differs.

What each break does is in :data:`SCENARIOS`. Secrets: the real API key is read
from the stack's Secrets Manager secret only to put it back; it is never printed
and every cause shown here is masked.
"""

from __future__ import annotations

import contextlib
import copy
import json
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from lab.clients import client
from lab.config import LabConfig, load_config
from lab.errors import LabError
from lab.masking import MASK, mask_secrets

#: A resource policy's other VPC endpoint: well formed, and never the lab's.
OTHER_VPC_ENDPOINT = "vpce-0000000000000000a"
#: Name prefix of everything a break creates (so repair_all finds and removes it).
TEMP_PREFIX = "lab-failure"
TEMP_POLICY_NAME = f"{TEMP_PREFIX}-temporary-connection"
TEMP_DEPLOYMENT_DESCRIPTION = f"{TEMP_PREFIX}: policy_other_endpoint (temporary)"
#: connection_not_active: in the sandbox the connection stays UPDATING/AUTHORIZING this
#: long, well past the task's retries (3 attempts, at most 1 + 2 + 4 s apart).
SANDBOX_NOT_ACTIVE_WARMUP_S = 120.0
SANDBOX_DEFAULT_WARMUP_S = 2.0
#: Longest cause text a row shows.
CAUSE_LIMIT = 160

_POLL_S = {"sandbox": 0.1, "aws": 5.0}
_WAIT_S = {"sandbox": 60.0, "aws": 900.0}
# On AWS, IAM changes and UpdateStateMachine are eventually consistent: an execution
# started at once can still see the old role policy or definition.
_AWS_SETTLE_S = 10.0


# --------------------------------------------------------------------------- the deployed lab


class _Lab:
    """The deployed stack as the breaks see it: clients, outputs, template, physical ids."""

    def __init__(self, workflow: str = "standard", cfg: LabConfig | None = None):
        from lab.deployment import outputs
        from lab.executions import WORKFLOWS

        if str(workflow).lower() not in WORKFLOWS:
            raise LabError(f"unknown workflow {workflow!r}; use 'standard' or 'express'.")
        self.cfg = cfg or load_config()
        self.workflow = str(workflow).lower()
        self.outputs = outputs(self.cfg)

    def client(self, service: str):
        return client(service, self.cfg)

    @property
    def is_sandbox(self) -> bool:
        return self.cfg.is_sandbox

    def poll(self) -> float:
        return _POLL_S[self.cfg.mode]

    def settle(self) -> None:
        """Give AWS's eventually consistent changes (IAM, state machines) time to land."""
        if not self.is_sandbox:
            time.sleep(_AWS_SETTLE_S)

    @property
    def state_machine_arn(self) -> str:
        from lab.executions import WORKFLOWS

        return self.outputs[WORKFLOWS[self.workflow]]

    @property
    def state_machine_arns(self) -> list[str]:
        from lab.executions import WORKFLOWS

        return [self.outputs[key] for key in WORKFLOWS.values()]

    @cached_property
    def template(self) -> dict:
        body = self.client("cloudformation").get_template(
            StackName=self.cfg.stack_name, TemplateStage="Original"
        )["TemplateBody"]
        return json.loads(body) if isinstance(body, str) else body

    @cached_property
    def physical_ids(self) -> dict[str, str]:
        pages = self.client("cloudformation").get_paginator("list_stack_resources").paginate(
            StackName=self.cfg.stack_name
        )
        return {
            r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
            for page in pages
            for r in page["StackResourceSummaries"]
        }

    def logical_ids(self, resource_type: str) -> list[str]:
        return sorted(
            lid for lid, r in self.template["Resources"].items() if r["Type"] == resource_type
        )

    def one(self, resource_type: str) -> tuple[str, dict]:
        """The template's only resource of ``resource_type``: (logical id, resource)."""
        found = self.logical_ids(resource_type)
        if len(found) != 1:
            raise LabError(
                f"the deployed template has {len(found)} {resource_type} resources, not one; "
                "redeploy the lab's own stack with `python -m lab deploy`."
            )
        return found[0], self.template["Resources"][found[0]]

    def resolve(self, value: Any) -> Any:
        """A template value with the intrinsics this template uses filled in from the stack."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {k: self.resolve(v) for k, v in value.items()}
        (key, arg), = value.items()
        if key == "Ref":
            return self._ref(arg)
        if key == "Fn::Join":
            return str(arg[0]).join(str(self.resolve(v)) for v in self.resolve(arg[1]))
        if key == "Fn::Select":
            return self.resolve(arg[1])[int(self.resolve(arg[0]))]
        if key == "Fn::Split":
            return str(self.resolve(arg[1])).split(arg[0])
        if key == "Fn::GetAtt":
            return self._get_att(*(arg.split(".", 1) if isinstance(arg, str) else arg))
        if key.startswith("Fn::"):
            raise LabError(f"the lab cannot resolve {key} in the deployed template; "
                           "redeploy the lab's own stack with `python -m lab deploy`.")
        return {key: self.resolve(arg)}

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.cfg.region,
            "AWS::URLSuffix": "amazonaws.com.cn" if self.cfg.region.startswith("cn-")
            else "amazonaws.com",
            "AWS::StackName": self.cfg.stack_name,
        }
        if name in pseudo:
            return pseudo[name]
        if name not in self.physical_ids:
            raise LabError(f"the stack has no resource {name}; redeploy it with "
                           "`python -m lab deploy`.")
        return self.physical_ids[name]

    def _get_att(self, logical_id: str, attribute: str) -> Any:
        resource_type = self.template["Resources"][logical_id]["Type"]
        physical = self._ref(logical_id)
        if resource_type == "AWS::EC2::VPCEndpoint" and attribute == "DnsEntries":
            endpoint = self.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[physical])
            return [f"{d.get('HostedZoneId', '')}:{d['DnsName']}"
                    for d in endpoint["VpcEndpoints"][0].get("DnsEntries", [])]
        if resource_type == "AWS::EC2::VPC" and attribute == "CidrBlock":
            return self.client("ec2").describe_vpcs(VpcIds=[physical])["Vpcs"][0]["CidrBlock"]
        raise LabError(f"the lab cannot read {logical_id}.{attribute} of the deployed stack; "
                       "redeploy the lab's own stack with `python -m lab deploy`.")

    # ----------------------------------------------------------------- the API key

    def api_key_value(self) -> str:
        """The real API key (never print it); the template's secret feeds it."""
        from lab.deployment import api_key_value

        return api_key_value(self.cfg, self.outputs["ApiKeyId"])

    def connection(self) -> dict:
        return self.client("events").describe_connection(Name=self.outputs["ConnectionName"])

    def api_key_name(self) -> str:
        auth = self.connection().get("AuthParameters", {}).get("ApiKeyAuthParameters", {})
        return auth.get("ApiKeyName") or "x-api-key"


def _code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def _wait_connection(lab: _Lab, name: str, ready: str = "ACTIVE") -> None:
    """Poll ``name`` until it is ``ready`` (ACTIVE for private, AUTHORIZED for public)."""
    events = lab.client("events")
    deadline = time.monotonic() + _WAIT_S[lab.cfg.mode]
    while True:
        described = events.describe_connection(Name=name)
        state = described["ConnectionState"]
        if state == ready:
            return
        if state in ("FAILED_CONNECTIVITY", "DEAUTHORIZED"):
            raise LabError(
                f"connection {name} is {state} "
                f"({described.get('StateReason', 'no reason given')}); "
                "redeploy with `python -m lab deploy`, then run lab.failures.repair_all()."
            )
        if time.monotonic() > deadline:
            raise LabError(f"connection {name} is still {state} after "
                           f"{_WAIT_S[lab.cfg.mode]:.0f} s; run lab.failures.repair_all() again.")
        time.sleep(lab.poll())


def _set_api_key(lab: _Lab, value: str) -> None:
    lab.client("events").update_connection(
        Name=lab.outputs["ConnectionName"],
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": lab.api_key_name(),
                                                 "ApiKeyValue": value}},
    )


# ------------------------------------------------------------ 1 wrong_api_key


def _break_wrong_api_key(lab: _Lab, undo: _Undo) -> None:
    undo.push("put the real API key back", lambda: _restore_api_key(lab))
    _set_api_key(lab, f"{TEMP_PREFIX}-wrong-key-{uuid.uuid4().hex}")
    # A new key re-authorizes the connection; wait, so the run meets the key, not the warm-up.
    _wait_connection(lab, lab.outputs["ConnectionName"])


def _restore_api_key(lab: _Lab) -> None:
    _set_api_key(lab, lab.api_key_value())
    _wait_connection(lab, lab.outputs["ConnectionName"])


def _drift_api_key(lab: _Lab) -> str | None:
    """The connection's secret holds the stack's key? (None when it does)."""
    try:
        secret = lab.client("secretsmanager").get_secret_value(
            SecretId=lab.connection()["SecretArn"])["SecretString"]
        stored = {k.lower().replace("_", ""): v for k, v in json.loads(secret).items()}
    except Exception:  # the connection's secret is EventBridge's: if unreadable, repair anyway
        return "the connection's key cannot be read back, so it is set again"
    if stored.get("apikeyvalue") != lab.api_key_value():
        return "the connection's API key is not the stack's"
    return None


# ------------------------------------------------------------ 2 no_private_connectivity


def _temp_connection_name(lab: _Lab) -> str:
    return f"{TEMP_PREFIX}-public-{lab.cfg.stack_name}"[:64]


def _break_no_private_connectivity(lab: _Lab, undo: _Undo) -> None:
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
    _wait_connection(lab, name, ready="AUTHORIZED")
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
        definition=machine["definition"].replace(lab.outputs["ConnectionArn"],
                                                 created["ConnectionArn"]),
    )
    lab.settle()


def _delete_temp_connection(lab: _Lab) -> None:
    events = lab.client("events")
    try:
        events.delete_connection(Name=_temp_connection_name(lab))
    except events.exceptions.ResourceNotFoundException:
        return


def _delete_temp_policy(lab: _Lab, role: str) -> None:
    iam = lab.client("iam")
    try:
        iam.delete_role_policy(RoleName=role, PolicyName=TEMP_POLICY_NAME)
    except iam.exceptions.NoSuchEntityException:
        return


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


def _restore_definitions(lab: _Lab) -> None:
    sfn = lab.client("stepfunctions")
    intended = lab.outputs["ConnectionArn"]
    for arn in lab.state_machine_arns:
        definition = sfn.describe_state_machine(stateMachineArn=arn)["definition"]
        for other in _connection_arns_in(definition) - {intended}:
            definition = definition.replace(other, intended)
            sfn.update_state_machine(stateMachineArn=arn, definition=definition)
    lab.settle()


def _roles(lab: _Lab) -> list[str]:
    sfn = lab.client("stepfunctions")
    return [sfn.describe_state_machine(stateMachineArn=arn)["roleArn"].rsplit("/", 1)[-1]
            for arn in lab.state_machine_arns]


def _drift_private_connectivity(lab: _Lab) -> str | None:
    sfn, problems = lab.client("stepfunctions"), []
    for arn in lab.state_machine_arns:
        definition = sfn.describe_state_machine(stateMachineArn=arn)["definition"]
        if _connection_arns_in(definition) != {lab.outputs["ConnectionArn"]}:
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


def _restore_private_connectivity(lab: _Lab) -> None:
    _restore_definitions(lab)
    for role in _roles(lab):
        _delete_temp_policy(lab, role)
    _delete_temp_connection(lab)


# ------------------------------------------------------------ 3 gateway_sg_no_egress


def _permission(rule: dict) -> dict:
    """One egress rule as authorize/revoke take it (only the fields AWS returns that matter)."""
    keep = ("IpProtocol", "FromPort", "ToPort", "IpRanges", "Ipv6Ranges", "PrefixListIds",
            "UserIdGroupPairs")
    permission = {k: copy.deepcopy(rule[k]) for k in keep if rule.get(k) not in (None, [])}
    for pair in permission.get("UserIdGroupPairs", []):
        for extra in ("UserId", "VpcId", "VpcPeeringConnectionId", "PeeringStatus"):
            pair.pop(extra, None)
    return permission


def _allows_https(rule: dict) -> bool:
    if rule.get("IpProtocol") == "-1":
        return True
    return rule.get("IpProtocol") == "tcp" and rule.get("FromPort", 0) <= 443 <= rule.get(
        "ToPort", -1)


def _gateway_egress(lab: _Lab) -> list[dict]:
    return lab.client("ec2").describe_security_groups(
        GroupIds=[lab.outputs["ResourceGatewaySecurityGroupId"]]
    )["SecurityGroups"][0].get("IpPermissionsEgress", [])


def _authorize_egress(lab: _Lab, permissions: list[dict]) -> None:
    ec2 = lab.client("ec2")
    for permission in permissions:
        try:
            ec2.authorize_security_group_egress(
                GroupId=lab.outputs["ResourceGatewaySecurityGroupId"], IpPermissions=[permission])
        except ec2.exceptions.ClientError as exc:
            if _code(exc) != "InvalidPermission.Duplicate":
                raise


def _break_gateway_sg_no_egress(lab: _Lab, undo: _Undo) -> None:
    original = [_permission(rule) for rule in _gateway_egress(lab) if _allows_https(rule)]
    if not original:
        raise LabError("the gateway's security group already allows no tcp/443 egress; "
                       "run lab.failures.repair_all() first.")
    undo.push("re-authorize the original egress rule(s)", lambda: _authorize_egress(lab, original))
    lab.client("ec2").revoke_security_group_egress(
        GroupId=lab.outputs["ResourceGatewaySecurityGroupId"], IpPermissions=original)


def _intended_egress(lab: _Lab) -> list[dict]:
    group = next(lid for lid, pid in lab.physical_ids.items()
                 if pid == lab.outputs["ResourceGatewaySecurityGroupId"])
    properties = lab.template["Resources"][group]["Properties"]
    rules = lab.resolve(properties.get("SecurityGroupEgress", []))
    permissions = []
    for rule in rules:
        permission = {"IpProtocol": str(rule["IpProtocol"]), "FromPort": int(rule["FromPort"]),
                      "ToPort": int(rule["ToPort"])}
        description = {"Description": rule["Description"]} if rule.get("Description") else {}
        if rule.get("CidrIp"):
            permission["IpRanges"] = [{"CidrIp": rule["CidrIp"], **description}]
        elif rule.get("DestinationSecurityGroupId"):
            permission["UserIdGroupPairs"] = [
                {"GroupId": rule["DestinationSecurityGroupId"], **description}]
        permissions.append(permission)
    return permissions


def _missing_egress(lab: _Lab) -> list[dict]:
    present = {(r.get("IpProtocol"), r.get("FromPort"), r.get("ToPort"), ip.get("CidrIp"))
               for r in _gateway_egress(lab) for ip in r.get("IpRanges", [])}
    present |= {(r.get("IpProtocol"), r.get("FromPort"), r.get("ToPort"), g.get("GroupId"))
                for r in _gateway_egress(lab) for g in r.get("UserIdGroupPairs", [])}
    missing = []
    for permission in _intended_egress(lab):
        peers = [ip["CidrIp"] for ip in permission.get("IpRanges", [])] + [
            g["GroupId"] for g in permission.get("UserIdGroupPairs", [])]
        key = (permission["IpProtocol"], permission["FromPort"], permission["ToPort"])
        if any((*key, peer) not in present for peer in peers):
            missing.append(permission)
    return missing


def _drift_gateway_egress(lab: _Lab) -> str | None:
    missing = _missing_egress(lab)
    if missing:
        return f"{len(missing)} egress rule(s) of the template are missing from the gateway's SG"
    return None


def _restore_gateway_egress(lab: _Lab) -> None:
    _authorize_egress(lab, _missing_egress(lab))


# ------------------------------------------------------------ 4 connection_not_active


def _break_connection_not_active(lab: _Lab, undo: _Undo) -> None:
    if lab.is_sandbox:
        from lab import sandbox

        before = sandbox.configure()["connection_warmup_seconds"]
        undo.push("wait until the connection is ACTIVE again",
                  lambda: _restore_connection_active(lab, before))
        sandbox.configure(connection_warmup_seconds=SANDBOX_NOT_ACTIVE_WARMUP_S)
    else:
        undo.push("wait until the connection is ACTIVE again",
                  lambda: _restore_connection_active(lab, None))
    # Setting the same key again re-authorizes the connection: UPDATING -> AUTHORIZING -> ACTIVE.
    _set_api_key(lab, lab.api_key_value())


def _restore_connection_active(lab: _Lab, sandbox_warmup: float | None) -> None:
    name = lab.outputs["ConnectionName"]
    if lab.is_sandbox:
        from lab import sandbox

        current = sandbox.configure()["connection_warmup_seconds"]
        if sandbox_warmup is None:  # repair_all: no record of the value before the break
            sandbox_warmup = (SANDBOX_DEFAULT_WARMUP_S
                              if current == SANDBOX_NOT_ACTIVE_WARMUP_S else current)
        sandbox.configure(connection_warmup_seconds=sandbox_warmup)
        if lab.connection()["ConnectionState"] != "ACTIVE":
            # The sandbox fixed the long warm-up when the break updated the connection;
            # updating it again starts a warm-up of the normal length.
            _set_api_key(lab, lab.api_key_value())
    _wait_connection(lab, name)


def _drift_connection_active(lab: _Lab) -> str | None:
    problems = []
    state = lab.connection()["ConnectionState"]
    if state != "ACTIVE":
        problems.append(f"the connection is {state}")
    if lab.is_sandbox:
        from lab import sandbox

        if sandbox.configure()["connection_warmup_seconds"] == SANDBOX_NOT_ACTIVE_WARMUP_S:
            problems.append("the sandbox's connection warm-up is still the failure lab's")
    return "; ".join(problems) or None


# ------------------------------------------------------------ 5 policy_other_endpoint


def _rest_api_policy(lab: _Lab) -> dict | None:
    text = lab.client("apigateway").get_rest_api(restApiId=lab.outputs["RestApiId"]).get("policy")
    if not text:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = json.loads(text.replace('\\"', '"'))  # AWS returns it with escaped quotes
    return json.loads(parsed) if isinstance(parsed, str) else parsed


def _intended_policy(lab: _Lab) -> dict:
    return lab.resolve(lab.one("AWS::ApiGateway::RestApi")[1]["Properties"]["Policy"])


def _intended_deployment(lab: _Lab) -> str:
    return lab._ref(lab.one("AWS::ApiGateway::Deployment")[0])


def _stage_name(lab: _Lab) -> str:
    return lab.outputs["ApiRootUrl"].rstrip("/").rsplit("/", 1)[-1]


def _set_policy(lab: _Lab, policy: dict) -> None:
    lab.client("apigateway").update_rest_api(
        restApiId=lab.outputs["RestApiId"],
        patchOperations=[{"op": "replace", "path": "/policy", "value": json.dumps(policy)}],
    )


def _break_policy_other_endpoint(lab: _Lab, undo: _Undo) -> None:
    apigateway, api_id = lab.client("apigateway"), lab.outputs["RestApiId"]
    original = apigateway.get_stage(restApiId=api_id, stageName=_stage_name(lab))["deploymentId"]
    undo.push("restore the policy and the stage's deployment",
              lambda: _restore_policy(lab, original))
    policy = json.loads(json.dumps(_intended_policy(lab)).replace(
        lab.outputs["VpcEndpointId"], OTHER_VPC_ENDPOINT))
    _set_policy(lab, policy)
    # A policy change takes effect only when deployed: a new deployment, then the stage on it.
    deployment = apigateway.create_deployment(restApiId=api_id,
                                              description=TEMP_DEPLOYMENT_DESCRIPTION)["id"]
    apigateway.update_stage(
        restApiId=api_id, stageName=_stage_name(lab),
        patchOperations=[{"op": "replace", "path": "/deploymentId", "value": deployment}])


def _restore_policy(lab: _Lab, deployment_id: str | None = None) -> None:
    apigateway, api_id = lab.client("apigateway"), lab.outputs["RestApiId"]
    if _rest_api_policy(lab) != _intended_policy(lab):
        _set_policy(lab, _intended_policy(lab))
    # CloudFormation's deployment is a snapshot taken with the template's policy: putting
    # the stage back on it restores what is in effect, and leaves no stray deployment.
    deployment_id = deployment_id or _intended_deployment(lab)
    stage = apigateway.get_stage(restApiId=api_id, stageName=_stage_name(lab))
    if stage["deploymentId"] != deployment_id:
        apigateway.update_stage(
            restApiId=api_id, stageName=_stage_name(lab),
            patchOperations=[{"op": "replace", "path": "/deploymentId", "value": deployment_id}])
    for deployment in apigateway.get_deployments(restApiId=api_id).get("items", []):
        if deployment.get("description") == TEMP_DEPLOYMENT_DESCRIPTION:
            apigateway.delete_deployment(restApiId=api_id, deploymentId=deployment["id"])


def _drift_policy(lab: _Lab) -> str | None:
    apigateway, api_id, problems = lab.client("apigateway"), lab.outputs["RestApiId"], []
    if _rest_api_policy(lab) != _intended_policy(lab):
        problems.append("the API's resource policy is not the template's")
    stage = apigateway.get_stage(restApiId=api_id, stageName=_stage_name(lab))
    if stage["deploymentId"] != _intended_deployment(lab):
        problems.append(f"stage {_stage_name(lab)} is not on CloudFormation's deployment")
    if any(d.get("description") == TEMP_DEPLOYMENT_DESCRIPTION
           for d in apigateway.get_deployments(restApiId=api_id).get("items", [])):
        problems.append("a temporary deployment exists")
    return "; ".join(problems) or None


# ------------------------------------------------------------ 6 wrong_dns_target


def _configuration(lab: _Lab) -> dict:
    return lab.client("vpc-lattice").get_resource_configuration(
        resourceConfigurationIdentifier=lab.outputs["ResourceConfigurationArn"])


def _intended_definition(lab: _Lab) -> dict:
    properties = lab.one("AWS::VpcLattice::ResourceConfiguration")[1]["Properties"]
    dns = lab.resolve(properties["ResourceConfigurationDefinition"]["DnsResource"])
    return {"dnsResource": {"domainName": dns["DomainName"],
                            "ipAddressType": dns.get("IpAddressType", "IPV4")}}


def _set_definition(lab: _Lab, definition: dict) -> None:
    lattice = lab.client("vpc-lattice")
    lattice.update_resource_configuration(
        resourceConfigurationIdentifier=lab.outputs["ResourceConfigurationArn"],
        resourceConfigurationDefinition=definition)
    deadline = time.monotonic() + _WAIT_S[lab.cfg.mode]
    while (status := _configuration(lab)["status"]) != "ACTIVE":
        if status.endswith("FAILED") or time.monotonic() > deadline:
            raise LabError(f"resource configuration {lab.outputs['ResourceConfigurationId']} is "
                           f"{status}; run lab.failures.repair_all(), or redeploy.")
        time.sleep(lab.poll())


def _break_wrong_dns_target(lab: _Lab, undo: _Undo) -> None:
    definition = _configuration(lab)["resourceConfigurationDefinition"]
    undo.push("point the configuration back at the endpoint's DNS name",
              lambda: _set_definition(lab, definition))
    wrong = copy.deepcopy(definition)
    # The same shape of name, for an endpoint that does not exist: resolves nowhere.
    wrong["dnsResource"]["domainName"] = definition["dnsResource"]["domainName"].replace(
        lab.outputs["VpcEndpointId"], OTHER_VPC_ENDPOINT)
    _set_definition(lab, wrong)


def _drift_dns_target(lab: _Lab) -> str | None:
    actual = _configuration(lab)["resourceConfigurationDefinition"]["dnsResource"]["domainName"]
    intended = _intended_definition(lab)["dnsResource"]["domainName"]
    return None if actual == intended else f"the DNS target is {actual}, not {intended}"


# --------------------------------------------------------------------------- the scenarios


@dataclass(frozen=True)
class Scenario:
    """One way to break the path: what it changes, how it fails, how it is put right."""

    name: str
    breaks: str
    expected_error: str
    fix: str
    on_aws: str
    apply: Callable[[_Lab, _Undo], None]
    drift: Callable[[_Lab], str | None]
    restore: Callable[[_Lab], None]


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario(
        "wrong_api_key",
        "the connection's API key value is replaced by a wrong one (UpdateConnection)",
        "States.Http.StatusCode.403",
        "set the real key again (read from the stack's Secrets Manager secret)",
        "the same 403 {\"message\": \"Forbidden\"} from API Gateway",
        _break_wrong_api_key, _drift_api_key, _restore_api_key,
    ),
    Scenario(
        "no_private_connectivity",
        "the task calls through a temporary connection with the same key but no private "
        "connectivity (CreateConnection, UpdateStateMachine)",
        "States.Http.StatusCode.403",
        "point the task back at the private connection; delete the temporary one",
        "the public DNS name reaches API Gateway's public endpoint, which refuses a private "
        "API with 403 Forbidden",
        _break_no_private_connectivity, _drift_private_connectivity,
        _restore_private_connectivity,
    ),
    Scenario(
        "gateway_sg_no_egress",
        "the resource gateway's security group loses its tcp/443 egress rule "
        "(RevokeSecurityGroupEgress)",
        "States.Http.Socket",
        "authorize exactly the original egress rule again",
        "the dropped connection attempt fails only after the HTTP Task's 60 s timeout",
        _break_gateway_sg_no_egress, _drift_gateway_egress, _restore_gateway_egress,
    ),
    Scenario(
        "connection_not_active",
        "the connection is re-authorized (UpdateConnection) and used before it is ACTIVE "
        "again; the sandbox stretches its warm-up",
        "Events.ConnectionResource.AuthInProgress",
        "wait until the connection is ACTIVE",
        "AWS re-authorizes in seconds to minutes: if it is ACTIVE within the task's retries "
        "(about 7 s), the run succeeds",
        _break_connection_not_active, _drift_connection_active,
        lambda lab: _restore_connection_active(lab, None),
    ),
    Scenario(
        "policy_other_endpoint",
        "the API's resource policy allows another VPC endpoint (UpdateRestApi, then a new "
        "deployment on stage prod)",
        "States.Http.StatusCode.403",
        "restore the template's policy and put the stage back on CloudFormation's deployment",
        "the same 403 'User: anonymous is not authorized to perform: execute-api:Invoke'",
        _break_policy_other_endpoint, _drift_policy, _restore_policy,
    ),
    Scenario(
        "wrong_dns_target",
        "the resource configuration's DNS name points at an endpoint that does not exist "
        "(UpdateResourceConfiguration)",
        "States.Http.Socket",
        "restore the endpoint's regional DNS name",
        "the name does not resolve inside the VPC; the task fails with no HTTP response",
        _break_wrong_dns_target, _drift_dns_target,
        lambda lab: _set_definition(lab, _intended_definition(lab)),
    ),
)}


def _scenario(name: str) -> Scenario:
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise LabError(f"unknown failure scenario {name!r}; use one of: {', '.join(SCENARIOS)}.")
    return scenario


def scenarios() -> pd.DataFrame:
    """The six scenarios: what each breaks, the error expected, the fix, what AWS adds."""
    rows = [{"scenario": s.name, "what breaks": s.breaks, "expected error": s.expected_error,
             "fix": s.fix, "on AWS": s.on_aws} for s in SCENARIOS.values()]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- break and repair


class _Undo:
    """Repair steps, pushed BEFORE each change, run last-in first-out."""

    def __init__(self, scenario: str):
        self.scenario = scenario
        self.steps: list[tuple[str, Callable[[], None]]] = []

    def push(self, what: str, step: Callable[[], None]) -> None:
        self.steps.append((what, step))

    def run(self) -> None:
        failed = []
        while self.steps:
            what, step = self.steps.pop()
            try:
                step()
            except Exception as exc:  # carry on: every other step still runs
                failed.append(f"{what} ({type(exc).__name__}: {mask_secrets(str(exc))})")
        if failed:
            raise LabError(
                f"the repair of {self.scenario} did not finish: {'; '.join(failed)}; "
                "run lab.failures.repair_all() to put the stack back as deployed."
            )


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C / the kernel's interrupt until the block is done, then raise it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


@dataclass(frozen=True)
class Broken:
    """What :func:`broken` yields: the scenario and the workflow whose path is broken."""

    scenario: Scenario
    workflow: str


@contextlib.contextmanager
def broken(name: str, workflow: str = "standard") -> Iterator[Broken]:
    """Break the link ``name`` for the duration of the block; the repair always runs.

    ``workflow`` is the state machine a break that edits one (``no_private_connectivity``)
    changes. Raises :class:`LabError` if the stack is not deployed, or if the repair
    could not finish (then :func:`repair_all` puts everything back).
    """
    scenario = _scenario(name)
    lab = _Lab(workflow)
    undo = _Undo(name)
    try:
        scenario.apply(lab, undo)
        yield Broken(scenario, lab.workflow)
    finally:
        with _interrupts_deferred():
            undo.run()


def repair_all(workflow: str = "standard") -> pd.DataFrame:
    """Compare every link with the deployed template's intent and repair what differs.

    For a kernel that died inside :func:`broken`. Idempotent: on an intact stack it
    changes nothing. Returns one row per scenario: what was found, what was done.
    """
    lab = _Lab(workflow)
    rows = []
    with _interrupts_deferred():
        for scenario in SCENARIOS.values():
            found = scenario.drift(lab)
            if found:
                scenario.restore(lab)
                still = scenario.drift(lab)
                if still:
                    raise LabError(f"{scenario.name} could not be repaired ({still}); "
                                   "redeploy with `python -m lab deploy`.")
            rows.append({"scenario": scenario.name, "found": found or "as deployed",
                         "action": "repaired" if found else "none"})
    return pd.DataFrame(rows, columns=["scenario", "found", "action"])


# --------------------------------------------------------------------------- runs and rows


def _short_cause(cause: str | None, secret: str | None) -> str | None:
    """The cause, masked and short; an HTTP answer as ``HTTP <code> <text>: <body>``."""
    if not cause:
        return cause
    text = cause
    try:
        answer = json.loads(cause)
    except ValueError:
        answer = None
    if isinstance(answer, dict) and "StatusCode" in answer:
        body = answer.get("ResponseBody")
        text = (f"HTTP {answer['StatusCode']} {answer.get('StatusText', '')}: "
                f"{body if isinstance(body, str) else json.dumps(body)}")
    text = str(mask_secrets(text))
    if secret:
        text = text.replace(secret, MASK)
    return text if len(text) <= CAUSE_LIMIT else text[: CAUSE_LIMIT - 1] + "…"


def _response_message(cause: str | None) -> str | None:
    try:
        body = json.loads(cause or "").get("ResponseBody")
    except (ValueError, AttributeError):
        return None
    if isinstance(body, dict):
        return body.get("message") or body.get("Message")
    return body if isinstance(body, str) else None


def surfaced_at(error: str | None, cause: str | None) -> str:
    """Which part of the path reported the failure, in words."""
    if not error:
        return "nowhere: the execution succeeded"
    if error.startswith("States.Http.StatusCode."):
        code = error.rsplit(".", 1)[-1]
        message = _response_message(cause)
        return f"API Gateway: HTTP {code}" + (f" ({message})" if message else "")
    if error == "States.Http.Socket":
        return "network path: no HTTP response (States.Http.Socket)"
    if error.startswith("Events.ConnectionResource."):
        return f"EventBridge connection: {error.rsplit('.', 1)[-1]}"
    return f"Step Functions: {error}"


def _task_failures(lab: _Lab, execution_arn: str) -> tuple[str | None, int]:
    """``("<state>: TaskFailed", attempts)`` from a STANDARD history (None, 0 if none)."""
    events = lab.client("stepfunctions").get_execution_history(
        executionArn=execution_arn, maxResults=1000)["events"]
    state = next((e["stateEnteredEventDetails"]["name"] for e in events
                  if e.get("stateEnteredEventDetails")), None)
    failed = [e for e in events if e["type"] == "TaskFailed"]
    if not failed:
        return None, 0
    return f"{state or 'task'}: TaskFailed", len(failed)


def run_scenario(name: str, workflow: str = "standard") -> dict:
    """Break ``name``, run one execution, repair, run again; returns one row.

    The row: the error and masked cause of the broken run, where it surfaced, its
    time to fail (server timestamps, retries included), and the status of the run
    after the repair (SUCCEEDED when the repair worked).
    """
    from lab.executions import run_once

    started = time.monotonic()
    with broken(name, workflow) as what:
        lab = _Lab(workflow)
        secret = lab.api_key_value()
        failed = run_once(workflow)
    event, attempts = (None, 0)
    if workflow == "standard":
        event, attempts = _task_failures(lab, failed["executionArn"])
    again = run_once(workflow)
    cause = failed.get("cause")
    return {
        "scenario": name,
        "workflow": what.workflow,
        "expected_error": what.scenario.expected_error,
        "status": failed["status"],
        "error": failed.get("error"),
        "as_expected": failed.get("error") == what.scenario.expected_error,
        "surfaced_at": surfaced_at(failed.get("error"), cause),
        "failed_event": event,
        "task_attempts": attempts or None,
        "time_to_fail_ms": failed.get("duration_ms"),
        "cause": _short_cause(cause, secret),
        "after_repair": again["status"],
        "scenario_s": round(time.monotonic() - started, 1),
    }


FAILURE_COLUMNS = ["scenario", "workflow", "expected_error", "error", "as_expected", "surfaced_at",
                   "failed_event", "task_attempts", "time_to_fail_ms", "after_repair", "cause"]


def failure_table(results: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Rows from :func:`run_scenario` as one table, in a fixed column order."""
    df = results.copy() if isinstance(results, pd.DataFrame) else pd.DataFrame(list(results))
    for column in FAILURE_COLUMNS:
        if column not in df.columns:
            df[column] = None
    return df[FAILURE_COLUMNS].reset_index(drop=True)
