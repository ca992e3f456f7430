"""lab.sandbox.inventory.leftovers: what a deleted stack must not leave behind."""

from __future__ import annotations

import json

from lab.sandbox.inventory import is_clean, leftovers

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lab"


def test_what_moto_creates_by_itself_is_not_a_leftover(moto_inprocess):
    moto_inprocess("ec2").describe_vpcs()  # creates the default VPC, subnets, groups...
    moto_inprocess("events").list_event_buses()  # ...and the default event bus
    assert is_clean(leftovers(ACCOUNT, REGION))


def test_a_vpc_made_through_the_api_is_a_leftover(moto_inprocess):
    vpc = moto_inprocess("ec2").create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]
    assert f"vpc {vpc['VpcId']}" in leftovers(ACCOUNT, REGION)["ec2"]


def test_a_secret_scheduled_for_deletion_is_still_a_leftover(moto_inprocess):
    secrets = moto_inprocess("secretsmanager")
    secrets.create_secret(Name="lab", SecretString="x")
    secrets.delete_secret(SecretId="lab", RecoveryWindowInDays=7)
    assert leftovers(ACCOUNT, REGION)["secretsmanager"] == ["secret lab (scheduled for deletion)"]


def test_state_machines_are_found_in_the_executing_backend(moto_inprocess):
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    machine = moto_inprocess("stepfunctions").create_state_machine(
        name="lab", definition=definition, roleArn=ROLE
    )
    assert leftovers(ACCOUNT, REGION)["stepfunctions"] == [
        f"state machine {machine['stateMachineArn']} (executing backend)"
    ]


def test_looking_creates_no_backend(moto_inprocess):
    from moto.logs.models import logs_backends

    moto_inprocess("logs").describe_log_groups()  # the account exists, us-east-1 only
    leftovers(ACCOUNT, "eu-west-3")
    assert list(dict.keys(logs_backends[ACCOUNT])) == [REGION]
