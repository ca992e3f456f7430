"""The resource gateway's security group loses its tcp/443 egress rule.

Expected: no HTTP answer, ``States.Http.Socket`` (on AWS after the 60 s timeout).
"""

from __future__ import annotations

import copy

from cdk_app.names import Output
from lab.errors import LabError
from lab.failures.scenario import Scenario, Undo
from lab.failures.stack import DeployedLab, error_code


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


def _gateway_egress(lab: DeployedLab) -> list[dict]:
    return lab.client("ec2").describe_security_groups(
        GroupIds=[lab.outputs[Output.ResourceGatewaySecurityGroupId]]
    )["SecurityGroups"][0].get("IpPermissionsEgress", [])


def _authorize_egress(lab: DeployedLab, permissions: list[dict]) -> None:
    ec2 = lab.client("ec2")
    for permission in permissions:
        try:
            ec2.authorize_security_group_egress(
                GroupId=lab.outputs[Output.ResourceGatewaySecurityGroupId],
                IpPermissions=[permission])
        except ec2.exceptions.ClientError as exc:
            if error_code(exc) != "InvalidPermission.Duplicate":
                raise


def _break_gateway_sg_no_egress(lab: DeployedLab, undo: Undo) -> None:
    original = [_permission(rule) for rule in _gateway_egress(lab) if _allows_https(rule)]
    if not original:
        raise LabError("the gateway's security group already allows no tcp/443 egress; "
                       "run lab.failures.repair_all() first.")
    undo.push("re-authorize the original egress rule(s)", lambda: _authorize_egress(lab, original))
    lab.client("ec2").revoke_security_group_egress(
        GroupId=lab.outputs[Output.ResourceGatewaySecurityGroupId], IpPermissions=original)


def _intended_egress(lab: DeployedLab) -> list[dict]:
    group = next(lid for lid, pid in lab.physical_ids.items()
                 if pid == lab.outputs[Output.ResourceGatewaySecurityGroupId])
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


def _missing_egress(lab: DeployedLab) -> list[dict]:
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


def _drift_gateway_egress(lab: DeployedLab) -> str | None:
    missing = _missing_egress(lab)
    if missing:
        return f"{len(missing)} egress rule(s) of the template are missing from the gateway's SG"
    return None


def _restore_gateway_egress(lab: DeployedLab) -> None:
    _authorize_egress(lab, _missing_egress(lab))


SCENARIO = Scenario(
    "gateway_sg_no_egress",
    "the resource gateway's security group loses its tcp/443 egress rule "
    "(RevokeSecurityGroupEgress)",
    "States.Http.Socket",
    "authorize exactly the original egress rule again",
    "the dropped connection attempt fails only after the HTTP Task's 60 s timeout",
    _break_gateway_sg_no_egress, _drift_gateway_egress, _restore_gateway_egress,
)
