"""Preflight: everything that can be known before deploying, one row per check with its fix.

``python -m lab preflight [--json]`` and ``lab.preflight()`` (notebook 00).
In aws mode, read-only calls only, nothing billable:

- **credentials** (``sts:GetCallerIdentity``): who deploys; the account id is
  never shown (only the sandbox's), nor are the credentials;
- **region**: the stack's resource types are offered there (``lab.regions``);
- **permissions**: ``iam:SimulatePrincipalPolicy`` for the caller (an assumed
  role is simulated as its role) over every action of
  ``docs/deployer-policy.json``, the least-privilege policy a learner can
  attach; where the caller may not simulate, the row says so;
- **quotas** (Service Quotas): VPCs per Region against the VPCs already there
  (the stack adds one), interface VPC endpoints per VPC and resource gateways
  per VPC (the stack needs one of each in its new VPC);
- **availability zones**: the template's two subnets take ``Fn::GetAZs``'s
  first two zones; both must be available and offer the execute-api endpoint
  service;
- **stack**: an existing stack's state (one left by a failed create is replaced
  by the next deploy, an operation in progress must end, a failed rollback needs
  a decision);
- **consent**: ``CONFIRM_BILLABLE`` / ``LAB_CONFIRM_BILLABLE``.

In sandbox mode it checks the sandbox instead: running and answering, its
(dummy) account, the region, the stack's state. A check that cannot run
(e.g. no credentials) is ``skipped`` with the reason; ``fail`` rows block a
deploy, ``warn`` rows may.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lab.config import LabConfig, load_config
from lab.errors import LabError

POLICY_FILE = Path(__file__).resolve().parent.parent / "docs" / "deployer-policy.json"
#: The second managed policy the deployer needs with the option ``connection_kms_key``.
KMS_KEY_POLICY_FILE = POLICY_FILE.with_name("deployer-policy-connection-kms-key.json")
SANDBOX_ACCOUNT = "123456789012"
STATUSES = ("ok", "warn", "fail", "skipped")
# Service Quotas names (matched by name: codes differ per service and are not documented
# together) and what the stack needs of each.
QUOTAS = (
    ("vpc", "VPCs per Region", "vpcs"),
    ("vpc", "Interface VPC endpoints per VPC", 1),
    ("vpc-lattice", "Resource gateways per VPC", 1),
)
# What the next deploy does about a stack left in a state it cannot update.
_REPLACED_FIX = {
    "ROLLBACK_FAILED": "if that delete fails too, delete the stack in the CloudFormation console "
    "(retaining what cannot be deleted)",
    "DELETE_FAILED": "if that delete fails too, delete what blocks it in the console",
}
_STUCK_FIX = (
    "continue the rollback in the CloudFormation console (ContinueUpdateRollback), or run "
    "`python -m lab destroy`; then deploy"
)


@dataclass(frozen=True)
class Check:
    """One preflight row."""

    check: str
    status: str
    detail: str
    fix: str = ""


ClientFactory = Callable[[str], Any]


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", type(error).__name__))


def _denied(error: Exception) -> bool:
    code = _error_code(error)
    return code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation") or (
        "AccessDenied" in code
    )


def _hide_account(text: str, account: str | None) -> str:
    if account and account != SANDBOX_ACCOUNT:
        return text.replace(account, "*" * len(account))
    return text


def policy_actions(path: Path = POLICY_FILE) -> list[str]:
    """Every action ``docs/deployer-policy.json`` allows, in file order."""
    policy = json.loads(path.read_text())
    actions: list[str] = []
    for statement in policy["Statement"]:
        if statement.get("Effect") != "Allow":
            continue
        listed = statement["Action"]
        actions.extend([listed] if isinstance(listed, str) else listed)
    return list(dict.fromkeys(actions))


# -- the checks -----------------------------------------------------------------------


class _Run:
    """State shared by the checks of one preflight run."""

    def __init__(self, cfg: LabConfig, client: ClientFactory):
        self.cfg = cfg
        self.client = client
        self.identity: dict[str, Any] | None = None

    @property
    def account(self) -> str | None:
        return (self.identity or {}).get("Account")

    def hide(self, text: str) -> str:
        return _hide_account(text, self.account)


def check_credentials(run: _Run) -> Check:
    from lab.config import require_aws_credentials

    try:
        require_aws_credentials(run.cfg)
        run.identity = run.client("sts").get_caller_identity()
    except LabError as error:
        return Check("credentials", "fail", "no usable credentials", str(error))
    except Exception as error:  # botocore: expired token, no network, ...
        return Check(
            "credentials",
            "fail",
            f"sts:GetCallerIdentity failed ({_error_code(error)})",
            "refresh your login (`aws sso login`, new keys) and check the network",
        )
    arn = run.identity.get("Arn", "")
    principal = arn.split(":", 5)[-1] if arn else "?"
    account = run.account or ""
    shown = account if account == SANDBOX_ACCOUNT else "(id not shown)"
    return Check("credentials", "ok", f"{principal} in account {shown}")


def check_region(run: _Run) -> Check:
    from lab.regions import check_region_supported

    try:
        check_region_supported(run.cfg.region)
    except LabError as error:
        return Check("region", "fail", f"{run.cfg.region} cannot host the stack", str(error))
    return Check("region", "ok", f"{run.cfg.region} offers every resource type the stack uses")


def _principal_arn(run: _Run) -> str | None:
    """The IAM ARN SimulatePrincipalPolicy takes: a user's, or an assumed role's role."""
    arn = (run.identity or {}).get("Arn", "")
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return None
    resource = parts[5]
    if resource.startswith("assumed-role/"):
        role_name = resource.split("/")[1]
        try:
            return run.client("iam").get_role(RoleName=role_name)["Role"]["Arn"]
        except Exception:
            return f"arn:{parts[1]}:iam::{parts[4]}:role/{role_name}"
    if resource.startswith(("user/", "role/")):
        return arn
    return None  # root, federated users: nothing to simulate


def check_permissions(run: _Run) -> Check:
    name = "permissions"
    if run.identity is None:
        return Check(name, "skipped", "needs credentials", "fix the credentials row first")
    source = _principal_arn(run)
    if source is None:
        return Check(
            name,
            "skipped",
            "this kind of principal cannot be simulated (root or federated user)",
            "deploy as an IAM user or role with docs/deployer-policy.json attached",
        )
    actions = policy_actions()
    attach = "docs/deployer-policy.json"
    if run.cfg.connection_kms_key:  # the stack's own KMS key: the second policy too
        actions += [a for a in policy_actions(KMS_KEY_POLICY_FILE) if a not in actions]
        attach += f" and docs/{KMS_KEY_POLICY_FILE.name}"
    denied: list[str] = []
    try:
        pages = (
            run.client("iam")
            .get_paginator("simulate_principal_policy")
            .paginate(PolicySourceArn=source, ActionNames=actions)
        )
        for page in pages:
            for result in page["EvaluationResults"]:
                if result["EvalDecision"] != "allowed":
                    denied.append(result["EvalActionName"])
    except Exception as error:
        if _denied(error):
            return Check(
                name,
                "skipped",
                "not allowed to call iam:SimulatePrincipalPolicy; CloudFormation will check "
                "at deploy time",
                "attach docs/deployer-policy.json (it allows the simulation), or ask an admin "
                "to compare your permissions with it",
            )
        return Check(name, "skipped", f"simulation failed ({_error_code(error)})", "")
    if denied:
        shown = ", ".join(denied[:5]) + (f" and {len(denied) - 5} more" if len(denied) > 5 else "")
        return Check(
            name,
            "fail",
            f"{len(denied)} of {len(actions)} actions not allowed: {shown}",
            f"attach {attach} to the identity that deploys",
        )
    return Check(name, "ok", f"all {len(actions)} actions of {attach} allowed")


def _quota_value(quotas_client: Any, service: str, quota_name: str) -> float | None:
    for operation in ("list_service_quotas", "list_aws_default_service_quotas"):
        pages = quotas_client.get_paginator(operation).paginate(ServiceCode=service)
        for page in pages:
            for quota in page["Quotas"]:
                if quota.get("QuotaName", "").lower() == quota_name.lower():
                    return float(quota["Value"])
    return None


def check_quotas(run: _Run) -> list[Check]:
    rows = []
    if run.identity is None:
        return [Check("quotas", "skipped", "needs credentials", "fix the credentials row first")]
    quotas = run.client("service-quotas")
    for service, quota_name, needed in QUOTAS:
        name = f"quota: {quota_name}"
        try:
            value = _quota_value(quotas, service, quota_name)
        except Exception as error:
            fix = "allow servicequotas:ListServiceQuotas (docs/deployer-policy.json does)"
            detail = f"cannot read Service Quotas ({_error_code(error)})"
            rows.append(Check(name, "skipped", detail, fix if _denied(error) else ""))
            continue
        if value is None:
            rows.append(Check(name, "skipped", f"Service Quotas lists no '{quota_name}'", ""))
            continue
        if needed == "vpcs":
            try:
                used = len(run.client("ec2").describe_vpcs()["Vpcs"])
            except Exception as error:
                rows.append(Check(name, "skipped", f"cannot count VPCs ({_error_code(error)})", ""))
                continue
            if used + 1 > value:
                rows.append(
                    Check(
                        name,
                        "fail",
                        f"{used} VPCs of {value:g} allowed; the stack adds one",
                        "delete an unused VPC, request a VPCs-per-Region increase, or use "
                        "another region (LAB_REGION)",
                    )
                )
            else:
                rows.append(Check(name, "ok", f"{used} of {value:g} used; the stack adds one"))
            continue
        if value < needed:
            rows.append(
                Check(
                    name,
                    "fail",
                    f"quota {value:g}, the stack needs {needed}",
                    f"request an increase of '{quota_name}' in Service Quotas",
                )
            )
        else:
            rows.append(Check(name, "ok", f"quota {value:g}; the stack's new VPC needs {needed}"))
    return rows


def check_availability_zones(run: _Run) -> Check:
    name = "availability zones"
    if run.identity is None:
        return Check(name, "skipped", "needs credentials", "fix the credentials row first")
    ec2 = run.client("ec2")
    region = run.cfg.region
    try:
        zones = ec2.describe_availability_zones(
            Filters=[{"Name": "zone-type", "Values": ["availability-zone"]}]
        )["AvailabilityZones"]
        service = f"com.amazonaws.{region}.execute-api"
        details = ec2.describe_vpc_endpoint_services(ServiceNames=[service])["ServiceDetails"]
    except Exception as error:
        return Check(name, "skipped", f"cannot list zones ({_error_code(error)})", "")
    available = sorted(z["ZoneName"] for z in zones if z.get("State") == "available")
    if len(available) < 2:
        return Check(
            name,
            "fail",
            f"{len(available)} available zone(s) in {region}; the stack needs two",
            "use another region (LAB_REGION)",
        )
    # Fn::GetAZs lists zones by name; the subnets take the first two.
    picked = available[:2]
    offered = set(details[0].get("AvailabilityZones", [])) if details else set()
    missing = [zone for zone in picked if zone not in offered]
    if missing:
        return Check(
            name,
            "fail",
            f"the subnets go to {', '.join(picked)}; execute-api endpoints are not offered in "
            f"{', '.join(missing)}",
            "use another region (LAB_REGION), or give PrivateNetwork explicit zones in cdk_app",
        )
    return Check(name, "ok", f"subnets go to {', '.join(picked)}; both offer execute-api")


def check_stack(run: _Run) -> Check:
    name = "stack"
    if run.identity is None and not run.cfg.is_sandbox:
        return Check(name, "skipped", "needs credentials", "fix the credentials row first")
    stack_name = run.cfg.stack_name
    try:
        stacks = run.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    except Exception as error:
        if _error_code(error) == "ValidationError":
            return Check(name, "ok", f"{stack_name} does not exist yet; deploy creates it")
        return Check(name, "skipped", f"cannot describe {stack_name} ({_error_code(error)})", "")
    status = stacks[0]["StackStatus"]
    from lab.deployment import REPLACE, STUCK

    if status in STUCK:
        return Check(name, "fail", f"{stack_name} is {status}", _STUCK_FIX)
    if status in REPLACE:
        why = (
            "a change set that was never executed"
            if status == "REVIEW_IN_PROGRESS"
            else "left by a failed attempt"
        )
        return Check(
            name,
            "warn",
            f"{stack_name} is {status} ({why}): deploy deletes it and creates it again",
            _REPLACED_FIX.get(status, "nothing to do, or `python -m lab destroy` first"),
        )
    if status.endswith("_IN_PROGRESS"):
        return Check(name, "fail", f"{stack_name} is {status}", "wait until it ends, then deploy")
    return Check(name, "ok", f"{stack_name} is {status}; deploy updates it if the template changed")


def check_consent(run: _Run) -> Check:
    from lab.deployment import CONSENT_VARIABLE

    if run.cfg.is_sandbox:
        return Check("consent", "ok", "the sandbox bills nothing")
    if os.environ.get(CONSENT_VARIABLE, "").strip() in ("1", "true", "yes"):
        return Check("consent", "ok", "billable resources confirmed")
    return Check(
        "consent",
        "fail",
        "billable resources not confirmed (the VPC endpoint and secrets cost per hour)",
        f"read 00_setup's cost table, then set CONFIRM_BILLABLE = True there (or "
        f"{CONSENT_VARIABLE}=1 for the CLI)",
    )


def check_sandbox(run: _Run) -> Check:
    from lab import sandbox

    state = sandbox.status()
    if not state["running"]:
        if state.get("port_taken_by_other_program"):
            return Check(
                "sandbox",
                "fail",
                f"port {state['port']} is held by another program",
                "set LAB_SANDBOX_PORT to a free port",
            )
        return Check(
            "sandbox",
            "fail",
            f"not running on port {state['port']}",
            "run `python -m lab sandbox start` (00_setup's prepare cell starts it)",
        )
    if state.get("busy"):
        return Check("sandbox", "warn", f"running at {state['endpoint']} but busy", "")
    # No port in the text: 00_setup's committed output must not depend on it.
    return Check("sandbox", "ok", f"running and answering (moto {state.get('moto_version', '?')})")


# -- running them ---------------------------------------------------------------------


def _safely(check: Callable[[_Run], Any], name: str, run: _Run) -> list[Check]:
    """A check that breaks on an answer nobody expected is a skipped row, never a crash."""
    try:
        result = check(run)
    except Exception as error:
        return [Check(name, "skipped", f"could not check ({_error_code(error)}: {error})"[:300])]
    return result if isinstance(result, list) else [result]


def run_checks(cfg: LabConfig | None = None, client: ClientFactory | None = None) -> list[Check]:
    """Every check for the configured mode, in order."""
    cfg = cfg or load_config()
    if client is None:
        from lab.clients import client as lab_client

        def client(service: str) -> Any:
            return lab_client(service, cfg)

    run = _Run(cfg, client)
    if cfg.is_sandbox:
        rows = _safely(check_sandbox, "sandbox", run)
        if rows[0].status == "fail":
            skipped = "needs the sandbox"
            rows += [Check(n, "skipped", skipped, rows[0].fix) for n in ("credentials", "stack")]
            return [*rows, *_safely(check_region, "region", run), check_consent(run)]
        plan = [
            (check_credentials, "credentials"),
            (check_region, "region"),
            (check_stack, "stack"),
            (check_consent, "consent"),
        ]
    else:
        plan = [
            (check_credentials, "credentials"),
            (check_region, "region"),
            (check_permissions, "permissions"),
            (check_quotas, "quotas"),
            (check_availability_zones, "availability zones"),
            (check_stack, "stack"),
            (check_consent, "consent"),
        ]
        rows = []
    for check, name in plan:
        rows += _safely(check, name, run)
    return [Check(row.check, row.status, run.hide(row.detail), run.hide(row.fix)) for row in rows]


def preflight(cfg: LabConfig | None = None):
    """The checks as a table (notebook 00): check, status, detail, fix."""
    import pandas as pd

    return pd.DataFrame([asdict(row) for row in run_checks(cfg)])


def summary(rows: list[Check]) -> str:
    counts = {status: sum(row.status == status for row in rows) for status in STATUSES}
    verdict = "blocked" if counts["fail"] else "ready"
    return f"preflight: {verdict} ({', '.join(f'{n} {s}' for s, n in counts.items() if n)})"


def render(rows: list[Check]) -> str:
    """A plain-text table for the terminal, the summary last."""
    width = max(len(row.check) for row in rows)
    lines = []
    for row in rows:
        lines.append(f"{row.check:<{width}}  {row.status:<7}  {row.detail}")
        if row.fix and row.status != "ok":
            lines.append(f"{'':<{width}}  {'':<7}  fix: {row.fix}")
    lines.append(summary(rows))
    return "\n".join(lines)


def as_json(rows: list[Check]) -> str:
    return json.dumps(
        {"ready": not any(r.status == "fail" for r in rows), "checks": [asdict(r) for r in rows]}
    )
