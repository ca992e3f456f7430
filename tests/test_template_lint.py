"""cfn-lint finds nothing in the synthesized template.

The one accepted exception is listed below and scoped, in the template, to the
resources it is about (``Metadata: cfn-lint: config: ignore_checks``); the
reason sits next to the code that adds it (cdk_app/workflows.py).
"""

from __future__ import annotations

import pytest
from stack_template import synthesized, synthesized_proxy

# Regions the lab is most often run in; the template is region-agnostic.
LINT_REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]

# rule -> resource types it may be ignored on, and why (see cdk_app/workflows.py).
ACCEPTED_IGNORES = {
    # CDK's DependsOn on the execution role repeats the RoleArn GetAtt.
    "W3005": {"AWS::StepFunctions::StateMachine"},
}


# The lab's stack, the same with its KMS key option on (cdk_app/connection_key.py), and
# the "before" stack (cdk_app/lambda_proxy.py).
STACKS = {
    "http_task": synthesized,
    "connection_kms_key": lambda: synthesized(True),
    "lambda_proxy": synthesized_proxy,
}


@pytest.fixture(scope="module", params=sorted(STACKS))
def stack(request):
    return STACKS[request.param]()


def test_cfn_lint_reports_nothing(stack):
    # Imported here, not at collection: cfn-lint brings sympy and networkx (seconds of
    # import in every pytest-xdist worker, most of which never lint).
    from cfnlint.api import lint

    findings = lint(stack.template_json, config={"regions": LINT_REGIONS})
    assert [f"{m.rule.id} {m.message} ({m.path_string})" for m in findings] == []


def test_ignores_are_per_resource_and_only_the_accepted_ones(stack):
    tpl = stack.template()
    assert "cfn-lint" not in tpl.get("Metadata", {}), "no template-wide ignores"
    ignored = {}
    for resource in tpl["Resources"].values():
        config = resource.get("Metadata", {}).get("cfn-lint", {}).get("config", {})
        for rule in config.get("ignore_checks", []):
            ignored.setdefault(rule, set()).add(resource["Type"])
    assert ignored == ACCEPTED_IGNORES
