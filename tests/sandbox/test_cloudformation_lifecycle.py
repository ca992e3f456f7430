"""How the sandbox's CloudFormation reports failures, updates and deletions (as AWS does).

In-process, from the synthesized template, changed one property at a time.
"""

from __future__ import annotations

import copy
import json

import pytest
from botocore.exceptions import ClientError
from stack_template import only, template

from lab.sandbox.inventory import leftovers

ACCOUNT = "123456789012"
REGION = "us-east-1"
STACK = "PrivateApiLab"


def create(client, tpl: dict, **options) -> dict:
    cfn = client("cloudformation")
    stack_id = cfn.create_stack(
        StackName=STACK, TemplateBody=json.dumps(tpl), Capabilities=["CAPABILITY_IAM"], **options
    )["StackId"]
    return cfn.describe_stacks(StackName=stack_id)["Stacks"][0]


def update(client, tpl: dict) -> dict:
    cfn = client("cloudformation")
    cfn.update_stack(StackName=STACK, TemplateBody=json.dumps(tpl), Capabilities=["CAPABILITY_IAM"])
    return cfn.describe_stacks(StackName=STACK)["Stacks"][0]


def outputs(stack: dict) -> dict:
    return {item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs") or []}


def events(client, stack_id: str, status: str) -> list[dict]:
    found = client("cloudformation").describe_stack_events(StackName=stack_id)["StackEvents"]
    return [event for event in found if event["ResourceStatus"] == status]


def remaining() -> dict:
    return {service: found for service, found in leftovers(ACCOUNT, REGION).items() if found}


def with_bad_gateway_name() -> dict:
    """The template with a resource gateway name VPC Lattice refuses (upper case, underscore)."""
    tpl = template()
    gateway_id, _ = only(tpl, "AWS::VpcLattice::ResourceGateway")
    tpl["Resources"][gateway_id]["Properties"]["Name"] = "Not_Valid"
    return tpl


@pytest.fixture
def deployed(moto_inprocess):
    stack = create(moto_inprocess, template())
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return moto_inprocess, stack


# -- failed creates --------------------------------------------------------------


def test_a_resource_that_fails_rolls_the_stack_back(moto_inprocess):
    assert create(moto_inprocess, with_bad_gateway_name())["StackStatus"] == "ROLLBACK_COMPLETE"


def test_a_rolled_back_create_leaves_nothing_behind(moto_inprocess):
    create(moto_inprocess, with_bad_gateway_name())
    assert remaining() == {}


def test_the_failed_resource_event_says_why(moto_inprocess):
    stack = create(moto_inprocess, with_bad_gateway_name())
    gateway_id, _ = only(template(), "AWS::VpcLattice::ResourceGateway")
    failed = events(moto_inprocess, stack["StackId"], "CREATE_FAILED")
    assert [
        (e["LogicalResourceId"], "name must be" in e["ResourceStatusReason"]) for e in failed
    ] == [(gateway_id, True)]


def test_on_failure_delete_deletes_the_failed_stack(moto_inprocess):
    stack = create(moto_inprocess, with_bad_gateway_name(), OnFailure="DELETE")
    assert stack["StackStatus"] == "DELETE_COMPLETE"


def test_on_failure_do_nothing_keeps_what_was_created(moto_inprocess):
    stack = create(moto_inprocess, with_bad_gateway_name(), OnFailure="DO_NOTHING")
    assert stack["StackStatus"] == "CREATE_FAILED"
    assert any(item.startswith("vpc ") for item in remaining().get("ec2", []))


def test_a_stack_left_create_failed_deletes_cleanly(moto_inprocess):
    create(moto_inprocess, with_bad_gateway_name(), OnFailure="DO_NOTHING")
    moto_inprocess("cloudformation").delete_stack(StackName=STACK)
    assert remaining() == {}


def test_a_resource_type_without_a_model_fails_the_create_by_name(moto_inprocess):
    tpl = template()
    tpl["Resources"]["Unmodelled"] = {"Type": "AWS::Example::Widget", "Properties": {}}
    stack = create(moto_inprocess, tpl)
    reasons = [
        e["ResourceStatusReason"] for e in events(moto_inprocess, stack["StackId"], "CREATE_FAILED")
    ]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any("no model for resource type AWS::Example::Widget" in text for text in reasons)


# -- updates -----------------------------------------------------------------------


def test_update_with_the_same_template_is_refused_as_on_aws(deployed):
    client, _ = deployed
    with pytest.raises(ClientError, match="No updates are to be performed"):
        update(client, template())


def test_update_changes_a_property_in_place(deployed):
    client, stack = deployed
    tpl = template()
    api_id, _ = only(tpl, "AWS::ApiGateway::RestApi")
    tpl["Resources"][api_id]["Properties"]["Description"] = "changed by an update"
    assert update(client, tpl)["StackStatus"] == "UPDATE_COMPLETE"
    api = client("apigateway").get_rest_api(restApiId=outputs(stack)["RestApiId"])
    assert api["description"] == "changed by an update"


def test_update_changes_log_retention_in_place(deployed):
    client, stack = deployed
    tpl = template()
    name = outputs(stack)["ExpressLogGroupName"]
    group_id = next(
        logical_id
        for logical_id, resource in tpl["Resources"].items()
        if resource["Type"] == "AWS::Logs::LogGroup"
        and resource["Properties"].get("LogGroupName") == name
    )
    tpl["Resources"][group_id]["Properties"]["RetentionInDays"] = 3
    update(client, tpl)
    groups = client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert [group.get("retentionInDays") for group in groups] == [3]


def test_update_changes_a_state_machine_definition_where_it_executes(deployed):
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    client, stack = deployed
    tpl = template()
    express_arn = outputs(stack)["ExpressStateMachineArn"]
    machine_id = next(
        logical_id
        for logical_id, resource in tpl["Resources"].items()
        if resource["Type"] == "AWS::StepFunctions::StateMachine"
        and resource["Properties"].get("StateMachineType") == "EXPRESS"
    )
    tpl["Resources"][machine_id]["Properties"]["DefinitionString"] = json.dumps(
        {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    )
    update(client, tpl)
    machine = stepfunctions_parser_backends[ACCOUNT][REGION].describe_state_machine(express_arn)
    assert json.loads(machine.definition)["StartAt"] == "Done"


def test_update_that_must_replace_a_named_resource_rolls_back_with_the_reason(deployed):
    client, stack = deployed
    tpl = template()
    gateway_id, gateway = only(tpl, "AWS::VpcLattice::ResourceGateway")
    gateway["Properties"]["SubnetIds"] = gateway["Properties"]["SubnetIds"][:1]
    final = update(client, tpl)
    failed = events(client, stack["StackId"], "UPDATE_FAILED")
    assert final["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert [
        (e["LogicalResourceId"], "custom-named" in e["ResourceStatusReason"]) for e in failed
    ] == [(gateway_id, True)]


def test_a_rolled_back_update_leaves_the_previous_resources(deployed):
    client, stack = deployed
    tpl = template()
    _, gateway = only(tpl, "AWS::VpcLattice::ResourceGateway")
    gateway["Properties"]["SubnetIds"] = gateway["Properties"]["SubnetIds"][:1]
    update(client, tpl)
    found = client("vpc-lattice").get_resource_gateway(
        resourceGatewayIdentifier=outputs(stack)["ResourceGatewayId"]
    )
    assert len(found["subnetIds"]) == 2


def test_update_replacing_an_unnamed_resource_moves_its_referrers(deployed):
    client, stack = deployed
    tpl = template()
    before = outputs(stack)
    group_id = next(
        logical_id
        for logical_id, resource in tpl["Resources"].items()
        if resource["Type"] == "AWS::EC2::VPCEndpoint"
        for reference in resource["Properties"]["SecurityGroupIds"]
        for logical_id in [reference["Fn::GetAtt"][0]]
    )
    tpl["Resources"][group_id]["Properties"]["GroupDescription"] = "replaced by an update"
    after = outputs(update(client, tpl))
    endpoint = client("ec2").describe_vpc_endpoints(VpcEndpointIds=[before["VpcEndpointId"]])[
        "VpcEndpoints"
    ][0]
    assert after["VpcEndpointSecurityGroupId"] != before["VpcEndpointSecurityGroupId"]
    assert [group["GroupId"] for group in endpoint["Groups"]] == [
        after["VpcEndpointSecurityGroupId"]
    ]


def test_update_replacing_a_resource_deletes_the_old_one(deployed):
    client, stack = deployed
    tpl = template()
    old_group = outputs(stack)["VpcEndpointSecurityGroupId"]
    for resource in tpl["Resources"].values():
        if resource["Type"] == "AWS::EC2::SecurityGroup":
            resource["Properties"]["GroupDescription"] += " (replaced)"
    update(client, tpl)
    with pytest.raises(ClientError, match="InvalidGroup.NotFound"):
        client("ec2").describe_security_groups(GroupIds=[old_group])


def test_update_creates_an_added_resource(deployed):
    client, _ = deployed
    tpl = template()
    tpl["Resources"]["ExtraLogs"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": "lab-extra"},
    }
    update(client, tpl)
    groups = client("logs").describe_log_groups(logGroupNamePrefix="lab-extra")["logGroups"]
    assert [group["logGroupName"] for group in groups] == ["lab-extra"]


def test_update_deletes_a_removed_resource(deployed):
    client, stack = deployed
    tpl = template()
    name = outputs(stack)["ExpressLogGroupName"]
    grown = copy.deepcopy(tpl)
    grown["Resources"]["ExtraLogs"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": "lab-extra"},
    }
    update(client, grown)
    update(client, tpl)
    groups = client("logs").describe_log_groups()["logGroups"]
    assert "lab-extra" not in [group["logGroupName"] for group in groups]
    assert name in [group["logGroupName"] for group in groups]


def test_an_updated_stack_deletes_without_leftovers(deployed):
    client, _ = deployed
    tpl = template()
    for resource in tpl["Resources"].values():
        if resource["Type"] == "AWS::EC2::SecurityGroup":
            resource["Properties"]["GroupDescription"] += " (replaced)"
    update(client, tpl)
    client("cloudformation").delete_stack(StackName=STACK)
    assert remaining() == {}


# -- deletes -------------------------------------------------------------------------


def test_a_stack_whose_vpc_is_still_used_ends_delete_failed(deployed):
    client, stack = deployed
    client("ec2").create_subnet(VpcId=outputs(stack)["VpcId"], CidrBlock="10.0.250.0/24")
    client("cloudformation").delete_stack(StackName=STACK)
    final = client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    assert final["StackStatus"] == "DELETE_FAILED"


def test_a_delete_failed_stack_deletes_once_the_blocker_is_gone(deployed):
    client, stack = deployed
    ec2 = client("ec2")
    subnet = ec2.create_subnet(VpcId=outputs(stack)["VpcId"], CidrBlock="10.0.250.0/24")["Subnet"]
    client("cloudformation").delete_stack(StackName=STACK)
    ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    client("cloudformation").delete_stack(StackName=STACK)
    assert remaining() == {}
