"""Step Functions' ``arn:aws:states:::lambda:invoke``: the task output AWS gives.

moto 5.2.5's interpreter calls Lambda's Invoke (which :mod:`lab.sandbox.lambda_.invoke`
answers) and keeps only the Invoke API's fields; Step Functions' output of the optimized
Lambda integration is the SDK response with its HTTP metadata (connect-lambda.html,
"Optimized Lambda integration" output example)::

    {"ExecutedVersion": "$LATEST", "Payload": {...},
     "SdkHttpMetadata": {"AllHttpHeaders": {...}, "HttpHeaders": {...}, "HttpStatusCode": 200},
     "SdkResponseMetadata": {"RequestId": "..."}, "StatusCode": 200}

A function error fails the task with the error object's ``errorType`` as the error name
(``Sandbox.Timedout`` for a timeout) and the error object as the cause; a throttled invoke
fails it with ``Lambda.TooManyRequestsException``: both are moto's own handling, kept.
"""

from __future__ import annotations

import json
from typing import Any

TARGET = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils:"
    "execute_lambda_function_integration"
)
#: The Invoke response's headers, named as the Java SDK Step Functions uses reports them.
_HEADER_NAMES = {
    "connection": "Connection",
    "content-length": "Content-Length",
    "content-type": "Content-Type",
    "date": "Date",
    "x-amz-executed-version": "X-Amz-Executed-Version",
    "x-amzn-remapped-content-length": "x-amzn-Remapped-Content-Length",
    "x-amzn-requestid": "x-amzn-RequestId",
    "x-amzn-trace-id": "X-Amzn-Trace-Id",
}


def task_output(response: dict[str, Any]) -> dict[str, Any]:
    """The task's output from boto3's Invoke response (Payload already parsed)."""
    metadata = response.get("ResponseMetadata") or {}
    headers = {
        _HEADER_NAMES[name]: value
        for name, value in (metadata.get("HTTPHeaders") or {}).items()
        if name in _HEADER_NAMES
    }
    headers.setdefault("Connection", "keep-alive")
    headers.setdefault("x-amzn-Remapped-Content-Length", "0")
    status = int(response.get("StatusCode") or metadata.get("HTTPStatusCode") or 200)
    request_id = headers.get("x-amzn-RequestId") or metadata.get("RequestId") or ""
    return {
        "ExecutedVersion": response.get("ExecutedVersion", "$LATEST"),
        "Payload": response.get("Payload"),
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": status,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": status,
    }


def execute_lambda_function_integration(moto_execute):
    """moto's integration, answering with :func:`task_output` when not mocked (TestState
    mocks keep moto's)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import (
        lambda_eval_utils,
    )

    def execute(env, parameters: dict, region: str, state_credentials) -> None:
        if env.is_mocked_mode():
            moto_execute(env, parameters, region, state_credentials)
            return
        response = lambda_eval_utils._invoke_lambda_function(
            parameters=parameters, region=region, state_credentials=state_credentials
        )
        error = response.get("FunctionError")
        if error:
            payload = json.dumps(response["Payload"], separators=(",", ":"))
            raise lambda_eval_utils.LambdaFunctionErrorException(error, payload)
        env.stack.append(task_output(response))

    return execute
