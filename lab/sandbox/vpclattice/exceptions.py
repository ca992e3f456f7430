"""VPC Lattice errors shaped like AWS's: status code, ``__type`` and the modelled fields.

moto's own vpclattice exceptions answer 400 for a missing resource; AWS answers
404 with ``resourceId``/``resourceType``, 409 for conflicts and 400 with a
``reason`` for validation errors, and that is what botocore parses.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.exceptions import JsonRESTError


class LatticeError(JsonRESTError):
    """A JSON error whose body carries the extra members botocore models."""

    def __init__(self, error_type: str, message: str, **fields: Any):
        super().__init__(error_type, message)
        self.fields = fields
        self.description = json.dumps({"__type": error_type, "message": message, **fields})


class ValidationException(LatticeError):
    code = 400

    def __init__(
        self, message: str, field: str | None = None, reason: str = "fieldValidationFailed"
    ):
        fields: dict[str, Any] = {"reason": reason}
        if field:
            fields["fieldList"] = [{"name": field, "message": message}]
        super().__init__("ValidationException", message, **fields)


class ResourceNotFoundException(LatticeError):
    code = 404

    def __init__(self, resource_type: str, resource_id: str):
        super().__init__(
            "ResourceNotFoundException",
            f"{resource_type} {resource_id} was not found.",
            resourceId=resource_id,
            resourceType=resource_type,
        )


class ConflictException(LatticeError):
    code = 409

    def __init__(self, message: str, resource_type: str, resource_id: str):
        super().__init__(
            "ConflictException", message, resourceId=resource_id, resourceType=resource_type
        )
