"""Where the lab points: mode (sandbox or aws), region, stack name, sandbox port.

Everything is read from the environment so notebooks, the CLI and CI agree:

- ``LAB_MODE``: ``sandbox`` (default) or ``aws``.
- ``LAB_REGION``: defaults to ``us-east-1`` in the sandbox, to the AWS CLI's
  configured region (``AWS_REGION`` / ``AWS_DEFAULT_REGION`` / profile) in aws mode.
- ``LAB_STACK_NAME``: defaults to ``PrivateApiLab``.
- ``LAB_SANDBOX_PORT``: the sandbox's port on 127.0.0.1, default 5599.
- ``LAB_CONNECTION_KMS_KEY``: ``true`` deploys the stack with its own customer managed KMS
  key for the connection's secret (``cdk_app/connection_key.py``; off by default).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from lab.errors import LabError

MODES = ("sandbox", "aws")
DEFAULT_STACK_NAME = "PrivateApiLab"
DEFAULT_SANDBOX_PORT = 5599
SANDBOX_REGION = "us-east-1"
SANDBOX_ACCOUNT = "123456789012"
SANDBOX_HOST = "127.0.0.1"
#: The header the sandbox's modelled network sets on a call that reached the data plane
#: through a VPC endpoint (the data plane's stand-in for aws:SourceVpce); the bench's
#: floor sets it too. A task cannot forge it.
SOURCE_VPCE_HEADER = "x-lab-source-vpce"
#: How long a sandbox connection stays CREATING/UPDATING/AUTHORIZING before it is ACTIVE,
#: unless ``LAB_SANDBOX_WARMUP_SECONDS`` or ``lab.sandbox.configure()`` says otherwise.
SANDBOX_CONNECTION_WARMUP_SECONDS = 2.0

_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")


@dataclass(frozen=True)
class ModeBound:
    """Settings that belong to one mode (``sandbox`` or ``aws``)."""

    mode: str

    @property
    def is_sandbox(self) -> bool:
        return self.mode == "sandbox"


@dataclass(frozen=True)
class LabConfig(ModeBound):
    """The resolved settings every ``lab`` call uses."""

    region: str
    stack_name: str
    sandbox_port: int
    #: the stack's option: encrypt the connection's secret with its own KMS key
    connection_kms_key: bool = False

    @property
    def sandbox_endpoint(self) -> str:
        return f"http://{SANDBOX_HOST}:{self.sandbox_port}"


def _mode(env) -> str:
    mode = env.get("LAB_MODE", "sandbox").strip().lower() or "sandbox"
    if mode not in MODES:
        raise LabError(
            f"LAB_MODE={env.get('LAB_MODE')!r} is not a mode the lab knows; "
            "set LAB_MODE=sandbox (offline, the default) or LAB_MODE=aws."
        )
    return mode


def _port(env) -> int:
    raw = env.get("LAB_SANDBOX_PORT", str(DEFAULT_SANDBOX_PORT)).strip()
    if not raw.isdigit() or not 1024 <= int(raw) <= 65535:
        raise LabError(
            f"LAB_SANDBOX_PORT={raw!r} is not a usable port; "
            "set it to a free port between 1024 and 65535, e.g. LAB_SANDBOX_PORT=5599."
        )
    return int(raw)


def _stack_name(env) -> str:
    name = env.get("LAB_STACK_NAME", DEFAULT_STACK_NAME).strip() or DEFAULT_STACK_NAME
    if not _STACK_NAME.match(name):
        raise LabError(
            f"LAB_STACK_NAME={name!r} is not a valid CloudFormation stack name; "
            "use letters, digits and hyphens, starting with a letter."
        )
    return name


def _region(env, mode: str) -> str:
    region = env.get("LAB_REGION", "").strip()
    if not region and mode == "aws":
        region = env.get("AWS_REGION", "") or env.get("AWS_DEFAULT_REGION", "")
        if not region:
            region = _profile_region(env)
        if not region:
            raise LabError(
                "aws mode needs a region; set LAB_REGION (e.g. LAB_REGION=us-east-1) "
                "or run `aws configure`."
            )
    return region or SANDBOX_REGION


def _profile_region(env) -> str:
    """The region the AWS CLI's profile names, or "" if none."""
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.session.Session().region_name or ""
    except ProfileNotFound:
        raise LabError(
            f"AWS_PROFILE={env.get('AWS_PROFILE')!r} names no profile in your AWS config; "
            "list yours with `aws configure list-profiles` and set AWS_PROFILE to one of them."
        ) from None


def flag_value(raw: str) -> bool | None:
    """A switch's usual spellings: False for "", 0, false, no, off; True for 1, true, yes,
    on (any case); None for anything else."""
    raw = raw.strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    return None


def _flag(env, name: str) -> bool:
    value = flag_value(env.get(name, ""))
    if value is not None:
        return value
    raise LabError(
        f"{name}={env.get(name)!r} is neither true nor false; set {name}=true or unset it."
    )


def load_config(env=None) -> LabConfig:
    """Resolve the lab's settings from ``env`` (default: ``os.environ``).

    Raises :class:`LabError` with a one-line fix for an unknown mode, a bad
    port or stack name, or a region where the architecture is not available.
    """
    env = os.environ if env is None else env
    mode = _mode(env)
    cfg = LabConfig(
        mode=mode,
        region=_region(env, mode),
        stack_name=_stack_name(env),
        sandbox_port=_port(env),
        connection_kms_key=_flag(env, "LAB_CONNECTION_KMS_KEY"),
    )
    from lab.regions import check_region_supported

    check_region_supported(cfg.region)
    return cfg


_NO_CREDENTIALS_FIX = (
    "run `aws configure` (or `aws sso login --profile NAME`), set AWS_PROFILE to a configured "
    "profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; "
    "or use the offline sandbox with LAB_MODE=sandbox."
)


def require_aws_credentials(cfg: LabConfig) -> None:
    """In aws mode, make sure boto3 can find credentials before any work starts.

    Does nothing in sandbox mode (its clients use dummy credentials). Raises
    :class:`LabError` naming the fix when boto3's credential chain finds nothing,
    names a missing profile, or holds an expired SSO login. Uses boto3's own
    credential chain, so SSO or assume-role profiles are resolved here (their one
    call to AWS happens now, not in the middle of a deploy).
    """
    if cfg.is_sandbox:
        return
    import boto3
    from botocore.exceptions import BotoCoreError, ProfileNotFound

    try:
        credentials = boto3.session.Session(region_name=cfg.region).get_credentials()
        if credentials is not None:
            # SSO and assume-role credentials load lazily; resolve them now so an
            # expired login fails here, with the fix, not in the middle of a deploy.
            credentials.get_frozen_credentials()
    except ProfileNotFound as exc:
        raise LabError(
            f"{exc}; list your profiles with `aws configure list-profiles` and set "
            "AWS_PROFILE to one of them, or unset it."
        ) from None
    except BotoCoreError as exc:
        # e.g. an expired SSO token or a broken credential_process
        raise LabError(
            f"aws mode could not load AWS credentials ({exc}); {_NO_CREDENTIALS_FIX}"
        ) from None
    if credentials is None:
        raise LabError(
            f"aws mode needs AWS credentials and boto3 found none; {_NO_CREDENTIALS_FIX}"
        )
