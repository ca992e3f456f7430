"""The sandbox's list of real CloudFormation types is cfn-lint's, and answers as the copy did.

The list (``lab.sandbox.cloudformation.aws_types``) encodes the resource types CloudFormation
publishes (the "AWS resource and property types reference"), as cfn-lint 1.58.0's us-east-1
provider schemas carry them. Until issue 20 it was a 1,867-type committed copy of exactly
that set; it is now read from cfn-lint at first use. What the sandbox asks of it is whether
a type with no moto model is real (skipped, as moto does) or unknown (the stack fails).
"""

from __future__ import annotations

import pytest
from stack_template import template

from lab.sandbox.cloudformation.aws_types import aws_resource_types


def _template_types() -> set[str]:
    return {resource["Type"] for resource in template()["Resources"].values()}


def test_every_type_the_lab_s_template_uses_is_a_real_type():
    types = _template_types()
    assert len(types) > 10  # the lab's stack: VPC, endpoint, lattice, API, connection, ...
    unknown = sorted(t for t in types if t.startswith("AWS::") and t not in aws_resource_types())
    assert not unknown, f"the template uses types cfn-lint does not publish: {unknown}"


@pytest.mark.parametrize(
    ("resource_type", "real"),
    [
        ("AWS::Cloud9::EnvironmentEC2", True),  # real, and moto has no model for it
        ("AWS::VpcLattice::ResourceGateway", True),
        ("AWS::Events::Connection", True),
        ("AWS::Example::Widget", False),  # CloudFormation fails a stack that names it
        ("AWS::Lambda::Functions", False),
        ("Custom::Anything", False),  # custom resources are not published types
    ],
)
def test_a_type_is_real_exactly_when_cloudformation_publishes_it(resource_type, real):
    assert (resource_type in aws_resource_types()) is real


def test_the_list_is_read_once_per_process():
    assert aws_resource_types() is aws_resource_types()
