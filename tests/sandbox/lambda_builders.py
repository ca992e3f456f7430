"""Builders for the Lambda runtime tests: a role, a function from inline code, its logs."""

from __future__ import annotations

import io
import json
import zipfile

from http_invoke_builders import ACCOUNT

ROLE_NAME = "lab-lambda"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def zipped(code: str, name: str = "index.py") -> bytes:
    """A deployment package holding ``code`` as ``name``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, code)
    return buffer.getvalue()


def ensure_role(aws) -> str:
    iam = aws("iam")
    try:
        iam.get_role(RoleName=ROLE_NAME)
    except iam.exceptions.NoSuchEntityException:
        iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(TRUST))
    return ROLE_ARN


def create_function(aws, code: str, name: str = "fn", timeout: int = 1, **extra) -> str:
    """CreateFunction with ``code`` as ``index.py`` (handler ``index.handler``); its ARN."""
    return aws("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ensure_role(aws),
        Handler="index.handler",
        Code={"ZipFile": zipped(code)},
        Timeout=timeout,
        **extra,
    )["FunctionArn"]


def invoke(aws, name: str = "fn", event: object = None, **extra) -> tuple[dict, object]:
    """Invoke synchronously: ``(response, payload parsed as JSON)``."""
    response = aws("lambda").invoke(
        FunctionName=name, Payload=json.dumps({} if event is None else event), **extra
    )
    return response, json.loads(response["Payload"].read())


def log_messages(aws, name: str = "fn") -> list[str]:
    """Every message in ``/aws/lambda/<name>``, stream by stream."""
    logs = aws("logs")
    group = f"/aws/lambda/{name}"
    messages = []
    for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
        events = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])
        messages.extend(event["message"] for event in events["events"])
    return messages
