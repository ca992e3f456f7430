"""The deploy as an identity holding exactly docs/deployer-policy.json, with IAM enforced.

The sandbox's opt-in ``enforce_iam`` (``lab.sandbox.iam.enforcement``) evaluates the
caller's requests as IAM does: the IAM action of each operation, the dependent actions AWS
documents, and CloudFormation's resource handlers acting with the caller's credentials
(no service role). These tests deploy the lab's template with ``lab.deployment`` as an IAM
user whose one attached policy is the file (or the file with one documented need taken
out) and show that the deploy fails naming the action, as it would on an account:

- VPC Lattice User Guide, "Amazon VPC Lattice API permissions"
  (additional-api-permissions.html): CreateResourceGateway needs the ec2 network-interface
  actions; DeleteResourceGateway needs ec2:DeleteNetworkInterface;
- the Service Authorization Reference (list_amazonec2.html): CreateVpcEndpoint's dependent
  action route53:AssociateVPCWithHostedZone;
- botocore's SQS model (AddPermission's Actions): DeleteMessageBatch is authorized by
  sqs:DeleteMessage; sqs:DeleteMessageBatch is not an IAM action.

Deploy only (no walk-through): about ten seconds.
"""

from __future__ import annotations

import io
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from lab_api_client import lab_api

from lab.config import LabConfig
from lab.deployment import StackDeployer
from lab.errors import LabError
from lab.preflight import POLICY_FILE

pytestmark = pytest.mark.sandbox

REGION = "us-east-1"
STACK = "PrivateApiLab"


def policy_without(*actions: str, adding: tuple[str, ...] = ()) -> dict:
    policy = json.loads(POLICY_FILE.read_text())
    for statement in policy["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a not in actions]
    policy["Statement"][-1]["Action"].extend(adding)
    return policy


def _admin(endpoint: str, service: str):
    return boto3.client(
        service, endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip


@pytest.fixture
def deployer_identity(clean_sandbox):
    """A factory: an IAM user holding ``policy`` (managed, attached); enforcement on after it."""

    def make(policy: dict) -> boto3.Session:
        iam = _admin(clean_sandbox, "iam")
        iam.create_user(UserName="lab-deployer")
        arn = iam.create_policy(PolicyName="lab-deployer", PolicyDocument=json.dumps(policy))
        iam.attach_user_policy(UserName="lab-deployer", PolicyArn=arn["Policy"]["Arn"])
        key = iam.create_access_key(UserName="lab-deployer")["AccessKey"]
        lab_api(clean_sandbox, "config", {"enforce_iam": True})
        return boto3.Session(
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
            region_name=REGION,
        )

    yield make
    lab_api(clean_sandbox, "config", {"enforce_iam": False})


def deploy(endpoint: str, session: boto3.Session) -> StackDeployer:
    from stack_template import template

    deployer = StackDeployer(
        LabConfig(mode="aws", region=REGION, stack_name=STACK, sandbox_port=0),
        cloudformation=session.client("cloudformation", endpoint_url=endpoint),
        template=template,
        poll_seconds=0,
        out=io.StringIO(),
        progress_bar=False,
    )
    deployer.deploy()
    return deployer


def test_enforcement_is_off_by_default(clean_sandbox):
    assert lab_api(clean_sandbox, "config")["enforce_iam"] is False
    # The learner's sandbox: any keys may do anything.
    _admin(clean_sandbox, "sqs").list_queues()


def test_the_policy_deploys_and_destroys_the_stack(clean_sandbox, deployer_identity):
    session = deployer_identity(json.loads(POLICY_FILE.read_text()))
    deployer = deploy(clean_sandbox, session)
    assert "CREATE_COMPLETE" in deployer.out.getvalue()
    deployer.destroy()
    assert "DELETE_COMPLETE" in deployer.out.getvalue() or "deleted" in deployer.out.getvalue()


@pytest.mark.parametrize(
    "removed",
    ["ec2:CreateNetworkInterface", "ec2:AssignPrivateIpAddresses",
     "rds:DescribeDBInstances", "route53:AssociateVPCWithHostedZone",
     "logs:ListLogDeliveries", "vpc-lattice:AssociateViaAWSService-EventsAndStates"],
)  # fmt: skip
def test_the_deploy_fails_naming_a_documented_dependent_action(
    clean_sandbox, deployer_identity, removed
):
    """Issue 27 items 1 and 13: without it the stack rolls back, the reason names it."""
    session = deployer_identity(policy_without(removed))
    with pytest.raises(LabError) as failed:
        deploy(clean_sandbox, session)
    print(failed.value)
    assert f"is not authorized to perform: {removed}" in str(failed.value)
    assert "rolled back" in str(failed.value)


def test_an_unknown_key_is_refused(clean_sandbox, deployer_identity):
    deployer_identity(json.loads(POLICY_FILE.read_text()))
    with pytest.raises(ClientError) as refused:
        _admin(clean_sandbox, "sqs").list_queues()
    assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
    with pytest.raises(ClientError) as refused:
        _admin(clean_sandbox, "stepfunctions").list_state_machines()
    assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_the_dead_letter_scan_needs_sqs_delete_message_not_the_batch_name(
    clean_sandbox, deployer_identity
):
    """Issue 27 item 2: the policy as it was (sqs:DeleteMessageBatch) cannot delete."""
    session = deployer_identity(
        policy_without("sqs:DeleteMessage", adding=("sqs:DeleteMessageBatch",))
    )
    deploy(clean_sandbox, session)
    cfn = session.client("cloudformation", endpoint_url=clean_sandbox)
    outputs = cfn.describe_stacks(StackName=STACK)["Stacks"][0]["Outputs"]
    url = next(o["OutputValue"] for o in outputs if o["OutputKey"] == "EventDeadLetterQueueUrl")
    sqs = session.client("sqs", endpoint_url=clean_sandbox)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)  # allowed
    assert "Messages" not in received
    with pytest.raises(ClientError) as denied:
        # what lab.event_delivery's dead-letter scan calls (a stale handle: IAM comes first)
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "0", "ReceiptHandle": "x"}])
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert "is not authorized to perform: sqs:DeleteMessage" in str(denied.value)
    assert "DeleteMessageBatch" not in denied.value.response["Error"]["Message"]


def test_a_path_label_with_an_arn_is_signed_and_allowed(clean_sandbox, deployer_identity):
    """moto re-signed over the decoded path: an ARN in a rest-json label never matched."""
    session = deployer_identity(json.loads(POLICY_FILE.read_text()))
    deploy(clean_sandbox, session)
    lattice = session.client("vpc-lattice", endpoint_url=clean_sandbox)
    cfn = session.client("cloudformation", endpoint_url=clean_sandbox)
    resources = cfn.describe_stack_resources(StackName=STACK)["StackResources"]
    gateway = next(
        r["PhysicalResourceId"]
        for r in resources
        if r["ResourceType"] == "AWS::VpcLattice::ResourceGateway"
    )
    found = lattice.get_resource_gateway(resourceGatewayIdentifier=gateway)
    answer = lattice.get_resource_gateway(resourceGatewayIdentifier=found["arn"])
    assert answer["id"] == found["id"]


def test_a_change_set_deploy_is_evaluated_per_resource_too(clean_sandbox, deployer_identity):
    """cdk deploy and `aws cloudformation deploy` create the stack through a change set."""
    from stack_template import template

    from lab.deployment import template_body

    session = deployer_identity(policy_without("ec2:CreateNetworkInterfacePermission"))
    cfn = session.client("cloudformation", endpoint_url=clean_sandbox)
    cfn.create_change_set(
        StackName=STACK, ChangeSetName="deploy", ChangeSetType="CREATE",
        TemplateBody=template_body(template()), Capabilities=["CAPABILITY_IAM"],
    )  # fmt: skip
    cfn.execute_change_set(StackName=STACK, ChangeSetName="deploy")
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED")
    reasons = [e.get("ResourceStatusReason", "") for e in cfn.describe_stack_events(
        StackName=STACK)["StackEvents"]]  # fmt: skip
    assert any("not authorized to perform: ec2:CreateNetworkInterfacePermission" in r
               for r in reasons), reasons  # fmt: skip


def test_a_destroy_without_delete_network_interface_ends_delete_failed(
    clean_sandbox, deployer_identity
):
    """VPC Lattice API permissions: DeleteResourceGateway needs ec2:DeleteNetworkInterface."""
    session = deployer_identity(json.loads(POLICY_FILE.read_text()))
    deployer = deploy(clean_sandbox, session)
    # The admin takes the action away after the deploy (enforcement off for the admin's call).
    lab_api(clean_sandbox, "config", {"enforce_iam": False})
    admin = _admin(clean_sandbox, "iam")
    arn = admin.list_attached_user_policies(UserName="lab-deployer")["AttachedPolicies"][0]
    admin.create_policy_version(
        PolicyArn=arn["PolicyArn"], SetAsDefault=True,
        PolicyDocument=json.dumps(policy_without("ec2:DeleteNetworkInterface")),
    )  # fmt: skip
    lab_api(clean_sandbox, "config", {"enforce_iam": True})
    with pytest.raises(LabError) as failed:
        deployer.destroy()
    assert "ec2:DeleteNetworkInterface" in str(failed.value)
    stack = session.client("cloudformation", endpoint_url=clean_sandbox).describe_stacks(
        StackName=STACK
    )["Stacks"][0]
    assert stack["StackStatus"] == "DELETE_FAILED"


def test_a_direct_call_needs_its_documented_dependents(clean_sandbox, deployer_identity):
    """EventBridge connection-private.html: whoever creates a private connection needs
    vpc-lattice:AssociateViaAWSService-EventsAndStates (checked before anything is made)."""
    session = deployer_identity(
        policy_without("vpc-lattice:AssociateViaAWSService-EventsAndStates")
    )
    events = session.client("events", endpoint_url=clean_sandbox)
    with pytest.raises(ClientError) as denied:
        events.create_connection(
            Name="direct",
            AuthorizationType="API_KEY",
            AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
            InvocationConnectivityParameters={"ResourceParameters": {
                "ResourceConfigurationArn":
                    "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123456789abcdef0"}},
        )  # fmt: skip
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "perform: vpc-lattice:AssociateViaAWSService-EventsAndStates" in str(denied.value)
