"""The one place boto3 clients are built. A notebook cell never builds one.

In sandbox mode every client points at the local sandbox on 127.0.0.1 with
dummy credentials; in aws mode at the real regional endpoints with the
learner's credentials.
"""

from __future__ import annotations

import functools

import boto3
from botocore.config import Config

from lab.config import LabConfig, load_config, require_aws_credentials

SANDBOX_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "aws_session_token": "testing",
}

# botocore adds a "sync-" host prefix for StartSyncExecution; against a local
# endpoint that host does not exist, so the sandbox clients turn it off.
_SANDBOX_CONFIG = Config(
    inject_host_prefix=False,
    retries={"mode": "standard", "max_attempts": 3},
    max_pool_connections=32,
    connect_timeout=5,
    read_timeout=70,
)
_AWS_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 8},
    max_pool_connections=32,
)


@functools.lru_cache(maxsize=64)
def _client(service: str, cfg: LabConfig):
    if cfg.is_sandbox:
        return boto3.session.Session(region_name=cfg.region, **SANDBOX_CREDENTIALS).client(
            service, endpoint_url=cfg.sandbox_endpoint, config=_SANDBOX_CONFIG
        )
    # Fail before the first call, with the fix, rather than with botocore's
    # NoCredentialsError from deep inside a deploy.
    require_aws_credentials(cfg)
    return boto3.session.Session(region_name=cfg.region).client(service, config=_AWS_CONFIG)


def client(service: str, cfg: LabConfig | None = None):
    """A boto3 client for ``service`` in the lab's mode and region.

    In aws mode, raises :class:`LabError` (naming the fix) when there are no
    AWS credentials.
    """
    return _client(service, cfg or load_config())
