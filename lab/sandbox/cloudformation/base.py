"""What every sandbox CloudFormation resource handler shares.

moto finds a resource type's model among the *direct* subclasses of
``CloudFormationModel``; each handler in this sandbox therefore subclasses it
directly and mixes in :class:`StackResource` for the shared behaviour:

- the physical id CloudFormation's ``Ref`` returns,
- ``Fn::GetAtt`` through one ``attribute()`` method and a declared list of
  attribute names (moto validates ``Outputs`` against that list),
- create, update (no-op, in place, or replacement) and delete,
- deletion errors that stay loud: moto swallows ``TypeError`` and
  ``AttributeError`` raised by ``delete()`` and silently falls back to a
  no-op, which would leave resources behind after ``DELETE_COMPLETE``.

A handler wraps the service's own domain object (kept in the service's
backend, where the API reads it); the handler itself only lives in the
stack's resource map.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ClassVar

from moto.cloudformation.exceptions import (
    UnformattedGetAttTemplateException,
    ValidationError,
)


class ResourceDeletionError(RuntimeError):
    """A resource could not be deleted; the stack's deletion must not pretend it was."""


class StackResource:
    """Mixin for a CloudFormation resource handler (see the module docstring).

    Subclasses set ``TYPE``, ``ATTRIBUTES``, optionally ``NAME_PROPERTY``,
    ``MUTABLE_PROPERTIES``, ``BACKENDS`` and ``MODEL_ATTRIBUTES``, and implement ``make``
    (create the resource in its backend, return its physical id), ``attribute`` (or
    ``model``) and ``remove`` (plus ``modify`` when some properties update in place).
    """

    TYPE: ClassVar[str] = ""
    # Attribute names Fn::GetAtt accepts (AWS docs, "Return values").
    ATTRIBUTES: ClassVar[tuple[str, ...]] = ()
    # The property that names the resource, when it has one.
    NAME_PROPERTY: ClassVar[str] = ""
    # Properties CloudFormation updates without replacing the resource.
    MUTABLE_PROPERTIES: ClassVar[frozenset[str]] = frozenset()
    # The service's moto backends (``<service>_backends``), for :attr:`moto_backend`.
    BACKENDS: ClassVar[Any] = None
    # GetAtt names whose value is read off the wrapped object (:meth:`model`), each with the
    # name of its attribute or a function of it; :meth:`attribute` answers the others.
    MODEL_ATTRIBUTES: ClassVar[dict[str, str | Callable[[Any], Any]]] = {}

    def __init__(
        self,
        physical_id: str,
        properties: dict[str, Any],
        account_id: str,
        region_name: str,
        logical_id: str = "",
        stack_id: str = "",
    ) -> None:
        self.physical_id = physical_id
        self.properties = properties
        self.account_id = account_id
        self.region_name = region_name
        self.logical_id = logical_id
        self.stack_id = stack_id
        # During an update that replaced this resource: the resource it replaces.
        self.replaced: StackResource | None = None

    # -- what moto's parser calls ------------------------------------------

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @property
    def moto_backend(self) -> Any:
        """The service's moto backend of this resource's account and region."""
        return self.BACKENDS[self.account_id][self.region_name]

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        read = self.MODEL_ATTRIBUTES.get(attribute_name)
        if read is None:
            return self.attribute(attribute_name)
        model = self.model()
        return getattr(model, read) if isinstance(read, str) else read(model)

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> StackResource:
        properties = cloudformation_json.get("Properties") or {}
        context = {
            "logical_id": kwargs.get("LogicalId", ""),
            "stack_id": kwargs.get("StackId", ""),
        }
        # moto passes the generated name unless it knows the name property;
        # for the types this sandbox overrides it may not, so read it here.
        name = properties.get(cls.NAME_PROPERTY) if cls.NAME_PROPERTY else None
        return cls.create(name or resource_name, properties, account_id, region_name, **context)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: StackResource,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> StackResource:
        new = cloudformation_json.get("Properties") or {}
        old = original_resource.properties
        changed = {key for key in set(old) | set(new) if old.get(key) != new.get(key)}
        if not changed:
            return original_resource
        if changed <= cls.MUTABLE_PROPERTIES:
            original_resource.modify(new, changed)
            original_resource.properties = copy.deepcopy(new)
            return original_resource
        # Replacement: create the new resource now; the old one is deleted in
        # the update's cleanup phase, after every resource that referenced it
        # has moved to the new one (as CloudFormation does). A resource whose
        # name is set in the template
        # cannot be replaced that way (the name is taken), and AWS refuses too.
        if (
            cls.NAME_PROPERTY
            and new.get(cls.NAME_PROPERTY)
            and (new.get(cls.NAME_PROPERTY) == old.get(cls.NAME_PROPERTY))
        ):
            raise ValidationError(
                message=(
                    f"CloudFormation cannot update a stack when a custom-named resource "
                    f"requires replacing: change {cls.NAME_PROPERTY} of "
                    f"{original_resource.logical_id} ({cls.TYPE}) too, or delete and "
                    f"recreate the stack (changed: {', '.join(sorted(changed))})."
                )
            )
        replacement = cls.create_from_cloudformation_json(
            new_resource_name,
            cloudformation_json,
            account_id,
            region_name,
            LogicalId=original_resource.logical_id,
            StackId=original_resource.stack_id,
        )
        replacement.replaced = original_resource
        return replacement

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        # Only reached when ``delete()`` raised TypeError/AttributeError, which
        # ``delete()`` below never lets through.
        raise ResourceDeletionError(f"{cls.TYPE} {resource_name} could not be deleted.")

    def delete(self, account_id: str, region_name: str) -> None:
        """Delete the wrapped resource from its backend (called by moto's ResourceMap)."""
        try:
            self.remove()
        except (TypeError, AttributeError) as error:
            raise ResourceDeletionError(
                f"Deleting {self.logical_id} ({self.TYPE} {self.physical_id}) failed: {error!r}"
            ) from error

    # -- what each handler implements ---------------------------------------

    @classmethod
    def create(
        cls,
        name: str,
        properties: dict[str, Any],
        account_id: str,
        region_name: str,
        *,
        logical_id: str,
        stack_id: str,
    ) -> StackResource:
        """The handler of a resource just created in its backend (by :meth:`make`)."""
        handler = cls("", properties, account_id, region_name, logical_id, stack_id)
        handler.physical_id = handler.make(name, properties)
        return handler

    def make(self, name: str, properties: dict[str, Any]) -> str:
        """Create the resource named ``name`` from ``properties``; return its physical id."""
        raise NotImplementedError

    def tags_with_stack_tags(self, properties: dict[str, Any]) -> dict[str, str]:
        """The template's ``Tags`` and what CloudFormation adds (:func:`stack_tags`)."""
        added = stack_tags(self.stack_id, self.logical_id)
        return {**tags_to_dict(properties.get("Tags")), **added}

    def model(self) -> Any:
        """The service's object this handler wraps (what ``MODEL_ATTRIBUTES`` are read from)."""
        raise NotImplementedError

    def attribute(self, name: str) -> Any:
        """Return the value of ``Fn::GetAtt [logical id, name]`` (``name`` is one of
        ``ATTRIBUTES``): by default the physical id, for a type whose attribute is its id."""
        return self.physical_id

    def modify(self, properties: dict[str, Any], changed: set[str]) -> None:
        """Apply an in-place update of ``changed`` properties."""
        raise NotImplementedError

    def remove(self) -> None:
        """Delete the resource from its backend."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.TYPE} {self.logical_id or '?'} {self.physical_id}>"


def stack_name_from_id(stack_id: str) -> str:
    """``arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`` -> ``<name>``."""
    return stack_id.split(":stack/", 1)[-1].split("/", 1)[0] if stack_id else ""


def stack_tags(stack_id: str, logical_id: str) -> dict[str, str]:
    """What CloudFormation tags its resources with: the stack's tags, ``aws:cloudformation:*``."""
    if not stack_id:
        return {}
    return {
        **_user_stack_tags(stack_id),
        "aws:cloudformation:stack-name": stack_name_from_id(stack_id),
        "aws:cloudformation:stack-id": stack_id,
        "aws:cloudformation:logical-id": logical_id,
    }


def _user_stack_tags(stack_id: str) -> dict[str, str]:
    """The tags the stack was created with (CloudFormation propagates them to its resources)."""
    from moto.cloudformation.models import cloudformation_backends

    parts = stack_id.split(":")
    if len(parts) < 6:
        return {}
    region, account = parts[3], parts[4]
    regional = dict.get(cloudformation_backends, account) or {}
    backend = dict.get(regional, region)
    stack = backend.stacks.get(stack_id) if backend is not None else None
    tags = getattr(stack, "tags", None) or {}
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}


def tags_to_dict(tags: list[dict[str, str]] | None) -> dict[str, str]:
    """CloudFormation's ``[{Key, Value}]`` -> ``{key: value}``."""
    return {tag["Key"]: tag["Value"] for tag in tags or []}


def as_bool(value: Any) -> bool:
    """Template booleans arrive as ``true`` or as the string ``"true"``."""
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)
