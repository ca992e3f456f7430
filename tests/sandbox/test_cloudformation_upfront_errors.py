"""What CloudFormation refuses at once, and a real type the sandbox has no model for."""

from __future__ import annotations

import json
import warnings

import pytest
from botocore.exceptions import ClientError

BUCKET = {"Type": "AWS::S3::Bucket", "Properties": {}}


def _template(resources: dict, parameters: dict | None = None) -> str:
    body = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if parameters:
        body["Parameters"] = parameters
    return json.dumps(body)


def test_an_update_missing_a_new_parameter_is_refused_and_changes_nothing(moto_inprocess):
    cfn = moto_inprocess("cloudformation")
    cfn.create_stack(StackName="s", TemplateBody=_template({"B": BUCKET}))

    with pytest.raises(ClientError, match="Missing parameter Name"):
        cfn.update_stack(
            StackName="s",
            TemplateBody=_template({"B": BUCKET}, {"Name": {"Type": "String"}}),
        )

    assert cfn.describe_stacks(StackName="s")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def test_an_import_of_a_missing_export_is_refused_and_leaves_no_stack(moto_inprocess):
    cfn = moto_inprocess("cloudformation")
    queue = {
        "Type": "AWS::SQS::Queue",
        "Properties": {"QueueName": {"Fn::ImportValue": "nobody-exports-this"}},
    }

    with pytest.raises(ClientError, match="nobody-exports-this"):
        cfn.create_stack(StackName="s", TemplateBody=_template({"B": BUCKET, "Q": queue}))

    assert [s["StackName"] for s in cfn.list_stacks()["StackSummaries"]] == []
    assert moto_inprocess("s3").list_buckets()["Buckets"] == []


def test_a_real_type_without_a_model_is_skipped_with_motos_warning(moto_inprocess):
    cfn = moto_inprocess("cloudformation")
    cloud9 = {"Type": "AWS::Cloud9::EnvironmentEC2", "Properties": {"InstanceType": "t3.micro"}}

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfn.create_stack(StackName="s", TemplateBody=_template({"B": BUCKET, "C9": cloud9}))

    assert cfn.describe_stacks(StackName="s")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert any("AWS::Cloud9::EnvironmentEC2" in str(w.message) for w in caught)
    events = cfn.describe_stack_events(StackName="s")["StackEvents"]
    skipped = [e for e in events if e["LogicalResourceId"] == "C9" and "ResourceStatusReason" in e]
    assert "no model for resource type AWS::Cloud9::EnvironmentEC2" in (
        skipped[0]["ResourceStatusReason"]
    )
