"""One synthesis of the lab stack per test session, shared by the CDK tests.

jsii starts a Node process and loads aws-cdk-lib once per Python process;
synthesizing is then about a second. ``synthesized()`` caches the result, so
tests/test_stack.py and tests/test_template_lint.py share one synth.
"""

from __future__ import annotations

import atexit
import copy
import functools
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cdk_app  # noqa: F401  (silences jsii's Node banners before aws_cdk loads)

STACK_NAME = "PrivateApiLab"


@dataclass(frozen=True)
class Synthesized:
    """Where the cloud assembly was written and what it holds."""

    outdir: Path
    template_path: Path
    assembly: object  # aws_cdk.cx_api.CloudAssembly
    template_json: str

    def template(self) -> dict:
        """A fresh copy of the template, so a test cannot change another's view."""
        return copy.deepcopy(_parsed(self.template_json))


@functools.lru_cache(maxsize=2)
def _parsed(text: str) -> dict:
    return json.loads(text)


@functools.lru_cache(maxsize=2)
def synthesized(connection_kms_key: bool = False) -> Synthesized:
    """Synthesize the real app once (stack ``PrivateApiLab``) into a temporary directory.

    ``connection_kms_key``: with the stack's option on (cdk_app/connection_key.py), as
    ``-c connection_kms_key=true`` asks; default the stack as it deploys by default.
    """
    from cdk_app.app import build_app, check_assembly

    outdir = Path(tempfile.mkdtemp(prefix="lab-cdk-test-"))
    atexit.register(shutil.rmtree, outdir, True)
    context = {"connection_kms_key": "true"} if connection_kms_key else {}
    app, _stack = build_app(STACK_NAME, outdir, extra_context=context)
    assembly = app.synth()
    template_path = check_assembly(assembly, STACK_NAME)
    return Synthesized(outdir, template_path, assembly, template_path.read_text())


@functools.lru_cache(maxsize=1)
def synthesized_proxy() -> Synthesized:
    """Synthesize the "before" stack (``PrivateApiLab-LambdaProxy``) once."""
    from cdk_app.app import build_app, check_assembly

    outdir = Path(tempfile.mkdtemp(prefix="lab-cdk-proxy-test-"))
    atexit.register(shutil.rmtree, outdir, True)
    app, stack = build_app(STACK_NAME, outdir, variant="lambda_proxy")
    assembly = app.synth()
    template_path = check_assembly(assembly, stack.stack_name)
    return Synthesized(outdir, template_path, assembly, template_path.read_text())


def template(connection_kms_key: bool = False) -> dict:
    """The synthesized template as a dict (a copy; synthesizes on first use)."""
    return synthesized(connection_kms_key).template()


def resources(tpl: dict, cfn_type: str) -> dict[str, dict]:
    """Logical id -> resource, for every resource of ``cfn_type``."""
    return {
        logical_id: resource
        for logical_id, resource in tpl["Resources"].items()
        if resource["Type"] == cfn_type
    }


def only(tpl: dict, cfn_type: str) -> tuple[str, dict]:
    """The one resource of ``cfn_type`` as (logical id, resource); fails if not exactly one."""
    found = resources(tpl, cfn_type)
    assert len(found) == 1, f"expected exactly one {cfn_type}, found {sorted(found)}"
    return next(iter(found.items()))


def flatten_join(value) -> str:
    """Render an ``Fn::Join`` (or a plain string) as text, with ``${Ref}``/``${Id.Attr}``
    placeholders, so tests can read a URL or a definition the way CloudFormation builds it."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(flatten_join(part) for part in parts)
    if isinstance(value, dict) and "Ref" in value:
        return "${" + value["Ref"] + "}"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    raise AssertionError(f"cannot flatten {value!r}")
