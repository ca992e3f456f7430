"""lab.preflight: aws-mode checks against botocore's Stubber, sandbox mode against the sandbox.

Each aws-mode test scripts the answers of sts, iam, service-quotas, ec2 and
cloudformation; the Stubber checks every request against the real API model
and fails on an unexpected call. What a Stubber cannot show (that AWS answers
exactly so for a given account) is listed in the module docstring of
lab/preflight.py's report section of the issue, not asserted here.
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest
from botocore.stub import Stubber

from lab import preflight
from lab.config import LabConfig

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "111122223333"  # never to be printed
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/workshop"
ROLE_SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/WorkshopRole/alice"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/team/WorkshopRole"
AWS = LabConfig(mode="aws", region="us-east-1", stack_name="PrivateApiLab", sandbox_port=5599)


@pytest.fixture(autouse=True)
def offline_fake_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("LAB_CONFIRM_BILLABLE", "1")


@pytest.fixture(scope="module")
def session():
    return botocore.session.get_session()


class Stubs:
    """One stubbed client per service; unused answers fail the test."""

    def __init__(self, session):
        self.session = session
        self.stubbers: dict[str, Stubber] = {}

    def __call__(self, service: str):
        return self.stub(service).client

    def stub(self, service: str) -> Stubber:
        if service not in self.stubbers:
            client = self.session.create_client(
                service,
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            self.stubbers[service] = Stubber(client)
            self.stubbers[service].activate()
        return self.stubbers[service]

    def done(self):
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


@pytest.fixture
def stubs(session):
    stubs = Stubs(session)
    yield stubs
    stubs.done()


def identity(stubs, arn=USER_ARN):
    stubs.stub("sts").add_response(
        "get_caller_identity", {"UserId": "AIDAEXAMPLE", "Account": ACCOUNT, "Arn": arn}, {}
    )


def simulation(stubs, source=USER_ARN, denied=(), extra=()):
    actions = preflight.policy_actions() + list(extra)
    results = [
        {
            "EvalActionName": action,
            "EvalDecision": "implicitDeny" if action in denied else "allowed",
        }
        for action in actions
    ]
    stubs.stub("iam").add_response(
        "simulate_principal_policy",
        {"EvaluationResults": results, "IsTruncated": False},
        {"PolicySourceArn": source, "ActionNames": actions},
    )


def quotas(stubs, vpcs_per_region=5.0, vpcs_used=1, endpoints=50.0, gateways=100.0):
    quota = stubs.stub("service-quotas")

    def answer(service, name, value):
        quota.add_response(
            "list_service_quotas",
            {"Quotas": [{"ServiceCode": service, "QuotaName": name, "Value": value}]},
            {"ServiceCode": service},
        )

    answer("vpc", "VPCs per Region", vpcs_per_region)
    stubs.stub("ec2").add_response(
        "describe_vpcs", {"Vpcs": [{"VpcId": f"vpc-{i:017x}"} for i in range(vpcs_used)]}, {}
    )
    answer("vpc", "Interface VPC endpoints per VPC", endpoints)
    answer("vpc-lattice", "Resource gateways per VPC", gateways)


def zones(stubs, offered=("us-east-1a", "us-east-1b", "us-east-1c")):
    ec2 = stubs.stub("ec2")
    ec2.add_response(
        "describe_availability_zones",
        {
            "AvailabilityZones": [
                {"ZoneName": name, "State": "available", "ZoneType": "availability-zone"}
                for name in ("us-east-1b", "us-east-1a", "us-east-1c")
            ]
        },
        {"Filters": [{"Name": "zone-type", "Values": ["availability-zone"]}]},
    )
    ec2.add_response(
        "describe_vpc_endpoint_services",
        {
            "ServiceDetails": [
                {
                    "ServiceName": "com.amazonaws.us-east-1.execute-api",
                    "AvailabilityZones": list(offered),
                }
            ]
        },
        {"ServiceNames": ["com.amazonaws.us-east-1.execute-api"]},
    )


def stack(stubs, status=None):
    cfn = stubs.stub("cloudformation")
    if status is None:
        cfn.add_client_error(
            "describe_stacks",
            service_error_code="ValidationError",
            service_message="Stack with id PrivateApiLab does not exist",
            expected_params={"StackName": "PrivateApiLab"},
        )
    else:
        cfn.add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": "PrivateApiLab",
                        "StackId": f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/Lab/x",
                        "CreationTime": "2026-01-01T00:00:00Z",
                        "StackStatus": status,
                    }
                ]
            },
            {"StackName": "PrivateApiLab"},
        )


def by_name(rows):
    return {row.check: row for row in rows}


def assert_no_account_id(rows):
    assert ACCOUNT not in preflight.render(rows)
    assert ACCOUNT not in preflight.as_json(rows)


def test_everything_ready(stubs):
    identity(stubs)
    simulation(stubs)
    quotas(stubs)
    zones(stubs)
    stack(stubs)
    rows = preflight.run_checks(AWS, stubs)
    assert [(r.check, r.status) for r in rows] == [
        ("credentials", "ok"),
        ("region", "ok"),
        ("permissions", "ok"),
        ("quota: VPCs per Region", "ok"),
        ("quota: Interface VPC endpoints per VPC", "ok"),
        ("quota: Resource gateways per VPC", "ok"),
        ("availability zones", "ok"),
        ("stack", "ok"),
        ("consent", "ok"),
    ]
    checks = by_name(rows)
    assert checks["credentials"].detail == "user/workshop in account (id not shown)"
    assert "us-east-1a, us-east-1b" in checks["availability zones"].detail
    assert preflight.summary(rows) == "preflight: ready (9 ok)"
    assert json.loads(preflight.as_json(rows))["ready"] is True
    assert_no_account_id(rows)


def test_an_assumed_role_is_simulated_as_its_role(stubs):
    identity(stubs, ROLE_SESSION_ARN)
    stubs.stub("iam").add_response(
        "get_role",
        {
            "Role": {
                "Path": "/team/",
                "RoleName": "WorkshopRole",
                "RoleId": "AROAEXAMPLEEXAMPLE123",
                "Arn": ROLE_ARN,
                "CreateDate": "2026-01-01T00:00:00Z",
            }
        },
        {"RoleName": "WorkshopRole"},
    )
    simulation(stubs, source=ROLE_ARN, denied=("iam:PassRole", "events:CreateConnection"))
    quotas(stubs)
    zones(stubs)
    stack(stubs)
    rows = preflight.run_checks(AWS, stubs)
    permissions = by_name(rows)["permissions"]
    assert permissions.status == "fail"
    assert "2 of" in permissions.detail
    assert "events:CreateConnection" in permissions.detail and "iam:PassRole" in permissions.detail
    assert "docs/deployer-policy.json" in permissions.fix
    assert preflight.summary(rows).startswith("preflight: blocked")
    assert_no_account_id(rows)


def test_no_right_to_simulate_is_skipped_not_failed(stubs):
    identity(stubs)
    stubs.stub("iam").add_client_error(
        "simulate_principal_policy", service_error_code="AccessDenied", http_status_code=403
    )
    quotas(stubs)
    zones(stubs)
    stack(stubs)
    permissions = by_name(preflight.run_checks(AWS, stubs))["permissions"]
    assert permissions.status == "skipped"
    assert "iam:SimulatePrincipalPolicy" in permissions.detail


def test_with_the_kms_key_option_the_second_policy_is_simulated_too(stubs):
    """The option connection_kms_key needs docs/deployer-policy-connection-kms-key.json too:
    a deployer without kms:CreateKey fails here, not halfway through the stack."""
    import dataclasses

    identity(stubs)
    extra = preflight.policy_actions(preflight.KMS_KEY_POLICY_FILE)
    simulation(stubs, denied={"kms:CreateKey"}, extra=extra)
    quotas(stubs)
    zones(stubs)
    stack(stubs)
    cfg = dataclasses.replace(AWS, connection_kms_key=True)
    permissions = by_name(preflight.run_checks(cfg, stubs))["permissions"]
    assert permissions.status == "fail"
    assert "kms:CreateKey" in permissions.detail
    assert "deployer-policy-connection-kms-key.json" in permissions.fix


def test_quotas_that_bite(stubs):
    identity(stubs)
    simulation(stubs)
    quotas(stubs, vpcs_per_region=5.0, vpcs_used=5, gateways=0.0)
    zones(stubs)
    stack(stubs)
    checks = by_name(preflight.run_checks(AWS, stubs))
    assert checks["quota: VPCs per Region"].status == "fail"
    assert checks["quota: VPCs per Region"].detail == "5 VPCs of 5 allowed; the stack adds one"
    assert checks["quota: Interface VPC endpoints per VPC"].status == "ok"
    assert checks["quota: Resource gateways per VPC"].status == "fail"


def test_a_quota_missing_from_the_applied_list_comes_from_the_defaults(stubs):
    quota = stubs.stub("service-quotas")
    quota.add_response("list_service_quotas", {"Quotas": []}, {"ServiceCode": "vpc-lattice"})
    quota.add_response(
        "list_aws_default_service_quotas",
        {"Quotas": [{"QuotaName": "Resource gateways per VPC", "Value": 100.0}]},
        {"ServiceCode": "vpc-lattice"},
    )
    client = stubs("service-quotas")
    assert preflight._quota_value(client, "vpc-lattice", "Resource gateways per VPC") == 100.0


def test_a_zone_without_execute_api_fails(stubs):
    identity(stubs)
    simulation(stubs)
    quotas(stubs)
    zones(stubs, offered=("us-east-1a", "us-east-1c"))
    stack(stubs)
    row = by_name(preflight.run_checks(AWS, stubs))["availability zones"]
    assert row.status == "fail"
    assert "not offered in us-east-1b" in row.detail


@pytest.mark.parametrize(
    ("status", "verdict", "fix"),
    [
        ("CREATE_COMPLETE", "ok", ""),
        ("ROLLBACK_COMPLETE", "warn", "python -m lab destroy"),
        ("UPDATE_IN_PROGRESS", "fail", "wait"),
        ("REVIEW_IN_PROGRESS", "warn", "destroy"),
        ("DELETE_FAILED", "warn", "console"),
        ("UPDATE_ROLLBACK_FAILED", "fail", "ContinueUpdateRollback"),
    ],
)
def test_an_existing_stack(stubs, status, verdict, fix):
    identity(stubs)
    simulation(stubs)
    quotas(stubs)
    zones(stubs)
    stack(stubs, status)
    row = by_name(preflight.run_checks(AWS, stubs))["stack"]
    assert row.status == verdict
    assert fix in row.fix


def test_no_consent_fails(stubs, monkeypatch):
    monkeypatch.delenv("LAB_CONFIRM_BILLABLE")
    identity(stubs)
    simulation(stubs)
    quotas(stubs)
    zones(stubs)
    stack(stubs)
    row = by_name(preflight.run_checks(AWS, stubs))["consent"]
    assert row.status == "fail"
    assert "CONFIRM_BILLABLE" in row.fix


def test_an_unsupported_region_fails():
    cfg = LabConfig(mode="aws", region="il-central-1", stack_name="PrivateApiLab", sandbox_port=1)
    row = preflight.check_region(preflight._Run(cfg, None))
    assert row.status == "fail"


def test_no_credentials_skips_what_needs_them(monkeypatch, tmp_path, stubs):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    rows = preflight.run_checks(AWS, stubs)  # no stubbed answers: no call may be made
    checks = by_name(rows)
    assert checks["credentials"].status == "fail"
    assert "aws configure" in checks["credentials"].fix
    for name in ("permissions", "quotas", "availability zones", "stack"):
        assert checks[name].status == "skipped", name


# -- the policy file ----------------------------------------------------------------------


def allowed(action: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns)


def test_the_policy_is_an_attachable_managed_policy():
    policy = json.loads(preflight.POLICY_FILE.read_text())
    assert policy["Version"] == "2012-10-17"
    compact = json.dumps(policy, separators=(",", ":"))
    assert len(compact) <= 6144  # IAM's managed-policy size limit (whitespace excluded)
    actions = preflight.policy_actions()
    assert len(actions) == len(set(actions))
    for action in actions:
        assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9-]+", action), action  # no wildcards


def not_iam_actions() -> set[str]:
    """Handler permissions in cfn-lint's schemas that are not in AWS's catalog of IAM actions."""
    return {p for p in _handler_permission_names() if p.lower() not in _tool().catalog()}


def _handler_permission_names() -> set[str]:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as schemas
    from stack_template import template

    names = set()
    for resource_type in {r["Type"] for r in template()["Resources"].values()}:
        handlers = schemas.get_resource_schema("us-east-1", resource_type).schema["handlers"]
        for operation in ("create", "read", "update", "delete"):
            names.update(handlers.get(operation, {}).get("permissions", []))
    return names


@pytest.mark.parametrize("connection_kms_key", [False, True], ids=["default", "kms_key"])
def test_the_policy_covers_every_handler_permission_of_the_templates_types(connection_kms_key):
    """With the option connection_kms_key, the two deployer policies together."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as schemas
    from stack_template import template

    actions = preflight.policy_actions()
    if connection_kms_key:
        actions += preflight.policy_actions(preflight.KMS_KEY_POLICY_FILE)
    types = {r["Type"] for r in template(connection_kms_key)["Resources"].values()}
    missing = set()
    skipped = not_iam_actions()
    assert "s3:REST.PUT.OBJECT" in skipped and "kms:ReEncrypt" in skipped
    for resource_type in types:
        handlers = schemas.get_resource_schema("us-east-1", resource_type).schema["handlers"]
        for operation in ("create", "read", "update", "delete"):
            for permission in handlers.get(operation, {}).get("permissions", []):
                if permission not in skipped and not allowed(permission, actions):
                    missing.add(f"{resource_type} {operation}: {permission}")
    assert not missing, sorted(missing)


def test_the_policy_covers_private_connectivity_and_change_sets():
    actions = preflight.policy_actions()
    for action in (
        # AWS's documented needs of a private connection (README)
        "vpc-lattice:CreateServiceNetworkResourceAssociation",
        "vpc-lattice:GetResourceConfiguration",
        "vpc-lattice:AssociateViaAWSService-EventsAndStates",
        "events:CreateConnection",
        "events:UpdateConnection",
        # cdk deploy
        "cloudformation:CreateChangeSet",
        "cloudformation:ExecuteChangeSet",
        # preflight itself
        "iam:SimulatePrincipalPolicy",
        "servicequotas:ListServiceQuotas",
    ):
        assert action in actions, action


def _tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "deployer_policy", ROOT / "tools" / "deployer_policy.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_policy_allows_every_call_the_lab_makes():
    """tools/deployer_policy.py scans lab/ (not the sandbox) for botocore operations."""
    actions = preflight.policy_actions()
    calls = _tool().lab_calls()
    assert "states:StartExecution" in calls and "cloudformation:CreateStack" in calls
    missing = sorted(a for a in calls if not allowed(a, actions))
    assert not missing, missing


def test_the_policy_file_is_what_the_tool_writes():
    from stack_template import template

    expected = _tool().policy(template())
    assert json.loads(preflight.POLICY_FILE.read_text()) == expected, (
        "run `python tools/deployer_policy.py` and commit docs/deployer-policy.json"
    )


# -- sandbox mode -------------------------------------------------------------------------


@pytest.mark.sandbox
def test_sandbox_mode_checks_the_sandbox(clean_sandbox):
    rows = preflight.run_checks()
    assert [(r.check, r.status) for r in rows] == [
        ("sandbox", "ok"),
        ("credentials", "ok"),
        ("region", "ok"),
        ("stack", "ok"),
        ("consent", "ok"),
    ]
    assert "123456789012" in by_name(rows)["credentials"].detail  # the sandbox's own


@pytest.mark.sandbox
def test_cli_preflight_json(clean_sandbox):
    done = subprocess.run(
        [sys.executable, "-m", "lab", "preflight", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["ready"] is True
    assert {c["check"] for c in report["checks"]} >= {"sandbox", "stack", "consent"}


def test_cli_preflight_fails_with_exit_1_when_the_sandbox_is_down(monkeypatch):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    env = {"LAB_SANDBOX_PORT": str(free), "LAB_MODE": "sandbox"}
    done = subprocess.run(
        [sys.executable, "-m", "lab", "preflight"],
        cwd=ROOT,
        env={**__import__("os").environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1].startswith("preflight: blocked")
    assert "python -m lab sandbox start" in done.stdout


def test_the_scan_for_the_labs_calls_takes_whole_names_after_a_dot_or_in_quotes(tmp_path):
    """What tools/deployer_policy.py counts as a call of a botocore operation: its snake_case
    name after a dot or in double quotes, whole (``.create_vpc_endpoint_service_configuration``
    is not CreateVpcEndpoint), outside lab/sandbox/ (the emulator, not the lab's calls)."""
    (tmp_path / "lab" / "sandbox").mkdir(parents=True)
    (tmp_path / "lab" / "calls.py").write_text(
        'sfn.start_execution(stateMachineArn=arn)\nretry(sqs.delete_message_batch)\n'
        'call("describe_stacks")\nec2.create_vpc_endpoint_service_configuration()\n'
        'x = "a" "put_events" "b"\n# start_execution_extra, "get_queue_url_x"\n')
    (tmp_path / "lab" / "sandbox" / "server.py").write_text("cfn.delete_stack()\n")
    assert _tool().lab_calls(tmp_path) == {
        "states:StartExecution", "sqs:DeleteMessage", "cloudformation:DescribeStacks",
        "ec2:CreateVpcEndpointServiceConfiguration", "events:PutEvents",
    }
