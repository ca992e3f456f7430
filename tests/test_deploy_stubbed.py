"""lab.deploy against botocore's Stubber: every request is validated by the real API model.

Each test scripts CloudFormation's answers in order; the Stubber fails the test
if the deployer sends a request that is not expected, has invalid parameters,
or leaves a scripted answer unused.
"""

from __future__ import annotations

import io
import json
import socket
from datetime import UTC, datetime, timedelta

import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from lab.config import LabConfig
from lab.deployment import (
    TEMPLATE_BODY_LIMIT,
    StackDeployer,
    required_capabilities,
    template_body,
)
from lab.errors import LabError
from lab.progress_bars import format_event

NAME = "PrivateApiLab"
STACK_ID = f"arn:aws:cloudformation:us-east-1:123456789012:stack/{NAME}/11111111-aaaa"
OLD_STACK_ID = f"arn:aws:cloudformation:us-east-1:123456789012:stack/{NAME}/00000000-dead"
TEMPLATE = {
    "Resources": {
        "ResourceGateway": {"Type": "AWS::VpcLattice::ResourceGateway", "Properties": {}},
        "ResourceConfiguration": {
            "Type": "AWS::VpcLattice::ResourceConfiguration",
            "Properties": {},
        },
    },
    "Outputs": {"ResourceGatewayId": {"Value": {"Ref": "ResourceGateway"}}},
}
OUTPUTS = [{"OutputKey": "ResourceGatewayId", "OutputValue": "rgw-0123456789abcdef0"}]
T0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def offline_fake_credentials(monkeypatch):
    """Fake keys for request signing; never the metadata service (no traffic off the machine)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="module")
def botocore_session():
    # one session, so the API model is loaded once for the whole module
    return botocore.session.get_session()


@pytest.fixture
def stub(botocore_session):
    client = botocore_session.create_client(
        "cloudformation",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def deployer(stub, template=TEMPLATE, **kwargs) -> StackDeployer:
    cfg = LabConfig(mode="aws", region="us-east-1", stack_name=NAME, sandbox_port=5599)
    kwargs.setdefault("poll_seconds", 0)
    return StackDeployer(
        cfg,
        cloudformation=stub.client,
        template=lambda: template,
        out=io.StringIO(),
        progress_bar=False,
        **kwargs,
    )


def printed(d: StackDeployer) -> str:
    return d.out.getvalue()


# --------------------------------------------------------------- scripted answers


def stack(status, stack_id=STACK_ID, outputs=None, reason=None) -> dict:
    description = {
        "StackName": NAME,
        "StackId": stack_id,
        "CreationTime": T0,
        "StackStatus": status,
    }
    if outputs:
        description["Outputs"] = outputs
    if reason:
        description["StackStatusReason"] = reason
    return description


def event(n, logical, rtype, status, reason=None, stack_id=STACK_ID) -> dict:
    e = {
        "StackId": stack_id,
        "EventId": f"{logical}-{status}-{n}",
        "StackName": NAME,
        "LogicalResourceId": logical,
        "PhysicalResourceId": "",
        "ResourceType": rtype,
        "Timestamp": T0 + timedelta(seconds=n),
        "ResourceStatus": status,
    }
    if reason:
        e["ResourceStatusReason"] = reason
    return e


def stack_event(n, status, reason=None, stack_id=STACK_ID) -> dict:
    return event(n, NAME, "AWS::CloudFormation::Stack", status, reason, stack_id)


def gateway_event(n, status, reason=None, stack_id=STACK_ID) -> dict:
    return event(n, "ResourceGateway", "AWS::VpcLattice::ResourceGateway", status, reason, stack_id)


def config_event(n, status, reason=None) -> dict:
    return event(
        n, "ResourceConfiguration", "AWS::VpcLattice::ResourceConfiguration", status, reason
    )


def answers_describe(stub, description, by=NAME):
    stub.add_response("describe_stacks", {"Stacks": [description]}, {"StackName": by})


def answers_missing(stub, by=NAME):
    stub.add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message=f"Stack with id {by} does not exist",
        http_status_code=400,
        expected_params={"StackName": by},
    )


def answers_events(stub, events_oldest_first, stack_id=STACK_ID):
    stub.add_response(
        "describe_stack_events",
        {"StackEvents": list(reversed(events_oldest_first))},
        {"StackName": stack_id},
    )


def answers_resources(stub, count, stack_id=STACK_ID):
    summaries = [
        {
            "LogicalResourceId": f"R{i}",
            "ResourceType": "AWS::SQS::Queue",
            "LastUpdatedTimestamp": T0,
            "ResourceStatus": "CREATE_COMPLETE",
        }
        for i in range(count)
    ]
    stub.add_response(
        "list_stack_resources", {"StackResourceSummaries": summaries}, {"StackName": stack_id}
    )


def answers_create(stub, stack_id=STACK_ID):
    stub.add_response(
        "create_stack",
        {"StackId": stack_id},
        {
            "StackName": NAME,
            "TemplateBody": template_body(TEMPLATE),
            "Capabilities": ["CAPABILITY_IAM"],
            "OnFailure": "DELETE",
        },
    )


def answers_successful_create(stub):
    """create_stack, then two polls: in progress, then complete with outputs."""
    answers_create(stub)
    answers_describe(stub, stack("CREATE_IN_PROGRESS"), by=STACK_ID)
    started = [stack_event(1, "CREATE_IN_PROGRESS", "User Initiated")]
    answers_events(stub, started)
    answers_describe(stub, stack("CREATE_COMPLETE", outputs=OUTPUTS), by=STACK_ID)
    answers_events(
        stub,
        started
        + [
            gateway_event(2, "CREATE_IN_PROGRESS"),
            gateway_event(3, "CREATE_COMPLETE"),
            stack_event(4, "CREATE_COMPLETE"),
        ],
    )


# ------------------------------------------------------------------------- tests


def test_create_new_stack_returns_outputs_as_a_plain_dict(stub):
    answers_missing(stub)
    answers_successful_create(stub)
    assert deployer(stub).deploy() == {"ResourceGatewayId": "rgw-0123456789abcdef0"}


def test_create_prints_each_event_once_oldest_first(stub):
    answers_missing(stub)
    answers_successful_create(stub)
    d = deployer(stub)
    d.deploy()
    lines = [line for line in printed(d).splitlines() if line[:2].isdigit()]
    statuses = [line.split()[3] for line in lines]
    assert statuses == [
        "CREATE_IN_PROGRESS",
        "CREATE_IN_PROGRESS",
        "CREATE_COMPLETE",
        "CREATE_COMPLETE",
    ]


def test_update_with_no_changes_is_a_no_op_returning_outputs(stub):
    answers_describe(stub, stack("CREATE_COMPLETE", outputs=OUTPUTS))
    answers_events(stub, [stack_event(1, "CREATE_COMPLETE")])
    stub.add_client_error(
        "update_stack",
        service_error_code="ValidationError",
        service_message="No updates are to be performed.",
        http_status_code=400,
        expected_params={
            "StackName": STACK_ID,
            "TemplateBody": template_body(TEMPLATE),
            "Capabilities": ["CAPABILITY_IAM"],
        },
    )
    d = deployer(stub)
    assert d.deploy() == {"ResourceGatewayId": "rgw-0123456789abcdef0"}
    assert "is up to date" in printed(d)


def test_update_shows_only_the_new_events(stub):
    old = [stack_event(1, "CREATE_COMPLETE")]
    answers_describe(stub, stack("CREATE_COMPLETE", outputs=OUTPUTS))
    answers_events(stub, old)
    stub.add_response("update_stack", {"StackId": STACK_ID}, None)
    answers_describe(stub, stack("UPDATE_COMPLETE", outputs=OUTPUTS), by=STACK_ID)
    answers_events(
        stub, old + [stack_event(2, "UPDATE_IN_PROGRESS"), stack_event(3, "UPDATE_COMPLETE")]
    )
    d = deployer(stub)
    d.deploy()
    assert "UPDATE_COMPLETE" in printed(d)
    assert "CREATE_COMPLETE" not in printed(d)


def test_rollback_complete_stack_is_deleted_then_created_and_says_so(stub):
    answers_describe(stub, stack("ROLLBACK_COMPLETE", stack_id=OLD_STACK_ID))
    answers_resources(stub, 0, stack_id=OLD_STACK_ID)
    failed_before = [stack_event(1, "ROLLBACK_COMPLETE", stack_id=OLD_STACK_ID)]
    answers_events(stub, failed_before, stack_id=OLD_STACK_ID)
    stub.add_response("delete_stack", {}, {"StackName": OLD_STACK_ID})
    answers_describe(stub, stack("DELETE_COMPLETE", stack_id=OLD_STACK_ID), by=OLD_STACK_ID)
    answers_events(
        stub,
        failed_before
        + [
            stack_event(2, "DELETE_IN_PROGRESS", stack_id=OLD_STACK_ID),
            stack_event(3, "DELETE_COMPLETE", stack_id=OLD_STACK_ID),
        ],
        stack_id=OLD_STACK_ID,
    )
    answers_successful_create(stub)
    d = deployer(stub)
    assert d.deploy() == {"ResourceGatewayId": "rgw-0123456789abcdef0"}
    assert "ROLLBACK_COMPLETE" in printed(d)
    assert "deleting it, then creating it again" in printed(d)


def test_stack_mid_update_is_waited_for_then_deployed(stub):
    history = [stack_event(1, "UPDATE_IN_PROGRESS", "User Initiated")]
    answers_describe(stub, stack("UPDATE_IN_PROGRESS"))
    answers_resources(stub, 2)
    answers_events(stub, history)  # the newest event before waiting
    answers_describe(stub, stack("UPDATE_IN_PROGRESS"), by=STACK_ID)
    answers_events(stub, history)
    answers_describe(stub, stack("UPDATE_COMPLETE", outputs=OUTPUTS), by=STACK_ID)
    history = history + [stack_event(2, "UPDATE_COMPLETE")]
    answers_events(stub, history)
    # then the deploy itself: nothing to change
    answers_events(stub, history)
    stub.add_client_error(
        "update_stack",
        service_error_code="ValidationError",
        service_message="No updates are to be performed.",
        http_status_code=400,
    )
    d = deployer(stub)
    assert d.deploy() == {"ResourceGatewayId": "rgw-0123456789abcdef0"}
    assert "UPDATE_IN_PROGRESS" in printed(d) and "waiting for that to finish" in printed(d)


def test_stack_being_deleted_is_waited_for_then_created(stub):
    history = [stack_event(1, "DELETE_IN_PROGRESS", stack_id=OLD_STACK_ID)]
    answers_describe(stub, stack("DELETE_IN_PROGRESS", stack_id=OLD_STACK_ID))
    answers_resources(stub, 2, stack_id=OLD_STACK_ID)
    answers_events(stub, history, stack_id=OLD_STACK_ID)
    answers_describe(stub, stack("DELETE_COMPLETE", stack_id=OLD_STACK_ID), by=OLD_STACK_ID)
    answers_events(
        stub,
        history + [stack_event(2, "DELETE_COMPLETE", stack_id=OLD_STACK_ID)],
        stack_id=OLD_STACK_ID,
    )
    answers_successful_create(stub)
    assert deployer(stub).deploy() == {"ResourceGatewayId": "rgw-0123456789abcdef0"}


FAILED_CREATE_EVENTS = [
    stack_event(1, "CREATE_IN_PROGRESS", "User Initiated"),
    gateway_event(2, "CREATE_IN_PROGRESS"),
    config_event(3, "CREATE_IN_PROGRESS"),
    gateway_event(4, "CREATE_FAILED", "Subnet subnet-0abc is not in the VPC"),
    config_event(5, "CREATE_FAILED", "Resource creation cancelled"),
    stack_event(6, "DELETE_IN_PROGRESS", "The following resource(s) failed to create"),
    gateway_event(7, "DELETE_COMPLETE"),
    config_event(8, "DELETE_COMPLETE"),
    stack_event(9, "DELETE_COMPLETE"),
]


def test_failed_create_names_the_first_failed_resource_and_reason(stub):
    answers_missing(stub)
    answers_create(stub)
    answers_describe(stub, stack("DELETE_COMPLETE"), by=STACK_ID)
    answers_events(stub, FAILED_CREATE_EVENTS)
    with pytest.raises(LabError) as info:
        deployer(stub).deploy()
    message = str(info.value)
    assert (
        "failed at ResourceGateway (AWS::VpcLattice::ResourceGateway) CREATE_FAILED: "
        "Subnet subnet-0abc is not in the VPC" in message
    )
    assert "rolled back and deleted" in message


def test_failed_create_left_in_rollback_complete_is_deleted(stub):
    # OnFailure=DELETE normally removes the stack; if it stays, the deployer deletes it.
    events = FAILED_CREATE_EVENTS[:5] + [stack_event(6, "ROLLBACK_COMPLETE")]
    answers_missing(stub)
    answers_create(stub)
    answers_describe(stub, stack("ROLLBACK_COMPLETE"), by=STACK_ID)
    answers_events(stub, events)
    answers_resources(stub, 2)
    answers_events(stub, events)
    stub.add_response("delete_stack", {}, {"StackName": STACK_ID})
    answers_describe(stub, stack("DELETE_COMPLETE"), by=STACK_ID)
    answers_events(stub, events + [stack_event(7, "DELETE_COMPLETE")])
    with pytest.raises(LabError, match="failed at ResourceGateway"):
        deployer(stub).deploy()


def test_failed_update_says_it_was_rolled_back(stub):
    old = [stack_event(1, "CREATE_COMPLETE")]
    answers_describe(stub, stack("CREATE_COMPLETE", outputs=OUTPUTS))
    answers_events(stub, old)
    stub.add_response("update_stack", {"StackId": STACK_ID}, None)
    answers_describe(stub, stack("UPDATE_ROLLBACK_COMPLETE", outputs=OUTPUTS), by=STACK_ID)
    answers_events(stub, old + [gateway_event(2, "UPDATE_FAILED", "Name already taken")])
    with pytest.raises(LabError, match="Name already taken; CloudFormation rolled it back"):
        deployer(stub).deploy()


def test_waiting_gives_up_after_the_limit_with_a_next_step(stub):
    answers_missing(stub)
    answers_create(stub)
    answers_describe(stub, stack("CREATE_IN_PROGRESS"), by=STACK_ID)
    answers_events(stub, [stack_event(1, "CREATE_IN_PROGRESS")])
    ticks = iter([0.0, 10.0])
    d = deployer(stub, max_wait_seconds=5, clock=lambda: next(ticks))
    with pytest.raises(LabError, match="still CREATE_IN_PROGRESS after .*run the same command"):
        d.deploy()


def test_waiting_polls_at_the_configured_interval(stub):
    answers_missing(stub)
    answers_successful_create(stub)
    naps: list[float] = []
    deployer(stub, poll_seconds=5.0, sleep=naps.append).deploy()
    assert naps == [5.0]


def test_destroying_a_missing_stack_is_an_idempotent_no_op(stub):
    answers_missing(stub)
    assert deployer(stub).destroy() == (
        f"Stack {NAME} does not exist in AWS region us-east-1; nothing to destroy."
    )


def test_destroy_deletes_and_waits_until_gone(stub):
    answers_describe(stub, stack("CREATE_COMPLETE", outputs=OUTPUTS))
    answers_resources(stub, 2)
    old = [stack_event(1, "CREATE_COMPLETE")]
    answers_events(stub, old)
    stub.add_response("delete_stack", {}, {"StackName": STACK_ID})
    answers_describe(stub, stack("DELETE_IN_PROGRESS"), by=STACK_ID)
    answers_events(stub, old + [stack_event(2, "DELETE_IN_PROGRESS")])
    answers_describe(stub, stack("DELETE_COMPLETE"), by=STACK_ID)
    answers_events(
        stub, old + [stack_event(2, "DELETE_IN_PROGRESS"), stack_event(3, "DELETE_COMPLETE")]
    )
    assert deployer(stub).destroy() == f"Stack {NAME} is deleted from AWS region us-east-1."


def test_a_failed_delete_names_the_resource_and_how_to_retry(stub):
    answers_describe(stub, stack("CREATE_COMPLETE"))
    answers_resources(stub, 2)
    answers_events(stub, [])
    stub.add_response("delete_stack", {}, {"StackName": STACK_ID})
    answers_describe(stub, stack("DELETE_FAILED"), by=STACK_ID)
    answers_events(stub, [gateway_event(1, "DELETE_FAILED", "ENIs still in use")])
    with pytest.raises(LabError, match="ENIs still in use.*python -m lab destroy"):
        deployer(stub).destroy()


def test_ensure_deployed_does_nothing_when_the_template_is_deployed(stub):
    answers_describe(stub, stack("UPDATE_COMPLETE", outputs=OUTPUTS))
    stub.add_response(
        "get_template",
        {"TemplateBody": json.dumps(TEMPLATE)},
        {"StackName": STACK_ID, "TemplateStage": "Original"},
    )
    assert deployer(stub).ensure_deployed() == {"ResourceGatewayId": "rgw-0123456789abcdef0"}


def test_ensure_deployed_updates_when_the_template_changed(stub):
    deployed = {"Resources": {"ResourceGateway": TEMPLATE["Resources"]["ResourceGateway"]}}
    answers_describe(stub, stack("CREATE_COMPLETE", outputs=OUTPUTS))
    stub.add_response("get_template", {"TemplateBody": json.dumps(deployed)}, None)
    answers_events(stub, [stack_event(1, "CREATE_COMPLETE")])
    stub.add_response(
        "update_stack",
        {"StackId": STACK_ID},
        {"StackName": STACK_ID, "TemplateBody": ANY, "Capabilities": ["CAPABILITY_IAM"]},
    )
    answers_describe(stub, stack("UPDATE_COMPLETE", outputs=OUTPUTS), by=STACK_ID)
    answers_events(stub, [stack_event(1, "CREATE_COMPLETE"), stack_event(2, "UPDATE_COMPLETE")])
    assert deployer(stub).ensure_deployed() == {"ResourceGatewayId": "rgw-0123456789abcdef0"}


def test_ensure_deployed_creates_a_missing_stack(stub):
    answers_missing(stub)
    answers_successful_create(stub)
    assert deployer(stub).ensure_deployed() == {"ResourceGatewayId": "rgw-0123456789abcdef0"}


def test_outputs_of_a_missing_stack_say_how_to_deploy(stub):
    answers_missing(stub)
    with pytest.raises(LabError, match="does not exist.*python -m lab deploy"):
        deployer(stub).outputs()


def test_aws_credential_errors_name_the_fix(stub):
    stub.add_client_error(
        "describe_stacks",
        service_error_code="ExpiredToken",
        service_message="The security token included in the request is expired",
        http_status_code=403,
    )
    with pytest.raises(LabError, match="aws sso login"):
        deployer(stub).outputs()


def test_a_sandbox_internal_error_points_at_the_sandbox_log(stub, monkeypatch):
    from botocore.parsers import ResponseParserError

    def crash(**params):
        raise ResponseParserError("Unable to parse response, invalid XML received")

    cfg = LabConfig(mode="sandbox", region="us-east-1", stack_name=NAME, sandbox_port=5599)
    d = StackDeployer(cfg, cloudformation=stub.client, template=lambda: TEMPLATE, out=io.StringIO())
    monkeypatch.setattr(stub.client, "describe_stacks", crash)
    with pytest.raises(LabError, match="internal error in the lab's sandbox.*sandbox stop"):
        d.outputs()


# --------------------------------------------------------- template and capabilities


def test_template_over_the_body_limit_is_refused_with_its_size():
    padding = "x" * TEMPLATE_BODY_LIMIT
    with pytest.raises(LabError, match=r"is 51,2\d\d bytes .*51,200-byte TemplateBody limit"):
        template_body({"Description": padding[: TEMPLATE_BODY_LIMIT - 10]})


def test_template_body_is_compact_json():
    assert template_body({"A": {"B": [1, 2]}}) == '{"A":{"B":[1,2]}}'


def test_only_iam_capability_for_unnamed_roles():
    role = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}
    assert required_capabilities({"Resources": {"Role": role}}) == ["CAPABILITY_IAM"]


def test_named_iam_capability_when_a_role_is_named():
    role = {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "lab-role"}}
    assert required_capabilities({"Resources": {"Role": role}}) == [
        "CAPABILITY_IAM",
        "CAPABILITY_NAMED_IAM",
    ]


def test_event_line_reads_time_id_type_status_reason():
    line = format_event(gateway_event(0, "CREATE_FAILED", "Subnet is not in the VPC"))
    when = T0.astimezone().strftime("%H:%M:%S.000")
    assert line.split()[:4] == [
        when,
        "ResourceGateway",
        "AWS::VpcLattice::ResourceGateway",
        "CREATE_FAILED",
    ]
    assert line.endswith("Subnet is not in the VPC")


# ------------------------------------------------------------- the module functions


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("LAB_MODE", "aws")
    monkeypatch.setenv("LAB_REGION", "us-east-1")


def test_deploy_without_credentials_fails_before_any_work(no_credentials, monkeypatch):
    import lab.deployment

    def must_not_synth(cfg):
        raise AssertionError("synthesized before checking credentials")

    monkeypatch.setattr(lab.deployment, "_synthesized_template", must_not_synth)
    with pytest.raises(LabError, match="aws configure.*AWS_PROFILE.*AWS_ACCESS_KEY_ID"):
        lab.deployment.deploy()


def test_deploy_in_aws_mode_without_consent_creates_nothing(monkeypatch):
    import lab.deployment

    monkeypatch.setenv("LAB_MODE", "aws")
    monkeypatch.setenv("LAB_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    monkeypatch.delenv(lab.deployment.CONSENT_VARIABLE, raising=False)

    def must_not_synth(cfg):
        raise AssertionError("synthesized before the learner agreed to the cost")

    monkeypatch.setattr(lab.deployment, "_synthesized_template", must_not_synth)
    with pytest.raises(LabError, match="billable.*CONFIRM_BILLABLE.*LAB_CONFIRM_BILLABLE=1"):
        lab.deployment.deploy()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_destroy_in_a_sandbox_that_is_not_running_is_a_no_op(monkeypatch):
    from lab.deployment import destroy

    monkeypatch.setenv("LAB_MODE", "sandbox")
    monkeypatch.setenv("LAB_SANDBOX_PORT", str(_free_port()))
    assert "nothing to destroy" in destroy()


def test_deploy_in_sandbox_mode_starts_the_sandbox_first(monkeypatch):
    import lab.deployment
    import lab.sandbox

    calls: list[str] = []

    class Recorder:
        def __init__(self, cfg):
            calls.append("deployer")

        def deploy(self):
            return {}

    monkeypatch.setattr(
        lab.sandbox, "ensure_running", lambda: calls.append("sandbox"), raising=False
    )
    monkeypatch.setattr(lab.deployment, "StackDeployer", Recorder)
    monkeypatch.setenv("LAB_MODE", "sandbox")
    lab.deployment.deploy()
    assert calls == ["sandbox", "deployer"]


def test_lab_deploy_stays_callable_after_the_module_is_imported(monkeypatch):
    import lab
    import lab.deployment  # the module has its own name, so ``lab.deploy`` stays the function

    monkeypatch.setattr(lab.deployment, "deploy", lambda *a, **k: {"called": True})
    assert lab.deploy() == {"called": True}


# --------------------------------------------------------------- two deploys at once


def test_a_create_that_loses_to_another_deploy_says_another_deploy_is_running(stub):
    answers_missing(stub)
    stub.add_client_error(
        "create_stack",
        service_error_code="AlreadyExistsException",
        service_message=f"Stack [{NAME}] already exists",
        http_status_code=400,
    )
    with pytest.raises(LabError, match=r"^Another deploy of stack .* is running .*--if-changed"):
        deployer(stub).deploy()


def test_an_update_refused_because_another_deploy_runs_says_so(stub):
    answers_describe(stub, stack("CREATE_COMPLETE", outputs=OUTPUTS))
    answers_events(stub, [stack_event(1, "CREATE_COMPLETE")])
    stub.add_client_error(
        "update_stack",
        service_error_code="ValidationError",
        service_message=f"Stack:{STACK_ID} is in UPDATE_IN_PROGRESS state and can not be updated.",
        http_status_code=400,
    )
    with pytest.raises(LabError, match=r"^Another deploy of stack .* is running"):
        deployer(stub).deploy()
