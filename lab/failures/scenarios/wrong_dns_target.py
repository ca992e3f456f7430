"""The resource configuration points at a DNS name that is not the API's endpoint.

Expected: no HTTP answer, ``States.Http.Socket``.

The wrong target is a publicly resolvable AWS name (the region's STS endpoint), not a
made-up one: a resource gateway resolves a DNS target through public DNS by default
(``resourceConfigDnsResolution`` PUBLIC), so a name that resolves nowhere is not a path
AWS promises to accept. STS answers public addresses, which the gateway's security group
(egress 443 to the VPC's CIDR only) and the isolated subnets never reach: no answer. If
AWS refuses the update anyway, the scenario says so in one sentence.
"""

from __future__ import annotations

import copy

from cdk_app.names import Output
from lab.errors import LabError
from lab.failures.scenario import Scenario, Undo
from lab.failures.stack import DeployedLab, error_code
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
    wrong["dnsResource"]["domainName"] = wrong_target(lab.cfg.region)
    try:
        _set_definition(lab, wrong)
    except lab.client("vpc-lattice").exceptions.ClientError as exc:
        raise LabError(
            f"VPC Lattice refused to point the resource configuration at "
            f"{wrong_target(lab.cfg.region)} ({error_code(exc)}: {exc}); this break cannot "
            "be shown on this account, the configuration is put back as deployed."
        ) from exc


def wrong_target(region: str) -> str:
    """A publicly resolvable AWS name that is not the API's endpoint: the region's STS."""
    return f"sts.{region}.amazonaws.com"


def _drift_dns_target(lab: DeployedLab) -> str | None:
    actual = _configuration(lab)["resourceConfigurationDefinition"]["dnsResource"]["domainName"]
    intended = _intended_definition(lab)["dnsResource"]["domainName"]
    return None if actual == intended else f"the DNS target is {actual}, not {intended}"


SCENARIO = Scenario(
    "wrong_dns_target",
    "the resource configuration's DNS name points at a public AWS name (the region's STS), "
    "not the API's endpoint (UpdateResourceConfiguration)",
    "States.Http.Socket",
    "restore the endpoint's regional DNS name",
    "the name resolves to public addresses the gateway cannot reach; the task fails with no "
    "HTTP response after its 60 s timeout",
    _break_wrong_dns_target, _drift_dns_target,
    lambda lab: _set_definition(lab, _intended_definition(lab)),
)
