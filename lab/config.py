"""Where the lab points: mode (sandbox or aws), region, stack name, sandbox port.

Everything is read from the environment so notebooks, the CLI and CI agree:

- ``LAB_MODE``: ``sandbox`` (default) or ``aws``.
- ``LAB_REGION``: defaults to ``us-east-1`` in the sandbox, to the AWS CLI's
  configured region (``AWS_REGION`` / ``AWS_DEFAULT_REGION`` / profile) in aws mode.
- ``LAB_STACK_NAME``: defaults to ``PrivateApiLab``.
- ``LAB_SANDBOX_PORT``: the sandbox's port on 127.0.0.1, default 5599.
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

_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")


@dataclass(frozen=True)
class LabConfig:
    """The resolved settings every ``lab`` call uses."""

    mode: str
    region: str
    stack_name: str
    sandbox_port: int

    @property
    def is_sandbox(self) -> bool:
        return self.mode == "sandbox"

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
            import boto3

            region = boto3.session.Session().region_name or ""
        if not region:
            raise LabError(
                "aws mode needs a region; set LAB_REGION (e.g. LAB_REGION=us-east-1) "
                "or run `aws configure`."
            )
    return region or SANDBOX_REGION


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
    )
    from lab.regions import check_region_supported

    check_region_supported(cfg.region)
    return cfg
