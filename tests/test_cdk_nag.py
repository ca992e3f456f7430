"""cdk-nag's AwsSolutions pack finds nothing that is not acknowledged with a reason.

cdk-nag 3 runs as a CDK validation plugin and honours CDK's native
``Validations.of(scope).acknowledge(...)``; the app records each acknowledgment
next to the construct it concerns (cdk_app/acknowledgments.py). This synthesizes
the app a second time with the plugin added, since the plugin must not run
when learners synthesize.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stack_template import STACK_NAME

import cdk_app  # noqa: F401  (silences jsii's Node banners before aws_cdk loads)

ACKNOWLEDGED_METADATA = "aws:cdk:acknowledged-rules"


@pytest.fixture(
    scope="module",
    params=[("http_task", False), ("http_task", True), ("lambda_proxy", False)],
    ids=["default", "connection_kms_key", "lambda_proxy"],
)
def nag(tmp_path_factory, request):
    """(violations, acknowledgments, stack name) from one synth with AwsSolutionsChecks:
    the lab's stack, the same with its KMS key option on (cdk_app/connection_key.py), and
    the "before" stack (cdk_app/lambda_proxy.py)."""
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    from cdk_app.app import build_app

    outdir: Path = tmp_path_factory.mktemp("nag")
    variant, connection_kms_key = request.param
    context = {"@aws-cdk/core:validationReportJson": True}
    if connection_kms_key:
        context["connection_kms_key"] = "true"
    app, stack = build_app(STACK_NAME, outdir, extra_context=context, variant=variant)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    try:
        app.synth()
    except RuntimeError as error:
        # Findings interrupt synth; the report below says which.
        if "ValidationFailed" not in str(error):
            raise
    report = json.loads((outdir / "policy-validation-report.json").read_text())
    violations = [
        f"{v['ruleName']} at {r['constructPath']}: {v['description']}"
        for plugin in report["pluginReports"]
        for v in plugin["violations"]
        for r in v["violatingResources"]
    ]
    metadata = json.loads((outdir / f"{stack.stack_name}.metadata.json").read_text())
    acknowledgments = {
        (path, rule): reason
        for path, entries in metadata.items()
        for entry in entries
        if entry["type"] == ACKNOWLEDGED_METADATA
        for rule, reason in entry["data"].items()
        if "AwsSolutions-" in rule
    }
    return violations, acknowledgments, stack.stack_name


def test_aws_solutions_has_no_unacknowledged_findings(nag):
    violations, _, _ = nag
    assert violations == []


def test_every_acknowledgment_names_a_construct_not_the_whole_stack(nag):
    _, acknowledgments, name = nag
    assert acknowledgments, "the pack's known findings should be acknowledged, not absent"
    assert [rule for path, rule in acknowledgments if path == f"/{name}"] == []


def test_every_acknowledgment_gives_a_reason(nag):
    _, acknowledgments, _ = nag
    assert [rule for rule, reason in acknowledgments.items() if len(reason.split()) < 8] == []
