"""The seams this sandbox patches in ``moto.cloudformation.parsing`` (moto 5.2.5).

- ``resource_class_from_type``: the sandbox's handler for a type wins over
  moto's own model for it (moto picks by ``CloudFormationModel.__subclasses__()``
  order otherwise, which depends on import order).
- ``clean_json``: after moto has resolved the intrinsic functions of a value,
  resolve ``{{resolve:secretsmanager:...}}`` dynamic references in it. moto's
  ``clean_json`` recurses through the module-level name, so every nested
  string passes through the wrapper.
- ``get_model_list``/``get_model_map``/``get_name_type_map`` are
  ``lru_cache``d lists of ``CloudFormationModel`` subclasses: cleared after
  the sandbox's models are defined.

The stack's life cycle (events, rollbacks, deletion order) is ``stacks``.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

from lab.sandbox.cloudformation.base import StackResource

MODEL_CACHES = ("get_model_list", "get_model_map", "get_name_type_map")
DYNAMIC_REFERENCE_MARK = "{{resolve:"

_original_clean_json = parsing.clean_json
_original_resource_class_from_type = parsing.resource_class_from_type


def sandbox_models() -> dict[str, type[CloudFormationModel]]:
    """Every sandbox handler, by CloudFormation type (direct subclasses only, as moto sees)."""
    return {
        model.cloudformation_type(): model
        for model in CloudFormationModel.__subclasses__()
        if issubclass(model, StackResource)
    }


def resource_class_from_type(resource_type: str) -> type[CloudFormationModel]:
    """moto's lookup, with the sandbox's handlers first."""
    model = sandbox_models().get(resource_type)
    if model is not None:
        return model
    return _original_resource_class_from_type(resource_type)


def clean_json(resource_json: Any, resources_map: Any) -> Any:
    """moto's ``clean_json``, then dynamic references in the resulting strings."""
    cleaned = _original_clean_json(resource_json, resources_map)
    if isinstance(cleaned, str) and DYNAMIC_REFERENCE_MARK in cleaned:
        from lab.sandbox.secretsmanager.models import resolve_references

        # resources_map is a ResourceMap, or (for conditions) its dict of
        # parsed resources; both hold the pseudo parameters.
        cleaned = resolve_references(
            cleaned, resources_map["AWS::AccountId"], resources_map["AWS::Region"]
        )
    return cleaned


def clear_model_caches() -> None:
    """Forget moto's cached model lists, so models defined since are seen."""
    for name in MODEL_CACHES:
        getattr(parsing, name).cache_clear()


def apply() -> None:
    """Install the patched functions (idempotent) and clear the model caches."""
    parsing.clean_json = clean_json
    parsing.resource_class_from_type = resource_class_from_type
    clear_model_caches()
