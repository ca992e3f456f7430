"""Contracts: the moto Secrets Manager internals the sandbox relies on (moto 5.2.5).

lab/sandbox/secretsmanager/ (models.py, cloudformation.py) creates, reads and deletes secrets
through moto's backend (the Secret handler and ``{{resolve:secretsmanager:...}}``), and
lab/sandbox/inventory.py lists what is left. If one of these fails after a moto
upgrade, fix the function named in the test's docstring.
"""

from __future__ import annotations

import inspect
import json

import pytest
from moto import mock_aws
from moto.secretsmanager.models import SecretsManagerBackend, secretsmanager_backends
from moto.secretsmanager.utils import random_password

ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture
def secrets():
    with mock_aws():
        yield secretsmanager_backends[ACCOUNT][REGION]


def create(secrets, name: str, value: str) -> str:
    created = secrets.create_secret(
        name=name,
        secret_string=value,
        secret_binary=None,
        description=None,
        tags=None,
        kms_key_id=None,
        client_request_token=None,
        replica_regions=[],
        force_overwrite=False,
    )
    return json.loads(created)["ARN"]


def test_create_secret_returns_json_text_naming_the_arn(secrets):
    """SecretsManagerSecret.create reads the ARN from the returned JSON text."""
    arn = create(secrets, "s", "v")
    assert arn.startswith(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:s-")


def test_get_secret_value_finds_a_secret_by_full_arn(secrets):
    """resolve_references passes the ARN a template's Ref gives."""
    arn = create(secrets, "s", "v")
    assert secrets.get_secret_value(arn, None, None)["SecretString"] == "v"


def test_get_secret_value_finds_a_secret_by_name(secrets):
    """resolve_references also accepts a name, as CloudFormation does."""
    create(secrets, "s", "v")
    assert secrets.get_secret_value("s", None, None)["SecretString"] == "v"


def test_get_secret_value_of_a_missing_secret_raises(secrets):
    """resolve_references turns any error here into the stack's ValidationError."""
    with pytest.raises(Exception, match="can't find"):
        secrets.get_secret_value("missing", None, None)


def test_force_delete_removes_the_secret_at_once(secrets):
    """SecretsManagerSecret.remove deletes without a recovery window."""
    arn = create(secrets, "s", "v")
    secrets.delete_secret(
        secret_id=arn, recovery_window_in_days=None, force_delete_without_recovery=True
    )
    assert list(dict.values(secrets.secrets)) == []


def test_secrets_are_kept_in_a_dict_of_fake_secrets(secrets):
    """inventory._secretsmanager lists ``dict.values(backend.secrets)`` by name and state."""
    create(secrets, "s", "v")
    secret = next(iter(dict.values(secrets.secrets)))
    assert (secret.name, secret.is_deleted()) == ("s", False)


def test_random_password_takes_the_generate_secret_string_settings():
    """generate_secret_string passes these keywords."""
    assert list(inspect.signature(random_password).parameters) == [
        "password_length",
        "exclude_characters",
        "exclude_numbers",
        "exclude_punctuation",
        "exclude_uppercase",
        "exclude_lowercase",
        "include_space",
        "require_each_included_type",
    ]


def test_random_password_honours_length_and_exclusions():
    """generate_secret_string: CDK's secret is 40 characters without punctuation."""
    password = random_password(40, "", False, True, False, False, False, True)
    assert len(password) == 40 and password.isalnum()


def test_update_calls_take_the_keywords_the_handler_passes():
    """SecretsManagerSecret.modify calls these by keyword."""
    assert {
        "secret_id",
        "secret_string",
        "secret_binary",
        "client_request_token",
        "version_stages",
    } <= set(inspect.signature(SecretsManagerBackend.put_secret_value).parameters)
    assert {"secret_id", "kms_key_id", "description"} <= set(
        inspect.signature(SecretsManagerBackend.update_secret).parameters
    )
