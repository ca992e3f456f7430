"""The "before" Lambda proxy's handler: the code a learner owned before the HTTP Task.

This file is deployed as the function's inline code (``Code.from_inline``: no asset), so it
uses only the Python runtime's standard library and boto3, and stays under Lambda's 4 KB
inline limit. It reads the API key from Secrets Manager once per execution environment
(through the VPC's Secrets Manager endpoint), then GETs the private API through the
execute-api endpoint (its private DNS resolves the API's public name inside the VPC).
"""

import json
import os
import time
import urllib.error
import urllib.request

import boto3

_api_key = None


class PrivateApiError(Exception):
    """The private API did not answer 2xx (Step Functions sees this class name as the error)."""


def _key():
    global _api_key
    if _api_key is None:
        client = boto3.client("secretsmanager")
        _api_key = client.get_secret_value(SecretId=os.environ["SECRET_ARN"])["SecretString"]
    return _api_key


def handler(event, context):
    started = time.perf_counter()
    cold = _api_key is None
    request = urllib.request.Request(
        os.environ["API_URL"],
        headers={"x-api-key": _key(), "x-lab-execution": str(event.get("execution", ""))},
    )
    secret_ms = round((time.perf_counter() - started) * 1000, 1)
    # Leave a second for Step Functions to receive the answer.
    timeout = max(1.0, context.get_remaining_time_in_millis() / 1000 - 1)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, body = answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    total_ms = round((time.perf_counter() - started) * 1000, 1)
    print(json.dumps({"cold": cold, "secret_ms": secret_ms, "total_ms": total_ms,
                      "status": status}))
    if not 200 <= status < 300:
        raise PrivateApiError(f"the private API answered {status}: {body[:200]}")
    return {"StatusCode": status, "ResponseBody": body, "Cold": cold,
            "SecretMs": secret_ms, "TotalMs": total_ms}
