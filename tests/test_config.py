"""lab.config: where the lab points, and the errors a learner sees when it can't."""

from __future__ import annotations

import pytest

from lab.config import (
    DEFAULT_SANDBOX_PORT,
    DEFAULT_STACK_NAME,
    SANDBOX_REGION,
    LabConfig,
    load_config,
    require_aws_credentials,
)
from lab.errors import LabError


@pytest.fixture
def no_aws_credentials(monkeypatch, tmp_path):
    """An environment where boto3's credential chain finds nothing, offline.

    The instance metadata service is switched off so the chain never tries
    169.254.169.254 (no traffic leaves the machine).
    """
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_defaults_are_sandbox_us_east_1_and_the_default_stack():
    cfg = load_config({})
    assert cfg == LabConfig(
        mode="sandbox",
        region=SANDBOX_REGION,
        stack_name=DEFAULT_STACK_NAME,
        sandbox_port=DEFAULT_SANDBOX_PORT,
    )


def test_sandbox_endpoint_is_loopback_on_the_configured_port():
    assert load_config({"LAB_SANDBOX_PORT": "6123"}).sandbox_endpoint == "http://127.0.0.1:6123"


def test_unknown_mode_is_refused_naming_both_modes():
    with pytest.raises(LabError, match="LAB_MODE=sandbox.*LAB_MODE=aws"):
        load_config({"LAB_MODE": "nope"})


def test_mode_is_case_insensitive():
    assert load_config({"LAB_MODE": " Sandbox "}).mode == "sandbox"


@pytest.mark.parametrize("port", ["80", "70000", "abc", "-1", ""])
def test_bad_port_is_refused(port):
    with pytest.raises(LabError, match="LAB_SANDBOX_PORT"):
        load_config({"LAB_SANDBOX_PORT": port})


def test_bad_stack_name_is_refused():
    with pytest.raises(LabError, match="LAB_STACK_NAME"):
        load_config({"LAB_STACK_NAME": "1 bad name"})


def test_region_override_is_used():
    assert load_config({"LAB_REGION": "eu-west-1"}).region == "eu-west-1"


def test_aws_mode_takes_the_region_from_aws_region():
    cfg = load_config({"LAB_MODE": "aws", "AWS_REGION": "eu-central-1"})
    assert (cfg.mode, cfg.region) == ("aws", "eu-central-1")


def test_aws_mode_lab_region_beats_aws_region():
    cfg = load_config({"LAB_MODE": "aws", "AWS_REGION": "eu-central-1", "LAB_REGION": "us-west-2"})
    assert cfg.region == "us-west-2"


def test_aws_mode_without_any_region_names_lab_region(no_aws_credentials):
    with pytest.raises(LabError, match="LAB_REGION"):
        load_config({"LAB_MODE": "aws"})


def test_unsupported_region_is_refused_by_load_config():
    with pytest.raises(LabError, match="il-central-1.*LAB_REGION"):
        load_config({"LAB_MODE": "aws", "LAB_REGION": "il-central-1"})


def test_missing_credentials_name_the_fixes(no_aws_credentials):
    cfg = load_config({"LAB_MODE": "aws", "LAB_REGION": "us-east-1"})
    with pytest.raises(LabError) as info:
        require_aws_credentials(cfg)
    message = str(info.value)
    assert "aws configure" in message
    assert "AWS_PROFILE" in message
    assert "AWS_ACCESS_KEY_ID" in message


def test_a_profile_that_does_not_exist_is_named(no_aws_credentials, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "workshop-typo")
    cfg = LabConfig(mode="aws", region="us-east-1", stack_name="S", sandbox_port=5599)
    with pytest.raises(LabError, match="workshop-typo.*AWS_PROFILE"):
        require_aws_credentials(cfg)


def test_credentials_from_the_environment_are_enough(no_aws_credentials, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    cfg = load_config({"LAB_MODE": "aws", "LAB_REGION": "us-east-1"})
    require_aws_credentials(cfg)  # raises nothing


def test_sandbox_mode_never_needs_aws_credentials(no_aws_credentials):
    require_aws_credentials(load_config({}))  # raises nothing


def test_aws_clients_refuse_to_build_without_credentials(no_aws_credentials):
    from lab.clients import client

    cfg = LabConfig(mode="aws", region="us-east-1", stack_name="S", sandbox_port=5599)
    with pytest.raises(LabError, match="aws configure"):
        client("cloudformation", cfg)


def test_sandbox_clients_point_at_loopback_with_dummy_credentials(no_aws_credentials):
    from lab.clients import client

    cfg = load_config({"LAB_SANDBOX_PORT": "6124"})
    cfn = client("cloudformation", cfg)
    assert cfn.meta.endpoint_url == "http://127.0.0.1:6124"
    assert cfn.meta.region_name == "us-east-1"
