"""Contract: moto 5.2.5's CloudFormation update of ``AWS::Lambda::Function`` (the seam
``lab.sandbox.lambda_.templates``). CloudFormation's ``Code.ZipFile`` is the handler's source
text (AWS::Lambda::Function Code, CloudFormation User Guide); moto zips it on create only."""

from __future__ import annotations

import inspect

from lab.sandbox import seams

TARGET = "moto.awslambda.models:LambdaFunction.update_from_cloudformation_json"


def test_an_update_passes_the_inline_code_on_as_it_is():
    """When moto zips the text on update too, the seam can go."""
    original = inspect.getsource(seams.original(TARGET))
    assert 'update_function_code(updated_props["Code"])' in original
    assert "_create_zipfile_from_plaintext_code" not in original


def test_create_zips_the_inline_code_the_way_the_seam_copies():
    from moto.awslambda.models import LambdaFunction

    create = inspect.getsource(LambdaFunction.create_from_cloudformation_json)
    assert "base64.b64encode(\n                cls._create_zipfile_from_plaintext_code(" in create
