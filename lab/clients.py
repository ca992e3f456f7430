"""The one place boto3 clients are built. A notebook cell never builds one.

In sandbox mode every client points at the local sandbox on 127.0.0.1 with
dummy credentials; in aws mode at the real regional endpoints with the
learner's credentials.
"""

from __future__ import annotations

import functools

import boto3
from botocore.config import Config
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

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

# StartSyncExecution answers when the EXPRESS execution ends, and TestState when the
# state has run: up to the state machines' TimeoutSeconds (5 minutes, cdk_app/workflows.py)
# and TestState's own 5-minute limit. botocore's default 60 s read timeout would give up on
# an execution whose HTTP Task waits out its 60 s timeout, so these clients wait longer.
LONGEST_CALL_S = 300
LONG_CALL_READ_TIMEOUT_S = LONGEST_CALL_S + 60
_AWS_STEPFUNCTIONS_CONFIG = _AWS_CONFIG.merge(Config(read_timeout=LONG_CALL_READ_TIMEOUT_S))

#: Operations that START something: a retry after a read timeout, a dropped connection or
#: a 5xx can start it again (each retried StartSyncExecution is another EXPRESS execution,
#: billed, and another call on the private API). botocore retries them only when the
#: error proves the request never started anything.
NOT_REPEATED = {"sfn": ("StartSyncExecution", "TestState")}
_NEVER_SENT = (EndpointConnectionError, ConnectTimeoutError)  # no connection was made
_REFUSED_CODES = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException",
                            "RequestLimitExceeded"})  # the service refused before starting


def _retry_only_if_nothing_started(response=None, caught_exception=None, **_):
    """A ``needs-retry`` handler run before botocore's own: False vetoes the retry.

    None lets botocore's retry policy decide (it retries with its backoff); any other
    failure is final, and the caller sees it rather than a second execution.
    """
    if caught_exception is not None:
        return None if isinstance(caught_exception, _NEVER_SENT) else False
    if response is not None:
        code = (response[1] or {}).get("Error", {}).get("Code")
        if code in _REFUSED_CODES:
            return None
    return False


def _guard_calls_that_start_work(boto_client) -> None:
    service = boto_client.meta.service_model.service_id.hyphenize()
    for operation in NOT_REPEATED.get(service, ()):
        boto_client.meta.events.register_first(
            f"needs-retry.{service}.{operation}", _retry_only_if_nothing_started)


@functools.lru_cache(maxsize=64)
def _client(service: str, cfg: LabConfig):
    if cfg.is_sandbox:
        built = boto3.session.Session(region_name=cfg.region, **SANDBOX_CREDENTIALS).client(
            service, endpoint_url=cfg.sandbox_endpoint, config=_SANDBOX_CONFIG
        )
    else:
        # Fail before the first call, with the fix, rather than with botocore's
        # NoCredentialsError from deep inside a deploy.
        require_aws_credentials(cfg)
        config = _AWS_STEPFUNCTIONS_CONFIG if service == "stepfunctions" else _AWS_CONFIG
        built = boto3.session.Session(region_name=cfg.region).client(service, config=config)
    _guard_calls_that_start_work(built)
    return built


def client(service: str, cfg: LabConfig | None = None):
    """A boto3 client for ``service`` in the lab's mode and region.

    In aws mode, raises :class:`LabError` (naming the fix) when there are no
    AWS credentials.
    """
    return _client(service, cfg or load_config())
