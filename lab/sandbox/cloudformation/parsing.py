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

from lab.sandbox import seams as lab_seams
from lab.sandbox.cloudformation.base import StackResource

MODEL_CACHES = ("get_model_list", "get_model_map", "get_name_type_map")
DYNAMIC_REFERENCE_MARK = "{{resolve:"

CLEAN_JSON = "moto.cloudformation.parsing:clean_json"
RESOURCE_CLASS_FROM_TYPE = "moto.cloudformation.parsing:resource_class_from_type"
_CONTRACTS = "tests/contracts/test_moto_cloudformation.py::"


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
    return lab_seams.original(RESOURCE_CLASS_FROM_TYPE)(resource_type)


def clean_json(resource_json: Any, resources_map: Any) -> Any:
    """moto's ``clean_json``, then dynamic references in the resulting strings."""
    cleaned = lab_seams.original(CLEAN_JSON)(resource_json, resources_map)
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


def seams() -> tuple[lab_seams.Seam, ...]:
    """The template parser's seams (see :mod:`lab.sandbox.seams`)."""
    return (
        lab_seams.Seam(
            __name__,
            CLEAN_JSON,
            clean_json,
            "moto does not resolve {{resolve:secretsmanager:...}} dynamic references",
            _CONTRACTS + "test_clean_json_recurses_through_the_module_level_name",
        ),
        lab_seams.Seam(
            __name__,
            RESOURCE_CLASS_FROM_TYPE,
            resource_class_from_type,
            "moto picks a model by subclass order, so its own broken ones could win",
            _CONTRACTS + "test_resource_class_from_type_is_looked_up_by_module_name",
        ),
    )
