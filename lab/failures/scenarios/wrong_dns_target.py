"""The resource configuration points at a DNS name no endpoint has.

Expected: no HTTP answer, ``States.Http.Socket``.
"""

from __future__ import annotations

import copy

from cdk_app.names import Output
from lab.errors import LabError
from lab.failures.scenario import Scenario, Undo
from lab.failures.stack import OTHER_VPC_ENDPOINT, DeployedLab
from lab.waiting import wait_for


def _configuration(lab: DeployedLab) -> dict:
    return lab.client("vpc-lattice").get_resource_configuration(
        resourceConfigurationIdentifier=lab.outputs[Output.ResourceConfigurationArn])


def _intended_definition(lab: DeployedLab) -> dict:
    properties = lab.one("AWS::VpcLattice::ResourceConfiguration")[1]["Properties"]
    dns = lab.resolve(properties["ResourceConfigurationDefinition"]["DnsResource"])
    return {"dnsResource": {"domainName": dns["DomainName"],
                            "ipAddressType": dns.get("IpAddressType", "IPV4")}}


def _set_definition(lab: DeployedLab, definition: dict) -> None:
    lattice = lab.client("vpc-lattice")
    lattice.update_resource_configuration(
        resourceConfigurationIdentifier=lab.outputs[Output.ResourceConfigurationArn],
        resourceConfigurationDefinition=definition)
    name, seen = lab.outputs[Output.ResourceConfigurationId], {}

    def active():
        seen["status"] = status = _configuration(lab)["status"]
        if status.endswith("FAILED"):
            raise LabError(f"resource configuration {name} is {status}; "
                           "run lab.failures.repair_all(), or redeploy.")
        return status if status == "ACTIVE" else None

    wait_for(active, what=f"resource configuration {name} to be ACTIVE",
             timeout_s=lab.pace.resource_timeout_s, poll_s=lab.pace.resource_poll_s,
             fix="run lab.failures.repair_all(), or redeploy",
             describe=lambda: f"still {seen.get('status')}")


def _break_wrong_dns_target(lab: DeployedLab, undo: Undo) -> None:
    definition = _configuration(lab)["resourceConfigurationDefinition"]
    undo.push("point the configuration back at the endpoint's DNS name",
              lambda: _set_definition(lab, definition))
    wrong = copy.deepcopy(definition)
    # The same shape of name, for an endpoint that does not exist: resolves nowhere.
    wrong["dnsResource"]["domainName"] = definition["dnsResource"]["domainName"].replace(
        lab.outputs[Output.VpcEndpointId], OTHER_VPC_ENDPOINT)
    _set_definition(lab, wrong)


def _drift_dns_target(lab: DeployedLab) -> str | None:
    actual = _configuration(lab)["resourceConfigurationDefinition"]["dnsResource"]["domainName"]
    intended = _intended_definition(lab)["dnsResource"]["domainName"]
    return None if actual == intended else f"the DNS target is {actual}, not {intended}"


SCENARIO = Scenario(
    "wrong_dns_target",
    "the resource configuration's DNS name points at an endpoint that does not exist "
    "(UpdateResourceConfiguration)",
    "States.Http.Socket",
    "restore the endpoint's regional DNS name",
    "the name does not resolve inside the VPC; the task fails with no HTTP response",
    _break_wrong_dns_target, _drift_dns_target,
    lambda lab: _set_definition(lab, _intended_definition(lab)),
)
