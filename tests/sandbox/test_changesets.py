"""CloudFormation change sets in the sandbox, as the CDK CLI and the AWS CLI use them.

In-process (moto_inprocess): create (CREATE and UPDATE), describe with its
Changes, execute, delete, list, the REVIEW_IN_PROGRESS stack and its cleanup,
and the errors AWS documents. Every response is validated against botocore's
output shapes (shape_check.checked).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from shape_check import checked

from lab.sandbox.cloudformation import changes

NO_CHANGES = (
    "The submitted information didn't contain changes. "
    "Submit different information to create a change set."
)


def template(**queues) -> str:
    """Log groups (a model moto has) with the given retention, plus a named one."""
    resources = {
        name: {"Type": "AWS::Logs::LogGroup", "Properties": props} for name, props in queues.items()
    }
    return json.dumps({"Resources": resources, "Outputs": {}})


BASE = template(
    Logs={"RetentionInDays": 7},
    Named={"LogGroupName": "lab-named", "RetentionInDays": 7},
)


@pytest.fixture
def cfn(moto_inprocess):
    return checked(moto_inprocess("cloudformation"))


def error_code(info) -> str:
    return info.value.response["Error"]["Code"]


def create(cfn, name="Lab", change_set="cs", body=BASE, kind="CREATE", **extra):
    return cfn.create_change_set(
        StackName=name, ChangeSetName=change_set, ChangeSetType=kind, TemplateBody=body, **extra
    )


def test_create_change_set_makes_a_review_in_progress_stack_listing_every_resource(cfn):
    created = create(cfn)
    stack = cfn.describe_stacks(StackName="Lab")["Stacks"][0]
    assert stack["StackStatus"] == "REVIEW_IN_PROGRESS"
    assert stack["StackId"] == created["StackId"]
    described = cfn.describe_change_set(ChangeSetName=created["Id"], IncludePropertyValues=True)
    assert (described["Status"], described["ExecutionStatus"]) == ("CREATE_COMPLETE", "AVAILABLE")
    assert described["StackName"] == "Lab" and described["ChangeSetName"] == "cs"
    changes = {c["ResourceChange"]["LogicalResourceId"]: c for c in described["Changes"]}
    assert set(changes) == {"Logs", "Named"}
    logs = changes["Logs"]
    assert logs["Type"] == "Resource"
    assert logs["ResourceChange"]["Action"] == "Add"
    assert logs["ResourceChange"]["ResourceType"] == "AWS::Logs::LogGroup"
    assert json.loads(logs["ResourceChange"]["AfterContext"]) == {
        "Properties": {"RetentionInDays": 7}
    }
    # Without IncludePropertyValues there are no contexts.
    plain = cfn.describe_change_set(ChangeSetName="cs", StackName="Lab")
    assert all("AfterContext" not in c["ResourceChange"] for c in plain["Changes"])


def test_executing_a_create_change_set_creates_the_stack_with_events(cfn, moto_inprocess):
    created = create(cfn)
    cfn.execute_change_set(ChangeSetName="cs", StackName="Lab")
    stack = cfn.describe_stacks(StackName="Lab")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["StackId"] == created["StackId"]
    events = [
        (e["LogicalResourceId"], e["ResourceStatus"])
        for e in reversed(cfn.describe_stack_events(StackName="Lab")["StackEvents"])
    ]
    assert events[0] == ("Lab", "REVIEW_IN_PROGRESS")
    assert events[1] == ("Lab", "CREATE_IN_PROGRESS")
    assert ("Named", "CREATE_COMPLETE") in events
    assert events[-1] == ("Lab", "CREATE_COMPLETE")
    logs = moto_inprocess("logs").describe_log_groups(logGroupNamePrefix="lab-named")
    assert [g["logGroupName"] for g in logs["logGroups"]] == ["lab-named"]
    described = cfn.describe_change_set(ChangeSetName=created["Id"])
    assert described["ExecutionStatus"] == "EXECUTE_COMPLETE"
    with pytest.raises(ClientError) as again:
        cfn.execute_change_set(ChangeSetName=created["Id"])
    assert error_code(again) == "InvalidChangeSetStatus"


def test_update_change_set_reports_modify_add_remove_and_replacement(cfn):
    create(cfn)
    cfn.execute_change_set(ChangeSetName="cs", StackName="Lab")
    new = template(
        Logs={"RetentionInDays": 14},  # in place
        Named={"LogGroupName": "lab-renamed", "RetentionInDays": 7},  # create-only: replaced
        Extra={"RetentionInDays": 1},
    )
    created = create(cfn, change_set="update", body=new, kind="UPDATE")
    described = cfn.describe_change_set(ChangeSetName=created["Id"], IncludePropertyValues=True)
    assert described["Status"] == "CREATE_COMPLETE"
    changes = {
        c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]
    }
    assert changes["Extra"]["Action"] == "Add"
    logs = changes["Logs"]
    assert (logs["Action"], logs["Replacement"], logs["Scope"]) == (
        "Modify",
        "False",
        ["Properties"],
    )
    assert logs["PhysicalResourceId"]
    [detail] = logs["Details"]
    assert detail["Target"]["Name"] == "RetentionInDays"
    assert detail["Target"]["RequiresRecreation"] == "Never"
    assert (detail["Target"]["BeforeValue"], detail["Target"]["AfterValue"]) == ("7", "14")
    assert (detail["Evaluation"], detail["ChangeSource"]) == ("Static", "DirectModification")
    named = changes["Named"]
    assert named["Replacement"] == "True"
    assert named["Details"][0]["Target"]["RequiresRecreation"] == "Always"
    cfn.execute_change_set(ChangeSetName=created["Id"])
    stack = cfn.describe_stacks(StackName="Lab")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    resources = cfn.describe_stack_resources(StackName="Lab")["StackResources"]
    assert {r["LogicalResourceId"] for r in resources} == {"Logs", "Named", "Extra"}

    removal = create(
        cfn, change_set="removal", body=template(Logs={"RetentionInDays": 14}), kind="UPDATE"
    )
    described = cfn.describe_change_set(ChangeSetName=removal["Id"])
    removed = {
        c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]
    }
    assert {k: v["Action"] for k, v in removed.items()} == {"Named": "Remove", "Extra": "Remove"}
    assert removed["Named"]["PolicyAction"] == "Delete"


def test_an_update_with_nothing_to_change_fails_the_change_set_not_the_call(cfn):
    create(cfn)
    cfn.execute_change_set(ChangeSetName="cs", StackName="Lab")
    created = create(cfn, change_set="same", kind="UPDATE")
    described = cfn.describe_change_set(ChangeSetName="same", StackName="Lab")
    assert (described["Status"], described["ExecutionStatus"]) == ("FAILED", "UNAVAILABLE")
    assert described["StatusReason"] == NO_CHANGES
    assert described["Changes"] == []
    with pytest.raises(ClientError) as info:
        cfn.execute_change_set(ChangeSetName=created["Id"])
    assert error_code(info) == "InvalidChangeSetStatus"


def test_change_set_type_defaults_to_update(cfn):
    with pytest.raises(ClientError) as info:
        cfn.create_change_set(StackName="Nope", ChangeSetName="cs", TemplateBody=BASE)
    assert error_code(info) == "ValidationError"
    assert "Stack [Nope] does not exist" in info.value.response["Error"]["Message"]


def test_create_for_an_existing_stack_and_update_for_a_review_stack_are_refused(cfn):
    create(cfn)
    with pytest.raises(ClientError) as update:
        create(cfn, change_set="upd", kind="UPDATE")
    assert "REVIEW_IN_PROGRESS" in update.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as duplicate:
        create(cfn)
    assert error_code(duplicate) == "AlreadyExistsException"
    cfn.execute_change_set(ChangeSetName="cs", StackName="Lab")
    with pytest.raises(ClientError) as again:
        create(cfn, change_set="again")
    assert error_code(again) == "ValidationError"
    assert "already exists" in again.value.response["Error"]["Message"]


def test_names_belong_to_their_stack_and_list_is_per_stack(cfn):
    create(cfn, name="One", change_set="cdk-deploy-change-set")
    create(cfn, name="Two", change_set="cdk-deploy-change-set")
    one = cfn.list_change_sets(StackName="One")["Summaries"]
    assert [s["StackName"] for s in one] == ["One"]
    cfn.delete_change_set(ChangeSetName="cdk-deploy-change-set", StackName="One")
    assert cfn.list_change_sets(StackName="One")["Summaries"] == []
    assert len(cfn.list_change_sets(StackName="Two")["Summaries"]) == 1


def test_delete_change_set_succeeds_when_it_is_gone_but_needs_the_stack(cfn):
    create(cfn)
    # What the CDK CLI does before every deploy of an existing stack (moto: UnboundLocalError).
    cfn.delete_change_set(ChangeSetName="cdk-deploy-change-set", StackName="Lab")
    with pytest.raises(ClientError) as missing_stack:
        cfn.delete_change_set(ChangeSetName="cs", StackName="Nope")
    assert error_code(missing_stack) == "ValidationError"
    with pytest.raises(ClientError) as no_stack_name:
        cfn.describe_change_set(ChangeSetName="cs")
    assert error_code(no_stack_name) == "ValidationError"
    with pytest.raises(ClientError) as missing:
        cfn.describe_change_set(ChangeSetName="other", StackName="Lab")
    assert error_code(missing) == "ChangeSetNotFound"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert missing.value.response["Error"]["Message"] == "ChangeSet [other] does not exist"


def test_review_in_progress_stack_is_deleted_with_its_change_sets(cfn):
    created = create(cfn)
    cfn.delete_change_set(ChangeSetName=created["Id"])
    # The stack stays in review (AWS does not delete it with its last change set) ...
    assert cfn.describe_stacks(StackName="Lab")["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
    # ... and a new CREATE change set reuses it.
    again = create(cfn, change_set="again")
    assert again["StackId"] == created["StackId"]
    cfn.delete_stack(StackName=created["StackId"])
    gone = cfn.describe_stacks(StackName=created["StackId"])["Stacks"][0]
    assert gone["StackStatus"] == "DELETE_COMPLETE"
    with pytest.raises(ClientError):
        cfn.describe_stacks(StackName="Lab")
    with pytest.raises(ClientError) as info:
        cfn.describe_change_set(ChangeSetName=again["Id"])
    assert error_code(info) == "ChangeSetNotFound"


def test_executing_one_change_set_deletes_the_stacks_others(cfn):
    create(cfn, change_set="first")
    other = create(cfn, change_set="second")
    cfn.execute_change_set(ChangeSetName="first", StackName="Lab")
    names = [s["ChangeSetName"] for s in cfn.list_change_sets(StackName="Lab")["Summaries"]]
    assert names == ["first"]
    with pytest.raises(ClientError) as info:
        cfn.describe_change_set(ChangeSetName=other["Id"])
    assert error_code(info) == "ChangeSetNotFound"


def test_a_failed_create_rolls_back_and_marks_the_execution_failed(cfn):
    body = json.dumps({"Resources": {"Odd": {"Type": "AWS::Nope::Thing", "Properties": {}}}})
    created = create(cfn, body=body)
    cfn.execute_change_set(ChangeSetName=created["Id"])
    stack = cfn.describe_stacks(StackName="Lab")["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert (
        cfn.describe_change_set(ChangeSetName=created["Id"])["ExecutionStatus"] == "EXECUTE_FAILED"
    )
    kept = create(cfn, name="Kept", body=body)
    cfn.execute_change_set(ChangeSetName=kept["Id"], DisableRollback=True)
    assert cfn.describe_stacks(StackName="Kept")["Stacks"][0]["StackStatus"] == "CREATE_FAILED"


def test_iam_resources_need_capabilities_and_a_service_role_must_exist(cfn):
    role = json.dumps(
        {
            "Resources": {
                "Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}
                    },
                }
            }
        }
    )
    with pytest.raises(ClientError) as info:
        create(cfn, body=role)
    assert error_code(info) == "InsufficientCapabilitiesException"
    assert info.value.response["Error"]["Message"] == "Requires capabilities : [CAPABILITY_IAM]"
    create(cfn, body=role, Capabilities=["CAPABILITY_IAM"])
    missing_role = (
        "arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1"
    )
    with pytest.raises(ClientError) as no_role:
        create(cfn, name="Other", RoleARN=missing_role)
    assert error_code(no_role) == "ValidationError"
    assert no_role.value.response["Error"]["Message"] == (
        f"Role {missing_role} is invalid or cannot be assumed"
    )


def test_bad_names_and_missing_templates_are_validation_errors(cfn):
    with pytest.raises(ClientError) as bad_name:
        create(cfn, change_set="under_score")
    assert error_code(bad_name) == "ValidationError"
    with pytest.raises(ClientError) as no_body:
        cfn.create_change_set(StackName="Lab", ChangeSetName="cs", ChangeSetType="CREATE")
    assert "Either Template URL or Template Body" in no_body.value.response["Error"]["Message"]


def test_create_only_table_matches_cfn_lint():
    """The committed table is what cfn-lint's us-east-1 schemas say (recompute after an upgrade)."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as schemas

    from lab.sandbox.cloudformation.create_only import CREATE_ONLY_PROPERTIES

    for resource_type, committed in CREATE_ONLY_PROPERTIES.items():
        schema = schemas.get_resource_schema("us-east-1", resource_type).schema
        top_level = {
            path.split("/")[-1]
            for path in schema.get("createOnlyProperties", [])
            if path.count("/") == 2
        }
        assert committed == top_level, resource_type


def test_create_only_table_covers_every_type_of_the_lab_template():
    from stack_template import template as lab_template

    from lab.sandbox.cloudformation.create_only import CREATE_ONLY_PROPERTIES

    types = {r["Type"] for r in lab_template()["Resources"].values()}
    assert types <= set(CREATE_ONLY_PROPERTIES)


def test_compute_changes_is_empty_for_the_same_resources():
    resources = json.loads(BASE)["Resources"]
    assert changes.compute_changes(resources, json.loads(BASE)["Resources"], None) == []
