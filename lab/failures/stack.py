"""The deployed stack as the failure labs see it: clients, outputs, template, physical ids.

A break changes a live resource; its repair and :func:`lab.failures.repair_all` put back
what the deployed template says, so this view resolves the template's intrinsics
(``Ref``, ``Fn::GetAtt``, ``Fn::Join``…) from the stack's own resources.
"""

from __future__ import annotations

import json
import time
from functools import cached_property
from typing import Any

from cdk_app.names import WORKFLOW_OUTPUTS, Output
from lab.clients import client
from lab.config import LabConfig, load_config
from lab.errors import LabError
from lab.waiting import ModeProfile, profile, wait_for_connection

#: Name prefix of everything a break creates (so repair_all finds and removes it).
TEMP_PREFIX = "lab-failure"
#: A resource policy's or DNS name's other VPC endpoint: well formed, and never the lab's.
OTHER_VPC_ENDPOINT = "vpce-0000000000000000a"


class DeployedLab:
    """The deployed stack as the breaks see it: clients, outputs, template, physical ids."""

    def __init__(self, workflow: str = "standard", cfg: LabConfig | None = None):
        from lab.deployment import outputs
        if str(workflow).lower() not in WORKFLOW_OUTPUTS:
            raise LabError(f"unknown workflow {workflow!r}; use 'standard' or 'express'.")
        self.cfg = cfg or load_config()
        self.workflow = str(workflow).lower()
        self.outputs = outputs(self.cfg)

    def client(self, service: str):
        return client(service, self.cfg)

    @property
    def is_sandbox(self) -> bool:
        return self.cfg.is_sandbox

    @property
    def pace(self) -> ModeProfile:
        """How long this mode's waits last (aws mode: minutes; the sandbox: seconds)."""
        return profile(self.cfg)

    def settle(self) -> None:
        """Give AWS's eventually consistent changes (IAM, state machines) time to land."""
        if self.pace.settle_s:
            time.sleep(self.pace.settle_s)

    def wait_connection(self, name: str, ready: str = "ACTIVE") -> None:
        """Wait until connection ``name`` is ``ready`` (ACTIVE private, AUTHORIZED public)."""
        wait_for_connection(
            self.cfg, name, ready=ready,
            failed_fix="redeploy with `python -m lab deploy`, then run lab.failures.repair_all()",
            timeout_fix="run lab.failures.repair_all() again",
        )

    @property
    def state_machine_arn(self) -> str:
        return self.outputs[WORKFLOW_OUTPUTS[self.workflow]]

    @property
    def state_machine_arns(self) -> list[str]:
        return [self.outputs[key] for key in WORKFLOW_OUTPUTS.values()]

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

        return api_key_value(self.cfg, self.outputs[Output.ApiKeyId])

    def connection(self) -> dict:
        return self.client("events").describe_connection(Name=self.outputs[Output.ConnectionName])

    def api_key_name(self) -> str:
        auth = self.connection().get("AuthParameters", {}).get("ApiKeyAuthParameters", {})
        return auth.get("ApiKeyName") or "x-api-key"


def error_code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def set_api_key(lab: DeployedLab, value: str) -> None:
    lab.client("events").update_connection(
        Name=lab.outputs[Output.ConnectionName],
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": lab.api_key_name(),
                                                 "ApiKeyValue": value}},
    )


def delete_role_policy(lab: DeployedLab, role: str, policy_name: str) -> None:
    """Delete inline policy ``policy_name`` of ``role``; nothing to do if it is gone."""
    iam = lab.client("iam")
    try:
        iam.delete_role_policy(RoleName=role, PolicyName=policy_name)
    except iam.exceptions.NoSuchEntityException:
        return
