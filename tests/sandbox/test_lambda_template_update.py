"""A stack update that changes a function's inline code runs the new code.

CloudFormation User Guide, AWS::Lambda::Function ``Code``
(aws-properties-lambda-function-code.html): ``ZipFile`` is the handler's source, written
as ``index.py``; updating it updates the function's code (no interruption). moto zips it on
create only; ``lab.sandbox.lambda_.templates`` zips it on update too. Without that seam the
invoke after the update fails (moto cannot open the plain text as a zip).
"""

from __future__ import annotations

import json

import pytest
from lambda_builders import ensure_role, invoke

from lab.sandbox import lambda_


@pytest.fixture
def aws_lambda(aws):
    yield aws
    lambda_.shutdown()


def _template(role: str, answer: int) -> str:
    return json.dumps({"Resources": {"Proxy": {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": "updated-proxy", "Runtime": "python3.12",
            "Handler": "index.handler", "Role": role, "Timeout": 3,
            "Code": {"ZipFile": f"def handler(event, context):\n    return {{'v': {answer}}}\n"},
        },
    }}})


def test_an_update_of_the_inline_code_runs_the_new_code(aws_lambda):
    role = ensure_role(aws_lambda)
    cfn = aws_lambda("cloudformation")
    cfn.create_stack(StackName="update-code", TemplateBody=_template(role, 1))
    assert invoke(aws_lambda, "updated-proxy")[1] == {"v": 1}

    cfn.update_stack(StackName="update-code", TemplateBody=_template(role, 2))

    assert invoke(aws_lambda, "updated-proxy")[1] == {"v": 2}
