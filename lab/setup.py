"""Notebook 00: check the machine, start the sandbox or check AWS, and say what AWS would cost."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import metadata

import pandas as pd

from lab.config import load_config
from lab.errors import LabError

_PACKAGES = ("aws-cdk-lib", "boto3", "moto", "pandas", "matplotlib", "jupyterlab", "nbval")


def _node_version() -> str:
    node = shutil.which("node")
    if not node:
        return ""
    out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20)
    return out.stdout.strip()


def environment_checks() -> pd.DataFrame:
    """Python, Node.js, the pinned packages and the lab's mode, each with whether it is fine."""
    cfg = load_config()
    node = _node_version()
    node_major = int(node.lstrip("v").split(".")[0]) if node else 0
    rows = [
        ("python", sys.version.split()[0], sys.version_info >= (3, 11), "Python 3.11 or newer"),
        ("node", node or "not found", node_major >= 20, "Node.js 20+ (the CDK's jsii runtime)"),
    ]
    for name in _PACKAGES:
        try:
            rows.append((name, metadata.version(name), True, "pinned; make setup installs it"))
        except metadata.PackageNotFoundError:
            rows.append((name, "missing", False, "run: make setup"))
    rows.append(("LAB_MODE", cfg.mode, True, "sandbox runs offline; aws uses your account"))
    rows.append(("region", cfg.region, True, "LAB_REGION overrides"))
    rows.append(("stack", cfg.stack_name, True, "LAB_STACK_NAME overrides"))
    return pd.DataFrame(rows, columns=["check", "value", "ok", "note"])


def prepare(confirm_billable: bool = False) -> str:
    """Get the target ready: start the sandbox, or check AWS credentials and consent.

    In aws mode nothing billable may start until the learner has read the
    cost table and set ``CONFIRM_BILLABLE = True`` in the parameters cell.
    """
    cfg = load_config()
    if cfg.is_sandbox:
        from lab import sandbox

        return f"sandbox ready at {sandbox.ensure_running()} (region {cfg.region})"
    from lab.config import require_aws_credentials

    require_aws_credentials(cfg)
    if not confirm_billable:
        raise LabError("aws mode creates billable resources; read the cost table below, then set "
                       "CONFIRM_BILLABLE = True in the parameters cell and run again.")
    import os

    from lab.deployment import CONSENT_VARIABLE

    # Later notebooks run in other kernels: they read the same consent from the
    # environment only if the learner exports it; in this kernel it holds now.
    os.environ[CONSENT_VARIABLE] = "1"
    return f"AWS credentials found; deploying to {cfg.region} is confirmed"


# us-east-1 list prices (USD), read from AWS's pricing pages; other regions differ a little.
PRICES = [
    # component, unit, price, source
    ("Interface VPC endpoint (execute-api), 2 AZs", "per hour", 2 * 0.01,
     "https://aws.amazon.com/privatelink/pricing/ ($0.01 per AZ-hour)"),
    ("VPC endpoint data processing", "per GB", 0.01,
     "https://aws.amazon.com/privatelink/pricing/"),
    ("VPC Lattice: data to VPC resources (gateway + configuration)", "per GB", 0.01,
     "https://aws.amazon.com/vpc/lattice/pricing/ ($0.01 per GB for the first PB; the page "
     "lists no hourly price for resource gateways or configurations)"),
    # One secret: the API key's. The connection's own secret (events!connection/…) is not
    # billed: "the cost of storing the secret is included in the charge for using an API
    # destination" (Secrets Manager User Guide, how EventBridge uses Secrets Manager).
    ("Secrets Manager: API key secret", "per hour", 0.40 / 730,
     "https://aws.amazon.com/secrets-manager/pricing/ ($0.40 per secret-month); the "
     "connection's secret is included in API destinations' price: https://docs.aws.amazon.com/"
     "secretsmanager/latest/userguide/integrating_how-services-use-secrets_events.html"),
    ("Step Functions STANDARD", "per 1,000 state transitions", 0.025,
     "https://aws.amazon.com/step-functions/pricing/"),
    ("Step Functions EXPRESS", "per 1,000 requests", 0.001,
     "https://aws.amazon.com/step-functions/pricing/ ($1.00 per million + duration)"),
    ("API Gateway REST API", "per 1,000 requests", 0.0035,
     "https://aws.amazon.com/api-gateway/pricing/ ($3.50 per million)"),
    # The state machines have tracing on (tracing_enabled=True): one trace per execution.
    ("X-Ray traces recorded (state machine tracing)", "per 1,000 traces", 0.005,
     "https://aws.amazon.com/xray/pricing/ ($5.00 per million traces recorded; the first "
     "100,000 a month are free)"),
    ("CloudWatch Logs: vended logs ingested (Step Functions logging, level ALL)", "per GB",
     0.50, "https://aws.amazon.com/cloudwatch/pricing/ (vended logs, $0.50 per GB for the "
     "first 10 TB)"),
    ("EventBridge custom events (07: PutEvents, per 64 KB chunk)", "per 1,000 events", 0.001,
     "https://aws.amazon.com/eventbridge/pricing/ ($1.00 per million custom events)"),
    ("EventBridge API destination invocations (07)", "per 1,000 invocations", 0.0002,
     "https://aws.amazon.com/eventbridge/pricing/ ($0.20 per million invocations; the "
     "connection's secret is included)"),
]


# Only with the stack's option connection_kms_key (cdk_app/connection_key.py): its own key.
KMS_KEY_PRICES = [
    ("KMS customer managed key for the connection (option connection_kms_key)", "per hour",
     1.00 / 730,
     "https://aws.amazon.com/kms/pricing/ ($1.00 per key-month, prorated hourly; a rotation "
     "adds $1 a month from its first rotation, a year after creation for this key)"),
    ("KMS requests (option connection_kms_key: a Decrypt per credentials read)",
     "per 1,000 requests", 0.003,
     "https://aws.amazon.com/kms/pricing/ ($0.03 per 10,000 requests; the first 20,000 a "
     "month are free)"),
]


# What a cell says where a component has no hourly or per-run price: never a
# bare NaN, which a reader cannot tell from "free".
NOT_HOURLY = "— (billed per use)"
NOT_PER_RUN = "— (billed per hour)"
PER_GB_ONLY = "— (per GB: tiny for this lab)"


def cost_estimate(executions: int = 1000, connection_kms_key: bool | None = None) -> pd.DataFrame:
    """What the lab costs in AWS: per hour while deployed, and per ``executions`` runs.

    Cells without a price say why in words (billed per use, per hour or per GB). The KMS
    key's rows appear only with the stack's option ``connection_kms_key`` (default: as
    ``LAB_CONNECTION_KMS_KEY`` sets it).
    """
    if connection_kms_key is None:
        connection_kms_key = load_config().connection_kms_key
    rows = []
    for component, unit, price, source in PRICES + (KMS_KEY_PRICES if connection_kms_key else []):
        if unit == "per hour":
            hourly, per_runs = round(price, 4), NOT_PER_RUN
        elif unit.startswith("per 1,000"):
            hourly = NOT_HOURLY
            # HttpInvoke workflow: ~3 state transitions per STANDARD execution.
            factor = 3 if "STANDARD" in component else 1
            per_runs = round(price * factor * executions / 1000, 4)
        else:
            hourly, per_runs = NOT_HOURLY, PER_GB_ONLY
        rows.append({"component": component, "unit": unit, "price_usd": round(price, 4),
                     "usd_per_hour": hourly, f"usd_per_{executions}_runs": per_runs,
                     "source": source})
    return pd.DataFrame(rows)


def use(mode: str | None = None, region: str | None = None, stack_name: str | None = None,
        confirm_billable: bool = False, connection_kms_key: bool | None = None) -> str:
    """Point this kernel at a mode/region/stack (the parameters cell calls it).

    Values go into the environment so every ``lab`` call, and any process the
    lab starts, agree. Empty values keep the current setting.
    ``confirm_billable=True`` is the learner's consent (aws mode) to create
    billable resources; without it ``lab.deploy()`` refuses in aws mode.
    ``connection_kms_key`` turns the stack's option on or off (``LAB_CONNECTION_KMS_KEY``):
    the connection's secret under the stack's own customer managed KMS key.
    """
    import os

    from lab.clients import _client
    from lab.deployment import CONSENT_VARIABLE

    if confirm_billable:
        os.environ[CONSENT_VARIABLE] = "1"
    for var, value in (("LAB_MODE", mode), ("LAB_REGION", region),
                       ("LAB_STACK_NAME", stack_name)):
        if value:
            os.environ[var] = str(value)
    if connection_kms_key is not None:
        os.environ["LAB_CONNECTION_KMS_KEY"] = "true" if connection_kms_key else "false"
    _client.cache_clear()
    cfg = load_config()
    key = " connection_kms_key=true" if cfg.connection_kms_key else ""
    return f"mode={cfg.mode} region={cfg.region} stack={cfg.stack_name}{key}"
