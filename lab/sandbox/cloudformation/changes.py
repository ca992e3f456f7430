"""What a change set changes: the resource changes between two templates, what the caller
must acknowledge (capabilities, a role) before CloudFormation makes them, and which
resources a template value refers to (:func:`references`, the stack's update order).

:mod:`.changesets` (the operations) describes and executes what this computes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation.exceptions import CloudFormationError, ValidationError

from lab.sandbox.cloudformation.create_only import CREATE_ONLY_PROPERTIES

_IAM_TYPES = {
    "AWS::IAM::AccessKey",
    "AWS::IAM::Group",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::UserToGroupAddition",
}
_IAM_NAME_PROPERTIES = {
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
}
# Resource attributes a change set reports in a change's Scope.
_SCOPES = ("Properties", "Metadata", "CreationPolicy", "UpdatePolicy", "DeletionPolicy")

class InsufficientCapabilities(CloudFormationError):
    code = "InsufficientCapabilitiesException"


def without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def references(value: Any) -> set[str]:
    """Logical ids a template value points at through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                found.add(target)
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                found.update(name.split(".")[0] for name in re.findall(r"\$\{([^!}][^}]*)\}", text))
                found.update(references(inner[1] if isinstance(inner, list) else None))
            else:
                found.update(references(inner))
    elif isinstance(value, list):
        for item in value:
            found.update(references(item))
    return found


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _context(resource_json: dict[str, Any]) -> str:
    return json.dumps({key: resource_json[key] for key in _SCOPES if key in resource_json})


def _recreation(resource_type: str, prop: str) -> str:
    create_only = CREATE_ONLY_PROPERTIES.get(resource_type)
    if create_only is None:
        return "Conditionally"
    return "Always" if prop in create_only else "Never"


def compute_changes(
    old_resources: dict[str, Any], new_resources: dict[str, Any], stack: cfn_models.Stack | None
) -> list[dict[str, Any]]:
    """The change set's ``Changes``: additions, modifications, then removals."""
    changes = []

    def physical_id(logical_id: str) -> str | None:
        if stack is None:
            return None
        resource = stack.resource_map._parsed_resources.get(logical_id)
        value = getattr(resource, "physical_resource_id", None)
        return value if isinstance(value, str) else None

    for logical_id, resource_json in new_resources.items():
        old_json = old_resources.get(logical_id)
        resource_type = resource_json.get("Type", "")
        if old_json is None or old_json.get("Type") != resource_type:
            changes.append(
                {
                    "Type": "Resource",
                    "ResourceChange": {
                        "Action": "Add",
                        "LogicalResourceId": logical_id,
                        "ResourceType": resource_type,
                        "Scope": [],
                        "Details": [],
                        "AfterContext": _context(resource_json),
                    },
                }
            )
            continue
        if old_json == resource_json:
            continue
        scope = [key for key in _SCOPES if old_json.get(key) != resource_json.get(key)]
        details = []
        old_props = old_json.get("Properties", {}) or {}
        new_props = resource_json.get("Properties", {}) or {}
        for prop in sorted(set(old_props) | set(new_props)):
            if old_props.get(prop) == new_props.get(prop):
                continue
            target: dict[str, Any] = {
                "Attribute": "Properties",
                "Name": prop,
                "RequiresRecreation": _recreation(resource_type, prop),
                "Path": f"/Properties/{prop}",
                "AttributeChangeType": (
                    "Add"
                    if prop not in old_props
                    else "Remove"
                    if prop not in new_props
                    else "Modify"
                ),
            }
            if prop in old_props:
                target["BeforeValue"] = _json_text(old_props[prop])
            if prop in new_props:
                target["AfterValue"] = _json_text(new_props[prop])
            details.append(
                {"Target": target, "Evaluation": "Static", "ChangeSource": "DirectModification"}
            )
        for attribute in scope:
            if attribute != "Properties":
                details.append(
                    {
                        "Target": {"Attribute": attribute, "RequiresRecreation": "Never"},
                        "Evaluation": "Static",
                        "ChangeSource": "DirectModification",
                    }
                )
        recreations = {detail["Target"]["RequiresRecreation"] for detail in details}
        replacement = (
            "True"
            if "Always" in recreations
            else "Conditional"
            if "Conditionally" in recreations
            else "False"
        )
        changes.append(
            {
                "Type": "Resource",
                "ResourceChange": without_none(
                    {
                        "Action": "Modify",
                        "LogicalResourceId": logical_id,
                        "PhysicalResourceId": physical_id(logical_id),
                        "ResourceType": resource_type,
                        "Replacement": replacement,
                        "Scope": scope,
                        "Details": details,
                        "BeforeContext": _context(old_json),
                        "AfterContext": _context(resource_json),
                    }
                ),
            }
        )
    for logical_id, old_json in old_resources.items():
        if logical_id in new_resources and new_resources[logical_id].get("Type") == old_json.get(
            "Type"
        ):
            continue
        changes.append(
            {
                "Type": "Resource",
                "ResourceChange": without_none(
                    {
                        "PolicyAction": "Retain"
                        if old_json.get("DeletionPolicy") == "Retain"
                        else "Delete",
                        "Action": "Remove",
                        "LogicalResourceId": logical_id,
                        "PhysicalResourceId": physical_id(logical_id),
                        "ResourceType": old_json.get("Type", ""),
                        "Scope": [],
                        "Details": [],
                        "BeforeContext": _context(old_json),
                    }
                ),
            }
        )
    return changes


def required_capabilities(template: dict[str, Any]) -> set[str]:
    """``CAPABILITY_IAM`` for IAM resources, ``CAPABILITY_NAMED_IAM`` when one is named."""
    needed: set[str] = set()
    for resource in (template.get("Resources") or {}).values():
        resource_type = resource.get("Type", "")
        if resource_type in _IAM_TYPES:
            needed.add("CAPABILITY_IAM")
            name_property = _IAM_NAME_PROPERTIES.get(resource_type)
            if name_property and name_property in (resource.get("Properties") or {}):
                needed.add("CAPABILITY_NAMED_IAM")
    return needed


def check_capabilities(template: dict[str, Any], capabilities: list[str]) -> None:
    needed = required_capabilities(template)
    if "CAPABILITY_NAMED_IAM" in needed and "CAPABILITY_NAMED_IAM" not in capabilities:
        raise InsufficientCapabilities("Requires capabilities : [CAPABILITY_NAMED_IAM]")
    if "CAPABILITY_IAM" in needed and not {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"} & set(
        capabilities
    ):
        raise InsufficientCapabilities("Requires capabilities : [CAPABILITY_IAM]")
    if "Transform" in template and "CAPABILITY_AUTO_EXPAND" not in capabilities:
        raise InsufficientCapabilities("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")


def check_role(role_arn: str | None, account_id: str) -> None:
    """A service role must exist: CloudFormation assumes it for every operation."""
    if not role_arn:
        return
    from moto.iam.models import iam_backends

    name = role_arn.rsplit("/", 1)[-1]
    backend = iam_backends[account_id]["global"]
    if not any(role.arn == role_arn or role.name == name for role in backend.roles.values()):
        raise ValidationError(message=f"Role {role_arn} is invalid or cannot be assumed")
