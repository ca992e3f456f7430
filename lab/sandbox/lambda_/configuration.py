"""What Lambda refuses in a function's configuration before any code runs.

configuration-envvars.html ("Defined runtime environment variables"): the runtime sets the
reserved variables itself and a function's ``Environment`` may not name them; CreateFunction
and UpdateFunctionConfiguration (CloudFormation too, through the same backend method) answer
``InvalidParameterValueException`` naming the keys. moto accepts them.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.awslambda.exceptions import InvalidParameterValueException

#: The runtime's own variables, which a function's Environment cannot set.
RESERVED = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)


def check_environment(configuration: dict[str, Any]) -> None:
    """Refuse an ``Environment`` naming reserved variables, in Lambda's words."""
    variables = (configuration.get("Environment") or {}).get("Variables") or {}
    reserved = [name for name in variables if name in RESERVED]
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the "
            "environment variables you have provided contains reserved keys that are "
            f"currently not supported for modification. Reserved keys used in this request: "
            f"{', '.join(reserved)}"
        )


def checked_create(moto_create):
    """``LambdaBackend.create_function``: the environment checked first."""

    @functools.wraps(moto_create)
    def create_function(self, spec: dict[str, Any]):
        check_environment(spec)
        return moto_create(self, spec)

    return create_function


def checked_update(moto_update):
    """``LambdaBackend.update_function_configuration``: the environment checked first."""

    @functools.wraps(moto_update)
    def update_function_configuration(self, function_name, qualifier, body):
        check_environment(body)
        return moto_update(self, function_name, qualifier, body)

    return update_function_configuration
