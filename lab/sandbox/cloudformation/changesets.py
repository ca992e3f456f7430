"""CloudFormation change sets as the CDK CLI and ``aws cloudformation deploy`` use them.

``cdk deploy`` creates a stack through a change set (``DeleteChangeSet`` of a
leftover, ``CreateChangeSet``, ``DescribeChangeSet`` until it settles,
``ExecuteChangeSet``, then ``DescribeStackEvents``), and deletes the
``REVIEW_IN_PROGRESS`` stack a diff or validation change set leaves behind.
moto 5.2.5 has the operations, but not as AWS answers them:

- ``DescribeChangeSet``'s ``Changes`` carry only an action, a logical id and
  a type: no ``Details``, ``Scope``, ``Replacement`` or ``PhysicalResourceId``,
  so a client cannot tell an in-place update from a replacement;
- ``DeleteChangeSet`` of a name that does not exist raises ``UnboundLocalError``
  (an HTTP 500), where AWS succeeds as long as the stack exists;
- names are looked up across every stack (two stacks' ``cdk-deploy-change-set``
  collide) and ``ListChangeSets`` ignores ``StackName``;
- ``ExecuteChangeSet`` of a ``CREATE`` change set updates an empty resource
  map instead of creating the stack: no dependency order (API Gateway's
  Deployment before its Method, whose ``BadRequestException`` then leaks as a
  JSON body into CloudFormation's XML protocol: the CDK CLI's "XML parse
  error"), no resource events, no rollback;
- ``ChangeSetType`` defaults to ``CREATE`` (AWS: ``UPDATE``); a ``CREATE``
  change set for an existing stack makes a second stack of that name; an
  ``UPDATE`` with nothing to change raises instead of leaving a ``FAILED``
  change set with AWS's status reason; executing one change set leaves the
  stack's others executable.

This module replaces the five operations' response handlers and keeps change
sets in the backend's ``change_sets`` (by ARN); its ``to_dict`` is the
output, so moto's output transformers for ``DescribeChangeSetOutput``
(``Changes`` wrapped in moto's ``ChangeDTO``, ``Parameters`` from a dict) are
taken out. Executing one runs the same
stack life as ``CreateStack``/``UpdateStack`` (``stacks``): resource events,
``OnStackFailure``/``DisableRollback``, rollback. Change sets are computed
synchronously, so ``CreateChangeSet`` returns one already ``CREATE_COMPLETE``
(AWS passes through ``CREATE_PENDING``/``CREATE_IN_PROGRESS``: clients poll).

What ``Changes`` holds: one ``Resource`` change per added, modified or removed
resource. A modification lists each changed top-level property
(``Evaluation: Static``, ``ChangeSource: DirectModification``) with
``RequiresRecreation`` from the type's create-only properties
(``create_only``; ``Conditionally`` for a type not in that table), and the
resource's ``Replacement`` from those. Not modelled: the ``Dynamic``
evaluations AWS adds for properties whose references change, conditions
(every resource in the template is listed), nested stacks, ``IMPORT``
change sets, hooks. With ``IncludePropertyValues``, ``BeforeContext``/
``AfterContext`` and values are the template's (unresolved) properties.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import InitVar, dataclass, field
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.exceptions import CloudFormationError, ValidationError
from moto.cloudformation.utils import generate_changeset_id, generate_stack_id
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow

from lab.sandbox import seams as lab_seams
from lab.sandbox.cloudformation import stacks
from lab.sandbox.cloudformation.changes import (
    check_capabilities,
    check_role,
    compute_changes,
    without_none,
)

NO_CHANGES_REASON = (
    "The submitted information didn't contain changes. "
    "Submit different information to create a change set."
)
_NAME_PATTERN = re.compile(r"[a-zA-Z][-a-zA-Z0-9]*")
_FAILED_STACK_STATUSES = {
    "CREATE_FAILED",
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "DELETE_COMPLETE",
}

_RESPONSES = "moto.cloudformation.responses:CloudFormationResponse."
#: The CloudFormationResponse methods replaced outright (moto's stay in ``seams.original``).
HANDLERS = (
    "create_change_set",
    "describe_change_set",
    "execute_change_set",
    "delete_change_set",
    "list_change_sets",
)


class ChangeSetNotFound(CloudFormationError):
    """botocore's ChangeSetNotFoundException (wire code ChangeSetNotFound, HTTP 404)."""

    code = "ChangeSetNotFoundException"

    def __init__(self, name: str):
        super().__init__(f"ChangeSet [{name}] does not exist")


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatusException"


class AlreadyExists(CloudFormationError):
    code = "AlreadyExistsException"


@dataclass(kw_only=True, eq=False)
class ChangeSet:
    """One change set of one stack, as DescribeChangeSet reports it."""

    stack: InitVar[cfn_models.Stack]
    change_set_name: str
    change_set_type: str
    template: str
    template_dict: dict[str, Any]
    parameters: dict[str, str]
    description: str | None
    capabilities: list[str]
    tags: dict[str, str]
    notification_arns: list[str]
    role_arn: str | None
    on_stack_failure: str | None
    region_name: InitVar[str]
    account_id: InitVar[str]
    creation_time: datetime.datetime = field(default_factory=utcnow)
    status: str = "CREATE_COMPLETE"
    execution_status: str = "AVAILABLE"
    status_reason: str | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self, stack: cfn_models.Stack, region_name: str, account_id: str) -> None:
        self.change_set_id = generate_changeset_id(self.change_set_name, region_name, account_id)
        self.stack_id = stack.stack_id
        self.stack_name = stack.name

    def summary(self) -> dict[str, Any]:
        """ListChangeSets' ChangeSetSummary."""
        return without_none(
            {
                "StackId": self.stack_id,
                "StackName": self.stack_name,
                "ChangeSetId": self.change_set_id,
                "ChangeSetName": self.change_set_name,
                "ExecutionStatus": self.execution_status,
                "Status": self.status,
                "StatusReason": self.status_reason,
                "CreationTime": self.creation_time,
                "Description": self.description,
                "IncludeNestedStacks": False,
            }
        )

    def to_dict(self, include_property_values: bool = False) -> dict[str, Any]:
        """DescribeChangeSet's output."""
        changes = self.changes
        if not include_property_values:
            changes = [_without_values(change) for change in changes]
        return without_none(
            {
                **self.summary(),
                "Parameters": [
                    {"ParameterKey": key, "ParameterValue": value}
                    for key, value in self.parameters.items()
                ],
                "NotificationARNs": self.notification_arns,
                "RollbackConfiguration": {},
                "Capabilities": self.capabilities,
                "Tags": [{"Key": key, "Value": value} for key, value in self.tags.items()],
                "Changes": changes,
                "OnStackFailure": self.on_stack_failure,
            }
        )


def _without_values(change: dict[str, Any]) -> dict[str, Any]:
    """A change as described without IncludePropertyValues."""
    resource_change = dict(change["ResourceChange"])
    resource_change.pop("BeforeContext", None)
    resource_change.pop("AfterContext", None)
    details = []
    for detail in resource_change.get("Details", []):
        target = {
            key: value
            for key, value in detail["Target"].items()
            if key not in ("Path", "BeforeValue", "AfterValue", "AttributeChangeType")
        }
        details.append({**detail, "Target": target})
    resource_change["Details"] = details
    return {**change, "ResourceChange": resource_change}


# -- the backend's view ----------------------------------------------------------------


def _change_sets(backend: cfn_models.CloudFormationBackend) -> dict[str, ChangeSet]:
    return backend.change_sets  # type: ignore[return-value]


def _active_stack(
    backend: cfn_models.CloudFormationBackend, name_or_id: str
) -> cfn_models.Stack | None:
    for stack in backend.stacks.values():
        if name_or_id in (stack.name, stack.stack_id):
            return stack
    return None


def _stack_or_error(
    backend: cfn_models.CloudFormationBackend, name_or_id: str | None
) -> cfn_models.Stack:
    stack = _active_stack(backend, name_or_id or "")
    if stack is None:
        raise ValidationError(message=f"Stack [{name_or_id}] does not exist")
    return stack


def find_change_set(
    backend: cfn_models.CloudFormationBackend, name_or_arn: str, stack_name: str | None
) -> ChangeSet | None:
    """A change set by ARN, or by name within the named stack."""
    if name_or_arn.startswith("arn:"):
        return _change_sets(backend).get(name_or_arn)
    if not stack_name:
        raise ValidationError(
            message="StackName must be specified if ChangeSetName is not specified as an ARN."
        )
    stack = _stack_or_error(backend, stack_name)
    for change_set in _change_sets(backend).values():
        if change_set.stack_id == stack.stack_id and change_set.change_set_name == name_or_arn:
            return change_set
    return None


def _drop_stack_change_sets(
    backend: cfn_models.CloudFormationBackend, stack_id: str, keep: str | None = None
) -> None:
    for arn in [
        arn
        for arn, change_set in _change_sets(backend).items()
        if change_set.stack_id == stack_id and arn != keep
    ]:
        del _change_sets(backend)[arn]


# -- the operations -------------------------------------------------------------------


def create_change_set(self: cfn_responses.CloudFormationResponse) -> ActionResult:
    backend = self.cloudformation_backend
    stack_name = self._get_param("StackName")
    name = self._get_param("ChangeSetName") or ""
    if len(name) > 128 or not _NAME_PATTERN.fullmatch(name):
        raise ValidationError(
            message=f"1 validation error detected: Value '{name}' at 'changeSetName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "[a-zA-Z][-a-zA-Z0-9]*"
        )
    change_set_type = self._get_param("ChangeSetType") or "UPDATE"
    if change_set_type not in ("CREATE", "UPDATE"):
        raise ValidationError(
            message=f"The sandbox does not model {change_set_type} change sets; "
            "use CREATE or UPDATE (or deploy this to AWS)."
        )
    stack = _active_stack(backend, stack_name)
    if change_set_type == "CREATE" and stack is not None and stack.status != "REVIEW_IN_PROGRESS":
        raise ValidationError(
            message=f"Stack [{stack_name}] already exists and cannot be created again with the "
            f"changeSet [{name}]."
        )
    if change_set_type == "UPDATE":
        if stack is None:
            raise ValidationError(message=f"Stack [{stack_name}] does not exist")
        if stack.status == "REVIEW_IN_PROGRESS":
            raise ValidationError(
                message=f"Stack [{stack.stack_id}] is in REVIEW_IN_PROGRESS state and can not "
                "be updated."
            )
    if stack is not None and any(
        cs.stack_id == stack.stack_id and cs.change_set_name == name
        for cs in _change_sets(backend).values()
    ):
        raise AlreadyExists(f"ChangeSet [{name}] already exists")

    use_previous = self._get_bool_param("UsePreviousTemplate", False)
    body = self._get_param("TemplateBody")
    url = self._get_param("TemplateURL")
    if use_previous and (body or url):
        raise ValidationError(
            message="You cannot specify both usePreviousTemplate and Template Body/Template URL."
        )
    if use_previous:
        if change_set_type != "UPDATE" or stack is None:
            raise ValidationError(
                message="UsePreviousTemplate is only valid for UPDATE change sets."
            )
        body = stack.template
    elif url and not body:
        body = self._get_stack_from_s3_url(url)
    if not body:
        raise ValidationError(message="Either Template URL or Template Body must be specified.")
    try:
        template_dict = cfn_models.Stack.parse_template(body)
    except Exception as error:
        raise ValidationError(message=f"Template format error: {stacks.reason(error)}") from error
    if not isinstance(template_dict, dict) or not template_dict.get("Resources"):
        raise ValidationError(
            message="Template format error: At least one Resources member must be defined."
        )
    capabilities = list(self._get_param("Capabilities", []) or [])
    check_capabilities(template_dict, capabilities)
    role_arn = self._get_param("RoleARN")
    check_role(role_arn, self.current_account)

    previous = stack.parameters if stack is not None else {}
    parameters = {}
    for item in self._get_param("Parameters", []) or []:
        key = item["ParameterKey"]
        if item.get("UsePreviousValue") in (True, "true"):
            parameters[key] = previous.get(key, "")
        else:
            parameters[key] = item.get("ParameterValue", "")
    tags = {item["Key"]: item["Value"] for item in self._get_param("Tags", []) or []}
    notification_arns = self._get_param("NotificationARNs", []) or []
    on_stack_failure = self._get_param("OnStackFailure") if change_set_type == "CREATE" else None

    if stack is None:
        stack = cfn_models.Stack(
            stack_id=generate_stack_id(stack_name, backend.region_name, backend.account_id),
            name=stack_name,
            template={},
            parameters=parameters,
            account_id=backend.account_id,
            region_name=backend.region_name,
            notification_arns=notification_arns,
            tags=tags,
            role_arn=role_arn,
        )
        stack.status = "REVIEW_IN_PROGRESS"
        stack.status_reason = "User Initiated"
        # nothing to create lazily until executed
        stacks.extension(stack.resource_map).sealed = True
        stack._add_stack_event("REVIEW_IN_PROGRESS", resource_status_reason="User Initiated")
        backend.stacks[stack.stack_id] = stack

    change_set = ChangeSet(
        stack=stack,
        change_set_name=name,
        change_set_type=change_set_type,
        template=body,
        template_dict=template_dict,
        parameters=parameters,
        description=self._get_param("Description"),
        capabilities=capabilities,
        tags=tags if tags or change_set_type == "CREATE" else dict(stack.tags or {}),
        notification_arns=notification_arns,
        role_arn=role_arn,
        on_stack_failure=on_stack_failure,
        region_name=backend.region_name,
        account_id=backend.account_id,
    )
    if change_set_type == "CREATE":
        change_set.changes = compute_changes({}, template_dict.get("Resources", {}), None)
    else:
        old_resources = stack.template_dict.get("Resources", {}) or {}
        change_set.changes = compute_changes(
            old_resources, template_dict.get("Resources", {}), stack
        )
        same_parameters = dict(parameters) == dict(stack.parameters or {}) or not parameters
        same_tags = not tags or tags == (stack.tags or {})
        if not change_set.changes and same_parameters and same_tags:
            change_set.status = "FAILED"
            change_set.execution_status = "UNAVAILABLE"
            change_set.status_reason = NO_CHANGES_REASON
    _change_sets(backend)[change_set.change_set_id] = change_set
    return ActionResult({"Id": change_set.change_set_id, "StackId": stack.stack_id})


def describe_change_set(self: cfn_responses.CloudFormationResponse) -> ActionResult:
    name = self._get_param("ChangeSetName")
    change_set = find_change_set(self.cloudformation_backend, name, self._get_param("StackName"))
    if change_set is None:
        raise ChangeSetNotFound(name)
    include = self._get_bool_param("IncludePropertyValues", False)
    return ActionResult(change_set.to_dict(include_property_values=include))


def list_change_sets(self: cfn_responses.CloudFormationResponse) -> ActionResult:
    backend = self.cloudformation_backend
    stack = _stack_or_error(backend, self._get_param("StackName"))
    summaries = [
        change_set.summary()
        for change_set in _change_sets(backend).values()
        if change_set.stack_id == stack.stack_id
    ]
    return ActionResult({"Summaries": summaries})


def delete_change_set(self: cfn_responses.CloudFormationResponse) -> EmptyResult:
    """Succeeds when the change set is already gone, as long as its stack exists."""
    backend = self.cloudformation_backend
    name = self._get_param("ChangeSetName")
    stack_name = self._get_param("StackName")
    if stack_name and not name.startswith("arn:"):
        _stack_or_error(backend, stack_name)
    change_set = find_change_set(backend, name, stack_name)
    if change_set is None:
        return EmptyResult()
    if change_set.execution_status == "EXECUTE_IN_PROGRESS":
        raise InvalidChangeSetStatus(
            f"Cannot delete ChangeSet [{change_set.change_set_id}] while it is being executed."
        )
    del _change_sets(backend)[change_set.change_set_id]
    return EmptyResult()


def execute_change_set(self: cfn_responses.CloudFormationResponse) -> EmptyResult:
    backend = self.cloudformation_backend
    name = self._get_param("ChangeSetName")
    change_set = find_change_set(backend, name, self._get_param("StackName"))
    if change_set is None:
        raise ChangeSetNotFound(name)
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current "
            f"execution status of [{change_set.execution_status}]"
        )
    stack = backend.stacks[change_set.stack_id]
    disable_rollback = self._get_bool_param("DisableRollback", False)
    change_set.execution_status = "EXECUTE_IN_PROGRESS"
    # Executing one change set makes the stack's others meaningless: AWS deletes them.
    _drop_stack_change_sets(backend, stack.stack_id, keep=change_set.change_set_id)
    if change_set.change_set_type == "CREATE":
        stack = _execute_create(backend, stack, change_set, disable_rollback)
    else:
        stack.role_arn = change_set.role_arn or stack.role_arn
        stack.update(
            change_set.template,
            change_set.role_arn,
            parameters=change_set.parameters or None,
            tags=change_set.tags or None,
        )
    change_set.execution_status = (
        "EXECUTE_FAILED" if stack.status in _FAILED_STACK_STATUSES else "EXECUTE_COMPLETE"
    )
    return EmptyResult()


def _execute_create(
    backend: cfn_models.CloudFormationBackend,
    placeholder: cfn_models.Stack,
    change_set: ChangeSet,
    disable_rollback: bool,
) -> cfn_models.Stack:
    """Create the REVIEW_IN_PROGRESS stack as CreateStack would, keeping its id and events."""
    stack = cfn_models.Stack(
        stack_id=placeholder.stack_id,
        name=placeholder.name,
        template=change_set.template,
        parameters=change_set.parameters,
        account_id=backend.account_id,
        region_name=backend.region_name,
        notification_arns=change_set.notification_arns,
        tags=change_set.tags,
        role_arn=change_set.role_arn,
        cross_stack_resources=backend.exports,
    )
    stack.events = placeholder.events
    stack.creation_time = placeholder.creation_time
    backend.stacks[stack.stack_id] = stack
    backend._validate_export_uniqueness(stack)
    for export in stack.exports:
        backend.exports[export.name] = export
    stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
    on_failure = "DO_NOTHING" if disable_rollback else (change_set.on_stack_failure or "ROLLBACK")
    token = stacks.ON_FAILURE.set(on_failure)
    try:
        stack.create_resources()
    finally:
        stacks.ON_FAILURE.reset(token)
    return stack


def backend_delete_stack(self: cfn_models.CloudFormationBackend, name_or_stack_id: str) -> None:
    """Deleting a stack deletes its change sets; a REVIEW_IN_PROGRESS stack has nothing else."""
    stack = _active_stack(self, name_or_stack_id)
    if stack is not None:
        _drop_stack_change_sets(self, stack.stack_id)
        if stack.status == "REVIEW_IN_PROGRESS":
            self.stacks.pop(stack.stack_id)
            stack._add_stack_event("DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
            stack.status = "DELETE_COMPLETE"
            stack.status_reason = None
            stack._add_stack_event("DELETE_COMPLETE")
            self.deleted_stacks[stack.stack_id] = stack
            return
    stacks.backend_delete_stack(self, name_or_stack_id)


# moto's serializer runs these on DescribeChangeSet's output; to_dict already
# gives botocore's shapes.
_REMOVED_TRANSFORMERS = ("DescribeChangeSetOutput.Changes", "DescribeChangeSetOutput.Parameters")


def without_change_set_transformers(moto_transformers: dict[str, Any]) -> dict[str, Any]:
    """moto's response transformers, less the two DescribeChangeSet ones."""
    return {k: v for k, v in moto_transformers.items() if k not in _REMOVED_TRANSFORMERS}


def seams() -> tuple[lab_seams.Seam, ...]:
    """The change sets' seams (see :mod:`lab.sandbox.seams`)."""
    contracts = "tests/contracts/test_moto_cloudformation.py::"
    handlers = {name: globals()[name] for name in HANDLERS}
    return (
        *(
            lab_seams.Seam(
                __name__,
                _RESPONSES + name,
                handler,
                "moto's change sets answer neither as AWS does nor as the CDK CLI needs",
                contracts + "test_change_set_handlers_are_the_operations_snake_case_names",
            )
            for name, handler in handlers.items()
        ),
        lab_seams.Seam(
            __name__,
            _RESPONSES + "RESPONSE_KEY_PATH_TO_TRANSFORMER",
            without_change_set_transformers,
            "moto reshapes DescribeChangeSet's Changes and Parameters; to_dict gives botocore's",
            contracts + "test_describe_change_set_output_transformers_exist",
            kind="wrap",
        ),
        lab_seams.Seam(
            __name__,
            "moto.cloudformation.models:CloudFormationBackend.delete_stack",
            backend_delete_stack,
            "deleting a stack deletes its change sets, and one whose deletion failed stays"
            " (stacks.backend_delete_stack)",
            contracts + "test_backend_keeps_change_sets_in_a_dict_and_stacks_by_id",
        ),
    )
