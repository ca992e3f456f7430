"""cfn-lint finds nothing in the synthesized template.

The one accepted exception is listed below and scoped, in the template, to the
resources it is about (``Metadata: cfn-lint: config: ignore_checks``); the
reason sits next to the code that adds it (cdk_app/workflows.py).
"""

from __future__ import annotations

import pytest
from cfnlint.api import lint
from stack_template import synthesized, template

# Regions the lab is most often run in; the template is region-agnostic.
LINT_REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]

# rule -> resource types it may be ignored on, and why (see cdk_app/workflows.py).
ACCEPTED_IGNORES = {
    # CDK's DependsOn on the execution role repeats the RoleArn GetAtt.
    "W3005": {"AWS::StepFunctions::StateMachine"},
}


@pytest.fixture(scope="module", params=[False, True], ids=["default", "connection_kms_key"])
def findings(request):
    """The default template, and the one with the stack's KMS key option on."""
    return lint(synthesized(request.param).template_json, config={"regions": LINT_REGIONS})


def test_cfn_lint_reports_nothing(findings):
    assert [f"{m.rule.id} {m.message} ({m.path_string})" for m in findings] == []


def test_ignores_are_per_resource_and_only_the_accepted_ones():
    tpl = template()
    assert "cfn-lint" not in tpl.get("Metadata", {}), "no template-wide ignores"
    ignored = {}
    for resource in tpl["Resources"].values():
        config = resource.get("Metadata", {}).get("cfn-lint", {}).get("config", {})
        for rule in config.get("ignore_checks", []):
            ignored.setdefault(rule, set()).add(resource["Type"])
    assert ignored == ACCEPTED_IGNORES
