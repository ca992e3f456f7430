"""The committed list of CloudFormation's resource types matches cfn-lint's schemas."""

from __future__ import annotations

from lab.sandbox.cloudformation.aws_types import AWS_RESOURCE_TYPES


def test_the_committed_types_are_cfn_lints_us_east_1_types():
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as schemas

    published = {t for t in schemas.get_resource_types("us-east-1") if t.startswith("AWS::")}

    assert AWS_RESOURCE_TYPES == published
