"""A stack's life as CloudFormation reports it: events, failures, rollbacks, no-op updates.

moto 5.2.5 creates, updates and deletes a stack's resources synchronously
inside the API call, which suits the sandbox; what it lacks is how AWS
*reports* that work, and that is what a learner (and ``lab.deploy``) reads:

- one event per resource (``CREATE_IN_PROGRESS`` -> ``CREATE_COMPLETE`` or
  ``CREATE_FAILED`` with the reason), not only the stack's own;
- a failed create rolls back (``ROLLBACK_COMPLETE``), or is deleted with
  ``OnFailure=DELETE``, or stays ``CREATE_FAILED`` with ``DO_NOTHING``; moto
  returns an HTTP error instead and leaves half a stack behind;
- ``update_stack`` with nothing to change is refused with "No updates are to
  be performed." (moto only checks that when parameters are passed); an
  update applies additions, then modifications, then removals, and a failed
  one rolls back to the previous template (``UPDATE_ROLLBACK_COMPLETE``);
- a failed delete leaves the stack ``DELETE_FAILED`` (moto loses it);
- once deleted or rolled back, a stack's resource map is *sealed*: moto's map
  creates resources lazily on lookup, so describing a deleted stack's
  resources or outputs would silently create them all again.
"""

from __future__ import annotations

import contextvars
import json
from dataclasses import dataclass
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.exceptions import ExportNotFound, MissingParameterError, ValidationError

from lab.sandbox import seams as lab_seams
from lab.sandbox.cloudformation.aws_types import aws_resource_types
from lab.sandbox.cloudformation.changes import references
from lab.sandbox.iam.enforcement import check_handler

# OnFailure of the create_stack call being handled (ROLLBACK, DELETE or DO_NOTHING).
ON_FAILURE: contextvars.ContextVar[str] = contextvars.ContextVar("on_failure", default="ROLLBACK")

#: moto's names for what this module replaces; :func:`moto_original` gives moto's own value.
TARGETS = {
    "create_stack_response": "moto.cloudformation.responses:CloudFormationResponse.create_stack",
    "parse_and_create_resource": "moto.cloudformation.parsing:parse_and_create_resource",
    "parse_and_update_resource": "moto.cloudformation.parsing:parse_and_update_resource",
    "resource_map_getitem": "moto.cloudformation.parsing:ResourceMap.__getitem__",
    "resource_map_update": "moto.cloudformation.parsing:ResourceMap.update",
    "resource_map_delete": "moto.cloudformation.parsing:ResourceMap.delete",
    "stack_create_resources": "moto.cloudformation.models:Stack.create_resources",
    "stack_update": "moto.cloudformation.models:Stack.update",
    "stack_delete": "moto.cloudformation.models:Stack.delete",
    "parse_template": "moto.cloudformation.models:Stack.parse_template",
    "stack_outputs": "moto.cloudformation.models:Stack.outputs",
    "stack_resources": "moto.cloudformation.models:Stack.stack_resources",
    "backend_delete_stack": "moto.cloudformation.models:CloudFormationBackend.delete_stack",
}


def moto_original(name: str) -> Any:
    """moto's own value of what :data:`TARGETS` calls ``name``."""
    return lab_seams.original(TARGETS[name])


class StackDeletionFailed(Exception):
    """A stack's resources could not all be deleted; the stack stays, DELETE_FAILED."""

    def __init__(self, stack: cfn_models.Stack):
        super().__init__(stack.status_reason)
        self.stack = stack


def reason(error: BaseException) -> str:
    """One line for an event's ResourceStatusReason."""
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    code = getattr(error, "code", None) or getattr(error, "error_type", None)
    message = " ".join(str(message).split())
    return f"{message} (Service error: {code})" if isinstance(code, str) and code else message


def resource_event(
    stack: cfn_models.Stack,
    logical_id: str,
    resource_type: str,
    status: str,
    physical_id: str | None = None,
    status_reason: str | None = None,
) -> None:
    """Record one resource event on the stack, as CloudFormation's event log shows it."""
    stack.events.append(
        cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=physical_id or "",
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=status_reason,
            resource_properties=None,
        )
    )


@dataclass
class ResourceMapExtension:
    """What the sandbox keeps on moto's ``ResourceMap``, declared once: ``resource_map.lab``.

    moto makes resource maps itself (with each stack, each change set), so the extension
    is made the first time the sandbox touches a map (:func:`extension`).
    """

    #: the stack whose resources the map is creating, updating or deleting (for its events)
    stack: cfn_models.Stack | None = None
    #: the stack was deleted or rolled back: the map creates nothing lazily any more
    sealed: bool = False


def extension(resource_map: Any) -> ResourceMapExtension:
    """``resource_map``'s :class:`ResourceMapExtension` (made on the sandbox's first touch)."""
    found = resource_map.__dict__.get("lab")
    if found is None:
        found = resource_map.lab = ResourceMapExtension()
    return found


def _stack_of(resources_map: Any) -> cfn_models.Stack | None:
    return extension(resources_map).stack


def _physical_id(resource: Any) -> str | None:
    value = getattr(resource, "physical_resource_id", None)
    return value if isinstance(value, str) else None


# -- the resource map ------------------------------------------------------------


def _between_events(name: str, action: str, doc: str):
    """moto's ``parsing.<name>`` between resource events (only moto's outside a stack, or for
    a resource whose condition is false)."""

    def replacement(
        logical_id: str,
        resource_json: dict[str, Any],
        resources_map: parsing.ResourceMap,
        account_id: str,
        region_name: str,
    ) -> Any:
        args = (logical_id, resource_json, resources_map, account_id, region_name)
        stack = _stack_of(resources_map)
        condition = resource_json.get("Condition") if action == "CREATE" else None
        if stack is None or (condition and not resources_map.lazy_condition_map[condition]):
            return moto_original(name)(*args)
        return _with_events(stack, name, action, args)

    replacement.__name__ = replacement.__qualname__ = name
    replacement.__doc__ = doc
    return replacement


parse_and_create_resource = _between_events(
    "parse_and_create_resource",
    "CREATE",
    "moto's, with resource events, and a clear failure for a type nobody models.",
)
parse_and_update_resource = _between_events(
    "parse_and_update_resource", "UPDATE", "moto's, with resource events."
)


def _skip_unmodelled(stack: cfn_models.Stack, args: tuple) -> None:
    logical_id, resource_type = args[0], args[1]["Type"]
    if resource_type in aws_resource_types():
        # A real type moto has no model for: moto skips it with a warning; so do we,
        # saying so in the resource's event (nothing exists for it).
        moto_original("parse_and_create_resource")(*args)
        resource_event(
            stack,
            logical_id,
            resource_type,
            "CREATE_COMPLETE",
            status_reason=f"The sandbox has no model for resource type {resource_type}: "
            "skipped, nothing was created for it.",
        )
        return None
    raise ValidationError(
        message=f"The sandbox has no model for resource type {resource_type}, and "
        "CloudFormation publishes no such type; check the type's spelling."
    )


def _unmodelled(resource_type: str) -> bool:
    return (
        resource_type not in parsing.NULL_MODELS
        and not resource_type.startswith("Custom::")
        and parsing.resource_class_from_type(resource_type) is None
    )


def _with_events(stack: cfn_models.Stack, name: str, action: str, args: tuple) -> Any:
    """moto's ``name`` between ``<action>_IN_PROGRESS`` and ``_COMPLETE`` (or ``_FAILED``)."""
    logical_id, resource_type = args[0], args[1]["Type"]
    resource_event(stack, logical_id, resource_type, f"{action}_IN_PROGRESS")
    try:
        check_handler(resource_type, action.lower(), logical_id, args[1].get("Properties"))
        if action == "CREATE" and _unmodelled(resource_type):
            return _skip_unmodelled(stack, args)
        resource = moto_original(name)(*args)
    except Exception as error:
        _record_failure(stack, error, logical_id, resource_type, f"{action}_FAILED")
        raise
    resource_event(stack, logical_id, resource_type, f"{action}_COMPLETE", _physical_id(resource))
    return resource


def _record_failure(
    stack: cfn_models.Stack, error: Exception, logical_id: str, resource_type: str, status: str
) -> None:
    # A failure surfaces through every resource whose Ref led to it; only the
    # innermost (the resource that really failed) gets the reason.
    if getattr(error, "lab_failed_resource", None):
        resource_event(
            stack, logical_id, resource_type, status, status_reason="Resource creation cancelled"
        )
        return
    error.lab_failed_resource = logical_id  # type: ignore[attr-defined]
    resource_event(stack, logical_id, resource_type, status, status_reason=reason(error))


def resource_map_getitem(self: parsing.ResourceMap, key: str) -> Any:
    """moto's lazy lookup, except that a sealed map (deleted stack) creates nothing."""
    if extension(self).sealed and key not in self._parsed_resources:
        if key in self._resource_json_map:
            return None
        raise KeyError(key)
    return moto_original("resource_map_getitem")(self, key)


def update_resource_map(
    self: parsing.ResourceMap,
    template: dict[str, Any],
    parameters: dict[str, Any] | None = None,
) -> None:
    """``ResourceMap.update`` in CloudFormation's order: add, modify, then clean up.

    Modifications run in creation order, so a resource is updated after what
    it references. When a modification replaces a resource, every resource
    that references it is updated too (its properties resolve differently
    now), and the replaced resource is deleted in the cleanup, with the
    removed ones. On failure, replacements are undone (the new resources
    deleted, the old ones restored) before the error is raised, so the
    caller can roll back by updating to the previous template.
    """
    diff = self.build_resource_diff(template, parameters)
    old_json = self._resource_json_map
    self._template = template
    if parameters:
        self.input_parameters = parameters
    self.load_mapping()
    self.load_parameters()
    self.load_conditions()
    self._resource_json_map = template["Resources"]
    replaced: list[tuple[str, Any]] = []
    try:
        for logical_id in diff["Add"]:
            _ = self[logical_id]  # the lazy map creates it (and what it references)
        _modify(self, diff["Modify"], replaced)
    except Exception:
        for logical_id, old in reversed(replaced):
            _delete_with_events(
                self,
                logical_id,
                self._parsed_resources[logical_id],
                self._resource_json_map[logical_id],
            )
            self._parsed_resources[logical_id] = old
        raise

    # Cleanup: what was replaced or removed, newest first.
    old_resources = dict(replaced)
    for logical_id in reversed(list(self._parsed_resources)):
        if logical_id in old_resources:
            _delete_with_events(self, logical_id, old_resources[logical_id], old_json[logical_id])
        if logical_id in diff["Remove"]:
            resource = self._parsed_resources[logical_id]
            if old_json[logical_id].get("DeletionPolicy") != "Retain":
                _delete_with_events(self, logical_id, resource, old_json[logical_id])
            self._parsed_resources.pop(logical_id)


def _modify(
    self: parsing.ResourceMap, modified: list[str], replaced: list[tuple[str, Any]]
) -> None:
    order = {logical_id: index for index, logical_id in enumerate(self._parsed_resources)}
    queue = sorted(set(modified), key=lambda name: order.get(name, len(order)))
    while queue:
        logical_id = queue.pop(0)
        if logical_id not in self._parsed_resources:
            _ = self[logical_id]  # never created (a false condition before): create it now
            continue
        resource_type = self._resource_json_map[logical_id]["Type"]
        model = parsing.resource_class_from_type(resource_type)
        if model is None and resource_type in aws_resource_types():
            # Nothing was created for it (see parse_and_create_resource): moto warns again.
            moto_original("parse_and_update_resource")(
                logical_id,
                self._resource_json_map[logical_id],
                self,
                self._account_id,
                self._region_name,
            )
            continue
        if model is None or hasattr(model.update_from_cloudformation_json, "__isabstractmethod__"):
            error = ValidationError(
                message=f"The sandbox cannot update {logical_id} ({resource_type}) in place; "
                "destroy the stack and deploy it again."
            )
            stack = _stack_of(self)
            if stack is not None:
                _record_failure(stack, error, logical_id, resource_type, "UPDATE_FAILED")
            raise error
        old = self._parsed_resources[logical_id]
        changed = parsing.parse_and_update_resource(
            logical_id,
            self._resource_json_map[logical_id],
            self,
            self._account_id,
            self._region_name,
        )
        if changed is None:
            continue
        self._parsed_resources[logical_id] = changed
        if getattr(changed, "replaced", None) is old:
            changed.replaced = None
            replaced.append((logical_id, old))
            referrers = [
                name
                for name, resource_json in self._resource_json_map.items()
                if name in self._parsed_resources
                and name not in queue
                and logical_id in references(resource_json)
            ]
            queue = sorted(set(queue) | set(referrers), key=lambda n: order.get(n, len(order)))


def delete_resource_map(self: parsing.ResourceMap) -> None:
    """``ResourceMap.delete`` in reverse creation order, with resource events.

    The resource map creates a resource's dependencies before the resource
    (``Ref``/``GetAtt`` are resolved lazily), so its insertion order is a
    creation order. Failures are retried in further passes, as moto does,
    and the last error is raised if some resource cannot be deleted.
    """
    stack = _stack_of(self)
    remaining = []
    for logical_id in reversed(list(self._parsed_resources)):
        resource = self._parsed_resources[logical_id]
        if logical_id not in self._resource_json_map or not hasattr(
            resource, "logical_resource_id"
        ):
            continue  # a parameter, a pseudo parameter, a mapping
        if self._resource_json_map[logical_id].get("DeletionPolicy") == "Retain":
            if stack is not None:
                resource_event(
                    stack,
                    logical_id,
                    resource.cf_resource_type,
                    "DELETE_SKIPPED",
                    _physical_id(resource),
                )
            continue
        remaining.append(logical_id)
    last_error: Exception | None = None
    while remaining:
        failed = []
        for logical_id in remaining:
            try:
                _delete_with_events(
                    self,
                    logical_id,
                    self._parsed_resources[logical_id],
                    self._resource_json_map[logical_id],
                    final=False,
                )
            except Exception as error:  # retried in the next pass, as moto does
                last_error = error
                failed.append(logical_id)
            else:
                self._parsed_resources.pop(logical_id)
        if len(failed) == len(remaining):
            if stack is not None:
                for logical_id in failed:
                    resource = self._parsed_resources[logical_id]
                    resource_event(
                        stack,
                        logical_id,
                        resource.cf_resource_type,
                        "DELETE_FAILED",
                        _physical_id(resource),
                        reason(last_error),  # type: ignore[arg-type]
                    )
            raise last_error  # type: ignore[misc]
        remaining = failed


def _delete_with_events(
    resources_map: parsing.ResourceMap,
    logical_id: str,
    resource: Any,
    resource_json: dict[str, Any],
    final: bool = True,
) -> None:
    stack = _stack_of(resources_map)
    resource_type = resource_json["Type"]
    physical_id = _physical_id(resource)
    if stack is not None:
        resource_event(stack, logical_id, resource_type, "DELETE_IN_PROGRESS", physical_id)
    try:
        check_handler(resource_type, "delete", logical_id, resource_json.get("Properties"))
        resources_map._delete_resource(resource, resource_json)
    except Exception as error:
        if stack is not None and final:
            resource_event(
                stack, logical_id, resource_type, "DELETE_FAILED", physical_id, reason(error)
            )
        raise
    if stack is not None:
        resource_event(stack, logical_id, resource_type, "DELETE_COMPLETE", physical_id)


# -- the stack ---------------------------------------------------------------------


def _set_status(stack: cfn_models.Stack, status: str, status_reason: str | None = None) -> None:
    stack.status = status
    stack.status_reason = status_reason
    stack._add_stack_event(status, resource_status_reason=status_reason)


def create_resources(self: cfn_models.Stack) -> None:
    """``Stack.create_resources`` that fails the way CloudFormation does, per ``OnFailure``."""
    extension(self.resource_map).stack = self
    self.status = "CREATE_IN_PROGRESS"
    try:
        ready = self.resource_map.create(self.template_dict)
    except ExportNotFound:
        # CloudFormation resolves Fn::ImportValue before it creates anything: the call
        # itself fails and no stack is left. Undo what was created, then refuse.
        try:
            self.resource_map.delete()
        except Exception:
            pass
        backend = cfn_models.cloudformation_backends[self.account_id][self.region_name]
        backend.stacks.pop(self.stack_id, None)
        raise
    except Exception as error:
        _creation_failed(self, error)
        return
    self.description = self.template_dict.get("Description")
    if ready:
        self.mark_creation_complete()


def _creation_failed(stack: cfn_models.Stack, error: Exception) -> None:
    failed = getattr(error, "lab_failed_resource", None)
    why = (
        f"The following resource(s) failed to create: [{failed}]."
        if failed
        else f"Stack creation failed: {reason(error)}"
    )
    on_failure = ON_FAILURE.get()
    if on_failure == "DO_NOTHING":
        _set_status(stack, "CREATE_FAILED", why)
        extension(stack.resource_map).sealed = True
        return
    _set_status(stack, "ROLLBACK_IN_PROGRESS", f"{why} Rollback requested by user.")
    try:
        stack.resource_map.delete()
    except Exception as rollback_error:
        _set_status(stack, "ROLLBACK_FAILED", f"Rollback failed: {reason(rollback_error)}")
        extension(stack.resource_map).sealed = True
        return
    extension(stack.resource_map).sealed = True
    _set_status(stack, "ROLLBACK_COMPLETE")
    if on_failure == "DELETE":
        _set_status(stack, "DELETE_IN_PROGRESS")
        _set_status(stack, "DELETE_COMPLETE")
        backend = cfn_models.cloudformation_backends[stack.account_id][stack.region_name]
        backend.stacks.pop(stack.stack_id, None)
        backend.deleted_stacks[stack.stack_id] = stack


def update_stack(
    self: cfn_models.Stack,
    template: str,
    role_arn: str | None = None,
    parameters: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    """``Stack.update``: refuse a no-op, apply the change, roll back when it fails."""
    new_template = self.parse_template(template)
    same_parameters = dict(parameters or {}) == dict(self.parameters or {})
    if new_template == self.template_dict and same_parameters and tags in (None, self.tags):
        raise ValidationError(self.name, message="No updates are to be performed.")
    # Refused at once, as CloudFormation does, before anything changes.
    for name, declared in (new_template.get("Parameters") or {}).items():
        if "Default" not in (declared or {}) and name not in (parameters or {}):
            raise MissingParameterError(name)
    extension(self.resource_map).stack = self
    previous = (self.template, self.template_dict, dict(self.resource_map.input_parameters))
    _set_status(self, "UPDATE_IN_PROGRESS", "User Initiated")
    self.template = template
    self.template_dict = new_template
    try:
        self.resource_map.update(self.template_dict, parameters)
    except Exception as error:
        self.template, self.template_dict, old_parameters = previous
        _set_status(self, "UPDATE_ROLLBACK_IN_PROGRESS", f"Update failed: {reason(error)}")
        try:
            self.resource_map.update(self.template_dict, old_parameters or None)
        except Exception as rollback_error:
            _set_status(
                self, "UPDATE_ROLLBACK_FAILED", f"Rollback failed: {reason(rollback_error)}"
            )
        else:
            self.output_map = self._create_output_map()
            _set_status(self, "UPDATE_ROLLBACK_COMPLETE")
        return
    self.output_map = self._create_output_map()
    self.role_arn = role_arn
    if parameters:
        self.parameters = parameters
    if tags is not None:
        self.tags = tags
    _set_status(self, "UPDATE_COMPLETE")


def delete_stack_resources(self: cfn_models.Stack) -> None:
    """``Stack.delete``: DELETE_FAILED (the stack stays) when a resource cannot be deleted."""
    extension(self.resource_map).stack = self
    _set_status(self, "DELETE_IN_PROGRESS", "User Initiated")
    try:
        self.resource_map.delete()
    except Exception as error:
        _set_status(
            self,
            "DELETE_FAILED",
            f"The following resource(s) failed to delete: {reason(error)}",
        )
        raise StackDeletionFailed(self) from error
    extension(self.resource_map).sealed = True
    _set_status(self, "DELETE_COMPLETE")


def backend_delete_stack(self: cfn_models.CloudFormationBackend, name_or_stack_id: str) -> None:
    """moto's, except that a stack whose deletion failed stays listed.

    The seam is ``changesets.backend_delete_stack``, which calls this.
    """
    try:
        moto_original("backend_delete_stack")(self, name_or_stack_id)
    except StackDeletionFailed as failure:
        self.stacks[failure.stack.stack_id] = failure.stack


def stack_outputs(self: cfn_models.Stack) -> list[dict[str, Any]] | None:
    """No outputs once the resources are gone (resolving them would recreate them)."""
    if extension(self.resource_map).sealed:
        return None
    return moto_original("stack_outputs").fget(self)


def stack_resources(self: cfn_models.Stack) -> list[Any]:
    """The stack's resources; once sealed, only those that still exist (``Retain``)."""
    resource_map = self.resource_map
    if not extension(resource_map).sealed:
        return list(resource_map.values())
    return [
        resource
        for logical_id, resource in resource_map._parsed_resources.items()
        if logical_id in resource_map._resource_json_map
        and hasattr(resource, "logical_resource_id")
    ]


def parse_template(template: str) -> dict[str, Any]:
    """JSON first: moto parses every template with PyYAML's pure-Python loader,
    ~0.3 s for the lab's synthesized (JSON) template; ``json`` takes ~1 ms."""
    if isinstance(template, str) and template.lstrip().startswith("{"):
        try:
            return json.loads(template)
        except ValueError:
            pass  # JSON-looking YAML (flow style): moto's parser handles it
    return moto_original("parse_template")(template)


def create_stack_response(self: cfn_responses.CloudFormationResponse) -> Any:
    """moto's handler, with the request's OnFailure/DisableRollback made visible to the stack."""
    on_failure = self._get_param("OnFailure")
    if not on_failure:
        on_failure = "DO_NOTHING" if self._get_bool_param("DisableRollback", False) else "ROLLBACK"
    token = ON_FAILURE.set(on_failure)
    try:
        return moto_original("create_stack_response")(self)
    finally:
        ON_FAILURE.reset(token)


_CONTRACTS = "tests/contracts/test_moto_cloudformation.py::"

#: name in :data:`TARGETS` -> (replacement, why, contract test)
_REPLACEMENTS: dict[str, tuple[Any, str, str]] = {
    "create_stack_response": (
        create_stack_response,
        "moto's handler ignores OnFailure and DisableRollback",
        "test_create_stack_handler_ignores_on_failure",
    ),
    "parse_and_create_resource": (
        parse_and_create_resource,
        "moto records no resource events and skips a type it does not know",
        "test_resource_map_creates_lazily_through_the_module_level_function",
    ),
    "parse_and_update_resource": (
        parse_and_update_resource,
        "moto records no resource events for an update",
        "test_update_calls_the_models_update_through_the_module_level_function",
    ),
    "resource_map_getitem": (
        resource_map_getitem,
        "a deleted stack's map would create its resources again on lookup",
        "test_resource_map_keeps_parsed_resources_in_creation_order",
    ),
    "resource_map_update": (
        update_resource_map,
        "an update adds, then modifies, then removes, and rolls back on failure",
        "test_build_resource_diff_names_added_modified_and_removed_resources",
    ),
    "resource_map_delete": (
        delete_resource_map,
        "resources are deleted in dependency order with events; failures are not swallowed",
        "test_deleting_a_resource_falls_back_silently_on_type_and_attribute_errors",
    ),
    "stack_create_resources": (
        create_resources,
        "a failed create rolls back, is deleted, or stays CREATE_FAILED as OnFailure says",
        "test_stack_methods_the_life_cycle_replaces_keep_their_signatures",
    ),
    "stack_update": (
        update_stack,
        "an update with nothing to change is refused; a failed one rolls back",
        "test_stack_methods_the_life_cycle_replaces_keep_their_signatures",
    ),
    "stack_delete": (
        delete_stack_resources,
        "a failed delete leaves the stack DELETE_FAILED",
        "test_stack_methods_the_life_cycle_replaces_keep_their_signatures",
    ),
    "parse_template": (
        staticmethod(parse_template),
        "moto parses a JSON template with PyYAML's pure-Python loader (~0.3 s)",
        "test_stack_methods_the_life_cycle_replaces_keep_their_signatures",
    ),
    "stack_outputs": (
        property(stack_outputs),
        "resolving a deleted stack's outputs would create its resources again",
        "test_stack_outputs_and_resources_are_properties",
    ),
    "stack_resources": (
        property(stack_resources),
        "a deleted stack lists only the resources it retained",
        "test_stack_outputs_and_resources_are_properties",
    ),
}


def seams() -> tuple[lab_seams.Seam, ...]:
    """The life cycle's seams (see :mod:`lab.sandbox.seams`)."""
    return tuple(
        lab_seams.Seam(__name__, TARGETS[name], replacement, why, _CONTRACTS + contract)
        for name, (replacement, why, contract) in _REPLACEMENTS.items()
    )
