"""A template's inline ``Code.ZipFile`` on a stack UPDATE, zipped as on create.

CloudFormation's ``AWS::Lambda::Function`` ``Code.ZipFile`` is the handler's source text
(written as ``index.py``). moto 5.2.5 zips it when the stack creates the function
(``LambdaFunction.create_from_cloudformation_json``) but hands the plain text on to
``update_function_code`` when an update changes it, which then fails to open it as a zip
(``BadZipFile`` on the next invoke). The replacement zips it the same way first.
"""

from __future__ import annotations

import base64
from typing import Any


def update_from_cloudformation_json(
    cls: Any, original_resource: Any, new_resource_name: str,
    cloudformation_json: dict[str, Any], account_id: str, region_name: str,
) -> Any:
    """moto's update, with inline code zipped like ``create_from_cloudformation_json``."""
    properties = dict(cloudformation_json["Properties"])
    code = dict(properties.get("Code") or {})
    if "ZipFile" in code:
        code["ZipFile"] = base64.b64encode(cls._create_zipfile_from_plaintext_code(code["ZipFile"]))
        properties["Code"] = code
    original_resource.update_configuration(properties)
    original_resource.update_function_code(properties["Code"])
    return original_resource


#: The value the seam sets on ``LambdaFunction`` (one object, so the registry can check it).
UPDATE_FROM_CLOUDFORMATION = classmethod(update_from_cloudformation_json)
